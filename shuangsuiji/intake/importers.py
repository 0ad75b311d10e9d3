"""Excel (and CSV) imports of outside data: templates, whole-file validation, import plans.

Each kind of record has an ``Importer`` with its columns (Chinese headers, whether required, how a cell
is read, an example). Importing reads the whole file, checks every row — cell formats, required cells,
duplicates inside the file, credit codes against the registry within the importer's scope — and
collects every problem with its row and column. Only a file without a single problem becomes a
``Plan`` (rows to create, rows to update with their changes, entries to remove); the service
``intake.services.do_import`` stores a plan in one transaction, so nothing is ever half-imported.

Hourly online-monitoring readings are a different shape (hundreds of thousands of rows, of which only
exceedances are kept) and have their own streaming importer, ``ReadingsImporter``.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from django.db import models
from django.utils.translation import gettext as _

from shuangsuiji.intake.models import (
    Channel,
    Clue,
    ClueSource,
    Complaint,
    Exceedance,
    KeyUnit,
    Penalty,
    PositiveListEntry,
    Source,
)
from shuangsuiji.punctuation import join_sep
from shuangsuiji.registry.models import Department, Outlet, Target
from shuangsuiji.tabular.importing import (
    CellProblem,
    Column,
    Errors,
    Importer,
    Plan,
    Sheet,
    Values,
    _blank,
    _duplicates,
    _Moments,
    _text,
    _upsert,
    amount,
    bounded,
    choice,
    credit_code,
    day,
    moment,
    past_day,
    text,
    year,
    yes_no,
)
from shuangsuiji.validators import document_number

reading = bounded(16, 4)
"""A monitoring value or limit, as ``intake.Exceedance`` stores it."""


def _scoped_targets(acting_user) -> models.QuerySet:
    """The targets an import may refer to: the importer's editable scope (everything for the system)."""
    return Target.objects.all() if acting_user is None else Target.objects.editable_by(acting_user)


def resolve_targets(rows: list[tuple[int, Values]], acting_user, errors: Errors,
                    code_header: str, name_header: str | None = "单位名称") -> dict[str, Target]:
    """The targets named by the rows' credit codes, within scope; records an error for every other row."""
    codes = sorted({values["credit_code"] for _number, values in rows if values.has("credit_code")})
    found: dict[str, Target] = {}
    scoped = _scoped_targets(acting_user).select_related("jurisdiction")
    for start in range(0, len(codes), 2000):
        found.update((t.credit_code, t) for t in scoped.filter(credit_code__in=codes[start:start + 2000]))
    for number, values in rows:
        if not values.has("credit_code"):
            continue
        target = found.get(values["credit_code"])
        if target is None:
            errors.add(number, code_header, values["credit_code"],
                       _("检查对象名录库中没有该统一社会信用代码的对象，或该对象不在您的管辖范围内"))
        elif name_header and values.get("name") and values["name"] != target.name:
            errors.add(number, name_header, values["name"],
                       _("与名录库中该代码的单位名称“%(name)s”不一致") % {"name": target.name})
    return found


CODE = Column("credit_code", "统一社会信用代码", credit_code, example="91130623MA0D5Y5D24")
NAME = Column("name", "单位名称", text(128), required=False, example="涞水县示例化工有限公司",
              note="可不填；填写时须与名录库一致，用于核对代码是否录错")


def _target_of(values: Values, targets: dict[str, Target]) -> Target | None:
    """The row's target, or None when its code could not be read or named no target in scope (either has
    its error already)."""
    return targets.get(values["credit_code"]) if values.has("credit_code") else None


class IntakeImporter(Importer):
    # The rules below run on the cells of a row that were read (``Values.has``), a rule needing a cell that
    # was not is left for the next upload; only complete rows are planned.
    partial_rows = True


def _departments_for(targets: Iterable[Target]) -> dict[int, dict[str, Department]]:
    """Per target jurisdiction: the departments that may decide its penalties, by name and by code,
    nearest first (the county's own, then the city's)."""
    result: dict[int, dict[str, Department]] = {}
    jurisdictions = {t.jurisdiction_id: t.jurisdiction for t in targets}
    codes = {code for j in jurisdictions.values() for code in j.path.split(".") if code}
    departments = list(Department.objects.filter(jurisdiction__code__in=codes).select_related("jurisdiction"))
    for jurisdiction_id, jurisdiction in jurisdictions.items():
        chain = [code for code in jurisdiction.path.split(".") if code]
        known: dict[str, Department] = {}
        for department in sorted(departments, key=lambda d: -chain.index(d.jurisdiction.code)
                                 if d.jurisdiction.code in chain else 0):
            if department.jurisdiction.code not in chain:
                continue
            for key in (department.name, department.code, f"{department.jurisdiction.name}{department.name}",
                        f"{department.jurisdiction.name}·{department.name}"):
                if key:
                    known.setdefault(key, department)
        result[jurisdiction_id] = known
    return result


class PenaltyImporter(IntakeImporter):
    kind = "penalties"
    label = "行政处罚"
    columns = (
        Column("decision_number", "处罚决定书文号", lambda value: document_number(text(64)(value)),
               example="涞环罚〔2021〕12号",
               note="每份处罚决定书一个文号；再次导入同一文号会更新该条记录"),
        Column("decided_on", "处罚决定日期", past_day, example=date(2021, 5, 18), note="如 2021-05-18"),
        CODE,
        NAME,
        Column("department", "作出处罚的科室", text(64), example="执法大队",
               note="该对象所在县（市、区）或其上级生态环境部门的科室名称或编码"),
        Column("violation", "违法行为", text(2000), example="超标排放大气污染物"),
        Column("amount", "罚款金额（元）", amount, required=False, example=Decimal("100000.00"),
               note="没有罚款的处罚可不填"),
    )

    def plan(self, rows: list[tuple[int, dict[str, Any]]], acting_user, errors: Errors) -> Plan:
        _duplicates(rows, lambda v: v["decision_number"], "处罚决定书文号", errors)
        targets = resolve_targets(rows, acting_user, errors, "统一社会信用代码")
        departments = _departments_for(targets.values())
        own_departments: dict[int, str] = {}
        existing = {p.decision_number: p for p in Penalty.objects.filter(
            decision_number__in=[v["decision_number"] for _n, v in rows if v.has("decision_number")])
            .select_related("target__jurisdiction")}
        scope = set(_scoped_targets(acting_user).filter(pk__in=[p.target_id for p in existing.values()])
                    .values_list("pk", flat=True))
        plan = Plan(Penalty)
        for number, values in rows:
            before = errors.total
            target = _target_of(values, targets)
            department = None
            if target is not None and values.has("department"):
                department = departments[target.jurisdiction_id].get(values["department"])
                if department is None:
                    own = own_departments.setdefault(target.jurisdiction_id, join_sep(
                        Department.objects.filter(jurisdiction_id=target.jurisdiction_id).order_by("code")
                        .values_list("name", flat=True)))
                    # the names to choose from: a clerk types the short name he uses (执法大队)
                    errors.add(number, "作出处罚的科室", values["department"],
                               (_("%(name)s及其上级生态环境部门没有这个科室；%(name)s的科室有：%(known)s") if own
                                else _("%(name)s及其上级生态环境部门没有这个科室")) % {
                                   "name": target.jurisdiction.name, "known": own})
            old = existing.get(values["decision_number"]) if values.has("decision_number") else None
            if old is not None and old.target_id not in scope:
                errors.add(number, "处罚决定书文号", values["decision_number"],
                           _("该文号已登记在您管辖范围以外的对象名下"))
            if errors.total > before or not values.complete or department is None:
                continue
            fields = {"decided_on": values["decided_on"], "target": target, "department": department,
                      "violation": values["violation"], "amount": values["amount"]}
            _upsert(plan, old, Penalty(decision_number=values["decision_number"], source=Source.IMPORT,
                                       created_by=acting_user, **fields), fields)
        return plan


class ComplaintImporter(IntakeImporter):
    kind = "complaints"
    label = "群众举报"
    columns = (
        Column("reference", "举报编号", text(64), example="12369-20210412-0031",
               note="信访举报系统中的编号；再次导入同一编号会更新该条记录"),
        Column("received_on", "受理日期", past_day, example=date(2021, 4, 12)),
        Column("channel", "举报渠道", choice(Channel, {"电话": "12369", "热线": "12369"}), example="12369",
               note="12369、信件、网络、来访、其他", options=("12369", "信件", "网络", "来访", "其他")),
        CODE,
        NAME,
        Column("content", "举报内容", text(4000), example="夜间排放刺鼻气味"),
        Column("verified", "经核实属实", yes_no, required=False, example="否",
               note="是／否，不填为否。上一季度被举报即为特殊监管对象，不论是否核实", options=("是", "否")),
    )

    def plan(self, rows: list[tuple[int, dict[str, Any]]], acting_user, errors: Errors) -> Plan:
        _duplicates(rows, lambda v: v["reference"], "举报编号", errors)
        targets = resolve_targets(rows, acting_user, errors, "统一社会信用代码")
        existing = {c.reference: c for c in Complaint.objects.filter(
            reference__in=[v["reference"] for _n, v in rows if v.has("reference")])}
        scope = set(_scoped_targets(acting_user).filter(pk__in=[c.target_id for c in existing.values()])
                    .values_list("pk", flat=True))
        plan = Plan(Complaint)
        for number, values in rows:
            before = errors.total
            target = _target_of(values, targets)
            old = existing.get(values["reference"]) if values.has("reference") else None
            if old is not None and old.target_id not in scope:
                errors.add(number, "举报编号", values["reference"], _("该编号已登记在您管辖范围以外的对象名下"))
            if errors.total > before or not values.complete or target is None:
                continue
            fields = {"received_on": values["received_on"], "channel": values["channel"], "target": target,
                      "content": values["content"], "verified": bool(values["verified"])}
            _upsert(plan, old, Complaint(reference=values["reference"], source=Source.IMPORT, created_by=acting_user,
                                         **fields), fields)
        return plan


class KeyUnitImporter(IntakeImporter):
    kind = "key_units"
    label = "重点排污单位名录"
    columns = (
        Column("year", "年度", year, example=2021),
        CODE,
        NAME,
        Column("directory", "名录名称及文号", text(128), example="保定市2021年重点排污单位名录（保环函〔2021〕15号）"),
        Column("kinds", "名录类别", text(64), required=False, example="大气环境、水环境",
               note="水环境、大气环境、土壤环境、声环境、其他，可多项"),
    )
    template_note = ("一个文件可包含一个或多个年度的名录。勾选“替换”导入时，文件中各年度、在您管辖范围内"
                     "但文件中没有的名录条目将被移出名录。第2行是示例，导入前请删除。")

    def __init__(self, replace: bool = False) -> None:
        self.replace = replace

    def plan(self, rows: list[tuple[int, dict[str, Any]]], acting_user, errors: Errors) -> Plan:
        _duplicates(rows, lambda v: (v["year"], v["credit_code"]), "统一社会信用代码", errors)
        targets = resolve_targets(rows, acting_user, errors, "统一社会信用代码")
        years = {values["year"] for _n, values in rows if values.has("year")}
        scoped = KeyUnit.objects.filter(year__in=years, target__in=_scoped_targets(acting_user)).select_related(
            "target")
        existing = {(unit.year, unit.target_id): unit for unit in scoped}
        plan = Plan(KeyUnit)
        listed = set()
        for _number, values in rows:
            target = _target_of(values, targets)
            if target is None or not values.complete:
                continue
            key = (values["year"], target.pk)
            listed.add(key)
            fields = {"directory": values["directory"], "kinds": values["kinds"] or ""}
            _upsert(plan, existing.get(key),
                    KeyUnit(year=values["year"], target=target, created_by=acting_user, **fields), fields)
        if self.replace:
            plan.remove = [unit for key, unit in existing.items() if key not in listed]
        return plan


class PositiveListImporter(IntakeImporter):
    kind = "positive_list"
    label = "正面清单"
    columns = (
        CODE,
        NAME,
        Column("start", "纳入日期", day, example=date(2021, 3, 1)),
        Column("end", "移出日期", day, required=False, example=None, note="仍在清单中则不填"),
        Column("document_number", "文号", text(64), example="保环办〔2021〕20号"),
        Column("note", "备注", text(255), required=False, example=""),
    )
    template_note = ("每行是一家企业在正面清单中的一段期间，以（代码，纳入日期）识别：再次导入同一行会更新移出日期、"
                     "文号和备注。同一企业的各段期间不能重叠。第2行是示例，导入前请删除。")

    def plan(self, rows: list[tuple[int, dict[str, Any]]], acting_user, errors: Errors) -> Plan:
        _duplicates(rows, lambda v: (v["credit_code"], v["start"]), "纳入日期", errors)
        for number, values in rows:
            if values.has("start", "end") and values["end"] is not None and values["end"] < values["start"]:
                errors.add(number, "移出日期", values["end"], _("移出日期早于纳入日期"))
        targets = resolve_targets(rows, acting_user, errors, "统一社会信用代码")
        stored: dict[int, list[PositiveListEntry]] = {}
        for entry in PositiveListEntry.objects.filter(target__in=list(targets.values())):
            stored.setdefault(entry.target_id, []).append(entry)
        periods: dict[int, list[tuple[int, date, date | None]]] = {}
        plan = Plan(PositiveListEntry)
        for number, values in rows:
            target = _target_of(values, targets)
            if target is None or not values.has("start", "end") or (
                    values["end"] is not None and values["end"] < values["start"]):
                continue
            old = next((e for e in stored.get(target.pk, []) if e.start == values["start"]), None)
            others = [(0, e.start, e.end) for e in stored.get(target.pk, []) if e is not old]
            for row, start, end in others + periods.get(target.pk, []):
                if start <= (values["end"] or date.max) and values["start"] <= (end or date.max):
                    where = _("第%(row)s行") % {"row": row} if row else _("已登记")
                    errors.add(number, "纳入日期", values["start"],
                               _("与%(where)s的期间 %(start)s 至 %(end)s 重叠") % {
                                   "where": where, "start": start, "end": end or _("今")})
                    break
            periods.setdefault(target.pk, []).append((number, values["start"], values["end"]))
            if not values.complete:
                continue
            fields = {"end": values["end"], "document_number": values["document_number"],
                      "note": values["note"] or ""}
            _upsert(plan, old, PositiveListEntry(target=target, start=values["start"], created_by=acting_user,
                                                 **fields), fields)
        return plan


class ClueImporter(IntakeImporter):
    kind = "clues"
    label = "正面清单企业线索"
    columns = (
        CODE,
        NAME,
        Column("source", "线索来源", choice(ClueSource, {"非现场": "off_site", "非现场监管": "off_site",
                                                          "举报": "complaint"}),
               example="非现场监管发现", options=("非现场监管发现", "群众举报")),
        Column("complaint", "举报编号", text(64), required=False, example="",
               note="线索来源为群众举报时必填，须是已录入的举报"),
        Column("found_on", "发现日期", past_day, example=date(2021, 5, 6)),
        Column("description", "线索内容", text(4000), example="在线监测显示夜间颗粒物浓度异常升高"),
    )
    template_note = ("导入的线索均为“待审批”，由执法机构负责人（管理员）逐条审批。对象须在发现日期列入正面清单。"
                     "同一对象、同一发现日期、同样内容的线索不会重复导入。第2行是示例，导入前请删除。")

    def plan(self, rows: list[tuple[int, dict[str, Any]]], acting_user, errors: Errors) -> Plan:
        _duplicates(rows, lambda v: (v["credit_code"], v["found_on"], v["description"]), "线索内容", errors)
        targets = resolve_targets(rows, acting_user, errors, "统一社会信用代码")
        complaints = {c.reference: c for c in Complaint.objects.filter(
            reference__in=[v["complaint"] for _n, v in rows if v.has("complaint") and v["complaint"]])}
        listed = {}
        for entry in PositiveListEntry.objects.filter(target__in=list(targets.values())):
            listed.setdefault(entry.target_id, []).append(entry)
        known = set(Clue.objects.filter(target__in=list(targets.values())).values_list(
            "target_id", "found_on", "description"))
        plan = Plan(Clue)
        for number, values in rows:
            before = errors.total
            target = _target_of(values, targets)
            if target is not None and values.has("found_on") and not any(
                    entry.covers(values["found_on"]) for entry in listed.get(target.pk, [])):
                errors.add(number, "发现日期", values["found_on"],
                           _("该对象在这一天不在正面清单中；线索审批只适用于正面清单企业"))
            complaint = None
            if values.has("complaint") and values["complaint"]:
                complaint = complaints.get(values["complaint"])
                if target is not None and (complaint is None or complaint.target_id != target.pk):
                    errors.add(number, "举报编号", values["complaint"], _("没有针对该对象的这一编号的举报"))
            elif values.has("complaint", "source") and values["source"] == ClueSource.COMPLAINT:
                errors.add(number, "举报编号", None, _("线索来源为群众举报时必填"))
            if errors.total > before or not values.complete or target is None:
                continue
            if (target.pk, values["found_on"], values["description"]) in known:
                plan.unchanged += 1
                continue
            plan.create.append(Clue(target=target, source=values["source"], complaint=complaint,
                                    found_on=values["found_on"], description=values["description"],
                                    reported_by=acting_user))
        return plan


# --- hourly online-monitoring readings ----------------------------------------------------------------------


@dataclass
class ReadingsPlan:
    """What a valid readings file holds: the exceedances to add, update or withdraw, and the counts."""

    create: list[Exceedance] = field(default_factory=list)
    update: list[Exceedance] = field(default_factory=list)
    withdraw: list[int] = field(default_factory=list)
    """Stored exceedances the file now reports within the limit (a corrected reading)."""
    known: int = 0
    target_ids: set[int] = field(default_factory=set)
    readings: int = 0
    within_limit: int = 0
    outlets: int = 0
    first: datetime | None = None
    last: datetime | None = None
    ignored_columns: list[str] = field(default_factory=list)


class ReadingsImporter(Importer):
    """Hourly readings of online monitoring; only readings above their limit are kept.

    A reading is identified by (outlet, pollutant, time): importing the same file twice changes
    nothing, and a corrected file updates the stored value (or withdraws an exceedance the corrected
    value no longer makes one). The file is checked as a stream, row by row, holding only the keys of
    the readings and the exceedances; a month of a county's readings (~134,000 rows) takes seconds.
    """

    kind = "exceedances"
    label = "在线监测小时数据"
    columns = (
        CODE,
        Column("outlet", "排口编号", text(32), example="DA001", note="名录库中该对象的排口编号"),
        Column("pollutant", "污染物", text(32), example="二氧化硫"),
        Column("measured_at", "监测时间", moment, example=datetime(2021, 4, 1, 13, 0), note="如 2021-04-01 13:00"),
        Column("value", "监测值", reading, example=Decimal("42.5")),
        Column("limit", "标准限值", reading, example=Decimal("35"), note="大于0"),
        Column("unit", "单位", text(16), required=False, example="mg/m³"),
    )
    template_note = ("每行是一个排口一种污染物一个小时的监测值；监测值大于标准限值的记为一次超标，"
                     "其余只计数不保存。也可导入在线监测平台导出的 CSV 文件（UTF-8 或 GBK 编码，表头相同）。"
                     "第2行是示例，导入前请删除。")

    def read(self, handle: IO[bytes], name: str, acting_user) -> ReadingsPlan:  # type: ignore[override]
        errors = Errors()
        sheet = Sheet(handle, name, self.columns, errors)
        self.moment = _Moments()
        self.codes: dict[Any, str | CellProblem] = {}
        self.outlets: dict[str, dict[str, tuple[int, int]]] = {}
        self.scope = _scoped_targets(acting_user)
        seen: dict[tuple[int, str, datetime], int] = {}
        over: list[tuple[int, int, str, datetime, Decimal, Decimal, str]] = []
        plan = ReadingsPlan(ignored_columns=sheet.ignored)
        for number, raw in sheet:
            values = self._row(number, raw, errors)
            if values is None:
                continue
            outlet_id, _target_id, pollutant, measured_at, value, limit, _unit = values
            key = (outlet_id, pollutant, measured_at)
            if key in seen:
                errors.add(number, "监测时间", raw["measured_at"],
                           _("与第%(row)s行是同一排口、同一污染物、同一时刻") % {"row": seen[key]})
                continue
            seen[key] = number
            plan.target_ids.add(values[1])
            if value > limit:
                over.append(values)
            else:
                plan.within_limit += 1
        plan.readings = sheet.rows
        if not sheet.rows:
            errors.add(1, "", name, _("文件中没有数据行"))
        if errors:
            raise errors.reject(sheet.rows)
        self._plan(seen, over, plan)
        return plan

    def _outlets_of(self, code: str) -> dict[str, tuple[int, int]]:
        """The outlets of the target with this credit code in scope, by outlet code (one query per target)."""
        if code not in self.outlets:
            self.outlets[code] = {outlet_code: (outlet_id, target_id) for outlet_id, target_id, outlet_code in
                                  Outlet.objects.filter(target__in=self.scope, target__credit_code=code)
                                  .values_list("id", "target_id", "code")}
        return self.outlets[code]

    def _row(self, row: int, raw: dict[str, Any], errors: Errors) -> tuple | None:
        missing = [column.header for column in self.columns if column.required and _blank(raw[column.key])]
        for header in missing:
            errors.add(row, header, None, _("必填"))
        if missing:
            return None
        ok = True
        code_raw = raw["credit_code"]
        if code_raw not in self.codes:
            try:
                self.codes[code_raw] = credit_code(code_raw)
            except CellProblem as problem:
                self.codes[code_raw] = problem
        code = self.codes[code_raw]
        resolved = None
        if isinstance(code, CellProblem):
            errors.add(row, "统一社会信用代码", code_raw, str(code))
            ok = False
        else:
            outlet_code = _text(raw["outlet"])
            resolved = self._outlets_of(code).get(outlet_code)
            if resolved is None:
                errors.add(row, "排口编号", outlet_code, _(
                    "名录库中没有对象 %(code)s 的这一排口，或该对象不在您的管辖范围内") % {"code": code})
                ok = False
        measured_at = None
        try:
            measured_at = self.moment(raw["measured_at"])
        except CellProblem as problem:
            errors.add(row, "监测时间", raw["measured_at"], str(problem))
            ok = False
        parsed: dict[str, Decimal] = {}
        for key, header in (("value", "监测值"), ("limit", "标准限值")):
            try:
                parsed[key] = reading(raw[key])
            except CellProblem as problem:
                errors.add(row, header, raw[key], str(problem))
                ok = False
        if "limit" in parsed and parsed["limit"] <= 0:
            errors.add(row, "标准限值", raw["limit"], _("应大于0"))
            ok = False
        pollutant = _text(raw["pollutant"])
        unit = _text(raw["unit"]) if raw["unit"] is not None else ""
        for value, header, most in ((pollutant, "污染物", 32), (unit, "单位", 16)):
            if len(value) > most:
                errors.add(row, header, value, _("不能超过%(n)s个字（实为%(m)s个）") % {"n": most, "m": len(value)})
                ok = False
        if not ok or resolved is None or measured_at is None:
            return None
        return resolved[0], resolved[1], pollutant, measured_at, parsed["value"], parsed["limit"], unit

    def _plan(self, seen: dict[tuple[int, str, datetime], int], over: list[tuple], plan: ReadingsPlan) -> None:
        if not seen:
            return
        plan.first = min(key[2] for key in seen)
        plan.last = max(key[2] for key in seen)
        outlet_ids = sorted({key[0] for key in seen})
        plan.outlets = len(outlet_ids)
        stored: dict[tuple[int, str, datetime], Exceedance] = {}
        for start in range(0, len(outlet_ids), 2000):
            # with the outlet: a stored row updated or withdrawn is named in the event by its outlet's code
            for exceedance in Exceedance.objects.select_related("outlet").filter(
                    outlet_id__in=outlet_ids[start:start + 2000], measured_at__gte=plan.first,
                    measured_at__lte=plan.last):
                stored[(exceedance.outlet_id, exceedance.pollutant, exceedance.measured_at)] = exceedance
        over_keys = set()
        for outlet_id, target_id, pollutant, measured_at, value, limit, unit in over:
            key = (outlet_id, pollutant, measured_at)
            over_keys.add(key)
            old = stored.get(key)
            if old is None:
                plan.create.append(Exceedance(outlet_id=outlet_id, target_id=target_id, pollutant=pollutant,
                                              measured_at=measured_at, value=value, limit=limit, unit=unit))
            elif (old.value, old.limit, old.unit) != (value, limit, unit):
                old.value, old.limit, old.unit = value, limit, unit
                plan.update.append(old)
            else:
                plan.known += 1
        plan.withdraw = [old.pk for key, old in stored.items() if key in seen and key not in over_keys]


IMPORTERS: dict[str, type[Importer]] = {
    importer.kind: importer for importer in (PenaltyImporter, ComplaintImporter, ReadingsImporter, KeyUnitImporter,
                                             PositiveListImporter, ClueImporter)
}
"""Every import by its name on the command line and in URLs."""


def importer_for(kind: str, *, replace: bool = False) -> Importer:
    if kind not in IMPORTERS:
        raise KeyError(kind)
    return KeyUnitImporter(replace=replace) if kind == KeyUnitImporter.kind else IMPORTERS[kind]()

