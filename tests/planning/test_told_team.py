"""The team that carries out and signs a visit is the team as told (``models.team_places``), and a re-draw tells only
the officers of a draw that had gone out (``models.told_places``, ``Draw.dispatched_at``):

- a merged visit out for the county's plan while the city's draw is not dispatched: the city's officers are not on
  its record's team — not asked to sign, not let write, sign or read it, not listed as theirs — until the city
  dispatches; then they join, and the draft asks for their signatures;
- a draw re-drawn before its plan's dispatch told nobody: its officers learn nothing of it (the poll, the task list,
  the task page, the brief, the API), even once the plan goes out with its new draw; one re-drawn after the dispatch
  is told "redrawn" (or withdrawn) as before."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from PIL import Image, ImageDraw
from rest_framework.test import APIClient

from shuangsuiji.accounts.workbench import my_open_tasks
from shuangsuiji.fieldwork import permissions as fieldwork_permissions
from shuangsuiji.fieldwork import services as fieldwork
from shuangsuiji.fieldwork.models import InspectionRecord
from shuangsuiji.fieldwork.services import departure
from shuangsuiji.planning import services
from shuangsuiji.planning.models import Draw, DrawStatus, Task, TaskMember

from .conftest import ceremony
from .test_services import _officer, county_plan


def signature() -> bytes:
    """A stroke on a transparent canvas, as the phone's signature pad exports it."""
    image = Image.new("RGBA", (300, 120), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(20, 60), (150, 30), (280, 90)], fill=(20, 20, 20, 255), width=4)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def city_officers(task, city_plan) -> list:
    return [_officer(m) for m in task.members.filter(draw__plan=city_plan, active=True).order_by("slot")]


def test_the_citys_undispatched_officers_do_not_sign_the_merged_visits_record_until_the_city_dispatches(merged):
    task, city_plan = merged["task"], merged["city_plan"]
    county_officer = merged["county_officer"]
    record = fieldwork.do_start_record(task, acting_user=county_officer)
    city_team = city_officers(task, city_plan)
    signers = {p.inspector.pk for p in fieldwork.participants(record)}
    assert county_officer.inspector_id in signers
    assert signers.isdisjoint({u.inspector_id for u in city_team})
    assert fieldwork_permissions.team_inspector_ids(record) == signers
    services.do_dispatch(city_plan, acting_user=None)
    record.refresh_from_db()
    # told now: he joins the team, and the draft asks for his signature
    assert {u.inspector_id for u in city_team} <= {p.inspector.pk for p in fieldwork.participants(record)}
    assert all(fieldwork_permissions.is_team_member(u, record) for u in city_team)


@pytest.mark.parametrize("name", ["city_officer", "county_officer", "county_admin", "city_admin"])
def test_who_acts_on_the_merged_visits_record_before_and_after_the_city_dispatches(city, merged, name):
    task, city_plan = merged["task"], merged["city_plan"]
    record = fieldwork.do_start_record(task, acting_user=merged["county_officer"])
    user = {"city_officer": city_officers(task, city_plan)[0], "county_officer": merged["county_officer"]}.get(
        name) or city["users"][name]
    on_team = {"county_officer": True}.get(name, False)
    assert fieldwork_permissions.is_team_member(user, record) is on_team
    if name == "city_officer":
        with pytest.raises(PermissionDenied):
            fieldwork.do_sign(record, acting_user=user, png=signature(), revision=record.revision,
                              inspector=user.inspector)
        assert not InspectionRecord.objects.visible_to(user).filter(pk=record.pk).exists()
        assert not my_open_tasks(user, task.deadline).items
        client = Client()
        client.force_login(user)
        assert client.get(reverse("fieldwork:record_edit", args=[record.pk])).status_code == 404
    services.do_dispatch(city_plan, acting_user=None)
    after = name in ("city_officer", "county_officer")
    assert fieldwork_permissions.is_team_member(user, record) is after
    if name == "city_officer":
        fieldwork.do_sign(record, acting_user=user, png=signature(), revision=record.revision, inspector=user.inspector)
        assert InspectionRecord.objects.visible_to(user).filter(pk=record.pk).exists()


def test_the_phones_poll_names_only_the_told_team(merged):
    task, city_plan = merged["task"], merged["city_plan"]
    client = Client()
    client.force_login(merged["county_officer"])
    team = client.get(reverse("fieldwork:task_changes"), {"tasks": str(task.pk)},
                      HTTP_ACCEPT="application/json").json()["tasks"][str(task.pk)]["team"]
    assert merged["county_officer"].inspector_id in team
    assert set(team).isdisjoint({u.inspector_id for u in city_officers(task, city_plan)})


def what_he_reads(user, task) -> dict:
    client = Client()
    client.force_login(user)
    api = APIClient()
    api.force_authenticate(user)
    poll = client.get(reverse("fieldwork:task_changes"), {"tasks": str(task.pk)}, HTTP_ACCEPT="application/json")
    return {"departure": departure(user, task.pk), "gone": poll.json()["gone"],
            "listed": reverse("fieldwork:task_brief", args=[task.pk]) in client.get(
                reverse("fieldwork:my_tasks")).content.decode(),
            "brief": client.get(reverse("fieldwork:task_brief", args=[task.pk])).status_code,
            "page": client.get(reverse("planning:task_detail", args=[task.pk])).status_code,
            "api": api.get(f"/api/planning/tasks/{task.pk}/").status_code}


def redraw(city, plan) -> Draw:
    old = plan.current_draw
    request = services.do_request_redraw(plan, reason="名录库漏录新企业", acting_user=city["users"]["county_admin"])
    services.do_approve_redraw(request, approve=True, decision="同意", acting_user=city["users"]["city_admin"])
    old.refresh_from_db()
    assert old.status == DrawStatus.SUPERSEDED
    return old


def test_a_draw_redrawn_before_its_dispatch_tells_its_officers_nothing(city):
    plan = county_plan(city)
    draw = ceremony(plan)
    redraw(city, plan)
    plan.refresh_from_db()
    ceremony(plan)
    services.do_dispatch(plan, acting_user=None)  # the plan goes out with its new draw, not the old one
    draw.refresh_from_db()
    assert draw.dispatched_at is None
    checked = 0
    for member in TaskMember.objects.filter(draw=draw).select_related("task__target", "inspector"):
        if TaskMember.objects.filter(task=member.task, inspector=member.inspector, active=True).exists():
            continue  # the new draw put him on the same visit: his own task now
        seen = what_he_reads(_officer(member), member.task)
        assert seen == {"departure": None, "gone": {}, "listed": False, "brief": 404, "page": 404, "api": 404}, seen
        checked += 1
    assert checked


def test_a_draw_redrawn_after_its_dispatch_tells_its_officers_so(city):
    plan = county_plan(city)
    draw = ceremony(plan)
    services.do_dispatch(plan, acting_user=None)
    member = TaskMember.objects.filter(draw=draw).select_related("task__target").order_by("pk").first()
    officer = _officer(member)
    redraw(city, plan)
    draw.refresh_from_db()
    assert draw.dispatched_at is not None
    seen = what_he_reads(officer, Task.objects.get(pk=member.task_id))
    assert seen["departure"] is not None and seen["gone"] == {str(member.task_id): "withdrawn"}, seen


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_dates_each_stored_draws_dispatch_from_its_plan_and_the_audit_events(city):
    """Migration 0005 over a plan drawn three times: dispatched, re-drawn; re-drawn again before its dispatch; then
    dispatched with its third draw. The first draw was dispatched (its plan's dispatch event), the second never (not
    told), the third with its plan."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from shuangsuiji.audit.models import Event

    plan = county_plan(city)
    first = ceremony(plan)
    services.do_dispatch(plan, acting_user=None)
    redraw(city, plan)
    second = ceremony(plan)
    redraw(city, plan)
    third = ceremony(plan)
    services.do_dispatch(plan, acting_user=None)
    plan.refresh_from_db()
    dispatches = list(Event.objects.filter(action="plan.dispatch", object_id=str(plan.pk))
                      .order_by("occurred_at").values_list("occurred_at", flat=True))
    executor = MigrationExecutor(connection)
    executor.migrate([("planning", "0004_plan_changed_at_h122")])  # the column as the version before left it: none
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    stored = dict(Draw.objects.filter(plan=plan).values_list("pk", "dispatched_at"))
    assert stored == {first.pk: dispatches[0], second.pk: None, third.pk: plan.dispatched_at}
