# ruff: noqa: F811 (fixtures of the fieldwork tests, imported by name, are parameters here)
"""完成情况: the city's assessment of each place's quarter. Who may read it and which places he sees; each
indicator against its rule (each test fails if its indicator were a constant); the counts open exactly what they
count; the queries do not grow with the tasks."""

import datetime
import html
import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.accounts import completion
from shuangsuiji.engine.workdays import quarter_of
from shuangsuiji.fieldwork import services as fieldwork
from shuangsuiji.planning.models import (
    Draw,
    DrawStatus,
    Plan,
    PlanKind,
    PlanLevel,
    PlanStratum,
    ShortfallState,
    Stratum,
    Task,
    TaskPlan,
)
from shuangsuiji.registry.models import Category, Target
from tests.accounts.test_workbench import a_task
from tests.disclosure.test_portal import make_plan
from tests.fieldwork.conftest import code_for, items, submitted, team  # noqa: F401

pytestmark = pytest.mark.django_db

Q2_DAY = datetime.date(2026, 5, 20)
"""In the second quarter of 2026, whose plans were due by 2026-03-31 (the draw window's last day)."""


def mark(report: completion.Completion, code: str, key: str) -> completion.Mark:
    row = next(row for row in report.rows if row.place.code == code)
    return next(found for column, found in row.marks if column.key == key)


def drawn_on(plan: Plan, day: datetime.date) -> None:
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
    Draw.objects.filter(plan=plan).update(drawn_at=moment)


def this_quarter() -> tuple[int, int, datetime.date]:
    today = timezone.localdate()
    return today.year, quarter_of(today), today


# --- who reads it ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status", "places"), [
    ("city_admin", 200, ["130600", "130623", "130624"]),
    ("leader", 200, ["130600", "130623", "130624"]),
    ("county_admin", 200, ["130623"]),
    ("other_county_admin", 200, ["130624"]),
    ("department_user", 403, None),
    ("inspector", 403, None),
])
def test_each_role_sees_the_places_of_its_scope_or_is_refused(client, users, role, status, places):
    client.force_login(users[role])
    response = client.get(reverse("completion"))
    assert response.status_code == status
    if places is not None:
        assert [row.place.code for row in response.context["report"].rows] == places
        assert "完成情况" in response.content.decode()
    else:
        assert "完成情况仅供市、县管理员和局领导查阅" in response.content.decode()


def test_a_superuser_sees_the_city_and_every_county_and_a_stranger_is_sent_to_sign_in(client, tree):
    admin = get_user_model().objects.create_superuser(username="root", password="pw-root-2026")
    client.force_login(admin)
    response = client.get(reverse("completion"))
    assert [row.place.code for row in response.context["report"].rows] == ["130600", "130623", "130624"]
    client.logout()
    assert client.get(reverse("completion")).status_code == 302


def test_the_menu_offers_the_page_to_those_who_oversee_and_not_to_the_others(client, users):
    link = f'href="{reverse("completion")}"'
    for role, shown in (("city_admin", True), ("county_admin", True), ("leader", True),
                        ("department_user", False), ("inspector", False)):
        client.force_login(users[role])
        assert (link in client.get(reverse("account")).content.decode()) is shown, role


def test_a_bad_quarter_is_named_and_nothing_is_shown(client, users):
    client.force_login(users["city_admin"])
    response = client.get(reverse("completion"), {"year": "20x6", "quarter": "7"})
    assert response.status_code == 400 and response.context["report"] is None
    text = response.content.decode()
    assert "年度：" in text and "季度：" in text and 'id="completion"' not in text


def test_without_a_quarter_the_page_is_of_the_current_one(client, users):
    client.force_login(users["city_admin"])
    year, quarter, _today = this_quarter()
    report = client.get(reverse("completion")).context["report"]
    assert (report.year, report.quarter) == (year, quarter)
    report = client.get(reverse("completion"), {"year": "2026", "quarter": "2"}).context["report"]
    assert (report.year, report.quarter) == (2026, 2)


# --- the plans ------------------------------------------------------------------------------------------


def test_the_regular_plan_is_met_late_or_missing_against_the_draw_window(tree, users):
    drawn_on(make_plan(tree["a"], 2), datetime.date(2026, 3, 20))
    drawn_on(make_plan(tree["b"], 2), datetime.date(2026, 4, 8))
    report = completion.for_user(users["city_admin"], 2026, 2, Q2_DAY)
    on_time, late, none = (mark(report, code, "regular") for code in ("130623", "130624", "130600"))
    assert on_time.state == completion.MET and on_time.text == "2026-03-20 公开"
    assert late.state == completion.SHORT and late.text == "2026-04-08 公开，晚于期限"
    assert none.state == completion.SHORT and none.text == "未公开" and none.word == "未达标"
    # before the window closes a missing plan is not yet a shortfall
    early = completion.for_user(users["city_admin"], 2026, 2, datetime.date(2026, 3, 2))
    assert mark(early, "130600", "regular").state == completion.OPEN
    rule = next(column.rule for column in report.columns if column.key == "regular")
    assert "最后 5 个工作日" in rule and "截止 2026-03-31" in rule and "实施方案 二(四)" in rule


def test_the_joint_plan_of_the_quarter_is_asked_of_every_place(tree, users):
    joint = make_plan(tree["a"], 2)
    Plan.objects.filter(pk=joint.pk).update(kind=PlanKind.JOINT, department=tree["departments"]["130623"])
    report = completion.for_user(users["city_admin"], 2026, 2, Q2_DAY)
    assert mark(report, "130623", "joint").state == completion.MET
    assert mark(report, "130623", "joint").text == "已公开 1 份"
    assert mark(report, "130624", "joint").state == completion.SHORT
    rule = next(column.rule for column in report.columns if column.key == "joint")
    assert "至少开展内部联合抽查 1 次" in rule and "实施方案 二(五)" in rule


def test_key_units_below_the_policy_minimum_are_short_unless_the_city_approved(tree, users):
    plan = make_plan(tree["a"], 2)
    stratum = PlanStratum.objects.create(plan=plan, stratum=Stratum.KEY, population=10, minimum=5, requested=3,
                                         explanation="⌈50% × 10⌉ = 5", citation="实施方案 二(三)",
                                         shortfall_state=ShortfallState.PENDING)
    report = completion.for_user(users["city_admin"], 2026, 2, Q2_DAY)
    short = mark(report, "130623", "key")
    assert short.state == completion.SHORT and short.text == "少于最低数 2 家（待市局审批）"
    assert [(f.label, f.n) for f in short.figures] == [("计划抽取", 3), ("政策最低数", 5)]
    assert mark(report, "130624", "key").state == completion.NONE  # no plan published
    PlanStratum.objects.filter(pk=stratum.pk).update(shortfall_state=ShortfallState.APPROVED)
    assert mark(completion.for_user(users["city_admin"], 2026, 2, Q2_DAY), "130623", "key").state == completion.MET
    PlanStratum.objects.filter(pk=stratum.pk).update(requested=5, shortfall_state=ShortfallState.NONE)
    met = mark(completion.for_user(users["city_admin"], 2026, 2, Q2_DAY), "130623", "key")
    assert met.state == completion.MET and met.text == "计划抽取 5 家，不低于最低数 5 家"
    rule = next(column.rule for column in report.columns if column.key == "key")
    assert "市级 10%、县级 50%" in rule and "指导意见 二(一)" in rule


# --- the tasks, their records and the results ------------------------------------------------------------


def test_tasks_done_and_overdue_are_counted_and_open_exactly_those_tasks(client, tree, items, team, users):
    members = [team["first"], team["second"]]
    late = a_task(tree["a"], members, name="逾期厂", items=items,
                  deadline=timezone.localdate() - datetime.timedelta(days=3))
    done = a_task(tree["a"], members, name="已提交厂", items=items)
    a_task(tree["a"], members, name="未开始厂", items=items)
    a_task(tree["b"], [team["outsider_inspector"]], name="阜平厂", items=items)
    submitted(done, users["inspector"])
    year, quarter, today = this_quarter()
    report = completion.for_user(users["city_admin"], year, quarter, today)
    tasks = mark(report, "130623", "tasks")
    assert [(f.label, f.n) for f in tasks.figures] == [("任务", 3), ("已提交记录", 1), ("逾期", 1)]
    assert tasks.state == completion.SHORT and tasks.text == "1 项逾期未提交记录"
    assert [(f.label, f.n) for f in mark(report, "130624", "tasks").figures] == [
        ("任务", 1), ("已提交记录", 0), ("逾期", 0)]
    client.force_login(users["city_admin"])
    listed = client.get(tasks.figures[0].url).context["page"].paginator.object_list
    assert sorted(task.target.name for task in listed) == ["已提交厂", "未开始厂", "逾期厂"]
    overdue = client.get(tasks.figures[2].url)
    assert [task.pk for task in overdue.context["page"].paginator.object_list] == [late.pk]
    # the list says what it is narrowed to: its 抽取单位 shows the place chosen
    drawn_by = re.search(r'<select id="f-drawn-by".*?</select>', overdue.content.decode(), re.S).group(0)
    assert re.search(r'<option value="\d+" selected>涞水县</option>', drawn_by)


def test_a_city_plans_task_in_a_county_is_the_citys(tree, items, team, users):
    task = a_task(tree["a"], [team["first"]], name="市级厂", items=items)
    year, quarter, today = this_quarter()
    city_plan = Plan.objects.create(jurisdiction=tree["city"], level=PlanLevel.CITY, year=year, quarter=quarter,
                                    policy_id="baoding-2021", policy_version=1, policy_fingerprint="0" * 64,
                                    policy_title="保定市2021", inspectors_counted=2, status="dispatched")
    draw = Draw.objects.create(plan=city_plan, number=1, status=DrawStatus.DRAWN)
    TaskPlan.objects.filter(task=task).update(plan=city_plan, draw=draw)
    report = completion.for_user(users["city_admin"], year, quarter, today)
    assert mark(report, "130600", "tasks").figures[0].n == 1
    assert mark(report, "130623", "tasks").figures[0].n == 0


def test_submitted_records_are_reviewed_or_waiting_and_open_exactly_those_waiting(client, tree, items, team, users):
    task = a_task(tree["a"], [team["first"], team["second"]], items=items)
    record = submitted(task, users["inspector"])
    year, quarter, today = this_quarter()
    # a record of the city's plan in the same county is the city's, not the county's
    citys = a_task(tree["a"], [team["first"], team["second"]], items=items)
    city_plan = Plan.objects.create(jurisdiction=tree["city"], level=PlanLevel.CITY, year=year, quarter=quarter,
                                    policy_id="baoding-2021", policy_version=1, policy_fingerprint="0" * 64,
                                    policy_title="保定市2021", inspectors_counted=2, status="dispatched")
    city_plan.check_items.add(*items)
    TaskPlan.objects.filter(task=citys).update(plan=city_plan, draw=Draw.objects.create(plan=city_plan, number=1))
    submitted(citys, users["inspector"])
    waiting = mark(completion.for_user(users["city_admin"], year, quarter, today), "130623", "review")
    assert waiting.state == completion.OPEN and waiting.text == "1 份待审核"
    client.force_login(users["city_admin"])
    listed = client.get(waiting.figures[2].url)
    assert [r.pk for r in listed.context["page"].paginator.object_list] == [record.pk]
    assert "仅显示涞水县本级计划任务的记录" in listed.content.decode()
    fieldwork.do_review_record(record, passed=True, reason="", acting_user=users["county_admin"])
    reviewed = mark(completion.for_user(users["city_admin"], year, quarter, today), "130623", "review")
    assert reviewed.state == completion.MET and [(f.label, f.n) for f in reviewed.figures] == [
        ("已提交", 1), ("已审核", 1), ("待审核", 0)]


def test_a_months_results_not_published_by_their_deadline_are_short(tree, items, team, users):
    task = a_task(tree["a"], [team["first"], team["second"]], items=items)
    record = submitted(task, users["inspector"])
    fieldwork.do_review_record(record, passed=True, reason="", acting_user=users["county_admin"])
    ended = timezone.localdate(record.ended_at)
    year, quarter = ended.year, quarter_of(ended)
    pending = mark(completion.for_user(users["city_admin"], year, quarter, ended), "130623", "results")
    assert pending.state == completion.OPEN
    later = ended + datetime.timedelta(days=60)
    late = mark(completion.for_user(users["city_admin"], year, quarter, later), "130623", "results")
    assert late.state == completion.SHORT and late.text == f"{ended.month}月未按期公开"
    assert mark(completion.for_user(users["city_admin"], year, quarter, later), "130624", "results").state \
        == completion.NONE


def test_the_years_joint_inspections_of_key_units_against_the_policy_share(tree, items, team, users):
    year, quarter, today = this_quarter()
    for n in range(3):
        Target.objects.create(credit_code=code_for("130623", 500 + n), name=f"重点{n}号厂", jurisdiction=tree["a"],
                              address="涞水县", legal_representative="孙", category=Category.KEY)
    before = mark(completion.for_user(users["city_admin"], year, quarter, today), "130623", "joint_year")
    # ⌈5% × 3⌉ = 1 joint inspection of a key unit this year
    assert [(f.label, f.n) for f in before.figures] == [("已联合抽查", 0), ("全年至少", 1), ("本地重点排污单位", 3)]
    assert before.state == completion.OPEN
    after_year = mark(completion.for_user(users["city_admin"], year, quarter, datetime.date(year + 1, 1, 5)),
                      "130623", "joint_year")
    assert after_year.state == completion.SHORT
    task = a_task(tree["a"], [team["first"]], items=items)
    joint = Plan.objects.create(jurisdiction=tree["a"], level=PlanLevel.COUNTY, year=year, quarter=quarter,
                                kind=PlanKind.JOINT, department=tree["departments"]["130623"],
                                policy_id="baoding-2021", policy_version=1, policy_fingerprint="0" * 64,
                                policy_title="保定市2021", inspectors_counted=2, status="dispatched")
    draw = Draw.objects.create(plan=joint, number=1, status=DrawStatus.DRAWN)
    TaskPlan.objects.create(task=task, plan=joint, draw=draw, stratum=Stratum.JOINT, rank=1)
    done = mark(completion.for_user(users["city_admin"], year, quarter, today), "130623", "joint_year")
    assert done.state == completion.MET and done.text == "已完成 1 / 1 家"


# --- cost -----------------------------------------------------------------------------------------------


def test_the_queries_do_not_grow_with_the_tasks(client, tree, items, team, users):
    members = [team["first"], team["second"]]
    client.force_login(users["city_admin"])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("completion")).status_code == 200
        return len(queries)

    for _n in range(2):
        submitted(a_task(tree["a"], members, items=items), users["inspector"])
    count()  # the first page of a session reads what later pages find cached
    few = count()
    for _n in range(6):
        a_task(tree["b"], [team["outsider_inspector"]], items=items,
               deadline=timezone.localdate() - datetime.timedelta(days=1))
        submitted(a_task(tree["a"], members, items=items), users["inspector"])
    assert Task.objects.count() == 14
    assert count() == few


def test_in_english_a_quoted_clause_is_cited_in_english_quotes(client, users):
    """The joint inspections' rule cites 附件 二(二)“制定联合抽查计划”: the English page showed the Chinese quotation
    marks inside its English line; it writes "…", as the English texts quote Chinese, and Chinese keeps “…”."""
    client.force_login(users["city_admin"])
    client.cookies["django_language"] = "en"
    text = html.unescape(client.get(reverse("completion")).content.decode())
    assert '(实施方案 二(五); 附件 二(二) "制定联合抽查计划")' in text
    assert "“" not in text and "”" not in text
    client.cookies["django_language"] = "zh-hans"
    text = html.unescape(client.get(reverse("completion")).content.decode())
    assert "（实施方案 二(五)；附件 二(二)“制定联合抽查计划”）" in text
