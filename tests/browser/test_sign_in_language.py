"""In a real browser, on a phone: the sign-in page's language switch (the rest of the site had one, the sign-in page
none) turns the page to English and back, and the page stays accessible. That it is a plain form, working without
JavaScript, is tested with the test client (tests/accounts/test_login_language.py)."""

import pytest
from playwright.sync_api import expect

from .conftest import PHONE, assert_accessible, watch_policy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_sign_in_page_switches_language(chromium, live_server, users):
    context = chromium.new_context(viewport=PHONE, locale="zh-CN")
    refused: list[str] = []
    watch_policy(context, refused)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/?next=/planning/")
    english = page.get_by_role("button", name="English")
    expect(english).to_have_attribute("lang", "en")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    english.click()
    page.wait_for_url(f"{live_server.url}/login/?next=/planning/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main h1")).to_have_text("Sign in")
    assert_accessible(page, "the sign-in page in English")
    page.get_by_role("button", name="中文").click()
    expect(page.locator("main h1")).to_have_text("登录")
    context.close()
    assert refused == [], refused
