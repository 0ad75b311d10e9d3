# ruff: noqa: F811 (fixtures of the fieldwork tests, imported by name, are parameters here)
"""The home page's workbench: each role sees what it must act on, inside its scope and nothing outside it;
overdue items are marked; the page's queries do not grow with the number of items."""

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from shuangsuiji.accounts import workbench
from shuangsuiji.accounts.models import User
from shuangsuiji.disclosure import services as disclosure
from shuangsuiji.engine.workdays import quarter_of
from shuangsuiji.fieldwork import services as fieldwork
from shuangsuiji.fieldwork.models import FollowUp, Handling, InspectionRecord, Recheck
from shuangsuiji.intake.models import Clue, ClueSource, ClueStatus
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
from shuangsuiji.registry.models import Category, Department, Inspector, Level, Target, WorkdayOverride
from tests.conftest import make_jurisdiction
from tests.fieldwork.conftest import (  # noqa: F401 (fixtures, by name)
    code_for,
    items,
    make_task,
    ordered_record,
    recheck_of,
    submitted,
    target,
    task,
    team,
)

pytestmark = pytest.mark.django_db



def long_ago() -> datetime.date:
    """Twenty days before today, asked when a test runs: a date kept from when the module was imported was
    yesterday for tests run after midnight (the suite takes many minutes), and last quarter after a quarter's
    last midnight, while the pages count from the day they are asked on."""
    return timezone.localdate() - datetime.timedelta(days=20)


def page(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response


def section(response, key: str) -> workbench.Items:
    found = [s for s in response.context["bench"].sections if s.key == key]
    return found[0].items if found else workbench.Items()


def titles(items: workbench.Items) -> list[str]:
    return [item.title for item in items.items]


_serial = iter(range(100, 10_000))


def a_task(jurisdiction, members, *, name: str = "", deadline: datetime.date | None = None, items=()):
    n = next(_serial)
    target = Target.objects.create(credit_code=code_for(jurisdiction.code, n),
                                   name=name or f"{jurisdiction.name}{n}号厂", jurisdiction=jurisdiction,
                                   address=f"{jurisdiction.name}工业园{n}号", legal_representative="孙法人")
    return make_task(target, items, [(member, MemberRole.OFFICER) for member in members], deadline=deadline)


@pytest.fixture
def county_b_team(tree):
    return [Inspector.objects.create(name=name, certificate_number=f"1306240000{n}",
                                     certificate_expiry=datetime.date(2030, 1, 1), jurisdiction=tree["b"],
                                     department=tree["departments"]["130624"])
            for n, name in enumerate(("周六", "吴七"))]


# --- the inspector -----------------------------------------------------------------------------------------


def test_a_returned_record_is_late_once_its_result_is_due_for_publication(tree, items, team, users):
    returned = a_task(tree["a"], [team["first"], team["second"]], name="退回厂", items=items,
                      deadline=timezone.localdate() + datetime.timedelta(days=400))
    record = submitted(returned, users["inspector"])
    fieldwork.do_review_record(record, passed=False, reason="检查地点不具体", acting_user=users["county_admin"])
    ended = timezone.localdate(record.ended_at)
    due = disclosure.results_deadline(ended.year, ended.month)[0]
    on_time = workbench.my_open_tasks(users["inspector"], due)
    assert not on_time.items[0].overdue and on_time.overdue == 0
    late = workbench.my_open_tasks(users["inspector"], due + datetime.timedelta(days=1))
    assert late.items[0].overdue and late.overdue == 1  # though the task's own deadline is a year away


def test_the_inspector_sees_his_open_tasks_with_their_state_and_not_a_colleagues(tree, items, team, users, client):
    me, partner, outsider = team["first"], team["second"], team["outsider_inspector"]
    todo = a_task(tree["a"], [me, partner], name="甲未开始厂", items=items)
    late = a_task(tree["a"], [me, partner], name="乙逾期厂", deadline=long_ago(), items=items)
    drafting = a_task(tree["a"], [me, partner], name="丙草稿厂", items=items)
    fieldwork.do_start_record(drafting, acting_user=users["inspector"])
    returned = a_task(tree["a"], [me, partner], name="丁退回厂", items=items)
    record = submitted(returned, users["inspector"])
    fieldwork.do_review_record(record, passed=False, reason="现场照片不清", acting_user=users["county_admin"])
    done = a_task(tree["a"], [me, partner], name="戊已提交厂", items=items)
    submitted(done, users["inspector"])
    a_task(tree["a"], [partner, outsider], name="己同事的厂", items=items)

    response = page(client, users["inspector"])
    tasks = section(response, "tasks")
    assert titles(tasks) == ["乙逾期厂", "丁退回厂", "丙草稿厂", "甲未开始厂"]  # by deadline: the overdue first
    states = {item.title: item.badge for item in tasks.items}
    assert states == {"乙逾期厂": "未开始", "丁退回厂": "更正中（审核退回）", "丙草稿厂": "草稿",
                      "甲未开始厂": "未开始"}
    assert [item.title for item in tasks.items if item.overdue] == ["乙逾期厂"] and tasks.overdue == 1
    draft = InspectionRecord.objects.get(task=drafting)
    links = {item.title: item.url for item in tasks.items}
    assert links["丙草稿厂"] == reverse("fieldwork:record_edit", args=[draft.pk])
    assert links["甲未开始厂"] == reverse("fieldwork:task_brief", args=[todo.pk])
    amendment = InspectionRecord.objects.get(amends=record)
    assert links["丁退回厂"] == reverse("fieldwork:record_edit", args=[amendment.pk])
    # A returned record is owed by the deadline its result must be published by, not by the task's.
    ended = timezone.localdate(record.ended_at)
    returned_item = next(item for item in tasks.items if item.title == "丁退回厂")
    assert returned_item.due == disclosure.results_deadline(ended.year, ended.month)[0]
    # … and called 更正期限, as on his task list: one date, one name on both of his pages.
    assert returned_item.due_label == "更正期限" and not returned_item.overdue
    html = response.content.decode()
    assert "更正期限" in html and "公开期限" not in html
    assert "己同事的厂" not in html and "戊已提交厂" not in html
    # the days late counted from the day the page was asked on (long_ago() was asked before the records were
    # made: a run crossing midnight in Beijing between the two read 逾期 21 天)
    late.refresh_from_db()
    assert "wb-overdue" in html and f"逾期 {(timezone.localdate() - late.deadline).days} 天" in html
    assert late.target.name in html
    # The workbench comes before the registry overview.
    assert html.index('id="workbench"') < html.index("两库一单概况")
    # His partner's list has the shared tasks and the colleague's, not the inspector's alone.
    partner_tasks = section(page(client, team["partner"]), "tasks")
    assert "己同事的厂" in titles(partner_tasks)


def test_the_inspector_sees_the_problems_he_must_close(tree, items, team, users, client):
    mine = a_task(tree["a"], [team["first"], team["second"]], name="整改厂", items=items)
    submitted(mine, users["inspector"], problem=Handling.CASE)
    other = a_task(tree["a"], [team["second"], team["outsider_inspector"]], name="别组厂", items=items)
    submitted(other, team["partner"], problem=Handling.CASE)
    # A due date in the past as time would have made it (the services date a follow-up from the inspection).
    due = long_ago()
    FollowUp.objects.filter(target=mine.target).update(due_date=due)
    follow_ups = section(page(client, users["inspector"]), "follow_ups")
    assert titles(follow_ups) == ["整改厂"]
    assert follow_ups.items[0].overdue and follow_ups.items[0].due == due
    assert follow_ups.items[0].url == FollowUp.objects.get(target=mine.target).get_absolute_url()


def test_the_visits_he_owes_count_his_rechecks_as_his_task_list_does(tree, items, team, users, client):
    """我的检查任务 counts what he must visit, re-checks included and said so, the number his task list's heading
    reads; an overdue re-check is among the first he sees."""
    me, partner = team["first"], team["second"]
    a_task(tree["a"], [me, partner], name="甲未开始厂", items=items)
    recheck = recheck_of(ordered_record(a_task(tree["a"], [me, partner], name="乙整改厂", items=items),
                                        users["inspector"]))
    Recheck.objects.filter(pk=recheck.pk).update(due_date=long_ago())
    response = page(client, users["inspector"])
    tasks = section(response, "tasks")
    assert tasks.total == 2 and tasks.rechecks == 1 and tasks.overdue == 1
    assert titles(tasks) == ["乙整改厂", "甲未开始厂"]
    first = tasks.items[0]
    assert first.badge == "复查" and first.overdue and first.url == recheck.get_absolute_url()
    assert recheck.number in first.note
    assert "含复查 1 项" in response.content.decode()
    heading = client.get(reverse("fieldwork:my_tasks")).context["open_count"]
    assert heading == tasks.total
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "incl. 1 re-check<" in page(client, users["inspector"]).content.decode()


def test_an_inspector_with_nothing_to_do_is_told_so(users, client):
    response = page(client, users["inspector"])
    assert section(response, "tasks").total == 0
    assert "没有待完成的检查任务" in response.content.decode()


# --- the county and the city ---------------------------------------------------------------------------------


@pytest.fixture
def two_counties(tree, items, team, users, county_b_team):
    """County A: an overdue task, a record awaiting review, an overdue follow-up; county B the same."""
    a_late = a_task(tree["a"], [team["first"], team["second"]], name="涞水逾期厂", deadline=long_ago(), items=items)
    a_record = submitted(a_task(tree["a"], [team["first"], team["second"]], name="涞水待审厂", items=items),
                         users["inspector"], problem=Handling.CASE)
    b_late = a_task(tree["b"], county_b_team, name="阜平逾期厂", deadline=long_ago(), items=items)
    b_user = User.objects.create_user(
        username="b_inspector", password="x", role="inspector", jurisdiction=tree["b"], inspector=county_b_team[0])
    b_record = submitted(a_task(tree["b"], county_b_team, name="阜平待审厂", items=items), b_user,
                         problem=Handling.CASE)
    FollowUp.objects.update(due_date=long_ago())
    return {"a_late": a_late, "b_late": b_late, "a_record": a_record, "b_record": b_record}


def test_a_county_sees_its_own_overdue_tasks_reviews_and_follow_ups_and_not_another_countys(
        two_counties, users, client):
    for role, mine, theirs in (("county_admin", "涞水", "阜平"), ("other_county_admin", "阜平", "涞水")):
        response = page(client, users[role])
        overdue = section(response, "overdue_tasks")
        assert titles(overdue) == [f"{mine}逾期厂"] and overdue.items[0].overdue
        assert titles(section(response, "review")) == [f"{mine}待审厂"]
        assert titles(section(response, "follow_ups")) == [f"{mine}待审厂"]
        html = response.content.decode()
        assert theirs not in html, role
        assert not response.context["bench"].rows  # one county: no table of counties
        assert 'id="wb-counties"' not in html


def test_the_city_sees_every_county_and_a_row_per_county(two_counties, tree, users, client):
    response = page(client, users["city_admin"])
    assert set(titles(section(response, "overdue_tasks"))) == {"涞水逾期厂", "阜平逾期厂"}
    bench = response.context["bench"]
    rows = {row.jurisdiction.code: row for row in bench.rows}
    assert next(iter(rows)) == tree["city"].code  # the city's own plans first
    assert set(rows) == {tree["city"].code, tree["a"].code, tree["b"].code}
    column = bench.columns.index("逾期任务")
    assert (rows[tree["a"].code].cells[column].n, rows[tree["a"].code].cells[column].late) == (1, 1)
    assert rows[tree["b"].code].cells[column].n == 1 and rows[tree["city"].code].cells[column].n == 0
    # County A has a dispatched plan this quarter (the tasks'), county B too; the city has none.
    assert rows[tree["a"].code].current.status == "dispatched" and rows[tree["a"].code].current.tasks == 2
    assert rows[tree["city"].code].current is None and rows[tree["city"].code].current_missing_late
    assert 'id="wb-counties"' in response.content.decode()



def test_the_overdue_counts_link_to_a_list_of_just_those_tasks(two_counties, tree, items, team, users, client):
    """"查看全部" under 逾期未提交记录的任务 and a county's count in the city's table open the task list narrowed to
    the overdue tasks: they opened every task of the scope (hundreds), among which the overdue were to be found."""
    a_task(tree["a"], [team["first"], team["second"]], name="涞水未到期厂", items=items)
    done = a_task(tree["a"], [team["first"], team["second"]], name="涞水已提交厂", deadline=long_ago(), items=items)
    submitted(done, users["inspector"])
    response = page(client, users["city_admin"])
    listed = client.get(section(response, "overdue_tasks").more_url)
    assert {t.target.name for t in listed.context["page"].object_list} == {"涞水逾期厂", "阜平逾期厂"}
    assert 'name="overdue" value="1" id="f-overdue" checked' in listed.content.decode()
    bench = response.context["bench"]
    column = bench.columns.index("逾期任务")
    for row in bench.rows:
        cell = row.cells[column]
        if cell.n:  # a count of none is no link
            shown = client.get(cell.url).context["page"].object_list
            assert len(shown) == cell.n, row.jurisdiction.name
    county_a = next(row for row in bench.rows if row.jurisdiction == tree["a"]).cells[column]
    assert [t.target.name for t in client.get(county_a.url).context["page"].object_list] == ["涞水逾期厂"]


def test_a_county_admin_is_not_sent_to_a_city_plans_task(tree, items, team, users, client):
    """A city plan's overdue task in county A is the city's: it was listed on the county admin's workbench, but
    its page (and the task list) are the plans' he may read — the link was a 404 and the counts disagreed."""
    task = a_task(tree["a"], [team["first"], team["second"]], name="市局计划逾期厂", deadline=long_ago(), items=items)
    city_plan = Plan.objects.create(jurisdiction=tree["city"], level=PlanLevel.CITY, year=task.year,
                                    quarter=task.quarter, kind="regular", policy_id="baoding-2021", policy_version=1,
                                    policy_fingerprint="0" * 64, policy_title="保定市2021", inspectors_counted=2,
                                    status="dispatched")
    draw = Draw.objects.create(plan=city_plan, number=1, status=DrawStatus.DRAWN)
    TaskPlan.objects.filter(task=task).update(plan=city_plan, draw=draw)
    TaskMember.objects.filter(task=task).update(draw=draw)
    county = section(page(client, users["county_admin"]), "overdue_tasks")
    listed = client.get(county.more_url).context["page"].object_list
    assert county.total == len(listed) == 0
    city = section(page(client, users["city_admin"]), "overdue_tasks")
    assert titles(city) == ["市局计划逾期厂"] and client.get(city.items[0].url).status_code == 200


def _city_plan(tree, task):
    """Make ``task`` the city's own (本级) plan's, as its draw would have: the city drew a county's firm."""
    plan = Plan.objects.create(jurisdiction=tree["city"], level=PlanLevel.CITY, year=task.year, quarter=task.quarter,
                               kind="regular", policy_id="baoding-2021", policy_version=1,
                               policy_fingerprint="0" * 64, policy_title="保定市2021", inspectors_counted=2,
                               status="dispatched")
    draw = Draw.objects.create(plan=plan, number=1, status=DrawStatus.DRAWN)
    TaskPlan.objects.filter(task=task).update(plan=plan, draw=draw)
    TaskMember.objects.filter(task=task).update(draw=draw)
    return plan


def test_an_overdue_task_is_counted_under_the_bureau_whose_plan_drew_it(two_counties, tree, items, team, users,
                                                                        client):
    """A city plan's overdue task in county A was counted on county A's row of the city's table (by the target's
    place) and the city's own row showed none; its link then listed county A's tasks of every plan. Tasks belong to
    the bureau whose plan drew them: the city's row counts the city's, and each count opens exactly its list."""
    city_task = a_task(tree["a"], [team["first"], team["second"]], name="市局计划逾期厂", deadline=long_ago(),
                       items=items)
    _city_plan(tree, city_task)
    response = page(client, users["city_admin"])
    bench = response.context["bench"]
    column = bench.columns.index("逾期任务")
    cells = {row.jurisdiction.code: row.cells[column] for row in bench.rows}
    assert (cells[tree["city"].code].n, cells[tree["a"].code].n, cells[tree["b"].code].n) == (1, 1, 1)
    assert cells[tree["city"].code].late == 1  # red on the city's own row
    for code, names in ((tree["city"].code, ["市局计划逾期厂"]), (tree["a"].code, ["涞水逾期厂"]),
                        (tree["b"].code, ["阜平逾期厂"])):
        listed = client.get(cells[code].url)
        assert [t.target.name for t in listed.context["page"].object_list] == names, code
    assert section(response, "overdue_tasks").total == 3
    # the city's row in the page: a count that links, not "–"
    html = response.content.decode()
    assert f'drawn_by={tree["city"].pk}' in html
    # the task list says what it is narrowed to
    listed = client.get(cells[tree["city"].code].url).content.decode()
    assert f'<option value="{tree["city"].pk}" selected>保定市</option>' in listed.split('id="f-drawn-by"')[1]


def test_a_visit_two_bureaus_drew_is_overdue_on_both_rows_and_counted_once(tree, items, team, users, client):
    task = a_task(tree["a"], [team["first"], team["second"]], name="合并逾期厂", deadline=long_ago(), items=items)
    county_selection = TaskPlan.objects.get(task=task)
    plan = _city_plan(tree, task)  # moves the county's selection to the city …
    TaskPlan.objects.create(task=task, plan=Plan.objects.get(jurisdiction=tree["a"]),  # … and back: both drew it
                            draw=Draw.objects.get(plan__jurisdiction=tree["a"]), stratum=county_selection.stratum,
                            rank=9)
    assert TaskPlan.objects.filter(task=task, plan=plan).exists()
    response = page(client, users["city_admin"])
    bench = response.context["bench"]
    column = bench.columns.index("逾期任务")
    cells = {row.jurisdiction.code: row.cells[column] for row in bench.rows}
    assert (cells[tree["city"].code].n, cells[tree["a"].code].n) == (1, 1)
    assert section(response, "overdue_tasks").total == 1


def test_the_city_sees_which_county_has_no_joint_plan_this_quarter(two_counties, tree, users, client):
    """Internal joint inspections every quarter at both levels (实施方案 二(五)): the city's table said nothing of
    them, so a county without a joint plan was nowhere to be seen on the city's home page."""
    today = timezone.localdate()
    year, quarter = today.year, quarter_of(today)
    joint = Plan.objects.create(jurisdiction=tree["a"], level=PlanLevel.COUNTY, year=year, quarter=quarter,
                                kind="joint", department=tree["departments"]["130623"], policy_id="baoding-2021",
                                policy_version=1, policy_fingerprint="0" * 64, policy_title="保定市2021",
                                inspectors_counted=2, status="draft")
    response = page(client, users["city_admin"])
    rows = {row.jurisdiction.code: row for row in response.context["bench"].rows}
    assert rows[tree["a"].code].joint.n == 1
    listed = client.get(rows[tree["a"].code].joint.url).context["page"].object_list
    assert list(listed) == [joint]
    closed = workbench.draw_window(year, quarter).closed(today)
    assert rows[tree["b"].code].joint.n == 0 and rows[tree["b"].code].joint.late == int(closed)
    # The city's own row lists the city's own joint plan, not its counties' too.
    city_joint = Plan.objects.create(jurisdiction=tree["city"], level=PlanLevel.CITY, year=year, quarter=quarter,
                                     kind="joint", department=tree["departments"]["130600"],
                                     policy_id="baoding-2021", policy_version=1, policy_fingerprint="0" * 64,
                                     policy_title="保定市2021", inspectors_counted=2, status="draft")
    rows = {row.jurisdiction.code: row for row in page(client, users["city_admin"]).context["bench"].rows}
    assert rows[tree["city"].code].joint.n == 1
    assert list(client.get(rows[tree["city"].code].joint.url).context["page"].object_list) == [city_joint]
    html = response.content.decode()
    assert "本季度联合抽查" in html and "1 个计划" in html

def test_the_quarters_plans_and_the_next_draw_window(two_counties, tree, users, client):
    response = page(client, users["county_admin"])
    plans = section(response, "plans")
    plan = Plan.objects.get(jurisdiction=tree["a"])
    today = timezone.localdate()
    # County A has no department user: its admin is told its joint plan is missing too (the city's table said
    # so in red, his own page nothing), the link prefilling the form with that kind and quarter.
    joint, drawn = plans.items
    assert (drawn.title, drawn.url, drawn.badge) == (str(plan), plan.get_absolute_url(), "已派发")
    assert "已提交记录 1 / 2 项任务" in drawn.note
    assert joint.badge == "尚未编制" and f"{today.year}年第{quarter_of(today)}季度内部联合抽查计划" in joint.title
    form = client.get(joint.url).context["form"]
    assert (form.initial["kind"], form.initial["quarter"]) == ("joint", quarter_of(today))
    following = section(response, "next")
    year, quarter = workbench.next_quarter(today.year, quarter_of(today))
    missing, missing_joint = following.items
    assert "内部联合抽查计划" in missing_joint.title and "kind=joint" in missing_joint.url
    assert missing.badge == "尚未编制" and f"{year}年第{quarter}季度" in missing.title
    assert missing.url.startswith(reverse("planning:plan_create"))
    window = workbench.draw_window(year, quarter)
    assert missing.due == window.last and missing.overdue == window.closed(today)
    hint = next(s for s in response.context["bench"].sections if s.key == "next").hint
    assert window.days[0].isoformat() in hint and "实施方案" in hint
    # The link prefills the plan form with the quarter it names.
    form = client.get(missing.url).context["form"]
    assert (form.initial["year"], form.initial["quarter"]) == (year, quarter)


def test_a_shortfall_waits_for_the_city_and_the_county_sees_it_waiting(tree, items, team, users, client):
    a_task(tree["a"], [team["first"], team["second"]], items=items)
    plan = Plan.objects.get(jurisdiction=tree["a"])
    # Written directly: the request itself is planning's (tested there); here only who sees it.
    PlanStratum.objects.create(plan=plan, stratum=Stratum.KEY, population=10, minimum=5, requested=3,
                               explanation="≥50%", citation="指导意见 二(一)",
                               shortfall_state=ShortfallState.PENDING, shortfall_reason="停产")
    city = section(page(client, users["city_admin"]), "approvals")
    assert [i.badge for i in city.items] == ["少抽待审批"] and "少抽 2 家" in city.items[0].title
    county = section(page(client, users["county_admin"]), "approvals")
    # the city decides it: not the county's to count, said beside its count (test_approvals_count_what_he_decides)
    assert (county.total, county.items, county.aside) == (0, [], "另有 1 项由他人审批")
    assert section(page(client, users["other_county_admin"]), "approvals").total == 0


def test_a_positive_list_clue_waits_on_the_workbench_and_every_request_is_on_the_approvals_page(
        tree, items, team, users, client):
    """A clue against a positive-list firm waits for the head of the enforcement unit, and the seed wants the firm
    inspected at once once he approves: it is on the workbench's 待审批 (it was nowhere there). The page the
    section's 查看全部 and the county table's 待审批 cell open lists every kind the section counts — clues,
    shortfalls and re-draws too, each linking to the page where it is decided (it listed only amendments and
    on-site requests, so a count of 2 opened a page saying 无)."""
    a_task(tree["a"], [team["first"], team["second"]], items=items)
    plan = Plan.objects.get(jurisdiction=tree["a"])
    PlanStratum.objects.create(plan=plan, stratum=Stratum.KEY, population=10, minimum=5, requested=3,
                               explanation="≥50%", citation="指导意见 二(一)",
                               shortfall_state=ShortfallState.PENDING, shortfall_reason="停产")
    firm = Target.objects.create(credit_code=code_for("130623", 77), name="涞水县正面清单企业", jurisdiction=tree["a"])
    clue = Clue.objects.create(target=firm, source=ClueSource.OFF_SITE, found_on=timezone.localdate(),
                               description="在线监测数据异常，疑似超标排放", reported_by=users["inspector"])
    approved = Clue.objects.create(target=firm, source=ClueSource.OFF_SITE, found_on=timezone.localdate(),
                                   description="已批", status=ClueStatus.APPROVED, decided_at=timezone.now())

    # The approved clue waits too, for its 线索核查 (实施方案 二(三) "应立即开展现场检查").
    county = section(page(client, users["county_admin"]), "approvals")
    # the two clues are his to decide; the plan's shortfall the city's, said beside the count
    assert county.total == 2 and county.by_place == {tree["a"].pk: 2} and county.aside == "另有 1 项由他人审批"
    waiting = next(i for i in county.items if i.badge == "线索待审批")
    assert (waiting.title, waiting.url) == ("涞水县正面清单企业", clue.get_absolute_url())
    assert "在线监测数据异常" in waiting.note
    to_check = next(i for i in county.items if i.badge == "待安排线索核查")
    assert to_check.url == approved.get_absolute_url() + "#clue-check" and "已批" in to_check.note
    assert section(page(client, users["city_admin"]), "approvals").total == 3
    assert section(page(client, users["other_county_admin"]), "approvals").total == 0

    client.force_login(users["county_admin"])
    shown = client.get(county.more_url).content.decode()
    assert clue.get_absolute_url() in shown and "在线监测数据异常" in shown
    assert f'data-clue-check="{approved.pk}"' in shown and "待安排线索核查" in shown
    assert plan.get_absolute_url() in shown and "少抽 2 家" in shown
    client.force_login(users["other_county_admin"])
    other = client.get(county.more_url).content.decode()
    assert clue.get_absolute_url() not in other and plan.get_absolute_url() not in other


def test_months_to_publish_and_batches_for_the_second_person(tree, items, team, users, client):
    record = submitted(a_task(tree["a"], [team["first"], team["second"]], items=items), users["inspector"])
    fieldwork.do_review_record(record, passed=True, acting_user=users["county_admin"])
    day = timezone.localdate(record.ended_at)
    # The bureau has entered next year's holidays (a December's deadline falls in January; without them it is
    # unknown: test_a_december_whose_deadline_falls_in_an_unknown_year_shows_no_error).
    WorkdayOverride.objects.get_or_create(date=datetime.date(day.year + 1, 1, 1), defaults={"is_workday": False})
    # The running month is published after it ends: no task yet (asked on the record's day: the visit ended
    # hours ago, which may be last month by now)...
    assert workbench.unreleased_months(users["county_admin"], day).total == 0
    # ...but there is one from the first day of the next month.
    next_month = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    months = workbench.unreleased_months(users["county_admin"], next_month)
    assert titles(months) == [f"涞水县{day.year}年{day.month}月抽查结果"]
    assert months.items[0].badge == "待生成批次"
    assert months.items[0].due == disclosure.results_deadline(day.year, day.month)[0]
    assert workbench.unreleased_months(users["other_county_admin"], next_month).total == 0

    batch = disclosure.do_prepare_results(jurisdiction=tree["a"], year=day.year, month=day.month,
                                          acting_user=users["county_admin"])
    # The preparer waits for someone else: the month says so, the review list is not his.
    response = page(client, users["county_admin"])
    assert section(response, "months").items[0].badge == "批次待审核"
    assert section(response, "batches").total == 0
    for role in ("leader", "city_admin"):
        batches = section(page(client, users[role]), "batches")
        assert [i.url for i in batches.items] == [reverse("disclosure:batch_detail", args=[batch.pk])], role
    assert section(page(client, users["other_county_admin"]), "batches").total == 0


def test_the_leader_reads_where_the_city_stands_and_acts_only_on_batches(two_counties, users, client):
    response = page(client, users["leader"])
    bench = response.context["bench"]
    assert [s.key for s in bench.sections] == ["plans", "next", "batches", "overdue_tasks", "overlaps", "review",
                                               "follow_ups", "months", "corrections", "objections"]
    # The same items the city office has, in his scope...
    assert set(titles(section(response, "overdue_tasks"))) == {"涞水逾期厂", "阜平逾期厂"}
    assert set(titles(section(response, "review"))) == {"涞水待审厂", "阜平待审厂"}
    # ...and the table of counties, but nothing to make or decide: no plan to create, no approvals.
    assert {row.jurisdiction.name for row in bench.rows} >= {"涞水县", "阜平县"}
    assert "待您审批" not in bench.columns
    assert all(item.badge != "尚未编制" for s in bench.sections for item in s.items.items)
    assert 'id="wb-counties"' in response.content.decode()


def test_the_department_user_sees_only_the_joint_plans_he_initiates(two_counties, users, client):
    department = page(client, users["department_user"])
    bench = department.context["bench"]
    assert [s.key for s in bench.sections] == ["plans", "next"]
    # County A has no joint plan in either quarter: someone must initiate one, and his department may.
    assert all(s.items.items[0].badge == "尚未编制" and "内部联合抽查计划" in s.items.items[0].title
               for s in bench.sections)
    assert "涞水逾期厂" not in department.content.decode()


def test_the_department_user_sees_the_joint_plans_his_department_takes_part_in(tree, users, client):
    """A joint plan another department initiates with his among its 参加科室 sends one of his officers on every
    visit (实施方案 二(五): the cooperating departments take part): his workbench lists it with its state and a link,
    saying whether his department initiates it or takes part; a joint plan without his department is not his."""
    today = timezone.localdate()
    year, quarter = today.year, quarter_of(today)
    mine = tree["departments"]["130623"]
    air, water = (Department.objects.create(jurisdiction=tree["a"], name=name) for name in ("大气股", "水股"))

    def joint(initiator, departments, status):
        plan = Plan.objects.create(jurisdiction=tree["a"], level=PlanLevel.COUNTY, year=year, quarter=quarter,
                                   kind="joint", department=initiator, policy_id="baoding-2021", policy_version=1,
                                   policy_fingerprint="0" * 64, policy_title="保定市2021", inspectors_counted=2,
                                   status=status)
        plan.departments.set(departments)
        return plan

    takes_part = joint(air, [air, mine], "frozen")
    initiated = joint(mine, [mine, water], "draft")
    joint(water, [water, air], "draft")  # not his department's
    response = page(client, users["department_user"])
    plans = section(response, "plans")
    listed = {item.title: item for item in plans.items}
    assert set(listed) == {str(takes_part), str(initiated)}
    assert plans.total == 2
    part, own = listed[str(takes_part)], listed[str(initiated)]
    assert (part.url, part.badge, part.note) == (takes_part.get_absolute_url(), "已审定并冻结", "本科室参加")
    assert (own.url, own.badge, own.note) == (initiated.get_absolute_url(), "编制中", "本科室发起")
    html = response.content.decode()
    assert f'href="{takes_part.get_absolute_url()}"' in html and "本科室参加" in html
    # The plan he takes part in is the jurisdiction's joint plan: nothing is said to be missing.
    assert all(item.badge != "尚未编制" for item in plans.items)
    # The county's admin reads every plan of the county as before, without the department's words.
    admin = section(page(client, users["county_admin"]), "plans")
    assert len([item for item in admin.items if item.badge != "尚未编制"]) == 3
    assert not any("本科室" in item.note for item in admin.items)


# --- cost ------------------------------------------------------------------------------------------------------


def queries_of(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("home")).status_code == 200
    return len(captured.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_items(tree, items, team, users, county_b_team, client):
    def add(n: int) -> None:
        for _ in range(n):
            a_task(tree["a"], [team["first"], team["second"]], deadline=long_ago(), items=items)
            a_task(tree["b"], county_b_team, deadline=long_ago(), items=items)
            submitted(a_task(tree["a"], [team["first"], team["second"]], items=items), users["inspector"],
                      problem=Handling.CASE)
            # a re-check of his to visit: counted among his tasks, in the same queries however many
            submitted(a_task(tree["a"], [team["first"], team["second"]], items=items), users["inspector"],
                      problem=Handling.ORDER)
        FollowUp.objects.update(due_date=long_ago())

    add(1)
    roles = ("inspector", "county_admin", "city_admin", "leader", "department_user")
    few = {role: queries_of(client, users[role]) for role in roles}
    add(workbench.LIMIT + 2)
    many = {role: queries_of(client, users[role]) for role in roles}
    assert many == few
    bench = workbench.for_user(users["city_admin"])
    overdue = next(s.items for s in bench.sections if s.key == "overdue_tasks")
    assert overdue.total == 2 * (workbench.LIMIT + 3) and len(overdue.items) == workbench.LIMIT
    assert overdue.more == overdue.total - workbench.LIMIT


# --- the registry overview ---------------------------------------------------------------------------------


def test_counts_are_grouped_by_thousands_in_chinese_and_english():
    template = Template("{% load humanize %}{{ n|intcomma }}")
    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert template.render(Context({"n": 11537})) == "11,537"


def test_pending_corrections_do_not_depend_on_the_interface_language(tree, items, team, users, client):
    record = submitted(a_task(tree["a"], [team["first"], team["second"]], items=items), users["inspector"],
                       problem=Handling.RECTIFIED)
    fieldwork.do_review_record(record, passed=True, acting_user=users["county_admin"])
    day = timezone.localdate(record.ended_at)
    batch = disclosure.do_prepare_results(jurisdiction=tree["a"], year=day.year, month=day.month,
                                          acting_user=users["county_admin"])
    disclosure.do_review(batch, acting_user=users["leader"])
    disclosure.do_release(batch, acting_user=users["county_admin"])
    for language in ("zh-hans", "en"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # the navbar's language switch
        response = page(client, users["county_admin"])
        assert response["Content-Language"] == language
        assert section(response, "corrections").total == 0, language


def test_the_list_of_what_has_nothing_to_do_reads_in_either_language(users, client):
    """"目前没有待办：A、B" joined English titles with the Chinese enumeration comma too."""
    for language, separator, foreign in (("zh-hans", "、", ", "), ("en", ", ", "、")):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        response = page(client, users["city_admin"])
        idle = [section.title for section in response.context["bench"].idle]
        assert len(idle) > 1
        html = response.content.decode()
        assert separator.join(str(title) for title in idle) in html, language
        assert foreign.join(str(title) for title in idle[:2]) not in html, language


def test_the_registry_figures_of_the_home_page_count_what_their_links_list(tree, users, client):
    """在营检查对象 774 led to a list of 800 (the defunct ones too): each figure's link now lists what it counts."""
    import re

    from shuangsuiji.registry.models import Category, CheckItem, InspectorStatus, TargetStatus

    for serial, (category, status) in enumerate([("key", "active"), ("key", "defunct"), ("general", "active"),
                                                 ("general", "defunct"), ("special", "active")], start=1):
        Target.objects.create(credit_code=code_for("130623", 900 + serial), name=f"首页{serial}号",
                              jurisdiction=tree["a"], category=Category(category), status=TargetStatus(status),
                              defunct_date=datetime.date(2021, 1, 1) if status == "defunct" else None)
    Target.objects.create(credit_code=code_for("130624", 900), name="阜平首页厂", jurisdiction=tree["b"])
    for serial, status in enumerate([InspectorStatus.ACTIVE, InspectorStatus.LEFT], start=1):
        Inspector.objects.create(name=f"首页{serial}", certificate_number=f"1306239900{serial}", status=status,
                                 jurisdiction=tree["a"], department=tree["departments"]["130623"],
                                 certificate_expiry=datetime.date.today() + datetime.timedelta(days=400))
    for code, active in (("HP-1", True), ("HP-2", False)):
        CheckItem.objects.create(code=code, name=code, legal_basis="依据", content="内容", is_active=active,
                                 jurisdiction=tree["city"], responsible_department=tree["departments"]["130600"])
    client.force_login(users["city_admin"])
    home = client.get(reverse("home")).content.decode()
    tiles = re.findall(r'<a class="stretched-link[^"]*" href="([^"]+)">[^<]+</a>\s*<div class="display-6">([\d,]+)<',
                       home)
    assert len(tiles) == 4, tiles
    rows = re.findall(r'<td><a href="([^"]+)">[^<]+</a></td>\s*<td>\d+</td><td class="text-end">([\d,]+)</td>', home)
    assert rows
    for href, figure in tiles + rows:
        listed = client.get(href.replace("&amp;", "&")).context["page"].paginator.count
        assert listed == int(figure.replace(",", "")), (href, figure, listed)
    assert len(rows) == 2
    # A county's own scope has one row, which would only repeat the tiles: no table of counties.
    for role in ("county_admin", "inspector"):
        client.force_login(users[role])
        page = client.get(reverse("home")).content.decode()
        assert "各县（市、区）检查对象" not in page and "在营检查对象" in page


def test_the_registry_overview_costs_the_same_for_many_counties(tree, users, client):
    """The figures and the table of counties come from one count grouped by (county, category) and one read of the
    names, whatever the number of counties and targets (the national registry's two joined counts took ~1 s)."""
    def add_county(n: int) -> None:
        county = make_jurisdiction(f"1306{50 + n}", f"新县{n}", Level.COUNTY, tree["city"])
        for serial, category in enumerate((Category.KEY, Category.GENERAL, Category.SPECIAL)):
            Target.objects.create(credit_code=code_for(county.code, 700 + serial), name=f"新县{n}厂{serial}",
                                  jurisdiction=county, category=category)

    add_county(1)
    queries_of(client, users["city_admin"])  # the first request of a session reads what later ones keep
    few = queries_of(client, users["city_admin"])
    for n in range(2, 8):
        add_county(n)
    assert queries_of(client, users["city_admin"]) == few
    home = client.get(reverse("home"))
    assert home.context["target_count"] == 21 and home.context["by_category"]["key"] == 7
    # the counties with active targets, in code order, each with its count
    assert [(row["jurisdiction__code"], row["n"]) for row in home.context["by_county"]] == [
        (f"1306{50 + n}", 3) for n in range(1, 8)]
    # A national scope (the superuser's) counts the targets from the (jurisdiction, status, category) index alone:
    # one COUNT(*) of the target table without the join, not a count per category and one grouped by names.
    superuser = User.objects.create_superuser("root", password="pw-root-1A")
    client.force_login(superuser)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("home")).status_code == 200
    counts = [q["sql"] for q in captured.captured_queries
              if 'FROM "registry_target"' in q["sql"] and "GROUP BY" in q["sql"]]
    assert len(counts) == 1 and "registry_jurisdiction" not in counts[0] and "COUNT(*)" in counts[0], counts


def test_the_table_of_counties_reverses_its_links_once_per_page(tree, users, monkeypatch):
    """Each cell links to its list narrowed to the county; the lists' addresses are reversed once, not per cell (in a
    province's table of 180 places they were half the page's time)."""
    calls = []
    real = workbench.reverse

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(workbench, "reverse", counting)
    # both pages of one day: what a page links to depends on the day (a draw window open or not), and a run
    # crossing midnight in Beijing between the two counted 29 and 30
    today = timezone.localdate()
    workbench.for_user(users["city_admin"], today)
    few = len(calls)
    for n in range(1, 6):
        make_jurisdiction(f"1306{50 + n}", f"新县{n}", Level.COUNTY, tree["city"])
    calls.clear()
    bench = workbench.for_user(users["city_admin"], today)
    assert len(calls) == few
    row = next(row for row in bench.rows if row.jurisdiction.code == "130651")
    urls = dict(zip(bench.columns, (cell.url for cell in row.cells), strict=True))
    place = row.jurisdiction
    assert urls["逾期任务"] == f"{reverse('planning:task_list')}?overdue=1&drawn_by={place.pk}"
    assert urls["未公开月份"] == f"{reverse('disclosure:overview')}?jurisdiction={place.code}"
    assert urls["待更正"] == reverse("disclosure:corrections")
    assert urls["待答复异议"] == f"{reverse('disclosure:objections')}?jurisdiction={place.pk}"
    assert row.joint.url.startswith(reverse("planning:plan_list") + "?period=")


def test_a_december_whose_deadline_falls_in_an_unknown_year_shows_no_error(tree, items, team, users, client,
                                                                            monkeypatch):
    """December's results are due in January. Until next year's holidays are entered (工作日安排) that deadline
    cannot be counted: the 工作台 and the 一公开 overview failed with a server error all December. They now show
    the month without a deadline, not overdue; preparing its batch is refused with what to do. (Simulated for
    any day the test runs: the calendar is made to know no year at all, the worst case.)"""
    from shuangsuiji.engine import workdays

    record = submitted(a_task(tree["a"], [team["first"], team["second"]], items=items), users["inspector"])
    day = timezone.localdate(record.ended_at)
    monkeypatch.setattr(workdays, "_PACKAGE_YEARS", range(2004, 2004))  # an empty range, as the module has a range
    assert disclosure.known_results_deadline(day.year, day.month) is None
    for role in ("county_admin", "city_admin", "leader"):
        sections = workbench.for_user(users[role], day).sections
        waiting = next(s for s in sections if s.key == "review").items
        assert waiting.total == 1 and waiting.items[0].due is None and not waiting.items[0].overdue, role
        assert page(client, users[role]).status_code == 200
    client.force_login(users["inspector"])
    for url in ("/", reverse("fieldwork:my_tasks"), record.get_absolute_url()):
        assert client.get(url).status_code == 200, url
    client.force_login(users["county_admin"])
    for url in (record.get_absolute_url(), reverse("fieldwork:record_list"), reverse("disclosure:reports")):
        assert client.get(url).status_code == 200, url
    fieldwork.do_review_record(record, passed=True, acting_user=users["county_admin"])
    next_month = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    months = workbench.unreleased_months(users["county_admin"], next_month)
    assert months.total == 1 and months.items[0].due is None and not months.items[0].overdue
    with pytest.raises(ValidationError, match="放假和调休安排尚未录入"):
        disclosure.do_prepare_results(jurisdiction=tree["a"], year=day.year, month=day.month,
                                      acting_user=users["county_admin"])
    client.force_login(users["city_admin"])
    overview = client.get(reverse("disclosure:overview"), {"year": day.year})
    assert overview.status_code == 200


def test_what_waits_for_next_years_holidays_says_so_and_who_enters_them(tree, items, team, users, client,
                                                                         monkeypatch):
    """Before the next year's holidays are entered, December's results (due in January) and a draw window in
    that year cannot be dated. The 工作台 showed such a month with no date and no word, and a county admin was
    told by the refusal and the window's note to enter the holidays himself, which only the city office can.
    Now the deadline reads 待市局录入某年放假安排, and the refusal and the note say who enters them, where."""
    from shuangsuiji.engine import workdays

    reviewed = submitted(a_task(tree["a"], [team["first"], team["second"]], items=items), users["inspector"])
    fieldwork.do_review_record(reviewed, passed=True, acting_user=users["county_admin"])
    waiting = submitted(a_task(tree["a"], [team["first"], team["second"]], items=items), users["inspector"])
    day = timezone.localdate(waiting.ended_at)
    due_year = day.year + (day.month == 12)
    monkeypatch.setattr(workdays, "_PACKAGE_YEARS", range(2004, 2004))  # the calendar knows no year at all

    next_month = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    [month] = workbench.unreleased_months(users["county_admin"], next_month).items
    assert month.due is None and month.due_pending == f"待市局录入{due_year}年放假安排"
    html = page(client, users["county_admin"]).content.decode()
    assert f"公开期限 待市局录入{due_year}年放假安排" in html  # the record awaiting review
    with pytest.raises(ValidationError, match=r"请市局管理员.*在“工作日安排”中录入"):
        disclosure.do_prepare_results(jurisdiction=tree["a"], year=day.year, month=day.month,
                                      acting_user=users["county_admin"])
    window = workbench.draw_window(day.year, quarter_of(day))
    assert not window.days and "由市局管理员在“工作日安排”中录入" in window.hint(day)
    assert "chinese_calendar" not in window.hint(day)


def test_a_month_of_last_year_left_unpublished_stays_on_the_list_after_the_first_quarter(tree, items, team, users):
    """Last year's months were looked at only in January to March: from 1 April an unpublished month of last
    year — overdue, or December's still waiting for the new year's holidays — vanished from the 工作台 and the
    city's table of counties, though nothing had been published."""
    record = submitted(a_task(tree["a"], [team["first"], team["second"]], items=items), users["inspector"])
    fieldwork.do_review_record(record, passed=True, acting_user=users["county_admin"])
    day = timezone.localdate(record.ended_at)
    # Next year's holidays entered, so that a December's deadline (in January) is known whenever this runs.
    WorkdayOverride.objects.get_or_create(date=datetime.date(day.year + 1, 1, 1), defaults={"is_workday": False})
    next_year_april = datetime.date(day.year + 1, 4, 15)
    for role in ("county_admin", "city_admin", "leader"):
        months = workbench.unreleased_months(users[role], next_year_april)
        assert titles(months) == [f"涞水县{day.year}年{day.month}月抽查结果"], role
        assert months.items[0].overdue and months.overdue == 1, role


def test_each_countys_approvals_cell_opens_that_countys_queue(tree, items, team, users, client):
    """The city's table: a county's 待审批 cell said 1 and opened the whole city's 审批 page (15 entries in the
    demo, the county's one among them). It opens the queue of that county: as many entries as the cell says."""
    firms = {key: Target.objects.create(credit_code=code_for(tree[key].code, 77), name=f"{tree[key].name}正面清单企业",
                                        jurisdiction=tree[key]) for key in ("a", "b")}
    for n, key in ((1, "a"), (2, "b"), (3, "b")):
        Clue.objects.create(target=firms[key], source=ClueSource.OFF_SITE, found_on=timezone.localdate(),
                            description=f"线索{n}")  # imported: nobody's own, every admin's to decide
    # the city's own row: its own plan's shortfall, not its counties' items
    today = timezone.localdate()
    city_plan = Plan.objects.create(jurisdiction=tree["city"], level=PlanLevel.CITY, year=today.year,
                                    quarter=quarter_of(today), kind="regular", policy_id="baoding-2021",
                                    policy_version=1, policy_fingerprint="0" * 64, policy_title="保定市2021",
                                    inspectors_counted=2, status="draft")
    PlanStratum.objects.create(plan=city_plan, stratum=Stratum.KEY, population=10, minimum=5, requested=3,
                               explanation="≥10%", citation="指导意见 二(一)",
                               shortfall_state=ShortfallState.PENDING, shortfall_reason="停产")
    bench = page(client, users["city_admin"]).context["bench"]
    column = bench.columns.index("待您审批")
    cells = {row.jurisdiction.code: row.cells[column] for row in bench.rows}
    assert (cells[tree["city"].code].n, cells[tree["a"].code].n, cells[tree["b"].code].n) == (1, 1, 2)
    for code, cell in cells.items():
        shown = client.get(cell.url).content.decode()
        assert shown.count("正面清单企业</a>") + shown.count("少抽 2 家") == cell.n, code
    assert "线索1" not in client.get(cells[tree["b"].code].url).content.decode()


def test_an_admins_own_request_is_said_beside_the_count_and_marked_on_the_page_it_opens(
        tree, items, team, task, users, client):
    """Nobody approves his own request (fieldwork ``ensure_not_self``), so the workbench does not count it as his
    to decide — but the 审批 page lists it, and a count short of that list looked wrong: the section says it is
    there, waiting for another admin, and the page it opens marks it and says the same."""
    from django.core.exceptions import PermissionDenied

    from shuangsuiji.accounts.models import Role

    record = submitted(task, users["inspector"])
    request = fieldwork.do_request_amendment(record, reason="现场负责人姓名写错", acting_user=users["county_admin"])
    colleague = User.objects.create_user(username="county_admin2", password="pw-x", role=Role.COUNTY_ADMIN,
                                         jurisdiction=tree["a"])
    with pytest.raises(PermissionDenied):
        fieldwork.do_decide_amendment(request, approve=True, decision="同意", acting_user=users["county_admin"])

    response = page(client, users["county_admin"])
    mine = section(response, "approvals")
    assert (mine.total, mine.by_place, mine.items) == (0, {}, [])
    assert mine.aside == "您提交的 1 项待他人审批"
    assert "待审批" not in [s.title for s in response.context["bench"].idle]  # shown, not "nothing to do"
    html = response.content.decode()
    shown = html.split('id="wb-approvals"', 1)[1].split("</section>", 1)[0]
    assert f'href="{reverse("fieldwork:approvals")}">您提交的 1 项待他人审批</a>' in shown

    theirs = section(page(client, colleague), "approvals")
    assert (theirs.total, theirs.aside) == (1, "")
    assert theirs.items[0].note.startswith(record.number)

    decide = reverse("fieldwork:amendment_decide", args=[request.pk])
    client.force_login(users["county_admin"])
    listed = client.get(mine.more_url).content.decode()  # the page the aside and the section link to
    assert record.number in listed and "data-own-request" in listed and decide not in listed
    assert 'id="fw-approvals-own"' in listed and "您提交的 1 项待他人审批" in listed
    client.force_login(colleague)
    theirs_page = client.get(theirs.more_url).content.decode()
    assert decide in theirs_page and 'id="fw-approvals-own"' not in theirs_page
