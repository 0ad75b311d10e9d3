"""The key units' half-year coverage across the turn of the year: a visit counts in the half-year it was made,
whatever quarter's plan it belonged to."""

import pytest
from django.utils import timezone

from shuangsuiji.fieldwork.models import InspectionRecord, Mode
from shuangsuiji.planning import gather, services
from shuangsuiji.planning.models import Draw, DrawStatus, Plan, PlanLevel, PlanStatus, Task, TaskPlan, TaskStatus

from .conftest import D

pytestmark = pytest.mark.django_db


def _dispatched_plan(county, year: int, quarter: int) -> tuple[Plan, Draw]:
    """A county's regular plan of (year, quarter), drawn and dispatched, as its tasks' planning sees it."""
    plan = Plan.objects.create(jurisdiction=county, level=PlanLevel.COUNTY, year=year, quarter=quarter,
                               kind="regular", policy_id="baoding-2021", policy_version=1, policy_fingerprint="0" * 64,
                               policy_title="保定市2021", inspectors_counted=6, status=PlanStatus.DISPATCHED)
    return plan, Draw.objects.create(plan=plan, number=1, status=DrawStatus.DRAWN)


def _december_task(plan: Plan, draw: Draw, target, inspected_on=None) -> Task:
    task = Task.objects.create(year=2026, quarter=4, target=target, status=TaskStatus.DISPATCHED,
                               category=target.category, deadline=D(2026, 12, 31), inspected_on=inspected_on)
    TaskPlan.objects.create(task=task, plan=plan, draw=draw, stratum=target.category,
                            rank=TaskPlan.objects.filter(draw=draw).count() + 1)
    return task


def test_last_decembers_task_visited_in_january_covers_the_first_half_of_the_new_year(city):
    """A fourth-quarter task of 2026 visited late, on 5 January 2027, is an inspection of 2027's first half: the
    second quarter of 2027 must not take that key unit again as never inspected this half-year. Before, only
    2027's own tasks were read, so the January visit did not count."""
    county = city["tree"]["a"]
    plan, draw = _dispatched_plan(county, 2026, 4)
    key = [city["targets"][f"{county.code}-key-{n}"] for n in range(4)]
    _december_task(plan, draw, key[0], inspected_on=D(2027, 1, 5))  # late, in the new year
    _december_task(plan, draw, key[1], inspected_on=D(2026, 12, 20))  # in time, last year's second half
    _december_task(plan, draw, key[2])  # not visited yet

    visits = gather.last_on_site(gather.scope_targets(county), 2027)
    assert visits == {key[0].pk: D(2027, 1, 5)}

    second = services.do_create_plan(jurisdiction=county, year=2027, quarter=2,
                                     acting_user=city["users"]["county_admin"])
    row = second.strata.get(stratum="key")
    # 50% of 4 key units is 2, but the second quarter closes the half-year: the three not visited in 2027 must.
    assert (row.population, row.must_include) == (4, 3)
    assert "尚未现场检查的 3 家全部必查" in row.explanation


def test_a_task_checked_off_site_only_does_not_cover_the_half_year(city):
    """The policy reads the half-year's 巡查 as an on-site inspection (key_half_year_coverage's interpretation;
    fieldwork dates a task's inspected_on only for an on-site record). A first-quarter task whose record was
    submitted off site therefore leaves its key unit must-include in the second quarter. Before, a task without
    an on-site date counted as visited on its quarter's first day whether or not its record was in, so an
    off-site check covered the half-year."""
    county = city["tree"]["a"]
    plan, draw = _dispatched_plan(county, 2027, 1)
    key = [city["targets"][f"{county.code}-key-{n}"] for n in range(4)]
    tasks = []
    for target in key[:3]:
        task = Task.objects.create(year=2027, quarter=1, target=target, status=TaskStatus.DISPATCHED,
                                   category="key", deadline=D(2027, 3, 31))
        TaskPlan.objects.create(task=task, plan=plan, draw=draw, stratum="key",
                                rank=TaskPlan.objects.filter(draw=draw).count() + 1)
        tasks.append(task)
    Task.objects.filter(pk=tasks[0].pk).update(inspected_on=D(2027, 2, 10))  # visited on site
    InspectionRecord.objects.create(number="JL2027-000001", task=tasks[1], target=key[1], mode=Mode.OFF_SITE,
                                    sealed_at=timezone.now(), seal_hash="0" * 64)  # checked off site only
    # tasks[2]: not visited yet, counts from its quarter's first day until fieldwork records it

    visits = gather.last_on_site(gather.scope_targets(county), 2027)
    assert visits == {key[0].pk: D(2027, 2, 10), key[2].pk: D(2027, 1, 1)}

    second = services.do_create_plan(jurisdiction=county, year=2027, quarter=2,
                                     acting_user=city["users"]["county_admin"])
    row = second.strata.get(stratum="key")
    assert (row.population, row.must_include) == (4, 2)  # key-1 (off site) and key-3 (never drawn)
