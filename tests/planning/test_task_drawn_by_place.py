# ruff: noqa: F811 (fixtures of the fieldwork tests, imported by name, are parameters here)
"""The 抽取单位 filter (``?drawn_by=``) of the task list, and of the record list the workbench's 待审核 opens, naming
a bureau outside the reader's area, or no place at all, is refused in words as ``?jurisdiction=`` is
(registry/places.py): the place named, nothing listed, 404.

It listed nothing without saying why: an empty list under a filter that seemed to hold read "this bureau drew no
task", for a link kept from another account or an edited one. A bureau of his area still lists the tasks its own
plans drew (``planning.models.drawn_by``: a city plan's visit to a county's firm is the city's)."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from shuangsuiji.planning.models import Draw, DrawStatus, Plan, PlanLevel, TaskPlan
from shuangsuiji.registry.models import Level
from tests.accounts.test_workbench import a_task
from tests.conftest import make_jurisdiction
from tests.fieldwork.conftest import items, submitted, team  # noqa: F401 (fixtures, by name)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tasks(tree, items, team, users) -> dict:
    """A task of county A's plan, one of county B's, and one of a firm of county A that the city's plan drew;
    a superuser of no jurisdiction and a county of another city."""
    members = [team["first"], team["second"]]
    found = {key: a_task(tree[key], members, name=f"{key}县厂", items=items) for key in ("a", "b")}
    found["city"] = a_task(tree["a"], members, name="市级厂", items=items)
    task = found["city"]
    city_plan = Plan.objects.create(jurisdiction=tree["city"], level=PlanLevel.CITY, year=task.year,
                                    quarter=task.quarter, policy_id="baoding-2021", policy_version=1,
                                    policy_fingerprint="0" * 64, policy_title="保定市2021", inspectors_counted=2,
                                    status="dispatched")
    city_plan.check_items.add(*items)
    draw = Draw.objects.create(plan=city_plan, number=1, status=DrawStatus.DRAWN)
    TaskPlan.objects.filter(task=task).update(plan=city_plan, draw=draw)
    other_city = make_jurisdiction("130100", "石家庄市", Level.CITY, tree["province"])
    found["elsewhere"] = make_jurisdiction("130102", "长安区", Level.COUNTY, other_city)
    found["root"] = get_user_model().objects.create_superuser("root", password="pw-root-1A")
    return found


def _get(client, user, value, **query):
    client.force_login(user)
    return client.get(reverse("planning:task_list"), {"drawn_by": value, **query})


def _listed(answer) -> set[str]:
    return {task.target.name for task in answer.context["page"].object_list}


def _refused(answer, words: str) -> bool:
    """Refused in ``words``, nothing listed nor counted, 404."""
    page = answer.content.decode()
    return (answer.status_code == 404 and _listed(answer) == set() and not answer.context["counts"]
            and 'id="place-refused"' in page and words in page)


# role → (a bureau of his area and the tasks listed as its own, a place outside it)
ANSWERS = {
    "root": ("b", {"b县厂"}, None),  # every place is a superuser's: only a value naming none is refused
    "city_admin": ("city", {"市级厂"}, "elsewhere"),  # the city's own plans' tasks, not its counties'
    "leader": ("a", {"a县厂"}, "elsewhere"),
    "county_admin": ("a", {"a县厂"}, "b"),
    "other_county_admin": ("b", {"b县厂"}, "city"),  # his own city's area is more than his
    "department_user": ("a", {"a县厂"}, "b"),
}


@pytest.mark.parametrize("role", sorted(ANSWERS))
def test_each_role_lists_a_bureaus_tasks_inside_his_area_and_is_refused_outside_it(role, tasks, tree, users,
                                                                                   client):
    user = tasks["root"] if role == "root" else users[role]
    inside, listed, outside = ANSWERS[role]
    answer = _get(client, user, tree[inside].pk)
    assert answer.status_code == 200 and 'id="place-refused"' not in answer.content.decode()
    assert _listed(answer) == listed
    if outside is None:
        assert _refused(_get(client, user, "999999"), "没有这个行政区（drawn_by=999999）")
    else:
        place = tasks["elsewhere"] if outside == "elsewhere" else tree[outside]
        assert _refused(_get(client, user, place.pk), f"{place.name}不在您的管辖范围内，不能列出它抽取的任务")


def test_a_county_admin_asking_for_another_countys_tasks_is_told_so(tasks, tree, users, client):
    answer = _get(client, users["county_admin"], tree["b"].pk, overdue="0", q="厂")
    assert _refused(answer, "阜平县不在您的管辖范围内，不能列出它抽取的任务")
    # with ``?jurisdiction=`` refused as well, one refusal is said (the place's), and nothing is listed
    both = _get(client, users["county_admin"], tree["b"].pk, jurisdiction=tree["b"].pk)
    assert _refused(both, "阜平县不在您的管辖范围内，不能列出它的任务")


@pytest.mark.parametrize("value", ["999999", "abc"])
def test_no_such_place_is_said_so_and_an_inspector_still_goes_to_his_own_tasks(value, tasks, users, client):
    assert _refused(_get(client, users["city_admin"], value), f"没有这个行政区（drawn_by={value}）")
    answer = _get(client, users["inspector"], value)
    assert answer.status_code == 302 and answer["Location"] == reverse("planning:my_tasks")


def test_the_other_filters_still_narrow_a_bureaus_tasks(tasks, tree, users, client):
    """``jurisdiction`` (the firms' place) and ``drawn_by`` (the plan's bureau) together: the city's visit to a
    county-A firm, under both; none of the city's in county B; the search within a bureau's. A value naming no
    place is refused whichever of the two it is given to."""
    city = users["city_admin"]
    assert _listed(_get(client, city, tree["city"].pk, jurisdiction=tree["a"].pk)) == {"市级厂"}
    assert _listed(_get(client, city, tree["city"].pk, jurisdiction=tree["b"].pk)) == set()
    assert _listed(_get(client, city, tree["a"].pk, q="a县")) == {"a县厂"}
    assert _refused(_get(client, city, "", jurisdiction="abc"), "没有这个行政区（jurisdiction=abc）")
    assert _refused(_get(client, city, "abc", jurisdiction=tree["a"].pk), "没有这个行政区（drawn_by=abc）")


def test_the_refusal_in_english(tasks, tree, users, client):
    client.cookies["django_language"] = "en"
    answer = _get(client, users["county_admin"], tree["b"].pk)
    assert answer.status_code == 404
    assert "阜平县 is not within your area: the tasks it drew are not listed" in answer.content.decode()


# --- the record list -------------------------------------------------------------------------------------------


@pytest.fixture
def records(tasks, users) -> dict:
    """Each task's record, submitted: record numbers by the task's key."""
    return {key: submitted(tasks[key], users["inspector"]).number for key in ("a", "b", "city")}


def _records(client, user, value, **query):
    client.force_login(user)
    return client.get(reverse("fieldwork:record_list"), {"drawn_by": value, **query})


def _numbers(answer) -> set[str]:
    return {record.number for record in answer.context["page"].object_list}


RECORD_ANSWERS = {**ANSWERS, "inspector": ("a", {"a县厂"}, "b")}  # an inspector reads his teams' records


@pytest.mark.parametrize("role", sorted(RECORD_ANSWERS))
def test_each_role_lists_a_bureaus_records_inside_his_area_and_is_refused_outside_it(role, tasks, records, tree,
                                                                                     users, client):
    user = tasks["root"] if role == "root" else users[role]
    inside, listed, outside = RECORD_ANSWERS[role]
    answer = _records(client, user, tree[inside].pk)
    assert answer.status_code == 200 and 'id="place-refused"' not in answer.content.decode()
    names = {"a县厂": "a", "b县厂": "b", "市级厂": "city"}
    assert _numbers(answer) == {records[names[name]] for name in listed}
    if outside is None:
        refused, words = _records(client, user, "999999"), "没有这个行政区（drawn_by=999999）"
    else:
        place = tasks["elsewhere"] if outside == "elsewhere" else tree[outside]
        refused, words = _records(client, user, place.pk), f"{place.name}不在您的管辖范围内，不能列出它抽取的任务的记录"
    page = refused.content.decode()
    assert refused.status_code == 404 and _numbers(refused) == set() and 'id="place-refused"' in page and words in page
    assert 'id="drawn-by"' not in page  # no bureau is said to narrow it


@pytest.mark.parametrize("value", ["999999", "abc"])
def test_the_record_list_says_there_is_no_such_place(value, records, users, client):
    answer = _records(client, users["city_admin"], value, state="pending")
    assert answer.status_code == 404 and _numbers(answer) == set()
    assert f"没有这个行政区（drawn_by={value}）" in answer.content.decode()
