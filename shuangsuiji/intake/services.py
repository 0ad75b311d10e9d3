"""Service functions of intake: the only way outside data and classifications change (DESIGN §5).

Each ``do_*`` function runs in one transaction, checks who may do it (``intake.permissions``),
validates, saves and writes its audit event. Views, imports, management commands and the demo seed
all call these; fieldwork calls ``do_record_penalty`` when a case ends in a penalty decision.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from shuangsuiji.audit.models import Event
from shuangsuiji.audit.services import PendingEvent, record_event, record_events, system_language
from shuangsuiji.engine import policy as policies
from shuangsuiji.engine.policy import Policy
from shuangsuiji.engine.workdays import previous_quarter
from shuangsuiji.intake import rules
from shuangsuiji.intake.importers import Plan, ReadingsPlan, importer_for
from shuangsuiji.intake.models import (
    Classification,
    ClassificationRun,
    Clue,
    ClueSource,
    ClueStatus,
    Complaint,
    Exceedance,
    KeyUnit,
    MonitoringImport,
    Penalty,
    PositiveListEntry,
    Source,
)
from shuangsuiji.intake.permissions import (
    ensure_admin_of,
    ensure_can_record,
    ensure_can_report_clue,
    ensure_not_self,
)
from shuangsuiji.punctuation import join_sep
from shuangsuiji.registry.models import Department, Jurisdiction, Level, Target, TargetStatus
from shuangsuiji.registry.services import (
    CategoryChange,
    changed_fields,
    do_apply_categories,
    field_values,
    queue_imports,
)
from shuangsuiji.validators import document_number

Progress = Callable[..., Iterable]


def no_progress(iterable: Iterable, **_: Any) -> Iterable:
    return iterable


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# --- single records ----------------------------------------------------------------------------------------


def _save(obj: models.Model, *, acting_user, reason: str, check: Callable[[Any, Jurisdiction], None]) -> Any:
    """Validate and save a target-bound record with its audit event; ``check`` guards old and new scope."""
    creating = obj._state.adding
    if getattr(obj, "target_id", None) is not None:
        check(acting_user, obj.target.jurisdiction)
    obj.full_clean()
    before: dict[str, Any] = {}
    if not creating:
        stored = type(obj).objects.select_for_update().select_related("target__jurisdiction").get(pk=obj.pk)
        check(acting_user, stored.target.jurisdiction)
        before = field_values(stored)
    changes = changed_fields(before, field_values(obj))
    if not creating and not changes:
        return obj
    obj.save()
    record_events([PendingEvent(f"{type(obj)._meta.model_name}.{'create' if creating else 'update'}", obj,
                                obj.target.jurisdiction_id, changes, reason)], actor=acting_user)
    return obj


def _check_department(penalty: Penalty) -> None:
    if penalty.department_id is None or penalty.target_id is None:
        return
    if not penalty.target.jurisdiction.path.startswith(penalty.department.jurisdiction.path):
        raise ValidationError({"department": _("作出处罚的科室应属于该对象所在行政区或其上级生态环境部门")})


@transaction.atomic
def do_save_penalty(penalty: Penalty, *, acting_user, reason: str = "") -> Penalty:
    """Create or correct a penalty decision (admins and department users of the target's scope)."""
    if penalty._state.adding and penalty.created_by_id is None and acting_user is not None:
        penalty.created_by = acting_user
    penalty.decision_number = document_number(penalty.decision_number)  # before the uniqueness check
    _check_department(penalty)
    return _save(penalty, acting_user=acting_user, reason=reason, check=ensure_can_record)


@transaction.atomic
def do_record_penalty(*, target: Target, decision_number: str, decided_on: date, department: Department,
                      violation: str, acting_user, amount: Decimal | None = None, source: str = Source.FIELDWORK,
                      source_reference: str = "") -> Penalty:
    """Record a penalty decision, e.g. when a fieldwork case ends in 立案处罚 and the decision is issued.

    ``source_reference`` names where it came from (the inspection record's number); ``acting_user`` must
    be an admin or department user of the target's scope, or None for the system.
    """
    penalty = Penalty(target=target, decision_number=decision_number.strip(), decided_on=decided_on,
                      department=department, violation=violation, amount=amount, source=source,
                      source_reference=source_reference)
    return do_save_penalty(penalty, acting_user=acting_user, reason=gettext_lazy("录入行政处罚决定"))


@transaction.atomic
def do_save_complaint(complaint: Complaint, *, acting_user, reason: str = "") -> Complaint:
    """Create or correct a complaint (admins and department users of the target's scope)."""
    if complaint._state.adding and complaint.created_by_id is None and acting_user is not None:
        complaint.created_by = acting_user
    return _save(complaint, acting_user=acting_user, reason=reason, check=ensure_can_record)


def _gone(record: models.Model, action: str, key: str, value: Any) -> ValidationError:
    """The refusal for a record deleted by someone else a moment ago (two admins, two tabs): who and when, from
    the deletion's event on the target (matched in Python: SQLite has no JSON containment lookup)."""
    events = Event.objects.filter(action=action, object_id=str(record.target_id)).order_by("-id")
    event = next((e for e in events if str((e.changes.get(key) or [None])[0]) == str(value)), None)
    if event is None:
        return ValidationError(_("“%(record)s”已被删除，请刷新后查看") % {"record": record}, code="gone")
    return ValidationError(_("“%(record)s”已由%(who)s于%(when)s删除") % {
        "record": record, "who": event.actor_name or _("系统"),
        "when": timezone.localtime(event.occurred_at).strftime("%Y-%m-%d %H:%M")}, code="gone")


def _delete(model: type[models.Model], record: models.Model, *, acting_user, reason: str, kept: tuple[str, ...],
            in_use: str, refuse: Callable[[Any], str | None] = lambda stored: None) -> None:
    """Delete a record entered by mistake (twice under two numbers, for the wrong target): its event, on the
    target, keeps the ``kept`` fields (an attribute name, or a method of the record giving a text), since the
    record itself is gone. ``in_use`` says why a record another one refers to stays; ``refuse`` gives the reason
    a record may not be deleted at all, read from the locked row."""
    if not reason.strip():
        raise ValidationError({"reason": _("请填写删除的理由")})
    stored = model.objects.select_for_update().select_related("target__jurisdiction").filter(pk=record.pk).first()
    if stored is None:  # deleted by someone else while this waited for the row (a 500 before)
        first = kept[0]
        value = getattr(record, first) if first in {f.attname for f in model._meta.concrete_fields} \
            else getattr(record, first)()
        raise _gone(record, f"{model._meta.model_name}.delete", first, value)
    ensure_can_record(acting_user, stored.target.jurisdiction)
    refusal = refuse(stored)
    if refusal:
        raise ValidationError(refusal)
    values = field_values(stored)
    kept_values = {name: [values[name] if name in values else getattr(stored, name)(), None] for name in kept}
    try:
        stored.delete()
    except models.ProtectedError as error:
        raise ValidationError(in_use) from error
    record_events([PendingEvent(f"{model._meta.model_name}.delete", stored.target, stored.target.jurisdiction_id,
                                kept_values, reason.strip())], actor=acting_user)


@transaction.atomic
def do_delete_penalty(penalty: Penalty, *, acting_user, reason: str) -> None:
    """Delete a penalty entered by mistake (admins and department users of the target's scope)."""
    _delete(Penalty, penalty, acting_user=acting_user, reason=reason,
            kept=("decision_number", "decided_on", "violation"),
            in_use=_("该处罚决定已由现场检查的后续处理登记，不能删除；如有错误请修改"))


@transaction.atomic
def do_delete_complaint(complaint: Complaint, *, acting_user, reason: str) -> None:
    """Delete a complaint entered by mistake (admins and department users of the target's scope)."""
    _delete(Complaint, complaint, acting_user=acting_user, reason=reason,
            kept=("reference", "received_on", "content"),
            in_use=_("该举报已关联正面清单企业线索，不能删除；如有错误请修改"))


@transaction.atomic
def do_delete_exceedance(exceedance: Exceedance, *, acting_user, reason: str) -> None:
    """Delete an exceedance recorded by hand by mistake (the wrong outlet, time or value): one the monitoring
    import wrote is corrected by importing that month's readings again, which keeps the import's counts true."""
    def imported(stored: Exceedance) -> str | None:
        if stored.batch_id is None:
            return None
        return _("该超标数据由在线监测数据导入写入，不能单独删除；如有错误，请重新导入该时段的监测数据更正")

    _delete(Exceedance, exceedance, acting_user=acting_user, reason=reason,
            kept=("outlet_label", "pollutant", "measured_at", "value", "limit"), in_use="", refuse=imported)


@transaction.atomic
def do_record_exceedance(exceedance: Exceedance, *, acting_user) -> Exceedance:
    """Record one exceedance by hand (an alarm of the monitoring platform, a reading not yet exported).

    Readings arrive in bulk through the import; this is for the single one an officer has in front of
    him. The same (outlet, pollutant, time) cannot be recorded twice.
    """
    if exceedance.outlet_id is not None:
        exceedance.target = exceedance.outlet.target
    if exceedance.value is not None and exceedance.limit is not None and exceedance.value <= exceedance.limit:
        raise ValidationError({"value": _("监测值不大于标准限值，不是超标数据")})
    if exceedance.limit is not None and exceedance.limit <= 0:
        raise ValidationError({"limit": _("应大于0")})
    return _save(exceedance, acting_user=acting_user, reason=gettext_lazy("手工录入在线监测超标数据"),
                 check=ensure_can_record)


@transaction.atomic
def do_save_key_unit(unit: KeyUnit, *, acting_user, reason: str = "") -> KeyUnit:
    """Put a target on a year's 重点排污单位名录, or correct its entry (admins of the scope)."""
    if unit._state.adding and unit.created_by_id is None and acting_user is not None:
        unit.created_by = acting_user
    return _save(unit, acting_user=acting_user, reason=reason, check=ensure_admin_of)


@transaction.atomic
def do_remove_key_unit(unit: KeyUnit, *, acting_user, reason: str) -> None:
    """Take a target off a year's directory (a correction of the published list); the event keeps the entry."""
    if not reason.strip():
        raise ValidationError({"reason": _("请填写移出名录的理由")})
    stored = KeyUnit.objects.select_for_update().select_related("target__jurisdiction").filter(pk=unit.pk).first()
    if stored is None:  # removed by another admin while this waited for the row
        raise _gone(unit, "keyunit.remove", "year", unit.year)
    ensure_admin_of(acting_user, stored.target.jurisdiction)
    record_events([PendingEvent("keyunit.remove", stored.target, stored.target.jurisdiction_id, {
        "year": [stored.year, None], "directory": [stored.directory, None], "kinds": [stored.kinds, None],
    }, reason)], actor=acting_user)
    stored.delete()


def _check_overlap(entry: PositiveListEntry) -> None:
    if entry.target_id is None or entry.start is None:
        return
    others = PositiveListEntry.objects.filter(target_id=entry.target_id).exclude(pk=entry.pk)
    if entry.end is not None:
        others = others.filter(start__lte=entry.end)
    clash = others.filter(Q(end__isnull=True) | Q(end__gte=entry.start)).first()
    if clash is not None:
        raise ValidationError({"start": _("与该对象已有的正面清单期间（%(start)s 至 %(end)s）重叠") % {
            "start": clash.start, "end": clash.end or _("今")}})


@transaction.atomic
def do_save_positive_entry(entry: PositiveListEntry, *, acting_user, reason: str = "") -> PositiveListEntry:
    """Put a target on the 正面清单 for a period, or change the period (e.g. end it), by an admin."""
    if entry._state.adding and entry.created_by_id is None and acting_user is not None:
        entry.created_by = acting_user
    _check_overlap(entry)
    return _save(entry, acting_user=acting_user, reason=reason, check=ensure_admin_of)


def _check_clue(clue: Clue) -> None:
    if clue.target_id is None or clue.found_on is None:
        return
    listed = PositiveListEntry.objects.filter(target_id=clue.target_id, start__lte=clue.found_on).filter(
        Q(end__isnull=True) | Q(end__gte=clue.found_on))
    if not listed.exists():
        raise ValidationError({"target": _("该对象在发现日期（%(day)s）不在正面清单中；线索审批只适用于正面清单企业，"
                                           "其他对象直接按日常监管处理") % {"day": clue.found_on}})
    if clue.source == ClueSource.COMPLAINT and clue.complaint_id is None:
        raise ValidationError({"complaint": _("来源为群众举报的线索须关联举报记录")})
    if clue.complaint_id is not None and clue.complaint.target_id != clue.target_id:
        raise ValidationError({"complaint": _("关联的举报不是针对该对象的")})


@transaction.atomic
def do_report_clue(clue: Clue, *, acting_user) -> Clue:
    """Report a clue against a positive-list target; it waits for the enforcement unit head's decision."""
    if not clue._state.adding:
        raise ValidationError(_("线索提交后不能修改，请由管理员审批"))
    if clue.target_id is not None:
        ensure_can_report_clue(acting_user, clue.target.jurisdiction)
    clue.status = ClueStatus.PENDING
    clue.reported_by = acting_user
    _check_clue(clue)
    clue.full_clean()
    clue.save()
    record_events([PendingEvent("clue.report", clue, clue.target.jurisdiction_id,
                                {"source": [None, clue.source], "found_on": [None, clue.found_on]},
                                clue.description)], actor=acting_user)
    return clue


@transaction.atomic
def do_decide_clue(clue: Clue, *, approve: bool, reason: str, acting_user) -> Clue:
    """审批: the head of the enforcement unit (an admin of the target's scope) approves an on-site check
    of a positive-list target, or refuses it, with his reasons; who and when are recorded. An admin who reported
    the clue himself leaves the decision to another admin (four eyes, ``ensure_not_self``)."""
    stored = Clue.objects.select_for_update().select_related("target__jurisdiction").get(pk=clue.pk)
    ensure_admin_of(acting_user, stored.target.jurisdiction)
    ensure_not_self(acting_user, stored.reported_by, _("不能审批本人报告的线索，请由另一位管理员审批"))
    if stored.status != ClueStatus.PENDING:
        raise ValidationError(_("该线索已由%(who)s于%(when)s审批（%(status)s），不能再次审批") % {
            "who": stored.decided_by.display_name if stored.decided_by else _("系统"),
            "when": timezone.localtime(stored.decided_at).strftime("%Y-%m-%d %H:%M"),
            "status": stored.get_status_display()}, code="decided")
    if not reason.strip():
        raise ValidationError({"decision_reason": _("请填写审批意见")})
    stored.status = ClueStatus.APPROVED if approve else ClueStatus.REJECTED
    stored.decided_by = acting_user
    stored.decided_at = timezone.now()
    stored.decision_reason = reason.strip()
    stored.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    record_events([PendingEvent("clue.approve" if approve else "clue.reject", stored, stored.target.jurisdiction_id,
                                {"status": [ClueStatus.PENDING, stored.status]}, stored.decision_reason)],
                  actor=acting_user)
    return stored


# --- imports -----------------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    """What an import stored, for the page and the command line."""

    kind: str
    label: str
    rows: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    batch: MonitoringImport | None = None

    def summary(self) -> str:
        if self.batch is not None:
            b = self.batch
            text = ngettext("%(rows)s条监测数据（%(outlets)s个排口）：达标%(ok)s条；"
                            "超标新增%(new)s条，已导入过%(known)s条，更正%(updated)s条，更正后不再超标%(withdrawn)s条",
                            "%(rows)s条监测数据（%(outlets)s个排口）：达标%(ok)s条；"
                            "超标新增%(new)s条，已导入过%(known)s条，更正%(updated)s条，更正后不再超标%(withdrawn)s条",
                            b.readings) % {
                "rows": b.readings, "outlets": b.outlets, "ok": b.within_limit, "new": b.exceedances_new,
                "known": b.exceedances_known, "updated": b.exceedances_updated, "withdrawn": b.exceedances_withdrawn}
        else:
            text = ngettext("%(rows)s行：新增%(created)s条，更新%(updated)s条，未变%(unchanged)s条",
                            "%(rows)s行：新增%(created)s条，更新%(updated)s条，未变%(unchanged)s条", self.rows) % {
                "rows": self.rows, "created": self.created, "updated": self.updated, "unchanged": self.unchanged}
            if self.removed:
                text += _("，移出%(removed)s条") % {"removed": self.removed}
        if self.ignored_columns:
            text += _("。已忽略模板以外的列：%(columns)s") % {"columns": join_sep(self.ignored_columns)}
        return text


def _ensure_can_import(acting_user) -> None:
    if acting_user is None or acting_user.is_superuser:
        return
    if acting_user.jurisdiction is None:
        raise PermissionDenied(_("只有管理员可以导入数据"))
    ensure_admin_of(acting_user, acting_user.jurisdiction)


def _store_plan(plan: Plan, kind: str, file_name: str, acting_user) -> ImportResult:
    with system_language():
        reason = _("Excel导入：%(file)s") % {"file": file_name}
        removal = _("替换导入名录：%(file)s") % {"file": file_name}
    label = plan.model._meta.model_name
    create_action = "clue.report" if plan.model is Clue else f"{label}.create"
    plan.model.objects.bulk_create(plan.create, batch_size=1000)
    events = [PendingEvent(create_action, obj, obj.target.jurisdiction_id, changed_fields({}, field_values(obj)),
                           reason) for obj in plan.create]
    if plan.update:
        names = sorted({name for _obj, changes in plan.update for name in changes})
        plan.model.objects.bulk_update([obj for obj, _changes in plan.update], names, batch_size=1000)
        events += [PendingEvent(f"{label}.update", obj, obj.target.jurisdiction_id, changes, reason)
                   for obj, changes in plan.update]
    for unit in plan.remove:
        events.append(PendingEvent("keyunit.remove", unit.target, unit.target.jurisdiction_id, {
            "year": [unit.year, None], "directory": [unit.directory, None], "kinds": [unit.kinds, None]}, removal))
    if plan.remove:
        plan.model.objects.filter(pk__in=[unit.pk for unit in plan.remove]).delete()
    if events:
        record_events(events, actor=acting_user)
    return ImportResult(kind, str(plan.model._meta.verbose_name), plan.rows, len(plan.create), len(plan.update),
                        plan.unchanged, len(plan.remove), plan.ignored_columns)


def _common_jurisdiction(target_ids: Iterable[int], acting_user) -> Jurisdiction:
    """The smallest jurisdiction holding all these targets (a county file lands on the county)."""
    paths = list(Jurisdiction.objects.filter(targets__pk__in=list(target_ids)).values_list("path", flat=True)
                 .distinct())
    if not paths:
        return acting_user.jurisdiction if acting_user is not None and acting_user.jurisdiction_id else \
            Jurisdiction.objects.filter(parent__isnull=True).order_by("path").first()
    common = paths[0]
    for path in paths[1:]:
        while not path.startswith(common):
            common = common[:common[:-1].rfind(".") + 1]
    return Jurisdiction.objects.get(path=common)


def _store_readings(plan: ReadingsPlan, file_name: str, acting_user) -> ImportResult:
    batch = MonitoringImport.objects.create(
        jurisdiction=_common_jurisdiction(plan.target_ids, acting_user), file_name=file_name[:255],
        first_reading=plan.first, last_reading=plan.last, readings=plan.readings, outlets=plan.outlets,
        within_limit=plan.within_limit, exceedances_new=len(plan.create), exceedances_known=plan.known,
        exceedances_updated=len(plan.update), exceedances_withdrawn=len(plan.withdraw), imported_by=acting_user)
    for exceedance in plan.create:
        exceedance.batch = batch
    Exceedance.objects.bulk_create(plan.create, batch_size=5000)
    Exceedance.objects.bulk_update(plan.update, ["value", "limit", "unit"], batch_size=2000)
    withdrawn = [str(e) for e in Exceedance.objects.select_related("outlet").filter(pk__in=plan.withdraw)]
    Exceedance.objects.filter(pk__in=plan.withdraw).delete()
    with system_language():
        reason = _("导入在线监测数据：%(file)s") % {"file": file_name}
    record_event("monitoring.import", actor=acting_user, obj=batch, jurisdiction_id=batch.jurisdiction_id, changes={
        "readings": plan.readings, "outlets": plan.outlets, "within_limit": plan.within_limit,
        "created": len(plan.create), "known": plan.known, "updated": [str(e) for e in plan.update],
        "withdrawn": withdrawn}, reason=reason)
    return ImportResult("exceedances", str(Exceedance._meta.verbose_name), plan.readings, len(plan.create),
                        len(plan.update), plan.known, len(plan.withdraw), plan.ignored_columns, batch)


@transaction.atomic
def do_import(kind: str, handle: IO[bytes], file_name: str, *, acting_user, replace: bool = False) -> ImportResult:
    """Import a whole file of one kind (``importers.IMPORTERS``), or nothing at all.

    Every row is checked first; ``ImportRejected`` lists every problem by row and column and nothing is
    stored. Rows may only name targets in the importer's scope. ``replace`` (key units only) removes
    the entries of the file's years, within the importer's scope, that the file no longer lists.
    """
    _ensure_can_import(acting_user)
    # The same file imported twice at once created its new rows twice (a server error on the unique key) and
    # recorded its updates twice: the second import waits here and reads what the first stored.
    queue_imports(acting_user)
    importer = importer_for(kind, replace=replace)
    plan = importer.read(handle, file_name, acting_user)
    if isinstance(plan, ReadingsPlan):
        return _store_readings(plan, file_name, acting_user)
    return _store_plan(plan, kind, file_name, acting_user)


# --- classification ----------------------------------------------------------------------------------------


def policy_for(year: int, quarter: int) -> Policy:
    """The policy in force on the first day of the quarter (``policies/*.toml``)."""
    day = rules.quarter_start(year, quarter)
    try:
        return policies.select(policies.load_all(), day)
    except LookupError as error:
        raise ValidationError(_("%(day)s 没有生效的政策文件，无法分类") % {"day": day}) from error


def evidence_url(kind: str, pk: int, span: rules.Window) -> str:
    if kind == "penalty":
        return reverse("intake:penalty_detail", args=[pk])
    if kind == "complaint":
        return reverse("intake:complaint_detail", args=[pk])
    if kind == "exceedances":
        return f"{reverse('intake:exceedance_list')}?outlet={pk}&from={span.first}&to={span.last}"
    if kind == "key_unit":
        return reverse("intake:keyunit_detail", args=[pk])
    if kind == "positive_list":
        return reverse("intake:positive_detail", args=[pk])
    if kind == "clue":
        return reverse("intake:clue_detail", args=[pk])
    raise ValueError(kind)


def _reason_dicts(reasons: Iterable[rules.Reason], span: rules.Window) -> list[dict]:
    return [{"rule": r.rule, "text": r.text, "citation": r.citation,
             "evidence": [{"kind": e.kind, "id": e.id, "label": e.label, "url": evidence_url(e.kind, e.id, span)}
                          for e in r.evidence]} for r in reasons]


def _city_path(scope: Jurisdiction) -> str:
    """The directory is the city's: look for it under the city a county belongs to."""
    if scope.level == Level.COUNTY and scope.parent_id is not None:
        return scope.parent.path
    return scope.path


def _directory_year(year: int, scope: Jurisdiction) -> int | None:
    """The year's directory, or the latest earlier one while the year's is not published yet."""
    units = KeyUnit.objects.filter(year__lte=year, target__jurisdiction__path__startswith=_city_path(scope))
    return units.aggregate(latest=models.Max("year"))["latest"]


def _gather(targets: models.QuerySet, year: int, quarter: int, span: rules.Window,
            directory_year: int | None) -> dict[int, dict[str, Any]]:
    """Each target's facts for ``rules.classify``, read in one query per kind of record."""
    facts: dict[int, dict[str, Any]] = defaultdict(lambda: defaultdict(list))
    with system_language():  # the evidence's labels are stored with the classification
        verified, unverified = _("经核实属实"), _("未核实或不属实")
    for row in (Penalty.objects.filter(target__in=targets, decided_on__range=(span.first, span.last))
                .order_by("decided_on", "id").values("id", "target_id", "decision_number", "decided_on")):
        facts[row["target_id"]]["penalties"].append(rules.Evidence(
            "penalty", row["id"], f"{row['decision_number']}（{row['decided_on']}）"))
    for row in (Complaint.objects.filter(target__in=targets, received_on__range=(span.first, span.last))
                .order_by("received_on", "id").values("id", "target_id", "reference", "received_on", "verified")):
        state = verified if row["verified"] else unverified
        facts[row["target_id"]]["complaints"].append(rules.ComplaintFact(rules.Evidence(
            "complaint", row["id"], f"{row['reference']}（{row['received_on']}，{state}）"), row["verified"]))
    for row in (Exceedance.objects.filter(target__in=targets, measured_at__gte=local_midnight(span.first),
                                          measured_at__lt=local_midnight(span.last + timedelta(days=1)))
                .values("target_id", "outlet_id", "outlet__code", "outlet__name").annotate(n=Count("id"))
                .order_by()):
        label = f"{row['outlet__code']} {row['outlet__name']}".strip()
        facts[row["target_id"]]["outlets"].append(rules.OutletExceedances(row["outlet_id"], label, row["n"]))
    if directory_year is not None:
        for row in (KeyUnit.objects.filter(target__in=targets, year=directory_year)
                    .values("id", "target_id", "directory", "kinds")):
            kinds = f"（{row['kinds']}）" if row["kinds"] else ""
            year_text = "" if str(directory_year) in row["directory"] else f"{directory_year}年 "
            facts[row["target_id"]]["key_listing"] = rules.KeyListing(
                rules.Evidence("key_unit", row["id"], f"{year_text}{row['directory']}{kinds}"),
                directory_year, row["directory"])
    first_day = rules.quarter_start(year, quarter)
    for row in (PositiveListEntry.objects.filter(target__in=targets, start__lte=first_day)
                .filter(Q(end__isnull=True) | Q(end__gte=first_day))
                .values("id", "target_id", "document_number", "start", "end")):
        period = f"{row['start']} 至 {row['end'] or '今'}"
        facts[row["target_id"]]["positive_listing"] = rules.Evidence(
            "positive_list", row["id"], f"{row['document_number']}（{period}）")
    # A clue whose 线索核查 was opened (planning.services.do_open_clue_check) is used: the check visits the firm,
    # so no later quarter takes it up again.
    for row in (Clue.objects.filter(target__in=targets, status=ClueStatus.APPROVED, check_plan__isnull=True,
                                    decided_at__lt=local_midnight(first_day))
                .filter(Q(applied_year__isnull=True) | Q(applied_year=year, applied_quarter=quarter))
                .order_by("found_on", "id").values("id", "target_id", "found_on")):
        # The label names the clue, never quotes it: its text is the reporter's words (a complainant's name and
        # phone, say), and a classification is read by all who read the firm; the clue's own page is gated.
        facts[row["target_id"]]["approved_clues"].append(rules.Evidence(
            "clue", row["id"], f"{row['found_on']} 线索 #{row['id']}"))
    return facts


def _monitoring_covered(scope: Jurisdiction, span: rules.Window) -> bool:
    # An import by the city covers its counties; one by a county covers that county.
    return MonitoringImport.objects.filter(
        Q(jurisdiction__path__startswith=scope.path) | Q(jurisdiction__code__in=scope.ancestor_codes()),
        first_reading__lt=local_midnight(span.last + timedelta(days=1)), last_reading__gte=local_midnight(span.first),
    ).exists()


def _category_change(outcome: rules.Outcome, reasons: list[dict], year: int, quarter: int) -> CategoryChange:
    period = rules.quarter_text(year, quarter)
    category_reasons = [r for r in reasons if not r["rule"].startswith("positive_list")]
    positive_reasons = [r for r in reasons if r["rule"].startswith("positive_list")]
    if positive_reasons:
        positive_text = "；".join(r["text"] for r in positive_reasons)
    else:
        with system_language():
            positive_text = _("%(day)s 不在正面清单中") % {"day": rules.quarter_start(year, quarter)}
    return CategoryChange(
        target_id=0, category=outcome.category,
        category_reason=f"{period}分类：" + "；".join(r["text"] for r in category_reasons),
        category_evidence=[e for r in category_reasons for e in r["evidence"]],
        positive_list=outcome.positive_list,
        positive_reason=f"{period}分类：{positive_text}",
        positive_evidence=[e for r in positive_reasons for e in r["evidence"]],
    )


def classifiable_from(year: int, quarter: int) -> date:
    """The first day (year, quarter) may be classified: the first day of its window of evidence, the previous
    quarter (指导意见 二(二)). Before it no penalty, complaint or exceedance of the window can exist."""
    return rules.window(policy_for(year, quarter), year, quarter).first


@transaction.atomic
def do_classify(*, year: int, quarter: int, jurisdiction: Jurisdiction, acting_user,
                progress: Progress = no_progress, today: date | None = None) -> ClassificationRun:
    """Classify every active target of ``jurisdiction``'s subtree for (year, quarter) by the policy.

    Stores one ``Classification`` per target (replacing an earlier run's rows of the quarter), marks the
    approved clues the quarter takes up, and — unless a later quarter is already classified — applies the
    category and positive-list flag to the target with a dated history row carrying the reasons and
    evidence links. Only an admin of ``jurisdiction`` (or the system) may classify it.

    Refuses a quarter whose window of evidence (the previous quarter, 指导意见 二(二)) has not begun by ``today``
    (the local date unless given): no penalty, complaint or exceedance of it can exist yet, so every target
    would come out "not special"; and a run of a later quarter stops every later run of the real next quarter
    from updating the targets' categories (see ``later`` below).
    """
    ensure_admin_of(acting_user, jurisdiction)
    runs = ClassificationRun.objects.filter(jurisdiction=jurisdiction, year=year, quarter=quarter)
    known = runs.aggregate(last=models.Max("pk"))["last"] or 0
    # A run is a bulk write like an import: it waits for a running import or run. A run of the same quarter
    # that finished while this one waited (two presses of 分类 at once) already did the work, on the same data.
    queue_imports(acting_user)
    finished = runs.filter(pk__gt=known).select_related("run_by").order_by("-pk").first()
    if finished is not None:
        raise ValidationError(ngettext("%(name)s%(period)s的分类已由%(who)s于%(when)s完成（%(n)s家），无需重复分类",
                                       "%(name)s%(period)s的分类已由%(who)s于%(when)s完成（%(n)s家），无需重复分类",
                                       finished.targets) % {
            "name": jurisdiction.name, "period": rules.quarter_text(year, quarter),
            "who": finished.run_by.display_name if finished.run_by else _("系统"),
            "when": timezone.localtime(finished.run_at).strftime("%H:%M"), "n": finished.targets}, code="done")
    policy = policy_for(year, quarter)
    span = rules.window(policy, year, quarter)
    if (today or timezone.localdate()) < span.first:  # the same day as classifiable_from
        raise ValidationError(_(
            "%(period)s还不能分类：特殊监管对象按%(first)s至%(last)s的行政处罚、群众举报和在线监测超标认定，"
            "这段时间还没有开始，%(first)s起方可分类。请先检查所选的年度和季度") % {
            "period": rules.quarter_text(year, quarter), "first": span.first.isoformat(),
            "last": span.last.isoformat()},
            code="too_early")
    first_day = rules.quarter_start(year, quarter)
    targets = Target.objects.filter(status=TargetStatus.ACTIVE, jurisdiction__path__startswith=jurisdiction.path)
    scoped = Classification.objects.filter(year=year, quarter=quarter,
                                           target__jurisdiction__path__startswith=jurisdiction.path)
    clues = Clue.objects.filter(target__jurisdiction__path__startswith=jurisdiction.path)

    warnings = []
    directory_year = _directory_year(year, jurisdiction)
    with system_language():  # kept with the run
        if directory_year is None:
            warnings.append(_("尚未录入任何年度的重点排污单位名录：本次没有对象归为重点排污单位"))
        elif directory_year != year:
            warnings.append(_("%(year)s年重点排污单位名录尚未录入，沿用%(used)s年名录") % {
                "year": year, "used": directory_year})
        if not _monitoring_covered(jurisdiction, span):
            warnings.append(_("%(window)s没有在线监测数据导入记录：超标次数可能不全") % {"window": span.label})

    facts = _gather(targets, year, quarter, span, directory_year)
    target_ids = list(targets.values_list("id", flat=True).order_by("id"))
    last_year, last_quarter = previous_quarter(year, quarter)
    previous = dict(Classification.objects.filter(target__in=targets, year=last_year, quarter=last_quarter)
                    .values_list("target_id", "category"))
    later = set(Classification.objects.filter(target__in=targets).filter(
        Q(year__gt=year) | Q(year=year, quarter__gt=quarter)).values_list("target_id", flat=True))

    run = ClassificationRun.objects.create(
        jurisdiction=jurisdiction, year=year, quarter=quarter, policy_id=policy.id, policy_version=policy.version,
        policy_fingerprint=policy.fingerprint, targets=len(target_ids), warnings=warnings, run_by=acting_user)
    counts: dict[str, Any] = {"general": 0, "key": 0, "special": 0, "positive_list": 0, "exempt": 0,
                              "must_inspect": 0, "changed": 0, "new": 0,
                              "special_by": {"administrative_penalty": 0, "public_complaint": 0,
                                             "exceedances_at_one_outlet": 0}}
    classifications: list[Classification] = []
    changes: list[CategoryChange] = []
    used_clues: list[int] = []
    for target_id in progress(target_ids, desc=_("分类"), unit=_("家")):
        target_facts = facts.get(target_id, {})
        outcome = rules.classify(policy, rules.Facts(
            target_id=target_id,
            penalties=tuple(target_facts.get("penalties", ())),
            complaints=tuple(target_facts.get("complaints", ())),
            outlets=tuple(target_facts.get("outlets", ())),
            key_listing=target_facts.get("key_listing"),
            positive_listing=target_facts.get("positive_listing"),
            approved_clues=tuple(target_facts.get("approved_clues", ())),
        ), year=year, quarter=quarter)
        reasons = _reason_dicts(outcome.reasons, span)
        classifications.append(Classification(
            target_id=target_id, year=year, quarter=quarter, category=outcome.category,
            positive_list=outcome.positive_list, on_site_eligible=outcome.on_site_eligible,
            must_inspect=outcome.must_inspect, reasons=reasons, policy_id=policy.id,
            policy_version=policy.version, policy_fingerprint=policy.fingerprint, run=run))
        used_clues.extend(outcome.clues_used)
        counts[outcome.category] += 1
        counts["positive_list"] += outcome.positive_list
        counts["exempt"] += not outcome.on_site_eligible
        counts["must_inspect"] += outcome.must_inspect
        for reason in reasons:
            criterion = reason["rule"].removeprefix("special_criteria.")
            if criterion in counts["special_by"]:
                counts["special_by"][criterion] += 1
        if target_id not in previous:
            counts["new"] += 1
        elif previous[target_id] != outcome.category:
            counts["changed"] += 1
        if target_id not in later:
            changes.append(_category_change(outcome, reasons, year, quarter)._replace(target_id=target_id))

    Classification.objects.bulk_create(
        classifications, batch_size=2000, update_conflicts=True, unique_fields=["target", "year", "quarter"],
        update_fields=["category", "positive_list", "on_site_eligible", "must_inspect", "reasons", "policy_id",
                       "policy_version", "policy_fingerprint", "run"])
    # Targets that closed since an earlier run of this quarter leave it; their old rows would mislead.
    scoped.exclude(target__in=targets).delete()
    clues.filter(applied_year=year, applied_quarter=quarter).exclude(pk__in=used_clues).update(
        applied_year=None, applied_quarter=None)
    Clue.objects.filter(pk__in=used_clues).update(applied_year=year, applied_quarter=quarter)
    counts["applied"] = do_apply_categories(changes, acting_user=acting_user, effective_date=first_day)
    run.counts = counts
    run.save(update_fields=["counts"])
    with system_language():
        reason = _("按%(policy)s进行%(period)s分类") % {"policy": policy.title,
                                                     "period": rules.quarter_text(year, quarter)}
    record_event("classification.run", actor=acting_user, obj=run, jurisdiction_id=run.jurisdiction_id, changes={
        "year": year, "quarter": quarter, "policy": policy.label, "counts": counts, "warnings": warnings,
    }, reason=reason)
    return run
