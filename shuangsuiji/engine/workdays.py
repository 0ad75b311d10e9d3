"""China's official working-day calendar (工作日) and the deadlines the policy counts in it.

Holidays and 调休 (weekend days declared working days) come from the maintained ``chinese_calendar``
package, which follows the State Council's yearly notice. The package only knows the years published
before its release; for a later year the bureau's administrator transcribes the new notice into an
override table (``Mapping[date, bool]``, True = working day), which the Django shell keeps and passes
in. A year known to neither raises ``CalendarUnknownError``: a deadline guessed from weekdays alone
would be wrong around every holiday, and nobody would notice until a county missed it.

Override table semantics: it lists the exceptions of a year, as the notice does — every holiday or
调休 rest day (False) and every working weekend day (True). A year counts as covered once the table has
any day of it; its unlisted days follow the Monday-to-Friday rule. Overrides also win over the package
for years it knows, so a mistake in the package can be corrected without waiting for a release.

Counting follows 民法典 第二百零一条: "N working days after DATE" does not count DATE itself.
"""

import argparse
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Literal

import chinese_calendar

from shuangsuiji.engine.policy import Policy

_PACKAGE_YEARS = range(
    min(chinese_calendar.holidays).year,
    max(chinese_calendar.holidays).year + 1,
)
_ONE_DAY = timedelta(days=1)
# The package's tables: its holidays and its 调休 working weekends. ``chinese_calendar.is_workday`` reads them
# after checking the day's year against min() and max() of all its holidays — a scan of some 600 dates on every
# call, which made it most of the cost of counting working days (a deadline walks a month of days).
_HOLIDAYS = chinese_calendar.holidays
_SHIFTED_WORKDAYS = chinese_calendar.workdays


class CalendarUnknownError(LookupError):
    """The working-day calendar of a year is not known: neither the package nor the overrides cover it."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(
            f"{year}年的工作日安排未知：chinese_calendar 只收录 {_PACKAGE_YEARS.start}–{_PACKAGE_YEARS.stop - 1} 年。"
            f"请按国务院办公厅关于{year}年部分节假日安排的通知，在工作日调整表中录入该年的放假日和调休上班日。"
        )


def package_years() -> tuple[int, int]:
    """The first and last year the calendar package knows."""
    return _PACKAGE_YEARS.start, _PACKAGE_YEARS.stop - 1


def years_needed(today: date) -> list[int]:
    """The years whose calendar the coming months need: this one, and the next once its last quarter has
    begun (December's results are due in January, and the next year's reports and draws follow)."""
    return [today.year, today.year + 1] if today.month >= 10 else [today.year]


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def _quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"季度应为 1–4，实为 {quarter}")
    first = date(year, 3 * quarter - 2, 1)
    last = date(year + 1, 1, 1) - _ONE_DAY if quarter == 4 else date(year, 3 * quarter + 1, 1) - _ONE_DAY
    return first, last


def _month_end(year: int, month: int) -> date:
    return date(year + 1, 1, 1) - _ONE_DAY if month == 12 else date(year, month + 1, 1) - _ONE_DAY


def quarter_start(year: int, quarter: int) -> date:
    return _quarter_bounds(year, quarter)[0]


def quarter_end(year: int, quarter: int) -> date:
    return _quarter_bounds(year, quarter)[1]


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    _quarter_bounds(year, quarter)
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)


def next_quarter(year: int, quarter: int) -> tuple[int, int]:
    _quarter_bounds(year, quarter)
    return (year + 1, 1) if quarter == 4 else (year, quarter + 1)


DeadlineKind = Literal["monthly_detail", "quarterly_status", "registry_adjustment", "annual_list"]


@dataclass(frozen=True)
class Deadline:
    kind: DeadlineKind
    period: str
    """What the deadline is about: "2021-03" (a month), "2021Q1" (a quarter) or "2021" (a year)."""
    due: date
    description: str
    citation: str


class WorkCalendar:
    """The official calendar plus the administrator's override table; immutable once built."""

    def __init__(self, overrides: Mapping[date, bool] | None = None) -> None:
        self._overrides = MappingProxyType(dict(overrides or {}))
        self._override_years = frozenset(day.year for day in self._overrides)

    @property
    def overrides(self) -> Mapping[date, bool]:
        return self._overrides

    def knows(self, year: int) -> bool:
        return year in _PACKAGE_YEARS or year in self._override_years

    def is_workday(self, day: date) -> bool:
        if day in self._overrides:
            return self._overrides[day]
        if day.year in _PACKAGE_YEARS:
            if type(day) is not date:
                day = date(day.year, day.month, day.day)  # a datetime: the tables are keyed by date
            # the package's own rule, as chinese_calendar.is_workday applies it
            return day in _SHIFTED_WORKDAYS or (day.weekday() < 5 and day not in _HOLIDAYS)
        if day.year in self._override_years:
            return day.weekday() < 5
        raise CalendarUnknownError(day.year)

    def add_workdays(self, day: date, n: int) -> date:
        """The N-th working day after ``day`` (not counting ``day``); n < 0 counts backwards; n = 0 is ``day``."""
        step = _ONE_DAY if n > 0 else -_ONE_DAY
        remaining = abs(n)
        while remaining:
            day += step
            if self.is_workday(day):
                remaining -= 1
        return day

    def earliest_add_workdays(self, day: date, n: int) -> date:
        """The earliest ``add_workdays(day, n)`` (n ≥ 0) can turn out to be: a day of a year the calendar does not
        know counts as a working day, since the State Council's notice may make any day one (a weekend by 调休).
        Once that year is entered the real day is this one or later, so a reminder dated before it is never late."""
        if n < 0:
            raise ValueError(f"工作日数应不小于 0，实为 {n}")
        remaining = n
        while remaining:
            day += _ONE_DAY
            if not self.knows(day.year) or self.is_workday(day):
                remaining -= 1
        return day

    def next_workday(self, day: date) -> date:
        """``day`` if it is a working day, else the first working day after it."""
        while not self.is_workday(day):
            day += _ONE_DAY
        return day

    def last_workdays_of_quarter(self, year: int, quarter: int, n: int) -> tuple[date, ...]:
        """The last ``n`` working days of the quarter, earliest first."""
        if n < 1:
            raise ValueError(f"工作日数应不小于 1，实为 {n}")
        first, day = _quarter_bounds(year, quarter)
        found: list[date] = []
        while len(found) < n and day >= first:
            if self.is_workday(day):
                found.append(day)
            day -= _ONE_DAY
        return tuple(reversed(found))

    def draw_window(self, policy: Policy, year: int, quarter: int) -> tuple[date, ...]:
        """The working days on which the draw for the *planned* quarter (year, quarter) may take place:
        the last N working days of the quarter before it (实施方案 二(四): 每季度结束前 5 个工作日内)."""
        return self.last_workdays_of_quarter(*previous_quarter(year, quarter), policy.draw_window.workdays)

    def publication_deadline(self, policy: Policy, inspections_ended: date) -> date:
        """Last day to publish results: N working days after the day the inspections ended."""
        return self.add_workdays(inspections_ended, policy.monthly_publication.workdays)

    def monthly_publication_deadline(self, policy: Policy, year: int, month: int) -> date:
        """Last day to publish a month's results, counting from the month's last day."""
        return self.publication_deadline(policy, _month_end(year, month))

    def reporting_deadlines(self, policy: Policy, year: int, *, known_only: bool = False) -> tuple[Deadline, ...]:
        """Every report due to the city for the periods of ``year``, in date order.

        The policy's dates are calendar dates; only if it says so (``shift_to_workday``) does a date that
        falls on a rest day move to the next working day, and only then is the calendar consulted. With
        ``known_only`` a deadline in a year the calendar does not know is left out instead of raising
        ``CalendarUnknownError``: December's detail is due in January, and until the next year's holidays are
        entered it alone is unknown, not the year's other reports.
        """
        calendar = policy.reporting_calendar
        upkeep = policy.registry_upkeep
        annual = policy.annual_list

        deadlines: list[Deadline] = []

        def add(kind: DeadlineKind, period: str, day: date, description: str, citation: str) -> None:
            if calendar.shift_to_workday:
                try:
                    day = self.next_workday(day)
                except CalendarUnknownError:
                    if not known_only:
                        raise
                    return
            deadlines.append(Deadline(kind, period, day, description, citation))

        add("annual_list", str(year), annual.due.in_year(year), f"公开{year}年列入随机抽查日常监管的污染源名单",
            annual.citation)
        for month in range(1, 13):
            report_year, report_month = (year + 1, 1) if month == 12 else (year, month + 1)
            add("monthly_detail", f"{year}-{month:02d}", date(report_year, report_month, calendar.monthly_detail_day),
                f"报送{year}年{month}月“双随机、一公开”情况明细表", calendar.citation)
        for quarter, day in enumerate(calendar.quarterly_status_due, start=1):
            add("quarterly_status", f"{year}Q{quarter}", day.in_year(year),
                f"报送{year}年第{quarter}季度“双随机、一公开”监管工作落实情况", calendar.citation)
        for day in upkeep.adjustment_due:
            quarter = quarter_of(day.in_year(year))
            add("registry_adjustment", f"{year}Q{quarter}", day.in_year(year),
                f"报送{year}年第{quarter}季度需调整的检查人员库和检查对象名录库信息", upkeep.citation)
        return tuple(sorted(deadlines, key=lambda deadline: (deadline.due, deadline.kind)))


def load_overrides(path: str | Path) -> dict[date, bool]:
    """An override table from JSON: {"2027-01-01": false, "2027-02-07": true, ...}."""
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(raw, dict) or not all(isinstance(value, bool) for value in raw.values()):
        raise ValueError(f'{path}: 应为 {{"YYYY-MM-DD": true/false}} 形式的 JSON 对象')
    table = {}
    for key, value in raw.items():
        try:
            table[iso_date(key)] = value
        except ValueError as error:
            raise ValueError(f"{path}: {error}") from None
    return table


def iso_date(text: str) -> date:
    """A calendar date written YYYY-MM-DD, or a ValueError that says which text is not one and why."""
    try:
        if len(text) != 10:
            raise ValueError("not of the form YYYY-MM-DD")
        return date.fromisoformat(text)
    except ValueError as error:
        # fromisoformat says "Invalid isoformat string" for the shape and names the field for a bad month or day
        reason = "not of the form YYYY-MM-DD" if str(error).startswith("Invalid isoformat") else str(error)
        raise ValueError(f"{text!r} is not a date: {reason}") from None


def _date_argument(text: str) -> date:
    try:
        return iso_date(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _run_add(args: argparse.Namespace) -> int:
    try:
        calendar = WorkCalendar(load_overrides(args.overrides) if args.overrides else None)
        print(calendar.add_workdays(args.date, args.n).isoformat())
    except (CalendarUnknownError, ValueError, OSError) as error:
        print(f"workdays: {error}", file=sys.stderr)
        return 2
    except OverflowError:  # stepping past 9999-12-31 (or before 0001-01-01): no such date exists
        print(f"workdays: {args.n} working days from {args.date.isoformat()} is out of range: dates run from "
              f"{date.min.isoformat()} to {date.max.isoformat()}", file=sys.stderr)
        return 2
    return 0


def add_cli(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("workdays", help="China's official working-day calendar")
    commands = parser.add_subparsers(dest="workdays_command", required=True)
    add = commands.add_parser(
        "add",
        help="print the date N working days after DATE (not counting DATE; N < 0: before)",
        description="Print the ISO date N working days after DATE, not counting DATE itself; N < 0 counts back.",
    )
    add.add_argument("date", type=_date_argument, metavar="DATE", help="YYYY-MM-DD")
    add.add_argument("n", type=int, metavar="N")
    add.add_argument(
        "--overrides",
        metavar="FILE",
        help='JSON table for years the package does not know: {"YYYY-MM-DD": true|false}, true = working day',
    )
    add.set_defaults(func=_run_add)
