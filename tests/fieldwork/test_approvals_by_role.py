"""The 审批 tab per role. An inspector decides nothing there (his workbench counts no approvals) yet it listed
every pending clue and plan request of the county, with "在线索页面审批" / "在计划页面审批" for pages he cannot act
on (plans he cannot even open). He sees what is his: his teams' requests and the clues he reported. Admins see
everything, each hint only to who decides it; a leader reads everything but a draft's on-site request and decides
nothing."""

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


def test_a_leader_reads_everything_but_drafts_and_is_offered_no_decision(waiting, users):
    """He reads sealed records only (``reads_drafts``): a pending on-site request is a draft's, and its reason may
    name who complained (``ON_SITE_DRAFT_KEYS``); the page listed it, reason and all."""
    page = approvals(users["leader"])
    assert "检查员报告的线索" in page and "管理员报告的线索" in page and "少抽 2 家" in page
    assert waiting.number not in page and "在线监测数据异常" not in page
    assert "在线索页面审批" not in page and "在计划页面审批" not in page
    assert reverse("fieldwork:on_site_decide", args=[waiting.on_site_requests.get().pk]) not in page


# --- a department user; the page per role; one county's queue; the overview's count ---------------------------


@pytest.fixture
def department_clue(waiting, tree, users):
    """A pending clue the department user reported (department users report clues: intake.permissions)."""
    firm = Target.objects.get(name="涞水县正面清单企业")
    return Clue.objects.create(target=firm, source=ClueSource.OFF_SITE, found_on=timezone.localdate(),
                               description="科室报告的线索", reported_by=users["department_user"])


def test_a_department_user_sees_only_his_clues_and_his_departments_plans(department_clue, waiting, users, tree):
    """DESIGN §1: a department initiates its internal joint inspections; it decides no clue, no team's request
    and no plan. The tab listed the whole county's pending clues (who complained about which firm), the teams'
    requests and every plan's shortfall."""
    page = approvals(users["department_user"])
    assert "科室报告的线索" in page
    assert "检查员报告的线索" not in page and "管理员报告的线索" not in page and "待安排线索核查" not in page
    assert waiting.number not in page and "在线监测数据异常" not in page
    assert "少抽 2 家" not in page  # the county's regular plan is not his department's
    assert "在线索页面审批" not in page and "在计划页面审批" not in page
    assert 'id="fw-approvals-mine"' in page
    plan = Plan.objects.get(jurisdiction=tree["a"])
    plan.kind, plan.department = "joint", users["department_user"].department
    plan.save(update_fields=["kind", "department"])
    assert "少抽 2 家" in approvals(users["department_user"])  # his department's plan waits for the city


# what each role's 审批 tab lists of the fixture's five pending things
ALL = {"科室报告的线索", "检查员报告的线索", "管理员报告的线索", "待安排线索核查", "少抽 2 家", "在线监测数据异常"}
SEES = {
    "city_admin": ALL, "county_admin": ALL, "leader": ALL - {"在线监测数据异常"},
    "other_county_admin": set(),
    "department_user": {"科室报告的线索"},
    "inspector": {"检查员报告的线索", "在线监测数据异常"},
}


@pytest.mark.parametrize("role", sorted(SEES))
def test_what_each_role_reads_on_the_approvals_tab(role, department_clue, users):
    page = approvals(users[role])
    assert {text for text in ALL if text in page} == SEES[role]


@pytest.mark.parametrize("role", sorted(SEES))
def test_the_overviews_pending_count_is_what_the_approvals_tab_lists(role, department_clue, users):
    """The 现场检查 overview's 待审批申请 card counted the records' requests only (0 while its link listed 14
    clues): it counts the entries of the page it links to that the reader decides — an admin's own clue and the
    city's shortfall are listed there but said apart (the county admin's 6 entries: 4 his, 1 his own, 1 the
    city's); a reader who decides nothing counts what waits for him."""
    if role == "inspector":
        return  # his 现场检查 tab is 我的检查, with no such card
    answer = signed_in(users[role]).get(reverse("fieldwork:home"))
    assert answer.status_code == 200
    expected = {"city_admin": 6, "county_admin": 4, "other_county_admin": 0, "department_user": 1, "leader": 5}[role]
    assert answer.context["pending_approvals"] == expected


def test_the_tab_narrowed_to_one_county(department_clue, users, tree):
    """The city's workbench links each county's 待审批 cell to that county's queue: the page it linked to was
    the whole city's, so a cell saying 1 opened a list of 15."""
    client = signed_in(users["city_admin"])
    mine = client.get(reverse("fieldwork:approvals"), {"jurisdiction": tree["a"].pk}).content.decode()
    assert "管理员报告的线索" in mine and "少抽 2 家" in mine and 'id="fw-approvals-place"' in mine
    other = client.get(reverse("fieldwork:approvals"), {"jurisdiction": tree["b"].pk}).content.decode()
    assert "管理员报告的线索" not in other and "少抽 2 家" not in other and "在线监测数据异常" not in other
    assert "阜平县" in other
    # a county outside one's scope narrows nothing (and names nothing)
    theirs = signed_in(users["other_county_admin"]).get(reverse("fieldwork:approvals"),
                                                         {"jurisdiction": tree["a"].pk}).content.decode()
    assert "管理员报告的线索" not in theirs and 'id="fw-approvals-place"' not in theirs
