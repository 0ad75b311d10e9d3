# ruff: noqa: F811 (fixtures of the fieldwork tests, imported by name, are parameters here)
"""The workbench's counts say whose work it is.

A record of a city plan's visit to a county's firm is the city's to review: the city carries out its own level's
inspections (指导意见 (十四) "市级生态环境部门在做好本级随机抽查工作的同时"; the record's team is the city plan's). The
workbench counted them under the firm's county, so the city's own row said nothing and the county's row held work
that was not the county's. The problem such a record found follows the firm, though (``FollowUp.followed_up_by``):
the county's admins see it through as the city's may, and it is counted on the county's row. Each count opens
exactly the list it counts.

And a count of approvals is what the reader may decide: nobody approves his own request
(``intake.permissions.ensure_not_self``), a county does not approve its plan's shortfall (the city does). Those are
said apart, on the workbench and on the 审批 page alike, and the 现场检查 overview's card agrees with the page."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.fieldwork import services as fieldwork
from shuangsuiji.fieldwork.models import FollowUp, Handling, InspectionRecord, Recheck
from shuangsuiji.intake.models import Clue, ClueSource
from shuangsuiji.planning.models import (
    Draw,
    DrawStatus,
    MemberRole,
    Plan,
    PlanLevel,
    PlanStratum,
    ShortfallState,
    Stratum,
    TaskMember,
    TaskPlan,
)
from shuangsuiji.registry.models import Inspector
from tests.accounts.test_workbench import a_task, page, section
from tests.fieldwork.conftest import (  # noqa: F401 (fixtures, by name)
    items,
    ordered_record,
    recheck_of,
    rechecked,
    submitted,
    target,
    task,
    team,
)

pytestmark = pytest.mark.django_db


def _city_plan(tree, task):
    """Make ``task`` the city's own (本级) plan's, as its draw would have: the city drew a county's firm."""
    plan, _new = Plan.objects.get_or_create(
        jurisdiction=tree["city"], level=PlanLevel.CITY, year=task.year, quarter=task.quarter, kind="regular",
        defaults=dict(policy_id="baoding-2021", policy_version=1, policy_fingerprint="0" * 64,
                      policy_title="保定市2021", inspectors_counted=2, status="dispatched"))
    plan.check_items.add(*TaskPlan.objects.get(task=task).plan.check_items.all())
    draw, _new = Draw.objects.get_or_create(plan=plan, number=1, defaults={"status": DrawStatus.DRAWN})
    TaskPlan.objects.filter(task=task).update(plan=plan, draw=draw)
    TaskMember.objects.filter(task=task).update(draw=draw)
    return plan


def city_recheck_chain(tree, items, team, inspector) -> tuple:
    """A city plan's visit to a firm of county A that ordered a rectification, its re-check finding it again (an
    order again), and the re-check of that re-check finding it once more (a case): the city's task and its three
    sealed records, first to last."""
    city_task = a_task(tree["a"], [team["first"], team["second"]], name="市级复查厂", items=items)
    _city_plan(tree, city_task)
    records = [ordered_record(city_task, inspector)]
    for problem in (Handling.ORDER, Handling.CASE):  # re-checked twice: the second re-check's source is a re-check
        records.append(rechecked(recheck_of(records[-1]), inspector, problem=problem))
    return city_task, records


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(username="root", password="pw-root")


def _cells(client, user, column: str) -> dict:
    bench = page(client, user).context["bench"]
    index = bench.columns.index(column)
    return {row.jurisdiction.code: row.cells[index] for row in bench.rows}


def _listed(client, url: str) -> list[str]:
    """The numbers of the records (or of the follow-ups' records) the page at ``url`` lists."""
    rows = client.get(url).context["page"].object_list
    return sorted(row.number if isinstance(row, InspectionRecord) else row.record.number for row in rows)


# --- 待审核 -----------------------------------------------------------------------------------------------------


@pytest.fixture
def two_records(tree, items, team, users):
    """A record waiting for review of the county's own plan, and one of the city's plan, both of firms in county
    A."""
    members = [team["first"], team["second"]]
    county = submitted(a_task(tree["a"], members, name="县级计划厂", items=items), users["inspector"])
    city_task = a_task(tree["a"], members, name="市级计划厂", items=items)
    _city_plan(tree, city_task)
    return county, submitted(city_task, users["inspector"])


@pytest.mark.parametrize("who", ["city_admin", "leader", "superuser"])
def test_a_city_plans_record_waits_for_review_on_the_citys_row(who, two_records, tree, users, superuser, client):
    county, city = two_records
    user = superuser if who == "superuser" else users[who]
    cells = _cells(client, user, "待审核记录")
    assert (cells[tree["city"].code].n, cells[tree["a"].code].n, cells[tree["b"].code].n) == (1, 1, 0)
    # the number equals the rows the link opens, for the city's row and for a county's
    assert _listed(client, cells[tree["city"].code].url) == [city.number]
    assert _listed(client, cells[tree["a"].code].url) == [county.number]
    assert _listed(client, cells[tree["b"].code].url) == []
    assert section(page(client, user), "review").total == 2


def test_a_county_admin_counts_his_own_plans_records_and_opens_exactly_them(two_records, users, client):
    """The county reads the city's record of its firm (the gate is by the firm's place) but it is not his to
    review: his count and the list it opens hold his own plan's record only."""
    county, _city = two_records
    mine = section(page(client, users["county_admin"]), "review")
    assert (mine.total, [i.title for i in mine.items]) == (1, ["县级计划厂"])
    assert _listed(client, mine.more_url) == [county.number]
    assert section(page(client, users["other_county_admin"]), "review").total == 0


@pytest.mark.parametrize("who", ["department_user", "inspector"])
def test_who_reviews_no_record_has_no_review_count(who, two_records, users, client):
    assert section(page(client, users[who]), "review").total == 0


def _review_card(client, user) -> tuple[str, int, str, bool]:
    """The 现场检查 overview's 待审核 card: its label, its number, the link it opens, whether it carries the note
    that the admins review them."""
    client.force_login(user)
    html = client.get(reverse("fieldwork:home")).content.decode()
    found = re.search(r'href="([^"]+)" id="awaiting-review">([^<]+)</a>\s*<div class="display-6" '
                      r'id="awaiting-count">([\d,]+)</div>', html)
    assert found, html
    url, label, n = found.groups()
    return label, int(n.replace(",", "")), url.replace("&amp;", "&"), 'id="awaiting-scope"' in html


def test_a_department_users_review_card_says_it_is_his_areas_not_his_queue(two_records, users, client):
    """He reviews nothing (only the admins of the bureau whose plan drew the visit do), and his workbench counts
    none; the overview's card counted his bureau's under the admins' words 待审核记录, as if they were his to
    review. It says 本辖区待审核记录 and who reviews them, as his 本辖区逾期未办结问题 card does; the link opens
    exactly them."""
    county, _city = two_records
    label, n, url, note = _review_card(client, users["department_user"])
    assert (label, n, note) == ("本辖区待审核记录", 1, True)
    assert _listed(client, url) == [county.number]
    client.force_login(users["department_user"])
    assert "由管理员审核，供您了解" in client.get(reverse("fieldwork:home")).content.decode()
    client.cookies["django_language"] = "en"
    assert _review_card(client, users["department_user"])[0] == "Records awaiting review in your area"


@pytest.mark.parametrize(("who", "n"), [("county_admin", 1), ("other_county_admin", 0), ("city_admin", 2),
                                        ("leader", 2)])
def test_who_reviews_or_reads_the_reviewing_keeps_the_review_card(who, n, two_records, users, client):
    """The admins review them; a leader reads their reviewing (as he reads their seeing-through of problems)."""
    label, count, _url, note = _review_card(client, users[who])
    assert (label, count, note) == ("待审核记录", n, False)


def test_a_list_narrowed_to_a_bureau_outside_the_readers_scope_lists_nothing(two_records, tree, users, client):
    client.force_login(users["other_county_admin"])
    answer = client.get(reverse("fieldwork:followup_list"), {"place": tree["a"].pk, "state": "all"})
    # refused in words, nothing listed (tests/fieldwork/test_followup_list_place.py)
    assert answer.status_code == 404 and list(answer.context["page"].object_list) == []


# --- 逾期问题 -----------------------------------------------------------------------------------------------------


@pytest.fixture
def two_problems(tree, items, team, users):
    """An overdue problem found by the county's own plan's visit and one found by the city's, in county A."""
    members = [team["first"], team["second"]]
    county = submitted(a_task(tree["a"], members, name="县级问题厂", items=items), users["inspector"],
                       problem=Handling.CASE)
    city_task = a_task(tree["a"], members, name="市级问题厂", items=items)
    _city_plan(tree, city_task)
    city = submitted(city_task, users["inspector"], problem=Handling.CASE)
    FollowUp.objects.update(due_date=timezone.localdate() - datetime.timedelta(days=3))
    return county, city


@pytest.mark.parametrize("who", ["city_admin", "leader", "superuser"])
def test_a_city_plans_overdue_problem_is_on_the_firms_countys_row(who, two_problems, tree, users, superuser,
                                                                  client):
    """The city's row held the city plan's problem and county A's row only the county plan's, although county A
    follows both up (a problem follows the firm): its row now counts both, and opens exactly them; the city's row
    says where its plans' problems are."""
    county, city = two_problems
    user = superuser if who == "superuser" else users[who]
    cells = _cells(client, user, "逾期问题")
    assert (cells[tree["city"].code].n, cells[tree["a"].code].n, cells[tree["b"].code].n) == (0, 2, 0)
    assert cells[tree["a"].code].late == 2
    assert _listed(client, cells[tree["a"].code].url) == sorted([county.number, city.number])
    assert cells[tree["city"].code].elsewhere.startswith("问题随企业")
    assert _listed(client, cells[tree["city"].code].url) == sorted([county.number, city.number])
    follow_ups = section(page(client, user), "follow_ups")
    assert (follow_ups.total, follow_ups.overdue) == (2, 2)


def test_a_county_admin_follows_up_his_firms_problems_whoever_drew_the_visit(two_problems, users, client):
    county, city = two_problems
    response = page(client, users["county_admin"])
    mine = section(response, "follow_ups")
    assert (mine.total, sorted(i.title for i in mine.items)) == (2, ["县级问题厂", "市级问题厂"])
    assert _listed(client, mine.more_url) == sorted([county.number, city.number])
    # the menu's red badge on every page says the same number (it said 1: not the city plan's problem)
    assert 'title="逾期未办结问题">2<' in response.content.decode()
    assert 'title="逾期未办结问题">2<' in page(client, users["city_admin"]).content.decode()
    assert section(page(client, users["other_county_admin"]), "follow_ups").total == 0


def test_the_inspector_still_sees_his_teams_problems(two_problems, users, client):
    """His are his teams' whoever drew the visit (``visible_to``): both."""
    assert section(page(client, users["inspector"]), "follow_ups").total == 2


def test_a_department_user_has_no_overdue_problems_section(two_problems, users, client):
    assert section(page(client, users["department_user"]), "follow_ups").total == 0


def test_re_checks_of_a_city_plans_record_are_the_citys_down_the_chain(tree, items, team, users, client):
    """A re-check is done by the officers who ordered it: its record, and a re-check of that re-check's, are the
    work of the bureau that drew the first visit."""
    _city_task, records = city_recheck_chain(tree, items, team, users["inspector"])
    numbers, source = [record.number for record in records], records[-1]
    assert Recheck.objects.filter(source_record__recheck__isnull=False).count() == 1
    FollowUp.objects.update(due_date=timezone.localdate() - datetime.timedelta(days=3))
    review = _cells(client, users["city_admin"], "待审核记录")
    assert (review[tree["city"].code].n, review[tree["a"].code].n) == (3, 0)
    assert _listed(client, review[tree["city"].code].url) == sorted(numbers)
    # its last problem follows the firm, as the first visit's did: county A's
    problems = _cells(client, users["city_admin"], "逾期问题")
    assert (problems[tree["city"].code].n, problems[tree["a"].code].n) == (0, 1)
    assert _listed(client, problems[tree["a"].code].url) == [source.number]
    assert section(page(client, users["county_admin"]), "review").total == 0
    assert _listed(client, section(page(client, users["county_admin"]), "follow_ups").more_url) == [source.number]


# --- 待审批 -----------------------------------------------------------------------------------------------------


@pytest.fixture
def requests(tree, task, users):
    """Three pending things in county A: the county admin's own amendment request, a shortfall of the county's
    plan (the city decides it) and a clue the inspector reported."""
    record = submitted(task, users["inspector"])
    fieldwork.do_request_amendment(record, reason="现场负责人姓名写错", acting_user=users["county_admin"])
    PlanStratum.objects.create(plan=Plan.objects.get(jurisdiction=tree["a"]), stratum=Stratum.KEY, population=10,
                               minimum=5, requested=3, explanation="≥50%", citation="指导意见 二(一)",
                               shortfall_state=ShortfallState.PENDING, shortfall_reason="停产")
    firm = task.target
    Clue.objects.create(target=firm, source=ClueSource.OFF_SITE, found_on=timezone.localdate(),
                        description="在线监测数据异常", reported_by=users["inspector"])
    return record


# role → (his to decide, his own waiting on another, the rest) as the page and the workbench say them; None: the
# reader decides nothing, and his page and card count what is listed for him
SPLITS = {
    "county_admin": (1, 1, 1),
    "city_admin": (3, 0, 0),
    "superuser": (3, 0, 0),
    "other_county_admin": (0, 0, 0),
    "leader": None,
    "department_user": None,
    "inspector": None,
}


@pytest.mark.parametrize("who", sorted(SPLITS))
def test_the_approvals_count_is_what_the_reader_decides(who, requests, users, superuser, client):
    user = superuser if who == "superuser" else users[who]
    client.force_login(user)
    answer = client.get(reverse("fieldwork:approvals"))
    html = answer.content.decode()
    split = SPLITS[who]
    if split is None:
        assert 'id="fw-approvals-count"' not in html and 'id="fw-approvals-own"' not in html
    else:
        mine, own, others = split
        assert f"待您审批 {mine} 项" in html
        assert (f"您提交的 {own} 项待他人审批" in html) == bool(own)
        assert (f"另有 {others} 项由他人审批" in html) == bool(others)
    # the 现场检查 overview's card says the page's number
    card = client.get(reverse("fieldwork:home"))
    if card.status_code == 200 and "pending_approvals" in card.context:
        expected = split[0] if split else None
        if expected is not None:
            assert card.context["pending_approvals"] == expected
    # and the workbench's 待审批 counts it too, his own and the rest said beside
    items = section(page(client, user), "approvals")
    if split is None:
        assert items.total == 0 and items.aside == ""
    else:
        mine, own, others = split
        said = [text for n, text in ((own, f"您提交的 {own} 项待他人审批"), (others, f"另有 {others} 项由他人审批"))
                if n]
        assert (items.total, items.aside) == (mine, "；".join(said))
        assert len(items.items) == mine


def test_a_county_cells_approvals_open_a_page_saying_the_same_number(requests, tree, users, client):
    cells = _cells(client, users["city_admin"], "待您审批")
    assert cells[tree["a"].code].n == 3
    html = client.get(cells[tree["a"].code].url).content.decode()
    assert "待您审批 3 项" in html


def test_an_admin_on_the_records_team_does_not_count_its_correction(requests, tree, team, users, client):
    """A record's correction is approved by someone not on its team (``ensure_not_on_team``): an admin drawn onto
    it reads the request, is told another admin decides it, and does not count it."""
    officer = Inspector.objects.create(name="王五", certificate_number="13062300009",
                                       certificate_expiry=datetime.date(2030, 1, 1), jurisdiction=tree["a"],
                                       department=tree["departments"]["130623"])
    on_team = TaskMember.objects.filter(task=requests.task).first()
    TaskMember.objects.create(task=requests.task, draw=on_team.draw, inspector=officer, role=MemberRole.OFFICER,
                              slot=9, slot_kind="officer")
    colleague = User.objects.create_user(username="county_admin2", password="pw-x", role=Role.COUNTY_ADMIN,
                                         jurisdiction=tree["a"], inspector=officer)
    client.force_login(colleague)
    html = client.get(reverse("fieldwork:approvals")).content.decode()
    assert "待您审批 1 项" in html and "另有 2 项由他人审批" in html and "data-not-mine" in html
    assert reverse("fieldwork:amendment_decide", args=[requests.amendment_requests.get().pk]) not in html
    assert section(page(client, colleague), "approvals").total == 1


def test_an_admin_on_the_records_team_does_not_decide_its_on_site_request(tree, task, team, users, client):
    """The on-site approval is the evidence that a positive-list firm's visit was lawful (实施方案 二(三)): an admin
    drawn onto the team approved the visit his team mate had asked for (only his own request was refused). And a
    leader's 审批 page listed the draft's request with its reason."""
    officer = Inspector.objects.create(name="王五", certificate_number="13062300009",
                                       certificate_expiry=datetime.date(2030, 1, 1), jurisdiction=tree["a"],
                                       department=tree["departments"]["130623"])
    on_team = TaskMember.objects.filter(task=task).first()
    TaskMember.objects.create(task=task, draw=on_team.draw, inspector=officer, role=MemberRole.OFFICER,
                              slot=9, slot_kind="officer")
    colleague = User.objects.create_user(username="county_admin2", password="pw-x", role=Role.COUNTY_ADMIN,
                                         jurisdiction=tree["a"], inspector=officer)
    record = fieldwork.do_start_record(task, acting_user=users["inspector"])
    InspectionRecord.objects.filter(pk=record.pk).update(positive_list=True, mode="off_site")
    approval = fieldwork.do_request_on_site(record, reason="群众举报夜间偷排", acting_user=users["inspector"])
    client.force_login(colleague)
    html = client.get(reverse("fieldwork:approvals")).content.decode()
    assert "待您审批" not in html or "待您审批 0 项" in html
    assert "另有 1 项由他人审批" in html and "data-not-mine" in html
    assert reverse("fieldwork:on_site_decide", args=[approval.pk]) not in html
    assert section(page(client, colleague), "approvals").total == 0
    with pytest.raises(PermissionDenied, match="不能审批本组的现场检查申请"):
        fieldwork.do_decide_on_site(approval, approve=True, decision="同意", acting_user=colleague)
    record.refresh_from_db()
    assert record.on_site_approval_id is None and record.mode == "off_site"
    # a leader reads sealed records only: the pending request is a draft's, its reason may name who complained
    client.force_login(users["leader"])
    assert "群众举报夜间偷排" not in client.get(reverse("fieldwork:approvals")).content.decode()
    client.force_login(users["county_admin"])
    assert "群众举报夜间偷排" in client.get(reverse("fieldwork:approvals")).content.decode()
    # another admin of the county, not on the team, decides it
    fieldwork.do_decide_on_site(approval, approve=True, decision="同意", acting_user=users["county_admin"])
    record.refresh_from_db()
    assert record.on_site_approval_id == approval.pk


# --- 一公开: the city's row -------------------------------------------------------------------------------------


@pytest.fixture
def city_plans_result(tree, items, team, users):
    """A reviewed record of the city's own plan's visit to a firm of county A, ended last month and not published:
    a month county A has to publish (a result is published in the month of the firm's county)."""
    city_task = a_task(tree["a"], [team["first"], team["second"]], name="市级计划厂", items=items)
    _city_plan(tree, city_task)
    ended = timezone.now() - datetime.timedelta(days=35)  # a month before this one, whose results are due
    record = submitted(city_task, users["inspector"], started_at=ended - datetime.timedelta(hours=2), ended_at=ended)
    fieldwork.do_review_record(record, passed=True, acting_user=users["city_admin"])
    return record


PUBLICATION_COLUMNS = {"未公开月份": "本级计划的检查结果由检查对象所在县（市、区）按月公开，计入各县一行",
                       "待审批次": "公开批次按检查对象所在县（市、区）逐月生成",
                       "待更正": "待更正的公开结果计入检查对象所在县（市、区）一行",
                       "待答复异议": "异议由结果所属的县（市、区）答复"}


@pytest.mark.parametrize("who", ["city_admin", "leader", "superuser"])
def test_the_citys_row_says_its_results_are_counted_on_the_counties_rows(who, city_plans_result, tree, users,
                                                                        superuser, client):
    """未公开月份 of the city's row read "–" while its own plan's result waited in county A's month: a result is
    published in the month of the firm's county (as 完成情况's 结果公开 says), and so are its batch, corrections and
    objections. The city's row now says where they are, and links to where they are listed; a county with nothing
    still reads "–"."""
    user = superuser if who == "superuser" else users[who]
    bench = page(client, user).context["bench"]
    months = _cells(client, user, "未公开月份")
    assert months[tree["a"].code].n == 1 and not months[tree["a"].code].elsewhere  # the city's plan's month
    assert not months[tree["b"].code].n and not months[tree["b"].code].elsewhere
    city = months[tree["city"].code]
    assert city.n == 0 and city.elsewhere == PUBLICATION_COLUMNS["未公开月份"]
    for column, says in PUBLICATION_COLUMNS.items():
        if column in bench.columns:  # 待审批次 and 待答复异议 are an admin's and a leader's
            cell = _cells(client, user, column)[tree["city"].code]
            assert says in cell.elsewhere, column
            assert client.get(cell.url).status_code == 200, column  # the reader may open the list it links to
    # the link opens 一公开, where county A's month is listed, and the reader may open it
    overview = client.get(city.url)
    assert city.url == reverse("disclosure:overview") and overview.status_code == 200
    grid = {row["jurisdiction"].code: row for row in overview.context["grid"]}
    assert any(state for _label, state in grid[tree["a"].code]["cells"])
    text = page(client, user).content.decode()
    assert "计入各县" in text and "市级计划发现的问题和检查结果计入各县一行" in text
    # the other columns of the city's row are its own (its plans' tasks and records): no such note
    assert not _cells(client, user, "待审核记录")[tree["city"].code].elsewhere


@pytest.mark.parametrize("who", ["county_admin", "department_user", "inspector"])
def test_who_has_no_table_of_counties_reads_no_such_note(who, city_plans_result, users, client):
    response = page(client, users[who])
    assert not response.context["bench"].rows and "计入各县" not in response.content.decode()


def test_the_citys_row_says_so_in_english(city_plans_result, tree, users, client):
    client.cookies["django_language"] = "en"
    bench = page(client, users["city_admin"]).context["bench"]
    city = next(row for row in bench.rows if row.jurisdiction == tree["city"])
    notes = [cell.elsewhere for cell in city.cells if cell.elsewhere]
    assert len(notes) == 5 and not [note for note in notes if re.search(r"[\u4e00-\u9fff]", note)]
    text = page(client, users["city_admin"]).content.decode()
    assert "in counties" in text and "the results of the city's own plans are on the counties' rows" in text
