"""The public API's limit per address counts the address the server saw, not one the client wrote: DRF's
throttle took the whole X-Forwarded-For header as the address unless told how many proxies there are, so a
client sending a new header with each request was never limited (PUBLIC_API_RATE, docs/operations.md)."""

import pytest
from django.core.cache import cache
from django.test import override_settings


@pytest.fixture
def rate(settings):
    cache.clear()
    settings.PUBLIC_API_RATE = "2/minute"
    yield
    cache.clear()


@pytest.mark.django_db
def test_a_made_up_forwarded_address_does_not_escape_the_limit(client, rate):
    codes = [client.get("/api/public/items/", headers={"X-Forwarded-For": f"10.9.8.{n}"}).status_code
             for n in range(4)]
    assert codes == [200, 200, 429, 429]


@pytest.mark.django_db
def test_behind_one_proxy_the_address_it_added_counts(client, settings, rate):
    # the proxy appends the address it saw; what the client wrote before it is not believed
    with override_settings(TRUSTED_PROXIES=1):
        codes = [client.get("/api/public/items/", headers={"X-Forwarded-For": f"10.9.8.{n}, 192.0.2.7"}).status_code
                 for n in range(3)]
        assert codes == [200, 200, 429]
        other = client.get("/api/public/items/", headers={"X-Forwarded-For": "192.0.2.8"})
        assert other.status_code == 200
