"""Loading what a plan rests on from the database, as the plain data the engine takes.

The shell's half of "load → call the engine → store": the targets of a plan's scope with their
quarterly classification, the double-random inspectors counted for the general quota, what earlier
quarters of the year already drew, and the inspector pool with recusals and recent pairs. Nothing here
decides anything; ``engine.quotas`` and the draw do.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from shuangsuiji.engine import assignment
from shuangsuiji.engine.policy import Policy
from shuangsuiji.engine.quotas import QuarterQuotas, TargetFacts, YearProgress, compute_quotas
from shuangsuiji.engine.workdays import WorkCalendar, previous_quarter, quarter_start

# The planning code reads a quarter's bounds as gather's; the one definition is the engine's.
from shuangsuiji.engine.workdays import quarter_end as quarter_end
from shuangsuiji.intake.models import Classification, Clue, ClueStatus
from shuangsuiji.planning.models import (
    GIVEN_TARGET_KINDS,
    Plan,
    PlanKind,
    Stratum,
    TaskMember,
    TaskPlan,
    TaskStatus,
    team_places,
)
from shuangsuiji.registry.models import (
    CheckItem,
    Department,
    Inspector,
    InspectorStatus,
    Jurisdiction,
    Recusal,
    Target,
    TargetStatus,
    WorkdayOverride,
)


def draws_open(year: int, quarter: int) -> date:
    """The first day of the quarter before (year, quarter): its plan may be frozen from then (the draw belongs
    at that quarter's end), so nothing of the quarter's draw or its tasks can be dated earlier."""
    return quarter_start(*previous_quarter(year, quarter))


def calendar() -> WorkCalendar:
    """The official calendar with the administrators' override table (registry.WorkdayOverride)."""
    return WorkCalendar(dict(WorkdayOverride.objects.values_list("date", "is_workday")))


def scope_targets(jurisdiction: Jurisdiction):
    """Active targets in the plan's area: a city plan covers its whole city, a county plan its county."""
    return Target.objects.filter(status=TargetStatus.ACTIVE, jurisdiction__path__startswith=jurisdiction.path)


@dataclass(frozen=True)
class Population:
    """A plan's targets as the quota rules see them, and how they were classified."""

    facts: tuple[TargetFacts, ...]
    classified: bool
    """False when the quarter has no classification yet and the registry's current categories were used."""


def population(jurisdiction: Jurisdiction, year: int, quarter: int) -> Population:
    targets = scope_targets(jurisdiction).order_by()
    rows = list(targets.values_list("id", "credit_code", "category", "positive_list"))
    classes = quarter_classes(targets, year, quarter)
    last = last_on_site(targets, year)
    listed = key_listed_specials(targets, year, quarter)
    # The classification made a target must-inspect for an approved clue it applied to the quarter; a clue whose
    # 线索核查 was opened since is taken up by that check (planning.services.do_open_clue_check), not by this draw.
    clued = set(Clue.objects.filter(target__in=targets, status=ClueStatus.APPROVED, applied_year=year,
                                    applied_quarter=quarter, check_plan__isnull=True)
                .values_list("target_id", flat=True))
    facts = []
    for target_id, code, category, positive in rows:
        # A target registered after the quarter's classification has no row yet; its registry values stand.
        category, positive, must = classes.get(target_id, (category, positive, False))
        must = must and target_id in clued
        facts.append(TargetFacts(id=code, category=category, positive_list=positive, approved_clue=must,
                                 last_on_site_inspection=last.get(target_id),
                                 key_listed=category == "key" or target_id in listed))
    return Population(tuple(facts), bool(classes))


def quarter_classes(targets, year: int, quarter: int) -> dict[int, tuple[str, bool, bool]]:
    """The quarter's classification of the targets: ``target id → (category, positive list, must inspect)``; a
    target without a row (registered since) keeps its registry values."""
    return {target_id: (category, positive, must) for target_id, category, positive, must in
            Classification.objects.filter(year=year, quarter=quarter, target__in=targets).order_by()
            .values_list("target_id", "category", "positive_list", "must_inspect")}


def key_unit_facts(places: Iterable[Jurisdiction], year: int, quarter: int) -> dict[int, list[TargetFacts]]:
    """Each place's targets as ``population`` classifies them, with only what counting its key units needs
    (category, key_listed): three queries for all the places, where ``population`` per place read every target's
    last visit too. The places are the city and its counties (a city's facts are those of its whole city)."""
    places = list(places)
    if not places:
        return {}
    top = min(places, key=lambda place: len(place.path))
    targets = scope_targets(top).order_by()
    classes = quarter_classes(targets, year, quarter)
    listed = key_listed_specials(targets, year, quarter)
    found: dict[int, list[TargetFacts]] = {place.pk: [] for place in places}
    for target_id, code, category, positive, path in targets.values_list(
            "id", "credit_code", "category", "positive_list", "jurisdiction__path"):
        category, positive, _must = classes.get(target_id, (category, positive, False))
        facts = TargetFacts(id=code, category=category, positive_list=positive,
                            key_listed=category == "key" or target_id in listed)
        for place in places:
            if path.startswith(place.path):
                found[place.pk].append(facts)
    return found


def key_listed_specials(targets, year: int, quarter: int) -> set[int]:
    """The targets the quarter's classification made special although they are on the key-unit directory (its
    reasons name the directory): they still owe the key units' half-year coverage. Only special rows are read,
    a small share of a plan's targets."""
    return {target_id for target_id, reasons in
            Classification.objects.filter(year=year, quarter=quarter, target__in=targets, category="special")
            .order_by().values_list("target_id", "reasons")
            if any(reason.get("rule") == "key_directory" for reason in reasons or ())}


def last_on_site(targets, year: int) -> dict[int, date]:
    """Each target's latest on-site inspection in ``year`` (the quota rules look no further back than the
    half-year): the recorded date, or — until fieldwork records it — the first day of the quarter of a task
    that was not withdrawn. A visit counts in the year it was made: last December's task visited in January
    covers the first half of this year (the half-year rule is about visits, not plans). A task whose record was
    submitted without an on-site date was checked off site only: the policy reads 巡查 as on-site
    (key_half_year_coverage), so it covers nothing. A 线索核查 is no random inspection and covers nothing of the
    random-inspection quotas either (实施方案 二(三)), nor does a 跨部门联合抽查 (its targets were drawn by another
    department on the 协同监管平台): only the selections of regular and joint plans count."""
    latest: dict[int, date] = {}
    visited_this_year = Q(task__inspected_on__gte=date(year, 1, 1), task__inspected_on__lte=date(year, 12, 31))
    checked_off_site = Q(task__inspected_on__isnull=True, task__records__sealed_at__isnull=False)
    for target_id, inspected_on, task_year, quarter in (
            TaskPlan.objects.filter(Q(task__year=year) | visited_this_year, task__target__in=targets, active=True)
            .exclude(plan__kind__in=GIVEN_TARGET_KINDS)
            .exclude(task__status=TaskStatus.WITHDRAWN).exclude(checked_off_site).order_by()
            .values_list("task__target_id", "task__inspected_on", "task__year", "task__quarter").distinct()):
        day = inspected_on or quarter_start(task_year, quarter)
        if target_id not in latest or day > latest[target_id]:
            latest[target_id] = day
    return latest


def double_random_inspectors(jurisdiction: Jurisdiction, year: int, quarter: int) -> int:
    """系统中执法部门的双随机执法人员数量: the jurisdiction's own active, certified double-random officers
    on the first day of the quarter (outside experts never count)."""
    return Inspector.objects.filter(
        jurisdiction=jurisdiction, status=InspectorStatus.ACTIVE, is_external=False, is_double_random=True,
        certificate_expiry__gte=quarter_start(year, quarter)).count()


def year_progress(jurisdiction: Jurisdiction, level: str, year: int, quarter: int) -> YearProgress:
    """What the jurisdiction's plans of this level drew in the year's earlier quarters (live draws only). A 线索核查
    is not a random inspection, nor is a 跨部门联合抽查: their selections are left out by kind (GIVEN_TARGET_KINDS)."""
    selections = (TaskPlan.objects.filter(active=True, plan__jurisdiction=jurisdiction, plan__level=level,
                                          plan__year=year, plan__quarter__lt=quarter)
                  .exclude(plan__kind__in=GIVEN_TARGET_KINDS).exclude(task__status=TaskStatus.WITHDRAWN))
    general: dict[int, int] = defaultdict(int)
    joint: dict[int, int] = defaultdict(int)
    for plan_quarter, stratum in selections.values_list("plan__quarter", "stratum"):
        if stratum == Stratum.GENERAL:
            general[plan_quarter] += 1
        elif stratum == Stratum.JOINT:
            joint[plan_quarter] += 1
    return YearProgress(general_inspections=dict(general), joint_key_inspections=dict(joint))


def quotas(policy: Policy, jurisdiction: Jurisdiction, year: int, quarter: int
           ) -> tuple[QuarterQuotas, Population, int]:
    """The quarter's quotas for the jurisdiction's plans, with the population and inspector count used."""
    people = population(jurisdiction, year, quarter)
    inspectors = double_random_inspectors(jurisdiction, year, quarter)
    result = compute_quotas(policy, people.facts, inspectors=inspectors, level=jurisdiction.level, year=year,
                            quarter=quarter, progress=year_progress(jurisdiction, jurisdiction.level, year, quarter))
    return result, people, inspectors


def visible_items(jurisdiction: Jurisdiction):
    """Active check items of the jurisdiction's own list and of its ancestors' lists."""
    return CheckItem.objects.filter(is_active=True).filter(
        Q(jurisdiction=jurisdiction) | Q(jurisdiction__code__in=jurisdiction.ancestor_codes())
    ).select_related("specialty", "responsible_department").order_by("code")


def items_for(category: str, items: Iterable[CheckItem]) -> list[CheckItem]:
    return [item for item in items if category in item.categories]


# --- the inspector side of the frozen inputs -------------------------------------------------------------


def pool(jurisdiction: Jurisdiction) -> list[Inspector]:
    """The jurisdiction's inspector registry: who the draw may assign (the engine applies status, certificate,
    department, specialty and recusal)."""
    return list(Inspector.objects.filter(jurisdiction=jurisdiction).select_related("department")
                .prefetch_related("specialties").order_by("certificate_number"))


def engine_inspectors(people: Iterable[Inspector]) -> tuple[assignment.Inspector, ...]:
    return tuple(assignment.Inspector(
        id=person.certificate_number, department=person.department.name,
        specialties=tuple(s.code for s in person.specialties.all()),
        certificate_expiry=person.certificate_expiry, status=person.status, expert=person.is_external,
    ) for person in people)


def recusals(people: Iterable[Inspector], target_codes: Iterable[str]) -> dict[str, list[str]]:
    """Credit code → certificate numbers recused from it, for the pool's inspectors and these targets. Read from
    the pool's side: a pool has a handful of recusals, a city plan thousands of candidate targets."""
    wanted = set(target_codes)
    found: dict[str, list[str]] = defaultdict(list)
    for code, number in (Recusal.objects.filter(inspector__in=list(people))
                         .values_list("target__credit_code", "inspector__certificate_number")):
        if code in wanted:
            found[code].append(number)
    return {code: sorted(numbers) for code, numbers in found.items()}


def recent_pairs(jurisdiction: Jurisdiction, year: int, quarter: int) -> list[tuple[str, str]]:
    """Pairs of the jurisdiction's inspectors who were in one team in the two quarters before the planned one
    (DESIGN §4: "no pair repeated from the last two quarters where avoidable"; assignment spec §6).

    A team is the team as told (``team_places``): the places of a dispatched draw still held. A draw not dispatched
    yet made no team — it may still be re-drawn, and nothing of it is told before its dispatch, so its pairs must
    neither steer another plan's draw nor appear, once that plan's inputs are revealed, in its frozen inputs; nor
    did an officer replaced before the dispatch (or after it: he did not go) team up with anyone on that visit. A
    merged visit's team is the told places of every plan it counts for; a withdrawn visit made none."""
    quarters = [previous_quarter(year, quarter)]
    quarters.append(previous_quarter(*quarters[0]))
    condition = Q()
    for y, q in quarters:
        condition |= Q(task__year=y, task__quarter=q)
    teams: dict[int, set[str]] = defaultdict(set)
    for task_id, number in (TaskMember.objects.filter(condition, team_places(), inspector__jurisdiction=jurisdiction)
                            .exclude(task__status=TaskStatus.WITHDRAWN)
                            .values_list("task_id", "inspector__certificate_number")):
        teams[task_id].add(number)
    pairs = set()
    for members in teams.values():
        ordered = sorted(members)
        pairs.update((a, b) for n, a in enumerate(ordered) for b in ordered[n + 1:])
    return sorted(pairs)


def other_joint_requested(plan: Plan) -> int:
    """What the quarter's other joint plans of the same jurisdiction and level ask for."""
    from shuangsuiji.planning.models import PlanStratum

    others = PlanStratum.objects.filter(
        stratum=Stratum.JOINT, plan__kind=PlanKind.JOINT, plan__jurisdiction=plan.jurisdiction,
        plan__level=plan.level, plan__year=plan.year, plan__quarter=plan.quarter).exclude(plan=plan)
    return sum(others.values_list("requested", flat=True))


def code_suffix(code: str) -> str:
    return code.rsplit("-", 1)[-1]


def joint_setup_by_code(jurisdiction: Jurisdiction, suffix: str, on: date
                        ) -> tuple[Department, list[CheckItem], list[Department]] | None:
    """A joint plan by department codes, for automation: the jurisdiction's department coded
    ``<division>-<suffix>`` initiates it for the applicable items whose responsible department carries the
    same suffix (in its own list or an ancestor's), and the jurisdiction's departments coded like those
    items' responsible and cooperating departments take part — those with an active officer whose
    certificate is valid on ``on``. None when there is no such department, item or second participant."""
    departments = {code_suffix(d.code): d for d in Department.objects.filter(jurisdiction=jurisdiction,
                                                                            has_enforcement_duty=True)
                   if d.code}
    initiator = departments.get(suffix)
    if initiator is None:
        return None
    items = [item for item in visible_items(jurisdiction).prefetch_related("cooperating_departments")
             if code_suffix(item.responsible_department.code) == suffix]
    if not items:
        return None
    wanted = {suffix} | {code_suffix(d.code) for item in items for d in item.cooperating_departments.all()}
    staffed = set(Inspector.objects.filter(jurisdiction=jurisdiction, status=InspectorStatus.ACTIVE,
                                           is_external=False, certificate_expiry__gte=on)
                  .values_list("department_id", flat=True))
    chosen = sorted((departments[s] for s in wanted if s in departments and departments[s].pk in staffed),
                    key=lambda d: d.code)
    if initiator not in chosen or len(chosen) < 2:
        return None
    return initiator, items, chosen
