"""一公开: every change to what the public sees (DESIGN §5: one transaction, one audit event each).

A publication batch is prepared (its snapshot taken, redactions applied), reviewed by a second person and
released; only then do the portal's querysets (``published()``) return its rows. Afterwards a row changes
only through ``do_correct_result`` (or ``do_republish_amended`` when the record behind it was amended),
which keeps the before and after in a ``Correction`` the portal shows.
"""

import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from shuangsuiji.accounts.models import Role
from shuangsuiji.audit.models import Event
from shuangsuiji.audit.services import jsonable, record_event, system_language
from shuangsuiji.disclosure import redaction
from shuangsuiji.disclosure.models import (
    MASKABLE_FIELDS,
    Correction,
    DrawVerification,
    ListedTarget,
    Objection,
    ObjectionStatus,
    Outcome,
    Publication,
    PublicationKind,
    PublicationStatus,
    PublishedResult,
    RedactionAction,
    RedactionCase,
    RedactionRule,
)
from shuangsuiji.engine import creditcode
from shuangsuiji.engine import manifest as engine_manifest
from shuangsuiji.engine.workdays import CalendarUnknownError
from shuangsuiji.fieldwork.models import Handling, InspectionRecord, ItemResult
from shuangsuiji.fieldwork.models import Outcome as ItemOutcome
from shuangsuiji.intake.permissions import is_admin_of
from shuangsuiji.intake.services import policy_for
from shuangsuiji.planning.gather import calendar
from shuangsuiji.planning.models import Draw, Plan, TaskPlan, bureau_name
from shuangsuiji.punctuation import join_semicolon, join_sep
from shuangsuiji.registry.models import Category, Jurisdiction, Target, TargetStatus
from shuangsuiji.systemtext import system_text
from shuangsuiji.validators import validate_phone

REVIEWERS = {Role.CITY_ADMIN, Role.COUNTY_ADMIN, Role.LEADER}
"""Who may review a batch someone else prepared: an admin of the jurisdiction or a leader above it."""

CORRECTABLE_FIELDS = ("target_name", "credit_code", "industry_code", "industry_name", "inspected_on", "items",
                      "outcome", "problems")


def _event(action: str, obj, jurisdiction_id: int, acting_user, changes: dict, reason: str = "") -> None:
    record_event(f"disclosure.{action}", actor=acting_user, obj=obj, jurisdiction_id=jurisdiction_id,
                 changes=changes, reason=reason)


def _in_scope(user, jurisdiction: Jurisdiction) -> bool:
    return user.jurisdiction is not None and jurisdiction.path.startswith(user.jurisdiction.path)


def can_publish(user, jurisdiction: Jurisdiction) -> bool:
    """Prepare and release a jurisdiction's batches, decide redactions, correct: its admins (or the city's)."""
    return is_admin_of(user, jurisdiction)


def can_review(user, jurisdiction: Jurisdiction) -> bool:
    if user is None or user.is_superuser:
        return True
    return user.is_active and user.role in REVIEWERS and _in_scope(user, jurisdiction)


def ensure_can_publish(user, jurisdiction: Jurisdiction) -> None:
    if not can_publish(user, jurisdiction):
        raise PermissionDenied(_("只有%(name)s的管理员可以办理公开") % {"name": jurisdiction.name})


def thrown_away(pk: int) -> Event | None:
    """The event of the discard or return that deleted batch ``pk`` (None when it was not thrown away)."""
    return (Event.objects.filter(action__in=("disclosure.discard", "disclosure.return"), object_id=str(pk),
                                 content_type__model="publication").select_related("jurisdiction")
            .order_by("-id").first())


def thrown_away_message(event: Event) -> str:
    """Who threw the batch away, when and why, for the admin or leader who acted on it a moment later."""
    told = (_("“%(batch)s”已由%(who)s于%(when)s撤销：%(reason)s") if event.action == "disclosure.discard"
            else _("“%(batch)s”已由%(who)s于%(when)s退回：%(reason)s"))
    return told % {"batch": event.object_repr, "who": event.actor_name or _("系统"),
                   "when": timezone.localtime(event.occurred_at).strftime("%Y-%m-%d %H:%M"), "reason": event.reason}


def _lock(publication: Publication) -> Publication:
    """The batch re-read under a row lock. Gone — discarded or returned by someone else while this caller waited
    for the lock (or since his page was loaded) — it is a refusal that says who threw it away and when."""
    try:
        # Only the jurisdiction joined: when the row was changed while this waited, PostgreSQL re-reads the locked
        # row but keeps the joined rows it found before, so a joined reviewer or releaser would be the old none.
        return Publication.objects.select_for_update(of=("self",)).select_related("jurisdiction").get(pk=publication.pk)
    except Publication.DoesNotExist:
        thrown = thrown_away(publication.pk)
        if thrown is None:
            raise ValidationError(_("该批次已不存在，请刷新后查看"), code="gone") from None
        raise ValidationError(thrown_away_message(thrown), code="gone") from None


def _expect(publication: Publication, status: str) -> None:
    # A batch a moment ago reviewed or released by someone else: say who and when, not only its status.
    done = {PublicationStatus.REVIEWED: (publication.reviewed_by, publication.reviewed_at,
                                         _("该批次已由%(who)s于%(when)s审核")),
            PublicationStatus.RELEASED: (publication.released_by, publication.released_at,
                                         _("该批次已由%(who)s于%(when)s公开"))}
    if publication.status != status and publication.status in done:
        who, when, told = done[publication.status]
        raise ValidationError(told % {"who": who.display_name if who is not None else _("系统"),
                                      "when": timezone.localtime(when).strftime("%Y-%m-%d %H:%M") if when else ""},
                              code="moved_on")
    if publication.status != status:
        raise ValidationError(_("该批次当前状态为“%(now)s”，此操作需要在“%(wanted)s”状态下进行") % {
            "now": publication.get_status_display(), "wanted": PublicationStatus(status).label})


# --- deadlines -----------------------------------------------------------------------------------------------


def results_deadline(year: int, month: int) -> tuple[date, str]:
    """The last day to publish a month's results: 10 working days after the month ends (附件 二(四))."""
    policy = policy_for(year, (month - 1) // 3 + 1)
    due = calendar().monthly_publication_deadline(policy, year, month)
    return due, policy.monthly_publication.citation


MONTH_FORMAT = pgettext_lazy("date format of a month", "n月")
"""A month named beside its deadline or as a column head, as a date format: 4月, and in English 2026-04, as the
English pages write a month (a batch's name, a refusal, its dates). Django's month names read 四月 in Chinese
where the rest of the portal says 4月 (the plan page's results deadlines did)."""


def month_label(year: int, month: int) -> str:
    """``MONTH_FORMAT`` of one month, in the active language."""
    return date_format(date(year, month, 1), str(MONTH_FORMAT))


def results_deadline_year(year: int, month: int) -> int:
    """The year a month's publication deadline falls in: ten working days after the month, so December's is
    in January of the next year."""
    return year + (month == 12)


def pending_deadline_note(year: int, month: int) -> str:
    """What stands in for a month's publication deadline while it cannot be counted: December's falls in the
    next year, whose holidays the city office has not entered yet (``known_results_deadline``)."""
    return _("待市局录入%(year)s年放假安排") % {"year": results_deadline_year(year, month)}


def calendar_pending_message(year: int, month: int) -> str:
    """Why a month's results cannot be put in a batch yet, and who must do what first."""
    return _("%(year)d年%(month)d月结果的公开期限在%(due)s年，按工作日计算，而%(due)s年的放假和调休安排尚未录入，"
             "暂不能生成批次。请市局管理员按国务院办公厅的通知在“工作日安排”中录入该年放假安排，之后即可生成。") % {
        "year": year, "month": month, "due": results_deadline_year(year, month)}


def known_results_deadline(year: int, month: int) -> date | None:
    """``results_deadline``'s day, or None while the working days of the year it falls in are unknown (December's
    falls in January: until the next year's holidays are entered in 工作日安排, it cannot be counted). Pages show
    such a month without a deadline, not overdue, rather than failing; the 工作台 asks for the holidays."""
    try:
        return results_deadline(year, month)[0]
    except CalendarUnknownError:
        return None


def annual_list_deadline(year: int) -> tuple[date, str]:
    """The last day to publish the year's list (指导意见 (十一): 每年年初; the policy fixes the date)."""
    policy = policy_for(year, 1)
    return policy.annual_list.due.in_year(year), policy.annual_list.citation


# --- snapshots -----------------------------------------------------------------------------------------------


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """The month as [start, end) in the local time zone: what "inspections of the month" means everywhere."""
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    zone = timezone.get_current_timezone()
    return (datetime.combine(first, time.min, tzinfo=zone), datetime.combine(following, time.min, tzinfo=zone))


def root_number(record: InspectionRecord) -> str:
    """The number the public knows a result by: the first record of its amendment chain."""
    while record.amends_id is not None:
        record = record.amends
    return record.number


def _personal_names(record: InspectionRecord) -> list[str]:
    names = [record.site_manager_name, record.legal_representative, record.contact_name]
    names += [s.name for s in record.signatures.all()]
    return names


def _plan_of(record: InspectionRecord):
    if record.task_id is None:
        return None
    # All in Python: ``publishable_records`` prefetches the selections with their plans (one query a batch,
    # not one a record); a record fetched alone loads them here.
    selections = sorted((s for s in record.task.selections.all() if s.active), key=lambda s: s.pk)
    return selections[0].plan if selections else None


def _problem_rows(record: InspectionRecord, items: list[ItemResult], names: list[str]) -> list[dict[str, Any]]:
    handlings = _labels(Handling)
    problems = []
    for item in items:
        if item.outcome != ItemOutcome.PROBLEM:
            continue
        follow_up = getattr(item, "follow_up", None)  # a reverse one-to-one: absent when no follow-up
        penalty = follow_up.penalty if follow_up is not None and follow_up.penalty_id else None
        problems.append({
            "item": item.name,
            "description": redaction.scrub(item.notes, names),
            "handling": handlings.get(item.handling, item.handling) if item.handling else "",
            "deadline": item.deadline.isoformat() if item.deadline else "",
            "decision_number": penalty.decision_number if penalty else "",
        })
    return problems


def result_row(record: InspectionRecord) -> dict[str, Any]:
    """What the public may read of a sealed, reviewed record, before rules and case decisions.

    Always in the system's language (``LANGUAGE_CODE``), whatever the language of whoever asks: the row is
    stored as the public's copy, and rows built again to find stale ones must compare like with like."""
    with translation.override(settings.LANGUAGE_CODE):
        return _result_row(record)


def _result_row(record: InspectionRecord) -> dict[str, Any]:
    target = record.target
    items = sorted(record.items.all(), key=lambda i: i.order)  # prefetched by publishable_records
    names = _personal_names(record)
    plan = _plan_of(record)
    problems = _problem_rows(record, items, names)
    outcomes = _labels(ItemOutcome)
    return {
        "credit_code": record.credit_code or target.credit_code,
        "target_name": record.target_name or target.name,
        "industry_code": target.industry_code,
        "industry_name": target.industry_name,
        "inspected_on": timezone.localdate(record.ended_at or record.started_at).isoformat(),
        "plan_label": str(plan) if plan else "",
        "plan_id": plan.pk if plan else None,
        "mode": record.get_mode_display(),
        "items": [{"code": i.code, "name": i.name, "outcome": outcomes.get(i.outcome, i.outcome)} for i in items],
        "outcome": Outcome.PROBLEM if problems else Outcome.NO_PROBLEM,
        "problems": problems,
    }


def _labels(choices) -> dict[str, str]:
    """A choice class's labels translated once: ``get_FOO_display`` on every item of every record of a month
    spent most of a batch's time in gettext."""
    return {value: str(label) for value, label in choices.choices}


def active_rules() -> list[RedactionRule]:
    """Every active rule, to match many records against without a query each (rules are few)."""
    return list(RedactionRule.objects.filter(active=True).select_related("jurisdiction"))


def industry_pattern(prefix: str) -> str:
    """What a rule's prefix (digits) matches: the code's digits, after the section letter where the code has one.
    Codes are stored as written, "C2614" or "2614" (GB/T 4754 either way); compared from the first character,
    a rule for "33" matched no code written with its letter, which is how the registry holds most of them."""
    return rf"^[A-Za-z]?{re.escape(prefix)}"


def _rules_for(target: Target, rules: list[RedactionRule] | None = None) -> list[RedactionRule]:
    codes = [*target.jurisdiction.ancestor_codes(), target.jurisdiction.code]
    if rules is None:
        rules = list(RedactionRule.objects.filter(active=True, jurisdiction__code__in=codes))
    else:
        rules = [r for r in rules if r.jurisdiction.code in codes]
    return [r for r in rules if r.target_id == target.pk
            or (r.industry_prefix and re.match(industry_pattern(r.industry_prefix), target.industry_code))]


def apply_redactions(record: InspectionRecord, row: dict[str, Any], rules: list[RedactionRule] | None = None
                     ) -> tuple[dict[str, Any], list[dict], str]:
    """Rules, then case decisions: the row to publish, the redaction notes, and the basis if withheld.
    ``rules``: the active rules already loaded (``active_rules()``), when matching many records."""
    notes: list[dict] = []
    cases = sorted(record.redaction_cases.all(), key=lambda c: (c.decided_at, c.pk))
    decisions = [*_rules_for(record.target, rules), *cases]
    for decision in decisions:
        source = "rule" if isinstance(decision, RedactionRule) else "case"
        if decision.action == RedactionAction.WITHHOLD:
            withheld = {key: "" for key in ("credit_code", "target_name", "industry_code", "industry_name",
                                            "plan_label", "mode")}
            withheld.update(items=[], problems=[], outcome=Outcome.WITHHELD, plan_id=row["plan_id"],
                            inspected_on=row["inspected_on"])
            return withheld, [{"field": "*", "basis": decision.basis, "source": source}], decision.basis
        row = redaction.apply_mask(row, decision.fields)
        notes += [{"field": f, "basis": decision.basis, "source": source} for f in decision.fields]
    return row, notes, ""


def _store_result(publication: Publication, record: InspectionRecord, rules: list[RedactionRule]) -> PublishedResult:
    row, notes, withheld = apply_redactions(record, result_row(record), rules)
    return PublishedResult(
        publication=publication, public_id=root_number(record), record=record, target=record.target,
        jurisdiction=record.target.jurisdiction, jurisdiction_name=record.target.jurisdiction.name,
        redactions=notes, withheld_basis=withheld, **_model_values(row))


def _model_values(row: Mapping[str, Any]) -> dict[str, Any]:
    values = dict(row)
    values["inspected_on"] = date.fromisoformat(values["inspected_on"])
    return values


def publishable_records(jurisdiction: Jurisdiction, year: int, month: int):
    """Reviewed records of random inspections (not re-checks) of the jurisdiction's own targets that ended in
    the month and have not been published yet."""
    start, end = month_bounds(year, month)
    published = PublishedResult.objects.values("public_id")
    return (InspectionRecord.objects.publishable()
            .filter(target__jurisdiction=jurisdiction, task__isnull=False, ended_at__gte=start, ended_at__lt=end)
            .exclude(number__in=published)
            .exclude(amends__isnull=False, amends__number__in=published)
            .select_related("target__jurisdiction", "task", "amends")
            .prefetch_related("signatures", "items__follow_up__penalty", "redaction_cases",
                              Prefetch("task__selections", queryset=TaskPlan.objects.select_related(
                                  "plan__jurisdiction", "plan__department")))
            .order_by("ended_at", "id"))


def _new_batch(jurisdiction: Jurisdiction, kind: str, year: int, month: int, deadline: date, citation: str,
               acting_user) -> Publication:
    existing = Publication.objects.select_for_update().filter(jurisdiction=jurisdiction, kind=kind, year=year,
                                                              month=month)
    if existing.exclude(status=PublicationStatus.RELEASED).exists():
        raise ValidationError(_("该期已有未发布的批次，请先审核发布或重新生成"))
    sequence = (existing.aggregate(n=Max("sequence"))["n"] or 0) + 1
    try:
        with transaction.atomic():
            return Publication.objects.create(
                jurisdiction=jurisdiction, kind=kind, year=year, month=month, sequence=sequence, deadline=deadline,
                deadline_citation=citation, prepared_by=acting_user)
    except IntegrityError as error:  # another tab prepared the same batch a moment ago
        raise ValidationError(_("该批次刚由他人生成，请刷新后查看")) from error


@transaction.atomic
def do_prepare_results(*, jurisdiction: Jurisdiction, year: int, month: int, acting_user) -> Publication:
    """Take the snapshot of a month's results: one batch, waiting for review."""
    ensure_can_publish(acting_user, jurisdiction)
    if not 1 <= month <= 12:
        raise ValidationError(_("月份应为 1–12"))
    if date(year, month, 1) > timezone.localdate():
        raise ValidationError(_("%(year)d年%(month)d月尚未开始，不能公开其结果") % {"year": year, "month": month})
    records = list(publishable_records(jurisdiction, year, month))
    if not records:
        raise ValidationError(_("%(name)s%(year)d年%(month)d月没有已审核通过、尚未公开的检查结果") % {
            "name": jurisdiction.name, "year": year, "month": month})
    try:
        deadline, citation = results_deadline(year, month)
    except CalendarUnknownError as error:  # December's deadline, before next year's holidays are entered
        raise ValidationError(calendar_pending_message(year, month)) from error
    publication = _new_batch(jurisdiction, PublicationKind.RESULTS, year, month, deadline, citation, acting_user)
    rules = active_rules()
    rows = PublishedResult.objects.bulk_create([_store_result(publication, r, rules) for r in records])
    publication.row_count = len(rows)
    publication.withheld_count = sum(1 for r in rows if r.outcome == Outcome.WITHHELD)
    publication.save(update_fields=["row_count", "withheld_count"])
    _event("prepare", publication, jurisdiction.pk, acting_user,
           {"rows": publication.row_count, "withheld": publication.withheld_count})
    return publication


@transaction.atomic
def do_prepare_annual_list(*, jurisdiction: Jurisdiction, year: int, acting_user) -> Publication:
    """Take the snapshot of the year's list of sources under random inspection: the jurisdiction's own
    active targets as the registry holds them now."""
    ensure_can_publish(acting_user, jurisdiction)
    try:
        deadline, citation = annual_list_deadline(year)
    except CalendarUnknownError as error:
        raise ValidationError(str(error)) from error
    publication = _new_batch(jurisdiction, PublicationKind.ANNUAL_LIST, year, 0, deadline, citation, acting_user)
    listed = set(ListedTarget.objects.filter(publication__jurisdiction=jurisdiction, publication__year=year,
                                             publication__kind=PublicationKind.ANNUAL_LIST)
                 .values_list("target_id", flat=True))
    targets = (Target.objects.filter(jurisdiction=jurisdiction, status=TargetStatus.ACTIVE)
               .exclude(pk__in=listed).order_by("credit_code"))
    rows = ListedTarget.objects.bulk_create(
        (ListedTarget(publication=publication, year=year, target=t, credit_code=t.credit_code, name=t.name,
                      jurisdiction_name=jurisdiction.name, jurisdiction_code=jurisdiction.code,
                      industry_code=t.industry_code, industry_name=t.industry_name, address=t.address,
                      is_key_unit=t.category == Category.KEY) for t in targets.iterator(chunk_size=2000)),
        batch_size=2000)
    if not rows:
        raise ValidationError(_("%(name)s没有尚未列入%(year)s年名录的在册检查对象") % {"name": jurisdiction.name,
                                                                                         "year": year})
    publication.row_count = len(rows)
    publication.save(update_fields=["row_count"])
    _event("prepare", publication, jurisdiction.pk, acting_user, {"rows": publication.row_count})
    return publication


@transaction.atomic
def do_discard(publication: Publication, *, reason: str, acting_user) -> None:
    """Throw away an unreleased snapshot (to take it again after a redaction decision, say)."""
    publication = _lock(publication)
    ensure_can_publish(acting_user, publication.jurisdiction)
    if publication.is_released:
        raise ValidationError(_("已公开的批次不能撤销，只能更正"))
    if not reason.strip():
        raise ValidationError({"reason": _("请填写撤销理由")})
    _event("discard", publication, publication.jurisdiction_id, acting_user, _batch_changes(publication),
           reason=reason)
    _throw_away(publication)


@transaction.atomic
def do_return(publication: Publication, *, reason: str, acting_user) -> None:
    """The reviewer's other answer: the snapshot is not right (a result that should be withheld, a wrong
    month). It is thrown away with his reason, and its results wait to be prepared again. Before, he could only
    approve, or leave the batch for its preparer to notice."""
    publication = _locked_for_review(publication, acting_user)
    if not reason.strip():
        raise ValidationError({"reason": _("请写明退回理由：哪些结果有什么问题")})
    _event("return", publication, publication.jurisdiction_id, acting_user, _batch_changes(publication),
           reason=reason)
    _throw_away(publication)


def _locked_for_review(publication: Publication, acting_user) -> Publication:
    """The prepared batch, locked, once ``acting_user`` may review it: a second person, admin or leader."""
    publication = _lock(publication)
    if not can_review(acting_user, publication.jurisdiction):
        raise PermissionDenied(_("只有管理员或局领导可以审核公开批次"))
    _expect(publication, PublicationStatus.PREPARED)
    if acting_user is not None and publication.prepared_by_id == acting_user.pk:
        raise ValidationError(_("生成批次的人不能审核自己生成的批次，请由另一位管理员或局领导审核"))
    return publication


def _batch_changes(publication: Publication) -> dict[str, Any]:
    with system_language():
        return {"batch": str(publication), "rows": publication.row_count}


def _throw_away(publication: Publication) -> None:
    publication.results.all().delete()
    publication.listed_targets.all().delete()
    publication.delete()


@transaction.atomic
def do_review(publication: Publication, *, note: str = "", acting_user) -> Publication:
    """A second person checks the snapshot before it goes out (the preparer cannot review his own)."""
    publication = _locked_for_review(publication, acting_user)
    _ensure_snapshot_current(publication)  # the reviewer must see what would go out
    publication.status = PublicationStatus.REVIEWED
    publication.reviewed_at = timezone.now()
    publication.reviewed_by = acting_user
    publication.review_note = note.strip()
    publication.save(update_fields=["status", "reviewed_at", "reviewed_by", "review_note"])
    _event("review", publication, publication.jurisdiction_id, acting_user, {"rows": publication.row_count},
           reason=note)
    return publication


def redactions_changed(publication: Publication) -> list[str]:
    """The results of a batch whose withholding or masking, decided again now (rules and case decisions as they
    stand), differs from the snapshot: a decision made, or a rule added or lifted, after the batch was made."""
    if publication.kind != PublicationKind.RESULTS:
        return []
    rules = active_rules()
    results = (publication.results.select_related("record__target__jurisdiction", "record__task", "record__amends")
               .prefetch_related("record__signatures", "record__items__follow_up__penalty",
                                 "record__redaction_cases",
                                 Prefetch("record__task__selections", queryset=TaskPlan.objects.select_related(
                                     "plan__jurisdiction", "plan__department")))
               .order_by("public_id"))
    changed = []
    for result in results:
        _row, notes, withheld = apply_redactions(result.record, result_row(result.record), rules)
        if _json(notes) != _json(result.redactions) or withheld != result.withheld_basis:
            changed.append(result.public_id)
    return changed


def _ensure_snapshot_current(publication: Publication) -> None:
    changed = redactions_changed(publication)
    if changed:
        raise ValidationError(_("本批次生成后，%(numbers)s 的不予公开或隐去决定有了变化，发布出去的将不是审核过的内容。"
                                "请撤销本批次，重新生成并审核后再发布") % {"numbers": join_sep(changed)})


@transaction.atomic
def do_release(publication: Publication, *, acting_user) -> Publication:
    """Put a reviewed batch on the portal. From now on its rows change only by recorded correction.

    What goes out is what a second person reviewed: if a withholding or masking decision about one of its
    results was made (or a rule added or lifted) after the batch was made, the release is refused. Released
    anyway, a result the bureau had just decided to withhold was on the portal until someone corrected it."""
    publication = _lock(publication)
    ensure_can_publish(acting_user, publication.jurisdiction)
    _expect(publication, PublicationStatus.REVIEWED)
    _ensure_snapshot_current(publication)
    publication.status = PublicationStatus.RELEASED
    publication.released_at = timezone.now()
    publication.released_by = acting_user
    publication.save(update_fields=["status", "released_at", "released_by"])
    # Its rows change for the public now: a mirror that asks what changed since its last sync must get them.
    publication.results.update(changed_at=publication.released_at)
    _event("release", publication, publication.jurisdiction_id, acting_user,
           {"rows": publication.row_count, "deadline": publication.deadline.isoformat(),
            "late": publication.is_overdue()})
    return publication


def results_moved(path: str) -> int:
    """Date as changed now the published results of the jurisdictions under ``path`` (a division given a new
    code, or moved under another parent: ``registry.services.do_save``, whose audit event records the change).

    The API's ``jurisdiction_code`` and its ``jurisdiction`` filter read the registry, not the snapshot: without a
    change time a copy kept by ``changed_since`` kept the old code for good, and a copy of the new parent's results
    never got them. Not a correction: nothing the bureau published about the inspection changed (the row keeps
    the jurisdiction's name it was published with). Returns the number of rows."""
    rows = PublishedResult.objects.published().filter(jurisdiction__path__startswith=path)
    return rows.update(changed_at=timezone.now())


# --- corrections --------------------------------------------------------------------------------------------


def _json(value: Any) -> Any:
    """``jsonable`` down into dicts too: items, problems and redaction notes are lists of dicts, which
    ``jsonable`` alone would turn into their ``str()`` (every published problem then looked stale)."""
    if isinstance(value, dict):
        return {key: _json(v) for key, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json(v) for v in value]
    return jsonable(value)


def public_values(result: PublishedResult) -> dict[str, Any]:
    return {name: _json(getattr(result, name)) for name in (*CORRECTABLE_FIELDS, "redactions", "withheld_basis")}


def _lock_result(result: PublishedResult) -> PublishedResult:
    result = (PublishedResult.objects.select_for_update(of=("self",)).select_related("publication", "record__target")
              .get(pk=result.pk))
    if not result.publication.is_released:
        raise ValidationError(_("该结果尚未公开；请撤销批次后重新生成，而不是更正"))
    return result


def _write_correction(result: PublishedResult, after: Mapping[str, Any], reason: str, acting_user,
                      record: InspectionRecord | None = None) -> Correction:
    if not reason.strip():
        raise ValidationError({"reason": _("请填写更正理由")})
    before = public_values(result)
    for name, value in after.items():
        setattr(result, name, date.fromisoformat(value) if name == "inspected_on" and isinstance(value, str)
                else value)
    if record is not None:
        result.record = record
    result.corrected_at = result.changed_at = timezone.now()
    # The JSON lists may rightly be empty (no problems, nothing redacted, a withheld result's items), which
    # full_clean would call "blank"; the rest of the row is validated.
    result.full_clean(exclude=["publication", "record", "target", "jurisdiction", "items", "problems", "redactions"])
    result.save()
    now_values = public_values(result)
    if now_values == before:
        raise ValidationError(_("更正前后内容相同，无需更正"))
    correction = Correction.objects.create(result=result, before=before, after=now_values, reason=reason.strip(),
                                           corrected_at=result.corrected_at, corrected_by=acting_user)
    _event("correct", result, result.jurisdiction_id, acting_user,
           {k: [before[k], now_values[k]] for k in now_values if before[k] != now_values[k]}, reason=reason)
    return correction


def scrub_description(result: PublishedResult, text: str) -> tuple[str, list[str]]:
    """A problem description typed in a correction as the public may read it, and what was taken out: the
    snapshot's scrubber with the personal names of the record behind the result, so a correction cannot put
    back what a release would have removed."""
    return redaction.scrub_report(text, _personal_names(result.record))


def same_text(a: str, b: str) -> bool:
    """Equal but for line ends and surrounding blanks: a browser sends a textarea's lines ended by CRLF, and an
    untouched description must not count as corrected."""
    return a.replace("\r\n", "\n").strip() == b.replace("\r\n", "\n").strip()


def _corrected_problems(result: PublishedResult, problems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``problems`` with each description that differs from the published one checked and scrubbed.

    Compared position by position, as the form lists them. A description masked by a redaction decision stays
    masked: rewriting it here would publish what the decision hides (lift the decision and republish instead)."""
    masked = {note.get("field") for note in result.redactions} & {"problems", "*"}
    corrected = []
    for n, problem in enumerate(problems):
        problem = dict(problem)
        text = str(problem.get("description") or "")
        old = result.problems[n].get("description", "") if n < len(result.problems) else None
        if old is None or not same_text(text, old):
            label = {"n": n + 1}
            if masked:
                raise ValidationError({"problems": _("问题%(n)s的描述已依法隐去，不能在更正中改写") % label})
            if not text.strip():
                raise ValidationError({"problems": _("问题%(n)s的描述不能为空") % label})
            problem["description"] = scrub_description(result, text.replace("\r\n", "\n").strip())[0]
        else:
            problem["description"] = old
        corrected.append(problem)
    return corrected


@transaction.atomic
def do_correct_result(result: PublishedResult, *, values: Mapping[str, Any], reason: str, acting_user) -> Correction:
    """Change a published result by hand (a typo in a name, a decision number decided later, a problem's
    description that is wrong or tells what it should not). Edited descriptions are scrubbed as the snapshot
    scrubs them."""
    result = _lock_result(result)
    ensure_can_publish(acting_user, result.jurisdiction)
    unknown = set(values) - set(CORRECTABLE_FIELDS)
    if unknown:
        raise ValidationError(_("不能更正的字段：%(fields)s") % {"fields": join_sep(sorted(unknown))})
    if "outcome" in values and values["outcome"] not in Outcome.values:
        raise ValidationError({"outcome": _("检查结果不在可选范围内")})
    if "problems" in values:
        values = {**values, "problems": _corrected_problems(result, list(values["problems"]))}
    return _write_correction(result, values, reason, acting_user)


def _rule_matches(jurisdiction: Jurisdiction) -> Q:
    """Results whose target a redaction rule (active or not) of the jurisdiction, its subtree or above names."""
    codes = [*jurisdiction.ancestor_codes(), jurisdiction.code]
    rules = RedactionRule.objects.filter(Q(jurisdiction__code__in=codes)
                                         | Q(jurisdiction__path__startswith=jurisdiction.path))
    condition = Q(pk__in=[])
    for target_id, prefix in rules.values_list("target_id", "industry_prefix"):
        condition |= Q(target_id=target_id) if target_id else Q(target__industry_code__regex=industry_pattern(prefix))
    return condition


KEPT_FIELDS = ("target_name", "credit_code", "industry_code", "industry_name", "inspected_on")
"""The row's own fields a correction by hand can fix while the sealed record keeps the old value."""


def _latest(replaced: Mapping[Any, Any], value: Any) -> Any:
    seen = set()
    while value in replaced and value not in seen:  # A → B → C: the latest; a loop back stops where it began
        seen.add(value)
        value = replaced[value]
    return value


def _kept(value: Any) -> bool:
    """A value a correction put in on purpose: not a blank a withholding leaves, not a mask."""
    return bool(value) and value != redaction.MASK


def _keep_corrections(result: PublishedResult, row: dict[str, Any]) -> dict[str, Any]:
    """The record's row with what corrections replaced given as replaced: the problem descriptions, and the
    row's own fields (a company name, a credit code, an industry, the day).

    A correction by hand fixes what the public reads, usually without the sealed record changing (a typo in a
    name, a description that was wrong or told what it should not). Rebuilt from the record, the row would
    bring the old value back — listed as a pending correction and put back on the portal by "重新公开". So a
    value once replaced stays replaced (through every later replacement), unless the record's value is new
    (an approved amendment). A mask or a withholding is not a replacement: lifting the redaction decision brings
    back what it hid, as corrected."""
    descriptions: dict[str, str] = {}
    fields: dict[str, dict[Any, Any]] = {name: {} for name in KEPT_FIELDS}
    for correction in sorted(result.corrections.all(), key=lambda c: (c.corrected_at, c.pk)):
        for name, replaced in fields.items():
            old, new = correction.before.get(name), correction.after.get(name)
            if _kept(old) and _kept(new) and old != new:
                replaced[old] = new
        before, after = correction.before.get("problems") or [], correction.after.get("problems") or []
        for old, new in zip(before, after, strict=False):
            text, by = old.get("description", ""), new.get("description", "")
            if _kept(text) and _kept(by) and text != by and old.get("item") == new.get("item"):
                descriptions[text] = by
    row = {**row, **{name: _latest(replaced, row[name]) for name, replaced in fields.items() if replaced}}
    if descriptions and row.get("problems"):
        row["problems"] = [dict(problem, description=_latest(descriptions, problem.get("description", "")))
                           for problem in row["problems"]]
    return _keep_plan(result, row)


def _keep_plan(result: PublishedResult, row: dict[str, Any]) -> dict[str, Any]:
    """The record's row under the plan ``result`` was published under, whatever the task's selections say now.

    The inspection was done under that plan's draw. A re-draw approved after the month was published withdraws
    the drawn tasks (``planning.services._supersede``), and the row rebuilt from the record then had no plan
    (or another plan's, where another draw kept the task): republished, the result left its plan's page and the
    open-data ``plan=`` filter, and a copy of one plan's results kept in sync with ``changed_since`` was never
    told (the docs promise that a result's plan is not corrected). A withheld row keeps the plan's id, not its
    name, as the snapshot keeps it."""
    if result.plan_id is None or row.get("plan_id") == result.plan_id:
        return row
    label = ""
    if row.get("outcome") != Outcome.WITHHELD:
        label = result.plan_label
        if not label:  # published withheld, shown again now: its plan's name as the snapshot writes it
            plan = Plan.objects.filter(pk=result.plan_id).first()
            with translation.override(settings.LANGUAGE_CODE):
                label = str(plan) if plan else ""
    return {**row, "plan_id": result.plan_id, "plan_label": label}


def pending_corrections(jurisdiction: Jurisdiction):
    """Published results whose record has since been replaced by a reviewed amendment, or whose penalty
    decision has since been made: what the public sees is behind the internal record."""
    stale = []
    results = (PublishedResult.objects.published().filter(jurisdiction__path__startswith=jurisdiction.path)
               .select_related("record__target__jurisdiction", "record__task"))
    # The amended records (few) are looked up among the scope's published results by their keys first, then their
    # amendments read: as one query, PostgreSQL read every published row of the country and sorted the scope's
    # (0.3 s for a province). The amended records come by their keys too: joined, they were merged with every
    # record of the country in key order.
    amended = InspectionRecord.objects.sealed().filter(amends__isnull=False).values("amends")
    behind = list(results.filter(record__in=amended).order_by().values_list("record", flat=True))
    current = {r.amends_id: r for r in InspectionRecord.objects.publishable().filter(amends__in=behind)
               .select_related("target__jurisdiction", "task").prefetch_related("amends")}
    # Only rows that can have moved are compared: amended records, records with a penalty decision (decided, or
    # its number corrected, after release: the only part of a sealed record's row that changes without an
    # amendment) and rows a redaction decision touches (a case, a rule added or deactivated after release).
    # Not every problem row: the city's workbench runs this on each visit, and problems pile up year on year.
    # The candidates' records are read first, each set from its own few rows in scope, and handed over as a list:
    # as subqueries OR-ed together they could use no index, and PostgreSQL walked every published result of the
    # country in the list's order to test each (0.28 s for a city, whatever its scope). Joins would need a
    # DISTINCT over every published row in scope.
    in_scope = {"record__target__jurisdiction__path__startswith": jurisdiction.path}
    moved = {*current.keys(),
             *ItemResult.objects.filter(follow_up__penalty__isnull=False, **in_scope).values_list("record_id",
                                                                                                  flat=True),
             *RedactionCase.objects.filter(**in_scope).values_list("record_id", flat=True)}
    candidates = Q(record__in=sorted(moved)) | _rule_matches(jurisdiction)
    rules = active_rules()
    rows = results.filter(candidates).prefetch_related(
        "corrections", "record__signatures", "record__items__follow_up__penalty", "record__redaction_cases",
        Prefetch("record__task__selections", queryset=TaskPlan.objects.select_related("plan__jurisdiction",
                                                                                     "plan__department")))
    for result in rows.iterator(chunk_size=500):
        record = current.get(result.record_id, result.record)
        row, notes, withheld = apply_redactions(record, result_row(record), rules)
        row = _keep_corrections(result, row)
        fresh = {**_model_values(row), "redactions": notes, "withheld_basis": withheld}
        fresh["inspected_on"] = fresh["inspected_on"].isoformat()
        if any(fresh[k] != _json(getattr(result, k)) for k in fresh):
            stale.append((result, record, fresh))
    return stale


@transaction.atomic
def do_republish_amended(result: PublishedResult, *, reason: str, acting_user) -> Correction:
    """Bring a published result up to date with its record (an approved amendment, a penalty decided, a new
    redaction decision), as a correction the portal shows."""
    result = _lock_result(result)
    ensure_can_publish(acting_user, result.jurisdiction)
    amendment = (InspectionRecord.objects.publishable().filter(amends=result.record)
                 .select_related("target__jurisdiction", "task", "amends").first())
    record = amendment or result.record
    row, notes, withheld = apply_redactions(record, result_row(record))
    row = _keep_corrections(result, row)
    return _write_correction(result, {**row, "redactions": notes, "withheld_basis": withheld}, reason, acting_user,
                             record=record)


# --- redaction decisions ------------------------------------------------------------------------------------


def _check_redaction(action: str, fields: Iterable[str], reason: str) -> list[str]:
    fields = list(dict.fromkeys(fields))
    if action not in RedactionAction.values:
        raise ValidationError({"action": _("处理方式不在可选范围内")})
    if action == RedactionAction.MASK and not fields:
        raise ValidationError({"fields": _("请选择要隐去的字段")})
    unknown = [f for f in fields if f not in MASKABLE_FIELDS]
    if unknown:
        raise ValidationError({"fields": _("不能隐去的字段：%(fields)s") % {"fields": join_sep(unknown)}})
    if not reason.strip():
        raise ValidationError({"reason": _("请填写不予公开的理由")})
    return fields if action == RedactionAction.MASK else []


@transaction.atomic
def do_add_redaction_rule(*, jurisdiction: Jurisdiction, action: str, basis: str, reason: str, acting_user,
                          fields: Iterable[str] = (), industry_prefix: str = "", target: Target | None = None
                          ) -> RedactionRule:
    ensure_can_publish(acting_user, jurisdiction)
    fields = _check_redaction(action, fields, reason)
    if not industry_prefix and target is None:
        raise ValidationError(_("请填写行业代码前缀或选择检查对象"))
    if industry_prefix and not re.fullmatch(r"[0-9]{1,4}", industry_prefix.strip()):
        raise ValidationError({"industry_prefix": _("行业代码前缀应为 1–4 位数字，如 26 或 2614")})
    if target is not None and not target.jurisdiction.path.startswith(jurisdiction.path):
        raise ValidationError({"target": _("检查对象不在%(name)s") % {"name": jurisdiction.name}})
    rule = RedactionRule(jurisdiction=jurisdiction, action=action, fields=fields, basis=basis, reason=reason.strip(),
                         industry_prefix=industry_prefix.strip(), target=target, created_by=acting_user)
    rule.full_clean()
    rule.save()
    _event("redaction_rule", rule, jurisdiction.pk, acting_user,
           {"action": action, "fields": fields, "basis": basis, "industry_prefix": rule.industry_prefix,
            "target": target.credit_code if target else ""}, reason=reason)
    return rule


@transaction.atomic
def do_deactivate_redaction_rule(rule: RedactionRule, *, reason: str, acting_user) -> RedactionRule:
    rule = RedactionRule.objects.select_for_update().select_related("jurisdiction").get(pk=rule.pk)
    ensure_can_publish(acting_user, rule.jurisdiction)
    if not reason.strip():
        raise ValidationError({"reason": _("请填写停用理由")})
    if not rule.active:
        # Two admins (or a page left open) lifting it: a second event would say it went from active to inactive.
        off = (Event.objects.filter(action="disclosure.redaction_rule_off", object_id=str(rule.pk),
                                    content_type__model="redactionrule").order_by("-id").first())
        raise ValidationError(_("该规则已由%(who)s于%(when)s停用") % {
            "who": (off.actor_name or _("系统")) if off else _("他人"),
            "when": timezone.localtime(off.occurred_at).strftime("%Y-%m-%d %H:%M") if off else ""}, code="done")
    rule.active = False
    rule.save(update_fields=["active"])
    _event("redaction_rule_off", rule, rule.jurisdiction_id, acting_user, {"active": [True, False]}, reason=reason)
    return rule


def _refuse_decided_already(record: InspectionRecord, action: str, fields: list[str]) -> None:
    """A decision that adds nothing to the record's earlier cases is refused, naming who decided first: two admins
    deciding at once (or a page left open) would otherwise make two cases, two audit events and, once published,
    two corrections saying the same. Masking further fields, or withholding what was masked, adds something."""
    cases = list(RedactionCase.objects.filter(record=record).select_related("decided_by").order_by("decided_at", "pk"))
    withheld = next((case for case in cases if case.action == RedactionAction.WITHHOLD), None)
    masked = {field for case in cases if case.action == RedactionAction.MASK for field in case.fields}
    if withheld is not None:
        first = withheld
    elif action == RedactionAction.MASK and cases and set(fields) <= masked:
        first = next(case for case in cases if case.action == RedactionAction.MASK and set(case.fields) & set(fields))
    else:
        return
    raise ValidationError(_("%(number)s 已由%(who)s于%(when)s决定%(action)s（%(basis)s），本次决定没有新的内容") % {
        "number": record.number, "who": first.decided_by.display_name if first.decided_by else _("系统"),
        "when": timezone.localtime(first.decided_at).strftime("%Y-%m-%d %H:%M"),
        "action": first.get_action_display() if first.action == RedactionAction.WITHHOLD
        else f"{first.get_action_display()}{join_sep(str(MASKABLE_FIELDS.get(f, f)) for f in fields)}",
        "basis": first.get_basis_display()}, code="done")


@transaction.atomic
def do_decide_redaction(record: InspectionRecord, *, action: str, basis: str, reason: str, acting_user,
                        fields: Iterable[str] = ()) -> RedactionCase:
    """Withhold or mask one record's result. Already published, it takes effect by correction
    (``pending_corrections`` lists it)."""
    ensure_can_publish(acting_user, record.target.jurisdiction)
    fields = _check_redaction(action, fields, reason)
    # The record's row is the lock two admins deciding at once queue on; the second then sees the first's case.
    InspectionRecord.objects.select_for_update().filter(pk=record.pk).first()
    _refuse_decided_already(record, action, fields)
    case = RedactionCase(record=record, action=action, fields=fields, basis=basis, reason=reason.strip(),
                         decided_by=acting_user)
    case.full_clean()
    case.save()
    _event("redaction_case", case, record.target.jurisdiction_id, acting_user,
           {"record": record.number, "action": action, "fields": fields, "basis": basis}, reason=reason)
    return case


# --- draws ---------------------------------------------------------------------------------------------------

VERIFIED_REPORT = gettext_lazy("密钥与承诺一致，种子、各类别抽取结果与人员分配均可复现")
"""The report of a check that found nothing: stored in the system's language; the portal shows this text in the
reader's language instead (``public.draw_status``)."""


@transaction.atomic
def do_verify_draw(draw: Draw) -> DrawVerification:
    """Check a revealed draw's complete manifest as the public would (engine.manifest.verify, the rules the
    standalone verifier implements) and keep the result for the portal."""
    if draw.plan.revealed_at is None or not draw.manifest:
        raise ValidationError(_("该抽取尚未公开密钥，无法验证"))
    problems = engine_manifest.verify(draw.manifest)
    with system_language():
        report = "\n".join(problems) if problems else str(VERIFIED_REPORT)
    return DrawVerification.objects.create(draw=draw, ok=not problems, report=report)


@dataclass
class MonthState:
    """Where a jurisdiction's results of one month stand against their deadline (the city's oversight)."""

    jurisdiction: Jurisdiction
    year: int
    month: int
    deadline: date | None
    """None while the working days it falls in are unknown (``known_results_deadline``)."""
    batches: list[Publication]
    unpublished: int
    """Reviewed results of the month not in any batch yet."""

    @property
    def released(self) -> bool:
        return bool(self.batches) and all(b.is_released for b in self.batches) and not self.unpublished

    def overdue(self, today: date) -> bool:
        """Something of the month was not out by the deadline: still unpublished after it, or released late."""
        if self.deadline is not None and today > self.deadline and (
                self.unpublished or any(not b.is_released for b in self.batches)):
            return True
        return any(b.is_released and b.is_overdue() for b in self.batches)


def month_states(jurisdiction: Jurisdiction, year: int, today: date | None = None) -> list[MonthState]:
    """Every (county, month) of ``year`` in ``jurisdiction``'s subtree that has results to publish or batches,
    up to the current month, in order of jurisdiction and month."""
    today = today or timezone.localdate()
    start, _end = month_bounds(year, 1)
    end = month_bounds(year, 12)[1]
    # NOT EXISTS by the unique public_id, not NOT IN: NOT IN hashed every published result of the country for
    # each query, whatever the scope (104,130 rows at a national year's share, twice a query).
    published = PublishedResult.objects.filter(public_id=OuterRef("number"))
    amended_published = PublishedResult.objects.filter(public_id=OuterRef("amends__number"))
    pending = (InspectionRecord.objects.publishable()
               .filter(target__jurisdiction__path__startswith=jurisdiction.path, task__isnull=False,
                       ended_at__gte=start, ended_at__lt=end)
               .exclude(Exists(published)).exclude(Exists(amended_published))
               .annotate(month=TruncMonth("ended_at")).values("target__jurisdiction", "month")
               .annotate(n=Count("id")))
    counts: dict[tuple[int, int], int] = {}
    for row in pending:
        counts[(row["target__jurisdiction"], row["month"].month)] = row["n"]
    batches: dict[tuple[int, int], list[Publication]] = {}
    for batch in (Publication.objects.filter(jurisdiction__path__startswith=jurisdiction.path, year=year,
                                             kind=PublicationKind.RESULTS).order_by("sequence")):
        batches.setdefault((batch.jurisdiction_id, batch.month), []).append(batch)
    keys = sorted(set(counts) | set(batches))
    places = Jurisdiction.objects.in_bulk({k[0] for k in keys})
    deadlines = {month: known_results_deadline(year, month) for month in {k[1] for k in keys}}
    states = [MonthState(places[j], year, month, deadlines[month], batches.get((j, month), []),
                         counts.get((j, month), 0)) for j, month in keys]
    return sorted(states, key=lambda s: (s.jurisdiction.path, s.month))


# --- objections (异议) ------------------------------------------------------------------------------------------

OBJECTIONS_PER_ADDRESS = 5
"""Objections one address may lodge in 24 hours: a firm has one or two results a year; more is a script."""

OBJECTION_TEXT_MAX = 2000
NUMBER_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
"""The number's random part: no 0/O, 1/I to misread on a phone. Six of them (about 10⁹ values) make a number
nobody guesses, which is what lets the number and the public credit code stand for a password on the portal."""


def objection_number(today: date) -> str:
    return f"YY{today:%Y%m%d}-" + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(6))


def objection_form_allowed(result: PublishedResult) -> bool:
    """A withheld result names no firm, so no firm can show it is the one inspected."""
    return result.outcome != Outcome.WITHHELD and bool(result.credit_code)


def do_receive_objection(result: PublishedResult, *, credit_code: str, organisation: str, contact_name: str,
                         contact_phone: str, content: str, address: str | None) -> Objection:
    """The inspected enterprise objects to its published result. Every problem is reported at once, by field;
    one objection per result waits for its answer at a time, and one address lodges at most
    ``OBJECTIONS_PER_ADDRESS`` a day."""
    problems: dict[str, list[str]] = {}

    def problem(field: str | None, message: str) -> None:
        problems.setdefault(field or "__all__", []).append(message)

    code = creditcode.normalize(credit_code or "")
    if not code:
        problem("credit_code", _("请填写本单位的统一社会信用代码"))
    elif wrong := creditcode.validate(code):  # a typo is named as one, not as another firm's code
        problem("credit_code", system_text(wrong))  # the engine says it in Chinese; the reader may read English
    elif code != result.credit_code:
        problem("credit_code", _("统一社会信用代码与这条结果的检查对象不符：只有被检查的单位可以对它提出异议"))
    fields = {"organisation": (organisation, 128, _("请填写单位名称")),
              "contact_name": (contact_name, 32, _("请填写联系人")),
              "content": (content, OBJECTION_TEXT_MAX, _("请写明对哪一项内容有异议、理由是什么"))}
    clean: dict[str, str] = {}
    for field, (value, longest, missing) in fields.items():
        clean[field] = (value or "").strip()
        if not clean[field]:
            problem(field, missing)
        elif len(clean[field]) > longest:
            problem(field, _("不能超过 %(n)s 个字（现在 %(m)s 个）") % {"n": longest, "m": len(clean[field])})
    phone = (contact_phone or "").strip()
    if not phone:
        problem("contact_phone", _("请填写联系电话，以便核实和答复"))
    else:
        try:
            validate_phone(phone)
        except ValidationError as error:
            problem("contact_phone", join_semicolon(error.messages))
    if not objection_form_allowed(result):
        # the result's bureau as the registry names it: a city-level result has a 市局, not a 分局
        problem(None, _("这条结果依法不予公开，不能在线提出异议；请与%(bureau)s联系。") % {
            "bureau": bureau_name(result.jurisdiction)})
    with transaction.atomic():
        # The result's row queues two submissions of the same objection (a double tap), so the second sees
        # the first and is refused instead of lodging a copy.
        result = PublishedResult.objects.published().select_for_update(of=("self",)).get(pk=result.pk)
        waiting = result.objections.filter(status=ObjectionStatus.RECEIVED).first()
        if waiting is not None:
            problem(None, _("这条结果已有一条 %(day)s 收到、尚未答复的异议；答复后可以再提出") % {
                "day": timezone.localdate(waiting.received_at).isoformat()})
        recent = Objection.objects.filter(received_from=address, received_at__gte=timezone.now() - timedelta(days=1))
        if address and recent.count() >= OBJECTIONS_PER_ADDRESS:
            limit = _("同一网络地址 24 小时内最多提出 %(n)s 条异议，请稍后再提出或直接与%(bureau)s联系")
            problem(None, limit % {"n": OBJECTIONS_PER_ADDRESS, "bureau": bureau_name(result.jurisdiction)})
        if problems:
            raise ValidationError(problems)
        objection = Objection.objects.create(
            number=objection_number(timezone.localdate()), result=result, jurisdiction_id=result.jurisdiction_id,
            credit_code=code, organisation=clean["organisation"], contact_name=clean["contact_name"],
            contact_phone=phone, content=clean["content"], received_from=address or None)
        # The contact stays out of the chain: it is personal, and the chain keeps what it is given for ever.
        # The objection named, not quoted: its words and the name the firm gave are on its own page, read by those
        # who handle it; the chain is kept for ever and read across the scope (audit.labels, Key.named).
        _event("objection_receive", objection, result.jurisdiction_id, None,
               {"number": objection.number, "result": result.public_id})
    return objection


OBJECTION_LOOKUP_MISSES = 20
"""Wrong number-and-code pairs one address may try in an hour on the status page. A firm that mistypes its
number tries a few times; a script walking the numbers of a firm whose credit code is public tries thousands."""


class ObjectionLookupLimited(Exception):
    """The address has tried too many wrong pairs this hour; ``wait`` is the seconds until it may try again."""

    def __init__(self, wait: int) -> None:
        super().__init__(wait)
        self.wait = wait


def find_objection(number: str, credit_code: str, *, address: str | None) -> Objection | None:
    """The objection with this number and credit code, or None; a miss counts against the address.

    The count is kept in the cache, per address and clock hour (a store of its own would keep addresses for
    nothing once the hour is over). Once the address has missed ``OBJECTION_LOOKUP_MISSES`` times, every
    lookup from it is refused until the hour is over, a right pair too: otherwise the refusal would tell a
    script which of its guesses was right."""
    now = int(timezone.now().timestamp())
    key = f"objection-lookup-misses:{address or '-'}:{now // 3600}"
    if cache.get(key, 0) >= OBJECTION_LOOKUP_MISSES:
        raise ObjectionLookupLimited(3600 - now % 3600)
    found = (Objection.objects.filter(number=creditcode.normalize(number), credit_code=creditcode.normalize(
        credit_code)).select_related("result").first())
    if found is None:
        cache.add(key, 0, timeout=3600)
        try:
            cache.incr(key)
        except ValueError:  # gone since (the hour turned, or the cache was cleared): this miss starts a count
            cache.add(key, 1, timeout=3600)
    return found


EMPTY_REPLY = gettext_lazy("请填写答复：采纳的，写明怎样更正；不予采纳的，写明理由")
"""Said at the reply when it is empty, by the service and by the form (``ObjectionAnswerForm``)."""


def do_answer_objection(objection: Objection, *, accepted: bool, reply: str, acting_user) -> Objection:
    """The county (or the city) answers in writing; the enterprise reads the answer with its number. Answered
    once: a second answer is refused with who answered first and when."""
    ensure_can_publish(acting_user, objection.jurisdiction)
    reply = (reply or "").strip()
    if not reply:
        raise ValidationError({"reply": EMPTY_REPLY})
    if len(reply) > OBJECTION_TEXT_MAX:
        raise ValidationError({"reply": _("不能超过 %(n)s 个字（现在 %(m)s 个）") % {
            "n": OBJECTION_TEXT_MAX, "m": len(reply)}})
    with transaction.atomic():
        # No join: PostgreSQL re-reads a row it waited for, but not the rows joined to it, so the first answer's
        # author would read as nobody; he is fetched after the lock.
        objection = Objection.objects.select_for_update().get(pk=objection.pk)
        if objection.status != ObjectionStatus.RECEIVED:
            raise ValidationError(_("异议 %(number)s 已由%(who)s于 %(when)s 答复，不能再次答复") % {
                "number": objection.number,
                "who": objection.answered_by.display_name if objection.answered_by else "—",
                "when": timezone.localtime(objection.answered_at).strftime("%Y-%m-%d %H:%M")})
        objection.status = ObjectionStatus.ACCEPTED if accepted else ObjectionStatus.REJECTED
        objection.reply, objection.answered_at, objection.answered_by = reply, timezone.now(), acting_user
        objection.save(update_fields=["status", "reply", "answered_at", "answered_by"])
        _event("objection_answer", objection, objection.jurisdiction_id, acting_user,
               {"number": objection.number, "status": objection.status, "reply": reply})
    return objection
