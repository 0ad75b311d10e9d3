"""The demo's 线索核查 on any day of a quarter: on its first day too, one clue's check is drawn and dispatched and
another clue waits for its check, each found, decided and checked in that order within the quarter."""

from datetime import date

import pytest
from django.utils import timezone

from shuangsuiji.intake.models import Clue, ClueStatus
from shuangsuiji.planning.models import Plan, PlanKind, PlanStatus

from ..seeding import seed_demo_command, seed_tiny_demo


# The clue checks are the planning step's; the first day of a quarter (a holiday too) runs the whole command, so
# the later steps are tried on it as well, the other days only as far as the draws (the suite's time).
@pytest.mark.parametrize("today, through", [(date(2021, 10, 1), None), (date(2021, 10, 2), "planning"),
                                            (date(2021, 11, 17), "planning")])
def test_the_demo_has_a_dispatched_check_and_a_waiting_clue_from_the_first_days_of_a_quarter(db, today, through):
    if through is None:
        seed_demo_command(scale="tiny", today=today)
    else:
        seed_tiny_demo(today, through=through)
    [plan] = Plan.objects.filter(kind=PlanKind.CLUE).select_related("clue")
    assert plan.status == PlanStatus.DISPATCHED and (plan.year, plan.quarter) == (2021, 4)
    waiting = Clue.objects.filter(status=ClueStatus.APPROVED, check_plan__isnull=True, found_on__gte=date(2021, 10, 1))
    assert waiting.count() == 1
    for clue in (plan.clue, waiting.get()):
        assert date(2021, 10, 1) <= clue.found_on <= today
        assert clue.reported_at <= clue.decided_at <= plan.created_at
        assert clue.reported_by_id != clue.decided_by_id  # nobody decides a clue he reported himself
        assert timezone.localdate(clue.decided_at) <= today
