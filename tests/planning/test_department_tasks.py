"""A department user's "本科室的任务": on the task list (只看本科室的任务) and in the task API (``my_department``), the
visits of the joint plans his department initiates or takes part in — the plans his workbench lists as 本科室发起 /
本科室参加 — within what he may read (``visible_tasks``, ``permissions.department_plans``)."""

import datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from shuangsuiji.planning import services
from shuangsuiji.planning.models import Task, TaskPlan
from shuangsuiji.registry.models import Department
from shuangsuiji.registry.services import do_mark_target_defunct
from tests.clients import signed_in

from .conftest import ceremony
from .test_joint_corrections import department_user, joint_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def drawn(city):
    """County A's joint plan (执法大队 with 大气环境股) and its regular plan, both drawn: a county's tasks of which only
    some are the joint plan's."""
    joint = joint_plan(city)
    regular = services.do_create_plan(jurisdiction=city["tree"]["a"], year=2021, quarter=2, acting_user=None)
    ceremony(joint)
    ceremony(regular)
    ours = set(TaskPlan.objects.filter(plan=joint, active=True).values_list("task_id", flat=True))
    every = set(Task.objects.values_list("pk", flat=True))
    assert ours and ours < every
    return {"joint": joint, "ours": ours, "every": every}


def page_tasks(client, **query) -> set[int]:
    response = client.get(reverse("planning:task_list"), query)
    assert response.status_code == 200
    return {task.pk for task in response.context["page"].object_list}


def api_tasks(user, **query) -> set[int]:
    client = APIClient()
    client.force_authenticate(user)
    response = client.get("/api/planning/tasks/", query)
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize("role, mine", [
    ("department_user", True),  # initiates it
    ("participating_department", True),  # 大气环境股 takes part
    ("other_department", False),  # a department of the county with no part in it
    ("other_county_department", False),  # outside the county: its plans are not his to read
])
def test_a_department_user_filters_to_his_department_s_tasks(city, drawn, role, mine):
    users = {
        "department_user": city["users"]["department_user"],
        "participating_department": department_user(city, "air", city["departments"]["air_a"]),
        "other_department": department_user(
            city, "law", Department.objects.create(jurisdiction=city["tree"]["a"], name="法制股")),
        "other_county_department": department_user(city, "fuping", city["tree"]["departments"]["130624"]),
    }
    user = users[role]
    client = signed_in(user)
    page = client.get(reverse("planning:task_list"))
    assert 'name="my_department"' in page.content.decode()  # offered to every department user
    expected = drawn["ours"] if mine else set()
    assert page_tasks(client, my_department="1") == expected
    assert api_tasks(user, my_department="true") == expected
    # without the filter he reads his scope's tasks, as before
    readable = drawn["every"] if role != "other_county_department" else set()
    assert page_tasks(client) == readable and api_tasks(user, my_department="false") == readable


@pytest.mark.parametrize("role", ["county_admin", "city_admin", "inspector"])
def test_a_user_of_no_department_has_no_department_tasks(city, drawn, role):
    user = city["users"][role]
    client = signed_in(user)
    if role == "inspector":
        assert client.get(reverse("planning:task_list")).status_code == 302  # his list is his own tasks
    else:
        page = client.get(reverse("planning:task_list"))
        assert 'name="my_department"' not in page.content.decode()
        assert page_tasks(client, my_department="1") == set()
    assert api_tasks(user, my_department="true") == set()


def test_the_filter_follows_the_live_selection(city, drawn):
    """A visit the joint plan no longer counts for (its target replaced after closing) is not the department's."""
    task = Task.objects.get(pk=min(drawn["ours"]))
    admin = city["users"]["county_admin"]
    do_mark_target_defunct(task.target, acting_user=admin, defunct_date=datetime.date(2021, 4, 2), reason="关停")
    services.do_substitute_target(task, reason="企业已关停", acting_user=admin)
    now = set(TaskPlan.objects.filter(plan=drawn["joint"], active=True).values_list("task_id", flat=True))
    assert task.pk not in now
    client = signed_in(city["users"]["department_user"])
    assert page_tasks(client, my_department="1") == now
    assert api_tasks(city["users"]["department_user"], my_department="true") == now
