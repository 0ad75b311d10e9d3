"""Nobody approves his own request: a plan's shortfall below a policy minimum and its re-draw are decided by the city,
never by the city admin who asked (a city plan's own admin asks too). And the clues an inspector reads: those tied
to his own tasks, once dispatched."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.accounts.workbench import approvals
from shuangsuiji.audit.models import Event
from shuangsuiji.intake.models import Clue
from shuangsuiji.planning import services
from shuangsuiji.planning.models import DrawStatus, RedrawState, ShortfallState, Task

from .conftest import DRAW_DAY, ceremony
from .test_clue_check import approved_clue, today


@pytest.fixture
def second_city_admin(city):
    return User.objects.create_user(username="city2", password="pw", role=Role.CITY_ADMIN,
                                    jurisdiction=city["tree"]["city"])


def city_plan(city):
    return services.do_create_plan(jurisdiction=city["tree"]["city"], year=2021, quarter=2,
                                   acting_user=city["users"]["city_admin"])


def test_the_city_admin_who_asked_for_a_shortfall_does_not_approve_it(city, second_city_admin):
    me = city["users"]["city_admin"]
    plan = city_plan(city)
    [stratum] = [s for s in plan.strata.filter(drawn=True) if s.minimum > 0][:1]
    services.do_set_requested(plan, {stratum.stratum: stratum.minimum - 1}, reasons={stratum.stratum: "一家已停产"},
                              acting_user=me)
    stratum.refresh_from_db()
    assert stratum.shortfall_state == ShortfallState.PENDING
    with pytest.raises(PermissionDenied, match="不能审批本人提出的申请"):
        services.do_approve_shortfall(stratum, approve=True, decision="同意", acting_user=me)
    stratum.refresh_from_db()
    assert (stratum.shortfall_state, stratum.shortfall_decided_by) == (ShortfallState.PENDING, None)
    assert not Event.objects.filter(action="plan.shortfall_approve").exists()
    services.do_approve_shortfall(stratum, approve=True, decision="同意", acting_user=second_city_admin)
    stratum.refresh_from_db()
    assert (stratum.shortfall_state, stratum.shortfall_decided_by) == (ShortfallState.APPROVED, second_city_admin)


def test_the_city_admin_who_asked_for_a_redraw_does_not_approve_it(city, second_city_admin):
    me = city["users"]["city_admin"]
    plan = city_plan(city)
    first = ceremony(plan, user=me)
    request = services.do_request_redraw(plan, reason="名录库漏录两家新企业", acting_user=me)
    with pytest.raises(PermissionDenied, match="不能审批本人提出的申请"):
        services.do_approve_redraw(request, approve=True, decision="同意", acting_user=me)
    with pytest.raises(PermissionDenied):
        services.do_approve_redraw(request, approve=False, decision="不同意", acting_user=me)
    request.refresh_from_db()
    first.refresh_from_db()
    assert (request.state, first.status) == (RedrawState.PENDING, DrawStatus.DRAWN)
    services.do_approve_redraw(request, approve=True, decision="同意", acting_user=second_city_admin)
    request.refresh_from_db()
    assert (request.state, request.decided_by) == (RedrawState.APPROVED, second_city_admin)


def test_the_plan_page_tells_the_asker_another_admin_decides_and_the_other_admin_gets_the_form(
        city, second_city_admin, client):
    me = city["users"]["city_admin"]
    plan = city_plan(city)
    ceremony(plan, user=me)
    services.do_request_redraw(plan, reason="名录库漏录两家新企业", acting_user=me)
    client.force_login(me)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "本申请由您提出，须由另一位管理员审批" in page and "批准重新抽取" not in page
    # posted anyway (a stale tab): refused with the reason, nothing changed
    request = plan.redraw_requests.get()
    response = client.post(reverse("planning:plan_redraw_decide", args=[plan.pk, request.pk]),
                           {"approve": "1", "decision": "同意"}, follow=True)
    assert "不能审批本人提出的申请" in response.content.decode()
    request.refresh_from_db()
    assert request.state == RedrawState.PENDING
    # his workbench does not call it his to approve
    mine = approvals(me, DRAW_DAY)
    assert not [item for item in mine.items if item.url == plan.get_absolute_url()]
    assert mine.total == 0 and mine.aside == "您提交的 1 项待他人审批"
    client.force_login(second_city_admin)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "批准重新抽取" in page and "本申请由您提出" not in page


def test_an_inspector_reads_the_clue_of_his_own_clue_check_once_dispatched(city, client):
    county = city["users"]["county_admin"]
    clue = approved_clue(city)
    clue.reported_by = None  # not his report: only the task ties him to it
    Clue.objects.filter(pk=clue.pk).update(reported_by=None)
    plan = services.do_open_clue_check(clue, acting_user=county)
    ceremony(plan, user=county, day=today())
    [task] = Task.objects.all()
    member = task.members.filter(active=True).select_related("inspector").first()
    officer = (User.objects.filter(inspector=member.inspector).first()
               or User.objects.create_user(username="officer", password="pw", role=Role.INSPECTOR,
                                           jurisdiction=city["tree"]["a"], inspector=member.inspector))
    outsider = User.objects.create_user(username="outsider", password="pw", role=Role.INSPECTOR,
                                        jurisdiction=city["tree"]["a"],
                                        inspector=city["people"]["周一"])  # of county B, not on the team
    url = reverse("intake:clue_detail", args=[clue.pk])
    client.force_login(officer)
    assert client.get(url).status_code == 404  # drawn, not yet dispatched: not on his phone yet
    services.do_dispatch(plan, acting_user=county)
    assert client.get(url).status_code == 200
    assert clue.description in client.get(reverse("intake:clue_list")).content.decode()
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert not Clue.objects.visible_to(outsider).exists()

