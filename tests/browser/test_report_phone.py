# ruff: noqa: F811 (fixtures of the fieldwork tests, imported by name, are parameters here)
"""报送材料 on a leader's phone (390 px): the monthly detail table scrolls sideways, but each enterprise's name
reads on a line or two."""

import pytest
from django.utils import timezone

from shuangsuiji.fieldwork import services as fieldwork
from tests.fieldwork.conftest import items, submitted, target, task, team  # noqa: F401

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_monthly_detail_names_read_on_a_phone(open_page, live_server, users, task):
    """The other columns do not wrap, so the name column was squeezed to one character: a name stood one
    character a line, and the page of a month's 392 inspections was 15,000 px tall."""
    record = submitted(task, users["inspector"])
    fieldwork.do_review_record(record, passed=True, acting_user=users["county_admin"])
    ended = timezone.localdate(record.ended_at)
    page = open_page(users["leader"], "pw-leader", PHONE)
    page.goto(f"{live_server.url}/disclosure/reports/?kind=monthly_detail&year={ended.year}&month={ended.month}"
              f"&jurisdiction={task.target.jurisdiction.code}")
    name = page.locator("#report-rows tbody tr").first.locator("td").nth(1)
    assert task.target.name in name.inner_text()
    box = name.bounding_box()
    assert box is not None and box["width"] >= 140 and box["height"] < 80, box
    heading = page.locator("#report-rows thead").bounding_box()
    assert heading is not None and heading["height"] < 60, heading  # headings whole, not a character a line


def test_the_quarterly_status_keeps_its_headings_whole_on_a_phone(open_page, live_server, users, task):
    """抽取已验证, 按期公开（月）… broke after every character on a phone (a 123 px heading)."""
    page = open_page(users["leader"], "pw-leader", PHONE)
    page.goto(f"{live_server.url}/disclosure/reports/?kind=quarterly_status&year={task.year}&quarter={task.quarter}")
    heading = page.locator("#report-rows thead").bounding_box()
    assert heading is not None and heading["height"] <= 70, heading  # two rows of headings, each one line
