"""A draft 线索核查 or 跨部门联合抽查 that will not be drawn is withdrawn: entered with a wrong firm or department, its
firm closed before the freeze (which then refuses it for good), the initiator calling the joint check off, or its
quarter over. Before, such a draft stayed in the plan list for ever, and a clue whose check was stuck could never
be checked. A draft was never public, so it is deleted; its audit event keeps what it held and why it went."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from shuangsuiji.audit.models import Event
from shuangsuiji.audit.services import history_for, verify_chain
from shuangsuiji.planning import services
from shuangsuiji.planning.models import CrossCheck, Plan, PlanKind, PlanStatus, PlanStratum
from tests.clients import signed_in
from tests.concurrency import collide, require_postgres

from .conftest import ceremony
from .test_clue_check import approved_clue
from .test_cross_check import MARKET, codes, create, keys_a, this_quarter, today


def test_a_cross_department_draft_is_withdrawn_with_its_facts_kept_in_the_audit_chain(city):
    county = city["users"]["county_admin"]
    plan = create(city, participants=["保定市应急管理局"], platform_ref="BD-2026-XT-0009")
    title, pk = str(plan), plan.pk
    facts = services.do_withdraw_draft(plan, reason="发起部门已取消该次联合抽查", acting_user=county)
    assert not Plan.objects.filter(pk=pk).exists()
    assert not CrossCheck.objects.exists() and not PlanStratum.objects.filter(plan_id=pk).exists()
    event = Event.objects.get(action="plan.withdraw_draft")
    assert (event.actor, event.reason, event.object_id) == (county, "发起部门已取消该次联合抽查", str(pk))
    assert event.changes == facts
    assert (facts["title"], facts["kind"], facts["initiator"], facts["participants"], facts["platform_ref"]) == (
        title, PlanKind.CROSS, MARKET, [MARKET, "保定市应急管理局"], "BD-2026-XT-0009")
    assert sorted(facts["targets"]) == sorted(codes(city, *keys_a(city, "key", 2), *keys_a(city, "general", 1)))
    assert facts["stratum"] == "cross" and facts["check_items"]
    assert verify_chain() == []


def test_a_withdrawn_clue_check_lets_the_clue_wait_for_a_check_again(city):
    county = city["users"]["county_admin"]
    clue = approved_clue(city)
    plan = services.do_open_clue_check(clue, acting_user=county)
    from shuangsuiji.intake.models import Clue

    assert not services.clues_awaiting_check(Clue.objects.all()).exists()
    facts = services.do_withdraw_draft(plan, reason="核查对象填错", acting_user=county)
    assert facts["clue"] == clue.pk and facts["targets"] == [clue.target.credit_code]
    assert list(services.clues_awaiting_check(Clue.objects.all())) == [clue]
    again = services.do_open_clue_check(Clue.objects.get(pk=clue.pk), acting_user=county)
    assert again.pk != plan.pk and again.clue_id == clue.pk


def test_a_withdrawn_clue_check_is_told_on_the_clue_s_history(city):
    county = city["users"]["county_admin"]
    clue = approved_clue(city)
    plan = services.do_open_clue_check(clue, acting_user=county)
    pk = plan.pk
    services.do_withdraw_draft(plan, reason="核查事项选错，重新安排", acting_user=county)
    event = Event.objects.get(action="clue.check_withdrawn")
    assert (event.object_id, event.actor, event.reason, event.changes["plan"]) == (
        str(clue.pk), county, "核查事项选错，重新安排", pk)
    assert [e.action for e in history_for(clue)][:2] == ["clue.check_withdrawn", "clue.check_opened"]


def test_refusals_name_their_reason_and_delete_nothing(city, users):
    county = city["users"]["county_admin"]
    plan = create(city)
    with pytest.raises(ValidationError, match="请填写撤销理由"):
        services.do_withdraw_draft(plan, reason="  ", acting_user=county)
    # a regular plan is corrected in place, never withdrawn
    year, quarter = this_quarter()
    regular = services.do_create_plan(jurisdiction=city["tree"]["a"], year=year, quarter=quarter,
                                      acting_user=county)
    assert not services.can_withdraw_draft(county, regular)
    with pytest.raises(ValidationError, match="只有线索核查和跨部门联合抽查的草稿可以撤销；双随机抽查计划"):
        services.do_withdraw_draft(regular, reason="不需要了", acting_user=county)
    # frozen: its inputs hash is public
    services.do_approve_and_freeze(plan, acting_user=county, draw_date=today(), today=today())
    assert not services.can_withdraw_draft(county, plan)
    with pytest.raises(ValidationError, match="计划当前状态为“已审定并冻结”"):
        services.do_withdraw_draft(plan, reason="不需要了", acting_user=county)
    assert Plan.objects.filter(pk__in=[plan.pk, regular.pk]).count() == 2
    assert not Event.objects.filter(action="plan.withdraw_draft").exists()


def test_a_draft_back_from_a_redraw_is_not_withdrawn(city):
    """A re-draw puts the plan back to draft, but its first inputs hash (and draw) were public."""
    county, city_admin = city["users"]["county_admin"], city["users"]["city_admin"]
    plan = create(city)
    ceremony(plan, user=county, day=today())
    request = services.do_request_redraw(plan, reason="对象代码填错", acting_user=county)
    services.do_approve_redraw(request, approve=True, decision="同意", acting_user=city_admin)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT and not services.can_withdraw_draft(county, plan)
    with pytest.raises(ValidationError, match=r"冻结过（第1次抽取，输入哈希已公布），不能撤销"):
        services.do_withdraw_draft(plan, reason="不需要了", acting_user=county)
    assert Plan.objects.filter(pk=plan.pk).exists()


@pytest.mark.parametrize("role, allowed", [
    ("city_admin", True), ("county_admin", True), ("other_county_admin", False), ("department_user", False),
    ("inspector", False), ("leader", False)])
def test_who_withdraws_a_draft_on_its_page(city, role, allowed):
    plan = create(city)
    user = city["users"][role]
    client = signed_in(user)
    page = client.get(plan.get_absolute_url())
    shown = page.status_code == 200 and reverse("planning:plan_withdraw", args=[plan.pk]) in page.content.decode()
    assert shown is allowed
    assert services.can_withdraw_draft(user, plan) is allowed
    response = client.post(reverse("planning:plan_withdraw", args=[plan.pk]), {"reason": "发起部门已取消"},
                           follow=True)
    if allowed:
        assert response.redirect_chain[-1][0] == reverse("planning:plan_list")
        assert "（草稿，未公开）" in response.content.decode()
        assert not Plan.objects.filter(pk=plan.pk).exists()
    else:
        assert response.status_code in (403, 404) or "无权" in response.content.decode() \
            or "管理员" in response.content.decode()
        assert Plan.objects.filter(pk=plan.pk).exists()
        if response.status_code == 200:  # told on the plan's own page, which the user may read
            with pytest.raises(PermissionDenied):
                services.do_withdraw_draft(plan, reason="x", acting_user=user)


def test_the_page_keeps_a_refused_withdrawal_on_the_plan_with_its_reason(city):
    plan = create(city)
    client = signed_in(city["users"]["county_admin"])
    response = client.post(reverse("planning:plan_withdraw", args=[plan.pk]), {"reason": ""}, follow=True)
    assert response.redirect_chain[-1][0] == plan.get_absolute_url()
    assert "请填写撤销理由" in response.content.decode()
    assert Plan.objects.filter(pk=plan.pk).exists()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_admins_withdrawing_at_once_withdraw_once(city):
    require_postgres()
    plan = create(city)
    city_client = signed_in(city["users"]["city_admin"])
    first, second = collide(
        lambda: services.do_withdraw_draft(plan, reason="发起部门已取消", acting_user=city["users"]["county_admin"]),
        lambda: city_client.post(reverse("planning:plan_withdraw", args=[plan.pk]), {"reason": "对象填错"},
                                 follow=True))
    assert first.error is None and second.error is None, (first.error, second.error)
    assert second.value.redirect_chain[-1][0] == reverse("planning:plan_list")
    assert "该计划草稿已被撤销" in second.value.content.decode()
    assert Event.objects.filter(action="plan.withdraw_draft").count() == 1
