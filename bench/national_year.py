"""A national year of work, written in bulk for ``staff_bench.py --national-year N`` (not a script of its own).

A year through the planning services (freeze, commit, draw, dispatch for each of the country's 2,979
jurisdictions, four times) takes hours, so the plans, draws, tasks and teams are **synthesized** here, one city
(and its counties) at a time, for the 2026 quarters up to the bench's base date; the field records, reviews,
amendments and follow-ups are then written by the demo's own builder (``fieldwork.demo.seed_fieldwork``, bulk
writes: records sealed by ``fieldwork.sealing``, signed, reviewed, followed up), and the months' results
published in bulk from the reviewed records with disclosure's own row builder (``disclosure.services``).

What differs from rows the services make:

- **Plans**: one regular plan per jurisdiction (the city's, each county's) and quarter, no joint plan (internal
  joint inspections are left out); status and timestamps as ``planning.demo.run_quarter`` leaves them
  (dispatched on the first day of the draw window, the past quarters revealed), policy from
  ``intake.services.policy_for``, items and strata texts copied from Baoding's plan of the same level and
  quarter (made by the services), populations and minimums counted from the registry by category.
- **Draws**: one drawn draw a plan, with well-formed but random hashes, secret, commitment and dice, and no
  frozen inputs or manifest beyond the draw date: such a draw does not verify, and the plan's page shows no
  manifest to download. Nothing on the staff's lists reads them.
- **Tasks**: a county draws half of its key and special-supervision units and enough general units for 15 %
  of its active targets a quarter, the city one key unit in ten of its area (a target drawn by both is one
  merged task counting for both plans, as the services do); the share is the country's ~665,000 random
  inspections a year over the demo's 1,000,000 targets. Selection is by ``random``, not by Rivest tickets (the
  tickets are random decimals); categories are the registry's, not the quarter's classification.
- **Teams**: two of the jurisdiction's active certified officers per task, at random (no specialty, recusal
  or load rules).
- **Published results**: one released batch per county and month whose deadline has passed, released on its
  deadline, prepared and reviewed by the city's admin, without audit events; no annual lists, redaction rules
  or corrections.
"""

import hashlib
import random
import secrets
import time
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from datetime import time as clock
from types import SimpleNamespace

from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.utils import timezone

YEAR = 2026
COUNTY_SHARE = 0.15
"""Share of a county's active targets drawn each quarter: with the city's key units, ~665,000 tasks a year
over the national demo's 1,000,000 targets."""
KEY_SHARE, SPECIAL_SHARE, CITY_KEY_SHARE = 0.5, 0.5, 0.1
BATCH_TARGETS = 40_000
"""Cities are written in batches of about this many targets: the fieldwork builder holds a batch's visits."""


def cities_in_turn(limit: int | None, skip: str) -> list:
    """The country's cities, one of each province in turn (so any share covers every province), but ``skip``."""
    from shuangsuiji.registry.models import Jurisdiction, Level

    by_province = defaultdict(list)
    for city in Jurisdiction.objects.filter(level=Level.CITY).exclude(code=skip).order_by("code"):
        by_province[city.parent_id].append(city)
    queues = list(by_province.values())
    ordered = []
    while any(queues):
        for queue in queues:
            if queue:
                ordered.append(queue.pop(0))
    return ordered[:limit] if limit is not None else ordered


class Planner:
    """Plans, draws, tasks and teams of one city's year, in bulk."""

    def __init__(self, today: date, template_city: str) -> None:
        from shuangsuiji.accounts.models import Role, User
        from shuangsuiji.intake.services import policy_for
        from shuangsuiji.planning.models import Plan, PlanKind

        self.today = today
        self.rng = random.Random(f"national-year:{today.isoformat()}")
        self.quarters = [q for q in (1, 2, 3, 4) if self._draw_day(q) < today]
        self.policies = {q: policy_for(YEAR, q) for q in self.quarters}
        self.templates = {}
        for plan in (Plan.objects.filter(jurisdiction__path__contains=f"{template_city}.", year=YEAR,
                                         kind=PlanKind.REGULAR).prefetch_related("strata", "check_items")
                     .order_by("pk")):
            self.templates.setdefault((plan.level, plan.quarter), plan)
        self.user = User.objects.filter(role=Role.CITY_ADMIN, is_superuser=False).order_by("pk").first()
        self.counts: Counter = Counter()

    @staticmethod
    def _draw_day(quarter: int) -> date:
        from shuangsuiji.planning.demo import draw_day

        return draw_day(YEAR, quarter)

    def city(self, city) -> None:
        from shuangsuiji.planning.demo import _backdate, jurisdictions_of
        from shuangsuiji.registry.models import Inspector, InspectorStatus, Target, TargetStatus

        scopes = jurisdictions_of(city)
        targets = defaultdict(list)
        for target in Target.objects.filter(jurisdiction__in=scopes, status=TargetStatus.ACTIVE).only(
                "pk", "jurisdiction_id", "category"):
            targets[target.jurisdiction_id].append(target)
        officers = defaultdict(list)
        for pk, jurisdiction_id in (Inspector.objects.filter(jurisdiction__in=scopes, status=InspectorStatus.ACTIVE,
                                                             is_external=False, is_double_random=True)
                                    .values_list("pk", "jurisdiction_id")):
            officers[jurisdiction_id].append(pk)
        for quarter in self.quarters:
            plans = self.quarter(city, scopes, quarter, targets, officers)
            _backdate(plans, self._draw_day(quarter))

    def quarter(self, city, scopes, quarter: int, targets, officers) -> list:
        from shuangsuiji.planning import gather
        from shuangsuiji.planning.models import (
            Draw,
            DrawStatus,
            Plan,
            PlanLevel,
            PlanStatus,
            PlanStratum,
            Task,
            TaskMember,
            TaskPlan,
            TaskStatus,
        )
        from shuangsuiji.registry.models import Category

        policy, rng, day = self.policies[quarter], self.rng, self._draw_day(quarter)
        deadline = gather.quarter_end(YEAR, quarter)
        picks = {}  # jurisdiction → [(stratum, targets)]
        everyone = [t for j in scopes for t in targets[j.pk]]
        for j in scopes:
            own = everyone if j.level == "city" else targets[j.pk]
            by_category = defaultdict(list)
            for target in own:
                by_category[target.category].append(target)
            if j.level == "city":
                shares = {Category.KEY: CITY_KEY_SHARE}
            else:
                rest = max(0.0, COUNTY_SHARE * len(own) - KEY_SHARE * len(by_category[Category.KEY])
                           - SPECIAL_SHARE * len(by_category[Category.SPECIAL]))
                shares = {Category.KEY: KEY_SHARE, Category.SPECIAL: SPECIAL_SHARE,
                          Category.GENERAL: rest / max(1, len(by_category[Category.GENERAL]))}
            picks[j.pk] = [(category, by_category[category], rng.sample(
                by_category[category], min(len(by_category[category]), -(-int(share * 1000) * len(
                    by_category[category]) // 1000))))
                for category, share in shares.items()]
        plans = Plan.objects.bulk_create([Plan(
            jurisdiction=j, level=PlanLevel.CITY if j.level == "city" else PlanLevel.COUNTY, year=YEAR,
            quarter=quarter, status=PlanStatus.DISPATCHED, policy_id=policy.id, policy_version=policy.version,
            policy_fingerprint=policy.fingerprint, policy_title=policy.title,
            inspectors_counted=len(officers[j.pk]), created_by=self.user, dispatched_by=self.user,
            dispatched_at=timezone.now(), revealed_at=timezone.now() if quarter < 4 else None,
            revealed_by=self.user if quarter < 4 else None) for j in scopes])
        for plan in plans:
            plan.template = self.templates.get((plan.level, quarter))
            if plan.template is not None:
                plan.check_items.set(plan.template.check_items.all())
        PlanStratum.objects.bulk_create([
            PlanStratum(plan=plan, stratum=category, population=len(population), minimum=len(chosen),
                        requested=len(chosen), explanation=texts.get(category, ("", ""))[0],
                        citation=texts.get(category, ("", ""))[1])
            for plan in plans
            for texts in [{s.stratum: (s.explanation, s.citation) for s in plan.template.strata.all()}
                          if plan.template else {}]
            for category, population, chosen in picks[plan.jurisdiction_id]])
        draws = []
        for plan in plans:
            secret = secrets.token_hex(32)
            dice = ",".join(str(rng.randint(1, 6)) for _ in range(8))
            draws.append(Draw(
                plan=plan, number=1, status=DrawStatus.DRAWN, inputs={"assignment": {"draw_date": day.isoformat()}},
                inputs_hash=secrets.token_hex(32), frozen_by=self.user, secret=secret,
                commitment=hashlib.sha256(secret.encode()).hexdigest(), committed_by=self.user,
                public_source="dice", public_value=dice, witnesses=["王建国", "刘淑芬"], public_recorded_by=self.user,
                seed=secrets.token_hex(32), drawn_by=self.user))
        Draw.objects.bulk_create(draws)
        tasks: dict[int, Task] = {}
        links, members = [], []
        # Counties first, then the city: a key unit the city draws too is one merged task counting for both.
        for plan, draw in sorted(zip(plans, draws, strict=True), key=lambda pair: pair[0].level == PlanLevel.CITY):
            fresh = []
            for category, _population, chosen in picks[plan.jurisdiction_id]:
                for rank, target in enumerate(chosen, start=1):
                    if target.pk not in tasks:
                        tasks[target.pk] = Task(year=YEAR, quarter=quarter, target=target, deadline=deadline,
                                                status=TaskStatus.DISPATCHED, category=target.category)
                        fresh.append(tasks[target.pk])
                    links.append((tasks[target.pk], plan, draw, category, rank))
            Task.objects.bulk_create(fresh)
            pool = officers[plan.jurisdiction_id] or officers[city.pk]
            for task, *_rest in [link for link in links if link[1] is plan]:
                for slot, inspector_id in enumerate(rng.sample(pool, min(2, len(pool)))):
                    members.append(TaskMember(task=task, draw=draw, inspector_id=inspector_id, role="officer",
                                              slot=slot, slot_kind="officer"))
        TaskPlan.objects.bulk_create([TaskPlan(task=task, plan=plan, draw=draw, stratum=category, rank=rank,
                                               ticket=f"{rng.random():.18f}") for task, plan, draw, category, rank
                                      in links])
        TaskMember.objects.bulk_create(members, batch_size=5000)
        self.counts["plans"] += len(plans)
        self.counts["tasks"] += len(tasks)
        self.counts["task_members"] += len(members)
        return plans


def publish(cities, today: date, user) -> Counter:
    """Each county's months of reviewed results, one released batch a month whose deadline has passed."""
    from shuangsuiji.disclosure import services
    from shuangsuiji.disclosure.models import Publication, PublicationKind, PublicationStatus, PublishedResult
    from shuangsuiji.fieldwork.models import InspectionRecord
    from shuangsuiji.planning.models import TaskPlan
    from shuangsuiji.registry.models import Jurisdiction

    counts: Counter = Counter()
    rules = services.active_rules()
    start, _end = services.month_bounds(YEAR, 1)
    # What ``services.publishable_records`` reads for one county and month, for the cities' whole year at once.
    records = (InspectionRecord.objects.publishable()
               .filter(target__jurisdiction__parent__in=cities, task__isnull=False, ended_at__gte=start)
               .select_related("target__jurisdiction", "task", "amends")
               .prefetch_related("signatures", "items__follow_up__penalty", "redaction_cases",
                                 Prefetch("task__selections", queryset=TaskPlan.objects.select_related(
                                     "plan__jurisdiction", "plan__department")))
               .order_by("ended_at", "id"))
    months = defaultdict(list)
    for record in records.iterator(chunk_size=2000):
        ended = timezone.localdate(record.ended_at)
        months[(record.target.jurisdiction_id, ended.month)].append(record)
    counties = Jurisdiction.objects.in_bulk({county for county, _month in months})
    for (county, month), found in sorted(months.items()):
        deadline, citation = services.results_deadline(YEAR, month)
        if deadline >= today:
            continue
        released = timezone.make_aware(datetime.combine(deadline, clock(16, 0)))
        with transaction.atomic():
            batch = Publication.objects.create(
                jurisdiction=counties[county], kind=PublicationKind.RESULTS, year=YEAR, month=month,
                status=PublicationStatus.RELEASED, deadline=deadline, deadline_citation=citation,
                prepared_at=released - timedelta(days=2), prepared_by=user, reviewed_at=released - timedelta(days=1),
                reviewed_by=user, released_at=released, released_by=user)
            rows = PublishedResult.objects.bulk_create([services._store_result(batch, r, rules) for r in found])
            Publication.objects.filter(pk=batch.pk).update(
                row_count=len(rows), withheld_count=sum(1 for r in rows if r.withheld_basis))
        counts["publications"] += 1
        counts["published_results"] += len(rows)
    return counts


def add_national_year(limit: int | None, today: date, skip: str) -> dict:
    """Plans, tasks, teams, records and publications of ``limit`` cities (all but ``skip`` when None), written
    a batch of cities at a time; returns the counts and the seconds of each step."""
    from shuangsuiji.fieldwork.demo import seed_fieldwork
    from shuangsuiji.planning.models import Task
    from shuangsuiji.registry.models import Target

    planner = Planner(today, skip)
    cities = cities_in_turn(limit, skip)
    sizes = dict(Target.objects.filter(jurisdiction__parent__in=cities).values("jurisdiction__parent")
                 .annotate(n=Count("id"))
                 .values_list("jurisdiction__parent", "n"))
    batches, batch, size = [], [], 0
    for city in cities:
        batch.append(city)
        size += sizes.get(city.pk, 0)
        if size >= BATCH_TARGETS:
            batches.append(batch)
            batch, size = [], 0
    if batch:
        batches.append(batch)
    counts: Counter = Counter()
    seconds: Counter = Counter()
    for n, batch in enumerate(batches, start=1):
        started = time.perf_counter()
        with transaction.atomic():
            for city in batch:
                planner.city(city)
        seconds["plans_and_tasks"] += time.perf_counter() - started
        started = time.perf_counter()
        paths = [city.path for city in batch]
        scope = Task.objects.filter(year=YEAR).filter(
            Q(*[Q(target__jurisdiction__path__startswith=path) for path in paths], _connector=Q.OR))
        made = seed_fieldwork(SimpleNamespace(seed=f"2021:{n}", today=today), tasks=scope)
        made.pop("problem_share_percent", None)
        counts.update(made)
        seconds["fieldwork"] += time.perf_counter() - started
        started = time.perf_counter()
        counts.update(publish(batch, today, planner.user))
        seconds["publications"] += time.perf_counter() - started
        print(f"national year: batch {n}/{len(batches)} ({len(batch)} cities) written; "
              f"{dict(planner.counts)} {dict(counts)} {dict((k, round(v)) for k, v in seconds.items())}",
              flush=True)
    counts.update(planner.counts)
    counts["cities"] = len(cities)
    return {"counts": dict(counts), "seconds": {k: round(v, 1) for k, v in seconds.items()}}
