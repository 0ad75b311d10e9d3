# ruff: noqa: F811 (fixtures of the fieldwork tests, imported by name, are parameters here)
"""The workbench's 本季度计划 and 完成情况's 抽查任务 counted different things under names that did not say so: the
table of counties the regular plan's tasks, 完成情况 the tasks of all the place's own plans (joint, clue check,
cross-department). A county with a joint plan read "1/2" on one page and "3 项任务" on the other. Each now says what
it counts — the workbench's column is the 本季度双随机抽查计划, 完成情况's rule names every kind — and 完成情况 gives
the regular plan's two numbers apart, the same as the workbench's, where other plans have tasks too."""

import pytest
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.accounts import completion
from shuangsuiji.planning.models import Draw, DrawStatus, Plan, PlanKind, PlanLevel, TaskMember, TaskPlan
from tests.accounts.test_completion import mark
from tests.accounts.test_workbench import a_task, page
from tests.fieldwork.conftest import code_for, fill, items, sign_all, submitted, team  # noqa: F401

pytestmark = pytest.mark.django_db


def _joint_plan(tree, task) -> Plan:
    """Make ``task`` the county's internal joint plan's, as its draw would have."""
    plan = Plan.objects.create(
        jurisdiction=tree["a"], level=PlanLevel.COUNTY, year=task.year, quarter=task.quarter, kind=PlanKind.JOINT,
        department=tree["departments"]["130623"], policy_id="baoding-2021", policy_version=1,
        policy_fingerprint="0" * 64, policy_title="保定市2021", inspectors_counted=2, status="dispatched")
    plan.check_items.add(*TaskPlan.objects.get(task=task).plan.check_items.all())
    draw = Draw.objects.create(plan=plan, number=1, status=DrawStatus.DRAWN)
    TaskPlan.objects.filter(task=task).update(plan=plan, draw=draw)
    TaskMember.objects.filter(task=task).update(draw=draw)
    return plan


@pytest.fixture
def mixed(tree, items, team, users):
    """County A's quarter: two tasks of its regular plan (one with a submitted record), one of its joint plan."""
    members = [team["first"], team["second"]]
    done = a_task(tree["a"], members, name="双随机甲厂", items=items)
    submitted(done, users["inspector"])
    a_task(tree["a"], members, name="双随机乙厂", items=items)
    _joint_plan(tree, a_task(tree["a"], members, name="联合抽查丙厂", items=items))
    return done


@pytest.mark.parametrize("who", ["city_admin", "county_admin", "leader"])
def test_completion_gives_the_regular_plans_numbers_apart_and_they_are_the_workbenchs(who, mixed, tree, users,
                                                                                     client):
    user = users[who]
    report = completion.for_user(user, mixed.year, mixed.quarter, timezone.localdate())
    tasks = mark(report, tree["a"].code, "tasks")
    figures = {figure.label: figure.n for figure in tasks.figures}
    assert (figures["任务"], figures["已提交记录"]) == (3, 1)  # every kind of the county's own plans
    assert (figures["双随机抽查计划任务"], figures["双随机抽查计划已提交记录"]) == (2, 1)
    rule = next(column.rule for column in report.columns if column.key == "tasks")
    assert all(kind in rule for kind in ("双随机抽查", "内部联合抽查", "线索核查", "跨部门联合抽查")), rule
    assert "本季度双随机抽查计划" in rule
    if who == "county_admin":
        return  # one place: no table of counties on his workbench
    bench = page(client, user)
    row = next(row for row in bench.context["bench"].rows if row.jurisdiction == tree["a"])
    assert (row.current.tasks, row.current.done) == (2, 1)
    html = bench.content.decode()
    assert "本季度双随机抽查计划" in html and "双随机抽查计划中已提交记录的任务 / 任务" in html
    assert "本季度计划<" not in html


def test_a_place_whose_tasks_are_all_the_regular_plans_is_not_told_them_twice(tree, items, team, users):
    task = a_task(tree["a"], [team["first"], team["second"]], name="双随机甲厂", items=items)
    report = completion.for_user(users["city_admin"], task.year, task.quarter, timezone.localdate())
    labels = [figure.label for figure in mark(report, tree["a"].code, "tasks").figures]
    assert labels == ["任务", "已提交记录", "逾期"]


def test_in_english_the_figures_and_the_column_say_the_regular_plan(mixed, users, client):
    client.force_login(users["city_admin"])
    client.cookies["django_language"] = "en"
    html = client.get(reverse("completion"), {"year": mixed.year, "quarter": mixed.quarter}).content.decode()
    assert "regular plan" in html.lower()
    home = client.get(reverse("home")).content.decode()
    assert "This quarter's regular plan" in home
