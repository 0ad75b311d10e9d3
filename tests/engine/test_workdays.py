"""Working days and deadlines, checked against the State Council's 2021 notice itself.

The expected days are transcribed from 《国务院办公厅关于2021年部分节假日安排的通知》(2020-11-25), as
published (e.g. crainternational.com.cn/infor/view?id=5299, quoting 人民网-人民日报), not taken from the
chinese_calendar package, so these tests would catch a package that got 2021 wrong.
"""

import argparse
import json
import tomllib
from datetime import date, datetime, timedelta

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shuangsuiji.engine import policy as policy_module
from shuangsuiji.engine.workdays import (
    CalendarUnknownError,
    WorkCalendar,
    add_cli,
    next_quarter,
    previous_quarter,
    quarter_end,
    quarter_of,
    quarter_start,
)


def days(start: str, end: str) -> set[date]:
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    return {first + timedelta(n) for n in range((last - first).days + 1)}


# 一、元旦 1月1日至3日；二、春节 2月11日至17日；三、清明节 4月3日至5日；四、劳动节 5月1日至5日；
# 五、端午节 6月12日至14日；六、中秋节 9月19日至21日；七、国庆节 10月1日至7日。
NOTICE_2021_REST = (
    days("2021-01-01", "2021-01-03")
    | days("2021-02-11", "2021-02-17")
    | days("2021-04-03", "2021-04-05")
    | days("2021-05-01", "2021-05-05")
    | days("2021-06-12", "2021-06-14")
    | days("2021-09-19", "2021-09-21")
    | days("2021-10-01", "2021-10-07")
)
# 2月7日（星期日）、2月20日（星期六）、4月25日（星期日）、5月8日（星期六）、9月18日（星期六）、
# 9月26日（星期日）、10月9日（星期六）上班。
NOTICE_2021_WORKING_WEEKENDS = {
    date(2021, 2, 7): 6,
    date(2021, 2, 20): 5,
    date(2021, 4, 25): 6,
    date(2021, 5, 8): 5,
    date(2021, 9, 18): 5,
    date(2021, 9, 26): 6,
    date(2021, 10, 9): 5,
}

CALENDAR = WorkCalendar()
BAODING = policy_module.load(policy_module.POLICY_DIR / "baoding-2021.toml")


def variant(**rule_changes: dict) -> policy_module.Policy:
    data = tomllib.loads((policy_module.POLICY_DIR / "baoding-2021.toml").read_text(encoding="utf-8"))
    for rule, values in rule_changes.items():
        data["rules"][rule].update(values)
    return policy_module.from_data(data)


def test_notice_weekdays_are_as_the_notice_says():
    for day, weekday in NOTICE_2021_WORKING_WEEKENDS.items():
        assert day.weekday() == weekday


def test_every_day_of_2021_matches_the_notice():
    wrong = []
    for day in days("2021-01-01", "2021-12-31"):
        expected = day in NOTICE_2021_WORKING_WEEKENDS or (day.weekday() < 5 and day not in NOTICE_2021_REST)
        if CALENDAR.is_workday(day) != expected:
            wrong.append(day)
    assert wrong == []


def test_every_day_the_package_knows_is_read_as_the_package_reads_it():
    """The calendar reads the package's tables itself (its is_workday rescans every holiday per call); for every
    day of every year the package covers, and for a datetime on that day, the answer is the package's own."""
    first, last = min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year
    wrong = [day for day in days(f"{first}-01-01", f"{last}-12-31")
             if CALENDAR.is_workday(day) != chinese_calendar.is_workday(day)
             or CALENDAR.is_workday(datetime(day.year, day.month, day.day, 23)) != chinese_calendar.is_workday(day)]
    assert wrong == []


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2021-09-17", 1, "2021-09-18"),  # Saturday 9/18 is a 调休 working day
        ("2021-09-18", 1, "2021-09-22"),  # Mid-Autumn 9/19–9/21 off
        ("2021-09-24", 1, "2021-09-26"),  # Saturday 9/25 rests, Sunday 9/26 works
        ("2021-09-30", 1, "2021-10-08"),  # National Day 10/1–10/7 off
        ("2021-09-30", 2, "2021-10-09"),  # Saturday 10/9 works
        ("2021-09-30", 3, "2021-10-11"),
        ("2021-10-08", -1, "2021-09-30"),
        ("2021-10-04", -1, "2021-09-30"),  # counting back from inside the holiday
        ("2021-09-27", -1, "2021-09-26"),
        ("2021-09-22", -2, "2021-09-17"),
        ("2021-02-10", 1, "2021-02-18"),  # Spring Festival
        ("2021-02-05", 1, "2021-02-07"),  # Sunday 2/7 works
        ("2021-10-01", 0, "2021-10-01"),  # zero working days after a date is the date itself
    ],
)
def test_add_workdays_across_2021_holidays(start, n, expected):
    assert CALENDAR.add_workdays(date.fromisoformat(start), n) == date.fromisoformat(expected)


@given(st.dates(min_value=date(2005, 1, 1), max_value=date(2025, 6, 30)), st.integers(min_value=-200, max_value=200))
def test_add_workdays_counts_exactly_n_working_days(start, n):
    end = CALENDAR.add_workdays(start, n)
    if n == 0:
        assert end == start
        return
    assert CALENDAR.is_workday(end)
    low, high = sorted((start, end))
    between = [low + timedelta(k) for k in range(1, (high - low).days + 1)]
    if n < 0:  # counting back: the start is excluded, the end included
        between = [low + timedelta(k) for k in range((high - low).days)]
    assert sum(CALENDAR.is_workday(day) for day in between) == abs(n)
    if CALENDAR.is_workday(start):
        assert CALENDAR.add_workdays(end, -n) == start


def test_last_workdays_of_a_quarter_include_a_working_sunday():
    assert CALENDAR.last_workdays_of_quarter(2021, 3, 5) == tuple(date(2021, 9, d) for d in (26, 27, 28, 29, 30))
    assert CALENDAR.last_workdays_of_quarter(2021, 1, 5) == tuple(date(2021, 3, d) for d in (25, 26, 29, 30, 31))
    with pytest.raises(ValueError, match="季度"):
        CALENDAR.last_workdays_of_quarter(2021, 5, 5)


def test_draw_window_is_in_the_quarter_before_the_planned_one():
    assert BAODING.draw_window.workdays == 5
    assert CALENDAR.draw_window(BAODING, 2021, 4) == tuple(date(2021, 9, d) for d in (26, 27, 28, 29, 30))
    assert CALENDAR.draw_window(BAODING, 2021, 3) == tuple(date(2021, 6, d) for d in (24, 25, 28, 29, 30))
    assert CALENDAR.draw_window(BAODING, 2022, 1) == tuple(date(2021, 12, d) for d in (27, 28, 29, 30, 31))
    three_days = variant(draw_window={"workdays": 3})
    assert CALENDAR.draw_window(three_days, 2021, 4) == tuple(date(2021, 9, d) for d in (28, 29, 30))
    assert previous_quarter(2021, 1) == (2020, 4)


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)))
def test_a_day_lies_within_its_quarter_and_quarters_follow_each_other(day):
    year, quarter = day.year, quarter_of(day)
    first, last = quarter_start(year, quarter), quarter_end(year, quarter)
    assert first <= day <= last
    assert first.day == 1 and first.month == 3 * quarter - 2
    # The day after a quarter's last is the next quarter's first, and back again.
    assert quarter_start(*next_quarter(year, quarter)) == last + timedelta(days=1)
    assert previous_quarter(*next_quarter(year, quarter)) == (year, quarter)
    assert quarter_end(*previous_quarter(year, quarter)) == first - timedelta(days=1)


@pytest.mark.parametrize("quarter", [0, 5, -1])
def test_a_quarter_outside_one_to_four_is_refused_by_name(quarter):
    for function in (quarter_start, quarter_end, next_quarter, previous_quarter):
        with pytest.raises(ValueError, match=f"季度应为 1–4，实为 {quarter}"):
            function(2021, quarter)


def test_monthly_publication_deadline_counts_ten_working_days_after_month_end():
    # September 2021 ends Thursday 9/30: 10/8, 10/9 (working Saturday), 10/11–15, 10/18, 10/19, 10/20
    assert CALENDAR.monthly_publication_deadline(BAODING, 2021, 9) == date(2021, 10, 20)
    # January 2021 ends Sunday 1/31: 2/1–5, 2/7 (working Sunday), 2/8–10, then the Spring Festival, 2/18
    assert CALENDAR.monthly_publication_deadline(BAODING, 2021, 1) == date(2021, 2, 18)
    # April 2021 ends Friday 4/30: Labour Day 5/1–5 off, 5/6, 5/7, 5/8 (working Saturday), 5/10–14, 5/17, 5/18
    assert CALENDAR.monthly_publication_deadline(BAODING, 2021, 4) == date(2021, 5, 18)
    # from Friday 9/17: 9/18, 9/22–24, 9/26–30 are nine, the tenth is after National Day
    assert CALENDAR.publication_deadline(BAODING, date(2021, 9, 17)) == date(2021, 10, 8)
    five = variant(monthly_publication={"workdays": 5})
    assert CALENDAR.monthly_publication_deadline(five, 2021, 9) == date(2021, 10, 13)


def test_reporting_deadlines_of_2021_follow_the_policy_dates():
    deadlines = CALENDAR.reporting_deadlines(BAODING, 2021)
    by_kind: dict[str, list] = {}
    for deadline in deadlines:
        by_kind.setdefault(deadline.kind, []).append(deadline)
    assert [d.due for d in by_kind["quarterly_status"]] == [
        date(2021, 4, 10),
        date(2021, 7, 5),
        date(2021, 10, 11),
        date(2021, 12, 25),
    ]
    assert [d.due for d in by_kind["registry_adjustment"]] == [date(2021, m, 20) for m in (3, 6, 9, 12)]
    monthly = {d.period: d.due for d in by_kind["monthly_detail"]}
    assert monthly["2021-03"] == date(2021, 4, 5)  # a holiday, but the document gives a calendar date
    assert monthly["2021-12"] == date(2022, 1, 5)
    assert len(monthly) == 12
    assert [d.due for d in by_kind["annual_list"]] == [date(2021, 1, 31)]
    assert [d.due for d in deadlines] == sorted(d.due for d in deadlines)
    assert by_kind["quarterly_status"][0].citation == "实施方案 四(三)"
    assert "第1季度" in by_kind["quarterly_status"][0].description


def test_reporting_deadlines_can_move_to_the_next_working_day():
    shifted = variant(reporting_calendar={"shift_to_workday": True})
    deadlines = {(d.kind, d.period): d.due for d in CALENDAR.reporting_deadlines(shifted, 2021)}
    assert deadlines[("monthly_detail", "2021-03")] == date(2021, 4, 6)  # 4/5 清明 → 4/6
    assert deadlines[("quarterly_status", "2021Q1")] == date(2021, 4, 12)  # Saturday 4/10 → Monday
    assert deadlines[("quarterly_status", "2021Q3")] == date(2021, 10, 11)  # already a working Monday
    assert deadlines[("annual_list", "2021")] == date(2021, 2, 1)  # Sunday 1/31 → Monday


def test_a_deadline_the_calendar_cannot_count_yet_leaves_the_others_of_the_year(monkeypatch):
    """With dates moved to working days, December's detail (due in January) needs the next year's holidays.
    Asked with ``known_only`` — as the pages ask — only that deadline is left out; before, the whole year's
    reports disappeared from December on, the 20 December registry report and the 25 December status with it."""
    from shuangsuiji.engine import workdays

    monkeypatch.setattr(workdays, "_PACKAGE_YEARS", range(2004, 2027))  # 2027 unknown, whatever the package knows
    shifted = variant(reporting_calendar={"shift_to_workday": True})
    calendar = WorkCalendar()
    with pytest.raises(CalendarUnknownError):
        calendar.reporting_deadlines(shifted, 2026)
    deadlines = {(d.kind, d.period): d.due for d in calendar.reporting_deadlines(shifted, 2026, known_only=True)}
    assert ("monthly_detail", "2026-12") not in deadlines and len(deadlines) == 1 + 11 + 4 + 4
    assert deadlines[("quarterly_status", "2026Q4")] == date(2026, 12, 25)
    assert deadlines[("registry_adjustment", "2026Q4")] == date(2026, 12, 21)  # Sunday the 20th → Monday
    assert calendar.reporting_deadlines(shifted, 2027, known_only=True) == ()
    # the policy's own calendar dates need no calendar at all
    assert len(calendar.reporting_deadlines(BAODING, 2027, known_only=True)) == 1 + 12 + 4 + 4


def test_unknown_year_raises_never_guesses():
    with pytest.raises(CalendarUnknownError, match="2040年的工作日安排未知"):
        CALENDAR.is_workday(date(2040, 3, 1))
    last_known = max(year for year in range(2000, 2100) if CALENDAR.knows(year))
    with pytest.raises(CalendarUnknownError):
        CALENDAR.add_workdays(date(last_known, 12, 24), 10)


def test_override_table_covers_a_new_year_and_corrects_a_known_one():
    year = max(year for year in range(2000, 2100) if CALENDAR.knows(year)) + 1
    first_monday = next(date(year, 1, d) for d in range(1, 8) if date(year, 1, d).weekday() == 0)
    saturday = first_monday + timedelta(days=5)
    calendar = WorkCalendar({date(year, 1, 1): False, first_monday: False, saturday: True})
    assert calendar.knows(year)
    assert not calendar.is_workday(first_monday)
    assert calendar.is_workday(saturday)
    assert calendar.is_workday(first_monday + timedelta(days=1))
    assert not calendar.is_workday(saturday + timedelta(days=1))
    assert calendar.add_workdays(first_monday, 5) == saturday
    corrected = WorkCalendar({date(2021, 9, 18): False})
    assert not corrected.is_workday(date(2021, 9, 18))
    assert corrected.add_workdays(date(2021, 9, 17), 1) == date(2021, 9, 22)
    assert CALENDAR.is_workday(date(2021, 9, 18))


def run_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    add_cli(parser.add_subparsers())
    args = parser.parse_args(["workdays", *argv])
    return args.func(args)


def test_cli_add_prints_iso_date(capsys):
    assert run_cli("add", "2021-09-30", "1") == 0
    assert capsys.readouterr().out == "2021-10-08\n"
    assert run_cli("add", "2021-10-08", "-1") == 0
    assert capsys.readouterr().out == "2021-09-30\n"
    assert run_cli("add", "2021-09-17", "3") == 0
    assert capsys.readouterr().out == "2021-09-23\n"


def test_cli_unknown_year_fails_and_overrides_file_helps(capsys, tmp_path):
    assert run_cli("add", "2040-03-01", "1") == 2
    assert "2040年的工作日安排未知" in capsys.readouterr().err
    table = tmp_path / "2040.json"
    table.write_text(json.dumps({"2040-03-02": False}), encoding="utf-8")
    assert run_cli("add", "2040-03-01", "1", "--overrides", str(table)) == 0
    assert capsys.readouterr().out == "2040-03-05\n"


@pytest.mark.parametrize(("text", "reason"), [
    ("2021-09-31", "day is out of range for month"),
    ("2021-13-01", "month must be in 1..12"),
    ("2021-9-3", "not of the form YYYY-MM-DD"),
    ("20210903", "not of the form YYYY-MM-DD"),  # fromisoformat's basic form is not what the CLI documents
])
def test_cli_names_a_bad_date_and_why(capsys, text, reason):
    with pytest.raises(SystemExit) as exit:
        run_cli("add", text, "1")
    assert exit.value.code == 2
    assert f"argument DATE: {text!r} is not a date: {reason}" in capsys.readouterr().err


def test_overrides_file_names_its_bad_key(capsys, tmp_path):
    table = tmp_path / "2040.json"
    table.write_text(json.dumps({"2040-02-30": False}), encoding="utf-8")
    assert run_cli("add", "2040-03-01", "1", "--overrides", str(table)) == 2
    assert f"{table}: '2040-02-30' is not a date: day is out of range for month" in capsys.readouterr().err
