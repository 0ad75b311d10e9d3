"""Policy as data: the versioned rule file of a city (``policies/*.toml``) and its immutable ``Policy``.

The numbers of 双随机 supervision change by year and by city, and every quota must be traceable to the
clause that imposes it, so the rules live in a TOML file: each rule carries its values and its
citations (document, clause, and either the quoted text or a stated interpretation where the
documents leave the point open). ``docs/policy-format.md`` describes the format for administrators.

The loader is strict on purpose: a misspelt key would otherwise silently fall back to nothing, and a
plan drawn under a half-read policy could not be defended. Every problem is reported with the rule
(the dotted key) it concerns, all at once.

A policy's ``fingerprint`` is the SHA-256 of its canonical content, so a plan records exactly which
text it was computed under; comments and layout of the file do not change it, any value does.
"""

import functools
import hashlib
import json
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal, NamedTuple

FORMAT = 2
"""Version of the file format itself (not of a policy); a loader refuses formats it does not know. Format 2 added
the rule ``clue_check``; a format-1 file (written before it) is still read, without that rule, because plans made
under such a file name it by its fingerprint and the file may not be edited."""

SINCE_FORMAT = {"clue_check": 2}
"""Rules a file of an older format does not have (and may not have: it would be a rule its format never knew)."""

POLICY_DIR = Path(__file__).resolve().parents[2] / "policies"

Level = Literal["city", "county"]
LEVELS: tuple[Level, ...] = ("city", "county")


class Problem(NamedTuple):
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}：{self.message}"


class PolicyError(ValueError):
    """A policy file that cannot be used, with every problem found (not only the first)."""

    def __init__(self, source: str, problems: Iterable[Problem]) -> None:
        self.source = source
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"政策文件 {source} 有 {len(self.problems)} 处问题：\n{lines}")


class MonthDay(NamedTuple):
    month: int
    day: int

    def in_year(self, year: int) -> date:
        return date(year, self.month, self.day)

    def __str__(self) -> str:
        return f"{self.month}月{self.day}日"


@dataclass(frozen=True)
class SourceDocument:
    key: str
    title: str
    number: str
    issuer: str
    source: str
    """Path, relative to the policy file, of the document's text, against which quotes can be checked."""


@dataclass(frozen=True)
class Citation:
    document: str
    number: str
    clause: str
    quote: str
    interpretation: str
    """Set where the documents leave the point open and the value is this policy's reading of them."""

    def __str__(self) -> str:
        return f"{self.document} {self.clause}"


@dataclass(frozen=True, kw_only=True)
class Rule:
    name: str
    citations: tuple[Citation, ...]
    note: str = ""

    @property
    def citation(self) -> str:
        """The citations as one line for a plan page, e.g. ``指导意见 二(一)；实施方案 二(三)``."""
        return "；".join(str(citation) for citation in self.citations)


@dataclass(frozen=True, kw_only=True)
class LevelRatio(Rule):
    """A share of a population, per level (e.g. 10% city / 50% county)."""

    city: Fraction
    county: Fraction

    def at(self, level: Level) -> Fraction:
        return self.city if level == "city" else self.county


@dataclass(frozen=True, kw_only=True)
class LevelSwitch(Rule):
    city: bool
    county: bool

    def at(self, level: Level) -> bool:
        return self.city if level == "city" else self.county


@dataclass(frozen=True, kw_only=True)
class PerInspector(Rule):
    """Units to inspect per year per double-random inspector, per level (1:5 → 5)."""

    city: Fraction
    county: Fraction

    def at(self, level: Level) -> Fraction:
        return self.city if level == "city" else self.county


@dataclass(frozen=True, kw_only=True)
class Switch(Rule):
    enabled: bool


@dataclass(frozen=True, kw_only=True)
class WorkdayCount(Rule):
    workdays: int


@dataclass(frozen=True, kw_only=True)
class SpecialCriteria(Rule):
    window: Literal["previous_quarter", "previous_year"]
    administrative_penalty: bool
    public_complaint: bool
    exceedances_at_one_outlet: int
    """At least this many online-monitoring exceedances at the same outlet make a target special."""


@dataclass(frozen=True, kw_only=True)
class PositiveList(Rule):
    leaves_on_site_strata: bool
    clue_makes_must_inspect: bool


@dataclass(frozen=True, kw_only=True)
class ClueCheck(Rule):
    """What an approved clue about a positive-list firm leads to (实施方案 二(三): 应立即开展现场检查)."""

    immediate: bool
    """True: the admins open a 线索核查 plan for the clue at once (one target, must-include, its team drawn
    like any plan's), which never counts toward a random-inspection quota; a clue nobody opened a check for
    still falls back to ``positive_list.clue_makes_must_inspect``. False: no such plan can be opened, and the
    clue waits for the next quarter's draw."""


@dataclass(frozen=True, kw_only=True)
class JointInspection(Rule):
    min_per_quarter: int
    annual_key_ratio: Fraction
    key_units_first: bool


@dataclass(frozen=True, kw_only=True)
class AnnualList(Rule):
    due: MonthDay


@dataclass(frozen=True, kw_only=True)
class SubmittedRecords(Rule):
    immutable: bool
    all_participants_sign: bool


@dataclass(frozen=True, kw_only=True)
class RegistryUpkeep(Rule):
    defunct_report: Literal["quarterly"]
    adjustment_due: tuple[MonthDay, ...]


@dataclass(frozen=True, kw_only=True)
class ReportingCalendar(Rule):
    monthly_detail_day: int
    """The previous month's detail sheet is due by this day of the month."""
    quarterly_status_due: tuple[MonthDay, ...]
    """One date per quarter, in quarter order."""
    shift_to_workday: bool
    """Whether a date falling on a rest day moves to the next working day."""


@dataclass(frozen=True, kw_only=True)
class InspectionTeam(Rule):
    min_officers: int
    valid_certificate: bool
    recusal: bool
    experts_beyond_minimum: bool


@dataclass(frozen=True)
class Policy:
    format: int
    id: str
    version: int
    title: str
    jurisdiction: str
    jurisdiction_code: str
    issuer: str
    effective: date
    ends: date | None
    documents: tuple[SourceDocument, ...]
    key_quarterly: LevelRatio
    key_half_year_coverage: LevelSwitch
    special_quarterly: LevelRatio
    special_criteria: SpecialCriteria
    special_beats_key: Switch
    general_annual: PerInspector
    positive_list: PositiveList
    clue_check: ClueCheck | None
    """None in a format-1 file: no 线索核查, an approved clue waits for the next quarter's draw."""
    ratio_uncapped: Switch
    joint_inspection: JointInspection
    merged_visit: Switch
    draw_window: WorkdayCount
    monthly_publication: WorkdayCount
    annual_list: AnnualList
    submitted_records: SubmittedRecords
    registry_upkeep: RegistryUpkeep
    reporting_calendar: ReportingCalendar
    inspection_team: InspectionTeam
    fingerprint: str

    @property
    def label(self) -> str:
        """How a plan names the policy it used: id, version and the start of the fingerprint."""
        return f"{self.id} v{self.version} ({self.fingerprint[:12]})"

    def rules(self) -> tuple[Rule, ...]:
        return tuple(rule for name in RULES if (rule := getattr(self, name)) is not None)

    @property
    def immediate_clue_check(self) -> bool:
        """Whether an approved clue about a positive-list firm gets its 线索核查 at once (rule ``clue_check``)."""
        return self.clue_check is not None and self.clue_check.immediate

    def in_force(self, day: date) -> bool:
        return self.effective <= day and (self.ends is None or day <= self.ends)


# --- field parsers: each takes the raw TOML value and returns the typed value or raises _Bad ---------------


class _Bad(Exception):
    pass


def _typed[T](kind: type[T], label: str) -> Callable[[Any], T]:
    def parse(value: Any) -> T:
        # bool is an int in Python; a flag written as 1 or a count written as true is a mistake in the file
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise _Bad(f"应为{label}，实为 {value!r}")
        return value

    return parse


_bool = _typed(bool, "true 或 false")
_str = _typed(str, "字符串")


def _always(practice: str) -> Callable[[Any], bool]:
    """A flag the system always honours: ``true`` only. A city whose policy says otherwise needs the system
    changed first; a ``false`` accepted and then ignored would let a plan or a record break that city's rule
    with nobody told."""

    def parse(value: Any) -> bool:
        if not _bool(value):
            raise _Bad(f"本系统始终{practice}，不支持设为 false")
        return True

    return parse


def _count(minimum: int) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        number = _typed(int, "整数")(value)
        if number < minimum:
            raise _Bad(f"应不小于 {minimum}，实为 {number}")
        return number

    return parse


def _decimal(text: str) -> Fraction:
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        raise _Bad(f"“{text}”不是数") from None
    if not number.is_finite():
        raise _Bad(f"“{text}”不是有限数")
    return Fraction(number)


def _ratio(value: Any) -> Fraction:
    """A share in [0, 1], written exactly: "10%", "12.5%" or "1/10" (never a float, which is inexact)."""
    if not isinstance(value, str):
        raise _Bad(f'比例应写成字符串，如 "10%" 或 "1/10"，实为 {value!r}')
    text = value.strip()
    if text.endswith("%"):
        ratio = _decimal(text[:-1]) / 100
    elif "/" in text:
        numerator, _, denominator = text.partition("/")
        if _decimal(denominator) == 0:
            raise _Bad(f"“{value}”分母为零")
        ratio = _decimal(numerator) / _decimal(denominator)
    else:
        raise _Bad(f'比例“{value}”应写成百分数（"10%"）或分数（"1/10"）')
    if not 0 <= ratio <= 1:
        raise _Bad(f"比例 {value} 超出 [0, 1]")
    return ratio


def _per_inspector(value: Any) -> Fraction:
    """ "1:5" (执法人员数量：被抽查单位数量) → 5 units per inspector; "1:2.5" is allowed."""
    if not isinstance(value, str) or not re.fullmatch(r"\s*[\d.]+\s*[:：]\s*[\d.]+\s*", value):
        raise _Bad(f'应写成“执法人员:被抽查单位”的字符串，如 "1:5"，实为 {value!r}')
    inspectors, units = re.split(r"[:：]", value)
    if _decimal(inspectors) <= 0 or _decimal(units) <= 0:
        raise _Bad(f"“{value}”两边都应大于零")
    return _decimal(units) / _decimal(inspectors)


def _month_day(value: Any) -> MonthDay:
    """ "04-10" → April 10; checked against a leap year so that "02-29" is refused only if impossible."""
    if not isinstance(value, str) or not re.fullmatch(r"\d\d-\d\d", value):
        raise _Bad(f'日期应写成 "MM-DD"，实为 {value!r}')
    month, day = int(value[:2]), int(value[3:])
    try:
        date(2000, month, day)
    except ValueError:
        raise _Bad(f"“{value}”不是有效的月-日") from None
    if (month, day) == (2, 29):
        raise _Bad("2月29日并非每年都有")
    return MonthDay(month, day)


def _month_days(value: Any) -> tuple[MonthDay, ...]:
    if not isinstance(value, list) or not value:
        raise _Bad(f'应为 "MM-DD" 日期的列表，实为 {value!r}')
    days = tuple(_month_day(item) for item in value)
    if list(days) != sorted(days):
        raise _Bad("日期应按时间先后排列")
    return days


def _choice(*options: str) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        if value not in options:
            raise _Bad(f"应为 {' / '.join(options)} 之一，实为 {value!r}")
        return value

    return parse


def _quarter_dates(value: Any) -> tuple[MonthDay, ...]:
    """One date per quarter, each in its quarter or the month after it (a report on Q1 due April 10)."""
    if not isinstance(value, list) or len(value) != 4:
        raise _Bad(f'应为 4 个 "MM-DD" 日期（每季度一个），实为 {value!r}')
    days = tuple(_month_day(item) for item in value)
    for quarter, day in enumerate(days, start=1):
        first, last = 3 * quarter - 2, min(3 * quarter + 1, 12)
        if not first <= day.month <= last:
            raise _Bad(f"第{quarter}季度的报送日期 {day} 应在{first}月至{last}月之间")
    return days


def _day_of_month(value: Any) -> int:
    day = _count(1)(value)
    if day > 28:
        raise _Bad(f"每月的日期应在 1–28 之间（每个月都有），实为 {day}")
    return day


_LEVEL_RATIO = {"city": _ratio, "county": _ratio}
RULES: dict[str, tuple[type[Rule], dict[str, Callable[[Any], Any]]]] = {
    "key_quarterly": (LevelRatio, _LEVEL_RATIO),
    "key_half_year_coverage": (LevelSwitch, {"city": _bool, "county": _bool}),
    "special_quarterly": (LevelRatio, _LEVEL_RATIO),
    "special_criteria": (
        SpecialCriteria,
        {
            "window": _choice("previous_quarter", "previous_year"),
            "administrative_penalty": _bool,
            "public_complaint": _bool,
            "exceedances_at_one_outlet": _count(1),
        },
    ),
    "special_beats_key": (Switch, {"enabled": _bool}),
    "general_annual": (PerInspector, {"city": _per_inspector, "county": _per_inspector}),
    "positive_list": (PositiveList, {"leaves_on_site_strata": _bool, "clue_makes_must_inspect": _bool}),
    "clue_check": (ClueCheck, {"immediate": _bool}),
    "ratio_uncapped": (Switch, {"enabled": _bool}),
    "joint_inspection": (
        JointInspection,
        {"min_per_quarter": _count(0), "annual_key_ratio": _ratio, "key_units_first": _bool},
    ),
    "merged_visit": (Switch, {"enabled": _bool}),
    "draw_window": (WorkdayCount, {"workdays": _count(1)}),
    "monthly_publication": (WorkdayCount, {"workdays": _count(1)}),
    "annual_list": (AnnualList, {"due": _month_day}),
    "submitted_records": (
        SubmittedRecords,
        {"immutable": _always("在记录提交后封存，只能以更正补充"), "all_participants_sign": _bool},
    ),
    "registry_upkeep": (
        # The 动态管理 report the system writes is quarterly (registry.views dynamic_report).
        RegistryUpkeep,
        {"defunct_report": _choice("quarterly"), "adjustment_due": _month_days},
    ),
    "reporting_calendar": (
        ReportingCalendar,
        {"monthly_detail_day": _day_of_month, "quarterly_status_due": _quarter_dates, "shift_to_workday": _bool},
    ),
    "inspection_team": (
        InspectionTeam,
        {
            "min_officers": _count(1),
            "valid_certificate": _always("只派执法证在有效期内的人员"),
            "recusal": _always("执行回避，不派与检查对象有利害关系的人员"),
            "experts_beyond_minimum": _always("只在执法人员人数之外吸收专家等参加"),
        },
    ),
}
"""Every rule of DESIGN.md §3 (and its policy switches): its class and the parser of each value field."""

_HEADER = ("format", "id", "version", "title", "jurisdiction", "jurisdiction_code", "issuer", "effective")
_OPTIONAL_HEADER = ("ends",)
_DOCUMENT_KEYS = {"key", "title", "number", "issuer", "source"}
_CITATION_KEYS = {"doc", "clause", "quote", "interpretation"}


class _Collector:
    """Gathers problems so that an administrator sees them all in one go."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, message))

    def field[T](self, table: Mapping[str, Any], key: str, where: str, parse: Callable[[Any], T]) -> T | None:
        if key not in table:
            self.add(f"{where}.{key}", "缺少此项")
            return None
        try:
            return parse(table[key])
        except _Bad as bad:
            self.add(f"{where}.{key}", str(bad))
            return None

    def unknown(self, table: Mapping[str, Any], known: Iterable[str], where: str) -> None:
        for key in sorted(set(table) - set(known)):
            self.add(f"{where}.{key}" if where else key, "未知的键（拼写错误？本格式不认识它）")


def _nonempty(value: Any) -> str:
    text = _str(value).strip()
    if not text:
        raise _Bad("不能为空")
    return text


def _date_value(value: Any) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise _Bad(f"应为 TOML 日期（如 2021-01-01，不带引号和时刻），实为 {value!r}")
    return value


def _parse_documents(raw: Any, out: _Collector) -> dict[str, SourceDocument]:
    documents: dict[str, SourceDocument] = {}
    if not isinstance(raw, list) or not raw:
        out.add("documents", "缺少来源文件列表（[[documents]]，至少一项）")
        return documents
    for index, table in enumerate(raw):
        where = f"documents[{index}]"
        if not isinstance(table, dict):
            out.add(where, "应为表（[[documents]]）")
            continue
        out.unknown(table, _DOCUMENT_KEYS, where)
        key = out.field(table, "key", where, _nonempty)
        title = out.field(table, "title", where, _nonempty)
        number = out.field(table, "number", where, _nonempty)
        issuer = out.field(table, "issuer", where, _nonempty)
        source = table.get("source", "")
        if not isinstance(source, str):
            out.add(f"{where}.source", f"应为字符串（文本文件的相对路径），实为 {source!r}")
        if key is None or title is None or number is None or issuer is None or not isinstance(source, str):
            continue
        if key in documents:
            out.add(f"{where}.key", f"文件简称“{key}”重复")
            continue
        documents[key] = SourceDocument(key, title, number, issuer, source)
    return documents


def _parse_citations(
    raw: Any, where: str, documents: Mapping[str, SourceDocument], out: _Collector
) -> tuple[Citation, ...]:
    if not isinstance(raw, list) or not raw:
        out.add(f"{where}.cite", "缺少出处（每条规则至少一条 [[rules.<规则>.cite]]）")
        return ()
    citations = []
    for index, table in enumerate(raw):
        here = f"{where}.cite[{index}]"
        if not isinstance(table, dict):
            out.add(here, "应为表")
            continue
        out.unknown(table, _CITATION_KEYS, here)
        doc = out.field(table, "doc", here, _nonempty)
        clause = out.field(table, "clause", here, _nonempty)
        quote = table.get("quote", "")
        interpretation = table.get("interpretation", "")
        if not isinstance(quote, str) or not isinstance(interpretation, str):
            out.add(here, "quote 与 interpretation 应为字符串")
            continue
        if not quote.strip() and not interpretation.strip():
            out.add(here, "出处应引用原文（quote）或说明本政策的理解（interpretation），两者至少其一")
            continue
        if doc is not None and doc not in documents:
            out.add(f"{here}.doc", f"“{doc}”不在 [[documents]] 中（已有：{'、'.join(documents) or '无'}）")
            continue
        if doc is None or clause is None:
            continue
        citations.append(Citation(doc, documents[doc].number, clause, quote.strip(), interpretation.strip()))
    return tuple(citations)


def _parse_rules(raw: Any, documents: Mapping[str, SourceDocument], out: _Collector,
                 file_format: int = FORMAT) -> dict[str, Rule | None]:
    known = {name: rule for name, rule in RULES.items() if SINCE_FORMAT.get(name, 1) <= file_format}
    rules: dict[str, Rule | None] = {name: None for name in RULES if name not in known}
    if not isinstance(raw, dict):
        out.add("rules", "缺少规则表 [rules]")
        return rules
    for name in sorted((raw.keys() & SINCE_FORMAT.keys()) - known.keys()):
        out.add(f"rules.{name}", f"格式 {file_format} 的文件没有此规则（自格式 {SINCE_FORMAT[name]} 起）："
                                 f"新增规则须复制为新版本并使用格式 {FORMAT}")
    out.unknown({key: value for key, value in raw.items() if key not in SINCE_FORMAT}, known, "rules")
    for name, (cls, value_fields) in known.items():
        where = f"rules.{name}"
        table = raw.get(name)
        if table is None:
            out.add(where, "缺少此规则")
            continue
        if not isinstance(table, dict):
            out.add(where, "应为表 [rules.<规则>]")
            continue
        out.unknown(table, {*value_fields, "cite", "note"}, where)
        values = {key: out.field(table, key, where, parse) for key, parse in value_fields.items()}
        citations = _parse_citations(table.get("cite"), where, documents, out)
        note = table.get("note", "")
        if not isinstance(note, str):
            out.add(f"{where}.note", "应为字符串")
        if any(value is None for value in values.values()) or not citations:
            continue
        rules[name] = cls(name=name, citations=citations, note=note if isinstance(note, str) else "", **values)
    return rules


def _canonical(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _canonical(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_canonical(item) for item in value]
    return value


def fingerprint(data: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of a parsed policy file: keys sorted, no spaces, UTF-8,
    dates in ISO form. Layout and comments of the TOML text do not enter it."""
    canonical = json.dumps(_canonical(dict(data)), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def from_data(data: Mapping[str, Any], source: str = "<data>") -> Policy:
    """Build a Policy from an already parsed TOML document; PolicyError lists every problem."""
    out = _Collector()
    out.unknown(data, {*_HEADER, *_OPTIONAL_HEADER, "documents", "rules"}, "")
    header_parsers: dict[str, Callable[[Any], Any]] = {
        "format": _count(1),
        "id": _nonempty,
        "version": _count(1),
        "title": _nonempty,
        "jurisdiction": _nonempty,
        "jurisdiction_code": _nonempty,
        "issuer": _nonempty,
        "effective": _date_value,
    }
    header = {key: out.field(data, key, "policy", parse) for key, parse in header_parsers.items()}
    if header["format"] is not None and header["format"] > FORMAT:
        out.add("policy.format", f"本程序只认识格式 1 至 {FORMAT}，文件是格式 {header['format']}")
    if header["id"] is not None and not re.fullmatch(r"[a-z0-9][a-z0-9-]*", header["id"]):
        out.add("policy.id", f"应只含小写字母、数字和连字符，实为“{header['id']}”")
    if header["jurisdiction_code"] is not None and not re.fullmatch(r"\d{6}", header["jurisdiction_code"]):
        out.add("policy.jurisdiction_code", f"应为6位行政区划代码，实为“{header['jurisdiction_code']}”")
    ends = out.field(data, "ends", "policy", _date_value) if "ends" in data else None
    if ends is not None and header["effective"] is not None and ends < header["effective"]:
        out.add("policy.ends", f"失效日期 {ends} 早于生效日期 {header['effective']}")
    documents = _parse_documents(data.get("documents"), out)
    file_format = header["format"] if header["format"] is not None and header["format"] <= FORMAT else FORMAT
    rules = _parse_rules(data.get("rules"), documents, out, file_format)
    if out.problems:
        raise PolicyError(source, out.problems)
    return Policy(
        **header,
        ends=ends,
        documents=tuple(documents.values()),
        **rules,
        fingerprint=fingerprint(data),
    )


def loads(text: str, source: str = "<text>") -> Policy:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PolicyError(source, [Problem("(文件)", f"不是有效的 TOML：{error}")]) from None
    return from_data(data, source)


def load(path: str | Path) -> Policy:
    path = Path(path)
    return _parsed(path.read_text(encoding="utf-8"), str(path))


@functools.lru_cache(maxsize=64)
def _parsed(text: str, source: str) -> Policy:
    # Keyed by the file's whole text, so an edited file is read afresh; a policy is frozen, so one parsed copy
    # serves every caller (a staff home page asks for the quarter's policy a dozen times).
    return loads(text, source)


def load_all(directory: str | Path = POLICY_DIR) -> tuple[Policy, ...]:
    """Every ``*.toml`` policy of a directory; refuses two files claiming the same id and version."""
    policies = tuple(load(path) for path in sorted(Path(directory).glob("*.toml")))
    seen: dict[tuple[str, int], Policy] = {}
    for policy in policies:
        key = (policy.id, policy.version)
        if key in seen:
            raise PolicyError(str(directory), [Problem(policy.id, f"版本 {policy.version} 出现在两个文件中")])
        seen[key] = policy
    return policies


def select(policies: Iterable[Policy], day: date) -> Policy:
    """The policy in force on ``day``: of those in force, the latest effective, then the highest version."""
    candidates = [policy for policy in policies if policy.in_force(day)]
    if not candidates:
        raise LookupError(f"{day.isoformat()} 没有生效的政策文件")
    return max(candidates, key=lambda policy: (policy.effective, policy.version))
