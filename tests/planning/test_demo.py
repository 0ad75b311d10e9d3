"""The demo step of planning: the past three quarters drawn, dispatched and revealed; today's left to plan."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from shuangsuiji.demo.generator import generate
from shuangsuiji.engine import manifest
from shuangsuiji.planning import demo
from shuangsuiji.planning.models import Draw, Plan, PlanKind, PlanStatus, Task

pytestmark = pytest.mark.django_db
TODAY = date(2021, 12, 20)


def test_seed_planning_leaves_a_past_year_of_draws_and_the_current_quarter_to_plan(db):
    call_command("seed_demo", scale="tiny", today=TODAY, stdout=StringIO(), stderr=StringIO())
    counts = demo.seed_planning(generate("tiny", today=TODAY))
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
