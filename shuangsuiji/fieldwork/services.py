"""Service functions of fieldwork: the only way records, signatures, attachments, reviews, amendments and
follow-ups change (DESIGN §5).

Each ``do_*`` runs in one transaction, locks the row it changes (``select_for_update``; on SQLite the
IMMEDIATE transaction mode serialises writers the same way), checks who may act (``fieldwork.permissions``)
and writes its audit event in the same transaction. Views, the API, management commands and the demo
call these.

The life of a record:

1. ``do_start_record`` — a team member opens the task: the draft is created once (a second tap, a second
   phone get the same draft), prefilled from the registry, with the task's check items.
2. ``do_save_draft`` — any number of times, also from a phone that was offline (the page keeps the
   draft in the browser and sends it when the connection is back). Each change raises ``revision``.
   Every phone of the team edits the one draft: a save stores the fields its phone changed and keeps a team
   mate's newer values of the others; only a field both changed differently is refused (``DraftConflict``)
   rather than silently overwriting a team mate's work.
3. ``do_add_attachment`` / ``do_sign`` — photos and files (hashed, with the time taken), and signatures
   drawn on the screen, each bound to the revision and content hash it signed.
4. ``do_submit_record`` — every required field, item and signature is checked (a clear message per field
   when something is missing); the record is sealed (``fieldwork.sealing``); each problem gets its
   ``FollowUp``; orders to rectify get a ``Recheck``; the task's inspection date is set.
5. ``do_review_record`` — the bureau whose plan drew the visit (``permissions.reviewers``: the county, or the city
   for its own plan's visit) passes it (publishable) or returns it with a reason, which opens an amendment;
   ``do_request_amendment`` / ``do_decide_amendment`` do the same at the team's request.
"""

import io
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from shuangsuiji.accounts.models import Role
from shuangsuiji.audit.models import Event
from shuangsuiji.audit.services import PendingEvent, jsonable, record_events, system_language
from shuangsuiji.engine import canonical, creditcode
from shuangsuiji.engine.workdays import quarter_of
from shuangsuiji.fieldwork import filetypes, permissions, photos, sealing
from shuangsuiji.fieldwork.models import (
    AmendmentRequest,
    Attachment,
    ClosedAs,
    DecidedAs,
    FollowUp,
    FollowUpEvidence,
    FollowUpStatus,
    Handling,
    InspectionRecord,
    ItemResult,
    Mode,
    OffSiteMeans,
    OnSiteApproval,
    Outcome,
    Recheck,
    RecheckStatus,
    RecheckSubstitution,
    RecordReview,
    RequestState,
    ReviewDecision,
    Signature,
    SignerRole,
    StoredFile,
    TaskSchedule,
    task_number,
)
from shuangsuiji.intake.models import Clue, ClueStatus, Penalty
from shuangsuiji.planning.gather import draws_open
from shuangsuiji.planning.models import (
    MemberRole,
    Plan,
    Substitution,
    SubstitutionKind,
    Task,
    TaskMember,
    TaskPlan,
    TaskStatus,
    team_places,
    team_places_at,
    told_places,
    told_selections,
)
from shuangsuiji.punctuation import join_semicolon, join_sep
from shuangsuiji.registry.models import Department, Inspector, InspectorStatus, Recusal
from shuangsuiji.systemtext import system_text
from shuangsuiji.validators import validate_phone

RECORD_FIELDS = (
    "mode", "off_site_means", "started_at", "ended_at", "place", "credit_code", "target_name",
    "legal_representative", "contact_name", "contact_phone", "address", "permit_number", "findings",
    "site_manager_name", "site_manager_position", "site_manager_phone", "site_manager_statement",
    "site_manager_refused", "site_manager_refusal_note", "early_recheck_statement",
)
"""What the team writes in a record (the rest is set by the system: task, target, approvals, seal)."""
ITEM_FIELDS = ("outcome", "notes", "handling", "deadline", "transfer_to", "rectification")

RECHECK_WITHIN_DAYS = 15
"""A re-check is due this many days after the rectification deadline (the bureau's working rule; the seed
sets no number)."""
DUE_DAYS = {
    Handling.RECTIFIED: 3,
    Handling.CASE: 90,
    Handling.TRANSFER: 15,
    Handling.JUDICIARY: 15,
}
"""Days from the inspection until a follow-up is overdue. 立案处罚: 行政处罚法 第六十条 (a decision within
ninety days of filing). The others are the bureau's working rules: evidence of an on-the-spot
rectification within three days, a transfer's receipt within fifteen."""
RECTIFICATION_YEARS = 1
"""The latest 整改期限 an order to rectify may set is this many years after the inspection day. The seed sets no
period ("按时整改到位"); the longest any rule gave was the former 限期治理's, at most one year (水污染防治法 2008,
第七十四条). A later date is a typing error (2206 for 2026): stored, the re-check would wait for centuries and the
problem would never show as overdue."""
MAX_SIGNATURE_BYTES = 512 * 1024
MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024
CLOCK_SKEW = timedelta(minutes=10)
"""How far in the future a time the phone gives may be before it is refused (clocks drift; a phone's clock
set by the network is within seconds)."""
CLOCK_WARNING = timedelta(minutes=5)
"""A phone whose clock (or time zone) shows a time further than this from the server's is told so on the record
page: its 开始/结束 times would be wrong."""


class DraftConflict(Exception):
    """A save would overwrite what a team mate stored since the caller's phone had the draft. ``fields``: the
    fields that collide, each ``{"key", "label", "by", "at"}`` (empty when only the revision is known)."""

    def __init__(self, message: str, revision: int, fields: list[dict] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.revision = revision
        self.fields = fields or []


@dataclass(frozen=True)
class Participant:
    inspector: Inspector
    role: str  # SignerRole.OFFICER or SignerRole.EXPERT


def _event(action: str, obj, record: InspectionRecord | None, acting_user, changes: dict, reason: str = "") -> None:
    jurisdiction_id = record.target.jurisdiction_id if record is not None else obj.target.jurisdiction_id
    record_events([PendingEvent(action, obj, jurisdiction_id, changes, reason)], actor=acting_user)


def _lock(record: InspectionRecord) -> InspectionRecord:
    return (InspectionRecord.objects.select_for_update(of=("self",))
            .select_related("task", "recheck", "target__jurisdiction", "amends", "on_site_approval__decided_by",
                            "on_site_clue__decided_by", "amendment_approved_by")
            .get(pk=record.pk))


def _by_at(user, when: datetime | None) -> dict[str, str]:
    """Who did it and when, for telling a second person what the first one did a moment before."""
    return {"who": user.display_name if user is not None else _("系统"),
            "when": timezone.localtime(when).strftime("%Y-%m-%d %H:%M") if when else ""}


def _removed(record: InspectionRecord, action: str, key: str, value: str) -> dict[str, str]:
    """Who removed the photo or signature another phone is removing now, from the removal's audit event."""
    # The record's few removal events, matched here: SQLite has no JSON containment lookup.
    events = Event.objects.filter(action=action, object_id=str(record.pk)).order_by("-id")
    event = next((e for e in events if e.changes.get(key) == [value, None]), None)
    if event is None:
        return {"who": _("检查组其他成员"), "when": ""}
    return {"who": event.actor_name or _("系统"), "when": timezone.localtime(event.occurred_at).strftime("%H:%M")}


def _ensure_draft(record: InspectionRecord) -> None:
    if record.is_sealed:
        raise ValidationError(_("该记录已于%(when)s提交封存，不能再修改") % {
            "when": timezone.localtime(record.sealed_at).strftime("%Y-%m-%d %H:%M")}, code="sealed")


def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        # A browser posts a textarea's line breaks as CRLF, the API's JSON as LF: one text, one sealed form, and a
        # line break counts one character, as the page's counter counts it.
        return canonical.nfc(value.strip()).replace("\r\n", "\n").replace("\r", "\n")
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    return value


# --- who takes part -------------------------------------------------------------------------------------------


def record_sources(record: InspectionRecord) -> list[str]:
    """Where the inspection comes from (the form's 检查来源), one line per plan the task counts for as its team was
    told (``told_selections``): its title, which names its kind (双随机抽查, 内部联合抽查, 线索核查, 跨部门联合抽查),
    and for a cross-department check who initiated it and who took part. A re-check has none: the form says 复查 and
    names the record it follows.

    The same for every reader, on the page, the PDF and the phone: a legal record says what its officers were sent
    to do. A merged visit's other plan, drawn and not dispatched, is not a source of the draft (its officers and
    items are not on it either) until it goes out; a record sealed before that dispatch — and each amendment of it —
    stays the record of the plans told by its seal (``visit_sealed_at``)."""
    if not record.task_id:
        return []
    lines = []
    for selection in (TaskPlan.objects.filter(told_selections(record.visit_sealed_at), task_id=record.task_id)
                      .select_related("plan__jurisdiction", "plan__department", "plan__cross")
                      .order_by("plan_id").distinct()):
        plan = selection.plan
        line = str(plan)
        cross = plan.cross_or_none
        if cross is not None:
            line += str(_("（发起部门：%(initiator)s；参与部门：%(taking_part)s）") % {
                "initiator": cross.initiator_name, "taking_part": join_sep(cross.taking_part)})
        if line not in lines:
            lines.append(line)
    return lines


def participants(record: InspectionRecord) -> list[Participant]:
    """The team that must sign: the task's members as told (``team_places``: officers, then experts; not a merged
    visit's places from another plan's draw before that plan is dispatched — nor, on an amendment of a record sealed
    before that dispatch, afterwards: ``team_places_at`` the visit's seal), or the re-check's team."""
    if record.task_id:
        members = (record.task.members.filter(team_places_at(record.visit_sealed_at)).select_related("inspector")
                   .order_by("role", "slot", "id"))
        seen: dict[int, Participant] = {}
        for member in members:
            role = SignerRole.EXPERT if member.role == MemberRole.EXPERT else SignerRole.OFFICER
            seen.setdefault(member.inspector_id, Participant(member.inspector, role))
        people = list(seen.values())
    else:
        people = [Participant(i, SignerRole.EXPERT if i.is_external else SignerRole.OFFICER)
                  for i in record.recheck.team.order_by("name", "pk")]
    return sorted(people, key=lambda p: (p.role != SignerRole.OFFICER, p.inspector.name, p.inspector.pk))


def positive_list_in_quarter(task: Task) -> bool:
    from shuangsuiji.intake.models import Classification

    row = Classification.objects.filter(target_id=task.target_id, year=task.year, quarter=task.quarter).first()
    return row.positive_list if row is not None else task.target.positive_list


def approved_clue(task: Task) -> Clue | None:
    """The approved clue that put a positive-list target into this quarter's draw, or whose 线索核查 the task
    is: the approval of the head of the enforcement unit for an on-site check already exists (实施方案 二(三))."""
    return (Clue.objects.filter(Q(applied_year=task.year, applied_quarter=task.quarter)
                                | Q(check_plan__selections__task=task, check_plan__selections__active=True),
                                target_id=task.target_id, status=ClueStatus.APPROVED)
            .order_by("-decided_at").first())


def _prefill(record: InspectionRecord) -> None:
    target = record.target
    record.credit_code = target.credit_code
    record.target_name = target.name
    record.legal_representative = target.legal_representative
    record.contact_name = target.contact_name
    record.contact_phone = target.contact_phone
    record.address = target.address
    record.permit_number = target.permit_number
    # The place of inspection is where the team went: the firm's address is a fair first guess for an on-site
    # check, but an off-site one (a positive-list firm's, the default) went nowhere, and a place prefilled
    # there was sealed as if someone had (InspectionRecord.place_shown hid it on reading only). Its place stays
    # empty until typed; record.js puts the address back in the box if the team switches to 现场检查.
    record.place = target.address if record.mode == Mode.ON_SITE else ""


# --- starting a record ----------------------------------------------------------------------------------------


@transaction.atomic
def do_start_record(task: Task, *, acting_user) -> InspectionRecord:
    """The draft of a dispatched task's record, created on first use; the same one on every later call."""
    task = Task.objects.select_for_update(of=("self",)).select_related("target__jurisdiction").get(pk=task.pk)
    existing = InspectionRecord.objects.filter(task=task, amends__isnull=True).first()
    if existing is not None:
        return existing
    if task.status != TaskStatus.DISPATCHED:
        raise ValidationError(_("该任务尚未派发或已撤销，不能开始检查"))
    record = InspectionRecord(task=task, target=task.target, number=f"JL{task.year}Q{task.quarter}-{task.pk:06d}",
                              created_by=acting_user)
    permissions.ensure_team_member(acting_user, record)
    record.positive_list = positive_list_in_quarter(task)
    if record.positive_list:
        # 正面清单: off-site first; on site only with the approval an approved clue already carries.
        record.on_site_clue = approved_clue(task)
        record.mode = Mode.ON_SITE if record.on_site_clue else Mode.OFF_SITE
    _prefill(record)
    record.save()
    # the items of the plans the team was told of: a merged visit's other plan, drawn and not dispatched, adds its
    # own when it goes out (``team_joined``)
    items = list(task.check_items(told_selections()))
    ItemResult.objects.bulk_create(
        ItemResult(record=record, check_item=item, order=n, code=item.code, name=item.name, content=item.content)
        for n, item in enumerate(items, start=1))
    _event("record.start", record, record, acting_user, {"task": [None, task.pk], "mode": [None, record.mode]})
    return record


@transaction.atomic
def do_start_recheck_record(recheck: Recheck, *, acting_user) -> InspectionRecord:
    recheck = Recheck.objects.select_for_update(of=("self",)).select_related("target__jurisdiction").get(pk=recheck.pk)
    existing = InspectionRecord.objects.filter(recheck=recheck, amends__isnull=True).first()
    if existing is not None:
        return existing
    if recheck.status == RecheckStatus.CANCELLED:
        raise ValidationError(_("复查任务%(number)s已取消（%(reason)s），不必再去复查") % {
            "number": recheck.number, "reason": recheck.cancel_reason}, code="cancelled")
    if recheck.status != RecheckStatus.OPEN:
        raise ValidationError(_("该复查任务已完成"))
    record = InspectionRecord(recheck=recheck, target=recheck.target, number=f"JL{recheck.number}",
                              created_by=acting_user, mode=Mode.ON_SITE)
    permissions.ensure_team_member(acting_user, record)
    record.positive_list = recheck.source_record.positive_list
    # A re-check of an order to rectify is the follow-up of a violation found, not a random check: the
    # original record's on-site approval (or its clue) carries over.
    record.on_site_approval = recheck.source_record.on_site_approval
    record.on_site_clue = recheck.source_record.on_site_clue
    if record.positive_list and not (record.on_site_approval or record.on_site_clue):
        record.mode = Mode.OFF_SITE
    _prefill(record)
    record.save()
    # Not the orders an amendment dropped (closed as amended): they are no longer owed, so not re-checked.
    problems = (ItemResult.objects.filter(follow_up__recheck=recheck).exclude(follow_up__closed_as=ClosedAs.AMENDED)
                .select_related("check_item").order_by("order", "id"))
    ItemResult.objects.bulk_create(
        ItemResult(record=record, check_item=p.check_item, order=n, code=p.code, name=p.name,
                   content=_recheck_line(p))
        for n, p in enumerate(problems, start=1))
    _event("record.start", record, record, acting_user, {"recheck": [None, recheck.number]})
    return record


# --- drafts ---------------------------------------------------------------------------------------------------


def _check_values(values: Mapping[str, Any]) -> None:
    unknown = set(values) - set(RECORD_FIELDS)
    if unknown:
        raise ValidationError(_("未知字段：%(names)s") % {"names": join_sep(sorted(unknown))})
    if "mode" in values and values["mode"] not in Mode.values:
        raise ValidationError({"mode": _("检查方式应为现场检查或非现场检查")})
    means = values.get("off_site_means")
    if means is not None and (not isinstance(means, list) or set(means) - set(OffSiteMeans.values)):
        raise ValidationError({"off_site_means": _("非现场检查手段不在可选范围内")})


def _record_value(name: str, value: Any) -> Any:
    """A record field's value as it is stored (what a form or the API sent, normalised)."""
    value = _nfc(value)
    if name == "site_manager_refused":
        return bool(value)
    if value is None and name not in ("started_at", "ended_at"):
        return [] if name == "off_site_means" else ""
    return value


def _item_value(name: str, value: Any) -> Any:
    value = _nfc(value)
    return "" if value is None and name != "deadline" else value


@dataclass(frozen=True)
class DraftField:
    """One field a save sends: its name in the form (``place``, ``item-12-notes``) and in the audit event
    (``place``, ``C01.notes``), what is stored and what the save holds."""

    key: str
    audit_key: str
    name: str
    item: ItemResult | None
    stored: Any
    new: Any

    @property
    def label(self) -> str:
        model = ItemResult if self.item is not None else InspectionRecord
        label = str(model._meta.get_field(self.name).verbose_name)
        return f"{self.item.name}·{label}" if self.item is not None else label

    def shown(self, value: Any) -> str:
        """A value as the inspector reads it (a choice's label, not its code), cut short."""
        if value in (None, "", []):
            return _("（空）")
        if isinstance(value, bool):
            return _("是") if value else _("否")
        if isinstance(value, datetime):
            return timezone.localtime(value).strftime("%m-%d %H:%M")
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, list):
            return join_sep(str(OffSiteMeans(v).label) if v in OffSiteMeans.values else str(v) for v in value)
        model = ItemResult if self.item is not None else InspectionRecord
        text = str(dict(model._meta.get_field(self.name).flatchoices).get(value, value))
        return text if len(text) <= 24 else f"{text[:24]}…"


def _sent_fields(record: InspectionRecord, values: Mapping[str, Any], items: Mapping[int, Mapping[str, Any]],
                 *, lock: bool) -> list[DraftField]:
    """Every field a save sends, checked and normalised, beside what is stored; nothing changed yet."""
    _check_values(values)
    sent = [DraftField(name, name, name, None, getattr(record, name), _record_value(name, value))
            for name, value in values.items()]
    if items:
        rows = record.items.select_for_update(of=("self",)) if lock else record.items.all()
        stored = {item.pk: item for item in rows}
        for pk, fields in items.items():
            item = stored.get(pk)
            if item is None:
                raise ValidationError(_("检查事项 %(id)s 不属于本记录") % {"id": pk})
            for name, value in fields.items():
                if name not in ITEM_FIELDS:
                    raise ValidationError(_("未知字段：%(name)s") % {"name": name})
                value = _item_value(name, value)
                if name == "outcome" and value not in ("", *Outcome.values):
                    raise ValidationError({f"item-{pk}-outcome": _("检查结果不在可选范围内")})
                if name == "handling" and value not in ("", *Handling.values):
                    raise ValidationError({f"item-{pk}-handling": _("处理方式不在可选范围内")})
                sent.append(DraftField(f"item-{pk}-{name}", f"{item.code}.{name}", name, item, getattr(item, name),
                                       value))
    return sent


def stored_otherwise(record: InspectionRecord, values: Mapping[str, Any],
                     items: Mapping[int, Mapping[str, Any]] | None = None) -> list[DraftField]:
    """The fields of ``values`` / ``items`` whose stored value is another: after a save that kept a team mate's
    edits, what the phone did not have yet and must now show."""
    return [f for f in _sent_fields(record, values, items or {}, lock=False) if f.new != f.stored]


def _last_changed(record: InspectionRecord, fields: list[DraftField]) -> dict[str, Event]:
    """The newest draft save of each field (from the audit log, which names who saved it and when)."""
    wanted = {f.audit_key for f in fields}
    found: dict[str, Event] = {}
    events = (Event.objects.filter(content_type=ContentType.objects.get_for_model(InspectionRecord),
                                   object_id=str(record.pk), action="record.draft")
              .only("actor_name", "occurred_at", "changes").order_by("-id"))
    for event in events.iterator(chunk_size=100):
        for key in wanted & set(event.changes) - set(found):
            found[key] = event
        if len(found) == len(wanted):
            break
    return found


def _collision_message(record: InspectionRecord, collisions: list[DraftField]) -> tuple[str, list[dict]]:
    last = _last_changed(record, collisions)
    today = timezone.localdate()
    parts: list[str] = []
    named: list[dict] = []
    for field in collisions:
        event = last.get(field.audit_key)
        who = event.actor_name if event is not None and event.actor_name else _("检查组其他成员")
        at = timezone.localtime(event.occurred_at if event is not None else record.updated_at)
        when = at.strftime("%H:%M") if at.date() == today else at.strftime("%m-%d %H:%M")
        parts.append(_("“%(field)s”已由%(who)s于%(when)s改为“%(value)s”") % {
            "field": field.label, "who": who, "when": when, "value": field.shown(field.stored)})
        named.append({"key": field.key, "label": field.label, "by": who, "at": when})
    message = _("%(fields)s，与本机的修改不同。本次保存未存入任何内容，请选择保留哪一方的修改。") % {
        "fields": join_semicolon(parts)}
    return message, named


def _mine(record: InspectionRecord, changed: list[DraftField], base_values: Mapping[str, Any],
          base_items: Mapping[int, Mapping[str, Any]], base_revision: int | None) -> list[DraftField]:
    """Of the fields whose sent value differs from the stored one, those this phone edited (its base is the stored
    value: nobody changed it since the phone had it). A field the phone did not edit (sent as it had it) keeps the
    team mate's newer value; one both edited differently is a collision, and nothing is stored."""
    bases = {name: _record_value(name, value) for name, value in base_values.items() if name in RECORD_FIELDS}
    for pk, fields in base_items.items():
        bases.update({f"item-{pk}-{name}": _item_value(name, value) for name, value in fields.items()
                      if name in ITEM_FIELDS})
    mine: list[DraftField] = []
    collisions: list[DraftField] = []
    for field in changed:
        if field.key not in bases:
            # What the phone had is not known: only an unchanged draft proves nobody else wrote it.
            (mine if base_revision == record.revision else collisions).append(field)
        elif field.new == bases[field.key]:
            continue
        elif field.stored == bases[field.key]:
            mine.append(field)
        else:
            collisions.append(field)
    if collisions:
        message, named = _collision_message(record, collisions)
        raise DraftConflict(message, record.revision, named)
    return mine


def _place_follows_mode(record: InspectionRecord, values: Mapping[str, Any],
                        base_values: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """The place follows a switch of 检查方式 made in this save, as record.js does it in the box and ``_prefill``
    and ``do_decide_on_site`` do it on the server: switched off site, the firm's address standing as the place is
    taken out (an off-site check went nowhere); switched on site, an empty place gets the firm's address to
    correct. A place typed stays. This is what a phone without JavaScript (or the API) gets: its form posts the
    new mode with the place box as it was. The switch is against what the phone had (its base), else the draft."""
    if "mode" not in values:
        return values
    had = (base_values or {}).get("mode") or record.mode
    mode = values["mode"]
    if mode == had or mode not in Mode.values:
        return values
    place = _nfc(values.get("place", record.place)) or ""
    address = _nfc(values.get("address", record.address)) or ""
    firm = {text for text in (address, record.address.strip(), record.target.address.strip()) if text}
    if mode == Mode.OFF_SITE and place in firm:
        return {**values, "place": ""}
    if mode == Mode.ON_SITE and not place and (address or record.target.address.strip()):
        return {**values, "place": address or record.target.address.strip()}
    return values


@transaction.atomic
def do_save_draft(record: InspectionRecord, *, acting_user, values: Mapping[str, Any],
                  items: Mapping[int, Mapping[str, Any]] | None = None, base_revision: int | None = None,
                  base_values: Mapping[str, Any] | None = None,
                  base_items: Mapping[int, Mapping[str, Any]] | None = None) -> InspectionRecord:
    """Store what the team typed. ``values`` and ``items`` (by item-result id) hold what the form sent.

    Two inspectors' phones edit one draft at once, so a save is a compare-and-set per field: ``base_values`` and
    ``base_items`` (same shapes) hold what the phone had for each field before its edit. A field it changed is
    stored when the stored value is still that base (or already the new value); a field it sent unchanged keeps a
    team mate's newer value; a field a team mate changed otherwise since is a collision: ``DraftConflict`` naming
    the field, who changed it and when, and nothing is stored. A photo or signature of a team mate is no field
    and never collides. Without bases (an older caller), ``base_revision`` decides for the whole draft: when the
    stored draft moved on since that revision, the save is refused.

    A save that holds exactly what is stored is no conflict, whatever its revision: it overwrites nothing. It is
    how a phone sends again a save whose reply it never got (the connection dropped after the server stored
    it): the phone still has the revision before its own save, and was told its own save was a team mate's.

    Any change raises the revision (``_touch``), so every signature of the earlier content no longer counts."""
    record = _lock(record)
    _ensure_draft(record)
    permissions.ensure_team_member(acting_user, record)
    values = _place_follows_mode(record, values, base_values)
    changed = [f for f in _sent_fields(record, values, items or {}, lock=True) if f.new != f.stored]
    if not changed:
        return record
    if base_values is None and base_items is None:
        if base_revision is not None and base_revision != record.revision:
            raise DraftConflict(_("草稿已被他人于%(when)s更新（版本%(revision)s），请先载入最新草稿再修改") % {
                "when": timezone.localtime(record.updated_at).strftime("%H:%M"), "revision": record.revision},
                record.revision)
    else:
        changed = _mine(record, changed, base_values or {}, base_items or {}, base_revision)
        if not changed:
            return record
    per_item: dict[ItemResult, list[str]] = defaultdict(list)
    for field in changed:
        setattr(field.item if field.item is not None else record, field.name, field.new)
        if field.item is not None:
            per_item[field.item].append(field.name)
    for item, names in per_item.items():
        item.save(update_fields=names)
    _touch(record, acting_user)
    _event("record.draft", record, record, acting_user,
           {f.audit_key: [jsonable(f.stored), jsonable(f.new)] for f in changed})
    return record


def _touch(record: InspectionRecord, acting_user) -> None:
    """A content change: a new revision, so every earlier signature no longer covers the record."""
    record.revision += 1
    record.updated_at = timezone.now()
    record.save()


# --- attachments ----------------------------------------------------------------------------------------------


def _check_photo_size(data: bytes) -> None:
    """A photo the pages, the phone and the PDF can show: Pillow refuses to open an image of more than about
    179 million pixels (a few kilobytes can claim that many; decoding it would take gigabytes), so say so here
    instead of failing later. Only the header is read."""
    try:
        with Image.open(io.BytesIO(data)):
            pass
    except Image.DecompressionBombError as error:
        raise ValidationError({"file": _("照片像素过多，无法显示和打印；请用手机相机的常规尺寸重新拍摄")}) from error
    except (UnidentifiedImageError, OSError, ValueError) as error:
        # Sent as a JPEG, PNG, GIF or WebP (types Pillow reads) but not one: shown inline it was a broken
        # picture, and as a follow-up's evidence it counted towards closing the problem.
        raise ValidationError({"file": _("文件内容不是图片（与其类型不符），无法作为照片；"
                                         "请重新拍照或上传原图")}) from error


def _exif_time(data: bytes) -> datetime | None:
    """DateTimeOriginal of a photo, read as Beijing time (cameras store local time without a zone)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            exif = image.getexif()
            raw = exif.get_ifd(0x8769).get(0x9003) or exif.get(0x0132)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
    if not raw:
        return None
    try:
        return timezone.make_aware(datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S"))
    except ValueError:
        return None


def _admit(upload: UploadedFile) -> filetypes.FileType:
    """What kind of allowed file ``upload`` is, or a ``ValidationError`` on ``file`` saying why it is not taken:
    checked before anything is stored or the record changes, so a refused file voids no signature."""
    if upload.size is None or upload.size == 0:
        raise ValidationError({"file": _("文件是空的")})
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": _("文件过大（%(size)s MB），单个文件不超过 %(max)s MB") % {
            "size": upload.size // (1024 * 1024), "max": MAX_ATTACHMENT_BYTES // (1024 * 1024)}})
    upload.seek(0)
    head = upload.read(filetypes.HEAD_BYTES)
    upload.seek(0)
    return filetypes.identify(canonical.nfc(upload.name or ""), head)


def _store_file(row: StoredFile, upload: UploadedFile, file_type: filetypes.FileType, *,
                taken_at: datetime | None, caption: str, acting_user) -> StoredFile:
    upload.seek(0)
    data = upload.read()
    row.original_name = canonical.nfc(upload.name or "file")[:255]
    if file_type.convert:
        # kept as the JPEG the pages and the print show; what was sent is said beside it (StoredFile)
        row.converted_from = file_type.mime
        row.original_size = len(data)
        row.original_sha256 = sealing.file_sha256(io.BytesIO(data))
        data = photos.to_jpeg(data, row.original_name)
        row.content_type = "image/jpeg"
    else:
        # the type the content was found to be, not what the sending browser claimed
        row.content_type = file_type.mime
    row.sha256 = sealing.file_sha256(io.BytesIO(data))
    row.size = len(data)
    if row.is_image:
        _check_photo_size(data)
    exif = _exif_time(data) if row.is_image else None
    row.taken_at = exif or taken_at
    if row.taken_at is not None and row.taken_at > timezone.now() + CLOCK_SKEW:
        raise ValidationError({"taken_at": _("拍摄时间晚于当前时间，请检查手机时间设置")})
    row.caption = _nfc(caption or "")[:255]
    row.uploaded_by = acting_user
    row.uploaded_at = timezone.now()
    row.file.save(row.served_name, ContentFile(data), save=False)
    row.save()
    return row


@transaction.atomic
def do_add_attachment(record: InspectionRecord, upload: UploadedFile, *, acting_user,
                      taken_at: datetime | None = None, caption: str = "") -> Attachment:
    """A photo or file of the draft; stored under its SHA-256 with the time it was taken (the photo's own
    EXIF time when it has one, else what the phone reported)."""
    record = _lock(record)
    _ensure_draft(record)
    permissions.ensure_team_member(acting_user, record)
    file_type = _admit(upload)
    # The same file again is the phone retrying an upload whose answer it never got (the network dropped after
    # the server had it): the attachment it already has, not a second copy of the photo in the record.
    # A HEIC photo is matched by the original's hash: the JPEG it became has another.
    sent = sealing.file_sha256(upload)
    same = record.attachments.filter(Q(sha256=sent) | Q(original_sha256=sent)).order_by("id").first()
    if same is not None:
        return same
    attachment = _store_file(Attachment(record=record), upload, file_type, taken_at=taken_at, caption=caption,
                             acting_user=acting_user)
    _touch(record, acting_user)
    _event("record.attach", record, record, acting_user,
           {"attachment": [None, attachment.original_name], "sha256": [None, attachment.sha256],
            **_converted(attachment)})
    return attachment


def _converted(stored: StoredFile) -> dict:
    """What an audit event adds for a converted photo: the type and SHA-256 of the file that was sent."""
    if not stored.converted_from:
        return {}
    return {"converted_from": [None, stored.converted_from], "original_sha256": [None, stored.original_sha256]}


def ensure_attachment_removable(attachment: Attachment, acting_user) -> None:
    """Refuse, as ``do_remove_attachment`` would, a photo of a sealed record or of another team's: the page
    asking "确认删除？" is not shown for a removal that would be refused."""
    _ensure_removable(attachment.record, acting_user)


def _ensure_removable(record: InspectionRecord, acting_user) -> None:
    _ensure_draft(record)
    permissions.ensure_team_member(acting_user, record)


@transaction.atomic
def do_remove_attachment(attachment: Attachment, *, acting_user) -> None:
    record = _lock(attachment.record)
    _ensure_removable(record, acting_user)
    if not record.attachments.filter(pk=attachment.pk).exists():
        # A team mate's phone removed it while this one waited for the record: nothing left to remove, and a
        # second "removed" in the audit trail (and a new revision voiding the signatures) would be false.
        raise ValidationError(_("“%(name)s”已由%(who)s于%(when)s删除") % {
            "name": attachment.original_name, **_removed(record, "record.detach", "sha256", attachment.sha256)},
            code="gone")
    _event("record.detach", record, record, acting_user,
           {"attachment": [attachment.original_name, None], "sha256": [attachment.sha256, None]})
    attachment.delete()
    _touch(record, acting_user)


# --- signatures -----------------------------------------------------------------------------------------------


def check_signature_png(data: bytes) -> None:
    """A signature is a PNG with ink on it: an empty canvas is not a signature."""
    if not data:
        raise ValidationError(_("没有收到签名"))
    if len(data) > MAX_SIGNATURE_BYTES:
        raise ValidationError(_("签名图像过大"))
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ValidationError(_("签名须为PNG图像"))
    try:
        with Image.open(io.BytesIO(data)) as image:
            # The size from the header, before the pixels are decoded: a small file can claim a huge canvas.
            if image.width > 4000 or image.height > 2000 or image.width < 50 or image.height < 20:
                raise ValidationError(_("签名图像尺寸不正确"))
            image.load()
            rgba = image.convert("RGBA")
    except Image.DecompressionBombError as error:
        raise ValidationError(_("签名图像尺寸不正确")) from error
    except (UnidentifiedImageError, OSError) as error:
        raise ValidationError(_("签名图像无法读取")) from error
    paper = Image.new("L", rgba.size, 255)
    paper.paste(rgba.convert("L"), mask=rgba.getchannel("A"))
    ink = sum(paper.point(lambda v: 255 if v < 160 else 0).histogram()[255:])
    if ink < 30:
        raise ValidationError(_("签名为空，请在签名框内手写签名"))


@transaction.atomic
def do_sign(record: InspectionRecord, *, acting_user, png: bytes, revision: int, inspector: Inspector | None = None,
            signed_at: datetime | None = None) -> Signature:
    """Capture a signature drawn on the screen: a team member's (``inspector``) or the site manager's
    (``inspector=None``, under the name in the record). It signs revision ``revision`` of the content; a
    signature of an older revision is refused. Signing again replaces the signer's earlier signature."""
    record = _lock(record)
    _ensure_draft(record)
    permissions.ensure_team_member(acting_user, record)
    if revision != record.revision:
        raise DraftConflict(_("签名前记录已被修改（当前版本%(revision)s），请核对内容后重新签名") % {
            "revision": record.revision}, record.revision)
    check_signature_png(png)
    if inspector is not None:
        people = {p.inspector.pk: p for p in participants(record)}
        if inspector.pk not in people:
            raise PermissionDenied(_("%(name)s 不是本次检查的检查组成员") % {"name": inspector.name})
        # Each inspector signs as himself, on his own phone, signed in as himself: a team mate's phone draws no
        # one else's name (the site manager signs on an inspector's phone: the branch below).
        if acting_user is not None and acting_user.inspector_id != inspector.pk:
            raise PermissionDenied(_("只能以本人名义签名：%(name)s 须在本人登录的手机上签名") % {
                "name": inspector.name})
        role, name, certificate = people[inspector.pk].role, inspector.name, inspector.certificate_number
        previous = record.signatures.filter(inspector=inspector)
    else:
        if record.mode != Mode.ON_SITE:
            raise ValidationError(_("非现场检查没有现场负责人签字"))
        if not record.site_manager_name.strip():
            raise ValidationError({"site_manager_name": _("请先填写现场负责人姓名，再请其签名")})
        if record.site_manager_refused:
            raise ValidationError(_("已记录现场负责人拒绝签字"))
        role, name, certificate = SignerRole.SITE_MANAGER, record.site_manager_name, ""
        previous = record.signatures.filter(role=SignerRole.SITE_MANAGER)
    previous.delete()
    now = timezone.now()
    when = signed_at if signed_at is not None and now - timedelta(days=7) <= signed_at <= now + CLOCK_SKEW else now
    signature = Signature.objects.create(
        record=record, role=role, inspector=inspector, name=name, certificate_number=certificate, image=png,
        image_hash=canonical.sha256_hex(png), revision=record.revision, content_hash=sealing.content_hash(record),
        signed_at=when, captured_by=acting_user)
    _event("record.sign", record, record, acting_user, {
        "signer": [None, name], "role": [None, role], "revision": [None, record.revision],
        "image_sha256": [None, signature.image_hash]})
    return signature


@transaction.atomic
def do_remove_signature(signature: Signature, *, acting_user) -> None:
    record = _lock(signature.record)
    _ensure_draft(record)
    permissions.ensure_team_member(acting_user, record)
    other = signature.inspector_id
    if (acting_user is not None and other is not None and other != acting_user.inspector_id
            and other in permissions.team_inspector_ids(record)):
        # A team mate's signature is his to take back; the site manager's (drawn on this phone) and that of someone
        # no longer on the team (``_signature_errors`` asks for it to go) any member removes.
        raise PermissionDenied(_("只能删除本人的签名：%(name)s的签名须由其本人删除或重签") % {"name": signature.name})
    if not record.signatures.filter(pk=signature.pk).exists():
        # Removed (or signed again, which replaces it) from another phone while this one waited for the record.
        raise ValidationError(_("%(name)s的签名已由%(who)s于%(when)s删除或重签，请刷新后查看") % {
            "name": signature.name, **_removed(record, "record.unsign", "signer", signature.name)}, code="gone")
    _event("record.unsign", record, record, acting_user, {"signer": [signature.name, None]})
    signature.delete()


def team_changed(task: Task, *, reason: str, acting_user) -> None:
    """A substitution (``planning.services``) changed the task's team, or withdrew the task: its draft follows, in
    the substitution's transaction, each change an audit event of the record with the substitution's reason.

    - The team goes on (an inspector replaced; a merged visit that lost one plan's team): the draft stays the
      team's, newcomer included, and the signature of whoever left the team is removed — it would otherwise be
      sealed as if he had taken part, and only he may remove his own (``do_remove_signature``), which he no
      longer can. What he typed stays: the team reads it and corrects it.
    - The task is withdrawn (its target closed and replaced): nobody is on its team any more, so nobody edits or
      submits the draft (``permissions.is_team_member``); it is kept read-only as it was, and its page says why
      (``record.withdrawn``). The substitute target's visit is another task with a record of its own.
    """
    drafts = (InspectionRecord.objects.select_for_update(of=("self",)).select_related("target")
              .filter(task=task, sealed_at__isnull=True).order_by("pk"))
    for record in drafts:
        if task.status == TaskStatus.WITHDRAWN:
            _event("record.withdrawn", record, record, acting_user,
                   {"task": [TaskStatus.DISPATCHED.value, TaskStatus.WITHDRAWN.value]}, reason)
            continue
        team = permissions.team_inspector_ids(record)
        for signature in record.signatures.filter(inspector__isnull=False).exclude(inspector_id__in=team):
            _event("record.unsign", record, record, acting_user, {"signer": [signature.name, None]}, reason)
            signature.delete()


def teams_of_drafts(plan_id: int) -> dict[int, set[int]]:
    """Before ``plan_id``'s dispatch: the told team (``team_places``) of each visit it shares with a plan gone out
    already whose record the team has begun and not submitted, by task — what ``team_joined`` compares with after
    the dispatch. Empty, in one query, for a plan whose visits nobody has begun yet (nearly every plan)."""
    tasks = set(InspectionRecord.objects.filter(
        sealed_at__isnull=True, task__status=TaskStatus.DISPATCHED, task__selections__plan_id=plan_id,
        task__selections__active=True).values_list("task_id", flat=True))
    teams: dict[int, set[int]] = {task_id: set() for task_id in tasks}
    for task_id, inspector_id in TaskMember.objects.filter(team_places(), task_id__in=tasks).values_list(
            "task_id", "inspector_id"):
        teams[task_id].add(inspector_id)
    return teams


def team_joined(before: Mapping[int, set[int]], *, plan: Plan, acting_user) -> None:
    """After a plan's dispatch, in its transaction: each draft record of a visit whose told team it enlarged
    (``before``, from ``teams_of_drafts``) gets a ``record.team_joined`` event naming the plan and the officers who
    joined, so the record's history says when and why its team changed — they are asked to sign it from now on
    (``participants``), which they were not the moment before.

    The visit's first draft gains the plan's items it does not check yet (``told_selections``: the draft was begun
    with the told plans' items alone), after its own, and the event names them; the content changed, so every earlier
    signature no longer covers it. An amendment's draft does not: it corrects a visit sealed before this dispatch,
    whose items, sources and team stay as sealed (``InspectionRecord.visit_sealed_at``)."""
    if not before:
        return
    with system_language():
        title = str(plan)  # stored in the system's language, as every event's values
    drafts = (InspectionRecord.objects.select_for_update(of=("self",)).select_related("target", "task__target")
              .filter(task_id__in=list(before), sealed_at__isnull=True).order_by("pk"))
    for record in drafts:
        joined = permissions.team_inspector_ids(record) - before[record.task_id]
        added = _items_joined(record) if record.amends_id is None else []
        if not joined and not added:
            continue
        codes = sorted(Inspector.objects.filter(pk__in=joined).values_list("certificate_number", flat=True))
        changes: dict[str, Any] = {"plan": title, "joined": codes}
        if added:
            changes["items"] = [item.code for item in added]
            _touch(record, acting_user)
        _event("record.team_joined", record, record, acting_user, changes)


def _items_joined(record: InspectionRecord) -> list[ItemResult]:
    """The rows a draft gains when another plan of its visit is dispatched: the told plans' items it has no row for,
    after its own rows, in code order."""
    have = set(record.items.values_list("check_item_id", flat=True))
    last = max(record.items.values_list("order", flat=True), default=0)
    new = [item for item in record.task.check_items(told_selections()) if item.pk not in have]
    return ItemResult.objects.bulk_create(
        ItemResult(record=record, check_item=item, order=n, code=item.code, name=item.name, content=item.content)
        for n, item in enumerate(new, start=last + 1))


def task_merged(into: Task, *, merged: Task, joined: Iterable[str], reason: str,
                acting_user) -> InspectionRecord | None:
    """After ``planning.services.do_merge_task``, in its transaction: the draft of the visit ``merged`` was merged
    into gains the check items of the plans that came with it (``Task.check_items`` now derives them; the items it
    already has keep what the team typed) and a new revision (``_touch``: every earlier signature no longer covers
    it, the enlarged team signs it as a whole). Its history gets a ``record.merge`` event naming the merged task, the
    items added and the officers who joined (``joined``: certificate numbers, as ``record.team_joined``). None when
    the visit's record has not been started: it starts with every item (``do_start_record``)."""
    record = (InspectionRecord.objects.select_for_update(of=("self",)).select_related("target")
              .filter(task=into, amends__isnull=True, sealed_at__isnull=True).first())
    if record is None:
        return None
    added = _items_joined(record)  # the told plans' items: both tasks' plans are dispatched (do_merge_task)
    _touch(record, acting_user)
    _event("record.merge", record, record, acting_user, {
        "task": task_number(merged), "items": [item.code for item in added], "joined": sorted(joined)}, reason)
    return record


@dataclass(frozen=True)
class Departure:
    """Why an inspector is no longer on a task he was on, in words he may read: his own task's number, the
    withdrawal's or his replacement's reason, when and by whom — nothing of the task he may no longer read (its
    new team, its record's content)."""

    task: Task
    withdrawn: bool
    reason: str
    when: str
    by: str
    redrawn: bool = False
    """No admin replaced him: his place came from a plan's draw that no longer holds the visit (a re-draw, or the
    target substituted in that plan) while another plan's draw keeps the task (``live.REDRAWN``)."""

    def facts(self) -> dict[str, str]:
        return {"task": task_number(self.task), "reason": self.reason or "—", "when": self.when, "by": self.by}


def departure(user, task_pk: int | None) -> Departure | None:
    """Why ``user`` (an inspector) is no longer on the task ``task_pk``: it was withdrawn, an admin replaced him
    on its team (``team_changed``), or the draw that put him on it no longer holds the visit (``redrawn``). None
    when he is still on it, or never was: to him such a task does not exist (404). A former member reads nothing
    of the task any more — its brief, its records, their PDF — as ``visible_to`` has it (active members only); a
    substitution is refused once a record is sealed (``planning.services._ensure_not_inspected``), so no sealed
    record he signed is kept from him."""
    if (task_pk is None or user is None or not user.is_authenticated or user.inspector_id is None
            or user.role != Role.INSPECTOR):
        return None
    # a place he was told of only: before dispatch a task he was drawn for (then withdrawn, or he replaced) does not
    # exist for him, and its withdrawal's or his replacement's reason (a firm closed, a relative there) is not his
    member = TaskMember.objects.filter(told_places(), task=OuterRef("pk"), inspector_id=user.inspector_id)
    task = (Task.objects.visible_to(user).filter(Exists(member), pk=task_pk)
            .annotate(on_team=Exists(member.filter(active=True))).first())
    if task is None or (task.on_team and task.status != TaskStatus.WITHDRAWN):
        return None
    withdrawn = task.status == TaskStatus.WITHDRAWN
    changes = Substitution.objects.filter(task=task).select_related("acted_by").order_by("-acted_at", "-pk")
    change = (changes.filter(kind=SubstitutionKind.TARGET) if withdrawn
              else changes.filter(kind=SubstitutionKind.INSPECTOR, old_inspector_id=user.inspector_id)).first()
    return Departure(
        task=task, withdrawn=withdrawn,
        reason=task.withdrawn_reason if withdrawn else (change.reason if change else ""),
        when=timezone.localtime(change.acted_at).strftime("%Y-%m-%d %H:%M") if change else "—",
        by=(change.acted_by.display_name if change.acted_by else _("系统")) if change else "—",
        redrawn=not withdrawn and change is None)


def left_task(user, task_pk: int) -> str | None:
    """What the task's page tells a former member (``departure``) instead of its brief."""
    gone = departure(user, task_pk)
    if gone is None:
        return None
    if gone.withdrawn and gone.task.merged_into_id is not None:
        # 并入: the visit goes on as the task it joined, whose team he is on (``do_merge_task`` moved his place)
        return _("任务%(task)s已并入任务%(into)s：请在我的检查中打开任务%(into)s，检查和检查记录都在那项任务中") % {
            **gone.facts(), "into": task_number(gone.task.merged_into)}
    if gone.withdrawn:
        return _("任务%(task)s已于%(when)s由%(by)s撤销（%(reason)s），不必再去检查；"
                 "该任务的检查要点和企业情况不再向您显示") % gone.facts()
    if gone.redrawn:
        return _("任务%(task)s所在的抽取已变更（重新抽取或递补），您不再是该任务的检查人员，不能再查看该任务的检查要点"
                 "和企业情况，也不能安排或开始检查；请不要再去现场") % gone.facts()
    return _("您已不在任务%(task)s的检查组中（%(when)s由%(by)s替换：%(reason)s），不能再查看该任务的检查要点和"
             "企业情况，也不能安排或开始检查；请不要再去现场") % gone.facts()


# What a former member can no longer do with a record of the task, said by the page he opened.
WRITE, READ, PDF = "write", "read", "pdf"


def left_team(user, record_pk: int, doing: str = WRITE) -> str | None:
    """Why ``user`` may no longer open the record ``record_pk`` of a task he was on (``departure``), in the words
    of what he tried: write it (the form, an autosave, a signature, 提交), read its page, or download its PDF.
    None when he never was on its team: to him the record does not exist (404). Saying why — not "not found" —
    keeps him from going to a unit that is no longer his visit."""
    if user is None or not user.is_authenticated or user.inspector_id is None or user.role != Role.INSPECTOR:
        return None
    recheck_record = (InspectionRecord.objects.filter(pk=record_pk, recheck__isnull=False)
                      .only("number", "recheck_id").first())
    if recheck_record is not None:
        return left_recheck(user, recheck_record.recheck_id, recheck_record.number)
    record = InspectionRecord.objects.filter(pk=record_pk, task__isnull=False).only("number", "task_id").first()
    gone = departure(user, record.task_id) if record is not None else None
    if gone is None:
        return None
    facts = {**gone.facts(), "number": record.number}
    if gone.redrawn:
        return {READ: _("任务%(task)s所在的抽取已变更（重新抽取或递补），您不再是该任务的检查人员，"
                        "不能再查看检查记录%(number)s"),
                PDF: _("任务%(task)s所在的抽取已变更（重新抽取或递补），您不再是该任务的检查人员，"
                       "不能再下载检查记录%(number)s的PDF")}.get(
            doing, _("任务%(task)s所在的抽取已变更（重新抽取或递补），您不再是该任务的检查人员；"
                     "检查记录%(number)s由现检查组填写、签名和提交")) % facts
    if doing == READ:
        return (_("任务%(task)s已于%(when)s由%(by)s撤销（%(reason)s），检查记录%(number)s不再向您显示")
                if gone.withdrawn
                else _("您已不在任务%(task)s的检查组中（%(when)s由%(by)s替换：%(reason)s），"
                       "不能再查看检查记录%(number)s")) % facts
    if doing == PDF:
        return (_("任务%(task)s已于%(when)s由%(by)s撤销（%(reason)s），不能再下载检查记录%(number)s的PDF")
                if gone.withdrawn
                else _("您已不在任务%(task)s的检查组中（%(when)s由%(by)s替换：%(reason)s），"
                       "不能再下载检查记录%(number)s的PDF")) % facts
    if gone.withdrawn:
        return _("任务%(task)s已撤销（%(reason)s），检查记录%(number)s不能再保存、签名或提交；"
                 "已填写的内容原样保留") % facts
    return _("您已不在任务%(task)s的检查组（%(when)s替换：%(reason)s），"
             "检查记录%(number)s由现检查组填写、签名和提交") % facts


def left_recheck(user, recheck_pk: int, record_number: str = "") -> str | None:
    """Why ``user`` (an inspector) may no longer open the re-check ``recheck_pk`` or its record: an admin replaced
    him (``do_substitute_recheck_officer``). None when he is on its team, or never was (404 to him)."""
    if user is None or not user.is_authenticated or user.inspector_id is None or user.role != Role.INSPECTOR:
        return None
    change = (RecheckSubstitution.objects.filter(recheck_id=recheck_pk, old_inspector_id=user.inspector_id)
              .exclude(recheck__team=user.inspector_id).select_related("recheck", "acted_by")
              .order_by("-acted_at", "-pk").first())
    if change is None:
        return None
    facts = {"number": change.recheck.number, "reason": change.reason,
             "when": timezone.localtime(change.acted_at).strftime("%Y-%m-%d %H:%M"),
             "by": change.acted_by.display_name if change.acted_by else _("系统")}
    if record_number:
        return _("您已不在复查任务%(number)s的复查人员中（%(when)s由%(by)s替换：%(reason)s），复查记录%(record)s"
                 "由现复查人员填写、签名和提交，不再向您显示") % {**facts, "record": record_number}
    return _("您已不在复查任务%(number)s的复查人员中（%(when)s由%(by)s替换：%(reason)s），"
             "请不要再去现场") % facts


# --- positive-list on-site approval ---------------------------------------------------------------------------


@transaction.atomic
def do_request_on_site(record: InspectionRecord, *, reason: str, acting_user) -> OnSiteApproval:
    """Ask the head of the enforcement unit to approve an on-site check of a positive-list target."""
    record = _lock(record)
    _ensure_draft(record)
    permissions.ensure_team_member(acting_user, record)
    if not record.positive_list:
        raise ValidationError(_("该对象不在正面清单中，现场检查无需审批"))
    if record.on_site_approval_id or record.on_site_clue_id:
        raise ValidationError(_("现场检查已经批准"))
    if not reason.strip():
        raise ValidationError({"reason": _("请说明需要现场检查的理由（如非现场监管发现的问题线索、群众举报）")})
    try:
        with transaction.atomic():
            approval = OnSiteApproval.objects.create(target=record.target, record=record, reason=_nfc(reason),
                                                     requested_by=acting_user, requested_at=timezone.now())
    except IntegrityError as error:
        raise ValidationError(_("该记录已有待审批的现场检查申请")) from error
    _event("record.on_site_request", record, record, acting_user, {"approval": [None, approval.pk]}, approval.reason)
    return approval


@transaction.atomic
def do_decide_on_site(approval: OnSiteApproval, *, approve: bool, decision: str, acting_user) -> OnSiteApproval:
    approval = OnSiteApproval.objects.select_for_update(of=("self",)).select_related("requested_by").get(pk=approval.pk)
    record = _lock(approval.record)
    permissions.ensure_can_review(acting_user, record)
    permissions.ensure_not_self(acting_user, approval.requested_by)
    permissions.ensure_not_on_team(acting_user, record, on_site=True)
    if approval.state != RequestState.PENDING:
        raise ValidationError(_("该申请已由%(who)s于%(when)s审批：%(state)s") % {
            **_by_at(approval.decided_by, approval.decided_at), "state": approval.get_state_display()},
            code="decided")
    if not decision.strip():
        raise ValidationError({"decision": _("请填写审批意见")})
    _ensure_draft(record)
    approval.state = RequestState.APPROVED if approve else RequestState.REJECTED
    approval.decided_by = acting_user
    approval.decided_at = timezone.now()
    approval.decision = _nfc(decision)
    approval.save()
    changes = {"approval": [RequestState.PENDING, approval.state]}
    if approve:
        record.on_site_approval = approval
        record.mode = Mode.ON_SITE
        if not record.place.strip():
            # The draft started off site with no place (_prefill): now the team goes to the firm, its address is
            # the place to correct, as the form does when 现场检查 is tapped. A place already typed stays.
            record.place = record.address
            changes["place"] = ["", record.place]
        _touch(record, acting_user)
    _event("record.on_site_approve" if approve else "record.on_site_reject", record, record, acting_user,
           changes, approval.decision)
    return approval


# --- submission and sealing -----------------------------------------------------------------------------------


def inspection_day(record: InspectionRecord) -> date:
    return timezone.localdate(record.ended_at or record.started_at or timezone.now())


def latest_rectification_deadline(day: date) -> date:
    """The last 整改期限 an inspection on ``day`` may set (``RECTIFICATION_YEARS`` later; 02-29 gives 02-28)."""
    year = day.year + RECTIFICATION_YEARS
    return day.replace(year=year) if not (day.month == 2 and day.day == 29) else date(year, 2, 28)


def early_recheck(record: InspectionRecord) -> bool:
    """Whether ``record`` re-checks before its re-check's 整改期限 has passed: on that day or earlier, when the firm
    still had time. Lawful when the firm reports it has rectified early; the record must then say so
    (``early_recheck_statement``), which is sealed with it and shown on its page and PDF."""
    return record.recheck_id is not None and inspection_day(record) <= record.recheck.not_before


def rectification_deadline_problem(deadline: date, day: date) -> str | None:
    """What is wrong with the 整改期限 of an order to rectify found on ``day``, or None (the form and the
    submission say the same)."""
    if deadline <= day:
        return _("整改期限应晚于检查日期")
    latest = latest_rectification_deadline(day)
    if deadline > latest:
        return _("整改期限不能晚于检查日期（%(day)s）后一年，即 %(latest)s，请核对年份") % {
            "day": day.isoformat(), "latest": latest.isoformat()}
    return None


def _policy(record: InspectionRecord):
    from shuangsuiji.intake.services import policy_for

    if record.task_id:
        return policy_for(record.task.year, record.task.quarter)
    day = inspection_day(record)
    return policy_for(day.year, quarter_of(day))


def earliest_visit(task: Task) -> date:
    """The first day a task's visit can have taken place: that of the quarter before the task's, in whose last
    days it is drawn (the first day its plan may be frozen)."""
    return draws_open(task.year, task.quarter)


def completeness_errors(record: InspectionRecord) -> dict[str, list[str]]:
    """Everything that keeps ``record`` from being submitted, by field (``item-<id>-<field>`` for items,
    ``signatures`` for signatures): empty when it is complete."""
    errors: dict[str, list[str]] = defaultdict(list)
    on_site = record.mode == Mode.ON_SITE
    if record.mode == Mode.OFF_SITE and not record.off_site_means:
        errors["off_site_means"].append(_("非现场检查须选择所用手段（在线监控、分表计电、视频、无人机等）"))
    if on_site and record.positive_list and not (record.on_site_approval_id or record.on_site_clue_id):
        errors["mode"].append(_("该对象为正面清单企业，现场检查须经执法机构负责人批准：请申请审批，或改为非现场检查"))
    now = timezone.now()
    # The reference is said: a time in the future mostly comes from a phone whose clock or time zone is wrong.
    server = {"now": timezone.localtime(now).strftime("%m-%d %H:%M")}
    if record.started_at is None:
        errors["started_at"].append(_("请填写检查开始时间"))
    elif record.started_at > now + CLOCK_SKEW:
        errors["started_at"].append(
            _("检查开始时间晚于当前时间（北京时间 %(now)s），请核对；手机时间不准的，请先校准") % server)
    elif record.task_id and timezone.localtime(record.started_at).date() < earliest_visit(record.task):
        # a task exists from its draw at the end of the quarter before its own; a visit before that is a typo
        errors["started_at"].append(_(
            "检查开始时间早于任务所属%(period)s的抽取（最早 %(day)s），请填写实际检查的时间") % {
            "period": record.task.period, "day": earliest_visit(record.task)})
    if record.ended_at is None:
        errors["ended_at"].append(_("请填写检查结束时间"))
    elif record.started_at is not None and record.ended_at < record.started_at:
        errors["ended_at"].append(_("检查结束时间早于开始时间"))
    elif record.ended_at > now + CLOCK_SKEW:
        errors["ended_at"].append(
            _("检查结束时间晚于当前时间（北京时间 %(now)s），请核对；手机时间不准的，请先校准") % server)
    for name in ("contact_phone", "site_manager_phone"):
        try:
            validate_phone(getattr(record, name))
        except ValidationError as error:
            errors[name].extend(error.messages)
    if on_site and not record.place:
        errors["place"].append(_("请填写检查地点（具体到厂区、车间或点位）"))
    if not record.credit_code:
        errors["credit_code"].append(_("请填写统一社会信用代码"))
    else:
        problem = creditcode.validate(record.credit_code)
        if problem:
            errors["credit_code"].append(system_text(problem))
    for name, message in (("target_name", _("请填写被检查单位名称")), ("address", _("请填写被检查单位地址")),
                          ("legal_representative", _("请填写法定代表人（负责人）")),
                          ("findings", _("请填写检查情况（未发现问题也请写明）"))):
        if not getattr(record, name):
            errors[name].append(message)
    _item_errors(record, errors)
    if early_recheck(record) and not record.early_recheck_statement.strip():
        errors["early_recheck_statement"].append(_(
            "整改期限（%(deadline)s）尚未届满：企业报告已提前完成整改的，请在“提前复查说明”中写明何时、以何种方式报告；"
            "否则请在整改期限后再复查") % {"deadline": record.recheck.not_before.isoformat()})
    if on_site:
        if record.site_manager_refused:
            if not record.site_manager_refusal_note:
                errors["site_manager_refusal_note"].append(_("现场负责人拒绝签字的，请说明情况（在场见证人等）"))
        else:
            if not record.site_manager_name:
                errors["site_manager_name"].append(_("请填写现场负责人姓名"))
            if not record.site_manager_statement:
                errors["site_manager_statement"].append(_("请填写被检查单位意见（如“以上记录属实”）"))
    _signature_errors(record, errors)
    return dict(errors)


def _item_errors(record: InspectionRecord, errors: dict[str, list[str]]) -> None:
    items = list(record.items.all())
    if not items:
        errors["items"].append(_("本次检查没有抽查事项"))
    day = inspection_day(record)
    for item in items:
        key = f"item-{item.pk}"
        if not item.outcome:
            errors[f"{key}-outcome"].append(_("请选择“%(name)s”的检查结果") % {"name": item.name})
            continue
        if item.outcome != Outcome.PROBLEM:
            continue
        if not item.notes:
            errors[f"{key}-notes"].append(_("请记录发现的问题"))
        if not item.handling:
            errors[f"{key}-handling"].append(_("请选择问题的处理方式"))
        elif item.handling == Handling.ORDER:
            if item.deadline is None:
                errors[f"{key}-deadline"].append(_("责令改正须写明整改期限"))
            else:
                problem = rectification_deadline_problem(item.deadline, day)
                if problem:
                    errors[f"{key}-deadline"].append(problem)
        elif item.handling in (Handling.TRANSFER, Handling.JUDICIARY) and not item.transfer_to:
            errors[f"{key}-transfer_to"].append(_("请填写移交或移送的单位"))
        elif item.handling == Handling.RECTIFIED and not item.rectification:
            errors[f"{key}-rectification"].append(_("请记录现场整改情况"))


def _signature_errors(record: InspectionRecord, errors: dict[str, list[str]]) -> None:
    policy = _policy(record)
    signatures = list(record.signatures.select_related("inspector"))
    by_inspector = {s.inspector_id: s for s in signatures if s.inspector_id}
    team = participants(record)
    members = {p.inspector.pk for p in team}
    day = inspection_day(record)
    for person in team:
        signature = by_inspector.get(person.inspector.pk)
        if signature is None:
            if policy.submitted_records.all_participants_sign:
                errors["signatures"].append(_("%(name)s 尚未签名") % {"name": person.inspector.name})
        elif signature.revision != record.revision:
            errors["signatures"].append(_("%(name)s 签名后记录又有修改，请重新签名") % {"name": person.inspector.name})
    for signature in signatures:
        if signature.inspector_id and signature.inspector_id not in members:
            errors["signatures"].append(_("%(name)s 已不在检查组中，请删除其签名") % {"name": signature.name})
    certified = [p for p in team if p.role == SignerRole.OFFICER and p.inspector.is_certified_on(day)
                 and p.inspector.pk in by_inspector]
    needed = policy.inspection_team.min_officers
    if len(certified) < needed:
        errors["signatures"].append(_("每次检查须至少%(n)s名持有效执法证的执法人员参加并签名（现有%(m)s名）") % {
            "n": needed, "m": len(certified)})
    if record.mode == Mode.ON_SITE and not record.site_manager_refused:
        manager = next((s for s in signatures if s.role == SignerRole.SITE_MANAGER), None)
        if manager is None:
            errors["signatures"].append(_("现场负责人尚未签名"))
        elif manager.revision != record.revision:
            errors["signatures"].append(_("现场负责人签名后记录又有修改，请重新签名"))
        elif manager.name != record.site_manager_name:
            errors["signatures"].append(_("现场负责人姓名与签名人不一致，请重新签名"))


def ensure_sealable(record: InspectionRecord, acting_user) -> None:
    """What refuses 提交并封存 whatever the record holds (sealed already, not one of the team): said before the
    page asks for the seal to be confirmed, and again, on the locked row, by ``do_submit_record``. The
    confirmation is the page's: code that calls ``do_submit_record`` has decided already."""
    if record.is_sealed:
        raise ValidationError(_("该记录已于%(when)s由%(who)s提交，无需重复提交") % {
            "when": timezone.localtime(record.sealed_at).strftime("%Y-%m-%d %H:%M"),
            "who": record.sealed_by.display_name if record.sealed_by else _("系统")}, code="already_sealed")
    permissions.ensure_team_member(acting_user, record)


@transaction.atomic
def do_submit_record(record: InspectionRecord, *, acting_user) -> InspectionRecord:
    """Check, seal and file the record, open a follow-up for each problem, a re-check for orders to rectify.

    The row lock makes a second submission of the same record (a double tap, two phones, a retry after a
    lost response) wait for the first and then find it sealed: one record is stored, once.
    """
    record = _lock(record)
    ensure_sealable(record, acting_user)
    if record.site_manager_refused or record.mode != Mode.ON_SITE:
        record.signatures.filter(role=SignerRole.SITE_MANAGER).delete()
    errors = completeness_errors(record)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    content = sealing.content_document(record)
    document = sealing.seal_document(record, content, sealing.ordered_signatures(record), now, acting_user)
    data = sealing.seal_bytes(document)
    record.sealed_content = data.decode("utf-8")
    record.seal_hash = canonical.sha256_hex(data)
    record.sealed_at = now
    record.sealed_by = acting_user
    record.updated_at = now
    record.save()
    follow_ups = _open_follow_ups(record, now, acting_user)
    day = inspection_day(record)
    if record.task_id and record.mode == Mode.ON_SITE:
        # planning's half-year coverage of key units counts on-site inspections by this date.
        Task.objects.filter(pk=record.task_id).update(inspected_on=day)
    if record.recheck_id:
        _finish_recheck(record, now, acting_user)
    changes = {"seal_hash": [None, record.seal_hash], "content_sha256": [None, document["content_sha256"]],
               "problems": [None, len(follow_ups)], "mode": [None, record.mode]}
    if record.amends_id:
        changes["amends"] = [None, record.amends.number]
    _event("record.seal", record, record, acting_user, changes)
    return record


def _due(item: ItemResult, day: date) -> date:
    if item.handling == Handling.ORDER:
        return item.deadline + timedelta(days=RECHECK_WITHIN_DAYS)
    return day + timedelta(days=DUE_DAYS[item.handling])


def _open_follow_ups(record: InspectionRecord, now: datetime, acting_user) -> list[FollowUp]:
    """A follow-up per problem; an amendment carries its original's open follow-ups over (same item, same
    handling) and closes those its correction removed or handles differently."""
    day = inspection_day(record)
    problems = {item.check_item_id: item for item in record.items.filter(outcome=Outcome.PROBLEM)}
    carried: dict[int, FollowUp] = {}
    dropped_orders: list[FollowUp] = []  # the original's open orders this amendment closes
    carried_over: list[FollowUp] = []
    events: list[PendingEvent] = []
    if record.amends_id:
        carried_over = list(FollowUp.objects.select_for_update(of=("self",)).filter(record=record.amends)
                            .select_related("problem").order_by("problem__order", "pk"))
        for follow_up in carried_over:
            item = problems.get(follow_up.problem.check_item_id)
            if item is not None and item.handling == follow_up.handling:
                follow_up.problem = item
                follow_up.record = record
                follow_up.due_date = _due(item, day)
                follow_up.save()
                carried[item.check_item_id] = follow_up
            elif follow_up.is_open:
                if follow_up.handling == Handling.ORDER and follow_up.recheck_id:
                    dropped_orders.append(follow_up)
                follow_up.status = FollowUpStatus.CLOSED
                follow_up.closed_at = now
                follow_up.closed_by = acting_user
                follow_up.closed_as = ClosedAs.AMENDED
                follow_up.closing_record = record
                follow_up.save()
                with system_language():  # the event's reason is stored text: the system's language
                    note = follow_up.closing_text
                events.append(PendingEvent("followup.close", follow_up, record.target.jurisdiction_id,
                                           {"status": [FollowUpStatus.OPEN, FollowUpStatus.CLOSED]}, note))
    created = [FollowUp(problem=item, record=record, target=record.target, handling=item.handling,
                        due_date=_due(item, day), opened_at=now)
               for key, item in problems.items() if key not in carried]
    FollowUp.objects.bulk_create(created)
    orders = [f for f in created if f.handling == Handling.ORDER]
    joined = _open_recheck_of({f.recheck_id for f in carried_over if f.recheck_id}) if orders else None
    if joined is not None:
        _join_recheck(joined, orders, [f for f in dropped_orders if f.recheck_id == joined.pk], record, acting_user)
    elif orders:
        _create_recheck(record, orders, now)
    _align_recheck_dates({f.recheck_id for f in carried.values() if f.recheck_id} | ({joined.pk} if joined else set()))
    if joined is not None:  # the joined orders are due with their re-check, as its events say
        due = Recheck.objects.values_list("due_date", flat=True).get(pk=joined.pk)
        for follow_up in orders:
            follow_up.due_date = due
    events += [PendingEvent("followup.open", f, record.target.jurisdiction_id,
                            {"handling": [None, f.handling], "due_date": [None, f.due_date]}, f.problem.notes)
               for f in created]
    if events:
        record_events(events, actor=acting_user)
    if record.amends_id:
        _sync_recheck_drafts({f.recheck_id for f in carried_over if f.recheck_id}, record, acting_user)
        _cancel_rechecks(record, now, acting_user)
    return created + list(carried.values())


def _recheck_line(problem: ItemResult) -> str:
    """The system-written line of a re-check row saying what to verify: the order's problem and deadline. Stored
    text, sealed with the record: the system's language."""
    with system_language():
        return _("复查整改情况：%(problem)s（整改期限 %(deadline)s）") % {
            "problem": problem.notes, "deadline": problem.deadline}


def _sync_recheck_drafts(recheck_ids: set[int], amendment: InspectionRecord, acting_user) -> None:
    """Make the started draft of each open re-check of the amended record's orders say what the orders now say.

    A carried order whose problem text or deadline the amendment changed gets its row's system-written line
    (``_recheck_line``) rewritten; what the officers typed in the row stays. The row of an order the amendment
    dropped (closed as amended, and not moved to another item by ``_join_recheck``) is removed: that order is no
    longer owed, so nothing is re-checked or sealed for it; what had been typed in it is kept in the event. A
    changed draft has a new revision, so its signatures are redone. A re-check left with no open order is not
    touched here: ``_cancel_rechecks`` cancels it and its draft stays read-only as it was."""
    rechecks = (Recheck.objects.filter(pk__in=recheck_ids, status=RecheckStatus.OPEN,
                                       follow_ups__status=FollowUpStatus.OPEN).distinct().order_by("pk"))
    for recheck in rechecks:
        draft = (InspectionRecord.objects.select_for_update(of=("self",)).select_related("target")
                 .filter(recheck=recheck, sealed_at__isnull=True, amends__isnull=True).first())
        if draft is None:
            continue
        live = {f.problem.check_item_id: f.problem for f in
                recheck.follow_ups.exclude(closed_as=ClosedAs.AMENDED).select_related("problem")}
        rows = list(draft.items.order_by("order", "pk"))
        before = [row.code for row in rows]
        rewritten: list[tuple[str, str]] = []
        removed: list[ItemResult] = []
        for row in rows:
            problem = live.get(row.check_item_id)
            if problem is None:
                removed.append(row)
                continue
            line = _recheck_line(problem)
            if row.content != line:
                rewritten.append((row.content, line))
                row.content = line
                row.save(update_fields=["content"])
        if not rewritten and not removed:
            continue
        ItemResult.objects.filter(pk__in=[row.pk for row in removed]).delete()
        for n, row in enumerate(draft.items.order_by("order", "pk"), start=1):  # no gap where a row left
            if row.order != n:
                ItemResult.objects.filter(pk=row.pk).update(order=n)
        _touch(draft, acting_user)
        changes: dict[str, list] = {}
        if rewritten:
            changes["content"] = ["\n".join(old for old, _new in rewritten), "\n".join(new for _old, new in rewritten)]
        if removed:
            after = [row.code for row in rows if row not in removed]
            changes["items"] = [", ".join(before), ", ".join(after)]
        with system_language():  # stored text: the system's language
            if removed:
                changes["dropped"] = ["\n".join(_typed(row) for row in removed), None]
            reason = _("经更正记录%(number)s更正，复查事项按更正后的责令改正调整") % {"number": amendment.number}
            if removed:
                reason += _("；已不再责令改正的事项（%(codes)s）不再复查，其复查行已删除") % {
                    "codes": ", ".join(row.code for row in removed)}
        _event("record.recheck_items", draft, draft, acting_user, changes, reason)


def newest_amendment(record: InspectionRecord) -> InspectionRecord | None:
    """The last sealed record of ``record``'s chain of amendments, or None when it was never amended (a draft
    amendment does not count: nothing it says holds yet)."""
    newest = None
    while True:
        following = InspectionRecord.objects.filter(amends=record, sealed_at__isnull=False).first()
        if following is None:
            return newest
        newest = record = following


def recheck_rows_adjusted(record: InspectionRecord) -> dict | None:
    """Whether an amendment of the source record rewrote the rows of this re-check draft since it was started
    (``_sync_recheck_drafts``, ``_join_recheck``), and by which amendment: the form says so above the rows, for the
    officers see rows change (a problem's words, a deadline, a row gone) with nothing on the page saying why.
    ``{"amendment": the newest sealed amendment of the source record, "at": when, "dropped": the codes of the rows
    removed}``, or None (not a re-check's draft, or its rows were never adjusted)."""
    from django.contrib.contenttypes.models import ContentType

    from shuangsuiji.audit.models import Event

    if record.recheck_id is None or record.is_sealed:
        return None
    events = list(Event.objects.filter(action="record.recheck_items", object_id=str(record.pk),
                                       content_type=ContentType.objects.get_for_model(InspectionRecord))
                  .order_by("pk").values("occurred_at", "changes"))
    if not events:
        return None
    amendment = newest_amendment(record.recheck.source_record)
    dropped: list[str] = []
    for event in events:
        before, after = (event["changes"] or {}).get("items") or ["", ""]
        gone = [code for code in (before or "").split(", ") if code and code not in (after or "").split(", ")]
        dropped += [code for code in gone if code not in dropped]
    current = set(record.items.values_list("code", flat=True))  # a later amendment may have ordered it again
    return {"amendment": amendment, "at": events[-1]["occurred_at"],
            "dropped": [code for code in dropped if code not in current]}


def _typed(row: ItemResult) -> str:
    """A removed re-check row as the event keeps it: its item and what the officers had typed in it."""
    typed = [row.get_outcome_display() if row.outcome else "", row.notes,
             row.get_handling_display() if row.handling else "", row.rectification]
    return f"{row.code}：" + ("；".join(str(value) for value in typed if value) or "—")


def _cancel_rechecks(amendment: InspectionRecord, now: datetime, acting_user) -> list[Recheck]:
    """An amendment that no longer orders rectification of what a re-check was to verify cancels that re-check:
    its follow-ups were just closed (``_open_follow_ups``), so it has nothing left to check, and the officers would
    otherwise go back to a unit that owes nothing.

    Only open re-checks are cancelled. A done one keeps its sealed record and what it found: that visit took place
    and its record is evidence whatever the source record now says (and its own findings have follow-ups of their
    own). A draft record of a cancelled re-check is kept read-only as it was (``permissions.is_team_member``), as a
    withdrawn task's draft is."""
    rechecks = list(Recheck.objects.select_for_update(of=("self",))
                    .filter(pk__in=FollowUp.objects.filter(closing_record=amendment).values("recheck_id"),
                            status=RecheckStatus.OPEN)
                    .exclude(follow_ups__status=FollowUpStatus.OPEN).order_by("pk"))
    for recheck in rechecks:
        recheck.status = RecheckStatus.CANCELLED
        recheck.cancelled_at = now
        recheck.cancelled_by_record = amendment
        recheck.save(update_fields=["status", "cancelled_at", "cancelled_by_record"])
        with system_language():  # the events' reason is stored text; the re-check says it in the reader's
            reason = recheck.cancel_reason
        _event("recheck.cancel", recheck, amendment, acting_user,
               {"status": [RecheckStatus.OPEN.value, RecheckStatus.CANCELLED.value],
                "cancelled_by_record": [None, amendment.number]}, reason)
        for draft in recheck.records.filter(sealed_at__isnull=True).select_related("target").order_by("pk"):
            _event("record.recheck_cancelled", draft, draft, acting_user,
                   {"recheck": [RecheckStatus.OPEN.value, RecheckStatus.CANCELLED.value]}, reason)
    return rechecks


def _open_recheck_of(recheck_ids: set[int]) -> Recheck | None:
    """The open one of the re-checks of the orders the amended record carried (``recheck_ids``), locked: an order
    the amendment adds or moves to another item joins it, so that one firm has one re-check of one visit's
    orders. None when there is none, or it is done (its record sealed: that visit took place) or cancelled."""
    if not recheck_ids:
        return None
    return (Recheck.objects.select_for_update(of=("self",)).filter(pk__in=recheck_ids, status=RecheckStatus.OPEN)
            .order_by("pk").first())


def _join_recheck(recheck: Recheck, orders: list[FollowUp], dropped: list[FollowUp], amendment: InspectionRecord,
                  acting_user) -> None:
    """The orders an amendment added (or moved to another check item: a new follow-up, as it is another item)
    join the open re-check ``recheck``; its dates are then aligned (``_align_recheck_dates``).

    The re-check's draft record, if the officers started it, gets a row for each such order. An order moved from
    an item the re-check carried (``dropped``: its follow-up the amendment just closed) takes that item's row
    with it — what the officers typed there (result, notes, handling) stays, only the item and the line saying
    what to check change — paired by the same problem text, else one to one when one order left and one came;
    any other row of a dropped order is removed afterwards (``_sync_recheck_drafts``). A changed draft has a new
    revision: its signatures no longer cover it."""
    FollowUp.objects.filter(pk__in=[f.pk for f in orders]).update(recheck=recheck)
    for follow_up in orders:
        follow_up.recheck = recheck
    moved = _pair_moved(orders, dropped)
    with system_language():  # stored text: the system's language
        reason = _("经更正记录%(number)s更正，新增或改列事项的责令改正并入复查任务%(recheck)s") % {
            "number": amendment.number, "recheck": recheck.number}
    changes = {"orders": [None, ", ".join(f.problem.code for f in orders)]}
    if moved:  # which items' orders moved where ("A → B")
        changes["moved"] = [None, ", ".join(f"{moved[f.pk].problem.code} → {f.problem.code}"
                                            for f in orders if f.pk in moved)]
    _event("recheck.join", recheck, amendment, acting_user, changes, reason)
    draft = (InspectionRecord.objects.select_for_update(of=("self",)).select_related("target")
             .filter(recheck=recheck, sealed_at__isnull=True, amends__isnull=True).first())
    if draft is None:
        return
    rows = {row.check_item_id: row for row in draft.items.all()}
    before = [row.code for row in sorted(rows.values(), key=lambda row: row.order)]
    last = max((row.order for row in rows.values()), default=0)
    changed = False
    for follow_up in orders:
        problem = follow_up.problem
        content = _recheck_line(problem)
        old = moved.get(follow_up.pk)
        row = rows.get(old.problem.check_item_id) if old is not None else None
        if row is not None and problem.check_item_id not in rows:
            changed = True
            row.check_item_id, row.code, row.name, row.content = (problem.check_item_id, problem.code, problem.name,
                                                                  content)
            row.save(update_fields=["check_item", "code", "name", "content"])
        elif problem.check_item_id not in rows:
            last += 1
            ItemResult.objects.create(record=draft, check_item_id=problem.check_item_id, order=last,
                                      code=problem.code, name=problem.name, content=content)
            changed = True
    if changed:
        _touch(draft, acting_user)
        after = list(draft.items.order_by("order").values_list("code", flat=True))
        _event("record.recheck_items", draft, draft, acting_user, {"items": [", ".join(before), ", ".join(after)]},
               reason)


def _pair_moved(orders: list[FollowUp], dropped: list[FollowUp]) -> dict[int, FollowUp]:
    """Which new order (its follow-up's pk) is which dropped one moved to another item: the same problem text;
    else, when exactly one of each is left, those two."""
    pairs: dict[int, FollowUp] = {}
    left = list(dropped)
    for follow_up in orders:
        same = next((old for old in left if old.problem.notes.strip() == follow_up.problem.notes.strip()), None)
        if same is not None:
            pairs[follow_up.pk] = same
            left.remove(same)
    unpaired = [f for f in orders if f.pk not in pairs]
    if len(unpaired) == 1 and len(left) == 1:
        pairs[unpaired[0].pk] = left[0]
    return pairs


def _create_recheck(record: InspectionRecord, orders: list[FollowUp], now: datetime) -> Recheck:
    not_before, due = recheck_dates(f.problem.deadline for f in orders)
    recheck = Recheck.objects.create(number=f"FC-{record.number}", source_record=record, target=record.target,
                                     not_before=not_before, due_date=due, created_at=now)
    recheck.number = f"FC{timezone.localdate(now).year}-{recheck.pk:06d}"
    recheck.save(update_fields=["number"])
    officers = [s.inspector_id for s in record.signatures.all() if s.role == SignerRole.OFFICER]
    recheck.team.set(officers)
    FollowUp.objects.filter(pk__in=[f.pk for f in orders]).update(recheck=recheck, due_date=due)
    for follow_up in orders:
        follow_up.recheck, follow_up.due_date = recheck, due
    return recheck


def recheck_dates(deadlines: Iterable[date]) -> tuple[date, date]:
    """(整改期限, 复查期限) of a re-check of orders with these rectification deadlines: the LATEST deadline, as a
    re-check verifies every order it carries and means nothing before the last of them is due, and the bureau's
    15 days after it (``RECHECK_WITHIN_DAYS``). Each order's follow-up is due with its re-check, which closes it.
    A maximum, so the same whatever order the orders are created, carried over or listed in."""
    latest = max(deadlines)
    return latest, latest + timedelta(days=RECHECK_WITHIN_DAYS)


def _align_recheck_dates(recheck_ids: Iterable[int]) -> None:
    """Set the dates of open re-checks from the orders they still carry open (``recheck_dates``): after an
    amendment carried orders over with their deadlines changed, or closed some of them."""
    for recheck in Recheck.objects.filter(pk__in=set(recheck_ids), status=RecheckStatus.OPEN).order_by("pk"):
        open_orders = recheck.follow_ups.filter(status=FollowUpStatus.OPEN).select_related("problem")
        deadlines = [f.problem.deadline for f in open_orders if f.problem.deadline is not None]
        if not deadlines:
            continue  # nothing left to check: ``_cancel_rechecks`` cancels it
        not_before, due = recheck_dates(deadlines)
        Recheck.objects.filter(pk=recheck.pk).update(not_before=not_before, due_date=due)
        open_orders.update(due_date=due)


@transaction.atomic
def do_substitute_recheck_officer(recheck: Recheck, inspector: Inspector, newcomer: Inspector, *, reason: str,
                                  acting_user) -> RecheckSubstitution:
    """An officer of the re-check who cannot go (ill, a recusal found late) is replaced by ``newcomer``, whom the
    admin of the target's jurisdiction names — a re-check's team is the officers who signed the order, not a draw,
    so no ticket chooses. The task's rules where they are the same (``planning.services.do_substitute_inspector``):
    a reason; not once the re-check record is sealed (the team is what the record says); the newcomer an officer
    in post of the same unit as the one replaced, with a valid certificate and no recusal from this target. His
    signature on the draft goes (only he could remove it), what he typed stays."""
    if not reason.strip():
        raise ValidationError({"reason": _("请填写替换理由")})
    recheck = (Recheck.objects.select_for_update(of=("self",)).select_related("target__jurisdiction")
               .get(pk=recheck.pk))
    if not permissions.is_admin_of(acting_user, recheck.target.jurisdiction):
        raise PermissionDenied(_("只有%(name)s的管理员可以进行此操作") % {"name": recheck.target.jurisdiction.name})
    if recheck.status == RecheckStatus.DONE:
        sealed = recheck.records.filter(sealed_at__isnull=False).order_by("sealed_at").first()
        raise ValidationError(_("复查任务%(number)s已完成（复查记录%(record)s已提交封存），不能再替换复查人员；"
                                "记录有误的，请对复查记录申请更正") % {
            "number": recheck.number, "record": sealed.number if sealed else "—"}, code="done")
    if recheck.status == RecheckStatus.CANCELLED:
        raise ValidationError(_("复查任务%(number)s已取消（%(reason)s），无需替换复查人员") % {
            "number": recheck.number, "reason": recheck.cancel_reason}, code="cancelled")
    team = set(recheck.team.values_list("pk", flat=True))
    if inspector.pk not in team:
        raise ValidationError(_("%(name)s 不在该复查任务的复查人员中，请刷新后查看") % {"name": inspector.name},
                              code="not_on_team")
    problems = _newcomer_problems(recheck, inspector, newcomer, team)
    if problems:
        raise ValidationError({"newcomer": problems})
    recheck.team.remove(inspector)
    recheck.team.add(newcomer)
    substitution = RecheckSubstitution.objects.create(recheck=recheck, old_inspector=inspector,
                                                      new_inspector=newcomer, reason=reason.strip(),
                                                      acted_by=acting_user)
    _event("recheck.substitute_officer", recheck, None, acting_user,
           {"out": [inspector.certificate_number, None], "in": [None, newcomer.certificate_number]}, reason.strip())
    for draft in (InspectionRecord.objects.select_for_update(of=("self",)).select_related("target")
                  .filter(recheck=recheck, sealed_at__isnull=True).order_by("pk")):
        for signature in draft.signatures.filter(inspector=inspector):
            _event("record.unsign", draft, draft, acting_user, {"signer": [signature.name, None]}, reason.strip())
            signature.delete()
    return substitution


def _newcomer_problems(recheck: Recheck, inspector: Inspector, newcomer: Inspector, team: set[int]) -> list[str]:
    """Why ``newcomer`` may not replace ``inspector`` on the re-check, each said with his name."""
    name = {"name": newcomer.name}
    problems = []
    if newcomer.pk in team:
        problems.append(_("%(name)s 已是该复查任务的复查人员") % name)
    if newcomer.is_external or newcomer.status != InspectorStatus.ACTIVE:
        problems.append(_("%(name)s 不是在岗的执法人员") % name)
    # as the draw's rule for a task (engine.assignment): the certificate must hold until the work is due
    needed = max(recheck.due_date, timezone.localdate())
    if newcomer.certificate_expiry is None or newcomer.certificate_expiry < needed:
        problems.append(_("%(name)s 的执法证在 %(day)s 前到期或未登记有效期") % {**name, "day": needed.isoformat()})
    if newcomer.jurisdiction_id != inspector.jurisdiction_id:
        problems.append(_("%(name)s 不属于%(unit)s，应由被替换人员所在单位的执法人员接替") % {
            **name, "unit": inspector.jurisdiction.name})
    recusal = Recusal.objects.filter(inspector=newcomer, target=recheck.target).first()
    if recusal is not None:
        problems.append(_("%(name)s 须回避%(target)s（%(reason)s）") % {
            **name, "target": recheck.target.name, "reason": recusal.reason})
    return problems


def _finish_recheck(record: InspectionRecord, now: datetime, acting_user) -> None:
    """A sealed re-check record closes the orders it re-checked: rectified when the item is now free of
    problems, otherwise closed into the re-check's own finding (which has its own follow-up)."""
    recheck = Recheck.objects.select_for_update(of=("self",)).get(pk=record.recheck_id)
    recheck.status = RecheckStatus.DONE
    recheck.done_at = now
    recheck.save(update_fields=["status", "done_at"])
    results = {item.check_item_id: item for item in record.items.all()}
    events = []
    rechecked = (recheck.follow_ups.select_for_update(of=("self",)).filter(status=FollowUpStatus.OPEN)
                 .select_related("problem"))
    for follow_up in rechecked:
        item = results.get(follow_up.problem.check_item_id)
        follow_up.status = FollowUpStatus.CLOSED
        follow_up.closed_at = now
        follow_up.closed_by = acting_user
        follow_up.closed_as = (ClosedAs.UNRECTIFIED if item is not None and item.outcome == Outcome.PROBLEM
                               else ClosedAs.RECTIFIED)
        follow_up.closing_record = record
        follow_up.save()
        with system_language():  # the event's reason is stored text: the system's language
            note = follow_up.closing_text
        events.append(PendingEvent("followup.close", follow_up, record.target.jurisdiction_id,
                                   {"status": [FollowUpStatus.OPEN, FollowUpStatus.CLOSED],
                                    "closing_record": [None, record.number]}, note))
    if events:
        record_events(events, actor=acting_user)


# --- review and amendments ------------------------------------------------------------------------------------


@transaction.atomic
def do_review_record(record: InspectionRecord, *, passed: bool, reason: str = "", acting_user) -> RecordReview:
    """The review by the bureau whose plan drew the visit (``permissions.reviewers``): 通过 (the record becomes
    publishable) or 退回 with a reason, which opens the amendment at once — the original is never edited."""
    record = _lock(record)
    permissions.ensure_can_review(acting_user, record)
    permissions.ensure_not_on_team(acting_user, record)
    if not record.is_sealed:
        raise ValidationError(_("草稿尚未提交，不能审核"))
    done = RecordReview.objects.filter(record=record).select_related("reviewed_by").first()
    if done is not None:
        raise ValidationError(_("该记录已由%(who)s于%(when)s审核：%(decision)s") % {
            **_by_at(done.reviewed_by, done.reviewed_at), "decision": done.get_decision_display()}, code="reviewed")
    reason = _nfc(reason)
    if not passed and not reason:
        raise ValidationError({"reason": _("退回须写明理由")})
    if not passed:
        _ensure_no_amendment(record)
    now = timezone.now()
    review = RecordReview.objects.create(record=record, decision=ReviewDecision.PASSED if passed else
                                         ReviewDecision.RETURNED, reason=reason, reviewed_by=acting_user,
                                         reviewed_at=now)
    _event("record.review", record, record, acting_user, {"decision": [None, review.decision]}, reason)
    if not passed:
        with system_language():  # the event's reason is stored text; the request says it from ``decided_as``
            decision = _("审核退回，更正后重新提交")
        # The team's own request waiting for approval is answered by the return (the record allows one open
        # request: a second one here was a server error).
        pending = AmendmentRequest.objects.select_for_update(of=("self",)).filter(
            record=record, state=RequestState.PENDING).first()
        if pending is not None:
            pending.state, pending.decided_by, pending.decided_at = RequestState.APPROVED, acting_user, now
            pending.decision, pending.decided_as = "", DecidedAs.REVIEW_RETURN
            pending.amendment = _create_amendment(record, reason, acting_user, now)
            pending.save()
            _event("record.amend_approve", record, record, acting_user,
                   {"request": [RequestState.PENDING, RequestState.APPROVED]}, decision)
            return review
        request = AmendmentRequest.objects.create(record=record, reason=reason, requested_by=acting_user,
                                                  requested_at=now, via_review=True, state=RequestState.APPROVED,
                                                  decided_by=acting_user, decided_at=now,
                                                  decided_as=DecidedAs.REVIEW_RETURN)
        request.amendment = _create_amendment(record, reason, acting_user, now)
        request.save(update_fields=["amendment"])
    return review


def _ensure_no_amendment(record: InspectionRecord) -> None:
    """One amendment of a record at a time: an admin approving the team's request and another returning the record
    in review at the same moment both opened one (the second failed on its number: a server error)."""
    amendment = (InspectionRecord.objects.filter(amends=record).select_related("amendment_approved_by")
                 .order_by("pk").first())
    if amendment is not None:
        raise ValidationError(_("该记录已有更正记录%(number)s（%(who)s于%(when)s批准更正），请在更正记录上继续") % {
            "number": amendment.number, **_by_at(amendment.amendment_approved_by, amendment.amendment_approved_at)},
            code="amended")


@transaction.atomic
def do_request_amendment(record: InspectionRecord, *, reason: str, acting_user) -> AmendmentRequest:
    """Ask to correct a sealed record; nothing changes until an admin approves."""
    record = _lock(record)
    if not (permissions.is_team_member(acting_user, record) or permissions.can_review(acting_user, record)):
        raise PermissionDenied(_("只有检查组成员或管理员可以申请更正"))
    if not record.is_sealed:
        raise ValidationError(_("草稿可以直接修改，无需申请更正"))
    if InspectionRecord.objects.filter(amends=record).exists():
        raise ValidationError(_("该记录已有更正记录，请在更正记录上继续"))
    reason = _nfc(reason)
    if not reason:
        raise ValidationError({"reason": _("请写明需要更正的内容和理由")})
    try:
        with transaction.atomic():
            request = AmendmentRequest.objects.create(record=record, reason=reason, requested_by=acting_user,
                                                      requested_at=timezone.now())
    except IntegrityError as error:
        raise ValidationError(_("该记录已有待审批或已批准的更正申请")) from error
    _event("record.amend_request", record, record, acting_user, {"request": [None, request.pk]}, reason)
    return request


@transaction.atomic
def do_decide_amendment(request: AmendmentRequest, *, approve: bool, decision: str, acting_user) -> AmendmentRequest:
    request = AmendmentRequest.objects.select_for_update(of=("self",)).select_related("requested_by").get(pk=request.pk)
    record = _lock(request.record)
    permissions.ensure_can_review(acting_user, record)
    permissions.ensure_not_self(acting_user, request.requested_by)
    permissions.ensure_not_on_team(acting_user, record)
    if request.state != RequestState.PENDING:
        raise ValidationError(_("该申请已由%(who)s于%(when)s审批：%(state)s") % {
            **_by_at(request.decided_by, request.decided_at), "state": request.get_state_display()},
            code="decided")
    decision = _nfc(decision)
    if not decision:
        raise ValidationError({"decision": _("请填写审批意见")})
    if approve:
        _ensure_no_amendment(record)
    now = timezone.now()
    request.state = RequestState.APPROVED if approve else RequestState.REJECTED
    request.decided_by = acting_user
    request.decided_at = now
    request.decision = decision
    if approve:
        request.amendment = _create_amendment(record, request.reason, acting_user, now)
    request.save()
    _event("record.amend_approve" if approve else "record.amend_reject", record, record, acting_user,
           {"request": [RequestState.PENDING, request.state]}, decision)
    return request


def _create_amendment(original: InspectionRecord, reason: str, approved_by, now: datetime) -> InspectionRecord:
    """The amendment draft: the original's content copied, to be corrected, signed again and submitted."""
    depth = 1
    root = original
    while root.amends_id:
        depth += 1
        root = root.amends
    amendment = InspectionRecord(
        number=f"{root.number}-G{depth}", task_id=original.task_id, recheck_id=original.recheck_id,
        target=original.target, amends=original, amendment_reason=reason, amendment_approved_by=approved_by,
        amendment_approved_at=now, on_site_approval=original.on_site_approval, on_site_clue=original.on_site_clue,
        positive_list=original.positive_list, created_by=approved_by, updated_at=now,
        **{name: getattr(original, name) for name in RECORD_FIELDS})
    amendment.save()
    ItemResult.objects.bulk_create(
        ItemResult(record=amendment, check_item_id=item.check_item_id, order=item.order, code=item.code,
                   name=item.name, content=item.content, **{name: getattr(item, name) for name in ITEM_FIELDS})
        for item in original.items.all())
    Attachment.objects.bulk_create(
        Attachment(record=amendment, file=a.file.name, original_name=a.original_name, content_type=a.content_type,
                   size=a.size, sha256=a.sha256, taken_at=a.taken_at, caption=a.caption, uploaded_at=a.uploaded_at,
                   uploaded_by=a.uploaded_by)
        for a in original.attachments.all())
    _event("record.amend_start", amendment, amendment, approved_by,
           {"amends": [None, original.number]}, reason)
    return amendment


# --- follow-up ------------------------------------------------------------------------------------------------


def _lock_follow_up(follow_up: FollowUp) -> FollowUp:
    return (FollowUp.objects.select_for_update(of=("self",))
            .select_related("record__target__jurisdiction", "record__task", "record__recheck", "target__jurisdiction",
                            "problem")
            .get(pk=follow_up.pk))


def _ensure_open(follow_up: FollowUp) -> None:
    if not follow_up.is_open:
        raise ValidationError(_("该问题已由%(who)s于%(when)s办结") % _by_at(follow_up.closed_by, follow_up.closed_at),
                              code="closed")


def _close(follow_up: FollowUp, note: str, acting_user, now: datetime, closed_as: str = ClosedAs.TYPED) -> None:
    follow_up.status = FollowUpStatus.CLOSED
    follow_up.closed_at = now
    follow_up.closed_by = acting_user
    follow_up.closing_note = note
    follow_up.closed_as = closed_as
    follow_up.save()


@transaction.atomic
def do_add_evidence(follow_up: FollowUp, upload: UploadedFile, *, acting_user, taken_at: datetime | None = None,
                    caption: str = "") -> FollowUpEvidence:
    follow_up = _lock_follow_up(follow_up)
    permissions.ensure_can_follow_up(acting_user, follow_up)
    _ensure_open(follow_up)
    evidence = _store_file(FollowUpEvidence(follow_up=follow_up), upload, _admit(upload), taken_at=taken_at,
                           caption=caption, acting_user=acting_user)
    _event("followup.evidence", follow_up, follow_up.record, acting_user,
           {"file": [None, evidence.original_name], "sha256": [None, evidence.sha256], **_converted(evidence)},
           caption)
    return evidence


def _check_day_since_visit(follow_up: FollowUp, day: date | None, field: str, label: str) -> None:
    """A date of what followed the inspection: given, not after today, and not before the visit that found the
    problem (a case filed in 2019 for a 2026 visit made the follow-up overdue by years)."""
    if day is None:
        raise ValidationError({field: _("请填写%(label)s") % {"label": label}})
    today = timezone.localdate()
    if day > today:
        raise ValidationError({field: _("%(label)s不能晚于今天（%(today)s）") % {"label": label, "today": today}})
    record = follow_up.record
    started = record.started_at or record.ended_at
    visit = timezone.localdate(started) if started else None
    if visit is not None and day < visit:
        raise ValidationError({field: _("%(label)s不能早于发现该问题的现场检查（%(visit)s）") % {
            "label": label, "visit": visit}})


@transaction.atomic
def do_register_case(follow_up: FollowUp, *, case_number: str, filed_on: date, acting_user) -> FollowUp:
    """立案: the case number and the date it was filed; the decision follows (``do_record_penalty_decision``).
    Registered again (a correction, or a team mate's phone at the same moment), it waits for the row lock and
    replaces what is stored, the audit event saying what it replaced."""
    follow_up = _lock_follow_up(follow_up)
    permissions.ensure_can_follow_up(acting_user, follow_up)
    _ensure_open(follow_up)
    if follow_up.handling != Handling.CASE:
        raise ValidationError(_("只有立案处罚的问题需要登记立案"))
    case_number = _nfc(case_number)
    if not case_number:
        raise ValidationError({"case_number": _("请填写立案编号")})
    _check_day_since_visit(follow_up, filed_on, "case_filed_on", _("立案日期"))
    before = [follow_up.case_number, follow_up.case_filed_on]
    follow_up.case_number = case_number
    follow_up.case_filed_on = filed_on
    # 行政处罚法 第六十条: ninety days from filing.
    follow_up.due_date = filed_on + timedelta(days=DUE_DAYS[Handling.CASE])
    follow_up.save()
    _event("followup.case", follow_up, follow_up.record, acting_user,
           {"case_number": [before[0], case_number], "case_filed_on": [before[1], filed_on]})
    return follow_up


def ensure_penalty_closable(follow_up: FollowUp, acting_user) -> None:
    """What refuses 录入处罚决定并办结 whatever is typed (not his to record, closed already, not a case, no case
    filed): said before the step is asked to be confirmed, and again, on the locked row, by
    ``do_record_penalty_decision``. The penalty right alone decides who (``permissions.can_penalise``): a
    department user of the scope (the legal or enforcement section) enters the decision without being on the
    team or an admin, as he enters any other penalty."""
    permissions.ensure_can_penalise(acting_user, follow_up)
    _ensure_open(follow_up)
    if follow_up.handling != Handling.CASE:
        raise ValidationError(_("只有立案处罚的问题有处罚决定"))
    if not follow_up.case_number:
        raise ValidationError(_("请先登记立案编号和立案日期"))


@transaction.atomic
def do_record_penalty_decision(follow_up: FollowUp, *, decision_number: str, decided_on: date,
                               department: Department, violation: str, amount: Decimal | None,
                               acting_user) -> FollowUp:
    """The penalty decision of a case: stored as the target's penalty (intake), where it feeds next quarter's
    classification (特殊监管对象), and the follow-up is closed with the decision as its evidence."""
    from shuangsuiji.intake.services import do_record_penalty

    follow_up = _lock_follow_up(follow_up)
    ensure_penalty_closable(follow_up, acting_user)
    if decided_on is not None and follow_up.case_filed_on and decided_on < follow_up.case_filed_on:
        raise ValidationError({"decided_on": _("处罚决定日期早于立案日期")})
    if decided_on is not None and decided_on > timezone.localdate():
        raise ValidationError({"decided_on": _("处罚决定日期不能晚于今天")})
    penalty: Penalty = do_record_penalty(
        target=follow_up.target, decision_number=decision_number, decided_on=decided_on, department=department,
        violation=violation or follow_up.problem.notes, amount=amount, acting_user=acting_user,
        source_reference=follow_up.record.number)
    follow_up.penalty = penalty
    now = timezone.now()
    _close(follow_up, "", acting_user, now, ClosedAs.PENALTY)  # said from the decision (``closing_text``)
    _event("followup.penalty", follow_up, follow_up.record, acting_user,
           {"penalty": [None, penalty.decision_number], "status": [FollowUpStatus.OPEN, FollowUpStatus.CLOSED]})
    return follow_up


@transaction.atomic
def do_record_transfer(follow_up: FollowUp, *, reference: str, transferred_on: date, acting_user) -> FollowUp:
    """移交 / 移送: the document number and date of the transfer (the receipt is uploaded as evidence)."""
    follow_up = _lock_follow_up(follow_up)
    permissions.ensure_can_follow_up(acting_user, follow_up)
    _ensure_open(follow_up)
    if follow_up.handling not in (Handling.TRANSFER, Handling.JUDICIARY):
        raise ValidationError(_("只有移交或移送的问题需要登记移交文书"))
    reference = _nfc(reference)
    if not reference:
        raise ValidationError({"transfer_reference": _("请填写移交/移送文书编号")})
    _check_day_since_visit(follow_up, transferred_on, "transferred_on", _("移交/移送日期"))
    before = [follow_up.transfer_reference, follow_up.transferred_on]
    follow_up.transfer_reference = reference
    follow_up.transferred_on = transferred_on
    follow_up.save()
    _event("followup.transfer", follow_up, follow_up.record, acting_user,
           {"transfer_reference": [before[0], reference], "transferred_on": [before[1], transferred_on]})
    return follow_up


def ensure_closable(follow_up: FollowUp, acting_user) -> None:
    """What refuses 办结 whatever is typed (not his to close, closed already, closed by its re-check instead):
    said before 办结 is asked to be confirmed, and again, on the locked row, by ``do_close_follow_up``."""
    permissions.ensure_can_follow_up(acting_user, follow_up)
    _ensure_open(follow_up)
    if follow_up.handling == Handling.ORDER:
        raise ValidationError(_("责令改正的问题由复查记录办结：请完成复查任务%(number)s") % {
            "number": follow_up.recheck.number if follow_up.recheck_id else ""})


@transaction.atomic
def do_close_follow_up(follow_up: FollowUp, *, note: str, acting_user, files: Iterable[UploadedFile] = ()
                       ) -> FollowUp:
    """办结 with evidence: a note and at least one file (a photo after rectification, a receipt, a decision
    not to penalise). An order to rectify is closed by its re-check record instead, a case by its decision
    (or, when no penalty is imposed, by the document that says so)."""
    follow_up = _lock_follow_up(follow_up)
    ensure_closable(follow_up, acting_user)
    note = _nfc(note)
    if not note:
        raise ValidationError({"note": _("请填写办结情况")})
    if follow_up.handling == Handling.CASE and not follow_up.case_number:
        raise ValidationError(_("请先登记立案编号；不予处罚的，请上传不予处罚决定书等材料"))
    if follow_up.handling in (Handling.TRANSFER, Handling.JUDICIARY) and not follow_up.transfer_reference:
        raise ValidationError(_("请先登记移交/移送文书编号和日期"))
    # every file judged before any is stored: one refused leaves no other on the disk
    admitted = [(upload, _admit(upload)) for upload in files]
    for upload, file_type in admitted:
        evidence = _store_file(FollowUpEvidence(follow_up=follow_up), upload, file_type, taken_at=None,
                               caption=note[:255], acting_user=acting_user)
        _event("followup.evidence", follow_up, follow_up.record, acting_user,
               {"file": [None, evidence.original_name], "sha256": [None, evidence.sha256], **_converted(evidence)})
    if not follow_up.evidence.exists():
        raise ValidationError({"files": _("办结须有佐证材料（整改后照片、回执、决定书等），请上传")})
    _close(follow_up, note, acting_user, timezone.now())
    _event("followup.close", follow_up, follow_up.record, acting_user,
           {"status": [FollowUpStatus.OPEN, FollowUpStatus.CLOSED]}, note)
    return follow_up


# --- the team's calendar --------------------------------------------------------------------------------------


@transaction.atomic
def do_plan_visit(task: Task, *, planned_on: date, acting_user) -> TaskSchedule:
    """The team puts a drawn task on a day (for the phone's 今日 list); it must be within the task's deadline."""
    task = Task.objects.select_for_update(of=("self",)).select_related("target__jurisdiction").get(pk=task.pk)
    probe = InspectionRecord(task=task, target=task.target)
    permissions.ensure_team_member(acting_user, probe)
    if planned_on < timezone.localdate():
        raise ValidationError({"planned_on": _("计划日期不能早于今天")})
    if planned_on > task.deadline:
        raise ValidationError({"planned_on": _("计划日期晚于任务完成期限（%(day)s）") % {"day": task.deadline}})
    schedule, _created = TaskSchedule.objects.update_or_create(
        task=task, defaults={"planned_on": planned_on, "set_by": acting_user, "set_at": timezone.now()})
    record_events([PendingEvent("task.plan_visit", task, task.target.jurisdiction_id,
                                {"planned_on": [None, planned_on]})], actor=acting_user)
    return schedule
