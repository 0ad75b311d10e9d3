"""A check's deadline says what it rests on: the clause that sets it, or that the quarter's end (or a re-check's
15 days) is the bureau's own rule where the policy sets none — a 线索核查 is due 立即 (实施方案 二(三)), which the
quarter's end is not."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.planning import services
from shuangsuiji.planning.models import Task

from .conftest import DRAW_DAY, ceremony
from .test_clue_check import approved_clue

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.mark.parametrize(("kind", "deadline", "policy", "said"), [
    ({}, D(2027, 3, 31), True, "实施方案 二(四)"),
    ({"joint": True}, D(2027, 3, 31), True, "附件 二(三)"),
    ({"clue": True}, D(2027, 3, 31), False, "“应立即开展现场检查”（实施方案 二(三)）"),
    ({"cross": True}, D(2027, 3, 31), False, "发起部门没有规定截止日期"),
    ({"cross": True}, D(2027, 2, 15), True, "发起部门规定的检查截止日期"),
])
def test_each_kind_of_check_says_what_its_deadline_rests_on(kind, deadline, policy, said):
    basis = services.deadline_basis(year=2027, quarter=1, deadline=deadline, **kind)
    assert basis.policy is policy and said in basis.text
    assert ("本局的规定，不是政策规定的期限" in basis.text) is not policy


def test_a_clue_check_s_pages_say_the_quarter_end_is_the_bureau_s_rule(city, client):
    county = city["users"]["county_admin"]
    plan = services.do_open_clue_check(approved_clue(city), acting_user=county)
    client.force_login(county)
    shown = client.get(plan.get_absolute_url()).content.decode()
    assert 'id="deadline-basis" data-policy="0"' in shown and "应立即开展现场检查" in shown
    ceremony(plan, user=county, day=timezone.localdate())
    services.do_dispatch(plan, acting_user=county)
    [task] = Task.objects.all()
    for url in (task.get_absolute_url(), reverse("fieldwork:task_brief", args=[task.pk])):  # desk and phone
        page = client.get(url).content.decode()
        assert 'id="deadline-basis" data-policy="0"' in page and "本局的规定" in page, url


def test_a_regular_task_cites_the_quarterly_draw(city, client):
    county = city["users"]["county_admin"]
    plan = services.do_create_plan(jurisdiction=city["tree"]["a"], year=2021, quarter=2, acting_user=county)
    ceremony(plan, user=county, day=DRAW_DAY)
    task = Task.objects.first()
    client.force_login(county)
    page = client.get(task.get_absolute_url()).content.decode()
    assert 'id="deadline-basis" data-policy="1"' in page and "实施方案 二(四)" in page
    assert "本局的规定" not in page
