"""What 派发 tells the admin reads right in English for one task as for many: "Dispatched 1 tasks" was the
message of a plan with one task (a clue check plan has exactly one)."""

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from shuangsuiji.planning import services
from shuangsuiji.planning.models import PlanStatus, Task
from shuangsuiji.planning.views import dispatched_message
from tests.clients import signed_in

from .conftest import ceremony
from .test_clue_check import approved_clue

SEE = 'the inspectors now see their tasks under "Field work"'


@pytest.mark.parametrize(("tasks", "shared", "english"), [
    (1, 0, f"Dispatched 1 task: {SEE}"),
    (3, 0, f"Dispatched 3 tasks: {SEE}"),
    (1, 1, "Dispatched 1 task (1 more firm was also drawn by another plan, and its task went out with that plan): "
           + SEE),
    (3, 2, "Dispatched 3 tasks (2 more firms were also drawn by another plan, and their tasks went out with that "
           "plan): " + SEE),
])
def test_each_number_takes_its_own_plural_in_english(tasks, shared, english):
    with translation.override("en"):
        assert dispatched_message(tasks, shared) == english


def test_the_chinese_reads_as_before():
    with translation.override("zh-hans"):
        assert dispatched_message(1) == "已派发 1 项任务，执法人员现在可以在“现场检查”中看到各自的任务"
        assert dispatched_message(3, 2) == ("已派发 3 项任务（另有 2 项检查对象同时被其他计划抽中，"
                                            "其任务已随该计划派发），执法人员现在可以在“现场检查”中看到各自的任务")


@pytest.mark.django_db
def test_the_dispatch_of_a_one_task_plan_says_one_task(city):
    """A clue check plan has one task: its dispatch was told as "Dispatched 1 tasks"."""
    county = city["users"]["county_admin"]
    plan = services.do_open_clue_check(approved_clue(city), acting_user=county)
    ceremony(plan, user=county, day=timezone.localdate())
    response = signed_in(county, "en").post(reverse("planning:plan_dispatch", args=[plan.pk]), follow=True)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DISPATCHED and Task.objects.count() == 1
    assert [str(m) for m in response.context["messages"]] == [f"Dispatched 1 task: {SEE}"]
