"""完成情况 on a desk and on a phone (390×844), in Chinese and English: the table of places fits the screen, a
shortfall is said in words, the menu's 更多 reaches the page, and axe finds nothing wrong with it."""

import pytest
from django.urls import reverse

from tests.disclosure.test_portal import make_plan

from .conftest import PHONE, assert_accessible, open_phone_menu

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESK = {"width": 1280, "height": 900}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])
def test_the_completion_page_on_a_desk_and_a_phone(open_page, users, tree, live_server, tmp_path, viewport,
                                                     language):
    make_plan(tree["a"], 2)
    page = open_page(users["city_admin"], "pw-city_admin", viewport=viewport)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/")
    if viewport is PHONE:
        open_phone_menu(page)
    page.get_by_role("button", name="更多" if language == "zh-hans" else "More").click()
    page.get_by_role("link", name="完成情况" if language == "zh-hans" else "Completion", exact=True).click()
    page.wait_for_url(f"**{reverse('completion')}")
    page.goto(f"{live_server.url}{reverse('completion')}?year=2026&quarter=2")
    rows = page.locator("#completion tbody tr")
    assert rows.count() == 3
    county = page.locator(f"#place-{tree['b'].pk}")
    # 阜平县 published no plan of the quarter: said in words, not by a red badge alone
    said = "未达标" if language == "zh-hans" else "Not met"
    assert said in county.locator("td.completion-regular").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert page.locator("#completion-rules").is_visible()
    assert_accessible(page, "完成情况")
    page.screenshot(path=str(tmp_path / f"completion-{language}-{viewport['width']}.png"), full_page=True)


BROKEN_DATES = r"""() => {
  // each ISO day or month on the page's table and rules whose characters lie on more than one line
  const broken = [];
  for (const box of document.querySelectorAll('#completion td, #completion-rules dd')) {
    const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.textContent.matchAll(/\d{4}-\d{2}(-\d{2})?/g)) {
        const range = document.createRange();
        range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
        if (new Set([...range.getClientRects()].map(r => Math.round(r.top))).size > 1) broken.push(box.innerText);
      }
    }
  }
  return broken;
}"""


def test_a_date_stays_on_one_line_in_english(open_page, users, tree, live_server):
    """"Published 2026-09-23" broke after the date's first hyphen on a wide English screen (1600 px: the column
    just too narrow for the whole line), leaving "09-23" below; a day or a month is now kept whole, at any width.
    (A Chinese page, "2026-09-23 公开", breaks after the date.)"""
    make_plan(tree["a"], 2)
    page = open_page(users["city_admin"], "pw-city_admin", viewport=DESK)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    for width in range(1200, 2000, 80):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}{reverse('completion')}?year=2026&quarter=2")
        assert page.evaluate(BROKEN_DATES) == [], width
    published = page.locator(f"#place-{tree['a'].pk} td.completion-regular")
    assert "Published 2026-" in published.inner_text()  # a date was there to break
