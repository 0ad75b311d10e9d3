"""Nobody is told anything of a draw before its dispatch (``models.told_places``, ``permissions.shown_places``):

- a merged visit (同一企业多个计划合并检查), out already for the county's plan, does not show the team the city's later
  draw gave it — on the task page, the phone's brief, the API — to whoever does not read the city's plan, until the
  city dispatches; the city's admins, who check the team before they dispatch it, see it all along;
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
