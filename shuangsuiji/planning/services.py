"""Service functions of planning: the only way plans, draws and tasks change (DESIGN §4–§5).

Each ``do_*`` runs in one transaction, locks the plan row it works on (``select_for_update``: two
admins pressing the same button produce one result; on SQLite the IMMEDIATE transaction mode
serialises writers the same way), checks who may act (``planning.permissions``), and writes its audit
event in the same transaction. Views, management commands and the demo seed call these.

The ceremony of a plan, step by step (DESIGN §4):

1. ``do_approve_and_freeze`` — the inputs (strata with their eligible targets and must-includes, the
   requested counts, the inspector pool with recusals and recent pairs, the policy) are frozen in the
   engine's canonical form and hashed; the hash is published at once.
2. ``do_commit_secret`` — 32 random bytes from the OS; their SHA-256 is published, the bytes are kept.
3. ``do_record_public_value`` — dice rolled before witnesses, the lottery numbers of a named date, or a
   drand round: a value nobody here controls, recorded after the commitment.
4. ``do_draw`` — the engine derives the seed and draws targets, then inspectors; the shell stores the
   manifest and writes the tasks.
5. ``do_dispatch`` — the teams see their tasks; ``do_reveal`` later publishes the secret.
"""

import copy
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from shuangsuiji.audit.services import record_event, system_language
from shuangsuiji.engine import assignment, creditcode, manifest
from shuangsuiji.engine.policy import Policy
from shuangsuiji.engine.quotas import QuarterQuotas, Quota
from shuangsuiji.engine.sampling import Candidate, DrawError
from shuangsuiji.engine.workdays import CalendarUnknownError, previous_quarter
from shuangsuiji.intake import rules as intake_rules
from shuangsuiji.intake.models import Classification, ClassificationRun, Clue, ClueStatus, PositiveListEntry
from shuangsuiji.intake.permissions import ensure_not_self, is_admin_of
from shuangsuiji.intake.services import classifiable_from, policy_for
from shuangsuiji.planning import gather
from shuangsuiji.planning.models import (
    DRAWN_STRATA,
    KIND_FLAGS,
    CrossCheck,
    Draw,
    DrawStatus,
    MemberRole,
    Plan,
    PlanKind,
    PlanStatus,
    PlanStratum,
    PublicSource,
    RedrawRequest,
    RedrawState,
    ShortfallState,
    Stratum,
    Substitution,
    SubstitutionKind,
    Task,
    TaskMember,
    TaskPlan,
    TaskStatus,
    bureau_name,
    quarter_text,
    team_places,
    told_selections,
)
from shuangsuiji.planning.permissions import (
    can_run,
    ensure_can_approve,
    ensure_can_create,
    ensure_can_edit,
    ensure_can_run,
)
from shuangsuiji.punctuation import bracketed, citation_line, join_sep
from shuangsuiji.registry.models import CheckItem, Department, Inspector, Jurisdiction, Level, Target, TargetStatus
from shuangsuiji.systemtext import system_text

MIN_DICE = 4
"""Fewest dice accepted: the secret already makes the seed unpredictable; the dice only take the last word
away from the bureau, and four rolls leave 1,296 outcomes it could not have foreseen at the commitment."""


def _lock(plan: Plan) -> Plan:
    """Re-read the plan under a row lock: every state change starts here, so concurrent calls queue."""
    return Plan.objects.select_for_update(of=("self",)).select_related("jurisdiction", "department").get(pk=plan.pk)


def _expect(plan: Plan, *statuses: str) -> None:
    if plan.status not in statuses:
        wanted = join_sep(str(PlanStatus(s).label) for s in statuses)
        raise ValidationError(_("计划当前状态为“%(now)s”，此操作需要在“%(wanted)s”状态下进行") % {
            "now": plan.get_status_display(), "wanted": wanted})


def _event(action: str, plan: Plan, acting_user, changes: dict, reason: str = "", obj=None) -> None:
    """The audit event of a step, on the plan (or on the task a substitution changed), in the plan's scope."""
    record_event(f"plan.{action}", actor=acting_user, obj=obj or plan, jurisdiction_id=plan.jurisdiction_id,
                 changes=changes, reason=reason)


# --- creating a plan and what it asks for ----------------------------------------------------------------


def plan_changed(*plans: Plan | int, at: datetime | None = None) -> None:
    """Date ``plans`` as changed for the public (``Plan.changed_at``, the open-data plans API's ``changed_since``),
    in the caller's transaction: every service that changes what the portal reads of a plan — its strata, status,
    draws and their manifests, substitutions, the reveal — calls it, so a mirror that copied the plan reads it
    again. A plan not published yet may be dated too: its freeze dates it again when it becomes public."""
    ids = [plan if isinstance(plan, int) else plan.pk for plan in plans]
    moment = at or timezone.now()
    Plan.objects.filter(pk__in=ids).update(changed_at=moment)
    for plan in plans:
        if isinstance(plan, Plan):
            plan.changed_at = moment


def plans_moved(path: str) -> int:
    """Date as changed now the plans of the jurisdictions under ``path`` (a division renamed, given a new code or
    moved: ``registry.services.do_save``), as ``disclosure.services.results_moved`` dates their results."""
    return Plan.objects.filter(jurisdiction__path__startswith=path).update(changed_at=timezone.now())


PUBLIC_ITEM_FIELDS = frozenset({"code", "name", "industries", "is_active"})
"""What the public reads of a check item on a published plan: the API row's ``check_items`` (the codes) and the
portal's plan page (the name and industry scope of each item still in use). A change of any of them changes the
plan as published; the rest of an item (its basis, content, departments) is read on the item list, not the plan."""


def items_changed(item_ids: Iterable[int]) -> int:
    """Date as changed now exactly the published plans that show the check items ``item_ids`` (an item's code,
    name, industries or use changed: ``registry.services.do_save`` and the items' Excel import), in the caller's
    transaction, as ``plans_moved`` dates them for a renamed jurisdiction: otherwise a mirror reading
    ``changed_since`` kept the old code for good. Plans not published yet are left alone (their freeze dates
    them). Returns how many plans were dated."""
    ids = list(item_ids)
    if not ids:
        return 0
    showing = Plan.objects.published().filter(check_items__in=ids).values("pk")
    return Plan.objects.filter(pk__in=showing).update(changed_at=timezone.now())


def department_renamed(department_id: int) -> int:
    """Date as changed now the published joint plans of a department renamed: their title names it
    (``Plan.__str__``, the public row's ``title``), read from the registry. As ``items_changed``, in the caller's
    transaction (``registry.services.do_save``). Returns how many plans were dated."""
    showing = Plan.objects.published().filter(kind=PlanKind.JOINT, department_id=department_id).values("pk")
    return Plan.objects.filter(pk__in=showing).update(changed_at=timezone.now())


def _stratum_rows(plan: Plan, policy: Policy, quarter_quotas: QuarterQuotas, clue_ids: Iterable[str]
                  ) -> list[PlanStratum]:
    """The strata of a new plan from the engine's quotas, each asking exactly the minimum to begin with."""
    rows = []

    def row(stratum: str, quota: Quota, *, drawn: bool, minimum: int | None = None,
            explanation: str | None = None) -> PlanStratum:
        minimum = quota.minimum if minimum is None else minimum
        return PlanStratum(plan=plan, stratum=stratum, population=quota.population, minimum=minimum,
                           must_include=len(quota.must_include), explanation=explanation or quota.explanation,
                           citation=quota.citation[:500], requested=minimum, drawn=drawn)

    joint = quarter_quotas.quota("joint")
    if plan.kind == PlanKind.JOINT:
        others = gather.other_joint_requested(plan)
        minimum = max(0, joint.minimum - others)
        note = _("本季度本级其他联合抽查计划已计划 %(n)s 家，本计划至少 %(m)s 家。") % {"n": others, "m": minimum}
        rows.append(row(Stratum.JOINT, joint, drawn=True, minimum=minimum, explanation=joint.explanation + note))
        return rows
    for stratum in DRAWN_STRATA:
        rows.append(row(stratum, quarter_quotas.quota(stratum), drawn=True))
    clues = sorted(clue_ids)
    rows.append(PlanStratum(
        plan=plan, stratum=Stratum.CLUE, population=len(clues), minimum=len(clues), must_include=len(clues),
        # the English agrees with the count (systemtext.COUNTED reads the stored Chinese so)
        explanation=ngettext("正面清单企业原则上不进行现场检查；经批准核查线索的 %(n)s 家已作为必查对象计入各类别。",
                             "正面清单企业原则上不进行现场检查；经批准核查线索的 %(n)s 家已作为必查对象计入各类别。",
                             len(clues)) % {"n": len(clues)},
        citation=policy.positive_list.citation[:500], requested=len(clues), drawn=False))
    rows.append(row(Stratum.JOINT, joint, drawn=False, explanation=joint.explanation + str(
        _("联合抽查由科室发起的内部联合抽查计划完成，此处核对本季度各联合抽查计划合计是否达到最低数。"))))
    return rows


def _check_joint(jurisdiction: Jurisdiction, department: Department | None, items: list[CheckItem],
                 departments: list[Department]) -> None:
    """A joint plan: the initiating department is responsible for the items of its own list, and several of
    the jurisdiction's enforcement departments take part, the initiator among them."""
    if department is None:
        raise ValidationError({"department": _("联合抽查计划须有发起科室")})
    if department.jurisdiction_id != jurisdiction.pk:
        raise ValidationError({"department": _("发起科室应属于%(name)s") % {"name": jurisdiction.name}})
    foreign = [item.code for item in items
               if item.jurisdiction_id == jurisdiction.pk and item.responsible_department_id != department.pk]
    if foreign:
        raise ValidationError({"check_items": _("%(dept)s不是以下事项的责任科室，不能发起其联合抽查：%(codes)s") % {
            "dept": department.name, "codes": join_sep(foreign)}})
    if department not in departments:
        raise ValidationError({"departments": _("参加科室应包括发起科室")})
    if len(departments) < 2:
        raise ValidationError({"departments": _("内部联合抽查至少需要两个科室参加")})
    wrong = [d.name for d in departments if d.jurisdiction_id != jurisdiction.pk or not d.has_enforcement_duty]
    if wrong:
        raise ValidationError({"departments": _("以下科室不是%(name)s具有执法职能的科室：%(names)s") % {
            "name": jurisdiction.name, "names": join_sep(wrong)}})


def _check_available(items: list[CheckItem], available: list[CheckItem]) -> None:
    """The items chosen are on the lists that apply to the plan's jurisdiction (its own and its ancestors'), in use."""
    outside = [item.code for item in items if item not in available]
    if outside:
        raise ValidationError({"check_items": _("以下事项不在本行政区适用的抽查事项清单中：%(codes)s") % {
            "codes": join_sep(outside)}})


def default_joint_departments(department: Department, items: Iterable[CheckItem]) -> list[Department]:
    """The initiator and the cooperating departments the item list names (DESIGN: attached from the list),
    as far as they belong to the initiator's jurisdiction."""
    chosen = {department.pk: department}
    for item in items:
        for other in item.cooperating_departments.all():
            if other.jurisdiction_id == department.jurisdiction_id and other.has_enforcement_duty:
                chosen[other.pk] = other
    return sorted(chosen.values(), key=lambda d: d.name)


@transaction.atomic
def do_create_plan(*, jurisdiction: Jurisdiction, year: int, quarter: int, acting_user,
                   kind: str = PlanKind.REGULAR, department: Department | None = None,
                   check_items: Iterable[CheckItem] | None = None, departments: Iterable[Department] | None = None,
                   require_specialties: bool = False, max_load: int | None = None) -> Plan:
    """A new plan for (jurisdiction, its level, year, quarter), with its strata computed by the policy.

    A regular plan covers the items of the jurisdiction's and its ancestors' lists unless ``check_items``
    says otherwise; a joint plan covers the items its department is responsible for, and the cooperating
    departments of those items take part unless ``departments`` says otherwise.
    """
    if quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": _("季度应为 1–4")})
    if jurisdiction.level not in (Level.CITY, Level.COUNTY):
        raise ValidationError({"jurisdiction": _("抽查计划由市级或县级生态环境部门编制")})
    if kind == PlanKind.CLUE:
        raise ValidationError({"kind": _("线索核查由已批准的线索安排：请在该线索的页面点“立即安排现场检查”")})
    if kind == PlanKind.CROSS:
        raise ValidationError({"kind": _(
            "跨部门联合抽查请在计划列表点“新建跨部门联合抽查”登记（检查对象由发起部门抽取）")})
    if kind == PlanKind.JOINT and department is None:
        # Said before the items: a joint plan's items are its department's, so without one there are none.
        raise ValidationError({"department": _("内部联合抽查计划须选择发起科室，计划由该科室负责的抽查事项组成")})
    ensure_can_create(acting_user, jurisdiction, kind, department)
    policy = policy_for(year, quarter)
    available = list(gather.visible_items(jurisdiction))
    if check_items is None:
        items = ([item for item in available if item.responsible_department_id == getattr(department, "pk", None)]
                 if kind == PlanKind.JOINT else available)
    else:
        items = list(check_items)
        _check_available(items, available)
    if not items and kind == PlanKind.JOINT and check_items is None:
        # A county's list is mostly the city's items, whose responsible departments are the city's: a county
        # department is then responsible for none, and "choose at least one item" did not say why.
        raise ValidationError({"check_items": _(
            "%(dept)s不是%(name)s适用的任何抽查事项的责任科室，没有默认事项："
            "请在“抽查事项”中勾选本次联合抽查的事项") % {
            "dept": department.name, "name": jurisdiction.name}})
    if not items:
        raise ValidationError({"check_items": _("请至少选择一项抽查事项")})
    chosen_departments: list[Department] = []
    if kind == PlanKind.JOINT:
        chosen_departments = (list(departments) if departments is not None
                              else default_joint_departments(department, items))
        if departments is None and len(chosen_departments) < 2 and department.jurisdiction_id == jurisdiction.pk:
            # The cooperating departments the item list names are the city's for the city's items: the default
            # is then the initiator alone, and "at least two departments" did not say none had been chosen.
            raise ValidationError({"departments": _(
                "所选事项在事项清单中没有%(name)s的配合科室：请在“参加科室”中勾选参加本次联合抽查的科室"
                "（至少两个，含发起科室）") % {"name": jurisdiction.name}})
        _check_joint(jurisdiction, department, items, chosen_departments)
    elif department is not None:
        raise ValidationError({"department": _("双随机抽查计划不设发起科室")})
    if max_load is not None and max_load < 1:
        raise ValidationError({"max_load": _("每人任务上限至少为 1")})

    quarter_quotas, people, inspectors = gather.quotas(policy, jurisdiction, year, quarter)
    warnings = []
    if not people.classified:
        with system_language():
            warnings.append(_("%(period)s尚未进行季度分类，本计划按检查对象名录库中的当前类别编制") % {
                "period": quarter_text(year, quarter)})
    plan = Plan(jurisdiction=jurisdiction, level=jurisdiction.level, year=year, quarter=quarter, kind=kind,
                department=department if kind == PlanKind.JOINT else None,
                require_specialties=require_specialties, max_load=max_load, policy_id=policy.id,
                policy_version=policy.version, policy_fingerprint=policy.fingerprint, policy_title=policy.title,
                inspectors_counted=inspectors, classified=people.classified, warnings=[str(w) for w in warnings],
                created_by=acting_user)
    plan.full_clean(exclude=["check_items", "departments"])
    plan.save()
    plan.check_items.set(items)
    plan.departments.set(chosen_departments)
    clue_ids = [fact.id for fact in people.facts if fact.approved_clue and fact.positive_list]
    with system_language():
        PlanStratum.objects.bulk_create(_stratum_rows(plan, policy, quarter_quotas, clue_ids))
        _event("create", plan, acting_user, {
            "period": quarter_text(year, quarter), "kind": plan.kind, "policy": policy.label,
            "check_items": [item.code for item in items], "departments": [d.name for d in chosen_departments],
            "strata": [f"{s.get_stratum_display()} {s.population}/{s.minimum}" for s in plan.strata.order_by("id")],
        })
    return plan


def correct_joint_refusal(user, plan: Plan) -> PermissionDenied | ValidationError | None:
    """Why ``user`` may not correct ``plan``'s check items and departments now (``do_correct_joint``), or None: he
    may edit it (its department, or its jurisdiction's admins), it is a joint plan, a draft, and never frozen. The
    plan page offers the form only when there is none, and says it when a form posted meets one."""
    try:
        ensure_can_edit(user, plan)
        if not plan.is_joint:
            raise ValidationError(_("只有内部联合抽查计划设参加科室；%(kind)s计划的抽查事项在编制时确定") % {
                "kind": plan.get_kind_display()})
        _expect(plan, PlanStatus.DRAFT)
    except (PermissionDenied, ValidationError) as error:
        return error
    earlier = plan.draws.order_by("number").first()
    if earlier is not None:
        return ValidationError(_(
            "该计划已于%(when)s冻结过（第%(number)s次抽取，输入哈希已公布），抽查事项和参加科室不能再修改") % {
            "when": timezone.localtime(earlier.frozen_at).strftime("%Y-%m-%d %H:%M") if earlier.frozen_at else "",
            "number": earlier.number})
    return None


def can_correct_joint(user, plan: Plan) -> bool:
    return correct_joint_refusal(user, plan) is None


@transaction.atomic
def do_correct_joint(plan: Plan, *, check_items: Iterable[CheckItem], departments: Iterable[Department],
                     acting_user) -> dict:
    """Correct the check items and the participating departments of a draft joint plan: a department that ticked a
    wrong item or department put it right only by asking an admin, while it may still change the numbers. The
    choice is judged as when the plan was made (``do_create_plan``: items of the lists that apply, its own list's
    items its responsibility, at least two enforcement departments of the jurisdiction, itself among them).

    Until the freeze only: the freeze hashes the items' needs and the departments into the published inputs, and
    a plan back to draft after an approved re-draw keeps what its published first draw was frozen with. Returns the
    changes recorded (``{field: [before, after]}``), empty when nothing changed (and then no event)."""
    plan = _lock(plan)
    refusal = correct_joint_refusal(acting_user, plan)
    if refusal is not None:
        raise refusal
    items, chosen = list(check_items), list(departments)
    _check_available(items, list(gather.visible_items(plan.jurisdiction)))
    if not items:
        raise ValidationError({"check_items": _("请至少选择一项抽查事项")})
    _check_joint(plan.jurisdiction, plan.department, items, chosen)
    before = {"check_items": sorted(plan.check_items.values_list("code", flat=True)),
              "departments": sorted(plan.departments.values_list("name", flat=True))}
    after = {"check_items": sorted(item.code for item in items), "departments": sorted(d.name for d in chosen)}
    changes = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    if changes:
        plan.check_items.set(items)
        plan.departments.set(chosen)
        _event("correct_joint", plan, acting_user, changes)
    return changes


def requested_problem(row: PlanStratum, value, reason: str | None) -> str | None:
    """What is wrong with asking ``value`` of a stratum (with ``reason`` for asking less), or None. The plan
    page also asks it of the rows typed right when another row's number is not a number, so that one save
    says every row's problem."""
    label = row.get_stratum_display()
    if not isinstance(value, int) or value < 0:
        return _("%(s)s：抽查数应为非负整数") % {"s": label}
    if value > row.population:
        return _("%(s)s：抽查数 %(n)s 超过可抽对象数 %(p)s") % {"s": label, "n": value, "p": row.population}
    if value < row.must_include:
        return _("%(s)s：抽查数 %(n)s 少于必查数 %(m)s，必查对象不能不查") % {
            "s": label, "n": value, "m": row.must_include}
    if value < row.minimum and not (reason or "").strip():
        return _("%(s)s：抽查数 %(n)s 低于政策最低数 %(m)s，须填写理由并报市局审批") % {
            "s": label, "n": value, "m": row.minimum}
    return None


@transaction.atomic
def do_set_requested(plan: Plan, requested: Mapping[str, int], *, acting_user,
                     reasons: Mapping[str, str] | None = None) -> Plan:
    """Set what a draft plan asks for per stratum. More than the minimum is always allowed (up to the
    population); less only with a reason, which then waits for the city's approval."""
    plan = _lock(plan)
    ensure_can_edit(acting_user, plan)
    _expect(plan, PlanStatus.DRAFT)
    reasons = reasons or {}
    rows = {row.stratum: row for row in plan.strata.select_for_update()}
    problems: dict[str, list[str]] = {}
    changes = {}
    now = timezone.now()
    for stratum, value in requested.items():
        row = rows.get(stratum)
        if row is None or not row.drawn:
            raise ValidationError(_("本计划不抽取“%(s)s”") % {"s": Stratum(stratum).label if stratum in Stratum.values
                                                                else stratum})
        problem = requested_problem(row, value, reasons.get(stratum))
        if problem:
            problems.setdefault(stratum, []).append(problem)
            continue
        reason = (reasons.get(stratum) or "").strip()
        before = (row.requested, row.shortfall_state, row.shortfall_reason)
        if value < row.minimum:
            if (value, reason) != (row.requested, row.shortfall_reason) or row.shortfall_state == ShortfallState.NONE:
                row.shortfall_state = ShortfallState.PENDING
                row.shortfall_reason = reason
                row.shortfall_requested_by = acting_user
                row.shortfall_requested_at = now
                row.shortfall_decided_by = None
                row.shortfall_decided_at = None
                row.shortfall_decision = ""
        else:
            row.shortfall_state = ShortfallState.NONE
            row.shortfall_reason = ""
        row.requested = value
        if (row.requested, row.shortfall_state, row.shortfall_reason) != before:
            changes[stratum] = [before[0], value]
            row.save()
    if problems:
        raise ValidationError(problems)
    if changes:
        plan_changed(plan, at=now)  # a re-drawn plan is public while a draft: its strata are read
        # The reason of a row asked below its minimum only: the box of a row put back to the minimum still holds
        # its earlier shortfall reason, which would otherwise be recorded as the reason for asking enough.
        _event("set_requested", plan, acting_user, changes,
               reason="；".join(rows[s].shortfall_reason for s in changes
                               if rows[s].shortfall_state != ShortfallState.NONE and rows[s].shortfall_reason))
    return plan


@transaction.atomic
def do_approve_shortfall(stratum: PlanStratum, *, approve: bool, decision: str, acting_user) -> PlanStratum:
    """The city's decision on a request to ask less than a policy minimum; not by the one who asked for it (a city
    admin setting his own city's plan asks, and another city admin decides: ``ensure_not_self``)."""
    plan = _lock(stratum.plan)
    ensure_can_approve(acting_user, plan)
    _expect(plan, PlanStatus.DRAFT)
    # No select_related: PostgreSQL refuses FOR UPDATE on the nullable side of the outer join it would make.
    row = PlanStratum.objects.select_for_update().get(pk=stratum.pk)
    ensure_not_self(acting_user, row.shortfall_requested_by)
    if row.shortfall_state != ShortfallState.PENDING:
        raise ValidationError(_("该类别没有待审批的少抽申请"))
    if not approve and not decision.strip():
        raise ValidationError({"decision": _("不予批准时请填写意见")})
    row.shortfall_state = ShortfallState.APPROVED if approve else ShortfallState.REJECTED
    row.shortfall_decided_by = acting_user
    row.shortfall_decided_at = timezone.now()
    row.shortfall_decision = decision.strip()
    row.save()
    plan_changed(plan, at=row.shortfall_decided_at)
    _event("shortfall_" + ("approve" if approve else "reject"), plan, acting_user, {
        "stratum": row.stratum, "minimum": row.minimum, "requested": row.requested}, reason=decision)
    return row


# --- 线索核查: an approved clue's immediate on-site check ----------------------------------------------------
#
# 实施方案 二(三): a positive-list firm is not inspected on site in principle, but when a clue of a violation is
# found "应立即开展现场检查". The clue's approval (intake.services.do_decide_clue) is the enforcement unit head's
# decision; opening the check makes a plan of kind ``clue`` — one target, must-include, quota 1 — that then goes
# through the same ceremony as any plan, so its team is drawn with every hard constraint and can be verified.
#
# The rule between a clue check and the quarter's regular draw (also in docs/guide/county-admin.md):
# - a clue is used once. When a check is opened for it, it no longer makes its firm must-include in a later
#   classification or regular draw (intake.services._gather, gather.population), and the quarter it was applied
#   to is cleared;
# - the other way round, when a quarter's classification used the clue and a regular plan of that quarter has
#   frozen or drawn its firm as must-include, the firm is visited by that plan: opening a check is refused.
# - a clue check counts toward no random-inspection ratio or quota: its stratum (``clue``) is one the quotas and
#   the quarterly status never read, and ``gather.last_on_site`` and ``gather.year_progress`` leave it out.


def clue_check_jurisdiction(target: Target) -> Jurisdiction:
    """Where a clue check belongs: the target's own jurisdiction, which is its county (a target registered
    directly under a city is checked by the city). Its inspectors are that jurisdiction's."""
    return target.jurisdiction


def regular_plan_taking(clue: Clue) -> tuple[Plan, str] | None:
    """The regular plan that takes the clue's firm because of this clue, and how far it is: a quarter whose
    classification used the clue (``applied_year``/``applied_quarter``) and whose plan drew the firm as
    must-include, or froze it so (its draw will take it: frozen inputs do not change). None otherwise."""
    if clue.applied_year is None:
        return None
    target = clue.target
    plans = Plan.objects.filter(
        kind=PlanKind.REGULAR, year=clue.applied_year, quarter=clue.applied_quarter,
        jurisdiction__code__in=[target.jurisdiction.code, *target.jurisdiction.ancestor_codes()])
    drawn = (TaskPlan.objects.filter(plan__in=plans, active=True, draw__status=DrawStatus.DRAWN, task__target=target,
                                     must_include=True).select_related("plan__jurisdiction").first())
    if drawn is not None:
        return drawn.plan, _("已抽中")
    code = target.credit_code
    for draw in (Draw.objects.filter(plan__in=plans, status=DrawStatus.OPEN).exclude(inputs_hash="")
                 .select_related("plan__jurisdiction")):
        for stratum in (draw.inputs or {}).get("strata", []):
            if any(row[0] == code and row[2] for row in stratum.get("targets", [])):
                return draw.plan, _("已冻结，将在抽取时抽中")
    return None


def clue_check_items(target: Target, jurisdiction: Jurisdiction, year: int, quarter: int) -> list[CheckItem]:
    """The items a clue check may cover: the jurisdiction's list (its own and its ancestors'), those that apply
    to the firm's category in the quarter. The clue says no item, so the admin picks among these."""
    return given_items([target], jurisdiction, year, quarter)


def current_quarter(today: date | None = None) -> tuple[int, int]:
    """The (year, quarter) of ``today`` (default the server's date): the quarter a clue check opened now is of."""
    today = today or timezone.localdate()
    return today.year, (today.month - 1) // 3 + 1


def clues_awaiting_check(clues: QuerySet) -> QuerySet:
    """The approved clues among ``clues`` that wait for their 线索核查: no check opened, the firm still active, and
    not taken by the regular draw of the quarter the classification applied them to (a frozen but undrawn plan is
    only found when the check is opened, which then says why). The workbench and the approvals page both read
    this, so their counts agree."""
    taken = TaskPlan.objects.filter(plan__kind=PlanKind.REGULAR, plan__year=OuterRef("applied_year"),
                                    plan__quarter=OuterRef("applied_quarter"), task__target=OuterRef("target"),
                                    must_include=True, active=True)
    return (clues.filter(status=ClueStatus.APPROVED, check_plan__isnull=True, target__status=TargetStatus.ACTIVE)
            .exclude(Exists(taken)))


def _chosen_items(chosen: Iterable[CheckItem] | None, available: list[CheckItem], whom: str) -> list[CheckItem]:
    """The items of a plan whose targets are given: those chosen (default every one ``available``), each of
    which must be available — on the jurisdiction's list and applying to ``whom`` (the firm, or the targets)."""
    items = available if chosen is None else list(chosen)
    outside = [item.code for item in items if item not in available]
    if outside:
        raise ValidationError({"check_items": _(
            "以下事项不适用于%(name)s（不在本行政区的抽查事项清单中，或不适用于其类别、行业）：%(codes)s") % {
            "name": whom, "codes": join_sep(outside)}})
    if not items:
        raise ValidationError({"check_items": _("请至少选择一项抽查事项")})
    return items


def can_open_clue_check(user, clue: Clue) -> bool:
    """Who opens a check: an admin whose jurisdiction covers the target, as for the clue's decision."""
    return is_admin_of(user, clue.target.jurisdiction)


def _opened_by(plan: Plan) -> dict[str, str]:
    return {"who": plan.created_by.display_name if plan.created_by else _("系统"),
            "when": timezone.localtime(plan.created_at).strftime("%Y-%m-%d %H:%M"), "plan": str(plan)}


@transaction.atomic
def do_open_clue_check(clue: Clue, *, acting_user, check_items: Iterable[CheckItem] | None = None,
                       require_specialties: bool = False, today: date | None = None) -> Plan:
    """Open the 线索核查 of an approved clue about a positive-list firm (实施方案 二(三) "应立即开展现场检查"): a
    plan of kind ``clue`` for the quarter of ``today``, in the target's jurisdiction, with the firm as its one
    must-include target. ``check_items`` default to every item of the list that applies to the firm."""
    # ``decided_by`` is not joined: PostgreSQL re-reads the clue it waited for, not the rows joined to it, and a
    # decision made meanwhile would be told as nobody's.
    clue = Clue.objects.select_for_update(of=("self",)).select_related("target__jurisdiction").get(pk=clue.pk)
    target = clue.target
    if not can_open_clue_check(acting_user, clue):
        raise PermissionDenied(_("只有%(name)s的管理员可以安排线索核查") % {"name": target.jurisdiction.name})
    existing = Plan.objects.filter(clue=clue).select_related("created_by", "jurisdiction").first()
    if existing is not None:
        # Two admins pressing at once: the second waited for the clue's lock and is told who was first.
        raise ValidationError(_("该线索已由%(who)s于%(when)s安排线索核查（%(plan)s），一条线索只核查一次")
                              % _opened_by(existing), code="done")
    if clue.status != ClueStatus.APPROVED:
        if clue.status == ClueStatus.PENDING:
            raise ValidationError(_("该线索尚未审批：须经执法机构负责人批准现场检查后，才能安排线索核查"))
        raise ValidationError(_("该线索未获批准现场检查（%(who)s于%(when)s审批），不能安排线索核查") % {
            "who": clue.decided_by.display_name if clue.decided_by else _("系统"),
            "when": timezone.localtime(clue.decided_at).strftime("%Y-%m-%d %H:%M")})
    today = today or timezone.localdate()
    year, quarter = current_quarter(today)
    policy = policy_for(year, quarter)
    if not policy.immediate_clue_check:
        raise ValidationError(_("%(policy)s不设立即线索核查（clue_check.immediate = false）：经批准的线索纳入下一季度"
                                "的抽取") % {"policy": policy.title})
    if not target.is_active:
        raise ValidationError(_("%(name)s 在名录库中已注销/关停，不能安排现场检查") % {"name": target.name})
    listed = PositiveListEntry.objects.filter(target=target, start__lte=today).filter(
        Q(end__isnull=True) | Q(end__gte=today)).exists()
    if not listed:
        raise ValidationError(_("%(name)s 今天（%(day)s）不在正面清单上：不在正面清单的企业照常参加随机抽查，"
                                "无需线索核查") % {"name": target.name, "day": today})
    taken = regular_plan_taking(clue)
    if taken is not None:
        plan, state = taken
        raise ValidationError(_("%(period)s的分类已因该线索将%(name)s列为必查对象，%(plan)s%(state)s："
                                "该企业由该计划现场检查，不再另行安排线索核查") % {
            "period": quarter_text(clue.applied_year, clue.applied_quarter), "name": target.name, "plan": plan,
            "state": state}, code="taken")
    jurisdiction = clue_check_jurisdiction(target)
    if jurisdiction.level not in (Level.CITY, Level.COUNTY):
        raise ValidationError(_("%(name)s 登记在%(place)s，不属于任何市、县：请先在名录库中改正其行政区") % {
            "name": target.name, "place": jurisdiction.name})
    items = _chosen_items(check_items, clue_check_items(target, jurisdiction, year, quarter), target.name)
    classified = Classification.objects.filter(target=target, year=year, quarter=quarter).exists()
    plan = Plan(jurisdiction=jurisdiction, level=jurisdiction.level, year=year, quarter=quarter, kind=PlanKind.CLUE,
                clue=clue, require_specialties=require_specialties, policy_id=policy.id,
                policy_version=policy.version, policy_fingerprint=policy.fingerprint, policy_title=policy.title,
                inspectors_counted=gather.double_random_inspectors(jurisdiction, year, quarter),
                classified=classified, created_by=acting_user)
    plan.full_clean(exclude=["check_items", "departments"])
    plan.save()
    plan.check_items.set(items)
    with system_language():
        PlanStratum.objects.create(
            plan=plan, stratum=Stratum.CLUE, population=1, minimum=1, must_include=1, requested=1, drawn=True,
            explanation=_("线索核查：%(day)s 发现的线索经%(who)s批准现场检查，该企业为唯一的必查对象；检查人员照常随机"
                          "选派。这是针对线索的检查，不计入任何随机抽查比例。") % {
                "day": clue.found_on, "who": clue.decided_by.display_name if clue.decided_by else _("系统")},
            citation=policy.clue_check.citation[:500])
        changes = {"period": quarter_text(year, quarter), "kind": plan.kind, "policy": policy.label,
                   "check_items": [item.code for item in items], "clue": clue.pk, "target": target.credit_code}
        # the clue named, not quoted: the plan's history is read by every role of the plan's scope, the clue's text
        # (the reporter's words) only by those its own gate lets in (intake.models.ClueQuerySet)
        _event("open_clue_check", plan, acting_user, changes,
               reason=_("线索 #%(id)s（%(day)s 发现）经批准现场检查") % {"id": clue.pk, "day": clue.found_on})
        record_event("clue.check_opened", actor=acting_user, obj=clue, jurisdiction_id=target.jurisdiction_id,
                     changes={"plan": plan.pk, "period": quarter_text(year, quarter)})
    if clue.applied_year is not None:
        # The quarter the classification applied it to no longer needs it: the check takes it up.
        Clue.objects.filter(pk=clue.pk).update(applied_year=None, applied_quarter=None)
    return plan


def given_targets(plan: Plan) -> list[Target]:
    """The targets of a plan whose targets are given (``Plan.targets_given``): a clue check's firm, or the targets
    the initiating department drew on the 部门协同监管平台 for a cross-department check."""
    if plan.is_clue_check:
        return [Target.objects.get(pk=plan.clue.target_id)]
    return list(plan.cross.targets.order_by("credit_code"))


def _given_stratum(plan: Plan, items: list[CheckItem]) -> manifest.StratumInput:
    """The one stratum of a plan whose targets are given (a clue check's ``clue``, a cross-department check's
    ``cross``): every target must-include, quota their number — nothing random about the targets, the teams are
    drawn from the seed like any plan's. Refused when a target closed since the plan was made."""
    targets = given_targets(plan)
    closed = [target.name for target in targets if not target.is_active]
    if closed:
        raise ValidationError(_("%(name)s 在名录库中已注销/关停，不能再冻结%(kind)s") % {
            "name": join_sep(closed), "kind": plan.get_kind_display()})
    # A clue check's one firm has its category's items; a cross-department check's targets share one stratum, so
    # its tasks need what all its chosen items need (only when the plan requires specialties).
    category = _categories(targets, plan.year, plan.quarter)[targets[0].pk] if plan.is_clue_check else None
    name = Stratum.CLUE if plan.is_clue_check else Stratum.CROSS
    return manifest.StratumInput(name=name.value, quota=len(targets),
                                 targets=[Candidate(target.credit_code, 1, True) for target in targets],
                                 needs=_needs(plan, items, category))


def premature_classification(jurisdiction: Jurisdiction, year: int, quarter: int) -> ClassificationRun | None:
    """The latest run of (year, quarter)'s classification that the targets of ``jurisdiction``'s plan carry and
    that was stored before the quarter's window of evidence began (the previous quarter, 指导意见 二(二)), or None.

    ``do_classify`` refuses such a run now, but one stored before that refusal still decides the plan's strata: no
    penalty, complaint or exceedance of the window could exist when it ran, so it made no target special and the
    plan would draw none of the ≥ 50% of special units the policy requires. Re-classifying replaces its rows."""
    opens = classifiable_from(year, quarter)
    begun = timezone.make_aware(datetime.combine(opens, datetime.min.time()))
    return (ClassificationRun.objects.filter(
        year=year, quarter=quarter, run_at__lt=begun,
        rows__target__in=gather.scope_targets(jurisdiction), rows__year=year, rows__quarter=quarter)
        .order_by("-run_at", "-pk").first())


def premature_problem(jurisdiction: Jurisdiction, year: int, quarter: int) -> str | None:
    """What the plan page and the freeze say of a premature classification (``premature_classification``)."""
    run = premature_classification(jurisdiction, year, quarter)
    if run is None:
        return None
    span = intake_rules.window(policy_for(year, quarter), year, quarter)
    return _(
        "%(period)s的季度分类是%(name)s于%(day)s做的，早于它所依据的%(first)s至%(last)s的开始：当时还不可能有这段时间的"
        "行政处罚、群众举报和在线监测超标，没有对象认定为特殊监管对象，按它抽取将漏抽特殊监管对象（指导意见 二(二)）。"
        "请重新进行%(period)s分类后再审定冻结") % {
        "period": quarter_text(year, quarter), "name": run.jurisdiction.name,
        "day": timezone.localtime(run.run_at).date().isoformat(),
        "first": span.first.isoformat(), "last": span.last.isoformat()}


def plan_deadline(plan: Plan) -> date:
    """The tasks' deadline: the quarter's last day, or the initiator's earlier deadline of a cross-department
    check (检查截止日期)."""
    end = gather.quarter_end(plan.year, plan.quarter)
    if plan.is_cross_department:
        return plan.cross.deadline or end
    return end


@dataclass(frozen=True)
class DeadlineBasis:
    """Why a check is due when it is: the clause that sets it, or — where no clause sets one — that the date is
    the bureau's own rule (``policy`` False), so nobody reads the quarter's end as the policy's deadline."""

    text: str
    policy: bool


def deadline_basis(*, year: int, quarter: int, deadline: date, joint: bool = False, clue: bool = False,
                   cross: bool = False) -> DeadlineBasis:
    """The basis of the deadline of a check of (year, quarter) due on ``deadline``, as a task or a plan has it.

    The seed's deadlines, read for each kind: a random check's targets are drawn for the next quarter
    (实施方案 二(四)) and an internal joint check runs by the quarter (附件 二(三) "以季度为周期"), so the quarter's
    end is theirs. A 线索核查 is to be made 立即 (实施方案 二(三)) — at once, with no number of days — and a
    跨部门联合抽查's date is the initiating department's (实施方案 二(五) sets none): there the quarter's end is the
    bureau's rule. No seed gives a complaint's handling period or a re-check's (``fieldwork.services
    .RECHECK_WITHIN_DAYS``); the reporting calendar (实施方案 四(三)) dates reports, not checks."""
    if clue:
        return DeadlineBasis(_(
            "季度末是本局的规定，不是政策规定的期限：政策要求发现违法问题线索的“应立即开展现场检查”"
            "（实施方案 二(三)），没有规定天数，请尽早检查"), False)
    if cross:
        if deadline < gather.quarter_end(year, quarter):
            return DeadlineBasis(_("发起部门规定的检查截止日期"), True)
        return DeadlineBasis(_(
            "季度末是本局的规定，不是政策规定的期限：发起部门没有规定截止日期，政策也没有规定（实施方案 二(五)）"),
            False)
    if joint:
        return DeadlineBasis(_("季度末：部门内部联合抽查以季度为周期（附件 二(三)）"), True)
    return DeadlineBasis(_("季度末：随机抽查对象按季度抽取，在所抽取的季度内检查（实施方案 二(四)）"), True)


def plan_deadline_basis(plan: Plan) -> DeadlineBasis:
    return deadline_basis(year=plan.year, quarter=plan.quarter, deadline=plan_deadline(plan), joint=plan.is_joint,
                          clue=plan.is_clue_check, cross=plan.is_cross_department)


def task_deadline_basis(task: Task) -> DeadlineBasis:
    return deadline_basis(year=task.year, quarter=task.quarter, deadline=task.deadline, joint=task.is_joint,
                          clue=task.is_clue_check, cross=task.is_cross_department)


# --- 跨部门联合抽查 ----------------------------------------------------------------------------------------------
#
# 国发〔2019〕5号; 实施方案 二(五) "各分局要主动发起和积极参与其他市场监管领域部门的跨部门联合抽查"; 指导意见 (十).
# The initiating department draws the targets on the 部门协同监管平台; each participating department matches its
# own officers to them at random. Here: a plan of kind ``cross`` whose targets are given (entered by credit code,
# all must-include, one stratum ``cross``) and whose teams the unchanged engine draws through the usual ceremony.
# Like a clue check it counts toward no random-inspection ratio or quota of the bureau (``GIVEN_TARGET_KINDS``).


class LineProblem:
    """What is wrong with one line of the pasted credit codes, by its line number."""

    def __init__(self, line: int, code: str, message: str) -> None:
        self.line, self.code, self.message = line, code, message

    def __str__(self) -> str:
        return _("第%(line)s行 %(code)s：%(message)s") % {"line": self.line, "code": self.code, "message": self.message}


def read_cross_targets(jurisdiction: Jurisdiction, text: str) -> tuple[list[tuple[int, Target]], list[LineProblem]]:
    """The targets named by ``text``, one 统一社会信用代码 a line as pasted from a spreadsheet's column (spaces
    trimmed, blank lines ignored, lower case accepted): each found, numbered by its line, and what is wrong with
    every other line — an invalid code, a duplicated line, an unknown code, a target outside ``jurisdiction``
    (its own area, or a city's counties too) or one closed."""
    problems: list[LineProblem] = []
    lines: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        code = creditcode.normalize(raw)
        if not code:
            continue
        wrong = creditcode.validate(code)
        if wrong:
            # the engine says why in Chinese: an English page says it in English (its catalogue holds the reasons)
            why = system_text(wrong)
            problems.append(LineProblem(number, code, _("不是有效的统一社会信用代码（%(why)s）") % {"why": why}))
        elif code in lines:
            problems.append(LineProblem(number, code, _("与第%(first)s行重复") % {"first": lines[code]}))
        else:
            lines[code] = number
    found = {target.credit_code: target for target in
             Target.objects.filter(credit_code__in=list(lines)).select_related("jurisdiction")}
    targets = []
    for code, number in lines.items():
        target = found.get(code)
        if target is None:
            problems.append(LineProblem(number, code, _("名录库中没有该代码的检查对象")))
        elif not target.jurisdiction.path.startswith(jurisdiction.path):
            problems.append(LineProblem(number, code, _("%(name)s 登记在%(place)s，不在%(here)s辖区内") % {
                "name": target.name, "place": target.jurisdiction.name, "here": jurisdiction.name}))
        elif not target.is_active:
            problems.append(LineProblem(number, code, _("%(name)s 在名录库中已注销/关停") % {"name": target.name}))
        else:
            targets.append((number, target))
    problems.sort(key=lambda problem: problem.line)
    return targets, problems


def given_items(targets: Iterable[Target], jurisdiction: Jurisdiction, year: int, quarter: int) -> list[CheckItem]:
    """The items a plan with given targets may cover: the jurisdiction's list (its own and its ancestors'), those
    that apply to at least one target (``CheckItem.applies_to``: its category in the quarter and its industry)."""
    targets = list(targets)
    categories = _categories(targets, year, quarter)
    return [item for item in gather.visible_items(jurisdiction)
            if any(item.applies_to(categories[target.pk], target.industry_code) for target in targets)]


def cross_check_quarters(today: date | None = None) -> list[tuple[int, int]]:
    """The quarters a cross-department check may be entered for: the current one and the next."""
    year, quarter = current_quarter(today)
    return [(year, quarter), (year + 1, 1) if quarter == 4 else (year, quarter + 1)]


def _department_name(raw: str) -> str:
    return " ".join(raw.split())


@transaction.atomic
def do_create_cross_check(*, jurisdiction: Jurisdiction, year: int, quarter: int, acting_user, targets_text: str,
                          participants: Iterable[str], initiator: str = "", platform_ref: str = "",
                          deadline: date | None = None, check_items: Iterable[CheckItem] | None = None,
                          require_specialties: bool = False, today: date | None = None) -> Plan:
    """Enter a 跨部门联合抽查 for (jurisdiction, year, quarter): its targets were drawn by the initiating department
    on the 部门协同监管平台 (``targets_text``: credit codes, one a line), the bureau draws their teams through the
    usual ceremony. ``initiator`` empty (or the bureau's own name) is the bureau itself; ``participants`` are the
    departments outside the bureau taking part (an outside initiator is one of them); ``deadline`` the
    initiator's, within the quarter (default its end). ``check_items`` default to every item that applies to at
    least one target."""
    if jurisdiction.level not in (Level.CITY, Level.COUNTY):
        raise ValidationError({"jurisdiction": _("抽查计划由市级或县级生态环境部门编制")})
    if not is_admin_of(acting_user, jurisdiction):
        raise PermissionDenied(_("只有%(name)s的管理员可以登记跨部门联合抽查") % {"name": jurisdiction.name})
    today = today or timezone.localdate()
    allowed = cross_check_quarters(today)
    if (year, quarter) not in allowed:
        raise ValidationError({"quarter": _("跨部门联合抽查只能登记在本季度（%(now)s）或下一季度（%(next)s）") % {
            "now": quarter_text(*allowed[0]), "next": quarter_text(*allowed[1])}})
    period = quarter_text(year, quarter)
    bureau = bureau_name(jurisdiction)
    initiator = _department_name(initiator)
    if initiator == bureau:
        initiator = ""
    if len(initiator) > 100:
        raise ValidationError({"initiator": _("发起部门名称不能超过 100 个字")})
    names: list[str] = [initiator] if initiator else []
    for raw in participants:
        name = _department_name(raw)
        if not name or name in names:
            continue
        if name == bureau:
            raise ValidationError({"participants": _("参与部门中的“%(name)s”是本局：只填写本局以外的部门") % {
                "name": name}})
        if len(name) > 100:
            raise ValidationError({"participants": _("参与部门“%(name)s…”的名称超过 100 个字") % {"name": name[:20]}})
        names.append(name)
    if not names:
        raise ValidationError({"participants": _(
            "跨部门联合抽查须有本局以外的部门参加：请在“参与部门”中至少填写一个其他部门（如 保定市市场监督管理局）；"
            "只有本局参加的检查请编制双随机抽查计划")})
    platform_ref = platform_ref.strip()
    if len(platform_ref) > 64:
        raise ValidationError({"platform_ref": _("协同监管平台任务编号不能超过 64 个字符")})
    start, end = gather.quarter_start(year, quarter), gather.quarter_end(year, quarter)
    if deadline is not None and not start <= deadline <= end:
        raise ValidationError({"deadline": _("检查截止日期 %(day)s 不在%(period)s内（%(start)s 至 %(end)s）") % {
            "day": deadline, "period": period, "start": start, "end": end}})
    if deadline is not None and deadline < today:
        raise ValidationError({"deadline": _("检查截止日期 %(day)s 早于今天（%(today)s），任务已无法按期完成") % {
            "day": deadline, "today": today}})
    found, problems = read_cross_targets(jurisdiction, targets_text)
    if problems:
        raise ValidationError({"targets": [str(problem) for problem in problems]})
    if not found:
        raise ValidationError({"targets": _("请填写发起部门在协同监管平台抽取的检查对象的统一社会信用代码，每行一个")})
    targets = [target for _line, target in found]
    items = _chosen_items(check_items, given_items(targets, jurisdiction, year, quarter), _("这些检查对象"))
    policy = policy_for(year, quarter)
    classified = Classification.objects.filter(target__in=targets, year=year, quarter=quarter).count() == len(targets)
    plan = Plan(jurisdiction=jurisdiction, level=jurisdiction.level, year=year, quarter=quarter, kind=PlanKind.CROSS,
                require_specialties=require_specialties, policy_id=policy.id, policy_version=policy.version,
                policy_fingerprint=policy.fingerprint, policy_title=policy.title,
                inspectors_counted=gather.double_random_inspectors(jurisdiction, year, quarter),
                classified=classified, created_by=acting_user)
    plan.full_clean(exclude=["check_items", "departments"])
    plan.save()
    plan.check_items.set(items)
    cross = CrossCheck.objects.create(plan=plan, initiator=initiator, participants=names,
                                      platform_ref=platform_ref, deadline=deadline)
    cross.targets.set(targets)
    n = len(targets)
    with system_language():
        PlanStratum.objects.create(
            plan=plan, stratum=Stratum.CROSS, population=n, minimum=n, must_include=n, requested=n, drawn=True,
            explanation=_("跨部门联合抽查：%(initiator)s在部门协同监管平台抽取的 %(n)s 家检查对象，均为必查对象；"
                          "本局执法人员照常随机选派。检查对象不是按本局各类别抽取的，不计入本局任何随机抽查比例。") % {
                "initiator": cross.initiator_name, "n": n},
            citation=CROSS_CITATION)
        _event("create_cross_check", plan, acting_user, {
            "period": period, "kind": plan.kind, "policy": policy.label, "initiator": cross.initiator_name,
            "participants": names, "platform_ref": platform_ref, "deadline": deadline,
            "targets": [target.credit_code for target in targets], "check_items": [item.code for item in items]})
    return plan


def can_withdraw_draft(user, plan: Plan) -> bool:
    """Whether ``user`` may withdraw ``plan`` now (``do_withdraw_draft``): a draft whose targets are given, never
    frozen, and the user may run its ceremony."""
    return (plan.targets_given and plan.status == PlanStatus.DRAFT and can_run(user, plan)
            and not plan.draws.exists())


@transaction.atomic
def do_withdraw_draft(plan: Plan, *, reason: str, acting_user) -> dict:
    """Withdraw a draft 线索核查 or 跨部门联合抽查 that will not be drawn: entered with a wrong firm, department or
    deadline, its firm closed before the freeze (the freeze then refuses it), or its quarter over. Nothing of it
    was public — a plan is published from its freeze — so the draft is deleted; its audit event keeps what it
    held (kind, period, targets, departments, items) and the reason. A clue whose check is withdrawn waits again
    on the workbench for a check of its own. Returns the facts the event recorded.

    A regular or internal joint plan is not withdrawn (one a quarter, it is corrected in place), nor a plan that
    has had a draw: a re-draw puts a plan back to draft, but its earlier inputs hash was published."""
    try:
        plan = _lock(plan)
    except Plan.DoesNotExist:
        # Two admins withdrawing at once: the second waited for the first's lock and finds nothing left.
        raise ValidationError(_("该计划草稿已被撤销"), code="done") from None
    ensure_can_run(acting_user, plan)
    if not plan.targets_given:
        raise ValidationError(_("只有线索核查和跨部门联合抽查的草稿可以撤销；%(kind)s计划在编制状态下直接修改") % {
            "kind": plan.get_kind_display()})
    _expect(plan, PlanStatus.DRAFT)
    earlier = plan.draws.order_by("number").first()
    if earlier is not None:
        raise ValidationError(_("该计划已于%(when)s冻结过（第%(number)s次抽取，输入哈希已公布），不能撤销") % {
            "when": timezone.localtime(earlier.frozen_at).strftime("%Y-%m-%d %H:%M") if earlier.frozen_at else "",
            "number": earlier.number})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写撤销理由，如：发起部门已取消该次联合抽查、企业已关停")})
    stratum = plan.strata.first()
    facts: dict = {"title": str(plan), "period": quarter_text(plan.year, plan.quarter), "kind": plan.kind,
                   "check_items": sorted(plan.check_items.values_list("code", flat=True))}
    cross = plan.cross_or_none
    if cross is not None:
        facts.update(initiator=cross.initiator_name, participants=cross.participants,
                     platform_ref=cross.platform_ref, deadline=cross.deadline,
                     targets=sorted(cross.targets.values_list("credit_code", flat=True)))
    elif plan.clue_id is not None:
        facts.update(clue=plan.clue_id, targets=[plan.clue.target.credit_code])
    if stratum is not None:
        facts["stratum"] = stratum.stratum
    with system_language():
        _event("withdraw_draft", plan, acting_user, facts, reason=reason)
        if plan.clue_id is not None:
            # The clue's own history says its check was withdrawn and why: its page showed only the opening, and
            # the clue then waited again for a check with nothing on it telling what became of the first one.
            record_event("clue.check_withdrawn", actor=acting_user, obj=plan.clue,
                         jurisdiction_id=plan.clue.target.jurisdiction_id,
                         changes={"plan": plan.pk, "period": facts["period"]}, reason=reason)
    plan.delete()
    return facts


CROSS_CITATION = ("国发〔2019〕5号；保定市生态环境局 2021 年“双随机、一公开”监管工作实施方案 二(五)；"
                  "关于进一步做好污染源“双随机、一公开”监管工作的指导意见（十）")
"""Where a cross-department check comes from: no rule of the policy file (it sets no ratio for it)."""


# --- the ceremony ------------------------------------------------------------------------------------------


@transaction.atomic
def do_commit_secret(plan: Plan, *, acting_user) -> Draw:
    """Step 2: draw 32 bytes from the OS and publish their SHA-256; the bytes stay secret until reveal."""
    plan = _lock(plan)
    ensure_can_run(acting_user, plan)
    _expect(plan, PlanStatus.FROZEN)
    draw = plan.current_draw
    secret = manifest.new_secret()
    draw.secret = secret.hex()
    draw.commitment = manifest.commitment(secret)
    draw.committed_at = timezone.now()
    draw.committed_by = acting_user
    draw.save()
    plan.status = PlanStatus.COMMITTED
    plan.changed_at = draw.committed_at
    plan.save(update_fields=["status", "changed_at"])
    _event("commit", plan, acting_user, {"draw": draw.number, "commitment": draw.commitment})
    return draw


@transaction.atomic
def do_dispatch(plan: Plan, *, acting_user) -> dict:
    """Step 5: the drawn tasks go to their teams; each inspector sees his tasks with their deadlines.

    A firm drawn by two plans of a quarter (the city's and its county's, or a regular and a joint plan) has one
    task, dispatched with whichever plan went first; this plan's dispatch sends the rest. Returns the facts the
    event recorded: ``tasks`` sent now and, when there are any, ``already_dispatched`` with another plan — so that
    a plan of 78 tasks whose dispatch sent 67 says where the other 11 went."""
    plan = _lock(plan)
    ensure_can_run(acting_user, plan)
    if plan.status == PlanStatus.DISPATCHED and plan.dispatched_at is not None:
        # Two admins pressing 派发 at once: the second is told who sent the tasks and when, not only the status.
        raise ValidationError(_("该计划已由%(who)s于%(when)s派发") % {
            "who": plan.dispatched_by.display_name if plan.dispatched_by else _("系统"),
            "when": timezone.localtime(plan.dispatched_at).strftime("%Y-%m-%d %H:%M")}, code="done")
    _expect(plan, PlanStatus.DRAWN)
    from shuangsuiji.fieldwork.services import team_joined, teams_of_drafts  # fieldwork builds on planning

    # A merged visit out already for another plan, its record begun: this dispatch tells this plan's officers of it
    # and they join its team (``team_places``); the draft's history is to say so (``team_joined``).
    drafts_before = teams_of_drafts(plan.pk)
    now = timezone.now()
    # The ids first, then an update by primary key: as one UPDATE … WHERE id IN (join), PostgreSQL planned a
    # nested loop over every task for every task whenever the tables' statistics predated the draw that had
    # just filled them (autovacuum had not analysed them yet) — minutes for a city's quarter.
    drawn = TaskPlan.objects.filter(plan=plan, active=True, task__status=TaskStatus.DRAWN).values_list(
        "task_id", flat=True)
    count = Task.objects.filter(pk__in=list(drawn)).update(status=TaskStatus.DISPATCHED, dispatched_at=now)
    facts = {"tasks": count}
    shared = TaskPlan.objects.filter(plan=plan, active=True).count() - count
    if shared:
        facts["already_dispatched"] = shared
    plan.status = PlanStatus.DISPATCHED
    plan.dispatched_at = now
    plan.dispatched_by = acting_user
    plan.changed_at = now
    plan.save(update_fields=["status", "dispatched_at", "dispatched_by", "changed_at"])
    # the draw keeps it when a re-draw supersedes it and clears the plan's: its officers were told (``told_places``)
    Draw.objects.filter(plan=plan).exclude(status=DrawStatus.SUPERSEDED).update(dispatched_at=now)
    _event("dispatch", plan, acting_user, facts)
    # its visits now count for it as told: their badges and deadline take this plan's in (a merged visit's)
    tells(TaskPlan.objects.filter(plan=plan, active=True).values_list("task_id", flat=True), plan=plan,
          acting_user=acting_user)
    team_joined(drafts_before, plan=plan, acting_user=acting_user)
    return facts


def tells(task_ids: Iterable[int], *, plan: Plan, acting_user) -> int:
    """Make the visits ``task_ids`` say what the plans told of them say (``told_selections``), as ``plan``'s dispatch
    (or a substitution in a dispatched plan) made them: a flag (``KIND_FLAGS``) for each kind among those plans, and
    the earliest of their deadlines (a cross-department initiator's 检查截止日期 is earlier than the quarter's end: one
    visit for both, 进一次门、查多项事). A merged visit learns another plan's kind and deadline at that plan's
    dispatch, not at its draw: nothing of a draw is told outside its plan before then (``permissions.shown_draws``),
    and the city may still draw again. A visit no told plan counts for yet keeps what its drawing plan gave it (only
    that plan's readers see it). Each deadline moved is an event in the visit's history. Returns how many moved."""
    ids = list(task_ids)
    told: dict[int, list[Plan]] = {}
    plans: dict[int, Plan] = {}
    for selection in (TaskPlan.objects.filter(told_selections(), task_id__in=ids)
                      .select_related("plan__cross").only("task_id", "plan")):
        plan_of = plans.setdefault(selection.plan_id, selection.plan)
        told.setdefault(selection.task_id, []).append(plan_of)
    deadlines = {pk: plan_deadline(p) for pk, p in plans.items()}
    moved = 0
    draw = plan.draws.exclude(status=DrawStatus.SUPERSEDED).order_by("-number").values_list("number", flat=True).first()
    updates: dict[tuple, list[int]] = {}
    for task in Task.objects.select_for_update(of=("self",)).filter(pk__in=list(told)).order_by("pk"):
        kinds = {p.kind for p in told[task.pk]}
        flags = {flag: kind in kinds for kind, flag in KIND_FLAGS.items()}
        deadline = min(deadlines[p.pk] for p in told[task.pk])
        if deadline != task.deadline:
            _event("task_deadline", plan, acting_user,
                   {"deadline": [task.deadline.isoformat(), deadline.isoformat()], "draw": draw}, obj=task)
            moved += 1
        if deadline != task.deadline or any(getattr(task, flag) != value for flag, value in flags.items()):
            updates.setdefault((deadline, *flags.values()), []).append(task.pk)
    for (deadline, *values), pks in updates.items():
        Task.objects.filter(pk__in=pks).update(deadline=deadline, **dict(zip(KIND_FLAGS.values(), values, strict=True)))
    return moved


def uninspected_tasks(plan: Plan) -> int:
    """Dispatched tasks of the plan that have no submitted (sealed) record yet."""
    from shuangsuiji.fieldwork.models import InspectionRecord  # fieldwork builds on planning, not the reverse

    # A re-check's record has no task: a NULL in "NOT IN (…)" matches nothing, so one sealed re-check anywhere
    # made every plan count no task to visit and let its secret out mid-quarter.
    sealed = InspectionRecord.objects.filter(sealed_at__isnull=False, task__isnull=False).values("task_id")
    return (Task.objects.filter(selections__plan=plan, selections__active=True, status=TaskStatus.DISPATCHED)
            .exclude(pk__in=sealed).distinct().count())


@transaction.atomic
def do_reveal(plan: Plan, *, acting_user) -> Plan:
    """Publish the secrets of every draw of the plan, the superseded ones included, so anyone can check
    them against their commitments and re-run the draws (DESIGN §4 step 5)."""
    plan = _lock(plan)
    ensure_can_run(acting_user, plan)
    _expect(plan, PlanStatus.DISPATCHED)
    if plan.revealed_at is not None:
        raise ValidationError(_("该计划的密钥已经公开"))
    open_tasks = uninspected_tasks(plan)
    if timezone.localdate() <= gather.quarter_end(plan.year, plan.quarter) and open_tasks:
        # The selection names who is still to be visited; published now, it would warn them (DESIGN §4 step 5).
        raise ValidationError(ngettext("本季度检查尚未结束：还有%(n)s项任务没有提交检查记录。"
                                       "公开密钥即公开全部抽取结果，须在季度结束或全部任务检查完毕后进行",
                                       "本季度检查尚未结束：还有%(n)s项任务没有提交检查记录。"
                                       "公开密钥即公开全部抽取结果，须在季度结束或全部任务检查完毕后进行",
                                       open_tasks) % {"n": open_tasks})
    plan.revealed_at = plan.changed_at = timezone.now()
    plan.revealed_by = acting_user
    plan.save(update_fields=["revealed_at", "revealed_by", "changed_at"])
    _event("reveal", plan, acting_user, {
        "secrets": [f"#{d.number} {d.secret}" for d in plan.draws.exclude(secret="").order_by("number")]})
    return plan


# --- re-draw -------------------------------------------------------------------------------------------------


@transaction.atomic
def do_request_redraw(plan: Plan, *, reason: str, acting_user) -> RedrawRequest:
    """Ask the city to let a drawn plan be drawn again; nothing changes until it approves."""
    plan = _lock(plan)
    ensure_can_run(acting_user, plan)
    _expect(plan, PlanStatus.DRAWN, PlanStatus.DISPATCHED)
    _refuse_after_reveal(plan)
    if not reason.strip():
        raise ValidationError({"reason": _("请填写重新抽取的理由")})
    if plan.redraw_requests.filter(state=RedrawState.PENDING).exists():
        raise ValidationError(_("该计划已有待审批的重新抽取申请"))
    _refuse_withdrawing_sealed(plan.current_draw)  # said at once, not only when the city comes to decide
    request = RedrawRequest.objects.create(plan=plan, draw=plan.current_draw, reason=reason.strip(),
                                           requested_by=acting_user)
    _event("redraw_request", plan, acting_user, {"draw": request.draw.number}, reason=reason)
    return request


@transaction.atomic
def do_approve_redraw(request: RedrawRequest, *, approve: bool, decision: str, acting_user) -> RedrawRequest:
    """The city's decision. Approved: the current draw is superseded — it stays on record with its
    manifest, its tasks are withdrawn unless another plan's draw keeps them — and the plan starts a new
    ceremony from the freeze, with a new secret and a new public value. Not by the one who asked for it.
    """
    plan = _lock(request.plan)
    ensure_can_approve(acting_user, plan)
    request = RedrawRequest.objects.select_for_update().get(pk=request.pk)
    ensure_not_self(acting_user, request.requested_by)
    if request.state != RedrawState.PENDING:
        raise ValidationError(_("该申请已由%(who)s于%(when)s审批（%(state)s）") % {
            "who": request.decided_by.display_name if request.decided_by else _("系统"),
            "when": timezone.localtime(request.decided_at).strftime("%Y-%m-%d %H:%M") if request.decided_at else "",
            "state": request.get_state_display()}, code="decided")
    if not approve and not decision.strip():
        raise ValidationError({"decision": _("不予批准时请填写意见")})
    if approve:
        _refuse_after_reveal(plan)
        # checked again under the plan's lock: a record may have been submitted since the request
        _refuse_withdrawing_sealed(request.draw)
    now = timezone.now()
    request.state = RedrawState.APPROVED if approve else RedrawState.REJECTED
    request.decided_by = acting_user
    request.decided_at = now
    request.decision = decision.strip()
    request.save()
    if approve:
        _supersede(plan, request.draw, now, request.reason, acting_user)
    _event("redraw_" + ("approve" if approve else "reject"), plan, acting_user,
           {"draw": request.draw.number, "request": request.reason}, reason=decision)
    return request


def _refuse_after_reveal(plan: Plan) -> None:
    """A revealed plan is not drawn again: the reveal published the plan's secrets, and a new draw's secret
    shown beside them before its public value is known would let whoever supplies that value steer the draw
    (DESIGN §4). The quarter's inspections are over by then anyway."""
    if plan.revealed_at is not None:
        raise ValidationError(_("该计划的密钥和抽取结果已经公开，不能再重新抽取"))


SEALED_NAMED = 10
"""How many of the visits that stop a re-draw its refusal names one by one (the rest are counted)."""


def sealed_visits_of(draw: Draw) -> QuerySet:
    """The tasks of ``draw`` that a re-draw would withdraw although their record is submitted: no other plan's live
    draw keeps them (a visit shared with another plan stays open), and a sealed record exists. Oldest first."""
    kept = TaskPlan.objects.filter(task=OuterRef("pk"), active=True).exclude(draw=draw)
    return (Task.objects.filter(selections__draw=draw, records__sealed_at__isnull=False)
            .exclude(Exists(kept)).select_related("target").distinct().order_by("pk"))


def _refuse_withdrawing_sealed(draw: Draw | None) -> None:
    """实施方案 二(四) "随机抽查结果一经提交原则上不予撤销或修改": a re-draw withdraws the superseded draw's tasks, and
    a task whose record was submitted (and whose result may be published already) would vanish from the plan with
    its result. Such a plan is not drawn again; the visits already made stand, and what was wrong with the draw is
    set right by substitution of the visits not yet made."""
    if draw is None:
        return
    from shuangsuiji.fieldwork.models import task_number  # fieldwork builds on planning, not the reverse

    tasks = list(sealed_visits_of(draw)[:SEALED_NAMED + 1])
    if not tasks:
        return
    named = [f"{task_number(task)} {task.target.name}" for task in tasks[:SEALED_NAMED]]
    if len(tasks) > SEALED_NAMED:
        named.append(_("等共 %(n)s 项") % {"n": sealed_visits_of(draw).count()})
    raise ValidationError(_(
        "不能重新抽取：以下任务的检查记录已提交，重新抽取将撤销这些任务（实施方案 二(四)：随机抽查结果一经提交"
        "原则上不予撤销或修改）：%(tasks)s。尚未检查的对象或人员有问题的，请按规则递补替换") % {
        "tasks": join_sep(named)}, code="sealed")


def _supersede(plan: Plan, draw: Draw, now, reason: str, acting_user) -> None:
    Draw.objects.filter(pk=draw.pk).update(status=DrawStatus.SUPERSEDED, superseded_at=now)
    TaskPlan.objects.filter(draw=draw).update(active=False)
    TaskMember.objects.filter(draw=draw).update(active=False)
    orphaned = Task.objects.filter(selections__draw=draw).exclude(selections__active=True)
    with system_language():
        withdrawn_reason = _("所在抽取经批准作废：%(r)s") % {"r": reason[:200]}
    orphaned.update(status=TaskStatus.WITHDRAWN, withdrawn_reason=withdrawn_reason)
    # the drafts of its visits follow (only a visit with a record started has one: few rows)
    for task in Task.objects.filter(selections__draw=draw, records__isnull=False,
                                    records__sealed_at__isnull=True).distinct():
        _drafts_follow(task, withdrawn_reason, acting_user)
    plan.status = PlanStatus.DRAFT
    plan.dispatched_at = None
    plan.dispatched_by = None
    plan.changed_at = now
    plan.save(update_fields=["status", "dispatched_at", "dispatched_by", "changed_at"])



# --- freeze, public value, draw ------------------------------------------------------------------------------


def _refresh_strata(plan: Plan, quarter_quotas: QuarterQuotas) -> list[PlanStratum]:
    """Bring the strata up to the population at the moment of freezing (a target may have closed or been
    added since the plan was made) and refuse a request the policy no longer allows."""
    rows = list(plan.strata.select_for_update())
    problems = []
    others = gather.other_joint_requested(plan) if plan.is_joint else 0
    for row in rows:
        if row.stratum == Stratum.CLUE:
            continue
        quota = quarter_quotas.quota(row.stratum)
        minimum = max(0, quota.minimum - others) if plan.is_joint else quota.minimum
        row.population, row.minimum, row.must_include = quota.population, minimum, len(quota.must_include)
        if not row.drawn:
            row.save(update_fields=["population", "minimum", "must_include"])
            continue
        label = row.get_stratum_display()
        if row.requested > row.population:
            problems.append(_("%(s)s：计划抽查 %(n)s 家，但现在可抽对象只有 %(p)s 家") % {
                "s": label, "n": row.requested, "p": row.population})
        elif row.requested < row.must_include:
            problems.append(_("%(s)s：计划抽查 %(n)s 家，少于现在的必查数 %(m)s") % {
                "s": label, "n": row.requested, "m": row.must_include})
        elif row.requested < row.minimum and row.shortfall_state != ShortfallState.APPROVED:
            # what to do next, by the request's state: the state's label alone ("低于最低数，待市局审批") left the
            # clerk to work out that the freeze waits for it
            then = {ShortfallState.PENDING: _("少抽申请待市局审批，批准后方可冻结"),
                    ShortfallState.REJECTED: _("市局未批准少抽，请改为不少于 %(m)s 家")}.get(
                row.shortfall_state, _("少抽须填写理由并经市局批准，或改为不少于 %(m)s 家")) % {"m": row.minimum}
            problems.append(_("%(s)s：计划抽查 %(n)s 家，低于政策最低数 %(m)s（少抽审批：%(state)s）") % {
                "s": label, "n": row.requested, "m": row.minimum, "state": then})
        elif row.requested >= row.minimum and row.shortfall_state:
            row.shortfall_state = ShortfallState.NONE
        row.save()
    if problems:
        raise ValidationError(problems)
    return rows


def _needs(plan: Plan, items: list[CheckItem], category: str | None) -> manifest.Needs:
    """What a task of this plan requires of its team: one officer of each department of a joint plan, and
    — when the plan says so — an officer holding each specialty its items need."""
    specialties: set[str] = set()
    if plan.require_specialties:
        applying = items if category is None else gather.items_for(category, items)
        specialties = {item.specialty.code for item in applying if item.specialty_id}
    departments = tuple(sorted(d.name for d in plan.departments.all())) if plan.is_joint else ()
    return manifest.Needs(departments=departments, specialties=tuple(sorted(specialties)))


def freeze_opens(plan: Plan) -> date:
    """The first day a plan may be frozen: that of the quarter before the planned one."""
    return gather.draws_open(plan.year, plan.quarter)


@transaction.atomic
def do_approve_and_freeze(plan: Plan, *, acting_user, draw_date: date | None = None,
                          today: date | None = None) -> Draw:
    """Step 1: approve the plan and freeze its inputs; the inputs hash is published at once.

    The populations and quotas are read again now, so the frozen inputs are what the registry says at this
    moment; ``draw_date`` is the announced day of the draw (default today). ``today`` is the day the freeze
    is judged on (default the server's date; the demo and tests set it to replay a past quarter).
    """
    plan = _lock(plan)
    ensure_can_run(acting_user, plan)
    _expect(plan, PlanStatus.DRAFT)
    today = today or timezone.localdate()
    draw_date = draw_date or today
    deadline = plan_deadline(plan)
    if gather.quarter_end(plan.year, plan.quarter) < today:
        raise ValidationError(_("%(period)s已经结束，不能再抽取") % {"period": plan.period})
    if deadline < today:
        raise ValidationError(_("发起部门规定的检查截止日期 %(day)s 已过，不能再抽取") % {"day": deadline})
    # The draw is announced so that anyone may watch it and check the inputs before it: a day already past
    # announces nothing.
    if draw_date < today:
        raise ValidationError(_(
            "公布的抽取日期 %(day)s 早于今天（%(today)s）：抽取日期须事先公布，请填写今天或以后的日期") % {
            "day": draw_date, "today": today})
    # The draw belongs at the end of the quarter before the planned one (实施方案 二(四)); inputs frozen earlier
    # would be a registry stale by then. Judged on the quarter, not on the window's working days, so that it
    # holds for years whose holidays the calendar does not know yet.
    opens = freeze_opens(plan)
    if today < opens:
        raise ValidationError(_(
            "%(period)s的抽取在上一季度末进行，%(opens)s 起方可审定并冻结（冻结的是当天的名录库）") % {
            "period": plan.period, "opens": opens})
    # A classification stored before its window began made no target special: frozen, the draw would skip the
    # special units the policy requires (指导意见 二(二)). Re-classifying is possible by now (the freeze opens with
    # the window), so the freeze waits for it rather than only warning.
    premature = None if plan.targets_given else premature_problem(plan.jurisdiction, plan.year, plan.quarter)
    if premature:
        raise ValidationError(premature, code="premature_classification")
    if deadline < draw_date and plan.is_cross_department:
        raise ValidationError(_("公布的抽取日期 %(day)s 晚于发起部门规定的检查截止日期 %(end)s，请改为此前的日期") % {
            "day": draw_date, "end": deadline})
    if deadline < draw_date:
        # the quarter is not over: the announced date is mistyped (a year too far, say), so say that
        raise ValidationError(_("公布的抽取日期 %(day)s 晚于%(period)s的最后一天（%(end)s），请改为此前的日期") % {
            "day": draw_date, "period": plan.period, "end": deadline})
    policy = policy_for(plan.year, plan.quarter)
    items = list(plan.check_items.select_related("specialty"))
    strata = []
    candidate_ids: set[str] = set()
    if plan.targets_given:
        rows = list(plan.strata.select_for_update())
        strata.append(_given_stratum(plan, items))
        candidate_ids.update(target.id for target in strata[-1].targets)
    else:
        quarter_quotas, people, inspectors = gather.quotas(policy, plan.jurisdiction, plan.year, plan.quarter)
        rows = _refresh_strata(plan, quarter_quotas)
    for row in rows:
        if not row.drawn or plan.targets_given:
            continue
        quota = quarter_quotas.quota(row.stratum)
        must = set(quota.must_include)
        strata.append(manifest.StratumInput(
            name=row.stratum, quota=row.requested,
            targets=[Candidate(code, 1, code in must) for code in quota.eligible],
            needs=_needs(plan, items, None if row.stratum == Stratum.JOINT else row.stratum)))
        candidate_ids.update(quota.eligible)
    people_pool = gather.pool(plan.jurisdiction)
    tasks = sum(row.requested for row in rows if row.drawn)
    team_size = policy.inspection_team.min_officers
    # The engine uses the smallest per-person cap that admits an assignment (levelling the load), so without
    # an explicit cap the plan's size is no constraint at all.
    max_load = plan.max_load or max(1, tasks)
    previous = plan.draws.filter(status=DrawStatus.SUPERSEDED).order_by("-number").first()
    redraw = plan.redraw_requests.filter(state=RedrawState.APPROVED).order_by("-decided_at").first()
    number = (plan.draws.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    try:
        # checked, written and hashed once; the stored value is parsed from the bytes that were hashed
        frozen = manifest.freeze_inputs(
            manifest.Plan(jurisdiction=plan.jurisdiction.code, level=plan.level, year=plan.year,
                          quarter=plan.quarter, sequence=number,
                          supersedes=previous.inputs_hash if previous else "",
                          reason=redraw.reason if (previous and redraw) else ""),
            manifest.PolicyRef.of(policy), strata,
            manifest.AssignmentInputs(
                draw_date=draw_date, deadline=deadline, team_size=team_size, max_load=max_load,
                inspectors=gather.engine_inspectors(people_pool),
                recent_pairs=gather.recent_pairs(plan.jurisdiction, plan.year, plan.quarter),
                recusals=gather.recusals(people_pool, candidate_ids)))
    except DrawError as error:
        raise ValidationError(_("冻结失败：%(e)s") % {"e": error}) from error
    now = timezone.now()
    draw = Draw.objects.create(plan=plan, number=number, inputs=frozen.value(), inputs_hash=frozen.digest,
                               frozen_at=now, frozen_by=acting_user)
    plan.status = PlanStatus.FROZEN
    plan.changed_at = now  # published from now on (``Plan.objects.published``)
    plan.policy_id, plan.policy_version = policy.id, policy.version
    plan.policy_fingerprint, plan.policy_title = policy.fingerprint, policy.title
    if not plan.targets_given:  # no quota computed: these figures stay as they were when the plan was made
        plan.inspectors_counted, plan.classified = inspectors, people.classified
    plan.save()
    with system_language():
        _event("freeze", plan, acting_user, {
            "draw": number, "inputs_hash": draw.inputs_hash, "draw_date": draw_date,
            "requested": [f"{row.get_stratum_display()} {row.requested}" for row in rows if row.drawn],
            # the cap the plan set; without one the engine is given the task count, which binds nobody: the
            # history said "每人任务上限：102" of a plan that set none
            "max_load": plan.max_load or _("不设上限（按任务数 %(n)s 计，不构成限制）") % {"n": max_load},
        })
    return draw


DRAND_CHAINS = {
    "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971": ("quicknet", 1692803367, 3),
    "8990e7a9aaed2ffed73dbd7092123d6f289930540d7651336225dc172e51b2ce": ("default", 1595431050, 30),
}
"""The League of Entropy's drand chains: chain hash → (name, genesis time, period in seconds). A round's
time follows from them, so the system can refuse a round that was already public at the commitment."""
DEFAULT_DRAND_CHAIN = "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971"
DRAND_RANDOMNESS = re.compile(r"[0-9a-f]{64}")


def drand_round_time(chain: str, round_number: int) -> datetime:
    _name, genesis, period = DRAND_CHAINS[chain]
    return datetime.fromtimestamp(genesis + (round_number - 1) * period, tz=UTC)


def dice_digits(text: str) -> str:
    """Dice as typed ("3,5,1,6", "3 5 1 6" or "3516") → the digit string the engine records; each a 1–6.

    A Chinese input method in full-width mode types "３，５，１，６", and a list is as often written with 、 (as
    the witnesses are): NFKC makes the digits and the comma ASCII, 、 separates like a comma."""
    text = unicodedata.normalize("NFKC", text).replace("、", ",")
    parts = text.replace(",", " ").split()
    if not parts:
        raise ValidationError({"value": _("请按掷出的顺序填写骰子点数，如 3,5,1,6")})
    # Which entry is wrong, by its place: with witnesses waiting, "应为 1–6" alone sent them hunting through
    # a dozen numbers for the 7 (or the 3.5 typed for "3,5").
    wrong = [_("第 %(n)s 个“%(value)s”") % {"n": n, "value": part}
             for n, part in enumerate(parts, 1) if any(d not in "123456" for d in part)]
    if wrong:
        raise ValidationError({"value": _("%(which)s不是 1–6 的骰子点数；各点数以逗号、顿号或空格分隔，如 3,5,1,6") % {
            "which": join_sep(wrong)}})
    digits = "".join(parts)
    if len(digits) < MIN_DICE:
        raise ValidationError({"value": _("请至少掷 %(n)s 次骰子") % {"n": MIN_DICE}})
    return digits


def public_value(source: str, *, value: str, witnesses: Iterable[str] = (), lottery_name: str = "",
                 lottery_date: date | None = None, drand_chain: str = "", drand_round: int | None = None
                 ) -> dict:
    """The engine's canonical record of a public value, or ValidationError saying what is missing."""
    try:
        # Every problem of the form at once, each at its field: at a draw the witnesses wait while it is fixed.
        if source == PublicSource.DICE:
            names = [w.strip() for w in witnesses if w.strip()]
            problems: dict[str, list[str]] = {}
            if len(names) < 2:
                problems["witnesses"] = [_("掷骰须有至少两名见证人，请填写见证人姓名")]
            try:
                digits = dice_digits(value)
            except ValidationError as error:
                problems.update(error.message_dict)
            if problems:
                raise ValidationError(problems)
            return manifest.dice(digits, names)
        if source == PublicSource.LOTTERY:
            problems = {}
            if not lottery_name.strip():
                problems["lottery_name"] = [_("请填写彩票名称")]
            if lottery_date is None:
                problems["lottery_date"] = [_("请填写开奖日期")]
            if not value.strip():
                problems["value"] = [_("请按公布的原样填写开奖号码")]
            if problems:
                raise ValidationError(problems)
            return manifest.lottery(lottery_name.strip(), lottery_date, value.strip())
        if source == PublicSource.DRAND:
            chain = (drand_chain or DEFAULT_DRAND_CHAIN).strip().lower()
            if chain not in DRAND_CHAINS:
                raise ValidationError({"drand_chain": _("不认识的 drand 链哈希；可用：%(chains)s") % {
                    "chains": join_sep(f"{name}{bracketed(key[:12] + '…')}"
                                       for key, (name, _g, _p) in DRAND_CHAINS.items())}})
            if drand_round is None or drand_round < 1:
                raise ValidationError({"drand_round": _("请填写 drand 轮次（正整数）")})
            if not DRAND_RANDOMNESS.fullmatch(value.strip().lower()):
                raise ValidationError({"value": _(
                    "drand 随机数应为第 %(round)s 轮公布的 randomness：64 位十六进制数字（0–9、a–f），"
                    "现为 %(n)s 位") % {"round": drand_round, "n": len(value.strip())}})
            return manifest.drand(chain, drand_round, value.strip())
    except DrawError as error:
        raise ValidationError({"value": _("公开随机数不符合抽取规范：%(problem)s") % {"problem": error}}) from error
    raise ValidationError({"source": _("公开随机数来源应为掷骰、彩票或 drand")})


@transaction.atomic
def do_record_public_value(plan: Plan, *, source: str, value: str, acting_user, witnesses: Iterable[str] = (),
                           lottery_name: str = "", lottery_date: date | None = None, drand_chain: str = "",
                           drand_round: int | None = None) -> Draw:
    """Step 3: record the public value, after the commitment (a value chosen before it could be ground)."""
    plan = _lock(plan)
    ensure_can_run(acting_user, plan)
    _expect(plan, PlanStatus.COMMITTED)
    draw = plan.current_draw
    record = public_value(source, value=value, witnesses=witnesses, lottery_name=lottery_name,
                          lottery_date=lottery_date, drand_chain=drand_chain, drand_round=drand_round)
    committed = timezone.localtime(draw.committed_at)
    # A value already public when the secret was committed could have been ground against; refuse it.
    if source == PublicSource.LOTTERY and lottery_date <= committed.date():
        raise ValidationError({"lottery_date": _("开奖日期应晚于密钥承诺之日（%(day)s），须是事先公布的将来日期") % {
            "day": committed.date()}})
    if source == PublicSource.DRAND and drand_round_time(record["chain"], record["round"]) <= draw.committed_at:
        raise ValidationError({"drand_round": _(
            "第 %(round)s 轮在密钥承诺（%(time)s）之前已经产生，须使用承诺之后的轮次") % {
            "round": record["round"], "time": committed.strftime("%Y-%m-%d %H:%M:%S")}})
    draw.public = record
    draw.public_source = source
    draw.public_value = record["value"]
    draw.witnesses = record.get("witnesses", [])
    draw.public_reference = (f"{record['lottery']} {record['date']}" if source == PublicSource.LOTTERY else
                             f"{record['chain'][:12]}… #{record['round']}" if source == PublicSource.DRAND else "")
    draw.public_recorded_at = timezone.now()
    draw.public_recorded_by = acting_user
    draw.save()
    plan.status = PlanStatus.PUBLIC
    plan.changed_at = draw.public_recorded_at
    plan.save(update_fields=["status", "changed_at"])
    _event("public_value", plan, acting_user, {
        "draw": draw.number, "source": source, "value": record["value"], "witnesses": "、".join(draw.witnesses),
        "reference": draw.public_reference})
    return draw


def draw_window(plan: Plan) -> tuple[date, ...]:
    """The days the plan's draw should fall on: the last working days of the quarter before the planned one
    (实施方案 二(四)). Raises CalendarUnknownError for a year whose holidays the calendar does not know."""
    return gather.calendar().draw_window(policy_for(plan.year, plan.quarter), plan.year, plan.quarter)


def window_warning(plan: Plan, day: date) -> str:
    """The warning shown when a draw falls outside the last working days of the quarter before the planned
    one (实施方案 二(四)); empty when it falls inside. A warning, not a refusal: a late draw still beats none.
    A clue check has no window: it is drawn the day its clue calls for it (实施方案 二(三) "立即")."""
    if plan.targets_given:
        return ""
    policy = policy_for(plan.year, plan.quarter)
    try:
        window = draw_window(plan)
    except CalendarUnknownError as error:
        # Said to a county admin too, who cannot enter the holidays: who does, and where (the page ends it).
        before_year, before_quarter = previous_quarter(plan.year, plan.quarter)
        return _("抽取期（%(before)s最后 %(n)s 个工作日）要按%(year)s年的放假安排计算，该年安排尚未由市局管理员"
                 "在“工作日安排”中录入，无法核对抽取日") % {
            "before": f"{before_year}年第{before_quarter}季度", "n": policy.draw_window.workdays,
            "year": error.year}
    if day in window:
        return ""
    return _("抽取日 %(day)s 不在规定的抽取期内（%(first)s 至 %(last)s，上一季度最后 %(n)s 个工作日；%(cite)s）") % {
        "day": day, "first": window[0], "last": window[-1], "n": policy.draw_window.workdays,
        "cite": citation_line(policy.draw_window.citation)}


@transaction.atomic
def do_draw(plan: Plan, *, acting_user, today: date | None = None) -> Draw:
    """Step 4: the engine draws targets then inspectors from the seed; the tasks are written.

    The plan row is locked first, so of two admins pressing "draw" at once one draws and the other is told
    it is done (and the database allows one live draw per plan whatever happens).
    """
    plan = _lock(plan)
    ensure_can_run(acting_user, plan)
    _expect(plan, PlanStatus.PUBLIC)
    draw = Draw.objects.select_for_update().get(pk=plan.current_draw.pk)
    day = today or timezone.localdate()
    announced = draw.announced_date
    # Drawing before the announced day would shut out whoever meant to watch it.
    if announced is not None and day < announced:
        raise ValidationError(_("公布的抽取日期是 %(day)s，不能提前抽取（今天是 %(today)s）") % {
            "day": announced, "today": day})
    try:
        # The stored inputs are read strictly again, and must still hash to the inputs hash published at the
        # freeze: a draw under any other hash would not be the one announced.
        result = manifest.draw(draw.inputs, bytes.fromhex(draw.secret), draw.public, published=draw.inputs_hash)
    except (DrawError, assignment.AssignmentError) as error:
        raise ValidationError(_("抽取失败：%(e)s") % {"e": getattr(error, "zh", error)}) from error
    draw.seed = result["seed"]
    draw.manifest = result
    draw.status = DrawStatus.DRAWN
    draw.drawn_at = timezone.now()
    draw.drawn_by = acting_user
    with system_language():
        draw.window_warning = window_warning(plan, day)
    draw.save()
    tasks = _write_tasks(plan, draw, result)
    plan.status = PlanStatus.DRAWN
    plan.changed_at = draw.drawn_at
    plan.save(update_fields=["status", "changed_at"])
    section = result.get("assignment") or {}
    bindings = (section.get("result") or {}).get("bindings", [])
    _event("draw", plan, acting_user, {
        "draw": draw.number, "seed": draw.seed, "selection_hash": result["selection_hash"], "tasks": tasks,
        "window_warning": draw.window_warning, "infeasible": [b["zh"] for b in bindings],
    })
    return draw


def _categories(targets: Iterable[Target], year: int, quarter: int) -> dict[int, str]:
    """Each target's category in the quarter (its classification, else the registry's), for its items."""
    targets = list(targets)
    found = dict(Classification.objects.filter(target__in=targets, year=year, quarter=quarter)
                 .values_list("target_id", "category"))
    return {target.pk: found.get(target.pk, target.category) for target in targets}


def _visits_to_join(plan: Plan, targets: Iterable[Target]) -> dict[int, Task]:
    """The quarter's visits a new selection of the same targets joins (进一次门、查多项事, policy ``merged_visit``),
    by target: tasks not withdrawn whose record has not been started. A record's items are fixed when it starts and
    a sealed record is the visit done, so a plan joining a begun visit would count as checked items nobody checked
    (a joint, clue or cross-department check drawn after the firm's regular visit); such a plan gets a visit of its
    own."""
    if not policy_for(plan.year, plan.quarter).merged_visit.enabled:
        return {}
    # Locked first, then asked for records in a statement of its own: a record started while this waited for the
    # lock is seen (do_start_record locks the task too), which a join in the locking statement would not re-read.
    tasks = list(Task.objects.select_for_update().filter(target__in=list(targets), year=plan.year,
                                                         quarter=plan.quarter)
                 .exclude(status=TaskStatus.WITHDRAWN).order_by("pk"))
    begun = set(Task.objects.filter(pk__in=[task.pk for task in tasks], records__isnull=False)
                .values_list("pk", flat=True))
    joinable: dict[int, Task] = {}
    for task in tasks:
        if task.pk not in begun:
            joinable.setdefault(task.target_id, task)
    return joinable


def _write_tasks(plan: Plan, draw: Draw, result: dict) -> int:
    """Store what the engine returned: a task per selected target (joining the quarter's visit to it that has
    not begun when the policy merges visits), the selection that makes it count for this plan, its items and its
    team."""
    picks = [(stratum["name"], rank, pick) for stratum in result["strata"]
             for rank, pick in enumerate(stratum["selected"], start=1)]
    codes = sorted({pick["id"] for _name, _rank, pick in picks})
    # Locking the selected targets makes two plans that draw the same target at the same time write one task. No key
    # update: an officer starting a record holds its task and then checks the record's target reference (a key share
    # lock), which a full update lock here would wait on while this waits on the task (_visits_to_join).
    targets = {t.credit_code: t for t in Target.objects.select_for_update(no_key=True).filter(credit_code__in=codes)
               .order_by("pk")}
    existing = _visits_to_join(plan, targets.values())
    deadline = plan_deadline(plan)
    categories = _categories(targets.values(), plan.year, plan.quarter)
    created = Task.objects.bulk_create(
        Task(year=plan.year, quarter=plan.quarter, target=targets[code], deadline=deadline, is_joint=plan.is_joint,
             is_clue_check=plan.is_clue_check, is_cross_department=plan.is_cross_department,
             category=categories[targets[code].pk])
        for code in codes if targets[code].pk not in existing)
    tasks = {**{task.target.credit_code: task for task in created},
             **{target.credit_code: existing[target.pk] for target in targets.values() if target.pk in existing}}
    # A visit it joins (merged) takes this plan's kind and deadline at its dispatch (``tells``), not now: its team
    # and the other plan's readers are told nothing of this draw before then.
    TaskPlan.objects.bulk_create(
        TaskPlan(task=tasks[pick["id"]], plan=plan, draw=draw, stratum=name, must_include=pick["via"] == "must",
                 rank=rank, ticket=pick["ticket"])
        for name, rank, pick in picks)
    teams = ((result.get("assignment") or {}).get("result") or {}).get("teams", [])
    _store_teams(plan, draw, teams, tasks)
    return len(tasks)


# --- substitution ------------------------------------------------------------------------------------------


def _ensure_not_inspected(task: Task) -> None:
    """After the visit (its record sealed) the team and the target are what the record says: no substitution.
    A mistake in the record is corrected by an amendment of the record, not by changing who was drawn."""
    sealed = task.records.filter(sealed_at__isnull=False).order_by("sealed_at").first()
    if sealed is not None:
        raise ValidationError(_("%(name)s 的检查已完成（检查记录 %(number)s 已提交封存），不能再递补或替换；"
                                "记录有误的，请对检查记录申请更正")
                              % {"name": task.target.name, "number": sealed.number})


def _by_at(substitution: Substitution | None) -> dict[str, str]:
    """Who made a substitution and when, for the admin who tried the same one at the same moment."""
    if substitution is None:
        return {"who": _("他人"), "when": ""}
    who = substitution.acted_by.display_name if substitution.acted_by else _("系统")
    return {"who": who, "when": timezone.localtime(substitution.acted_at).strftime("%Y-%m-%d %H:%M")}


def _live_selections(task: Task):
    return (task.selections.filter(active=True, draw__status=DrawStatus.DRAWN)
            .select_related("draw", "plan__jurisdiction"))


@transaction.atomic
def do_substitute_target(task: Task, *, reason: str, acting_user) -> list[Task]:
    """A drawn target that closed is replaced, in every live draw that selected it, by the next ticket of
    the same stratum (the rule fixed in the manifest); its team goes to the substitute where the rule says
    so, otherwise the substitute's team is drawn from the seed. Returns the substitute tasks."""
    if not reason.strip():
        raise ValidationError({"reason": _("请填写递补理由")})
    selections = list(_live_selections(task))
    if not selections:
        raise ValidationError(_("该任务不属于任何有效的抽取"))
    plans = {s.plan_id: _lock(s.plan) for s in selections}
    for plan in plans.values():
        ensure_can_run(acting_user, plan)
        _expect(plan, PlanStatus.DRAWN, PlanStatus.DISPATCHED)
    task = Task.objects.select_for_update(of=("self",)).select_related("target").get(pk=task.pk)
    _ensure_not_inspected(task)
    if _live_selections(task).filter(pk__in=[s.pk for s in selections]).count() < len(selections):
        # Another admin substituted it while this call waited for the plan: the manifest's engine would only say,
        # in English, that the target is no longer selected.
        done = (Substitution.objects.filter(task=task, kind=SubstitutionKind.TARGET).select_related("acted_by")
                .order_by("-pk").first())
        if done is None:  # a draw of it superseded meanwhile (a re-draw approved)
            raise ValidationError(_("%(name)s 所在的抽取刚刚发生变化，请刷新后查看") % {"name": task.target.name},
                                  code="changed")
        raise ValidationError(_("%(name)s 已由%(who)s于%(when)s按号签递补，请刷新后查看") % {
            "name": task.target.name, **_by_at(done)}, code="done")
    if task.target.is_active:
        raise ValidationError(_("%(name)s 在名录库中仍是在营状态。只有已注销/关停的对象才按号签递补："
                                "请先在名录库中将其标记为注销/关停（写明日期和原因）") % {"name": task.target.name})
    substitutes: list[Task] = []
    for selection in selections:
        plan, draw = plans[selection.plan_id], Draw.objects.select_for_update().get(pk=selection.draw_id)
        try:
            updated = manifest.substitute(draw.manifest, task.target.credit_code, reason)
        except (DrawError, assignment.AssignmentError) as error:
            raise ValidationError(_("递补失败：%(e)s") % {"e": getattr(error, "zh", error)}) from error
        event = updated["substitutions"][-1]
        draw.manifest = updated
        draw.save(update_fields=["manifest"])
        TaskPlan.objects.filter(pk=selection.pk).update(active=False)
        new_tasks = _write_substitutes(plan, draw, selection, event, acting_user)
        substitutes += new_tasks
        for new_task in new_tasks or [None]:
            Substitution.objects.create(draw=draw, kind=SubstitutionKind.TARGET, task=task, new_task=new_task,
                                        reason=reason.strip(), record=event, acted_by=acting_user)
        _event("substitute_target", plan, acting_user, {
            "draw": draw.number, "out": task.target.credit_code,
            "in": [r["in"] for r in event["replacements"]]}, reason=reason, obj=task)
    plan_changed(*plans.values())  # each draw's manifest records the substitution
    TaskMember.objects.filter(task=task, draw__in=[s.draw_id for s in selections]).update(active=False)
    if not task.selections.filter(active=True).exists():
        task.status = TaskStatus.WITHDRAWN
        task.withdrawn_reason = reason.strip()[:255]
        task.save(update_fields=["status", "withdrawn_reason"])
    _drafts_follow(task, reason, acting_user)
    return substitutes


def _drafts_follow(task: Task, reason: str, acting_user) -> None:
    """A draft record the old team started follows the new team, or stops with the withdrawn task."""
    from shuangsuiji.fieldwork.services import team_changed

    team_changed(task, reason=reason.strip(), acting_user=acting_user)


def _write_substitutes(plan: Plan, draw: Draw, selection: TaskPlan, event: dict, acting_user) -> list[Task]:
    """The tasks of a substitution event: the replacement targets, their selection and their teams."""
    codes = [r["in"] for r in event["replacements"]]
    if not codes:
        return []
    targets = {t.credit_code: t for t in Target.objects.select_for_update(no_key=True)  # as in _write_tasks
               .filter(credit_code__in=codes)}
    joinable = _visits_to_join(plan, targets.values())
    dispatched = plan.status == PlanStatus.DISPATCHED
    now = timezone.now()
    categories = _categories(targets.values(), plan.year, plan.quarter)
    tasks: dict[str, Task] = {}
    for code in codes:
        existing = joinable.get(targets[code].pk)
        tasks[code] = existing or Task.objects.create(
            year=plan.year, quarter=plan.quarter, target=targets[code],
            deadline=plan_deadline(plan), is_joint=plan.is_joint,
            is_clue_check=plan.is_clue_check, is_cross_department=plan.is_cross_department,
            category=categories[targets[code].pk], status=TaskStatus.DISPATCHED if dispatched else TaskStatus.DRAWN,
            dispatched_at=now if dispatched else None)
    last_rank = {s: r or 0 for s, r in TaskPlan.objects.filter(draw=draw).values("stratum")
                 .annotate(r=Max("rank")).values_list("stratum", "r")}
    for replacement in event["replacements"]:
        stratum = replacement["stratum"]
        last_rank[stratum] = last_rank.get(stratum, 0) + 1
        TaskPlan.objects.create(task=tasks[replacement["in"]], plan=plan, draw=draw, stratum=stratum,
                                rank=last_rank[stratum], ticket=replacement["ticket"])
    old_members = list(TaskMember.objects.filter(task=selection.task, draw=draw, active=True))
    for record in event["teams"]:
        task = tasks[record["task"]]
        if record["rule"] == "carried":
            TaskMember.objects.bulk_create(
                TaskMember(task=task, draw=draw, inspector_id=m.inspector_id, role=m.role, slot=m.slot,
                           slot_kind=m.slot_kind, requirement=m.requirement) for m in old_members)
        else:
            _store_teams(plan, draw, record["assignment"]["result"]["teams"], {record["task"]: task})
    if dispatched:  # a visit it joined is told of this plan now (else at its dispatch)
        tells([task.pk for code, task in tasks.items() if joinable.get(targets[code].pk) is not None], plan=plan,
              acting_user=acting_user)
    return list(tasks.values())


def _store_teams(plan: Plan, draw: Draw, teams: list[dict], tasks: Mapping[str, Task]) -> None:
    numbers = {m["inspector"] for team in teams for m in team["members"]}
    inspectors = dict(Inspector.objects.filter(certificate_number__in=numbers, jurisdiction=plan.jurisdiction)
                      .values_list("certificate_number", "pk"))
    TaskMember.objects.bulk_create(
        TaskMember(task=tasks[team["task"]], draw=draw, inspector_id=inspectors[member["inspector"]],
                   role=MemberRole.EXPERT if member["role"] == "expert" else MemberRole.OFFICER, slot=slot,
                   slot_kind=member["role"], requirement=member["requirement"])
        for team in teams for slot, member in enumerate(team["members"]))


def _team_section(result: dict, code: str) -> list:
    """Where the current team of target ``code`` lives in a manifest: ["assignment"] for the draw's own
    section, ["substitutions", n, "teams", k, "assignment"] for a team drawn at a substitution, or None
    for a team carried over from a closed target (its record lists the people as they were then)."""
    where: dict[str, list | None] = {}
    for team in ((result.get("assignment") or {}).get("result") or {}).get("teams", []):
        where[team["task"]] = ["assignment"]
    for n, event in enumerate(result["substitutions"]):
        where.pop(event["out"], None)
        for k, team in enumerate(event["teams"]):
            where[team["task"]] = (None if team["rule"] == "carried"
                                   else ["substitutions", n, "teams", k, "assignment"])
    if code not in where:
        raise ValidationError(_("抽取清单中没有该任务的检查组"))
    return where[code]


@transaction.atomic
def do_substitute_inspector(task: Task, inspector: Inspector, *, reason: str, acting_user,
                            draw: Draw | None = None) -> TaskMember:
    """An inspector who cannot take part (illness, a conflict found late) is replaced by the eligible
    officer with the smallest ticket for this task (assignment spec §9); the manifest records it. On a visit
    that counts for two plans, ``draw`` says in which draw's team (he may be in both); by default the first."""
    if not reason.strip():
        raise ValidationError({"reason": _("请填写替换理由")})
    members = TaskMember.objects.select_related("draw__plan").filter(task=task, inspector=inspector, active=True,
                                                                     draw__status=DrawStatus.DRAWN)
    member = (members.filter(draw=draw) if draw is not None else members).order_by("draw_id", "slot").first()
    if member is None:
        raise ValidationError(_("%(name)s 不在该任务的有效检查组中") % {"name": inspector.name})
    plan = _lock(member.draw.plan)
    ensure_can_run(acting_user, plan)
    _expect(plan, PlanStatus.DRAWN, PlanStatus.DISPATCHED)
    _ensure_not_inspected(Task.objects.select_for_update(of=("self",)).select_related("target").get(pk=task.pk))
    if not TaskMember.objects.filter(pk=member.pk, active=True).exists():
        # Replaced by another admin while this call waited for the plan (the engine would answer with bare numbers).
        done = (Substitution.objects.filter(task=task, kind=SubstitutionKind.INSPECTOR, old_inspector=inspector,
                                            draw_id=member.draw_id)
                .select_related("acted_by", "new_inspector").order_by("-pk").first())
        raise ValidationError(_("%(name)s 已由%(who)s于%(when)s替换为%(new)s，请刷新后查看") % {
            "name": inspector.name, "new": done.new_inspector.name if done and done.new_inspector else "—",
            **_by_at(done)}, code="done")
    draw = Draw.objects.select_for_update().get(pk=member.draw_id)
    code = task.target.credit_code
    path = _team_section(draw.manifest, code)
    if path is None:
        raise ValidationError(_("该检查组由已关停对象的任务按规则转来，抽取清单记录的是转来时的成员，"
                                "不能再按号签替换；如确需调整，请申请重新抽取"))
    updated = copy.deepcopy(draw.manifest)
    holder = updated
    for key in path[:-1]:
        holder = holder[key]
    section = holder[path[-1]]
    problem = assignment.Problem.from_json(section["problem"])
    try:
        result = assignment.substitute(problem, assignment.Assignment.from_json(section["result"]), code,
                                       inspector.certificate_number, draw.seed)
    except assignment.AssignmentError as error:
        raise ValidationError(error.zh) from error
    holder[path[-1]] = assignment.section(problem, draw.seed, result)
    record = result.substitutions[-1]
    draw.manifest = updated
    draw.save(update_fields=["manifest"])
    plan_changed(plan)  # the manifest records the substitution
    newcomer = Inspector.objects.get(certificate_number=record.into, jurisdiction=plan.jurisdiction)
    TaskMember.objects.filter(pk=member.pk).update(active=False)
    replacement = TaskMember.objects.create(task=task, draw=draw, inspector=newcomer, role=member.role,
                                            slot=member.slot, slot_kind=member.slot_kind,
                                            requirement=member.requirement)
    Substitution.objects.create(draw=draw, kind=SubstitutionKind.INSPECTOR, task=task, old_inspector=inspector,
                                new_inspector=newcomer, reason=reason.strip(), acted_by=acting_user,
                                record={"task": record.task, "slot": record.slot, "out": record.out,
                                        "in": record.into})
    _event("substitute_inspector", plan, acting_user, {
        "draw": draw.number, "task": code, "out": record.out, "in": record.into}, reason=reason, obj=task)
    _drafts_follow(task, reason, acting_user)
    return replacement


# --- 并入: one visit, one record ----------------------------------------------------------------------------


def _plans_of(*tasks: Task) -> list[Plan]:
    """Every plan the tasks count or counted for (an inactive selection too: who may merge a task is who runs every
    plan it was drawn by), in primary-key order, the order ``do_merge_task`` locks them in."""
    ids = TaskPlan.objects.filter(task__in=[task.pk for task in tasks]).values_list("plan_id", flat=True)
    return list(Plan.objects.filter(pk__in=list(ids)).select_related("jurisdiction").order_by("pk"))


def can_merge(user, task: Task) -> bool:
    """Whether ``user`` runs every plan of ``task`` (``can_run``): the admins of a merge's two tasks are those who
    run both tasks' plans — a county admin a visit of the county's plans, the city's admin one of the city's and the
    county's; the service checks the other task the same way."""
    plans = _plans_of(task)
    return bool(plans) and all(can_run(user, plan) for plan in plans)


def merge_problem(task: Task, into: Task) -> str | None:
    """Why ``task`` cannot be merged into ``into``, in words naming what blocks it, or None: both to the same unit in
    the same quarter, both live (not withdrawn, not merged already) and dispatched with every plan they count for,
    ``into``'s record not submitted and ``task``'s not begun. Read on rows the caller has locked."""
    from shuangsuiji.fieldwork.models import task_number  # fieldwork builds on planning

    number, other = task_number(task), task_number(into)
    if task.pk == into.pk:
        return _("不能把任务%(task)s并入它自己") % {"task": number}
    for one in (task, into):
        if one.merged_into_id is not None:
            return _("任务%(task)s已并入任务%(into)s，不能再并入") % {
                "task": task_number(one), "into": task_number(one.merged_into)}
        if one.status == TaskStatus.WITHDRAWN:
            return _("任务%(task)s已撤销（%(reason)s），不能并入") % {
                "task": task_number(one), "reason": one.withdrawn_reason or "—"}
    if task.target_id != into.target_id:
        return _("两项任务不是同一单位（%(task)s：%(name)s；%(into)s：%(other)s），不能并入") % {
            "task": number, "name": task.target.name, "into": other, "other": into.target.name}
    if (task.year, task.quarter) != (into.year, into.quarter) or task.category != into.category:
        # the items of a visit are those of its quarter's category (``Task.check_items``)
        return _("两项任务不在同一季度（%(task)s：%(period)s；%(into)s：%(other)s），不能并入") % {
            "task": number, "period": task.period, "into": other, "other": into.period}
    for one in (task, into):
        if one.status != TaskStatus.DISPATCHED:
            return _("任务%(task)s尚未派发，不能并入：派发前检查组还不知道这项任务") % {"task": task_number(one)}
        for selection in one.selections.filter(active=True).select_related("plan__jurisdiction", "draw"):
            if selection.plan.status != PlanStatus.DISPATCHED or selection.draw.status != DrawStatus.DRAWN:
                return _("任务%(task)s所属的%(plan)s尚未派发，不能并入") % {
                    "task": task_number(one), "plan": selection.plan}
    sealed = into.records.filter(sealed_at__isnull=False).order_by("sealed_at").first()
    if sealed is not None:
        return _("任务%(into)s的检查已完成（检查记录 %(number)s 已提交封存），不能再并入；任务%(task)s另行检查") % {
            "into": other, "number": sealed.number, "task": number}
    begun = task.records.order_by("pk").first()
    if begun is not None:
        return _("任务%(task)s已开始填写检查记录 %(number)s，不能并入另一项任务；"
                 "可以把任务%(into)s并入任务%(task)s") % {"task": number, "number": begun.number, "into": other}
    draws = set(into.selections.filter(active=True).values_list("draw_id", flat=True))
    if task.selections.filter(active=True, draw_id__in=draws).exists():
        return _("两项任务属于同一次抽取，不能并入")
    if not policy_for(into.year, into.quarter).merged_visit.enabled:
        return _("%(period)s适用的监管政策不合并同一单位的检查，不能并入") % {"period": into.period}
    return None


def _visit_facts(task: Task) -> dict:
    """What a merge changes of the visit that stays, for its event's before and after. The plans' titles are stored
    text, in the system's language as every event's values: an admin merging in English wrote English titles."""
    selections = task.selections.filter(active=True).select_related("plan__jurisdiction", "plan__department")
    with system_language():
        plans = [str(s.plan) for s in selections.order_by("plan_id")]
    return {
        "deadline": task.deadline.isoformat(),
        "plans": plans,
        "team": sorted(set(task.members.filter(team_places()).values_list("inspector__certificate_number", flat=True))),
    }


@transaction.atomic
def do_merge_task(acting_user, task: Task, *, into: Task, reason: str) -> Task:
    """并入: the unit's later visit ``task`` becomes part of ``into``, one visit and one record for both
    (实施方案 二(五) "对同一监管对象的多个检查事项，原则上应一次完成"), as a draw joins a visit not begun
    (``_visits_to_join``) — here after ``into``'s record was begun, while it is a draft.

    ``into`` gains ``task``'s selections (new ``TaskPlan`` rows of the same draws, strata, ranks and tickets: it now
    counts for those plans, and the quarter's counts count it once for each) and its team's places (its officers join
    the visit and sign its record, ``team_places``); its deadline becomes the earlier one. ``task`` is withdrawn,
    "并入 RW…", pointing to ``into`` (``merged_into``); its own selections and places stay, inactive, so its page still
    says what it was. The draws and their manifests do not change: which firms and officers were drawn is as
    published. ``into``'s draft gains the merged plans' items (``fieldwork.services.task_merged``).

    Refused with a sentence (``merge_problem``) when the two are not one unit's live, dispatched visits of a quarter,
    when ``into``'s record is submitted or ``task``'s begun (merge the other way), and to anyone who does not run
    every plan of both. Returns ``into``."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写并入理由")})
    # The plans first, then the tasks, in the order the substitutions lock them (no deadlock with one).
    plans = [_lock(plan) for plan in _plans_of(task, into)]
    for plan in plans:
        ensure_can_run(acting_user, plan)
    locked = {t.pk: t for t in Task.objects.select_for_update(of=("self",)).select_related("target")
              .filter(pk__in=[task.pk, into.pk]).order_by("pk")}
    task, into = locked[task.pk], locked.get(into.pk, locked[task.pk])
    problem = merge_problem(task, into)
    if problem:
        raise ValidationError(problem, code="merge")
    from shuangsuiji.fieldwork.models import task_number  # fieldwork builds on planning
    from shuangsuiji.fieldwork.services import task_merged

    before = _visit_facts(into)
    team_before = set(into.members.filter(team_places()).values_list("inspector_id", flat=True))
    selections = list(task.selections.filter(active=True).order_by("pk"))
    TaskPlan.objects.bulk_create(
        TaskPlan(task=into, plan_id=s.plan_id, draw_id=s.draw_id, stratum=s.stratum, must_include=s.must_include,
                 rank=s.rank, ticket=s.ticket) for s in selections)
    TaskPlan.objects.filter(pk__in=[s.pk for s in selections]).update(active=False)
    places = list(task.members.filter(active=True).order_by("pk"))
    TaskMember.objects.bulk_create(
        TaskMember(task=into, draw_id=m.draw_id, inspector_id=m.inspector_id, role=m.role, slot=m.slot,
                   slot_kind=m.slot_kind, requirement=m.requirement) for m in places)
    TaskMember.objects.filter(pk__in=[m.pk for m in places]).update(active=False)
    into.is_joint = into.is_joint or task.is_joint
    into.is_clue_check = into.is_clue_check or task.is_clue_check
    into.is_cross_department = into.is_cross_department or task.is_cross_department
    into.deadline = min(into.deadline, task.deadline)
    into.save(update_fields=["is_joint", "is_clue_check", "is_cross_department", "deadline"])
    with system_language():
        note = _("并入 %(number)s") % {"number": task_number(into)}
    task.status = TaskStatus.WITHDRAWN
    task.withdrawn_reason = note
    task.merged_into = into
    task.save(update_fields=["status", "withdrawn_reason", "merged_into"])
    after = _visit_facts(into)
    # in the scope of the highest bureau whose plan is involved: the city's event when the city's plan is one of them
    where = min(plans, key=lambda plan: len(plan.jurisdiction.path))
    # what changed of the visit: an unchanged deadline or team is not a line "2021-06-30 → 2021-06-30" in the history
    _event("merge_task", where, acting_user, {
        "merged": [None, task_number(task)], **{key: [before[key], after[key]] for key in after
                                                if before[key] != after[key]}},
        reason=reason, obj=into)
    _event("task_merged", where, acting_user, {
        "status": [TaskStatus.DISPATCHED.value, TaskStatus.WITHDRAWN.value], "merged_into": [None, task_number(into)]},
        reason=reason, obj=task)
    joined = set(into.members.filter(team_places()).values_list("inspector_id", flat=True)) - team_before
    task_merged(into, merged=task, reason=reason, acting_user=acting_user,
                joined=Inspector.objects.filter(pk__in=joined).values_list("certificate_number", flat=True))
    return into


def draw_revealed(draw: Draw, plan: Plan | None = None) -> bool:
    """Whether the plan's reveal published this draw's secret: it was drawn before the reveal. A draw made
    after it (a re-draw approved for a revealed plan before ``_refuse_after_reveal``; such draws are in stored
    data) keeps its secret until it is revealed itself. ``plan`` saves the query when the caller holds it."""
    plan = plan if plan is not None else draw.plan
    return plan.revealed_at is not None and draw.drawn_at is not None and draw.drawn_at <= plan.revealed_at


def published_manifest(draw: Draw, *, sealed: bool = False) -> tuple[str, bool]:
    """The manifest as it may be published now, as JSON text, and whether it is the complete one: the
    sealed manifest (hashes, commitment, public value, selection hash; no secret, no list) until the draw
    is revealed (``draw_revealed``), the complete manifest — what ``tools/verify_draw.py`` checks — after.
    By the plan's reveal alone the portal gave anyone a later re-draw's secret and selection."""
    complete = draw_revealed(draw) and not sealed
    body = draw.manifest if complete else manifest.seal(draw.manifest)
    return json.dumps(body, ensure_ascii=False, sort_keys=True, indent=1) + "\n", complete
