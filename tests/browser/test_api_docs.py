"""The API's documentation page works on an intranet: Swagger UI comes from the system's own static files."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_render_with_nothing_fetched_from_outside(open_page, users, live_server):
    page = open_page(users["city_admin"], "pw-city_admin")
    outside: list[str] = []
    here = urlsplit(live_server.url).netloc

    def only_here(route):
        # an intranet has no way out: a request elsewhere fails, as it would there
        if urlsplit(route.request.url).netloc != here:
            outside.append(route.request.url)
            return route.abort()
        return route.continue_()

    page.route("**/*", only_here)
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)  # the operations, read from /api/schema/
    # Swagger UI renders the operations by script: expect() waits for more than ten, not what is there at once.
    expect(page.locator(".swagger-ui .opblock").nth(10)).to_be_attached()
    expect(page.get_by_text("/api/planning/plans/").first).to_be_visible()
    assert outside == []


def test_the_api_docs_ask_a_visitor_who_is_not_signed_in_to_sign_in_first(chromium, users, live_server):
    """The description of the staff APIs is not for the public: the login page, and after signing in the docs."""
    context = chromium.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/api/docs/")
    assert urlsplit(page.url).path == "/login/"
    page.fill("#id_username", "inspector")
    page.fill("#id_password", "pw-inspector")
    page.click("form button.btn-success")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
    assert urlsplit(page.url).path == "/api/docs/"
    context.close()
