"""The demo step of planning: the past three quarters drawn, dispatched and revealed; today's left to plan."""

from datetime import date

import pytest
from django.utils import timezone

from shuangsuiji.demo.generator import generate
from shuangsuiji.engine import manifest
from shuangsuiji.planning import demo
from shuangsuiji.planning.models import Draw, Plan, PlanKind, PlanStatus, Task

from .conftest import seed_without_plans

pytestmark = pytest.mark.django_db
TODAY = date(2021, 12, 20)


def test_seed_planning_leaves_a_past_year_of_draws_and_the_current_quarter_to_plan(db):
    population = generate("tiny", today=TODAY)
    seed_without_plans(population)
    counts = demo.seed_planning(population)
    assert counts["planned_quarters"] == 3
    assert {(p.year, p.quarter) for p in Plan.objects.all()} == {(2021, 1), (2021, 2), (2021, 3)}
    assert counts["plans"] == Plan.objects.filter(kind=PlanKind.REGULAR).count() == 3 * 23
    assert counts["tasks"] == Task.objects.count()
    assert set(Plan.objects.values_list("status", flat=True)) == {PlanStatus.DISPATCHED}
    assert not Plan.objects.filter(revealed_at__isnull=True).exists()
    for draw in Draw.objects.select_related("plan"):
        window = demo.draw_day(draw.plan.year, draw.plan.quarter)
        assert timezone.localtime(draw.drawn_at).date() == window and draw.window_warning == ""
        assert manifest.verify(draw.manifest) == []
