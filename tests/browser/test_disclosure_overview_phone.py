# ruff: noqa: F811 (fixtures of the disclosure and fieldwork tests, imported by name, are parameters here)
"""The disclosure overview's months on a phone (390 px), in a real headless Chromium: each stacked cell reads
"label: value" from the left edge, the 待公开 count too."""

import pytest

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
