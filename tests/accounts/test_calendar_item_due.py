"""The workbench's 工作日安排: next year's holidays are needed by the first deadline counted in its working days.

The item was due on 12-31 and overdue from 1 January, but nothing needs next year's table until a deadline counted
in its working days: December's results deadline, ten working days after the month (附件 二(四)), in January. Its
real day cannot be counted before the table is in, so the item is due the day before the earliest it can fall
(every day of the unknown year taken as a possible working day), and says which deadline that is."""

import dataclasses
import datetime

import pytest

from shuangsuiji.accounts import workbench
from shuangsuiji.engine import workdays
from shuangsuiji.engine.workdays import WorkCalendar
from shuangsuiji.intake.services import policy_for

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def unknown_2027(monkeypatch):
    """A calendar that knows up to 2026 and not 2027, whatever the package's release."""
    monkeypatch.setattr(workdays, "_PACKAGE_YEARS", range(2004, 2027))


def test_counting_into_an_unknown_year_takes_each_of_its_days_as_a_possible_working_day(unknown_2027):
    calendar = WorkCalendar()
    # known days count as the calendar says: 2026-12-31 is a Thursday, 2027 unknown from there on
    assert calendar.earliest_add_workdays(D(2026, 12, 30), 1) == D(2026, 12, 31)
    assert calendar.earliest_add_workdays(D(2026, 12, 31), 10) == D(2027, 1, 10)
    # a weekend of the known year is skipped (2026-12-26/27 are Saturday and Sunday)
    assert calendar.earliest_add_workdays(D(2026, 12, 25), 1) == D(2026, 12, 28)
    with pytest.raises(workdays.CalendarUnknownError):
        calendar.add_workdays(D(2026, 12, 31), 10)


def calendar_item(user, day: datetime.date) -> workbench.Item:
    [item] = workbench.calendar_years(user, day).items
    return item


def test_next_years_holidays_are_due_the_day_before_decembers_results_deadline_can_fall(unknown_2027, users):
    december = calendar_item(users["city_admin"], D(2026, 12, 3))
    assert december.title == "录入2027年放假和调休安排"
    assert december.due == D(2027, 1, 9) and not december.overdue
    assert "2026年12月抽查结果的公开期限（当月结束后 10 个工作日）" in december.note
    assert "最早在 2027-01-10" in december.note
    # not overdue on 1 January (it was, with the constant 12-31), overdue once the day is past
    assert not calendar_item(users["city_admin"], D(2027, 1, 5)).overdue
    assert calendar_item(users["city_admin"], D(2027, 1, 10)).overdue
    assert workbench.calendar_years(users["county_admin"], D(2026, 12, 3)).items == []


def test_the_day_follows_the_policys_count_of_working_days(unknown_2027, users, monkeypatch):
    """Computed, not a constant: with 25 working days to publish, November's deadline already runs into 2027."""

    def longer(year: int, quarter: int):
        policy = policy_for(year, quarter)
        return dataclasses.replace(policy, monthly_publication=dataclasses.replace(policy.monthly_publication,
                                                                                   workdays=25))

    monkeypatch.setattr(workbench, "policy_for", longer)
    item = calendar_item(users["city_admin"], D(2026, 11, 3))
    # December 2026 has 23 working days (no holiday in it): two more are counted in 2027
    assert sum(WorkCalendar().is_workday(D(2026, 12, d)) for d in range(1, 32)) == 23
    assert item.due == D(2027, 1, 1) and "2026年11月抽查结果的公开期限" in item.note


def test_a_policy_that_moves_reports_off_rest_days_needs_the_year_by_its_first_report(unknown_2027, users,
                                                                                      monkeypatch):
    """December's detail sheet is due 5 January; moved off a rest day it needs 2027's calendar, earlier than
    December's results."""

    def shifting(year: int, quarter: int):
        policy = policy_for(year, quarter)
        return dataclasses.replace(policy, reporting_calendar=dataclasses.replace(policy.reporting_calendar,
                                                                                  shift_to_workday=True))

    monkeypatch.setattr(workbench, "policy_for", shifting)
    item = calendar_item(users["city_admin"], D(2026, 12, 3))
    assert item.due == D(2027, 1, 4) and "报送2026年12月" in item.note and "最早在 2027-01-05" in item.note


def test_a_county_admins_workbench_does_not_list_the_missing_year_as_nothing_to_do(unknown_2027, users):
    """Only the city office enters next year's holidays. A county admin's workbench said "目前没有待办：工作日安排"
    while 2027 was still missing (and, on the same page, 待审核的检查记录 said so): the section is the city's."""
    county = workbench.for_user(users["county_admin"], D(2026, 12, 3))
    assert "calendar" not in {section.key for section in county.sections}
    assert "工作日安排" not in {str(section.title) for section in county.idle}
    city = workbench.for_user(users["city_admin"], D(2026, 12, 3))
    [calendar] = [section for section in city.sections if section.key == "calendar"]
    assert [item.title for item in calendar.items.items] == ["录入2027年放假和调休安排"]
