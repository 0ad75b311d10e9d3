# ruff: noqa: F811 (fixtures of the fieldwork tests, imported by name, are parameters here)
"""Every staff list narrowed to a place outside the reader's area is refused in words, listing nothing.

``?jurisdiction=`` naming a county not his was ignored by the record, re-check, plan, task and intake lists: they
then held his whole area under a filter that seemed to hold. They now resolve it through ``registry/places.py`` as the
follow-up list does (tests/fieldwork/test_followup_list_place.py): the place named, nothing listed, 404; a value
naming no place said so; a place of his area still narrows."""

from datetime import date as D
from decimal import Decimal

import pytest
from django.urls import reverse

from shuangsuiji.fieldwork.models import Recheck
from shuangsuiji.intake.models import Complaint, Penalty
from shuangsuiji.planning.models import Plan, Task
from tests.accounts.test_workbench import a_task
from tests.fieldwork.conftest import items, ordered_record, recheck_of, team  # noqa: F401 (fixtures, by name)

pytestmark = pytest.mark.django_db

# list → (url name, the place of a listed row, its words for a place outside the area)
LISTS = {
    "records": ("fieldwork:record_list", lambda row: row.target.jurisdiction.name, "不能列出它的记录"),
    "rechecks": ("fieldwork:recheck_list", lambda row: row.target.jurisdiction.name, "不能列出它的复查任务"),
    "plans": ("planning:plan_list", lambda row: row.jurisdiction.name, "不能列出它的计划"),
    "tasks": ("planning:task_list", lambda row: row.target.jurisdiction.name, "不能列出它的任务"),
    # the intake lists (外部数据) say it in the neutral words
    "penalties": ("intake:penalty_list", lambda row: row.target.jurisdiction.name, ""),
    "complaints": ("intake:complaint_list", lambda row: row.target.jurisdiction.name, ""),
}


@pytest.fixture
def work(tree, items, team, users) -> None:
    """A task of county A and one of county B (with their county plans), each with a submitted record, and a
    re-check of each county's firm."""
    members = [team["first"], team["second"]]
    for key in ("a", "b"):
        task = a_task(tree[key], members, name=f"{key}县厂", items=items)
        recheck_of(ordered_record(task, users["inspector"]))  # its record, submitted, orders a re-check
        Penalty.objects.create(target=task.target, decision_number=f"{key}环罚〔2021〕1号", decided_on=D(2021, 2, 1),
                               department=tree["departments"][tree[key].code], violation="超标排放",
                               amount=Decimal("1000"))
        Complaint.objects.create(reference=f"12369-{key}", received_on=D(2021, 2, 2), channel="12369",
                                 target=task.target, content="异味")
    assert Plan.objects.count() == 2 and Task.objects.count() == 2 and Recheck.objects.count() == 2


def _get(client, user, name: str, **query):
    client.force_login(user)
    return client.get(reverse(LISTS[name][0]), {"status": "all", **query} if name == "rechecks" else query)


def _places(answer, name: str) -> set[str]:
    return {LISTS[name][1](row) for row in answer.context["page"].object_list}


@pytest.mark.parametrize("name", LISTS)
def test_another_county_is_refused_by_name_with_nothing_listed(name, work, tree, users, client):
    answer = _get(client, users["county_admin"], name, jurisdiction=tree["b"].pk)
    text = answer.content.decode()
    assert answer.status_code == 404 and _places(answer, name) == set()
    words = f"阜平县不在您的管辖范围内，{LISTS[name][2]}" if LISTS[name][2] else "阜平县不在您的管辖范围内 ·"
    assert 'id="place-refused"' in text and words in text


@pytest.mark.parametrize("name", LISTS)
def test_his_own_county_narrows(name, work, tree, users, client):
    answer = _get(client, users["county_admin"], name, jurisdiction=tree["a"].pk)
    assert answer.status_code == 200 and 'id="place-refused"' not in answer.content.decode()
    assert _places(answer, name) == {"涞水县"}


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("value", ["999999", "abc"])
def test_no_such_place_is_said_so(name, value, work, users, client):
    answer = _get(client, users["city_admin"], name, jurisdiction=value)
    assert answer.status_code == 404 and _places(answer, name) == set()
    assert f"没有这个行政区（jurisdiction={value}）" in answer.content.decode()


@pytest.mark.parametrize("name", LISTS)
def test_the_city_narrows_to_a_county_of_his(name, work, tree, users, client):
    answer = _get(client, users["city_admin"], name, jurisdiction=tree["b"].pk)
    assert answer.status_code == 200 and _places(answer, name) == {"阜平县"}
    assert _places(_get(client, users["city_admin"], name), name) == {"涞水县", "阜平县"}  # unfiltered: both


@pytest.mark.parametrize(("name", "words"), [("records", "its records"), ("tasks", "its tasks"),
                                             ("plans", "its plans"), ("rechecks", "its re-checks"),
                                             ("penalties", "")])
def test_the_refusal_in_english(name, words, work, tree, users, client):
    client.cookies["django_language"] = "en"
    answer = _get(client, users["other_county_admin"], name, jurisdiction=tree["a"].pk)
    assert answer.status_code == 404
    said = f"涞水县 is not within your area: {words} are not listed" if words else "涞水县 is not within your area ·"
    assert said in answer.content.decode()
