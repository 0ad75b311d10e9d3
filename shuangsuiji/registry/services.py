"""Service functions of 两库一单: the only way registry rows change (DESIGN §5).

Each ``do_*`` function runs in one transaction, validates the row, saves it, and writes its audit
event — and for a target, a dated ``TargetHistory`` row for every change of category, positive-list
flag or status. Views, the admin, imports and management commands all call these.
"""

import gc
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from datetime import date
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shuangsuiji.audit.models import Event
from shuangsuiji.audit.services import PendingEvent, jsonable, record_events, system_language
from shuangsuiji.registry.models import (
    CheckItem,
    Department,
    Inspector,
    Jurisdiction,
    Recusal,
    Target,
    TargetHistory,
    TargetStatus,
    WorkdayOverride,
)
from shuangsuiji.tabular.importing import Errors, Sheet

TRACKED_TARGET_FIELDS = (TargetHistory.Field.CATEGORY, TargetHistory.Field.POSITIVE_LIST,
                         TargetHistory.Field.STATUS)


def jurisdiction_of(obj: models.Model) -> Jurisdiction:
    path = type(obj).scope_field
    if not path:
        return obj  # a Jurisdiction scopes itself
    value: Any = obj
    for part in path.split("__"):
        value = getattr(value, part)
    return value


def ensure_can_edit(user, jurisdiction: Jurisdiction) -> None:
    """Raise PermissionDenied unless ``user`` keeps the registries of ``jurisdiction``."""
    if user is None:
        return  # system actions (seed, scheduled jobs) act without a user
    if user.is_superuser:
        return
    if not user.can_edit_registry or not jurisdiction.path.startswith(user.jurisdiction.path):
        raise PermissionDenied(_("无权修改该行政区的名录库"))


def field_values(obj: models.Model) -> dict[str, Any]:
    """The concrete, editable field values of a row, by attribute name (FKs as ids)."""
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields
            if f.editable and not f.primary_key and not getattr(f, "auto_now", False)
            and not getattr(f, "auto_now_add", False)}


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    return {name: [jsonable(before.get(name)), jsonable(value)] for name, value in after.items()
            if before.get(name) != value}


def registration_changes(target: Target) -> dict[str, list[Any]]:
    """What a new target's history starts with: its status and category, and the positive list if on it
    (a flag that is off says nothing worth a row)."""
    changes = {field: [None, getattr(target, field)] for field in (TargetHistory.Field.STATUS,
                                                                   TargetHistory.Field.CATEGORY)}
    if target.positive_list:
        changes[TargetHistory.Field.POSITIVE_LIST] = [None, True]
    return changes


def target_history_rows(target: Target, changes: Mapping[str, list[Any]], *, reason: str,
                        acting_user, effective_date: date | None,
                        evidence: list[dict] | None = None) -> list[TargetHistory]:
    rows = []
    if not reason:
        with system_language():
            reason = _("登记")
    for field in TRACKED_TARGET_FIELDS:
        if field in changes:
            old, new = changes[field]
            rows.append(TargetHistory(
                target=target, field=field, old_value="" if old is None else str(old), new_value=str(new),
                effective_date=effective_date or timezone.localdate(), reason=reason,
                evidence=evidence or [], recorded_by=acting_user,
            ))
    return rows


@transaction.atomic
def do_save(obj: models.Model, *, acting_user, reason: str = "", m2m: Mapping[str, Iterable] | None = None,
            effective_date: date | None = None, evidence: list[dict] | None = None) -> models.Model:
    """Create or update a registry row with its audit event (and a target's dated history).

    ``m2m`` sets many-to-many relations after the save, e.g. {"specialties": [...]}.
    """
    if isinstance(obj, Jurisdiction):
        obj.path = obj.compute_path()
    creating = obj._state.adding
    ensure_can_edit(acting_user, jurisdiction_of(obj))
    obj.full_clean()
    before: dict[str, Any] = {}
    if not creating:
        stored = type(obj).objects.select_for_update().get(pk=obj.pk)
        ensure_can_edit(acting_user, jurisdiction_of(stored))
        before = field_values(stored)
    after = field_values(obj)
    changes = changed_fields(before, after)
    m2m_changes: dict[str, list[Any]] = {}
    if m2m:
        for name, values in m2m.items():
            values = list(values)
            old = sorted(str(v) for v in getattr(obj, name).all()) if not creating else []
            new = sorted(str(v) for v in values)
            if old != new:
                m2m_changes[name] = [old, new]
    if not creating and not changes and not m2m_changes:
        return obj
    obj.save()
    if isinstance(obj, Jurisdiction) and not creating and stored.path != obj.path:
        _move_subtree(stored.path, obj.path)
        # The published results of the subtree now read another code and sit under another parent: dated as
        # changed, in this transaction, so a copy kept in sync learns of it (disclosure builds on the registry).
        from shuangsuiji.disclosure.services import results_moved

        results_moved(obj.path)
    if isinstance(obj, Jurisdiction) and not creating and (stored.path, stored.name) != (obj.path, obj.name):
        # A published plan's row reads its jurisdiction's code and name (and its title the name): dated as changed
        # for the plans API's changed_since, in this transaction (planning builds on the registry).
        from shuangsuiji.planning.services import plans_moved

        plans_moved(obj.path)
    if isinstance(obj, CheckItem) and not creating:
        _items_changed([(obj, changes)])
    if isinstance(obj, Department) and not creating and "name" in changes:
        # a joint plan's public title names its department (planning builds on the registry)
        from shuangsuiji.planning.services import department_renamed

        department_renamed(obj.pk)
    if isinstance(obj, Inspector) and not creating and stored.jurisdiction_id != obj.jurisdiction_id:
        _carry_login(obj, acting_user=acting_user, reason=reason)
    if m2m:
        for name, values in m2m.items():
            getattr(obj, name).set(values)
    if isinstance(obj, Target):
        TargetHistory.objects.bulk_create(target_history_rows(
            obj, changes if not creating else registration_changes(obj),
            reason=reason, acting_user=acting_user, effective_date=effective_date, evidence=evidence,
        ))
    label = type(obj)._meta.model_name
    record_events([PendingEvent(
        f"{label}.{'create' if creating else 'update'}", obj, jurisdiction_of(obj).pk,
        {**changes, **m2m_changes}, reason,
    )], actor=acting_user)
    return obj


def _items_changed(updates: Iterable[tuple[CheckItem, Mapping[str, Any]]]) -> None:
    """A published plan shows its check items' codes (the API) and names and industry scopes (the plan page): the
    plans showing an item whose such field changed are dated as changed, in this transaction, for the plans API's
    ``changed_since`` (planning builds on the registry), as a renamed jurisdiction dates them."""
    from shuangsuiji.planning.services import PUBLIC_ITEM_FIELDS, items_changed

    items_changed(item.pk for item, changes in updates if PUBLIC_ITEM_FIELDS.intersection(changes))


def _carry_login(inspector: Inspector, *, acting_user, reason: str) -> None:
    """An officer moved to another jurisdiction takes his login along, in the same transaction: a login must be of
    its officer's jurisdiction (``accounts.services.check_binding``), and one left behind would keep the old
    county's scope while his tasks come from the new one. The login's change is the user's own audited event."""
    from shuangsuiji.accounts.services import do_update_user, moved_login  # accounts builds on the registry

    login = moved_login(inspector)
    if login is None:
        return
    if not reason:
        with system_language():
            reason = _("执法人员档案改属%(name)s") % {"name": inspector.jurisdiction.name}
    do_update_user(login, acting_user=acting_user, reason=reason)


def _move_subtree(old: str, new: str) -> None:
    """Carry a jurisdiction's new code or parent down to every jurisdiction below it: ``path`` is the scoping gate,
    and a county left with its city's old prefix drops out of the city's scope (its data vanishes from the city's
    oversight) while keeping its own."""
    below = list(Jurisdiction.objects.select_for_update().filter(path__startswith=old).exclude(path=old))
    for jurisdiction in below:
        jurisdiction.path = new + jurisdiction.path[len(old):]
    Jurisdiction.objects.bulk_update(below, ["path"], batch_size=500)


@transaction.atomic
def do_mark_target_defunct(target: Target, *, acting_user, defunct_date: date, reason: str) -> Target:
    """消亡: the target stays in the registry for its history but leaves every future draw.

    The state is read under the row lock: two admins marking it at once, the second was told "已标记" and
    overwrote the first's date and reason (a second history row)."""
    if not reason.strip():
        raise ValidationError({"defunct_reason": _("请填写注销/关停原因")})
    stored = Target.objects.select_for_update().get(pk=target.pk)
    if stored.status == TargetStatus.DEFUNCT:
        marked = (stored.history.filter(field=TargetHistory.Field.STATUS, new_value=TargetStatus.DEFUNCT)
                  .select_related("recorded_by").order_by("-pk").first())
        if marked is None:
            raise ValidationError(_("该对象已是注销/关停状态"))
        raise ValidationError(_("该对象已由%(who)s于%(when)s标记为注销/关停（%(day)s，%(reason)s）") % {
            "who": marked.recorded_by.display_name if marked.recorded_by else _("系统"),
            "when": timezone.localtime(marked.recorded_at).strftime("%Y-%m-%d %H:%M"),
            "day": stored.defunct_date, "reason": stored.defunct_reason}, code="done")
    today = timezone.localdate()
    if defunct_date > today:
        # The status changes now and takes the target out of the draws at once: a closure still to come is
        # recorded on its day.
        raise ValidationError({"defunct_date": _("注销/关停日期不能晚于今天（%(today)s）；尚未关停的，"
                                                 "请到关停当天再标记") % {"today": today.isoformat()}})
    target.status = TargetStatus.DEFUNCT
    target.defunct_date = defunct_date
    target.defunct_reason = reason
    return do_save(target, acting_user=acting_user, reason=reason, effective_date=defunct_date)


@transaction.atomic
def do_reactivate_target(target: Target, *, acting_user, reason: str, effective_date: date) -> Target:
    if not reason.strip():
        raise ValidationError(_("请填写恢复理由"))
    target.status = TargetStatus.ACTIVE
    target.defunct_date = None
    target.defunct_reason = ""
    return do_save(target, acting_user=acting_user, reason=reason, effective_date=effective_date)


@transaction.atomic
def do_set_recusal(inspector: Inspector, target: Target, *, acting_user, reason: str) -> Recusal:
    """Bar the inspector from the target, or — for a pair already recused — give it this reason.

    The inspector's page adds one pair at a time; the recusal workbook (回避名单) calls this for every row
    of a checked file, so a yearly round of declarations leaves the same events as the page would.
    """
    ensure_can_edit(acting_user, inspector.jurisdiction)
    if not reason.strip():
        raise ValidationError({"reason": _("请填写回避理由")})
    # the draw only pairs an inspector with targets of his own area: a recusal elsewhere would bar nothing
    if not target.jurisdiction.path.startswith(inspector.jurisdiction.path):
        raise ValidationError({"target": _("检查对象不在该执法人员所属行政区内")})
    recusal, created = Recusal.objects.select_for_update().get_or_create(inspector=inspector, target=target,
                                                                         defaults={"reason": reason})
    if created:
        record_events([PendingEvent("inspector.recusal_add", inspector, inspector.jurisdiction_id,
                                    {"target": [None, target.credit_code]}, reason)], actor=acting_user)
    elif recusal.reason != reason:
        record_events([PendingEvent("inspector.recusal_update", inspector, inspector.jurisdiction_id,
                                    {"target": [target.credit_code, target.credit_code],
                                     "reason": [recusal.reason, reason]}, reason)], actor=acting_user)
        recusal.reason = reason
        recusal.save(update_fields=["reason"])
    return recusal


@transaction.atomic
def do_remove_recusal(recusal: Recusal, *, acting_user, reason: str) -> None:
    ensure_can_edit(acting_user, recusal.inspector.jurisdiction)
    if not Recusal.objects.select_for_update().filter(pk=recusal.pk).exists():
        # Lifted by another admin while this one waited (or since his page was loaded): a second removal event
        # would say it was lifted twice.
        code = recusal.target.credit_code
        events = Event.objects.filter(action="inspector.recusal_remove", object_id=str(recusal.inspector_id))
        lifted = next((e for e in events.order_by("-id") if e.changes.get("target") == [code, None]), None)
        raise ValidationError(_("%(name)s的回避已由%(who)s于%(when)s解除") % {
            "name": recusal.target.name, "who": lifted.actor_name if lifted else _("他人"),
            "when": timezone.localtime(lifted.occurred_at).strftime("%Y-%m-%d %H:%M") if lifted else ""},
            code="gone")
    record_events([PendingEvent("inspector.recusal_remove", recusal.inspector, recusal.inspector.jurisdiction_id,
                                {"target": [recusal.target.credit_code, None]}, reason)], actor=acting_user)
    recusal.delete()



# --- quarterly classification (called by intake.services.do_classify) ------------------------------------


class CategoryChange(NamedTuple):
    """The category and positive-list flag a target should have from a date on, each with its reason
    and the records behind it (evidence: [{"kind", "id", "label", "url"}])."""

    target_id: int
    category: str
    category_reason: str
    category_evidence: list[dict]
    positive_list: bool
    positive_reason: str
    positive_evidence: list[dict]


@transaction.atomic
def do_apply_categories(changes: Iterable[CategoryChange], *, acting_user, effective_date: date) -> int:
    """Set the category and positive-list flag of many targets at once; return how many changed.

    The quarterly classification touches every target of a city (~12,000) while only a few change, so
    this reads the current values in bulk and writes only the changes: one ``TargetHistory`` row per
    changed field, with its reason and evidence, and one audit event per changed target — the same
    record ``do_save`` leaves, without a query per target.
    """
    wanted = {change.target_id: change for change in changes}
    ids = list(wanted)
    current = []
    for start in range(0, len(ids), 5000):
        current.extend(Target.objects.select_for_update().filter(pk__in=ids[start:start + 5000])
                       .only("id", "name", "jurisdiction_id", "category", "positive_list"))
    changed = [t for t in current if (t.category, t.positive_list) != (wanted[t.pk].category,
                                                                         wanted[t.pk].positive_list)]
    for jurisdiction in Jurisdiction.objects.filter(pk__in={t.jurisdiction_id for t in changed}):
        ensure_can_edit(acting_user, jurisdiction)
    now = timezone.now()
    history: list[TargetHistory] = []
    events: list[PendingEvent] = []
    for target in changed:
        change = wanted[target.pk]
        diff: dict[str, list[Any]] = {}
        reasons = []
        if target.category != change.category:
            diff["category"] = [target.category, change.category]
            reasons.append(change.category_reason)
            history.append(TargetHistory(
                target=target, field=TargetHistory.Field.CATEGORY, old_value=target.category,
                new_value=change.category, effective_date=effective_date, reason=change.category_reason,
                evidence=change.category_evidence, recorded_by=acting_user))
        if target.positive_list != change.positive_list:
            diff["positive_list"] = [target.positive_list, change.positive_list]
            reasons.append(change.positive_reason)
            history.append(TargetHistory(
                target=target, field=TargetHistory.Field.POSITIVE_LIST, old_value=str(target.positive_list),
                new_value=str(change.positive_list), effective_date=effective_date, reason=change.positive_reason,
                evidence=change.positive_evidence, recorded_by=acting_user))
        target.category, target.positive_list, target.updated_at = change.category, change.positive_list, now
        events.append(PendingEvent("target.update", target, target.jurisdiction_id, diff, "；".join(reasons)))
    Target.objects.bulk_update(changed, ["category", "positive_list", "updated_at"], batch_size=2000)
    TargetHistory.objects.bulk_create(history, batch_size=2000)
    if events:
        record_events(events, actor=acting_user)
    return len(changed)


def do_import_registry(kind: str, handle, file_name: str, *, acting_user) -> dict[str, int]:
    """Import a whole registry workbook (targets, inspectors, items or recusals), or nothing at all.

    Every row is checked before anything is written: ``ImportRejected`` lists every problem by row and
    column. A valid file is read a second time and stored chunk by chunk in one transaction: new
    rows created, changed rows updated, each change with its audit event and — for a target's category,
    positive-list flag and status — its dated history with the file as the reason. Recusals go through
    ``do_set_recusal`` one by one, with the row's reason; nothing is ever removed.

    Imports in two provinces do not wait for each other (``queue_imports``). If both create the same new key at
    the same moment (a credit code, a certificate number, an item code), the second's insert waits for the
    first's commit and then breaks the unique constraint: its transaction is rolled back whole and the file read
    once more, when the first's rows are on record, so that the key is reported by row and column like any key
    already taken, instead of a server error.
    """
    from shuangsuiji.registry.excel import IMPORTERS

    if acting_user is not None and not acting_user.can_edit_registry:
        raise PermissionDenied(_("只有市局和分局管理员可以导入名录库"))
    importer = IMPORTERS[kind]
    try:
        return _import_registry(importer, kind, handle, file_name, acting_user)
    except IntegrityError:
        handle.seek(0)
        return _import_registry(importer, kind, handle, file_name, acting_user)


@transaction.atomic
def _import_registry(importer, kind: str, handle, file_name: str, acting_user) -> dict[str, int]:
    errors = Errors()
    queue_imports(acting_user)
    with collection_paused():
        return _import_checked(importer, kind, handle, file_name, acting_user, errors)


def queue_imports(acting_user=None) -> None:
    """Make an import wait for any other import still running in the same province, before it reads what is
    stored.

    Two imports of the same workbook at once (the city office and a county, a double click) each read the stored
    rows before the other had written: both created the same new rows (the second failed on the unique credit
    code: a server error) and both recorded the same updates, history and audit events twice. Every import takes
    this lock on the top of the jurisdiction tree above the importer (his province) first, so the second reads
    what the first stored. Only the importer's own top: a lock on every top made each import in the country wait
    for every other, and a 100,000-row workbook holds it for half a minute. Another province's rows are not his
    to import. The system and a superuser, who have no jurisdiction, lock every top, always in the same order.
    FOR NO KEY UPDATE: the rows that refer to a jurisdiction (audit events, targets) are still written meanwhile.
    SQLite serialises writers anyway."""
    tops = Jurisdiction.objects.filter(parent__isnull=True)
    place = getattr(acting_user, "jurisdiction", None)
    if place is not None:
        tops = tops.filter(code=place.path.split(".", 1)[0])
    list(tops.select_for_update(no_key=True).order_by("pk").values_list("pk", flat=True))


@contextmanager
def collection_paused():
    """Hold the cyclic garbage collector during a bulk import: its full passes walk every live object,
    and an import keeps many alive (the keys seen, the chunk's rows), so they grow with the file."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _import_checked(importer, kind: str, handle, file_name: str, acting_user, errors) -> dict[str, int]:
    # Each reading is a Sheet of this run, which counts its rows: the importer is shared by every import.
    checked = Sheet(handle, file_name, importer.columns, errors)
    for _plan in importer.chunks(checked, acting_user):
        pass
    if errors:
        raise errors.reject(checked.rows)
    handle.seek(0)
    with system_language():
        reason = _("Excel导入：%(file)s") % {"file": file_name}
    totals = {"rows": checked.rows, "created": 0, "updated": 0, "unchanged": 0}
    stored = Sheet(handle, file_name, importer.columns, errors)
    for plan in importer.chunks(stored, acting_user):
        _store_registry_plan(plan, reason, acting_user)
        totals["created"] += len(plan.create)
        totals["updated"] += len(plan.update)
        totals["unchanged"] += plan.unchanged
    if errors:  # the data changed under the import between its two readings
        raise errors.reject(stored.rows)
    record_events([PendingEvent(f"{kind}.import", None, getattr(acting_user, "jurisdiction_id", None),
                                {"file": [None, file_name], **{k: [None, v] for k, v in totals.items()}}, reason)],
                  actor=acting_user)
    return totals


def _store_registry_plan(plan, reason: str, acting_user) -> None:
    model = plan.model
    if model is Recusal:
        # a recusal's own service, pair by pair: a county's declarations are hundreds of rows, not the
        # tens of thousands of a registry, and the page and the workbook then leave the same record
        for recusal in plan.create:
            do_set_recusal(recusal.inspector, recusal.target, acting_user=acting_user, reason=recusal.reason)
        for recusal, changes in plan.update:
            do_set_recusal(recusal.inspector, recusal.target, acting_user=acting_user, reason=changes["reason"][1])
        return
    label = model._meta.model_name
    created = model.objects.bulk_create(plan.create, batch_size=2000)
    fields = sorted({name for _obj, changes in plan.update for name in changes
                     if name in {f.attname for f in model._meta.concrete_fields}})
    if fields:
        model.objects.bulk_update([obj for obj, _changes in plan.update], fields, batch_size=2000)
    if model is Target:
        history = []
        for target in created:
            history += target_history_rows(target, registration_changes(target), reason=reason,
                                           acting_user=acting_user, effective_date=None)
        for target, changes in plan.update:
            history += target_history_rows(target, {k: [jsonable(v[0]), jsonable(v[1])] for k, v in changes.items()},
                                           reason=reason, acting_user=acting_user, effective_date=None)
        TargetHistory.objects.bulk_create(history, batch_size=5000)
        _import_outlets(plan.outlets)
    if model is CheckItem:
        _items_changed(plan.update)  # the file may rename an item (its code is the file's key)
    if model is Inspector:
        for officer, changes in plan.update:
            if "jurisdiction_id" in changes:
                _carry_login(officer, acting_user=acting_user, reason=reason)
    updated = {id(obj): changes for obj, changes in plan.update}
    new = {id(obj) for obj in created}
    for obj, name, wanted in getattr(plan, "m2m", ()):
        if id(obj) in new or name in updated.get(id(obj), ()):
            getattr(obj, name).set(wanted)
    # A created row's registration is in its history rows (targets) and in the import's own event; each
    # update gets its own event, since it changes what was already on record.
    events = [PendingEvent(f"{label}.update", obj, obj.jurisdiction_id,
                            {k: [jsonable(v[0]), jsonable(v[1])] for k, v in changes.items()}, reason)
               for obj, changes in plan.update]
    record_events(events, actor=acting_user)


def _import_outlets(rows) -> None:
    from shuangsuiji.registry.models import Outlet

    if not rows:
        return
    codes = sorted({code for code, _outlet in rows})
    targets = {}
    for start in range(0, len(codes), 2000):
        chunk = codes[start:start + 2000]
        targets.update(Target.objects.filter(credit_code__in=chunk).values_list("credit_code", "pk"))
    have = set(Outlet.objects.filter(target_id__in=targets.values()).values_list("target_id", "code"))
    new = [Outlet(target_id=targets[code], code=outlet_code, name=name, kind=kind, online_monitored=online)
           for code, (outlet_code, name, kind, online) in rows if (targets[code], outlet_code) not in have]
    Outlet.objects.bulk_create(new, batch_size=5000)


# --- national reference tables (业务专长, 工作日调整): no jurisdiction, kept by the city office -------------


@transaction.atomic
def do_save_reference(obj: models.Model, *, acting_user, reason: str = "") -> models.Model:
    """Create or update a row of a table every jurisdiction shares (a specialty, a working-day override).

    A working-day override moves every deadline counted in working days, so only a superuser or a city
    admin may change one, and the change is in the audit chain like any registry row's.
    """
    if acting_user is not None and not keeps_reference_data(acting_user):
        raise PermissionDenied(_("只有市局管理员可以修改公共参照数据"))
    creating = obj._state.adding
    obj.full_clean()
    before = {} if creating else field_values(type(obj).objects.select_for_update().get(pk=obj.pk))
    changes = changed_fields(before, field_values(obj))
    if not creating and not changes:
        return obj
    obj.save()
    record_events([PendingEvent(f"{type(obj)._meta.model_name}.{'create' if creating else 'update'}", obj, None,
                                changes, reason)], actor=acting_user)
    return obj


def keeps_reference_data(user) -> bool:
    """Who keeps the tables every jurisdiction shares (specialties, the working-day calendar): the city office."""
    return user is not None and user.is_authenticated and (user.is_superuser or user.role == "city_admin")


@transaction.atomic
def do_enter_workday_schedule(*, year: int, holidays: Mapping[date, str], workdays: Mapping[date, str], source: str,
                              acting_user) -> dict[str, int]:
    """A year's holidays and 调休 working days, as the State Council's notice gives them, into the override
    table (one audited row a day, through ``do_save_reference``); returns how many were created, changed and
    already so. Holidays may be given as whole ranges, weekends included: the notice reads that way. A day
    stored before is changed only if the notice says otherwise; nothing is deleted."""
    if not keeps_reference_data(acting_user):
        raise PermissionDenied(_("只有市局管理员可以录入放假和调休安排"))
    source = " ".join(source.split())
    problems = []
    if not source:
        problems.append(_("请填写依据（国务院办公厅通知的文号或名称）"))
    if not holidays:
        problems.append(_("请至少填写一个放假日"))
    for day in sorted({*holidays, *workdays}):
        if day.year != year:
            problems.append(_("%(day)s 不在 %(year)s 年") % {"day": day.isoformat(), "year": year})
    for day in sorted(set(holidays) & set(workdays)):
        problems.append(_("%(day)s 既填为放假日又填为调休上班日") % {"day": day.isoformat()})
    for day in sorted(workdays):
        if day.weekday() < 5:
            problems.append(_("%(day)s 是星期%(weekday)s，本来就是工作日；调休上班日应是周末") % {
                "day": day.isoformat(), "weekday": "一二三四五"[day.weekday()]})
    if problems:
        raise ValidationError(problems)
    stored = {row.date: row for row in WorkdayOverride.objects.select_for_update().filter(date__year=year)}
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with system_language():  # the days' notes are kept
        wanted = [(day, False, note or _("放假")) for day, note in holidays.items()] + \
                 [(day, True, note or _("调休上班")) for day, note in workdays.items()]
    for day, is_workday, note in sorted(wanted):
        row = stored.get(day)
        if row is not None and row.is_workday == is_workday:
            counts["unchanged"] += 1
            continue
        counts["updated" if row is not None else "created"] += 1
        row = row or WorkdayOverride(date=day)
        row.is_workday, row.note = is_workday, note[:128]
        do_save_reference(row, acting_user=acting_user, reason=source)
    return counts
