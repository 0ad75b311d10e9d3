"""A draft joint plan's (内部联合抽查) check items and participating departments are corrected until the freeze
(``services.do_correct_joint``), by its department or its jurisdiction's admins, judged as when the plan was made,
with an audit event: a department that ticked a wrong item or department could not put it right. From the freeze
nothing changes (the inputs are sealed, and stay so for a plan back to draft after a re-draw)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.audit.models import Event
from shuangsuiji.audit.services import verify_chain
from shuangsuiji.planning import services
from shuangsuiji.planning.models import Plan, PlanKind, PlanStatus
from shuangsuiji.registry.models import CheckItem, Department
from tests.clients import signed_in
from tests.concurrency import collide, require_postgres

from .conftest import DRAW_DAY, ceremony

pytestmark = pytest.mark.django_db


def joint_plan(city, **kwargs) -> Plan:
    """County A's joint plan of 2021 Q2, initiated by its 执法大队 (the ``department_user``'s department): its item
    A-01 and the department the item list names beside it, 大气环境股."""
    return services.do_create_plan(jurisdiction=city["tree"]["a"], year=2021, quarter=2, kind=PlanKind.JOINT,
                                   department=city["departments"]["enforcement_a"],
                                   acting_user=city["users"]["department_user"], **kwargs)


def department_user(city, username: str, department: Department) -> User:
    return User.objects.create_user(username=username, password="x", role=Role.DEPARTMENT,
                                    jurisdiction=department.jurisdiction, department=department)


def contents(plan: Plan) -> tuple[set[str], set[str]]:
    plan.refresh_from_db()
    return set(plan.check_items.values_list("code", flat=True)), set(plan.departments.values_list("name", flat=True))


def post_contents(client, plan: Plan, items, departments, **kwargs):
    return client.post(reverse("planning:plan_correct_joint", args=[plan.pk]),
                       {"check_items": [getattr(i, "pk", i) for i in items],
                        "departments": [getattr(d, "pk", d) for d in departments]}, **kwargs)


# --- the service -----------------------------------------------------------------------------------------------------


def test_the_department_corrects_its_draft_joint_plan_and_the_change_is_on_record(city):
    plan = joint_plan(city)
    soil = Department.objects.create(jurisdiction=city["tree"]["a"], name="土壤股")
    items, departments = city["items"], city["departments"]
    changes = services.do_correct_joint(plan, check_items=[items["risk"], items["permit"]],
                                        departments=[departments["enforcement_a"], soil],
                                        acting_user=city["users"]["department_user"])
    assert contents(plan) == ({"A-01", "C-01"}, {"执法大队", "土壤股"})
    assert changes == {"check_items": [["A-01"], ["A-01", "C-01"]],
                       "departments": [["大气环境股", "执法大队"], ["土壤股", "执法大队"]]}
    event = Event.objects.get(action="plan.correct_joint")
    assert (event.object_id, event.actor, event.changes) == (str(plan.pk), city["users"]["department_user"], changes)
    assert verify_chain() == []
    # the same choice again changes nothing and records nothing
    assert services.do_correct_joint(plan, check_items=[items["permit"], items["risk"]],
                                     departments=[soil, departments["enforcement_a"]],
                                     acting_user=city["users"]["department_user"]) == {}
    assert Event.objects.filter(action="plan.correct_joint").count() == 1


def test_a_correction_is_judged_as_the_plan_was_when_made(city):
    plan = joint_plan(city)
    user = city["users"]["department_user"]
    items, departments = city["items"], city["departments"]
    own, air = departments["enforcement_a"], departments["air_a"]
    other_county = Department.objects.create(jurisdiction=city["tree"]["b"], name="阜平县大气股")
    unused = CheckItem.objects.create(code="A-09", name="停用事项", legal_basis="环境保护法", content="—",
                                      jurisdiction=city["tree"]["a"], responsible_department=own, is_active=False)
    refusals = [
        # another department's item of his own list (A-02 is 大气环境股's)
        (dict(check_items=[items["noise"]], departments=[own, air]), "check_items", "不是以下事项的责任科室"),
        (dict(check_items=[unused], departments=[own, air]), "check_items", "不在本行政区适用的抽查事项清单中"),
        (dict(check_items=[], departments=[own, air]), "check_items", "请至少选择一项抽查事项"),
        (dict(check_items=[items["risk"]], departments=[air, Department.objects.create(
            jurisdiction=city["tree"]["a"], name="法制股")]), "departments", "参加科室应包括发起科室"),
        (dict(check_items=[items["risk"]], departments=[own]), "departments", "至少需要两个科室参加"),
        (dict(check_items=[items["risk"]], departments=[own, other_county]), "departments",
         "不是涞水县具有执法职能的科室"),
    ]
    for values, field, said in refusals:
        with pytest.raises(ValidationError) as caught:
            services.do_correct_joint(plan, acting_user=user, **values)
        assert list(caught.value.message_dict) == [field] and said in caught.value.message_dict[field][0], values
    assert contents(plan) == ({"A-01"}, {"执法大队", "大气环境股"})
    assert not Event.objects.filter(action="plan.correct_joint").exists()


def test_from_the_freeze_the_items_and_departments_do_not_change(city):
    plan = joint_plan(city)
    county = city["users"]["county_admin"]
    values = dict(check_items=[city["items"]["risk"], city["items"]["permit"]],
                  departments=[city["departments"]["enforcement_a"], city["departments"]["air_a"]])
    ceremony(plan, user=county)
    for user in (city["users"]["department_user"], county):
        assert not services.can_correct_joint(user, Plan.objects.get(pk=plan.pk))
        with pytest.raises(ValidationError, match="计划当前状态为“已抽取”"):
            services.do_correct_joint(plan, acting_user=user, **values)
    # back to draft after an approved re-draw: its first inputs were published, and stay what they were
    request = services.do_request_redraw(plan, reason="对象已关停", acting_user=county)
    services.do_approve_redraw(request, approve=True, decision="同意", acting_user=city["users"]["city_admin"])
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    assert not services.can_correct_joint(city["users"]["department_user"], plan)
    with pytest.raises(ValidationError, match=r"冻结过（第1次抽取，输入哈希已公布），抽查事项和参加科室不能再修改"):
        services.do_correct_joint(plan, acting_user=city["users"]["department_user"], **values)
    assert contents(plan) == ({"A-01"}, {"执法大队", "大气环境股"})


def test_only_a_joint_plan_has_its_departments_corrected(city):
    regular = services.do_create_plan(jurisdiction=city["tree"]["a"], year=2021, quarter=2, acting_user=None)
    county = city["users"]["county_admin"]
    assert not services.can_correct_joint(county, regular)
    with pytest.raises(ValidationError, match="只有内部联合抽查计划设参加科室"):
        services.do_correct_joint(regular, check_items=[city["items"]["permit"]], departments=[], acting_user=county)


@pytest.mark.parametrize("role, allowed", [
    ("department_user", True),  # the plan's department
    ("participating_department", False),  # 大气环境股 takes part, it did not initiate
    ("other_department", False),  # a department of the county with no part in the plan
    ("county_admin", True), ("city_admin", True), ("other_county_admin", False), ("inspector", False),
    ("leader", False),
])
def test_who_corrects_a_draft_joint_plan(city, role, allowed):
    plan = joint_plan(city)
    users = dict(city["users"])
    users["participating_department"] = department_user(city, "air", city["departments"]["air_a"])
    users["other_department"] = department_user(
        city, "law", Department.objects.create(jurisdiction=city["tree"]["a"], name="法制股"))
    user = users[role]
    values = dict(check_items=[city["items"]["risk"], city["items"]["permit"]],
                  departments=[city["departments"]["enforcement_a"], city["departments"]["air_a"]])
    assert services.can_correct_joint(user, plan) is allowed
    if allowed:
        services.do_correct_joint(plan, acting_user=user, **values)
        assert contents(plan)[0] == {"A-01", "C-01"}
    else:
        with pytest.raises(PermissionDenied):
            services.do_correct_joint(plan, acting_user=user, **values)
        assert contents(plan)[0] == {"A-01"}


# --- the plan page --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role, shown, outcome", [
    ("department_user", True, "saved"), ("county_admin", True, "saved"),
    ("other_department", False, "refused"), ("inspector", False, 404), ("other_county_admin", False, 404),
])
def test_who_corrects_on_the_plan_page(city, role, shown, outcome):
    plan = joint_plan(city)
    users = dict(city["users"])
    users["other_department"] = department_user(
        city, "law", Department.objects.create(jurisdiction=city["tree"]["a"], name="法制股"))
    client = signed_in(users[role])
    page = client.get(plan.get_absolute_url())
    action = reverse("planning:plan_correct_joint", args=[plan.pk])
    assert (page.status_code == 200 and action in page.content.decode()) is shown
    response = post_contents(client, plan, [city["items"]["risk"], city["items"]["permit"]],
                             [city["departments"]["enforcement_a"], city["departments"]["air_a"]], follow=True)
    if outcome == 404:
        assert response.status_code == 404
    elif outcome == "refused":
        assert response.redirect_chain[-1][0] == plan.get_absolute_url()
        assert "无权修改此抽查计划" in response.content.decode()
    else:
        assert response.redirect_chain[-1][0] == plan.get_absolute_url()
        assert "已保存抽查事项和参加科室" in response.content.decode()
    assert (contents(plan)[0] == {"A-01", "C-01"}) is (outcome == "saved")


def test_the_page_offers_the_form_with_the_plan_s_choices_until_the_freeze(city):
    plan = joint_plan(city)
    client = signed_in(city["users"]["department_user"])
    form = client.get(plan.get_absolute_url()).context["joint_form"]
    assert set(form.initial["check_items"]) == {city["items"]["risk"].pk}
    assert set(form.initial["departments"]) == {city["departments"]["enforcement_a"].pk,
                                                city["departments"]["air_a"].pk}
    offered = set(form.fields["check_items"].queryset)
    assert city["items"]["noise"] not in offered and {city["items"]["risk"], city["items"]["permit"]} <= offered
    assert set(form.fields["departments"].queryset) == set(Department.objects.filter(jurisdiction=city["tree"]["a"]))
    # a refusal of the service comes back under its field, the boxes as ticked
    refused = post_contents(client, plan, [city["items"]["risk"]], [city["departments"]["enforcement_a"]])
    assert refused.status_code == 400
    assert refused.context["joint_form"].errors["departments"] == ["内部联合抽查至少需要两个科室参加"]
    assert "抽查事项和参加科室未保存" in refused.content.decode()
    ceremony(plan, user=city["users"]["county_admin"])
    page = client.get(plan.get_absolute_url())
    assert page.context["joint_form"] is None
    assert reverse("planning:plan_correct_joint", args=[plan.pk]) not in page.content.decode()
    # a form left open in another tab meets the freeze: the reason at the top, nothing changed
    response = post_contents(client, plan, [city["items"]["risk"], city["items"]["permit"]],
                             [city["departments"]["enforcement_a"], city["departments"]["air_a"]], follow=True)
    assert "计划当前状态为“已抽取”" in response.content.decode()
    assert contents(plan)[0] == {"A-01"}


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_correction_meeting_the_freeze_waits_for_it_and_is_refused(city):
    """The freeze and a correction at one moment: the correction waits for the plan's row lock and then finds the
    plan frozen, so the frozen inputs are exactly the items and departments the plan holds."""
    require_postgres()
    plan = joint_plan(city)
    first, second = collide(
        lambda: services.do_approve_and_freeze(plan, acting_user=city["users"]["county_admin"], draw_date=DRAW_DAY,
                                               today=DRAW_DAY),
        lambda: services.do_correct_joint(plan, check_items=[city["items"]["risk"], city["items"]["permit"]],
                                          departments=[city["departments"]["enforcement_a"],
                                                       city["departments"]["air_a"]],
                                          acting_user=city["users"]["department_user"]))
    assert first.error is None, first.error
    assert isinstance(second.error, ValidationError) and "计划当前状态为“已审定并冻结”" in second.refused
    assert contents(plan)[0] == {"A-01"}
    assert not Event.objects.filter(action="plan.correct_joint").exists()
