"""The Content Security Policy: a script that reaches a page as text (what cross-site scripting would put there)
does not run, and the browser fixtures notice whatever the policy refuses."""

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from .conftest import watch_policy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_injected_inline_script_is_refused_and_the_fixtures_would_see_it(chromium, live_server):
    context = chromium.new_context(locale="zh-CN")
    refused: list[str] = []
    watch_policy(context, refused)
    page = context.new_page()
    page.goto(f"{live_server.url}/public/")
    # As if a stored name carried markup into the page: an inline script without the response's nonce.
    with page.expect_console_message(lambda message: "Content Security Policy" in message.text):
        page.evaluate("""() => { const s = document.createElement("script"); s.textContent = "window.owned = 1";
                                 document.body.appendChild(s); }""")
    assert page.evaluate("window.owned") is None
    assert refused and "script-src" in refused[0]
    context.close()


def test_every_page_carries_the_policy(users):
    client = Client()
    client.force_login(users["county_admin"])
    for path in ("/", "/public/", "/api/docs/"):
        policy = client.get(path).headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    page = client.get("/registry/targets/import/")  # an inline script of the page's own carries the nonce
    nonce = page.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in page.content.decode()


def test_the_pages_own_scripts_run_under_the_policy(open_page, live_server, users):
    """The staff pages with a script of their own that no other browser test opens: choosing a year on the
    publication overview shows it; the classification form's button says the run is under way."""
    page = open_page(users["city_admin"], "pw-city_admin")
    page.goto(f"{live_server.url}/disclosure/")
    last_year = str(timezone.localdate().year - 1)
    with page.expect_navigation():
        page.select_option("#overview-year", last_year)
    assert f"year={last_year}" in page.url
    page.goto(f"{live_server.url}/intake/classification/")
    page.evaluate("document.getElementById('classify-submit').form.addEventListener('submit', e => e.preventDefault())")
    page.click("#classify-submit")
    # The page's script answers the submit event: expect() waits for it rather than reading at once.
    expect(page.locator("#classify-submit")).to_be_disabled()
    expect(page.locator("#classify-wait")).to_be_visible()
