"""A re-draw withdraws the superseded draw's tasks; a task whose record was submitted must not vanish with it
(实施方案 二(四) "随机抽查结果一经提交原则上不予撤销或修改"). Such a plan is refused a re-draw, at the request and again
at the city's approval, naming the visits; a visit another plan's draw keeps does not stop it."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.fieldwork.models import InspectionRecord, task_number
from shuangsuiji.planning import services
from shuangsuiji.planning.models import DrawStatus, PlanStatus, RedrawState, Stratum, Task, TaskStatus

from .conftest import ceremony
from .test_services import county_and_city_plans, county_plan


def seal(task: Task, number: str) -> InspectionRecord:
    return InspectionRecord.objects.create(number=number, task=task, target=task.target, sealed_at=timezone.now(),
                                           seal_hash="0" * 64)


@pytest.fixture
def dispatched(city):
    plan = county_plan(city)
    draw = ceremony(plan, user=city["users"]["county_admin"])
    services.do_dispatch(plan, acting_user=city["users"]["county_admin"])
    return plan, draw


def test_a_redraw_is_refused_at_the_request_when_a_visit_of_the_draw_is_sealed(city, dispatched):
    plan, draw = dispatched
    task = Task.objects.filter(selections__draw=draw).order_by("pk").first()
    seal(task, "JL-1")
    with pytest.raises(ValidationError) as refused:
        services.do_request_redraw(plan, reason="名录库漏录两家新企业", acting_user=city["users"]["county_admin"])
    text = " ".join(refused.value.messages)
    assert f"{task_number(task)} {task.target.name}" in text and "实施方案 二(四)" in text
    assert not plan.redraw_requests.exists()


def test_a_record_sealed_after_the_request_stops_the_approval_and_nothing_is_withdrawn(city, dispatched):
    plan, draw = dispatched
    request = services.do_request_redraw(plan, reason="名录库漏录两家新企业",
                                         acting_user=city["users"]["county_admin"])
    tasks = list(Task.objects.filter(selections__draw=draw).order_by("pk"))
    seal(tasks[1], "JL-2")
    with pytest.raises(ValidationError, match=task_number(tasks[1])):
        services.do_approve_redraw(request, approve=True, decision="同意", acting_user=city["users"]["city_admin"])
    request.refresh_from_db()
    draw.refresh_from_db()
    plan.refresh_from_db()
    assert request.state == RedrawState.PENDING and draw.status == DrawStatus.DRAWN
    assert plan.status == PlanStatus.DISPATCHED
    assert not Task.objects.filter(status=TaskStatus.WITHDRAWN).exists()
    # the city may still say no
    services.do_approve_redraw(request, approve=False, decision="已有检查结果，不予重新抽取",
                               acting_user=city["users"]["city_admin"])
    request.refresh_from_db()
    assert request.state == RedrawState.REJECTED


def test_a_sealed_visit_another_plan_keeps_does_not_stop_the_redraw(city):
    county, city_plan = county_and_city_plans(city)
    ceremony(county)
    ceremony(city_plan)
    shared = Task.objects.filter(selections__plan=county, selections__stratum=Stratum.KEY).order_by("pk").first()
    assert set(shared.selections.values_list("plan_id", flat=True)) == {county.pk, city_plan.pk}
    seal(shared, "JL-3")
    request = services.do_request_redraw(county, reason="名录库漏录两家新企业",
                                         acting_user=city["users"]["county_admin"])
    services.do_approve_redraw(request, approve=True, decision="同意", acting_user=city["users"]["city_admin"])
    shared.refresh_from_db()
    assert shared.status != TaskStatus.WITHDRAWN  # the city's draw keeps the visit, and its record
    assert Task.objects.filter(selections__plan=county, status=TaskStatus.WITHDRAWN).exists()


def test_the_plan_page_says_so_before_anyone_asks(client, city, dispatched):
    plan, draw = dispatched
    request = services.do_request_redraw(plan, reason="名录库漏录两家新企业",
                                         acting_user=city["users"]["county_admin"])
    url = reverse("planning:plan_detail", args=[plan.pk])
    client.force_login(city["users"]["city_admin"])
    assert 'id="redraw-sealed"' not in client.get(url).content.decode()  # nothing sealed yet: approvable
    seal(Task.objects.filter(selections__draw=draw).order_by("pk").first(), "JL-4")
    page = client.get(url).content.decode()
    assert 'id="redraw-sealed"' in page and "原抽取已有 1 项任务的检查记录提交，不能批准重新抽取" in page
    services.do_approve_redraw(request, approve=False, decision="已有检查结果", acting_user=city["users"]["city_admin"])
    # the county's admin is not offered a request he would be refused
    client.force_login(city["users"]["county_admin"])
    page = client.get(url).content.decode()
    assert "原抽取已有 1 项任务的检查记录提交，不能重新抽取" in page
    assert reverse("planning:plan_redraw_request", args=[plan.pk]) not in page
