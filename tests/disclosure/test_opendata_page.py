"""/public/opendata/: every dataset documented with its page, downloads, API address and columns (read from
the API's serializers), the paging, the errors, a curl example and the OpenAPI schema — for anyone."""

import sys
import types

import pytest
from django.urls import NoReverseMatch, clear_url_caches, include, path, reverse

from shuangsuiji.disclosure import api, views_opendata

pytestmark = pytest.mark.django_db


@pytest.fixture
def opendata_url(settings):
    """The page's URL. Until the portal's URLconf routes public:opendata, a URLconf of the project's URLs plus
    this page stands in (the page is the same view either way)."""
    try:
        yield reverse("public:opendata")
        return
    except NoReverseMatch:
        pass
    from shuangsuiji import urls

    module = types.ModuleType("opendata_test_urls")
    module.urlpatterns = [path("public/", include(([path("opendata/", views_opendata.opendata, name="opendata")],
                                                   "public"))), *urls.urlpatterns]
    sys.modules[module.__name__] = module
    settings.ROOT_URLCONF = module.__name__
    clear_url_caches()
    yield reverse("public:opendata")
    del sys.modules[module.__name__]
    clear_url_caches()


def test_opendata_documents_every_dataset_and_the_api(client, opendata_url, settings):
    settings.PUBLIC_API_RATE = "600/minute"
    response = client.get(opendata_url)
    assert response.status_code == 200
    text = response.content.decode()
    for endpoint in ("results", "list", "plans", "items", "verification", "corrections"):
        assert f'href="/api/public/{endpoint}/"' in text
    # Every field the API serves is listed, with a label.
    for name in api.PublicResultSerializer.Meta.fields:
        assert f"<code>{name}</code>" in text
    assert all(views_opendata.FIELD_LABELS.get(n) for d in views_opendata.DATASETS
               for n in (d.serializer.Meta.fields if hasattr(d.serializer, "Meta") else d.serializer().fields))
    for parameter in ("jurisdiction", "month", "industry", "outcome", "q", "page", "page_size"):
        assert f"<code>{parameter}</code>" in text
    assert "curl &#x27;http://testserver/api/public/results/?month=2026-03&amp;outcome=problem" in text
    assert 'href="/api/schema/?format=json"' in text
    assert "600/minute" in text and "429" in text and "400" in text


def test_opendata_links_the_portal_downloads_that_exist(client, opendata_url):
    text = client.get(opendata_url).content.decode()
    for dataset in views_opendata.DATASETS:
        if not dataset.page:
            continue
        try:
            page = reverse(f"public:{dataset.page}")
        except NoReverseMatch:
            continue  # not routed by the portal yet; the page then shows the API only
        assert f'href="{page}?format=csv"' in text and f'href="{page}?format=json"' in text


def test_the_documented_columns_are_the_downloads_columns(client, opendata_url, tree):
    try:
        page = reverse("public:results")
    except NoReverseMatch:
        pytest.skip("the portal's results page is not routed yet")
    header = client.get(page, {"format": "csv"}).content.decode("utf-8-sig").splitlines()[0]
    assert header.split(",") == list(api.PublicResultSerializer.Meta.fields)
