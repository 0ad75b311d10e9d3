"""Demo data of planning: whole quarters planned, frozen, committed, drawn, dispatched (and revealed).

``run_quarter(year, quarter)`` takes every jurisdiction of every city through the ceremony with the same
service functions the pages and commands use: the city's and each county's regular plan asking the
policy minimum, and each one's joint plan initiated by its enforcement unit (department code ``…-ZF``
in the demo data), with witness dice as the public value. The draw happens on the first working day of
the policy's draw window (the last working days of the quarter before), and the rows' timestamps are
set to that day so the pages show a plausible past; the audit events keep the real time they were
written, as they must.

``seed_planning(population)`` is the step of ``seed_demo``: the three quarters before ``today``'s quarter
are drawn, dispatched and revealed; today's quarter — classified by the intake step — was drawn in its window
and dispatched, so its inspections are under way (not revealed: the quarter is not over), except for one
county, ``LEFT_TO_PLAN``, whose own plans are left to make, so a demo user can take a plan through the whole
ceremony (late, as that county is: the system warns that the window has passed).
"""

import random
from collections.abc import Callable, Collection, Iterable
from datetime import date, datetime, time, timedelta
from time import perf_counter
from typing import Any

from django.db import transaction
from django.utils import timezone

from shuangsuiji.demo.generator import Population
from shuangsuiji.demo.statistics import refresh_statistics
from shuangsuiji.engine.workdays import CalendarUnknownError, previous_quarter, quarter_of
from shuangsuiji.intake.services import policy_for
from shuangsuiji.planning import gather, services
from shuangsuiji.planning.models import Draw, Plan, PlanKind, Task, TaskStatus
from shuangsuiji.registry.models import Jurisdiction, Level

JOINT_INITIATOR = "ZF"
"""Code suffix of the demo's enforcement units (支队/大队), which initiate the demo's joint plans."""
LEFT_TO_PLAN = "130609"
"""徐水区 (the demo ``county2`` login): today's quarter has no plan of its own yet. The city's plan covers its
targets all the same."""
WITNESSES = ("王建国", "刘淑芬", "陈志强", "杨秀英", "赵德明", "黄丽华")

Progress = Callable[..., Iterable]


def no_progress(iterable: Iterable, **_: Any) -> Iterable:
    return iterable


def draw_day(year: int, quarter: int) -> date:
    """The first day of the draw window for (year, quarter); the quarter before's last day if the calendar
    of that year is not known."""
    try:
        return gather.calendar().draw_window(policy_for(year, quarter), year, quarter)[0]
    except CalendarUnknownError:
        previous = previous_quarter(year, quarter)
        return gather.quarter_end(*previous)


def jurisdictions_of(city: Jurisdiction) -> list[Jurisdiction]:
    return [city, *Jurisdiction.objects.filter(parent=city, level=Level.COUNTY).order_by("code")]


@transaction.atomic
def run_quarter(year: int, quarter: int, *, cities: Iterable[Jurisdiction] | None = None, acting_user=None,
                reveal: bool = False, leave_out: Collection[str] = (), progress: Progress = no_progress,
                timings: dict[str, float] | None = None) -> dict[str, int]:
    """Plan, freeze, commit, roll the dice, draw and dispatch (and with ``reveal``, reveal) the quarter for
    the city and every county of each city but those whose code is in ``leave_out``; returns counts of what
    was made. ``timings``, when given, receives the seconds each step took over all plans (the benchmark reads
    them)."""
    # Quarters replayed back to back (the demo's year, the tests, the benchmark) read what the quarter before
    # wrote moments ago; a real quarter comes months later, after autovacuum has analysed it. Without this
    # PostgreSQL plans this quarter's reads (earlier tasks, recent pairs) as if those tables were empty.
    refresh_statistics()
    day = draw_day(year, quarter)
    rng = random.Random(f"planning:{year}:{quarter}")
    cities = list(cities) if cities is not None else list(Jurisdiction.objects.filter(level=Level.CITY))
    scopes = [j for city in cities for j in jurisdictions_of(city) if j.code not in leave_out]
    timings = timings if timings is not None else {}
    clock = perf_counter()

    def lap(step: str) -> None:
        nonlocal clock
        now = perf_counter()
        timings[step] = timings.get(step, 0.0) + now - clock
        clock = now

    plans: list[Plan] = []
    for jurisdiction in progress(scopes, desc=f"{year}年第{quarter}季度计划", unit="个"):
        plans.append(services.do_create_plan(jurisdiction=jurisdiction, year=year, quarter=quarter,
                                             acting_user=acting_user))
        setup = gather.joint_setup_by_code(jurisdiction, JOINT_INITIATOR, gather.quarter_end(year, quarter))
        if setup is not None:
            department, items, departments = setup
            plans.append(services.do_create_plan(
                jurisdiction=jurisdiction, year=year, quarter=quarter, acting_user=acting_user,
                kind=PlanKind.JOINT, department=department, check_items=items, departments=departments))
    lap("plan")
    for plan in plans:
        services.do_approve_and_freeze(plan, acting_user=acting_user, draw_date=day, today=day)
    lap("freeze")
    for plan in plans:
        services.do_commit_secret(plan, acting_user=acting_user)
        services.do_record_public_value(
            plan, source="dice", value=",".join(str(rng.randint(1, 6)) for _ in range(8)),
            witnesses=rng.sample(WITNESSES, 2), acting_user=acting_user)
    lap("commit_and_public_value")
    for plan in progress(plans, desc=f"{year}年第{quarter}季度抽取", unit="个"):
        services.do_draw(plan, acting_user=acting_user, today=day)
    lap("draw")
    for plan in plans:
        services.do_dispatch(plan, acting_user=acting_user)
        if reveal:
            services.do_reveal(plan, acting_user=acting_user)
    lap("dispatch")
    _backdate(plans, day)
    return {"plans": sum(1 for p in plans if p.kind == PlanKind.REGULAR),
            "joint_plans": sum(1 for p in plans if p.kind == PlanKind.JOINT),
            "tasks": Task.objects.filter(year=year, quarter=quarter).exclude(status=TaskStatus.WITHDRAWN).count()}


def _backdate(plans: list[Plan], day: date) -> None:
    """Put the ceremony's timestamps on the draw day, one step after the other (demo realism only)."""
    start = timezone.make_aware(datetime.combine(day, time(9, 0)))
    steps = {"frozen_at": 0, "committed_at": 10, "public_recorded_at": 20, "drawn_at": 30}
    ids = [plan.pk for plan in plans]
    if not ids:
        return
    Draw.objects.filter(plan_id__in=ids).update(**{field: start + timedelta(minutes=m) for field, m in steps.items()})
    Draw.objects.filter(plan_id__in=ids, dispatched_at__isnull=False).update(
        dispatched_at=start + timedelta(minutes=40))
    # changed_at: the public's last change, the dispatch or the reveal (as the services date it)
    Plan.objects.filter(pk__in=ids).update(created_at=start - timedelta(days=3),
                                           dispatched_at=start + timedelta(minutes=40),
                                           changed_at=start + timedelta(minutes=40))
    revealed = timezone.make_aware(datetime.combine(gather.quarter_end(plans[0].year, plans[0].quarter), time(17, 0)))
    Plan.objects.filter(pk__in=ids, revealed_at__isnull=False).update(revealed_at=revealed, changed_at=revealed)
    Task.objects.filter(selections__plan_id__in=ids).update(created_at=start + timedelta(minutes=30),
                                                            dispatched_at=start + timedelta(minutes=40))


def seed_planning(population: Population, *, progress: Progress = no_progress) -> dict[str, int]:
    """The planning step of ``seed_demo``: the three quarters before ``population.today``'s quarter drawn,
    dispatched and revealed; the current quarter drawn and dispatched in its window, but for the plans of
    ``LEFT_TO_PLAN``, which are left to make."""
    current = (population.today.year, quarter_of(population.today))
    quarters = []
    year, quarter = current
    for _step in range(3):
        year, quarter = previous_quarter(year, quarter)
        quarters.insert(0, (year, quarter))
    totals = {"plans": 0, "joint_plans": 0, "tasks": 0}
    for year, quarter in [*quarters, current]:
        past = (year, quarter) != current
        made = run_quarter(year, quarter, reveal=past, leave_out=() if past else (LEFT_TO_PLAN,), progress=progress)
        for key, value in made.items():
            totals[key] += value
    totals["planned_quarters"] = len(quarters)
    before = Task.objects.count()
    totals["clue_checks"] = seed_clue_checks(population.today)
    totals["cross_checks"] = seed_cross_checks(population.today)
    totals["tasks"] += Task.objects.count() - before
    return totals


CLUE_CHECK_COUNTY = "130608"
"""清苑区 (the demo ``county`` login, whose officer is the ``inspector`` login): a clue found this week about one of
its positive-list firms was approved and its 线索核查 drawn and dispatched the same day; a second approved clue
still waits on the workbench for its check."""


def _draw_with_dice_today(plan: Plan, admin, today: date, dice_seed: str) -> None:
    """A plan whose targets are given, through the whole ceremony in one sitting: frozen, committed, two witnesses'
    dice (from ``dice_seed``, so a demo day rolls the same), drawn and dispatched."""
    services.do_approve_and_freeze(plan, acting_user=admin, draw_date=today, today=today)
    services.do_commit_secret(plan, acting_user=admin)
    rng = random.Random(dice_seed)
    services.do_record_public_value(plan, source="dice", value=",".join(str(rng.randint(1, 6)) for _ in range(8)),
                                    witnesses=rng.sample(WITNESSES, 2), acting_user=admin)
    services.do_draw(plan, acting_user=admin, today=today)
    services.do_dispatch(plan, acting_user=admin)


def seed_clue_checks(today: date) -> int:
    """线索核查 in the demo (实施方案 二(三) "应立即开展现场检查"): two clues approved this week about positive-list
    firms of ``CLUE_CHECK_COUNTY`` — one taken through its check's whole ceremony with witness dice on the spot and
    dispatched, the other left for the demo user to open. Returns the checks made (0 when no county has two
    positive-list firms)."""
    from shuangsuiji.accounts.models import Role, User
    from shuangsuiji.intake.models import Clue, ClueSource, ClueStatus, PositiveListEntry

    # Found two days ago, decided yesterday; in a quarter's first days, no earlier than its first day (a check belongs
    # to the quarter it is opened in), found and decided that morning if need be.
    found_on = max(today - timedelta(days=2), gather.quarter_start(today.year, quarter_of(today)))
    decided_on = max(today - timedelta(days=1), found_on)
    by_county: dict[Jurisdiction, list[int]] = {}
    for entry in (PositiveListEntry.objects.filter(target__jurisdiction__level=Level.COUNTY, target__status="active",
                                                   start__lte=found_on, end__isnull=True)
                  .exclude(target__clues__isnull=False).select_related("target__jurisdiction").order_by("target_id")):
        by_county.setdefault(entry.target.jurisdiction, []).append(entry.target_id)
    # 清苑区 where it has two such firms (the smaller demo scales may have none there), else the first county that has
    chosen = sorted((j for j, ids in by_county.items() if len(ids) >= 2),
                    key=lambda j: (j.code != CLUE_CHECK_COUNTY, j.code))
    if not chosen:
        return 0
    county, firms = chosen[0], by_county[chosen[0]][:2]
    admin = (User.objects.filter(role=Role.COUNTY_ADMIN, jurisdiction=county).order_by("pk").first()
             or User.objects.filter(role=Role.CITY_ADMIN, jurisdiction__code__in=county.ancestor_codes())
             .order_by("pk").first())
    # found off site by an officer of the county (none in the smaller demos: then imported, nobody's): the admin who
    # decides a clue never reported it himself (intake.services.do_decide_clue)
    reporter = User.objects.filter(role=Role.INSPECTOR, jurisdiction=county).order_by("pk").first()
    decided = timezone.make_aware(datetime.combine(decided_on, time(9, 30) if decided_on < today else time(8, 0)))
    clues = Clue.objects.bulk_create(
        Clue(target_id=firm, source=ClueSource.OFF_SITE, found_on=found_on, description=text, reported_by=reporter,
             status=ClueStatus.APPROVED, decided_by=admin, decided_at=decided, decision_reason="同意立即开展现场检查")
        for firm, text in zip(firms, ("污染源在线监控显示夜间颗粒物浓度异常升高，疑似治理设施未正常运行",
                                      "分表计电数据显示治污设施用电量骤降，生产设施用电正常"), strict=True))
    plan = services.do_open_clue_check(clues[0], acting_user=admin, today=today)
    _draw_with_dice_today(plan, admin, today, f"clue-check:{today}")
    # the morning after the approval, one step after the other (demo realism only)
    start = timezone.make_aware(datetime.combine(today, time(8, 30)))
    Clue.objects.filter(pk__in=[c.pk for c in clues]).update(
        reported_at=timezone.make_aware(datetime.combine(found_on, time(7, 30))))
    Plan.objects.filter(pk=plan.pk).update(created_at=start, dispatched_at=start + timedelta(minutes=50),
                                           changed_at=start + timedelta(minutes=50))
    Draw.objects.filter(plan=plan).update(**{field: start + timedelta(minutes=m) for field, m in (
        ("frozen_at", 10), ("committed_at", 20), ("public_recorded_at", 30), ("drawn_at", 40))})
    Draw.objects.filter(plan=plan, dispatched_at__isnull=False).update(dispatched_at=start + timedelta(minutes=50))
    Task.objects.filter(selections__plan=plan).update(created_at=start + timedelta(minutes=40),
                                                      dispatched_at=start + timedelta(minutes=50))
    return 1


CROSS_INITIATOR = "保定市市场监督管理局"
CROSS_PARTICIPANTS = ("保定市应急管理局",)


def seed_cross_checks(today: date) -> int:
    """A 跨部门联合抽查 in the demo (实施方案 二(五); 国发〔2019〕5号): initiated by 保定市市场监督管理局, whose draw on
    the 部门协同监管平台 gave four firms of ``CLUE_CHECK_COUNTY`` (else of the first county that has them) not yet
    visited this quarter; the county's admin entered them, drew the teams with witness dice and dispatched the
    tasks today. Returns the checks made (0 when no county has four such firms)."""
    from shuangsuiji.accounts.models import Role, User
    from shuangsuiji.registry.models import Target

    year, quarter = today.year, quarter_of(today)
    busy = Task.objects.filter(year=year, quarter=quarter).values("target_id")
    free = (Target.objects.filter(jurisdiction__level=Level.COUNTY, status="active", positive_list=False)
            .exclude(pk__in=busy).select_related("jurisdiction").order_by("jurisdiction__code", "credit_code"))
    by_county: dict[Jurisdiction, list[Target]] = {}
    for target in free:
        by_county.setdefault(target.jurisdiction, []).append(target)
    chosen = sorted((j for j, targets in by_county.items() if len(targets) >= 4),
                    key=lambda j: (j.code != CLUE_CHECK_COUNTY, j.code))
    if not chosen:
        return 0
    county = chosen[0]
    # the platform's draw, not ours: any four will do, picked reproducibly for the day
    targets = random.Random(f"cross-check:{today}").sample(by_county[county], 4)
    admin = (User.objects.filter(role=Role.COUNTY_ADMIN, jurisdiction=county).order_by("pk").first()
             or User.objects.filter(role=Role.CITY_ADMIN, jurisdiction__code__in=county.ancestor_codes())
             .order_by("pk").first())
    plan = services.do_create_cross_check(
        jurisdiction=county, year=year, quarter=quarter, acting_user=admin,
        targets_text="\n".join(target.credit_code for target in targets), initiator=CROSS_INITIATOR,
        participants=CROSS_PARTICIPANTS, platform_ref=f"SCJG-{year}-{quarter}-0107",
        deadline=min(gather.quarter_end(year, quarter), today + timedelta(days=30)), today=today)
    _draw_with_dice_today(plan, admin, today, f"cross-check-dice:{today}")
    # entered when the platform's list arrived this morning, one step after the other (demo realism only)
    start = timezone.make_aware(datetime.combine(today, time(10, 0)))
    Plan.objects.filter(pk=plan.pk).update(created_at=start, dispatched_at=start + timedelta(minutes=50),
                                           changed_at=start + timedelta(minutes=50))
    Draw.objects.filter(plan=plan).update(**{field: start + timedelta(minutes=m) for field, m in (
        ("frozen_at", 10), ("committed_at", 20), ("public_recorded_at", 30), ("drawn_at", 40))})
    Draw.objects.filter(plan=plan, dispatched_at__isnull=False).update(dispatched_at=start + timedelta(minutes=50))
    Task.objects.filter(selections__plan=plan).update(created_at=start + timedelta(minutes=40),
                                                      dispatched_at=start + timedelta(minutes=50))
    return 1
