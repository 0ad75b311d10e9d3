# ruff: noqa: F811 (the portal tests' ``data`` and ``visit`` fixtures, imported by name, are parameters here)
"""跳到正文: a keyboard or screen-reader user's first Tab on any page, staff or public, is a link past the
navigation (WCAG 2.4.1 Bypass Blocks), unseen until it has the focus; Enter puts the focus in the page's own content,
so the next Tab is the content's first control and not the menu's. Set FIELDWORK_SHOTS=<dir> for screenshots."""

import pytest

from tests.browser.conftest import PHONE, assert_accessible
from tests.browser.test_fieldwork_phone import shot
from tests.browser.test_portal import visit  # noqa: F401
from tests.disclosure.test_portal import data  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUSED = """() => { const e = document.activeElement; const r = e.getBoundingClientRect();
    return {tag: e.tagName.toLowerCase(), id: e.id, text: e.textContent.trim(), href: e.getAttribute("href"),
            inMain: !!e.closest("main"), inNav: !!e.closest("nav, header"), width: r.width, height: r.height,
            top: r.top, left: r.left}; }"""
SKIP_BOX = """() => { const r = document.querySelector(".app-skip").getBoundingClientRect();
    return {width: r.width, height: r.height}; }"""


def skips_to_the_content(page, name: str) -> None:
    """Tab once: the skip link, first and now seen; Enter: the focus in <main>; Tab again: main's first control."""
    hidden = page.evaluate(SKIP_BOX)
    assert hidden["width"] <= 1 and hidden["height"] <= 1, hidden  # not seen before it has the focus
    page.keyboard.press("Tab")
    link = page.evaluate(FOCUSED)
    assert (link["tag"], link["text"], link["href"]) == ("a", "跳到正文", "#main"), link
    assert link["width"] > 40 and link["height"] > 20 and link["top"] >= 0 and link["left"] >= 0, link  # seen
    assert_accessible(page, f"{name} with the skip link shown")
    shot(page, f"skip-link-{name}", full=False)
    page.keyboard.press("Enter")
    landed = page.evaluate(FOCUSED)
    assert (landed["tag"], landed["id"]) == ("main", "main"), landed
    page.keyboard.press("Tab")
    after = page.evaluate(FOCUSED)
    assert after["inMain"] and not after["inNav"], after  # the menu is behind, not ahead


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_a_staff_page_skips_to_its_content(open_page, users, live_server, viewport):
    page = open_page(users["county_admin"], "pw-county_admin", viewport)
    page.goto(f"{live_server.url}/registry/targets/")
    skips_to_the_content(page, f"staff-{'phone' if viewport else 'desktop'}")


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_a_portal_page_skips_to_its_content(visit, data, viewport):
    page = visit("/public/results/", viewport)
    skips_to_the_content(page, f"portal-{'phone' if viewport else 'desktop'}")


def test_the_link_says_so_in_english(visit, data):
    page = visit("/public/")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
