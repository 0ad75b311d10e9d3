"""The home page on an inspector's phone (390×844): his tasks are the first thing he sees, overdue in red,
one tap from the task; nothing of the page is wider than the screen."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shuangsuiji.planning.models import MemberRole
from shuangsuiji.registry.models import Inspector, Target
from tests.fieldwork.conftest import code_for, items, make_task, team  # noqa: F401 (fixtures, by name)

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tasks(tree, users):
    first = users["inspector"].inspector
    second = Inspector.objects.create(name="李四", certificate_number="13062300002",
                                      certificate_expiry=timezone.localdate() + timedelta(days=900),
                                      jurisdiction=tree["a"], department=tree["departments"]["130623"])
    made = []
    for serial, (name, days) in enumerate((("涞水县逾期化工厂", -3), ("涞水县本月印染厂", 20)), start=1):
        target = Target.objects.create(credit_code=code_for("130623", serial), name=name, jurisdiction=tree["a"],
                                       address="涞水县经济开发区创业路8号")
        made.append(make_task(target, [], [(first, MemberRole.OFFICER), (second, MemberRole.OFFICER)],
                              deadline=timezone.localdate() + timedelta(days=days)))
    return made


def test_the_inspectors_tasks_are_the_first_thing_on_his_phone(open_page, users, tasks):
    page = open_page(users["inspector"], "pw-inspector", viewport=PHONE)
    card = page.locator("#wb-tasks")
    box = card.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"], box
    links = card.locator("a.wb-item")
    assert links.count() == 2
    overdue = links.nth(0)
    assert "涞水县逾期化工厂" in overdue.inner_text() and "wb-overdue" in overdue.get_attribute("class")
    # counted from the day the page was asked on: the fixture's day was the day before for a run crossing
    # midnight in Beijing while the browser signed in
    assert f"逾期 {(timezone.localdate() - tasks[0].deadline).days} 天" in overdue.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # 我的全部检查任务 is a row a thumb hits, not a 20-px line of small text.
    more = card.locator("a.wb-more").bounding_box()
    assert more is not None and more["height"] >= 44, more
    overdue.click()
    page.wait_for_url(f"**/fieldwork/tasks/{tasks[0].pk}/")


@pytest.mark.parametrize("width", [1200, 1280])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_navigation_bar_fits_a_desktop_screen_in_either_language(open_page, users, live_server, language, width):
    """English words are longer than Chinese ones: the bar once pushed the page to 1,481 px in English, and
    then squeezed "Sign out" and "中文" onto two lines each. From 1,200 px (where the menu expands) links may
    take a second row; the buttons stay whole and on the page."""
    admin = users["city_admin"]
    admin.last_name, admin.first_name = "欧阳", "系统管理员"  # a long name beside the buttons
    admin.save()
    page = open_page(admin, "pw-city_admin", viewport={"width": width, "height": 800})
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/")
    assert page.locator("html").get_attribute("lang") == language
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for button in (page.locator("nav form button[name=language]"), page.locator("nav form[action*=logout] button")):
        box = button.bounding_box()
        assert box is not None and box["x"] + box["width"] <= width and box["height"] < 40  # one line of text


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("role", ["city_admin", "leader"])
def test_the_table_of_counties_stacks_on_a_phone(open_page, users, live_server, role, language):
    """On a 390 px phone the table of counties scrolled sideways (1,100 px wide: 本季度计划 and the counts out of
    sight). It stacks now, as the other lists do: each county a block headed by its name, each line "label: value"
    within the screen. On a desk it stays a table, its Chinese headings whole on one line."""
    page = open_page(users[role], f"pw-{role}", viewport=PHONE)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/")
    scroller = page.locator("#wb-counties .table-responsive")
    assert scroller.evaluate("s => s.scrollWidth <= s.clientWidth"), scroller.evaluate("s => s.scrollWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    row = page.locator("#wb-counties tbody tr").first
    assert row.locator("td.wb-place").inner_text() in ("保定市", "涞水县", "阜平县")
    plan = row.locator("td[data-label]").first
    label = plan.evaluate("c => getComputedStyle(c, '::before').content")
    wanted = "本季度双随机抽查计划" if language == "zh-hans" else "This quarter's regular plan"
    assert wanted in label, label
    box = plan.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    page.set_viewport_size({"width": 1280, "height": 900})
    assert page.locator("#wb-counties thead").is_visible()
    assert plan.evaluate("c => getComputedStyle(c).display") == "table-cell"
    if language == "zh-hans":  # English headings take two or three lines of their cells' width
        heading = page.locator("#wb-counties thead").bounding_box()
        assert heading is not None and heading["height"] < 60, heading


def test_a_deadline_waiting_for_next_years_holidays_wraps_on_a_phone(
        open_page, tree, items, team, users, live_server, monkeypatch):  # noqa: F811
    """A record awaiting review whose publication falls in a year with no holidays entered reads "Publish by waits
    for the city office to enter 2027's holidays": kept on one line, it made the county's 工作台 411 px wide on a
    390 px phone in English."""
    from shuangsuiji.engine import workdays
    from tests.accounts.test_workbench import a_task
    from tests.fieldwork.conftest import submitted

    submitted(a_task(tree["a"], [team["first"], team["second"]], items=items), users["inspector"])
    monkeypatch.setattr(workdays, "_PACKAGE_YEARS", range(2004, 2004))  # the calendar knows no year at all
    page = open_page(users["county_admin"], "pw-county_admin", viewport=PHONE)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/")
    assert page.get_by_text("holidays", exact=False).first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.parametrize("role", ["city_admin", "leader"])
def test_the_stacked_counties_links_are_a_thumbs_size_on_a_touch_phone(open_page, users, live_server, tasks, role):
    """Stacked on a phone, a county's links (its plan's 已派发, 1 个计划, each count) were a line of text tall,
    18 to 21 px under a thumb: 44 px now on a touch screen, as the sub-menus' entries are. Nothing is wider than
    the screen; a desk with a mouse keeps its table's rows."""
    page = open_page(users[role], f"pw-{role}", viewport=PHONE, has_touch=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    links = page.locator("#wb-counties td a")
    assert links.count() >= 1
    heights = links.evaluate_all("links => links.map(a => [a.textContent.trim(), a.getBoundingClientRect().height])")
    assert [link for link in heights if link[1] < 44] == [], heights
    assert page.locator("#wb-counties td.wb-place").first.is_visible()
    page.set_viewport_size({"width": 1280, "height": 900})
    assert all(height < 30 for _text, height in links.evaluate_all(
        "links => links.map(a => [a.textContent.trim(), a.getBoundingClientRect().height])"))
