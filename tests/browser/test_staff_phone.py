"""Staff pages on a phone (390×844) in a real headless Chromium: every entry of a page's own sub-menu is on the
screen and can be tapped, and nothing makes the page wider than the screen."""

import pytest

from .conftest import PHONE

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
