"""监管政策 through the real menu, on a desktop and on a phone: every version and its rules readable, nothing wider
than the screen (a fingerprint is 64 characters without a space), and no accessibility rule broken."""

import pytest

from .conftest import PHONE, assert_accessible, open_phone_menu

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_an_admin_opens_the_policy_versions_from_the_menu(open_page, users, viewport):
    page = open_page(users["city_admin"], "pw-city_admin", viewport)
    if viewport:
        open_phone_menu(page)
    page.click("a.dropdown-toggle:has-text('更多')")
    page.wait_for_selector(".dropdown-menu.show a.dropdown-item:has-text('监管政策')")
    page.click("a.dropdown-item:has-text('监管政策')")
    page.wait_for_url("**/planning/policies/")
    page.wait_for_selector("#policy-baoding-2021-v1")
    assert page.locator(".badge.text-bg-success").count() >= 1  # the version this quarter's plans follow
    # its rules are open, in words with their clauses; an older version's are folded until asked for
    assert page.locator("#rule-baoding-2021-v2-key_quarterly").is_visible()
    assert "10%" in page.inner_text("#rule-baoding-2021-v2-key_quarterly")
    assert not page.locator("#rule-baoding-2021-v1-key_quarterly").is_visible()
    page.click("#policy-rules-baoding-2021-v1 > summary")
    assert page.locator("#rule-baoding-2021-v1-key_quarterly").is_visible()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.scrollWidth") <= (viewport or {"width": 1366})["width"]
    assert_accessible(page, "policy versions")
