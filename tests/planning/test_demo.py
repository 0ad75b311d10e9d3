"""The demo step of planning: the past three quarters drawn, dispatched and revealed; today's drawn and
dispatched in its window but for one county's plans, left to make."""

from datetime import date

import pytest
from django.utils import timezone

from shuangsuiji.demo.generator import generate
from shuangsuiji.engine import manifest
from shuangsuiji.intake.models import Clue, ClueStatus
from shuangsuiji.planning import demo
from shuangsuiji.planning.models import GIVEN_TARGET_KINDS, Draw, Plan, PlanKind, PlanStatus, Task
from shuangsuiji.registry.models import Jurisdiction, Level

from .conftest import seed_without_plans

pytestmark = pytest.mark.django_db
TODAY = date(2021, 12, 20)


def test_seed_planning_draws_a_past_year_and_the_current_quarter_but_one_county(db):
    population = generate("tiny", today=TODAY)
    seed_without_plans(population)
    counts = demo.seed_planning(population)
    assert counts["planned_quarters"] == 3
    assert {(p.year, p.quarter) for p in Plan.objects.all()} == {(2021, 1), (2021, 2), (2021, 3), (2021, 4)}
    past = Plan.objects.exclude(quarter=4)
    assert past.filter(kind=PlanKind.REGULAR).count() == 3 * 23
    assert counts["tasks"] == Task.objects.count()
    assert set(Plan.objects.values_list("status", flat=True)) == {PlanStatus.DISPATCHED}
    # Past quarters are revealed; the current one is not over, so its secrets stay sealed.
    assert not past.filter(revealed_at__isnull=True).exists()
    current = Plan.objects.filter(year=2021, quarter=4)
    assert not current.filter(revealed_at__isnull=False).exists()
    # What the open data says of each plan's last change is the demo's own history, not the moment it was seeded
    for plan in Plan.objects.all():
        assert plan.changed_at == (plan.revealed_at or plan.dispatched_at), plan
    # Every jurisdiction has its plan of the current quarter but the county left for a demo user to plan.
    assert set(current.filter(kind=PlanKind.REGULAR).values_list("jurisdiction__code", flat=True)) == set(
        Jurisdiction.objects.exclude(code=demo.LEFT_TO_PLAN).exclude(level=Level.PROVINCE)
        .values_list("code", flat=True))
    assert not current.filter(jurisdiction__code=demo.LEFT_TO_PLAN).exists()
    assert counts["plans"] == Plan.objects.filter(kind=PlanKind.REGULAR).count() == 3 * 23 + 22
    # One 线索核查 of 清苑区 drawn the day after its clue's approval, outside any window (it has none), dispatched;
    # a second approved clue waits for its check.
    check = Plan.objects.get(kind=PlanKind.CLUE)
    assert counts["clue_checks"] == 1 and check.jurisdiction.level == Level.COUNTY
    assert (check.year, check.quarter, check.status) == (2021, 4, PlanStatus.DISPATCHED)
    assert timezone.localtime(check.current_draw.drawn_at).date() == TODAY
    assert manifest.verify(check.current_draw.manifest) == []
    assert Task.objects.filter(is_clue_check=True, selections__plan=check).count() == 1
    assert check.clue.target.clues.count() == 1
    assert Clue.objects.filter(status=ClueStatus.APPROVED, check_plan__isnull=True, found_on=date(2021, 12, 18)
                               ).count() == 1
    # One 跨部门联合抽查 initiated by 保定市市场监督管理局: four firms of one county, drawn today and dispatched.
    cross = Plan.objects.get(kind=PlanKind.CROSS)
    assert counts["cross_checks"] == 1 and cross.jurisdiction.level == Level.COUNTY
    assert (cross.year, cross.quarter, cross.status) == (2021, 4, PlanStatus.DISPATCHED)
    assert (cross.cross.initiator, cross.cross.participants) == ("保定市市场监督管理局", ["保定市市场监督管理局",
                                                                                       "保定市应急管理局"])
    assert cross.current_draw.witnesses and timezone.localtime(cross.current_draw.drawn_at).date() == TODAY
    assert manifest.verify(cross.current_draw.manifest) == []
    tasks = Task.objects.filter(selections__plan=cross)
    assert tasks.count() == 4 and not tasks.filter(is_cross_department=False).exists()
    assert {t.target.jurisdiction for t in tasks} == {cross.jurisdiction}
    assert set(tasks.values_list("deadline", flat=True)) == {date(2021, 12, 31)}
    for draw in Draw.objects.select_related("plan").exclude(plan__kind__in=GIVEN_TARGET_KINDS):
        window = demo.draw_day(draw.plan.year, draw.plan.quarter)
        assert timezone.localtime(draw.drawn_at).date() == window and draw.window_warning == ""
        assert manifest.verify(draw.manifest) == []
