# ruff: noqa: F811 (fixtures of the disclosure and fieldwork tests, imported by name, are parameters here)
"""The city's publication grid (一公开 overview) in a real headless Chromium: its key under the grid, and the page
accessible (axe-core) on a desk and on a phone. ``SCREENSHOTS=DIR`` keeps a picture of each."""

import pytest

from tests.browser.conftest import PHONE, assert_accessible
from tests.browser.test_ceremony import shoot
from tests.disclosure.test_staff_views import world  # noqa: F401
from tests.fieldwork.conftest import items, target, task, team  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_the_grid_explains_its_marks_and_is_accessible(open_page, live_server, users, world, viewport):
    page = open_page(users["city_admin"], "pw-city_admin", viewport)
    page.goto(f"{live_server.url}/disclosure/?year={world['year']}")
    key = page.locator("#grid-legend")
    assert key.is_visible()
    assert "图例" in key.inner_text() and "当月没有需要公开的检查结果" in key.inner_text()
    assert page.locator("#grid").get_attribute("aria-describedby") == "grid-legend"
    assert_accessible(page, "the publication grid")
    shoot(page, f"publication-grid-{'phone' if viewport else 'desktop'}")  # with SCREENSHOTS=DIR


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_grid_fits_its_box_and_the_page_fits_a_phone(open_page, live_server, users, world, language):
    """Each cell's words for a screen reader (.visually-hidden, absolutely positioned) were laid out against the
    card rather than inside the grid's scrolling box, so the whole page was as wide as the grid: 458 px in
    Chinese and 731 px in English on a 390 px phone. The grid then scrolled in its own box; it is a card per
    county on a phone now, within the box, the screen-reader words still inside it."""
    page = open_page(users["city_admin"], "pw-city_admin", PHONE)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/disclosure/?year={world['year']}")
    box = page.locator("#grid").locator("xpath=..")
    assert box.evaluate("e => e.scrollWidth <= e.clientWidth")  # a card per county: nothing to scroll sideways
    assert page.locator("#grid .visually-hidden").count() > 0
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
