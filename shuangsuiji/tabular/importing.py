"""Whole-file checked imports: columns, cell parsers, problems by row and column, templates, plans.

Each kind of record has an ``Importer`` with its columns (Chinese headers, whether required, how a cell is
read, an example). Importing reads the whole file and collects every problem with its row and column;
only a file without a single problem becomes a ``Plan`` (rows to create, rows to update with their
changes, entries to remove), which the importing app's service stores in one transaction — nothing is
ever half-imported.
"""

import calendar
import functools
import io
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from shuangsuiji.engine import creditcode
from shuangsuiji.punctuation import join_sep
from shuangsuiji.systemtext import system_text
from shuangsuiji.tabular.reader import SheetError, read_rows
from shuangsuiji.validators import past_day_problem

MAX_ERRORS = 2000
"""Errors kept for the report; a file with more (a wrong template, a shifted column) says how many."""
HEADER_SEARCH = 10
"""Rows with anything in them searched for the header row (titles and notes above the table)."""
NOTE_HEADER = "错误说明"
"""The column ``annotate`` adds to a rejected file's rows; a fixed file uploaded again still has it."""


# --- cells ------------------------------------------------------------------------------------------------


class CellProblem(ValueError):
    """A cell that cannot be read; the message says what it should look like."""


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _blank(value: Any) -> bool:
    return value is None or (type(value) is str and not value.strip())


def text(max_length: int) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        result = _text(value)
        if len(result) > max_length:
            raise CellProblem(_("不能超过%(n)s个字（实为%(m)s个）") % {"n": max_length, "m": len(result)})
        return result

    return parse


def credit_code(value: Any) -> str:
    code = creditcode.normalize(_text(value))
    problem = creditcode.validate(code)
    if problem:
        raise CellProblem(system_text(problem))
    return code


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
_DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
                     "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H时", "%Y年%m月%d日 %H:%M",
                     "%Y年%m月%d日%H:%M", "%Y年%m月%d日%H时", "%Y年%m月%d日 %H时")


def _typed(value: Any) -> str:
    """A cell as a clerk typed it, in the spelling the parsers read: full-width digits and marks as ASCII
    (NFKC: "２０２１年３月５日", "１，０００"), and no blanks inside a date ("2021 年 3 月 5 日")."""
    raw = unicodedata.normalize("NFKC", _text(value))
    return re.sub(r"\s+([日时])", r"\1", re.sub(r"\s*([年月/.\-:])\s*", r"\1", raw))


def day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = _typed(value)
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    # A date cell pasted as text keeps Excel's midnight ("2021-04-01 00:00:00"): the day it shows.
    for fmt in _DATETIME_FORMATS:
        try:
            moment = datetime.strptime(raw, fmt)
        except ValueError:
            continue
        if moment.time() == datetime.min.time():
            return moment.date()
    raise CellProblem(_no_such_day(raw) or _("应为日期，如 2021-04-01"))


# A day, and for a date-and-time cell its time of day, in the spellings of _DATE_FORMATS and _DATETIME_FORMATS.
_DAY_SHAPE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
                        r"(?:[ T]?(\d{1,2})(?:时|:(\d{1,2})(?::(\d{1,2}))?))?")


def _no_such_day(raw: str) -> str:
    """What is wrong with a cell written as a date (or a date and time) that does not exist ("2021-02-30",
    "2021年13月5日", "2021-02-30 08:00", "2021-03-01 25:00"): told only that it "should be a date", the clerk
    looking at a date does not see what to fix. The one reading of date cells and date-and-time cells alike.
    Empty when the cell has another shape or names a real moment (its format is what is wrong)."""
    found = _DAY_SHAPE.fullmatch(raw)
    if found is None:
        return ""
    year_, month, day_ = (int(part) for part in found.groups()[:3])
    if not 1 <= month <= 12:
        return _("没有%(month)s月：月份应为 1 到 12") % {"month": month}
    if not 1 <= day_ <= calendar.monthrange(year_, month)[1]:
        return _("%(year)s年%(month)s月没有%(day)s日") % {"year": year_, "month": month, "day": day_}
    hour, minute, second = (int(part) if part else 0 for part in found.groups()[3:])
    if hour > 23:
        return _("没有%(hour)s时：小时应为 0 到 23") % {"hour": hour}
    if minute > 59 or second > 59:
        return _("分、秒应为 0 到 59")
    return ""


def past_day(value: Any) -> date:
    """A day that has happened (``validators.past_day_problem``): after today or before 1949-10-01 is refused."""
    found = day(value)
    problem = past_day_problem(found)
    if problem:
        raise CellProblem(problem)
    return found


def moment(value: Any) -> datetime:
    return _Moments()(value)


class _Moments:
    """Readings repeat the same hour for every outlet and pollutant; parse each distinct cell once."""

    def __init__(self) -> None:
        self.cache: dict[Any, datetime] = {}
        self.zone = timezone.get_current_timezone()

    def __call__(self, value: Any) -> datetime:
        try:
            return self.cache[value]
        except (KeyError, TypeError):
            pass
        if isinstance(value, datetime):
            naive = value
        else:
            raw = _typed(value)
            for fmt in _DATETIME_FORMATS:
                try:
                    naive = datetime.strptime(raw, fmt)
                    break
                except ValueError:
                    continue
            else:
                raise CellProblem(_no_such_day(raw) or _("应为日期和时刻，如 2021-04-01 13:00"))
        moment = timezone.make_aware(naive.replace(tzinfo=None), self.zone) if naive.tzinfo is None else naive
        self.cache[value] = moment
        return moment


def number(value: Any) -> Decimal:
    raw = unicodedata.normalize("NFKC", _text(value)).replace(",", "")
    try:
        result = Decimal(raw)
    except InvalidOperation:
        raise CellProblem(_("应为数字")) from None
    if not result.is_finite():
        raise CellProblem(_("应为有限的数字"))
    return result


def bounded(max_digits: int, decimal_places: int) -> Callable[[Any], Decimal]:
    """A number that fits a ``DecimalField(max_digits, decimal_places)``: PostgreSQL refuses a larger one when
    the row is written (SQLite keeps it), which would end the import in a server error."""
    whole = max_digits - decimal_places

    def parse(value: Any) -> Decimal:
        result = number(value)
        if abs(result) >= Decimal(10) ** whole:
            raise CellProblem(_("数值过大：整数部分最多 %(digits)s 位") % {"digits": whole})
        return result

    return parse


_AMOUNT = bounded(14, 2)  # intake.Penalty.amount


def amount(value: Any) -> Decimal:
    # "5,000元" as a clerk writes a fine; the column says the unit already
    result = _AMOUNT(value.strip().removesuffix("元") if isinstance(value, str) else value)
    if result < 0 or result != result.quantize(Decimal("0.01")):
        raise CellProblem(_("应为不小于0、最多两位小数的金额（元）"))
    return result


def year(value: Any) -> int:
    raw = unicodedata.normalize("NFKC", _text(value)).removesuffix("年")
    if not re.fullmatch(r"(19|20)\d\d", raw):
        raise CellProblem(_("应为四位年份，如 2021"))
    return int(raw)


_YES = {"是", "属实", "已核实", "y", "yes", "true", "1", "√"}
_NO = {"否", "不属实", "未核实", "n", "no", "false", "0", "×"}


def yes_no(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raw = _text(value).lower()
    if raw in _YES:
        return True
    if raw in _NO:
        return False
    raise CellProblem(_("应填“是”或“否”"))


@functools.cache
def _labels(choices: type[models.Choices], language: str) -> dict[Any, str]:
    return {value: str(label) for value, label in choices.choices}


def label(choices: type[models.Choices], value: Any) -> str:
    """A choice's label in the active language: what ``get_FOO_display`` gives, without its gettext call on
    every cell (an export of 12,000 targets spent a third of its time there)."""
    return _labels(choices, translation.get_language() or settings.LANGUAGE_CODE).get(value, value or "")


def choice(choices: type[models.TextChoices], aliases: dict[str, str] | None = None) -> Callable[[Any], str]:
    # A sheet is written and read in the system's language (templates and exports alike), whoever imports it:
    # the labels accepted, and those the error names, are that language's.
    with translation.override(settings.LANGUAGE_CODE):
        labels = [str(label) for label in choices.labels]
    known = dict(zip(labels, choices.values, strict=True))
    known.update({value: value for value in choices.values})
    known.update(aliases or {})

    def parse(value: Any) -> str:
        raw = _text(value)
        if raw in known:
            return known[raw]
        raise CellProblem(_("应为以下之一：%(options)s") % {"options": join_sep(labels)})

    return parse


# --- sheets -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    parse: Callable[[Any], Any]
    required: bool = True
    example: Any = None
    """The template's example cell; a callable is called each time a template is made, for an example that
    depends on the day (a certificate's expiry written as a fixed date would one day be past)."""
    note: str = ""
    options: tuple[str, ...] = ()
    """Values the template offers in a drop-down list."""

    @property
    def example_value(self) -> Any:
        return self.example() if callable(self.example) else self.example


@dataclass(frozen=True)
class CellError:
    row: int
    """The row number as the spreadsheet shows it (the header is row 1)."""
    column: str
    """The column's header, or empty when the problem concerns the whole row or file."""
    value: str
    message: str


class ImportRejected(Exception):
    """The file has problems; nothing was stored. ``errors`` lists them (at most ``MAX_ERRORS``)."""

    def __init__(self, errors: list[CellError], total: int | None = None, rows: int = 0, header_row: int = 0) -> None:
        self.errors = errors
        self.total = total if total is not None else len(errors)
        self.rows = rows
        self.header_row = header_row
        """The row the columns were named in (0: not found), so the marked workbook marks the same cells."""
        super().__init__(ngettext("文件有%(n)s处错误，未导入任何数据", "文件有%(n)s处错误，未导入任何数据", self.total)
                         % {"n": self.total})


class Errors:
    """Collects the problems of a file, keeping the first ``MAX_ERRORS`` and counting all."""

    def __init__(self) -> None:
        self.items: list[CellError] = []
        self.total = 0
        self.header_row = 0

    def add(self, row: int, column: str, value: Any, message: str) -> None:
        self.total += 1
        if len(self.items) < MAX_ERRORS:
            self.items.append(CellError(row, column, "" if value is None else _text(value)[:100], message))

    def __bool__(self) -> bool:
        return self.total > 0

    def reject(self, rows: int) -> ImportRejected:
        return ImportRejected(sorted(self.items, key=lambda e: e.row), self.total, rows, self.header_row)


def _header(value: Any) -> str:
    return re.sub(r"[\s*＊]|（必填）|\(必填\)", "", _text(value)) if value is not None else ""


class Sheet:
    """The rows of an uploaded file, by column key, after its header row was matched to the columns.

    One reading of one file: ``rows`` counts the data rows read so far, so the count belongs to the import
    run that made the sheet, never to an importer (the registries' importers are shared by every request).
    """

    def __init__(self, handle: IO[bytes], name: str, columns: Iterable[Column], errors: Errors) -> None:
        self.name = name
        self.columns = tuple(columns)
        self.errors = errors
        self.ignored: list[str] = []
        self.rows = 0
        try:
            self._rows = read_rows(handle, name)
            header_number, header = self._header_row()
        except SheetError as error:
            raise ImportRejected([CellError(1, "", name, str(error))]) from error
        positions = {_header(value): index for index, value in enumerate(header) if _header(value)}
        if not positions:
            raise ImportRejected([CellError(1, "", name, _("文件是空的：第一行应为表头"))])
        errors.header_row = header_number
        self.index: list[tuple[Column, int | None]] = []
        for column in self.columns:
            position = positions.pop(column.header, None)
            if position is None and column.required:
                errors.add(header_number, column.header, None, _("缺少此列（请使用导入模板）"))
            self.index.append((column, position))
        self.ignored = [header for header in positions if header and header != NOTE_HEADER]
        if errors:
            raise errors.reject(0)

    def _header_row(self) -> tuple[int, list[Any]]:
        """The row naming the columns: the first that holds one of the template's headers among the first
        ``HEADER_SEARCH`` rows with anything in them, so a title a clerk puts above the table (often cells
        merged across it: "清苑区2026年第一季度行政处罚台账") is passed over; else the first row with anything."""
        known = {column.header for column in self.columns}
        leading: list[tuple[int, list[Any]]] = []
        for number, values in self._rows:
            if all(_blank(value) for value in values):
                continue
            leading.append((number, values))
            if known & {_header(value) for value in values} or len(leading) == HEADER_SEARCH:
                break
        if not leading:
            return 1, []
        chosen = next((index for index, (_number, values) in enumerate(leading)
                       if known & {_header(value) for value in values}), 0)
        self._rows = itertools.chain(leading[chosen + 1:], self._rows)
        return leading[chosen]

    def __iter__(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """(row number, {column key: raw cell}) for every non-empty row after the header."""
        try:
            for number, values in self._rows:
                raw = {column.key: values[position] if position is not None and position < len(values) else None
                       for column, position in self.index}
                if all(_blank(value) for value in raw.values()):
                    continue
                self.rows += 1
                yield number, raw
        except SheetError as error:
            raise ImportRejected([CellError(self.rows + 1, "", "", str(error))]) from error

    def parse(self, number: int, raw: dict[str, Any]) -> "Values":
        """The row's values read by their columns, after recording every bad cell.

        A cell that cannot be read (or a required one left blank) is left out and named in ``failed``, so
        the row rules can still run on the cells that were read: a user who fixes the cells should not meet
        new errors on the same rows at his next upload.
        """
        values: dict[str, Any] = {}
        failed = set()
        for column, _position in self.index:
            value = raw[column.key]
            if _blank(value):
                if column.required:
                    self.errors.add(number, column.header, None, _("必填"))
                    failed.add(column.key)
                else:
                    values[column.key] = None
                continue
            try:
                values[column.key] = column.parse(value)
            except CellProblem as problem:
                self.errors.add(number, column.header, value, str(problem))
                failed.add(column.key)
        return Values(values, failed)


class Values(dict):
    """One row's cells by column key; a blank optional cell is None.

    A cell that could not be read is absent (reading it raises KeyError) and named in ``failed``: its
    error is already recorded. A row rule runs only when every cell it needs was read (``has``), and a
    row with any failed cell never goes into a plan (``complete``).
    """

    def __init__(self, values: dict[str, Any], failed: Iterable[str] = ()) -> None:
        super().__init__(values)
        self.failed = frozenset(failed)

    @property
    def complete(self) -> bool:
        return not self.failed

    def has(self, *keys: str) -> bool:
        """Whether every one of these cells was read (blank optional cells count as read, as None)."""
        return self.failed.isdisjoint(keys)


# --- plans ------------------------------------------------------------------------------------------------


@dataclass
class Plan:
    """What a valid file changes: rows to create, rows to update (with their changes), rows to remove."""

    model: type[models.Model]
    create: list[models.Model] = field(default_factory=list)
    update: list[tuple[models.Model, dict[str, list[Any]]]] = field(default_factory=list)
    remove: list[models.Model] = field(default_factory=list)
    unchanged: int = 0
    rows: int = 0
    ignored_columns: list[str] = field(default_factory=list)


def _duplicates(rows: list[tuple[int, dict[str, Any]]], key: Callable[[dict[str, Any]], Any], header: str,
                errors: Errors) -> None:
    first: dict[Any, int] = {}
    for number, values in rows:
        try:
            value = key(values)
        except KeyError:
            continue  # a cell of the key could not be read: it has its error, and nothing to compare
        if value in first:
            errors.add(number, header, value if isinstance(value, str) else "",
                       _("与第%(row)s行重复") % {"row": first[value]})
        else:
            first[value] = number


def _diff(obj: models.Model, values: dict[str, Any]) -> dict[str, list[Any]]:
    changes = {}
    for name, value in values.items():
        old = getattr(obj, name)
        if old != value:
            changes[name] = [old, value]
            setattr(obj, name, value)
    return changes


def _upsert(plan: Plan, existing: models.Model | None, new: models.Model, values: dict[str, Any]) -> None:
    if existing is None:
        plan.create.append(new)
        return
    changes = _diff(existing, values)
    if changes:
        plan.update.append((existing, changes))
    else:
        plan.unchanged += 1


class Importer:
    """One kind of record: its template and how a file of it becomes a ``Plan``."""

    kind: str
    label: str
    columns: tuple[Column, ...]
    template_note: str = ""
    partial_rows: bool = False
    """Whether ``plan`` is given the rows with cells that could not be read, to run the row rules on the
    cells that were (``Values.has``); it must plan none of them (``Values.complete``). An importer whose
    rules need every cell leaves this off and sees complete rows only."""

    def template(self) -> bytes:
        """An .xlsx with the headers, one example row and a sheet explaining each column: all of it in the
        system's language, as the sheet is read (an English session's 填写说明 said "Column", "Required" above
        the Chinese columns and notes)."""
        with translation.override(settings.LANGUAGE_CODE):
            return self._template()

    def _template(self) -> bytes:
        book = Workbook()
        sheet = book.active
        sheet.title = self.label[:31]
        sheet.append([column.header for column in self.columns])
        sheet.append([column.example_value for column in self.columns])
        for cell, column in zip(sheet[1], self.columns, strict=True):
            cell.font = Font(bold=True, color="C00000" if column.required else "000000")
            cell.fill = PatternFill("solid", fgColor="E2EFDA")
            sheet.column_dimensions[cell.column_letter].width = max(12, 2 * len(column.header) + 4)
            if column.options:
                validation = DataValidation(type="list", formula1='"' + ",".join(column.options) + '"',
                                            allow_blank=True)
                validation.add(f"{cell.column_letter}2:{cell.column_letter}100000")
                sheet.add_data_validation(validation)
        for cell in sheet[2]:
            if isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
        sheet.freeze_panes = "A2"
        notes = book.create_sheet("填写说明")
        notes.append([_("列"), _("是否必填"), _("说明")])
        for cell in notes[1]:
            cell.font = Font(bold=True)
        for column in self.columns:
            notes.append([column.header, _("必填") if column.required else _("选填"), column.note])
        notes.append([])
        notes.append([_("说明"), "", self.template_note or _("第2行是示例，导入前请删除。红色表头为必填列。"
                                                              "文件有任何错误时不会导入任何数据。")])
        notes.column_dimensions["A"].width = 20
        notes.column_dimensions["C"].width = 80
        for row in notes.iter_rows(min_row=2):
            row[2].alignment = Alignment(wrap_text=True)
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()

    def read(self, handle: IO[bytes], name: str, acting_user) -> Plan:
        errors = Errors()
        sheet = Sheet(handle, name, self.columns, errors)
        rows = []
        for number, raw in sheet:
            values = sheet.parse(number, raw)
            if values.complete or self.partial_rows:
                rows.append((number, values))
        plan = self.plan(rows, acting_user, errors)
        if not sheet.rows:
            errors.add(1, "", name, _("文件中没有数据行"))
        if errors:
            raise errors.reject(sheet.rows)
        plan.rows = sheet.rows
        plan.ignored_columns = sheet.ignored
        return plan

    def plan(self, rows: list[tuple[int, dict[str, Any]]], acting_user, errors: Errors) -> Plan:
        raise NotImplementedError


