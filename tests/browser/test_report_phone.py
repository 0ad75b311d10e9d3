# ruff: noqa: F811 (fixtures of the fieldwork tests, imported by name, are parameters here)
"""报送材料 on a county's and a leader's phone (390 px): both preview tables stack, as the other lists do, instead of
scrolling sideways; on a desk they stay tables."""

import pytest
from django.utils import timezone

from shuangsuiji.fieldwork import services as fieldwork
from tests.fieldwork.conftest import items, submitted, target, task, team  # noqa: F401

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LABEL = "c => getComputedStyle(c, '::before').content"


def fits_the_phone(page) -> None:
    """Nothing scrolls sideways: neither the page nor the table's own scrolling box."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    widths = page.locator("#report-card .table-responsive").evaluate("s => [s.scrollWidth, s.clientWidth]")
    assert widths[0] <= widths[1], widths


def within_the_screen(cell) -> None:
    box = cell.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("role", ["county_admin", "leader"])
def test_the_monthly_detail_stacks_on_a_phone(open_page, live_server, users, task, role, language):
    """Ten columns scrolled sideways on a phone (检查结果, 记录编号 out of sight). Each inspection is a block now:
    its number and name at the head, then "label: value" lines, each within the screen."""
    record = submitted(task, users["inspector"])
    fieldwork.do_review_record(record, passed=True, acting_user=users["county_admin"])
    ended = timezone.localdate(record.ended_at)
    page = open_page(users[role], f"pw-{role}", viewport=PHONE)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/disclosure/reports/?kind=monthly_detail&year={ended.year}&month={ended.month}"
              f"&jurisdiction={task.target.jurisdiction.code}")
    fits_the_phone(page)
    row = page.locator("#report-rows tbody tr").first
    name = row.locator("td.app-report-head")
    assert task.target.name in name.inner_text()
    within_the_screen(name)
    outcome = row.locator("td[data-label]").nth(5)
    assert ("检查结果" if language == "zh-hans" else "Outcome") in outcome.evaluate(LABEL)
    assert outcome.inner_text().strip()
    within_the_screen(outcome)
    number = row.locator("td[data-label]").nth(6)
    record.refresh_from_db()
    assert number.inner_text().strip() == record.number  # the record's number, which was out of sight
    within_the_screen(number)
    page.set_viewport_size({"width": 1280, "height": 900})  # a desk keeps the table, its headings whole
    assert page.locator("#report-rows thead").is_visible()
    assert outcome.evaluate("c => getComputedStyle(c).display") == "table-cell"
    if language == "zh-hans":
        heading = page.locator("#report-rows thead").bounding_box()
        assert heading is not None and heading["height"] < 60, heading


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_quarterly_status_stacks_on_a_phone(open_page, live_server, users, task, language):
    """Nineteen columns scrolled sideways on a phone. Each place is a block now: a stratum's three counts on one
    line beside its name, then each other figure on a line of its own."""
    page = open_page(users["county_admin"], "pw-county_admin", PHONE)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/disclosure/reports/?kind=quarterly_status&year={task.year}&quarter={task.quarter}")
    fits_the_phone(page)
    row = page.locator("#report-rows tbody tr").first
    assert row.locator("th").inner_text().strip() == task.target.jurisdiction.name
    key = row.locator("td.app-phone-only").first
    assert ("重点排污单位" if language == "zh-hans" else "Key unit") in key.evaluate(LABEL)
    words = ("最低数", "抽取", "已检查") if language == "zh-hans" else ("Minimum", "Draw", "Inspected")
    assert all(word in key.inner_text() for word in words), key.inner_text()
    within_the_screen(key)
    assert row.locator("td.app-desk-only").first.is_hidden()
    cross = row.locator("td[data-label]").last
    assert ("跨部门联合抽查" if language == "zh-hans" else "Cross-department") in cross.evaluate(LABEL)
    within_the_screen(cross)
    page.set_viewport_size({"width": 1280, "height": 900})  # a desk keeps its two rows of headings, one line each
    assert key.is_hidden() and row.locator("td.app-desk-only").first.is_visible()
    if language == "zh-hans":
        heading = page.locator("#report-rows thead").bounding_box()
        assert heading is not None and heading["height"] <= 70, heading
