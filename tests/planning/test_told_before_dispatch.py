"""Nobody is told anything of a draw before its dispatch (``models.told_places``, ``permissions.shown_places``):

- a merged visit (同一企业多个计划合并检查), out already for the county's plan, does not show the team the city's later
  draw gave it — on the task page, the phone's brief, the API — to whoever does not read the city's plan, until the
  city dispatches; the city's admins, who check the team before they dispatch it, see it all along;
- nor does it name the city's plan among the plans the visit counts for, nor whom the city replaced on it and why —
  on the task page (所属计划, 递补替换记录, 变更记录), the task list (所属计划) and the API (plans, merged,
  substitutions) — to whoever does not read the city's plan, until the city dispatches;
- an officer replaced before the dispatch was never told of the place: after the dispatch his old link is "not
  found", not "you were replaced" with the reason (a relative at the firm, say)."""

import json

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from shuangsuiji.fieldwork.services import departure
from shuangsuiji.planning import services
from shuangsuiji.planning.models import Task

from .conftest import ceremony
from .test_services import _officer, county_plan


def seen(user, task) -> dict[str, str]:
    """The task page, the brief and the API's task as ``user`` reads them (empty where refused)."""
    client = Client()
    client.force_login(user)
    api = APIClient()
    api.force_authenticate(user)
    pages = {"page": client.get(reverse("planning:task_detail", args=[task.pk])),
             "brief": client.get(reverse("fieldwork:task_brief", args=[task.pk])),
             "api": api.get(f"/api/planning/tasks/{task.pk}/")}
    return {name: (json.dumps(response.json(), ensure_ascii=False) if name == "api" else response.content.decode())
            if response.status_code == 200 else "" for name, response in pages.items()}


@pytest.mark.parametrize("name", ["county_admin", "department_user", "county_officer"])
def test_the_county_is_not_shown_the_citys_team_before_the_city_dispatches(city, merged, name):
    user = merged["county_officer"] if name == "county_officer" else city["users"][name]
    texts = seen(user, merged["task"])
    assert texts["page"] and texts["api"], name  # the visit is the county's too: it reads it
    for page, text in texts.items():
        for officer in merged["city_names"]:
            assert officer not in text, (name, page, officer)
    services.do_dispatch(merged["city_plan"], acting_user=None)
    if name != "county_officer":  # an officer sees the team of his own draw only, as before
        texts = seen(user, merged["task"])
        assert all(officer in texts["page"] and officer in texts["api"] for officer in merged["city_names"]), name


@pytest.mark.parametrize("name", ["city_admin", "leader"])
def test_the_city_reads_its_own_draws_team_before_it_dispatches(city, merged, name):
    texts = seen(city["users"][name], merged["task"])
    for officer in merged["city_names"]:
        assert officer in texts["page"] and officer in texts["api"], (name, officer)


def plans_and_substitutions(user, task) -> dict[str, str]:
    """The task page, the task list and the API's task as ``user`` reads them, all of which name the visit's plans
    and (but the list) what was substituted on it."""
    client = Client()
    client.force_login(user)
    api = APIClient()
    api.force_authenticate(user)
    texts = {"page": client.get(reverse("planning:task_detail", args=[task.pk])).content.decode(),
             "list": client.get(reverse("planning:task_list")).content.decode()}
    data = api.get(f"/api/planning/tasks/{task.pk}/").json()
    texts["api"] = json.dumps(data, ensure_ascii=False)
    texts["api plans"] = " ".join(f"plan={row['plan']}" for row in data["plans"])
    texts["api merged"] = str(data["merged"])
    return texts


@pytest.mark.parametrize("name", ["county_admin", "department_user", "city_admin", "leader"])
def test_the_citys_plan_and_its_substitution_are_named_to_the_county_once_the_city_dispatches(city, merged, name):
    task, city_plan = merged["task"], merged["city_plan"]
    leaving = task.members.filter(draw__plan=city_plan, active=True).order_by("slot").first().inspector
    services.do_substitute_inspector(task, leaving, reason="其配偶在该单位任职",
                                     acting_user=city["users"]["city_admin"], draw=city_plan.draws.get())
    reads_it = name in ("city_admin", "leader")
    texts = plans_and_substitutions(city["users"][name], task)
    link = city_plan.get_absolute_url()
    assert (str(city_plan) in texts["page"] and link in texts["page"]) == reads_it, name
    assert (link in texts["list"]) == reads_it, name
    assert (f"plan={city_plan.pk}" in texts["api plans"]) == reads_it and texts["api merged"] == str(reads_it), name
    for where in ("page", "api"):
        # the substitution's reason, in the list of substitutions, the task's history and the API
        assert ("其配偶在该单位任职" in texts[where]) == reads_it, (name, where)
        assert (leaving.certificate_number in texts[where]) == reads_it, (name, where)
    services.do_dispatch(city_plan, acting_user=None)
    texts = plans_and_substitutions(city["users"][name], task)
    assert str(city_plan) in texts["page"] and link in texts["list"] and f"plan={city_plan.pk}" in texts["api plans"]
    assert texts["api merged"] == "True"
    assert "其配偶在该单位任职" in texts["page"] and "其配偶在该单位任职" in texts["api"]


def test_an_officer_replaced_before_the_dispatch_is_never_told_of_the_place(city):
    plan = county_plan(city)
    ceremony(plan)
    task = Task.objects.filter(selections__plan=plan).order_by("pk").first()
    leaving = _officer(task.members.filter(active=True).first())
    services.do_substitute_inspector(task, leaving.inspector, reason="其配偶在该单位任职",
                                     acting_user=city["users"]["county_admin"])
    services.do_dispatch(plan, acting_user=None)
    assert departure(leaving, task.pk) is None
    client = Client()
    client.force_login(leaving)
    response = client.get(reverse("fieldwork:task_brief", args=[task.pk]))
    assert response.status_code == 404 and "其配偶在该单位任职" not in response.content.decode()
    # one replaced after the dispatch is told, as before
    staying = _officer(task.members.filter(active=True).first())
    services.do_substitute_inspector(task, staying.inspector, reason="病假", acting_user=city["users"]["county_admin"])
    assert departure(staying, task.pk) is not None
