"""The 审批 tab per role. An inspector decides nothing there (his workbench counts no approvals) yet it listed
every pending clue and plan request of the county, with "在线索页面审批" / "在计划页面审批" for pages he cannot act
on (plans he cannot even open). He sees what is his: his teams' requests and the clues he reported. Admins see
everything, each hint only to who decides it; a leader reads everything and decides nothing."""

import pytest
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.fieldwork import services
from shuangsuiji.intake.models import Clue, ClueSource, ClueStatus
from shuangsuiji.planning.models import Plan, PlanStratum, ShortfallState, Stratum
from shuangsuiji.registry.models import Target
from tests.clients import signed_in

from .conftest import code_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(tree, task, users):
    """One of each kind: a shortfall of the task's plan (the city's), a clue reported by the county admin and one
    by the inspector (both pending), an approved clue waiting for its check, and an on-site request of the
    inspector's team."""
    plan = Plan.objects.get(jurisdiction=tree["a"])
    PlanStratum.objects.create(plan=plan, stratum=Stratum.KEY, population=10, minimum=5, requested=3,
                               explanation="≥50%", citation="指导意见 二(一)",
                               shortfall_state=ShortfallState.PENDING, shortfall_reason="停产")
    firm = Target.objects.create(credit_code=code_for("130623", 77), name="涞水县正面清单企业", jurisdiction=tree["a"],
                                 positive_list=True)
    today = timezone.localdate()
    Clue.objects.create(target=firm, source=ClueSource.OFF_SITE, found_on=today, description="管理员报告的线索",
                        reported_by=users["county_admin"])
    Clue.objects.create(target=firm, source=ClueSource.OFF_SITE, found_on=today, description="检查员报告的线索",
                        reported_by=users["inspector"])
    Clue.objects.create(target=firm, source=ClueSource.OFF_SITE, found_on=today, description="已批准的线索",
                        status=ClueStatus.APPROVED, decided_at=timezone.now())
    task.target.positive_list = True
    task.target.save(update_fields=["positive_list"])
    record = services.do_start_record(task, acting_user=users["inspector"])
    services.do_request_on_site(record, reason="在线监测数据异常，需现场核实", acting_user=users["inspector"])
    return record


def approvals(user) -> str:
    answer = signed_in(user).get(reverse("fieldwork:approvals"))
    assert answer.status_code == 200
    return answer.content.decode()


def test_an_inspector_sees_his_own_requests_and_clues_only(waiting, users):
    page = approvals(users["inspector"])
    assert waiting.number in page and "在线监测数据异常" in page  # his team's on-site request
    assert "检查员报告的线索" in page  # the clue he reported
    assert "管理员报告的线索" not in page and "已批准的线索" not in page and "待安排线索核查" not in page
    assert 'id="plans"' not in page and "少抽 2 家" not in page
    assert "在线索页面审批" not in page and "在计划页面审批" not in page
    assert reverse("fieldwork:on_site_decide", args=[waiting.on_site_requests.get().pk]) not in page
    assert 'id="fw-approvals-mine"' in page
    # the tab stays in his menu: what is there is his
    assert reverse("fieldwork:approvals") in signed_in(users["inspector"]).get(
        reverse("fieldwork:record_list")).content.decode()


def test_a_county_admin_sees_every_request_and_is_told_where_he_decides_clues(waiting, users):
    page = approvals(users["county_admin"])
    assert "检查员报告的线索" in page and "管理员报告的线索" in page and "待安排线索核查" in page
    assert 'id="plans"' in page and "少抽 2 家" in page
    assert "在线索页面审批" in page
    assert "在计划页面审批" not in page  # the city decides a shortfall; the card says 市局审批
    assert reverse("fieldwork:on_site_decide", args=[waiting.on_site_requests.get().pk]) in page
    assert 'id="fw-approvals-mine"' not in page


def test_a_city_admin_is_told_where_he_decides_plans(waiting, users):
    page = approvals(users["city_admin"])
    assert "少抽 2 家" in page and "在计划页面审批" in page


def test_a_leader_reads_everything_and_is_offered_no_decision(waiting, users):
    page = approvals(users["leader"])
    assert "检查员报告的线索" in page and "管理员报告的线索" in page and "少抽 2 家" in page
    assert waiting.number in page
    assert "在线索页面审批" not in page and "在计划页面审批" not in page
    assert reverse("fieldwork:on_site_decide", args=[waiting.on_site_requests.get().pk]) not in page
