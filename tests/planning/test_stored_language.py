"""What planning stores is in the system's language (Chinese) when an English-speaking user acts: plan warnings,
the strata's explanations, a draw's window warning, the reason a task was withdrawn, the events' values."""

import pytest
from django.utils import translation

from shuangsuiji.audit.models import Event
from shuangsuiji.planning import services
from shuangsuiji.planning.models import PlanKind, Task

from .conftest import D, ceremony

pytestmark = pytest.mark.django_db


def in_english(call, *args, **kwargs):
    with translation.override("en"):
        return call(*args, **kwargs)


def test_a_plan_made_in_english_stores_its_warnings_explanations_and_event_in_chinese(city):
    plan = in_english(services.do_create_plan, jurisdiction=city["tree"]["a"], year=2021, quarter=2,
                      acting_user=city["users"]["county_admin"])
    assert plan.warnings == ["2021年第2季度尚未进行季度分类，本计划按检查对象名录库中的当前类别编制"]
    rows = {row.stratum: row for row in plan.strata.all()}
    assert rows["clue"].explanation.startswith("正面清单企业原则上不进行现场检查")
    assert rows["joint"].explanation.endswith("此处核对本季度各联合抽查计划合计是否达到最低数。")
    event = Event.objects.get(action="plan.create")
    assert event.changes["period"] == "2021年第2季度" and "重点排污单位 4/4" in event.changes["strata"]
    assert event.object_repr == str(plan)


def test_a_joint_plan_made_in_english_explains_its_minimum_in_chinese(city):
    joint = in_english(services.do_create_plan, jurisdiction=city["tree"]["a"], year=2021, quarter=2,
                       acting_user=city["users"]["department_user"], kind=PlanKind.JOINT,
                       department=city["departments"]["enforcement_a"])
    assert "本季度本级其他联合抽查计划已计划 0 家，本计划至少 1 家。" in joint.strata.get(stratum="joint").explanation


def test_a_late_draw_in_english_stores_its_window_warning_and_freeze_event_in_chinese(city):
    plan = services.do_create_plan(jurisdiction=city["tree"]["a"], year=2021, quarter=2,
                                   acting_user=city["users"]["county_admin"])
    draw = in_english(ceremony, plan, day=D(2021, 3, 10))
    assert draw.window_warning.startswith("抽取日 2021-03-10 不在规定的抽取期内")
    assert "重点排污单位 4" in Event.objects.get(action="plan.freeze").changes["requested"]


def test_tasks_of_a_draw_voided_in_english_say_why_in_chinese(city):
    county, city_admin = city["users"]["county_admin"], city["users"]["city_admin"]
    plan = services.do_create_plan(jurisdiction=city["tree"]["a"], year=2021, quarter=2, acting_user=county)
    ceremony(plan, user=county)
    request = services.do_request_redraw(plan, reason="名录库漏录两家新企业", acting_user=county)
    in_english(services.do_approve_redraw, request, approve=True, decision="同意", acting_user=city_admin)
    assert set(Task.objects.values_list("withdrawn_reason", flat=True)) == {"所在抽取经批准作废：名录库漏录两家新企业"}
