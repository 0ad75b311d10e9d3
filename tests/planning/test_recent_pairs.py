"""The pairs a draw avoids repeating (DESIGN §4: "no pair repeated from the last two quarters where avoidable";
``gather.recent_pairs``, frozen with the plan's inputs) are those of teams that were told: a draw not dispatched
yet made no team — it may still be re-drawn, and nothing of it is told before its dispatch."""

import datetime

import pytest

from shuangsuiji.planning import gather, services
from shuangsuiji.planning.models import TaskMember

from .conftest import ceremony
from .test_services import county_plan

pytestmark = pytest.mark.django_db

NEXT_DRAW_DAY = datetime.date(2021, 6, 28)
"""Inside the draw window of 2021 Q3 (the last five working days of Q2)."""


def team_pairs(members) -> set[tuple[str, str]]:
    """The pairs of these places' teams (certificate numbers in order), each visit's places one team."""
    teams: dict[int, set[str]] = {}
    for task_id, number in members.values_list("task_id", "inspector__certificate_number"):
        teams.setdefault(task_id, set()).add(number)
    return {(a, b) for team in teams.values() for a in sorted(team) for b in sorted(team) if a < b}


def team_pairs_of(plan) -> set[tuple[str, str]]:
    """The pairs of the plan's teams as held now (each visit's active places)."""
    return team_pairs(TaskMember.objects.filter(draw__plan=plan, active=True))


def frozen_pairs(city) -> set[tuple[str, str]]:
    """The recent pairs frozen with county A's plan of the next quarter (2021 Q3)."""
    plan = services.do_create_plan(jurisdiction=city["tree"]["a"], year=2021, quarter=3,
                                   acting_user=city["users"]["county_admin"])
    draw = services.do_approve_and_freeze(plan, acting_user=None, draw_date=NEXT_DRAW_DAY, today=NEXT_DRAW_DAY)
    return {tuple(pair) for pair in draw.inputs["assignment"]["recent_pairs"]}


def test_a_plan_drawn_and_not_dispatched_makes_no_pair_recent_until_it_is(city):
    plan = county_plan(city)
    ceremony(plan)
    assert team_pairs_of(plan)  # the draw put officers together: drawn, not told
    assert gather.recent_pairs(city["tree"]["a"], 2021, 3) == []
    services.do_dispatch(plan, acting_user=None)
    pairs = team_pairs_of(plan)
    assert set(gather.recent_pairs(city["tree"]["a"], 2021, 3)) == pairs
    assert frozen_pairs(city) == pairs


def test_the_next_quarters_frozen_inputs_hold_no_pair_of_a_draw_not_dispatched(city):
    ceremony(county_plan(city))
    assert frozen_pairs(city) == set()


def test_a_merged_visit_pairs_only_the_told_places_until_the_other_plan_is_dispatched(city, merged):
    """The city's draw of a visit the county sent out: its officers teamed up with nobody until the city dispatches."""
    city_plan = merged["city_plan"]
    assert team_pairs_of(city_plan)
    assert gather.recent_pairs(city["tree"]["city"], 2021, 3) == []
    services.do_dispatch(city_plan, acting_user=None)
    assert set(gather.recent_pairs(city["tree"]["city"], 2021, 3)) == team_pairs_of(city_plan)
