# ruff: noqa: F811 (the planning tests' fixture, imported by name, is a parameter here)
"""Staff pages on a phone (390×844) in a real headless Chromium: every entry of a page's own sub-menu is on the
screen and can be tapped, and nothing makes the page wider than the screen."""

import pytest

from shuangsuiji.planning import services
from tests.planning.conftest import ceremony, city  # noqa: F401

from .conftest import PHONE, open_phone_menu

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IN_VIEW = """links => links.map(a => { const r = a.getBoundingClientRect();
    return [a.textContent.trim(), r.left >= 0 && r.right <= window.innerWidth && r.width > 0]; })
    .filter(([, inside]) => !inside).map(([text]) => text)"""


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(("role", "start", "menu", "last"), [
    ("county_admin", "/intake/", ".intake-subnav", "/intake/classification/"),
    ("city_admin", "/intake/", ".intake-subnav", "/intake/classification/"),
    ("leader", "/intake/", ".intake-subnav", "/intake/classification/"),
    ("city_admin", "/disclosure/", "main ul.nav-tabs", "/disclosure/reports/"),
    ("leader", "/disclosure/", "main ul.nav-tabs", "/disclosure/objections/"),
])
def test_a_sub_menu_is_whole_on_a_phone(open_page, users, live_server, role, start, menu, last, language):
    """外部数据与分类's eight entries and 一公开's tabs ran on in one line past the screen's edge, in a box that
    scrolled sideways with nothing to show that it did: 正面清单, 线索, 季度分类 (异议, 报送材料, 公开门户) were
    cut off. They wrap onto a second line now, each within the screen and tappable."""
    page = open_page(users[role], f"pw-{role}", viewport=PHONE)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}{start}")
    links = page.locator(f"{menu} a.nav-link")
    assert links.count() >= 4
    assert links.evaluate_all(IN_VIEW) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.locator(f"{menu} a.nav-link[href='{last}']").click(trial=True, timeout=2000)  # nothing covers it
    page.locator(f"{menu} a.nav-link[href='{last}']").click()
    page.wait_for_url(f"**{last}")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_plans_strata_wrap_in_the_stacked_list_on_a_phone(open_page, live_server, city, language):
    """抽查计划's list stacks on a phone, but a plan's requested counts ("Key unit 4 (1)", "Special-supervision unit
    2 (1)", …) were one unbreakable run: in English it widened the list to 440 px inside its 356 px box, the last
    stratum out of sight. Each has a line of its own now."""
    plan = services.do_create_plan(jurisdiction=city["tree"]["a"], year=2021, quarter=2, acting_user=None)
    ceremony(plan)
    page = open_page(city["users"]["city_admin"], "pw-city_admin", viewport=PHONE)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/planning/")
    scroller = page.locator("main .table-responsive").first
    widths = scroller.evaluate("s => [s.scrollWidth, s.clientWidth]")
    assert widths[0] <= widths[1], widths
    strata = page.locator("main .table-responsive tbody tr").first.locator("td.small > span")
    assert strata.count() >= 3
    right = scroller.evaluate("s => s.getBoundingClientRect().right")
    for n in range(strata.count()):  # each stratum whole, on its own line, within the list
        box = strata.nth(n).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= right, box
        assert strata.nth(n).evaluate("s => s.getClientRects().length") == 1
    tops = {round(strata.nth(n).bounding_box()["y"]) for n in range(strata.count())}
    assert len(tops) == strata.count(), tops
    # a piece longer than the line (a cross-department plan's "Cross-department joint check (targets drawn on the
    # platform) 4 (4)") wraps within the list instead of widening it
    strata.first.evaluate("s => s.prepend('跨部门联合抽查（协同监管平台抽取的对象）Cross-department joint check "
                          "(targets drawn on the platform) ')")
    widths = scroller.evaluate("s => [s.scrollWidth, s.clientWidth]")
    assert widths[0] <= widths[1], widths


UNDER_44 = """() => [...document.querySelectorAll("main .nav-pills .nav-link, main .nav-tabs .nav-link, "
                                                 + "main .btn-sm, main .form-control-sm, main .form-select-sm")]
    .map(e => [e.textContent.trim().slice(0, 12) || e.name, e.getBoundingClientRect()])
    .filter(([, r]) => r.width > 0 && r.height < 44).map(([name, r]) => `${name} ${Math.round(r.height)}`)"""


@pytest.mark.parametrize("path", ["/intake/penalties/", "/registry/targets/", "/planning/tasks/", "/disclosure/"])
def test_sub_menus_small_buttons_and_fields_are_a_thumbs_size_on_a_touch_phone(open_page, users, live_server, path):
    """A page's sub-menu (37 px), its 导出Excel/导入/新增/筛选 buttons and its filter fields (31 px) were under the
    44 px a thumb needs; the 更多 menu's entries 32 px. On a desk with a mouse they keep their size."""
    page = open_page(users["city_admin"], "pw-city_admin", PHONE, has_touch=True)
    page.goto(f"{live_server.url}{path}")
    assert page.locator("main .nav-link, main .btn-sm").count() > 0
    assert page.evaluate(UNDER_44) == []
    open_phone_menu(page)
    page.click("#mainnav .nav-item.dropdown .dropdown-toggle")
    entries = page.locator("#mainnav .dropdown-menu.show .dropdown-item")
    entries.first.wait_for()
    assert all(entries.nth(n).bounding_box()["height"] >= 40 for n in range(entries.count()))


def test_a_desk_keeps_its_small_buttons(open_page, users, live_server):
    page = open_page(users["city_admin"], "pw-city_admin", {"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/intake/penalties/")
    assert page.locator("main .btn-sm").first.bounding_box()["height"] < 40
    assert page.locator("main .intake-subnav .nav-link").first.bounding_box()["height"] < 40
