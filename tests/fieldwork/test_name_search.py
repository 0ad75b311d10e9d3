"""The staff's lists of a target's rows — tasks, records, follow-ups, penalties — searched by a piece of the
target's name or by its credit code (``shuangsuiji.registry.search.by_target``): each finds what ``icontains`` of
the name and the code's equality found, and only in the searcher's scope; on PostgreSQL the targets can come from
the indexes of their names (bench/README.md, "The staff's searches by firm name")."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from shuangsuiji.fieldwork.models import FollowUp, Handling, InspectionRecord
from shuangsuiji.intake.models import Penalty
from shuangsuiji.planning.models import MemberRole, Task
from shuangsuiji.registry.models import Target
from shuangsuiji.registry.search import by_target
from tests.namesearch import NAMES, PIECES, holding
from tests.queryplans import query_plan

from .conftest import code_for, make_task, submitted

pytestmark = pytest.mark.django_db

OTHER = "阜平县化工厂"
"""County B's target: the county admin of A must not find its rows, however he searches."""

LISTS = {"tasks": "planning:task_list", "records": "fieldwork:record_list", "follow-ups": "fieldwork:followup_list",
         "penalties": "intake:penalty_list"}


@pytest.fixture
def rows(tree, users, items, team) -> dict[str, Target]:
    """A target of each name in county A and OTHER in county B, each with a task, a submitted record with an open
    follow-up and a penalty; nothing but the target's name or code holds any of the typed pieces."""
    made = {}
    for serial, name in enumerate([*NAMES, OTHER], 1):
        county = tree["b"] if name == OTHER else tree["a"]
        target = Target.objects.create(credit_code=code_for(county.code, serial), name=name, jurisdiction=county,
                                       address="经济开发区创业路8号", legal_representative="赵大勇")
        task = make_task(target, items, [(team["first"], MemberRole.OFFICER), (team["second"], MemberRole.OFFICER)])
        submitted(task, users["inspector"], problem=Handling.ORDER)
        Penalty.objects.create(target=target, decision_number=f"罚决字{serial}号", decided_on=datetime.date(2026, 1, 5),
                               department=tree["departments"][county.code], violation="超标排放")
        made[name] = target
    return made


def found(user, listed: str, typed: str) -> set[str]:
    client = Client()
    client.force_login(user)
    response = client.get(reverse(LISTS[listed]), {"q": typed})
    assert response.status_code == 200
    return {row.target.name for row in response.context["page"].object_list}


@pytest.mark.parametrize("typed", PIECES)
def test_a_piece_of_the_name_finds_what_contains_finds(rows, users, typed):
    # letters in either case, % and _ as themselves, one character or many
    assert {listed: found(users["city_admin"], listed, typed) for listed in LISTS} == {
        listed: holding(typed, rows) for listed in LISTS}


@pytest.mark.parametrize("listed", LISTS)
def test_a_credit_code_finds_its_targets_rows_typed_in_either_case(rows, users, listed):
    code = rows["化学试剂厂"].credit_code
    assert found(users["city_admin"], listed, code.lower()) == {"化学试剂厂"}
    assert found(users["city_admin"], listed, f" {code} ") == {"化学试剂厂"}


@pytest.mark.parametrize("listed", LISTS)
def test_a_search_finds_nothing_of_another_county(rows, users, listed):
    # The piece and the code name targets of every county; the list's own scope must still hold.
    assert found(users["county_admin"], listed, "化工") == {"保定化工有限公司"}
    assert found(users["other_county_admin"], listed, "化工") == {OTHER}
    assert found(users["county_admin"], listed, rows[OTHER].credit_code) == set()
    assert found(users["other_county_admin"], listed, "化") == {OTHER}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the indexes are PostgreSQL's")
@pytest.mark.parametrize("model", [Task, InspectionRecord, FollowUp, Penalty])
@pytest.mark.parametrize(("typed", "index"), [("化工", "registry_target_name_chars"),
                                              ("化", "registry_target_name_chars"),
                                              ("化学试剂", "registry_target_name_trgm")])
def test_postgresql_finds_the_targets_by_the_index_of_their_names(rows, model, typed, index):
    # The condition's expressions must be the indexes' (the characters', the trigrams', the code's), or no plan can
    # find a rare piece's targets through them; with these few rows the planner must be told not to read the
    # tables whole (over a national registry it chooses the index for a rare piece, the scope for a common one).
    rows_found = model.objects.filter(by_target(typed)).values("pk")
    plan = query_plan(rows_found, forbid=("seqscan", "indexscan", "indexonlyscan"))
    assert index in plan and "registry_target_credit_code" in plan, plan


@pytest.mark.parametrize("listed", LISTS)
def test_each_word_typed_narrows_the_list(rows, users, listed):
    # "清苑 废气": every word must match (AND), in any order, each against the same fields as one word alone.
    assert found(users["city_admin"], listed, "化工 保定") == {"保定化工有限公司"}  # not one piece "化工 保定"
    assert found(users["city_admin"], listed, "化　公司") == {"保定化工有限公司"}  # a full-width space splits too
    assert found(users["city_admin"], listed, "热力 化学") == set()  # each word names another target: neither
    code = rows["化学试剂厂"].credit_code
    assert found(users["city_admin"], listed, f"{code.lower()} 试剂") == {"化学试剂厂"}  # the code still exact
    assert found(users["city_admin"], listed, f"{code} 热力") == set()
    assert found(users["county_admin"], listed, "化 化工") == {"保定化工有限公司"}  # and the scope still holds


def test_a_word_of_the_record_s_own_fields_narrows_with_one_of_the_name(rows, users):
    penalty = Penalty.objects.get(target=rows["保定化工有限公司"])
    assert found(users["city_admin"], "penalties", f"{penalty.decision_number} 化工") == {"保定化工有限公司"}
    assert found(users["city_admin"], "penalties", f"{penalty.decision_number} 热力") == set()
    record = InspectionRecord.objects.get(task__target=rows["涞水县热力公司"])
    assert found(users["city_admin"], "records", f"{record.number} 热力") == {"涞水县热力公司"}
    assert found(users["city_admin"], "records", f"{record.number} 化工") == set()
