"""With the clock in January 2027 and no 2027 holiday table (chinese_calendar 1.11.0 stops at 2026), every page
that would show a deadline counted in 2027's working days says the table is missing and links to where it is
entered (工作日安排), for each role that sees such a deadline — the inspector's phone included — and none crashes
or shows a date counted as if 2027 had no holidays."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.engine import workdays
from shuangsuiji.fieldwork import services
from shuangsuiji.planning import services as planning
from shuangsuiji.planning.models import PlanStatus

from .conftest import submitted

pytestmark = pytest.mark.django_db
JANUARY = timezone.make_aware(datetime.datetime(2027, 1, 11, 10, 0))
LINK = f'{reverse("registry:workdays")}?year=2027'


@pytest.fixture
def january_2027(monkeypatch):
    """The clock on 2027-01-11 and the calendar package as released: it knows 2004–2026."""
    monkeypatch.setattr(workdays, "_PACKAGE_YEARS", range(workdays.package_years()[0], 2027))
    monkeypatch.setattr(timezone, "now", lambda: JANUARY)
    assert timezone.localdate() == datetime.date(2027, 1, 11)


def page(user, url: str, **query) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url, query)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def says_missing(html: str) -> bool:
    return 'data-calendar-missing="2027"' in html and LINK.replace("&", "&amp;") in html


def test_the_phone_and_the_inspector_s_workbench_say_the_2027_table_is_missing(task, users, january_2027):
    """A record returned in review is owed by its result's publication deadline: January's results are due ten
    working days into February 2027, which cannot be counted."""
    record = submitted(task, users["inspector"])
    services.do_review_record(record, passed=False, reason="检查地点不具体", acting_user=users["county_admin"])
    phone = page(users["inspector"], reverse("fieldwork:my_tasks"))
    assert "待市局录入2027年放假安排" in phone and says_missing(phone)
    assert says_missing(page(users["inspector"], "/"))


@pytest.mark.parametrize("role", ["city_admin", "county_admin", "department_user"])
def test_every_staff_workbench_links_to_enter_2027(users, role, january_2027):
    """2027 Q2's draw window (the last working days of 2027 Q1) cannot be dated: the 下季度抽取 section says so to
    those who plan (a leader has no such section; he sees December's results below)."""
    html = page(users[role], "/")
    assert "2027年的放假和调休安排尚未录入" in html and says_missing(html)


@pytest.mark.parametrize("role", ["city_admin", "county_admin", "leader"])
def test_december_s_results_link_to_enter_2027_on_the_overview_and_the_workbench(task, users, role, january_2027,
                                                                           monkeypatch):
    with monkeypatch.context() as december:
        december.setattr(timezone, "now", lambda: JANUARY - datetime.timedelta(days=25))  # a visit of 17 December
        record = submitted(task, users["inspector"])
    services.do_review_record(record, passed=True, acting_user=users["county_admin"])
    html = page(users[role], reverse("disclosure:overview"), year=2026, jurisdiction=task.target.jurisdiction.code)
    assert "待录入放假安排" in html and says_missing(html)
    # the workbench's 月度结果公开 lists December's results, due in January: said and linked there too
    html = page(users[role], "/")
    assert "待市局录入2027年放假安排" in html and says_missing(html)


def test_a_2027_q2_plan_page_links_to_enter_2027(tree, users, items, team, january_2027):
    plan = planning.do_create_plan(jurisdiction=tree["a"], year=2027, quarter=2, acting_user=users["county_admin"])
    assert plan.status == PlanStatus.DRAFT
    for role in ("county_admin", "city_admin", "leader"):
        assert says_missing(page(users[role], plan.get_absolute_url())), role
