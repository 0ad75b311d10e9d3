# ruff: noqa: F811 (fixtures of the disclosure and fieldwork tests, imported by name, are parameters here)
"""The disclosure overview's months on a phone (390 px), in a real headless Chromium: each stacked cell reads
"label: value" from the left edge, the 待公开 count too."""

import pytest
from django.utils import timezone

from tests.browser.conftest import PHONE
from tests.disclosure.test_staff_views import world  # noqa: F401
from tests.fieldwork.conftest import items, target, task, team  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_waiting_count_stacks_beside_its_label_on_a_phone(open_page, live_server, users, world, language):
    """The 待公开 column is right-aligned for its numbers on a desk; stacked on a phone it took its label to the
    right edge, a gap away from every other label and value of the row."""
    page = open_page(users["county_admin"], "pw-county_admin", PHONE)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/disclosure/?year={world['year']}")
    row = page.locator("#months tbody tr").first
    aligns = row.locator("td[data-label]").evaluate_all("cells => cells.map(c => getComputedStyle(c).textAlign)")
    assert "right" not in aligns, aligns
    # the count follows its label ("待公开：1"), not the far edge of the screen with its label a gap away
    gap = row.locator("td.text-end").evaluate("""c => { const range = document.createRange();
        range.selectNodeContents(c); return c.getBoundingClientRect().right - range.getBoundingClientRect().right; }""")
    assert gap > PHONE["width"] / 2, gap
    page.set_viewport_size({"width": 1280, "height": 900})  # on a desk the numbers stay right-aligned
    waiting = page.locator("#months tbody tr").first.locator("td.text-end")
    assert waiting.evaluate("c => getComputedStyle(c).textAlign") == "right"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_county_month_grid_is_a_card_per_county_on_a_phone(open_page, live_server, users, world, language):
    """The city's grid of counties × months scrolled sideways on a phone (thirteen columns, the later months out of
    sight, their heads with them). Each county is a card now: its name and its overdue count on a line, then its
    months, each mark under its month's head; on a desk the grid is unchanged."""
    page = open_page(users["city_admin"], "pw-city_admin", PHONE)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/disclosure/?year={world['year']}")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    widths = page.locator(".table-responsive:has(#grid)").evaluate("s => [s.scrollWidth, s.clientWidth]")
    assert widths[0] <= widths[1], widths
    assert page.locator("#grid thead").is_hidden()
    rows = page.locator("#grid tbody tr")
    assert rows.count() == 2
    row = rows.first
    months = row.locator("td:not(.app-grid-late)")
    shown = timezone.localdate().month if world["year"] == timezone.localdate().year else 12  # the months so far
    assert months.count() == shown
    head = f"{world['month']}月" if language == "zh-hans" else f"{world['year']}-{world['month']:02d}"
    cell = months.nth(world["month"] - 1)
    assert cell.evaluate("c => getComputedStyle(c, '::before').content") == f'"{head}"'
    for n in range(months.count()):  # every month on the screen, its mark and its head
        box = months.nth(n).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (n, box)
        assert months.nth(n).evaluate("c => getComputedStyle(c, '::before').content") not in ("none", '""')
    late = row.locator("td.app-grid-late")
    assert ("逾期" if language == "zh-hans" else "Overdue") in late.evaluate(
        "c => getComputedStyle(c, '::before').content")
    name, count = row.locator("th").bounding_box(), late.bounding_box()
    assert abs(name["y"] - count["y"]) < 20 and count["x"] + count["width"] <= PHONE["width"]  # one line
    page.set_viewport_size({"width": 1280, "height": 900})
    assert page.locator("#grid thead").is_visible()
    assert cell.evaluate("c => getComputedStyle(c).display") == "table-cell"
    assert cell.evaluate("c => getComputedStyle(c, '::before').content") == "none"


TAPS = """links => links.map(a => [a.textContent.trim(), a.getBoundingClientRect().height])"""


def test_the_county_lines_links_are_a_thumbs_size_on_a_touch_phone(open_page, live_server, users, world):
    """A county's name atop its months, its months' and its lists' batches were links a line of text tall (18 to
    21 px) on a touch phone: 44 px now, as the sub-menus' entries are. A desk with a mouse keeps its rows."""
    page = open_page(users["city_admin"], "pw-city_admin", PHONE, has_touch=True)
    page.goto(f"{live_server.url}/disclosure/?year={world['year']}&jurisdiction={world['batch'].jurisdiction.code}")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    links = page.locator("#grid tbody th a, #months td a, #annual td a")
    assert page.locator("#months td a").count() >= 1 and page.locator("#grid tbody th a").count() == 2
    heights = links.evaluate_all(TAPS)
    assert [link for link in heights if link[1] < 44] == [], heights
    page.set_viewport_size({"width": 1280, "height": 900})
    assert all(height < 30 for _text, height in links.evaluate_all(TAPS))
