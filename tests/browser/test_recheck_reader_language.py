# ruff: noqa: F811 (fixtures of the fieldwork tests, imported by name, are parameters here)
"""A re-check read on a phone in English: the rule of its dates is said under 整改期限, and once an amendment
cancels it, the reason is in English (it is said from the amendment, not stored in Chinese). The page fits the
phone's width. Set FIELDWORK_SHOTS=<dir> to keep screenshots."""

import pytest
from playwright.sync_api import expect

from tests.fieldwork.conftest import NO_PROBLEM, amended, items, recheck, source, target, task, team  # noqa: F401 (fixtures)

from .conftest import assert_accessible
from .test_fieldwork_phone import SHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_recheck_reads_in_english_on_a_phone(open_page, live_server, source, recheck, users):
    inspector = users["inspector"]
    page = open_page(inspector, "pw-inspector", PHONE)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}{recheck.get_absolute_url()}")
    expect(page.locator("#rectification-basis")).to_contain_text(
        "The latest rectification deadline among the problems to re-check")
    assert fits(page)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/recheck-open-en.png", full_page=True)

    amendment = amended(source, users, NO_PROBLEM)
    page.goto(f"{live_server.url}{recheck.get_absolute_url()}")
    cancelled = page.locator("#recheck-cancelled")
    expect(cancelled).to_contain_text(f"Amendment {amendment.number} no longer orders rectification")
    expect(cancelled).not_to_contain_text("经更正记录")
    assert fits(page)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/recheck-cancelled-en.png", full_page=True)
    assert_accessible(page, "a cancelled re-check in English")
