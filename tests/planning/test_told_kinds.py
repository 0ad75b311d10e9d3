"""A merged visit tells nothing of a plan drawn and not dispatched: not its kind, not its deadline, not its bureau.

- County A's regular plan is dispatched; the city's joint plan (内部联合抽查) draws the same key units and is not
  dispatched. The visit's badge 联合, the task list's 只看联合抽查 filter, the API's ``is_joint`` field and filter, and
  the officers' phone pages say nothing of the city's joint plan to anyone outside it before the city dispatches; the
  city's readers see it on their pages. At the city's dispatch the visit is joint for everyone (its flag is set then,
  ``services.tells``).
- A cross-department check's earlier deadline (检查截止日期) moves the visit's deadline at its dispatch, not at its
  draw, with an event in the visit's history (``test_cross_check``).
- A refusal to review the visit's record names the bureaus whose plans were told of it when it was sealed: the city's
  dispatch afterwards adds nobody (``test_told_review``).
- The demo's records check the told plans' items, as a draft begun on the phone does."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from rest_framework.test import APIClient

from shuangsuiji.fieldwork import permissions as record_permissions
from shuangsuiji.fieldwork.demo import task_items
from shuangsuiji.planning import services
from shuangsuiji.planning.models import PlanKind, Task
from shuangsuiji.registry.models import CheckItem, Department, Inspector
from tests.fieldwork.conftest import submitted

from .conftest import ceremony
from .test_services import _officer, county_plan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("current_quarter")]

READERS = ["county_admin", "city_admin", "county_officer", "city_officer", "department_user", "leader"]
"""The drawing county's admin, the city's, the officer on the team, the officer the city's undispatched draw put on
the visit, the county's department user, the city's leader."""
SHOWN_BEFORE = {"city_admin", "leader"}
"""Who reads the city's joint plan: its badge shows to them before the dispatch."""


@pytest.fixture
def joint(city):
    """County A's regular plan, dispatched, and the city's joint plan drawing every key unit of county A too, drawn and
    not dispatched: the merged visit, the city's plan and the users by role."""
    county = county_plan(city)
    ceremony(county)
    services.do_dispatch(county, acting_user=None)
    enforcement = city["departments"]["enforcement_c"]
    air = Department.objects.create(jurisdiction=city["tree"]["city"], name="大气环境处", code="130600-AI")
    for n, name in enumerate(["卫戊", "蒋己", "沈庚", "韩辛"], start=5):  # one of them joins each visit
        Inspector.objects.create(name=name, certificate_number=f"1306000000{n}", jurisdiction=city["tree"]["city"],
                                 certificate_expiry=datetime.date(2030, 1, 1), department=air)
    city_plan = services.do_create_plan(jurisdiction=city["tree"]["city"], year=2021, quarter=2, kind=PlanKind.JOINT,
                                        department=enforcement, departments=[enforcement, air],
                                        acting_user=city["users"]["city_admin"])
    # every firm of the city, so that it draws the county's too
    services.do_set_requested(city_plan, {"joint": city_plan.strata.get().population},
                              acting_user=city["users"]["city_admin"])
    city_draw = ceremony(city_plan)
    # a visit of both whose team the city's draw joined (the city's four officers do not cover every firm)
    task = (Task.objects.filter(selections__plan=county).filter(selections__plan=city_plan)
            .filter(members__draw=city_draw, members__active=True).distinct().order_by("pk").first())
    assert task is not None
    city_member = task.members.filter(draw=city_draw, active=True).first()
    county_member = task.members.exclude(draw=city_draw).filter(active=True).first()
    users = {**city["users"], "county_officer": _officer(county_member), "city_officer": _officer(city_member)}
    return {"task": task, "city_plan": city_plan, "county_plan": county, "users": users}


def badged(client, task) -> dict[str, bool | None]:
    """Whether each page ``client`` may open shows ``task`` as joint (None: the page does not list the task)."""
    found: dict[str, bool | None] = {}
    detail = client.get(reverse("planning:task_detail", args=[task.pk]))
    if detail.status_code == 200:
        found["page"] = 'text-bg-info">内部联合抽查<' in detail.content.decode()
    listed = client.get(reverse("planning:task_list"), {"year": 2021, "quarter": 2})
    if listed.status_code == 200:
        rows = [row for row in listed.content.decode().split("<tr") if f'href="{task.get_absolute_url()}"' in row]
        found["list"] = 'text-bg-info">联合<' in rows[0] if rows else None
        joint_rows = client.get(reverse("planning:task_list"), {"year": 2021, "quarter": 2, "joint": 1})
        found["list_filter"] = task.pk in {row.pk for row in joint_rows.context["page"].object_list}
    brief = client.get(reverse("fieldwork:task_brief", args=[task.pk]))
    if brief.status_code == 200:
        found["brief"] = 'text-bg-info">内部联合抽查<' in brief.content.decode()
    api = APIClient()
    api.force_authenticate(client.user)
    response = api.get(f"/api/planning/tasks/{task.pk}/")
    if response.status_code == 200:
        found["api"] = response.json()["is_joint"]
        rows = api.get("/api/planning/tasks/", {"is_joint": "true"}).json()["results"]
        found["api_filter"] = task.pk in {row["id"] for row in rows}
        others = api.get("/api/planning/tasks/", {"is_joint": "false"}).json()["results"]
        assert found["api_filter"] != (task.pk in {row["id"] for row in others})
    else:
        assert response.status_code == 404
    return found


@pytest.mark.parametrize("name", READERS)
def test_a_merged_visit_is_joint_for_the_joint_plans_readers_until_its_dispatch_then_for_everyone(client, joint,
                                                                                                   name):
    task, city_plan, user = joint["task"], joint["city_plan"], joint["users"][name]
    client.force_login(user)
    client.user = user
    task.refresh_from_db()
    assert not task.is_joint  # the stored flag says the told plans' kinds: the county's regular plan
    before = badged(client, task)
    assert before or name == "city_officer", "every reader but the undispatched draw's officer opens the visit"
    # the phone's brief says what the team was told, whoever opens it; every other page what its reader is shown
    told = before.pop("brief", False)
    assert told is False and set(before.values()) <= {name in SHOWN_BEFORE}, (told, before)
    services.do_dispatch(city_plan, acting_user=joint["users"]["city_admin"])
    task.refresh_from_db()
    assert task.is_joint
    after = badged(client, task)
    assert after and set(after.values()) == {True}, after


def card_of(client, task) -> str:
    """The card of ``task`` on the officer's phone list (我的检查)."""
    page = client.get(reverse("fieldwork:my_tasks")).content.decode()
    cards = [card for card in page.split('<div class="card mb-2 fw-task')
             if f'href="{reverse("fieldwork:task_brief", args=[task.pk])}"' in card]
    assert len(cards) == 1, "the visit is listed on his phone"
    return cards[0]


def test_the_team_s_phone_lists_the_visit_joint_only_after_the_dispatch(client, joint):
    client.force_login(joint["users"]["county_officer"])
    assert 'text-bg-info">联合<' not in card_of(client, joint["task"])
    services.do_dispatch(joint["city_plan"], acting_user=joint["users"]["city_admin"])
    assert 'text-bg-info">联合<' in card_of(client, joint["task"])


def test_a_refusal_to_review_names_the_told_plans_bureaus(joint):
    task, users = joint["task"], joint["users"]
    record = submitted(task, users["county_officer"], place="生产车间", address="涞水县经济开发区",
                       legal_representative="赵大勇")
    stranger = users["other_county_admin"]
    with pytest.raises(PermissionDenied) as refused:
        record_permissions.ensure_can_review(stranger, record)
    assert "涞水县" in str(refused.value) and "保定市" not in str(refused.value)
    services.do_dispatch(joint["city_plan"], acting_user=users["city_admin"])
    # sealed before the city's plan went out: still the county's record alone (it was written for the county's plan)
    with pytest.raises(PermissionDenied) as refused:
        record_permissions.ensure_can_review(stranger, record)
    assert "涞水县" in str(refused.value) and "保定市" not in str(refused.value)


def test_the_demo_records_check_the_told_plans_items(city, joint):
    task, city_plan = joint["task"], joint["city_plan"]
    item = CheckItem.objects.create(code="C-09", name="市级专项检查事项", legal_basis="环境保护法", content="专项核查",
                                    jurisdiction=city["tree"]["city"],
                                    responsible_department=city["departments"]["enforcement_c"])
    city_plan.check_items.add(item)
    task = Task.objects.select_related("target").get(pk=task.pk)
    assert "C-09" in {i.code for i in task.check_items()}
    assert "C-09" not in {i.code for i in task_items([task])[task.pk]}
    services.do_dispatch(city_plan, acting_user=joint["users"]["city_admin"])
    assert "C-09" in {i.code for i in task_items([task])[task.pk]}
