"""两库一单 and the recusals (回避名单) in and out of Excel: templates, whole-file imports keyed by the
registry keys, exports.

The columns of an export are the columns of the template, so an exported list can be edited and imported
again. An import reads and checks every row first (cells, required columns, duplicates inside the file,
jurisdictions and departments within the importer's scope); a file with any problem stores nothing and
comes back with every problem by row and column. A valid file becomes a plan of rows to create and rows
to update with their changes; ``services.do_import_registry`` stores it in one transaction with the
targets' dated history and the audit events.
"""

import io
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.timezone import localdate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from shuangsuiji.audit.services import system_language
from shuangsuiji.punctuation import join_sep
from shuangsuiji.registry.industry import ScopeError, normalise_scope
from shuangsuiji.registry.models import (
    Category,
    CheckItem,
    Department,
    ExternalKind,
    Inspector,
    InspectorStatus,
    Jurisdiction,
    Level,
    Outlet,
    Recusal,
    Specialty,
    Target,
    TargetStatus,
    industry_code_problem,
    list_level_mismatch,
    scope_message,
)
from shuangsuiji.tabular.importing import (
    CellProblem,
    Column,
    Errors,
    Importer,
    Plan,
    Sheet,
    Values,
    choice,
    credit_code,
    day,
    label,
    number,
    past_day,
    text,
    yes_no,
)
from shuangsuiji.tabular.writer import as_text, streaming_sheet
from shuangsuiji.validators import LATITUDE, LONGITUDE, validate_phone

SEPARATORS = ("、", "，", ",", ";", "；")


def _split(value: str) -> list[str]:
    for separator in SEPARATORS[1:]:
        value = value.replace(separator, SEPARATORS[0])
    return [part.strip() for part in value.split(SEPARATORS[0]) if part.strip()]


def names(value: Any) -> list[str]:
    return _split(str(value))


ALL_INDUSTRIES = "所有行业"
"""What the items' sheet says of a blank industry scope: a blank cell leaves a stored item's scope as it is."""


def industry_scope(value: Any) -> str:
    """An item's 适用行业 cell: its GB/T 4754 codes normalised, or "" for 所有行业."""
    typed = str(value).strip()
    if typed in (ALL_INDUSTRIES, "全部", "全部行业"):
        return ""
    try:
        return normalise_scope(typed)
    except ScopeError as error:
        raise CellProblem(scope_message(error)) from None


def industry_code(value: Any) -> str:
    """A target's 行业代码 cell, upper case (full-width typing made ASCII): checked as the target form checks it."""
    code = unicodedata.normalize("NFKC", str(int(value) if isinstance(value, float) and value.is_integer()
                                             else value)).strip().upper()
    problem = industry_code_problem(code)
    if problem:
        raise CellProblem(problem)
    return code


def coordinate(low: int, high: int):
    def parse(value: Any):
        result = number(value)
        if not low <= result <= high:
            raise CellProblem(_("应在 %(low)s 到 %(high)s 之间") % {"low": low, "high": high})
        return result.quantize(number("0.000001"))

    return parse


def phone(value: Any) -> str:
    result = text(32)(value)
    try:
        validate_phone(result)
    except ValidationError as error:
        raise CellProblem(error.messages[0]) from error
    return result


def outlets(value: Any) -> list[tuple[str, str, str, bool]]:
    """"DA001:废气:在线;DW001:废水" → [(code, name, kind, online monitored)]."""
    with system_language():  # the sheet's language, whoever imports it
        kinds = {str(label): key for key, label in Outlet.Kind.choices}
    result = []
    for part in _split(str(value)):
        fields = [f.strip() for f in part.replace("：", ":").split(":")]
        code = fields[0]
        kind = kinds.get(fields[1], "") if len(fields) > 1 else Outlet.Kind.OTHER
        if not code or len(code) > 32 or not kind:
            raise CellProblem(_("排口应写成“编号:类型[:在线]”，类型为废水/废气/其他，多个用分号分隔"))
        result.append((code, "", kind, len(fields) > 2 and fields[2] in {"在线", "是"}))
    return result


CHUNK = 2000
"""Rows checked and stored together: memory stays flat however long the file is."""


class RegistryImporter(Importer):
    title: Any
    """The registry's name on the pages, in the reader's language (``label`` names the files and sheets, which
    stay Chinese like the templates' columns)."""
    model: type[models.Model]
    key: str
    key_header: str
    taken_elsewhere: Any
    """What a row is told whose key is a record the importer may not even see: that the key is taken, which the
    row cannot change, but not where (outside one's jurisdiction a record does not exist, DESIGN §5), and what
    he can do about it."""
    partial_rows = True

    @property
    def example_key(self) -> Any:
        return next(column.example_value for column in self.columns if column.key == self.key)

    def is_example(self, values: Values, key: Any) -> bool:
        """The template's example row: its key, and its name too where the sheet has a name column. The key alone
        can be a real record's: the inspectors' example certificate number was a real officer's in the demo,
        whose row in the registry's own export could then never be imported back."""
        if key != self.example_key:
            return False
        name = next((column.example_value for column in self.columns if column.key == "name"), None)
        return name is None or not values.has("name") or values.get("name") == name

    def export_rows(self, queryset: models.QuerySet) -> Iterator[list[Any]]:
        """The queryset's records as the sheet's rows, in its order."""
        for obj in queryset.iterator(chunk_size=CHUNK):
            yield self.export_row(obj)

    def export_row(self, obj: models.Model) -> list[Any]:
        raise NotImplementedError  # each registry's own columns

    def row_key(self, values: Values) -> Any:
        """What names the row's record, or None when a cell of it could not be read (it has its error)."""
        return values[self.key] if values.has(self.key) else None

    def key_text(self, key: Any) -> str:
        """The key as the key column shows it, for the duplicate's and the example row's errors."""
        return key

    def chunks(self, sheet: Sheet, acting_user) -> Iterator[Plan]:
        """The sheet as plans of ``CHUNK`` rows, every problem recorded in the sheet's errors on the way.

        The import reads the file twice: once to check every row (nothing is kept but the keys, to find
        duplicates), and, only if there was no problem, once more to store it chunk by chunk. Each reading
        is its own ``Sheet``, which counts its rows: this importer is one object shared by every import.
        """
        errors = sheet.errors
        first_row: dict[str, int] = {}
        rows: list[tuple[int, dict[str, Any]]] = []
        for number_, raw in sheet:
            values = sheet.parse(number_, raw)
            key = self.row_key(values)
            if key is not None:
                if self.is_example(values, key):
                    errors.add(number_, self.key_header, self.key_text(key), _("这是模板中的示例行，请删除后再导入"))
                    continue
                if key in first_row:
                    errors.add(number_, self.key_header, self.key_text(key),
                               _("与第%(row)s行重复") % {"row": first_row[key]})
                    continue
                first_row[key] = number_
            # a row with a bad cell still goes to the rules, which run on the cells that were read
            rows.append((number_, values))
            if len(rows) >= CHUNK:
                yield self.plan(rows, acting_user, errors)
                rows = []
        if rows:
            yield self.plan(rows, acting_user, errors)
        if not sheet.rows:
            errors.add(1, "", sheet.name, _("文件中没有数据行"))

    @staticmethod
    def given_fields(values: dict[str, Any], defaults: dict[str, tuple[str, Any]], current) -> dict[str, Any]:
        """Model fields from the row. A blank cell (or a column left out of the file) leaves an existing
        record's value as it is — a partial sheet must never reset what it does not mention — and gives a
        new record the default."""
        fields = {}
        for field_name, (key, default) in defaults.items():
            value = values[key]
            if value is None:
                if current is not None:
                    continue
                value = default
            fields[field_name] = value
        return fields

    def upsert(self, plan: Plan, current: models.Model | None, key_value: str, fields: dict[str, Any],
               m2m: tuple[str, list[int] | None] | None = None) -> None:
        """Add the row to the plan: a new record, an update with its changes, or unchanged.

        ``m2m`` is (relation, wanted ids); ids None (a blank cell) leave an existing record's relation as is.
        """
        name, wanted = m2m if m2m else ("", None)
        if current is None:
            obj = self.model(**{self.key: key_value}, **fields)
            plan.create.append(obj)
        else:
            obj = current
            changes = {k: [getattr(current, k), v] for k, v in fields.items() if getattr(current, k) != v}
            for k, (_old, new) in changes.items():
                setattr(current, k, new)
            if wanted is not None:
                have = sorted(getattr(current, name).values_list("pk", flat=True))
                if have != wanted:
                    changes[name] = [have, wanted]
            if changes:
                plan.update.append((current, changes))
            else:
                plan.unchanged += 1
        if m2m:
            plan.m2m.append((obj, name, wanted or []))

    def jurisdictions(self, acting_user) -> dict[str, Jurisdiction]:
        # per chunk: a few dozen rows per city, cheaper than keeping state between chunks
        scoped = Jurisdiction.objects.all() if acting_user is None else Jurisdiction.objects.editable_by(acting_user)
        found = {}
        for jurisdiction in scoped:
            found[jurisdiction.code] = jurisdiction
            found.setdefault(jurisdiction.name, jurisdiction)
        return found

    def existing(self, keys: Iterable[str]) -> dict[str, models.Model]:
        keys = sorted(set(keys))
        found: dict[str, models.Model] = {}
        for start in range(0, len(keys), 2000):
            found.update((getattr(o, self.key), o)
                         for o in self.model.objects.filter(**{f"{self.key}__in": keys[start:start + 2000]}))
        return found

    def check_jurisdiction(self, number_: int, values: Values, places: dict[str, Jurisdiction], errors: Errors,
                           header: str = "行政区划代码") -> Jurisdiction | None:
        """The row's jurisdiction if it is in the importer's scope; None (with an error unless the cell
        itself could not be read) otherwise."""
        if not values.has("jurisdiction"):
            return None
        place = places.get(values["jurisdiction"])
        if place is None:
            errors.add(number_, header, values["jurisdiction"],
                       _("没有这个行政区划代码或名称，或它不在您的管辖范围内"))
        return place

    def check_existing_scope(self, number_: int, obj: models.Model | None, acting_user, errors: Errors) -> bool:
        if obj is None or acting_user is None or acting_user.is_superuser:
            return True
        if self.model.objects.editable_by(acting_user).filter(pk=obj.pk).exists():
            return True
        if self.model.objects.visible_to(acting_user).filter(pk=obj.pk).exists():
            # one he reads (the city's check items, for a county): his pages name its jurisdiction too
            message = _("该记录属于%(place)s，您可以查看，但无权修改") % {"place": obj.jurisdiction.name}
        else:
            message = str(self.taken_elsewhere)
        errors.add(number_, self.key_header, getattr(obj, self.key), message)
        return False


# On a first import the departments and specialties are new to whoever fills in the workbook: the error names the
# ones there are (or says none are yet, and where they are made), so the cell can be corrected without a search.
KNOWN_SHOWN = 10


def _known(names: list[str]) -> str:
    shown = join_sep(names[:KNOWN_SHOWN])
    return shown + (_("等%(n)d个") % {"n": len(names)} if len(names) > KNOWN_SHOWN else "")


def unknown_department(place: Jurisdiction, departments: dict) -> str:
    """The error of a department the row's jurisdiction does not have (``departments``: (jurisdiction id, name))."""
    names = sorted(name for (jurisdiction_id, name) in departments if jurisdiction_id == place.pk)
    if not names:
        return _("%(place)s还没有科室：请先在“更多 → 科室”中新增") % {"place": place.name}
    return _("%(place)s没有这个科室，现有：%(names)s") % {"place": place.name, "names": _known(names)}


def unknown_specialty(specialties: dict) -> str:
    """The error of a specialty not among ``specialties`` (by name and by code)."""
    names = sorted({specialty.name for specialty in specialties.values()})
    if not names:
        return _("未知的业务专长：系统中还没有业务专长，请超级管理员先在管理后台录入")
    return _("未知的业务专长，现有：%(names)s") % {"names": _known(names)}

def _certificate_expiry_example() -> date:
    """The end of the year after next: a fixed date would in time show the template's own example as an
    expired certificate."""
    return date(localdate().year + 2, 12, 31)


def _jurisdiction_column(example: str = "130608") -> Column:
    return Column("jurisdiction", "行政区划代码", text(64), example=example,
                  note="6位行政区划代码或行政区名称，须在您的管辖范围内")


class TargetImporter(RegistryImporter):
    kind = "targets"
    label = "检查对象名录库"
    title = gettext_lazy("检查对象名录库")
    model = Target
    key = "credit_code"
    key_header = "统一社会信用代码"
    taken_elsewhere = gettext_lazy("该代码已登记在其他行政区的名录库中，不能在此新增或修改；"
                                   "企业迁入本辖区的，请联系市局调整")
    columns = (
        Column("credit_code", "统一社会信用代码", credit_code, example="91130608MA0A0000X0",
               note="18位，按GB 32100-2015校验；已存在的代码将更新该对象"),
        Column("name", "单位名称", text(128), example="保定市示例化工有限公司"),
        _jurisdiction_column(),
        Column("address", "地址", text(255), required=False, example="清苑区示例路1号"),
        Column("industry_code", "行业代码", industry_code, required=False, example="C2614", note="GB/T 4754，如C2614"),
        Column("industry_name", "行业名称", text(64), required=False, example="有机化学原料制造"),
        Column("longitude", "经度", coordinate(*LONGITUDE), required=False, example=115.4901),
        Column("latitude", "纬度", coordinate(*LATITUDE), required=False, example=38.7701),
        Column("legal_representative", "法定代表人", text(64), required=False, example="张某"),
        Column("contact_name", "联系人", text(64), required=False, example="李某"),
        Column("contact_phone", "联系电话", phone, required=False, example="0312-0000000"),
        Column("permit_number", "排污许可证编号", text(64), required=False, example="91130608MA0A0000X0001P"),
        Column("category", "监管类别", choice(Category, {"一般": "general", "重点": "key", "特殊": "special"}),
               required=False, example="一般排污单位", options=tuple(str(c) for c in Category.labels),
               note="不填为一般排污单位；类别变化记入变更历史"),
        Column("positive_list", "正面清单", yes_no, required=False, example="否", options=("是", "否")),
        Column("status", "状态", choice(TargetStatus, {"注销": "defunct", "关停": "defunct"}), required=False,
               example="在营", options=tuple(str(c) for c in TargetStatus.labels)),
        Column("defunct_date", "注销/关停日期", past_day, required=False, note="状态为已注销/关停时必填"),
        Column("defunct_reason", "注销/关停原因", text(255), required=False),
        Column("outlets", "排口", outlets, required=False, example="DA001:废气:在线；DW001:废水",
               note="编号:类型[:在线]，多个用分号分隔；只新增，不删除已有排口"),
    )

    DEFAULTS = {name: (name, default) for name, default in (
        ("name", ""), ("address", ""), ("industry_code", ""), ("industry_name", ""), ("longitude", None),
        ("latitude", None), ("legal_representative", ""), ("contact_name", ""), ("contact_phone", ""),
        ("permit_number", ""), ("category", Category.GENERAL), ("positive_list", False),
        ("status", TargetStatus.ACTIVE), ("defunct_date", None), ("defunct_reason", ""))}

    EXPORTED = ("credit_code", "name", "jurisdiction__code", "address", "industry_code", "industry_name",
                "longitude", "latitude", "legal_representative", "contact_name", "contact_phone", "permit_number",
                "category", "positive_list", "status", "defunct_date", "defunct_reason")
    """The fields of the export's columns, in their order; the outlets make the last column."""
    _CATEGORY = EXPORTED.index("category")
    _POSITIVE = EXPORTED.index("positive_list")
    _STATUS = EXPORTED.index("status")

    def export_rows(self, queryset: models.QuerySet) -> Iterator[list[Any]]:
        # Plain values, and each chunk's outlets in one query of their own: model instances and the
        # prefetch's queryset per target were a third of the city's export (12,000 targets).
        chunk: list[tuple] = []
        for values in queryset.values_list("pk", *self.EXPORTED).iterator(chunk_size=CHUNK):
            chunk.append(values)
            if len(chunk) == CHUNK:
                yield from self._export_chunk(chunk)
                chunk = []
        yield from self._export_chunk(chunk)

    def _export_chunk(self, chunk: list[tuple]) -> Iterator[list[Any]]:
        outlets: dict[int, list[str]] = {}
        kinds = {kind: label(Outlet.Kind, kind) for kind in Outlet.Kind.values}
        for target, code, kind, online in Outlet.objects.filter(target__in=[values[0] for values in chunk]) \
                .order_by("target_id", "code").values_list("target_id", "code", "kind", "online_monitored"):
            outlets.setdefault(target, []).append(f"{code}:{kinds[kind]}{':在线' if online else ''}")
        categories = {value: label(Category, value) for value in Category.values}
        statuses = {value: label(TargetStatus, value) for value in TargetStatus.values}
        for pk, *values in chunk:
            values[self._CATEGORY] = categories.get(values[self._CATEGORY], values[self._CATEGORY] or "")
            values[self._POSITIVE] = "是" if values[self._POSITIVE] else "否"
            values[self._STATUS] = statuses.get(values[self._STATUS], values[self._STATUS] or "")
            values.append("；".join(outlets.get(pk, ())))
            yield values

    def plan(self, rows, acting_user, errors: Errors) -> Plan:
        places = self.jurisdictions(acting_user)
        existing = self.existing(v["credit_code"] for _n, v in rows if v.has("credit_code"))
        plan = Plan(Target)
        plan.outlets = []
        for number_, values in rows:
            before = errors.total
            place = self.check_jurisdiction(number_, values, places, errors)
            # Without a readable credit code nobody can tell a new target from a stored one, so the rules
            # that fall back to the stored record for a blank cell are left until the code is fixed.
            known = values.has("credit_code")
            current = existing.get(values["credit_code"]) if known else None
            if known:
                self.check_existing_scope(number_, current, acting_user, errors)
            if known and values.has("status", "defunct_date"):
                status = values["status"] or (current.status if current else TargetStatus.ACTIVE)
                defunct_date = values["defunct_date"] or (current.defunct_date if current else None)
                if status == TargetStatus.DEFUNCT and not defunct_date:
                    errors.add(number_, "注销/关停日期", None, _("状态为已注销/关停时必填"))
                if status != TargetStatus.DEFUNCT and (values["defunct_date"] or values.get("defunct_reason")):
                    # Stored as "在营", the date and reason were dropped without a word.
                    errors.add(number_, "注销/关停日期", values["defunct_date"],
                               _("状态为在营时不填注销/关停日期和原因；对象已注销/关停的，请把状态填为已注销/关停"))
            if errors.total > before or not values.complete or place is None:
                continue
            fields = self.given_fields(values, self.DEFAULTS, current)
            fields["jurisdiction_id"] = place.pk
            if fields.get("status", current.status if current else TargetStatus.ACTIVE) != TargetStatus.DEFUNCT:
                fields.update(defunct_date=None, defunct_reason="")
            self.upsert(plan, current, values["credit_code"], fields)
            for outlet in values["outlets"] or ():
                plan.outlets.append((values["credit_code"], outlet))
        return plan


class InspectorImporter(RegistryImporter):
    DEFAULTS = {name: (name, default) for name, default in (
        ("name", ""), ("certificate_expiry", None), ("qualifications", ""), ("status", InspectorStatus.ACTIVE),
        ("is_double_random", True), ("is_external", False), ("external_kind", ""), ("organisation", ""),
        ("phone", ""))}
    kind = "inspectors"
    label = "检查人员名录库"
    title = gettext_lazy("检查人员名录库")
    model = Inspector
    key = "certificate_number"
    key_header = "执法证号"
    taken_elsewhere = gettext_lazy("该执法证号已登记在其他行政区的检查人员名录库中，不能在此新增或修改；"
                                   "人员调入本辖区的，请联系市局调整")
    columns = (
        Column("name", "姓名", text(64), example="王某"),
        Column("certificate_number", "执法证号", text(32), example="13060800001",
               note="执法人员的执法证号；外部专家填专家库编号；已存在的证号将更新该人员"),
        Column("certificate_expiry", "执法证有效期至", day, required=False, example=_certificate_expiry_example,
               note="执法人员必填；外部专家可不填"),
        _jurisdiction_column(),
        Column("department", "科室", text(64), example="执法大队", note="该行政区的科室名称"),
        Column("qualifications", "执法资质", text(255), required=False, example="行政执法证"),
        Column("specialties", "业务专长", names, required=False, example="大气、固体废物",
               note="专长名称或编码，多个用顿号分隔"),
        Column("status", "状态", choice(InspectorStatus), required=False, example="在岗",
               options=tuple(str(c) for c in InspectorStatus.labels)),
        Column("is_double_random", "双随机执法人员", yes_no, required=False, example="是", options=("是", "否")),
        Column("is_external", "外部专家", yes_no, required=False, example="否", options=("是", "否")),
        Column("external_kind", "专家类型", choice(ExternalKind), required=False,
               options=tuple(str(c) for c in ExternalKind.labels)),
        Column("organisation", "工作单位", text(128), required=False),
        Column("phone", "联系电话", phone, required=False, note="内部使用，不公开"),
    )

    def export_row(self, i: Inspector) -> list[Any]:
        # the phone as the reader may see it (views_excel.with_shown_phone); rows without it are read in full
        return [i.name, i.certificate_number, i.certificate_expiry, i.jurisdiction.code, i.department.name,
                i.qualifications, "、".join(s.name for s in i.specialties.all()), label(InspectorStatus, i.status),
                "是" if i.is_double_random else "否", "是" if i.is_external else "否",
                label(ExternalKind, i.external_kind), i.organisation, getattr(i, "shown_phone", i.phone)]

    @staticmethod
    def login_follows(number_: int, values: Values, moved: Inspector, errors: Errors) -> bool:
        """An officer moved to another jurisdiction takes his login along (``_store_registry_plan``); a login whose
        role cannot follow is the row's error, as on the officer's page."""
        from shuangsuiji.accounts.services import moved_login  # accounts builds on the registry

        try:
            moved_login(moved)
        except ValidationError as error:
            errors.add(number_, "行政区划代码", values["jurisdiction"], error.message_dict["jurisdiction"][0])
            return False
        return True

    def plan(self, rows, acting_user, errors: Errors) -> Plan:
        places = self.jurisdictions(acting_user)
        departments = {(d.jurisdiction_id, d.name): d for d in Department.objects.filter(
            jurisdiction__in={p.pk for p in places.values()})}
        specialties = {}
        for s in Specialty.objects.all():
            specialties[s.name] = s
            specialties[s.code] = s
        existing = self.existing(v["certificate_number"] for _n, v in rows if v.has("certificate_number"))
        plan = Plan(Inspector)
        plan.m2m = []
        for number_, values in rows:
            before = errors.total
            place = self.check_jurisdiction(number_, values, places, errors)
            # without a readable certificate number, a blank cell's stored value is unknown (as for targets)
            known = values.has("certificate_number")
            current = existing.get(values["certificate_number"]) if known else None
            if known:
                self.check_existing_scope(number_, current, acting_user, errors)
            department = None
            if place is not None and values.has("department"):
                department = departments.get((place.pk, values["department"]))
                if department is None:
                    errors.add(number_, "科室", values["department"], unknown_department(place, departments))
            if values.has("specialties"):
                unknown = [s for s in values["specialties"] or () if s not in specialties]
                if unknown:
                    errors.add(number_, "业务专长", "、".join(unknown), unknown_specialty(specialties))
            if known and values.has("is_external"):
                external = values["is_external"] if values["is_external"] is not None else (
                    current.is_external if current else False)
                if not external and values.has("certificate_expiry") and not (
                        values["certificate_expiry"] or (current.certificate_expiry if current else None)):
                    errors.add(number_, "执法证有效期至", None, _("执法人员必填"))
                if external and values.has("external_kind") and not (
                        values["external_kind"] or (current.external_kind if current else "")):
                    errors.add(number_, "专家类型", None, _("外部专家必填"))
            if errors.total > before or not values.complete or department is None:
                continue
            if current is not None and current.jurisdiction_id != place.pk and not self.login_follows(
                    number_, values, Inspector(pk=current.pk, name=current.name, jurisdiction=place,
                                               department=department), errors):
                continue
            fields = self.given_fields(values, self.DEFAULTS, current)
            fields.update(jurisdiction_id=place.pk, department_id=department.pk)
            wanted = sorted({specialties[s].pk for s in values["specialties"] or ()})
            self.upsert(plan, current, values["certificate_number"], fields,
                        ("specialties", wanted if values["specialties"] is not None or current is None else None))
        return plan


class CheckItemImporter(RegistryImporter):
    DEFAULTS = {name: (name, default) for name, default in (
        ("name", ""), ("legal_basis", ""), ("content", ""), ("check_method", "现场检查"),
        ("industries", ""), ("is_active", True))}
    kind = "items"
    label = "随机抽查事项清单"
    title = gettext_lazy("随机抽查事项清单")
    model = CheckItem
    key = "code"
    key_header = "事项编码"
    taken_elsewhere = gettext_lazy("该事项编码已被其他行政区的抽查事项使用，请为本行政区的事项换用其他编码")
    CATEGORY_NAMES = {"一般": "general", "一般排污单位": "general", "重点": "key", "重点排污单位": "key",
                      "特殊": "special", "特殊监管对象": "special"}
    columns = (
        Column("code", "事项编码", text(32), example="BD-HJ-001", note="已存在的编码将更新该事项"),
        Column("name", "抽查事项", text(128), example="排污许可制度执行情况"),
        Column("legal_basis", "检查依据", text(5000), example="《排污许可管理条例》第三十四条"),
        Column("content", "检查内容", text(5000), example="是否按证排污、是否按规定提交执行报告"),
        _jurisdiction_column("130600"),
        Column("list_level", "清单层级", choice(Level), required=False, example="市级",
               options=tuple(str(c) for c in Level.labels),
               note="与行政区划代码的层级一致（市级行政区的事项为市级，县级的为县级）；不填按行政区确定"),
        Column("responsible_department", "责任科室", text(64), example="环境影响评价与排放管理处"),
        Column("cooperating_departments", "配合科室", names, required=False, example="生态环境综合执法支队"),
        Column("categories", "适用类别", names, required=False, example="一般、重点、特殊",
               note="一般、重点、特殊中的一项或多项；不填为全部"),
        Column("industries", "适用行业", industry_scope, required=False, example="所有行业",
               note="国民经济行业分类（GB/T 4754-2017）代码或其开头，多个用空格、逗号或顿号隔开，如 M7452、B E、C26；"
                    "行业代码以其中之一开头的检查对象才检查本事项。填“所有行业”为适用所有行业；"
                    "不填：新事项适用所有行业，已有事项保持原值"),
        Column("specialty", "所需专长", text(64), required=False, example=""),
        Column("check_method", "检查方式", text(32), required=False, example="现场检查"),
        Column("is_active", "在用", yes_no, required=False, example="是", options=("是", "否")),
    )

    def export_row(self, c: CheckItem) -> list[Any]:
        labels = {"general": "一般", "key": "重点", "special": "特殊"}
        return [c.code, c.name, c.legal_basis, c.content, c.jurisdiction.code, label(Level, c.list_level),
                c.responsible_department.name, "、".join(d.name for d in c.cooperating_departments.all()),
                "、".join(labels[x] for x in c.categories), c.industries or ALL_INDUSTRIES,
                c.specialty.name if c.specialty else "", c.check_method, "是" if c.is_active else "否"]

    def plan(self, rows, acting_user, errors: Errors) -> Plan:
        places = self.jurisdictions(acting_user)
        departments = {}
        for d in Department.objects.select_related("jurisdiction"):
            departments.setdefault(d.name, []).append(d)
        specialties = {s.name: s for s in Specialty.objects.all()} | {s.code: s for s in Specialty.objects.all()}
        existing = self.existing(v["code"] for _n, v in rows if v.has("code"))
        plan = Plan(CheckItem)
        plan.m2m = []
        for number_, values in rows:
            before = errors.total
            place = self.check_jurisdiction(number_, values, places, errors)
            current = existing.get(values["code"]) if values.has("code") else None
            self.check_existing_scope(number_, current, acting_user, errors)
            chain = place.path if place is not None else None

            def department(name: str, header: str, number_=number_, chain=chain):
                # the nearest department of that name on the way up from the item's jurisdiction
                found = [d for d in departments.get(name, ()) if chain.startswith(d.jurisdiction.path)]
                if not found:
                    errors.add(number_, header, name, _("本行政区及上级没有这个科室"))
                    return None
                return max(found, key=lambda d: len(d.jurisdiction.path))

            # the departments are looked up from the item's jurisdiction: without it they cannot be checked
            if chain is not None and values.has("responsible_department"):
                responsible = department(values["responsible_department"], "责任科室")
            if chain is not None and values.has("cooperating_departments"):
                cooperating = [department(n, "配合科室") for n in values["cooperating_departments"] or ()]
            if values.has("categories"):
                categories = [self.CATEGORY_NAMES.get(n) for n in values["categories"] or ()]
                if None in categories:
                    errors.add(number_, "适用类别", "、".join(values["categories"]),
                               _("应为一般、重点、特殊中的一项或多项"))
            if values.has("specialty"):
                specialty = specialties.get(values["specialty"]) if values["specialty"] else None
                if values["specialty"] and specialty is None:
                    errors.add(number_, "所需专长", values["specialty"], unknown_specialty(specialties))
            # 实施方案 三(一): each bureau draws up its own level's list (本级清单) on the province's, so an item's
            # list is the level of the jurisdiction that made it; a cell saying otherwise is a mistake in the file.
            level = values["list_level"] if values.has("list_level") else None
            if place is not None and level is not None and level != place.level:
                errors.add(number_, "清单层级", label(Level, level), list_level_mismatch(place))
            if errors.total > before or not values.complete or place is None:
                continue
            fields = self.given_fields(values, self.DEFAULTS, current)
            # blank or not, the level follows the jurisdiction: an item moved to a county is on the county's list
            fields.update(jurisdiction_id=place.pk, responsible_department_id=responsible.pk, list_level=place.level)
            if categories or current is None:
                applies = set(categories) or {"general", "key", "special"}
                fields.update(applies_general="general" in applies, applies_key="key" in applies,
                              applies_special="special" in applies)
            if specialty is not None:
                fields["specialty_id"] = specialty.pk
            wanted = sorted({d.pk for d in cooperating})
            given = values["cooperating_departments"] is not None or current is None
            self.upsert(plan, current, values["code"], fields, ("cooperating_departments", wanted if given else None))
        return plan


def for_reading_only(value: Any) -> None:
    """A column the export fills for the reader (a name beside its key); the import never reads it, so an
    outdated name in a re-imported file neither fails nor changes anything."""
    return None


class RecusalImporter(RegistryImporter):
    """回避名单: one row per (inspector, target) pair, the inspector by his certificate number (the
    inspectors' key) and the target by its credit code. Rows create pairs or give a stored pair a new
    reason, each through ``services.do_set_recusal`` like the inspector's page; an import never removes a
    recusal (a file that leaves a pair out is not a decision to lift it: that stays on the inspector's page)."""

    kind = "recusals"
    label = "回避名单"
    title = gettext_lazy("回避名单")
    model = Recusal
    key = "credit_code"  # with the certificate number: the pair is the key (row_key)
    key_header = "统一社会信用代码"
    columns = (
        Column("certificate_number", "执法证号", text(32), example="13060800001",
               note="检查人员名录库中该执法人员的执法证号（外部专家为专家库编号）"),
        Column("credit_code", "统一社会信用代码", credit_code, example="91130608MA0A0000X0",
               note="检查对象名录库中回避对象的代码；须在该执法人员所属行政区内"),
        Column("reason", "回避理由", text(255), example="近亲属在该单位任职",
               note="已有的回避（同一执法人员、同一对象）将更新回避理由，并记入变更历史"),
        Column("inspector_name", "执法人员姓名", for_reading_only, required=False, example="王某",
               note="导出时填写，仅供核对，导入时不读取"),
        Column("target_name", "单位名称", for_reading_only, required=False, example="保定市示例化工有限公司",
               note="导出时填写，仅供核对，导入时不读取"),
    )
    template_note = ("每行是一名执法人员对一个检查对象的回避，以（执法证号，统一社会信用代码）识别：再次导入同一对"
                     "会更新回避理由。导入只新增或更新，不会解除任何回避；解除回避请在该执法人员的页面操作。"
                     "第2行是示例，导入前请删除。文件有任何错误时不会导入任何数据。")

    @property
    def example_key(self) -> tuple[str, str]:
        return self.columns[0].example_value, self.columns[1].example_value

    def row_key(self, values: Values) -> tuple[str, str] | None:
        if not values.has("certificate_number", "credit_code"):
            return None
        return values["certificate_number"], values["credit_code"]

    def key_text(self, key: tuple[str, str]) -> str:
        return key[1]

    def export_row(self, r: Recusal) -> list[Any]:
        # the reason as the reader may see it (views_excel.with_shown_reason); rows without it are read in full
        return [r.inspector.certificate_number, r.target.credit_code, getattr(r, "shown_reason", r.reason),
                r.inspector.name, r.target.name]

    def plan(self, rows, acting_user, errors: Errors) -> Plan:
        numbers = sorted({v["certificate_number"] for _n, v in rows if v.has("certificate_number")})
        codes = sorted({v["credit_code"] for _n, v in rows if v.has("credit_code")})
        # Only those the importer keeps: one outside his jurisdiction is answered as one that does not exist
        # (DESIGN §5), where "not in your jurisdiction" told him that the number or the code is another
        # county's. A recusal bars an officer from a target of his own area, so nothing of another is needed.
        if acting_user is None:
            scope_inspectors, scope_targets = Inspector.objects.all(), Target.objects.all()
        else:
            scope_inspectors = Inspector.objects.editable_by(acting_user)
            scope_targets = Target.objects.editable_by(acting_user)
        inspectors = {i.certificate_number: i for i in scope_inspectors.filter(certificate_number__in=numbers)
                      .select_related("jurisdiction")}
        targets = {t.credit_code: t for t in scope_targets.filter(credit_code__in=codes)
                   .select_related("jurisdiction")}
        existing = {(r.inspector_id, r.target_id): r for r in Recusal.objects.filter(
            inspector__in=[i.pk for i in inspectors.values()], target__in=[t.pk for t in targets.values()])}
        plan = Plan(Recusal)
        for number_, values in rows:
            before = errors.total
            inspector = target = None
            if values.has("certificate_number"):
                inspector = inspectors.get(values["certificate_number"])
                if inspector is None:
                    errors.add(number_, "执法证号", values["certificate_number"],
                               _("您管辖范围内的检查人员名录库中没有这个执法证号"))
            if values.has("credit_code"):
                target = targets.get(values["credit_code"])
                if target is None:
                    errors.add(number_, "统一社会信用代码", values["credit_code"],
                               _("您管辖范围内的检查对象名录库中没有该统一社会信用代码的对象"))
            # the rule of the inspector's page (and of do_set_recusal): the draw only sends an inspector to
            # targets of his own area, so a recusal elsewhere would bar him from nothing
            if inspector is not None and target is not None and \
                    not target.jurisdiction.path.startswith(inspector.jurisdiction.path):
                errors.add(number_, "统一社会信用代码", values["credit_code"],
                           _("该检查对象属于%(target)s，不在执法人员%(name)s所属的%(inspector)s内") % {
                               "target": target.jurisdiction.name, "name": inspector.name,
                               "inspector": inspector.jurisdiction.name})
            if errors.total > before or not values.complete:
                continue
            current = existing.get((inspector.pk, target.pk))
            if current is None:
                plan.create.append(Recusal(inspector=inspector, target=target, reason=values["reason"]))
            elif current.reason != values["reason"]:
                plan.update.append((current, {"reason": [current.reason, values["reason"]]}))
            else:
                plan.unchanged += 1
        return plan


IMPORTERS: dict[str, RegistryImporter] = {i.kind: i for i in (TargetImporter(), InspectorImporter(),
                                                              CheckItemImporter(), RecusalImporter())}


def export_workbook(importer: RegistryImporter, queryset: models.QuerySet) -> bytes:
    """The rows as the import template lays them out, written in streaming mode (flat memory)."""
    book = Workbook(write_only=True)
    # In the system's language whoever exports: the labels are the template's, so the file imports again (an
    # English session wrote "Key unit" and "Active", which the import refuses).
    with system_language():
        sheet = streaming_sheet(book, str(importer.label)[:31])
        sheet.append([_header_cell(sheet, column.header, column.required) for column in importer.columns])
        for row in importer.export_rows(queryset):
            sheet.append(as_text(sheet, row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _header_cell(sheet, title: str, required: bool) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=title)
    cell.font = Font(bold=True, color="C00000" if required else "000000")
    cell.fill = PatternFill("solid", fgColor="E2EFDA")
    return cell

