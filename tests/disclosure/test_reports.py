# ruff: noqa: F811 (fixtures of the fieldwork tests, imported by name, are parameters here)
"""报送材料: the monthly detail sheet and the quarterly status a county owes the city, as workbooks — what
they hold, for whom, and the reminders of their deadlines on the home page."""

import datetime
import io
import re

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone, translation

from shuangsuiji.accounts import workbench
from shuangsuiji.accounts.models import User
from shuangsuiji.disclosure import reports
from shuangsuiji.fieldwork import services as fieldwork
from shuangsuiji.fieldwork.models import Handling, Mode
from shuangsuiji.planning.models import MemberRole, PlanStratum, Stratum, TaskPlan
from shuangsuiji.registry.models import Inspector, Target
from tests.disclosure.test_services import another_task, month_of, publish, reviewed
from tests.fieldwork.conftest import (  # noqa: F401
    code_for,
    items,
    make_task,
    submitted,
    target,
    task,
    team,
)

pytestmark = pytest.mark.django_db

FIRST_ROW = 4
"""Title, subtitle, headings: the monthly sheet's first inspection is on row 4."""


def download(client, user, **query):
    client.force_login(user)
    response = client.get(reverse("disclosure:report_download"), query)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(response.content))


def table(sheet, first: int = FIRST_ROW) -> list[tuple]:
    """The rows of the table: from ``first`` to the blank row before the signing line."""
    rows = []
    for row in sheet.iter_rows(min_row=first, values_only=True):
        if row[0] is None:
            break
        rows.append(row)
    return rows


@pytest.fixture
def b_team(tree):
    return [Inspector.objects.create(name=name, certificate_number=f"1306240000{n}",
                                     certificate_expiry=datetime.date(2030, 1, 1), jurisdiction=tree["b"],
                                     department=tree["departments"]["130624"])
            for n, name in enumerate(("周六", "吴七"))]


@pytest.fixture
def b_inspector(tree, b_team):
    return User.objects.create_user(username="b_inspector", password="x", role="inspector", jurisdiction=tree["b"],
                                    inspector=b_team[0])


def b_task(tree, items, b_team, serial: int):
    target = Target.objects.create(credit_code=code_for("130624", serial), name=f"阜平县{serial}号厂",
                                   jurisdiction=tree["b"], address="阜平县工业园", legal_representative="周法人")
    return make_task(target, items, [(member, MemberRole.OFFICER) for member in b_team])


@pytest.fixture
def month(tree, items, team, users, b_team, b_inspector):
    """County A: this month a reviewed record with a case, a reviewed one released on the portal, one sealed
    but not reviewed; a reviewed one of an earlier month. County B: a reviewed record this month."""
    released = reviewed(another_task(tree, items, team, 32, name="涞水乙厂"), users)
    publish(released, users)  # before the others are reviewed: a batch takes all the month's reviewed records
    problem = reviewed(another_task(tree, items, team, 31, name="涞水甲厂"), users, problem=Handling.CASE)
    submitted(another_task(tree, items, team, 33, name="涞水未审厂"), users["inspector"])
    earlier = timezone.now() - datetime.timedelta(days=40)
    old = reviewed(another_task(tree, items, team, 34, name="涞水上月厂"), users,
                   started_at=earlier - datetime.timedelta(hours=1), ended_at=earlier)
    theirs = submitted(b_task(tree, items, b_team, 41), b_inspector)
    fieldwork.do_review_record(theirs, passed=True, acting_user=users["other_county_admin"])
    year, month = month_of(problem)
    return {"problem": problem, "released": released, "old": old, "year": year, "month": month}


# --- the monthly detail sheet --------------------------------------------------------------------------------


def test_the_monthly_sheet_holds_the_months_reviewed_inspections_of_the_county_and_nothing_else(
        client, users, tree, month):
    book = download(client, users["county_admin"], kind="monthly_detail", year=month["year"], month=month["month"],
                    jurisdiction="130623")
    sheet = book["情况明细表"]
    assert sheet["A1"].value == f"涞水县{month['year']}年{month['month']}月“双随机、一公开”情况明细表"
    assert sheet.cell(3, 2).value == "检查对象名称" and sheet.cell(3, 13).value == "是否已公开"
    rows = table(sheet)
    # not the unreviewed one, not last month's, not county B's
    assert [row[1] for row in rows] == ["涞水乙厂", "涞水甲厂"]
    released, problem = rows
    record = month["problem"]
    assert problem[0] == 2 and problem[2] == record.target.credit_code and problem[3] == "涞水县"
    assert problem[4] == "一般排污单位" and "涞水县" in problem[5] and "第" in problem[5]
    assert problem[6] == timezone.localdate(record.ended_at).isoformat() and problem[7] == "现场检查"
    assert problem[8] == "张三、李四"
    assert problem[9] == "发现问题" and "立案处罚" in problem[10] and "布袋除尘器破损" in problem[10]
    assert problem[11] == record.number and problem[12] == "否"
    assert released[9] == "未发现问题" and released[10] == "—" and released[12] == "是"
    # the stamping line after the table; printable on landscape A4, one page wide
    assert "报送单位（盖章）" in sheet.cell(FIRST_ROW + len(rows) + 1, 1).value
    assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 9  # A4
    assert sheet.page_setup.fitToWidth == 1 and sheet.column_dimensions["B"].width >= 20


def test_the_city_sheet_holds_every_county_and_another_month_holds_its_own(client, users, tree, month):
    book = download(client, users["city_admin"], kind="monthly_detail", year=month["year"], month=month["month"])
    assert sorted(row[1] for row in table(book.active)) == ["涞水乙厂", "涞水甲厂", "阜平县41号厂"]
    earlier = timezone.localdate(month["old"].ended_at)
    book = download(client, users["county_admin"], kind="monthly_detail", year=earlier.year, month=earlier.month)
    assert [row[1] for row in table(book.active)] == ["涞水上月厂"]


# --- the quarterly status ------------------------------------------------------------------------------------


def test_the_quarterly_counts_match_the_quarters_records(client, users, tree, items, team, month):
    plan = TaskPlan.objects.get(task=month["problem"].task).plan
    PlanStratum.objects.create(plan=plan, stratum=Stratum.GENERAL, population=50, minimum=4, requested=5,
                               explanation="一般排污单位按5%抽取", citation="实施方案 二(二)")
    another_task(tree, items, team, 35, name="涞水未查厂")  # drawn, not inspected
    today = timezone.localdate()
    # The plan's quarter, which the counts are of: make_task puts the tasks in the plan of the quarter the test
    # runs in, while the records end hours earlier (in a quarter's first two hours, in the last quarter).
    year, quarter = plan.year, plan.quarter
    status = reports.quarterly_status(tree["a"], year, quarter, today)
    [county] = status.places
    general = county.strata[Stratum.GENERAL]
    # the plan's tasks (make_task puts them all in this quarter's plan): 甲 (a problem), 乙, 未审 (sealed counts as
    # inspected), 上月, 未查 (no record)
    assert (general.minimum, general.requested, general.drawn) == (4, 5, 5)
    assert (general.inspected, general.with_problems) == (4, 1)
    assert (county.problems, county.cases, county.closed) == (1, 1, 0)
    assert county.inspector_count == 2

    book = download(client, users["county_admin"], kind="quarterly_status", year=year, quarter=quarter)
    sheet = book["落实情况"]
    assert sheet["A1"].value == f"涞水县{year}年第{quarter}季度“双随机、一公开”监管工作落实情况"
    [row] = table(sheet, first=5)
    assert row[0] == "涞水县" and row[9:13] == (4, 5, 4, 1)
    assert row[15] == 0  # every inspection on site
    assert row[16] == 2 and row[17:20] == (1, 0, 1)
    assert row[22] == (f"{county.months_on_time}/{county.months_due}" if county.months_due else "—")
    assert [s.title for s in book] == ["落实情况", "结果公开", "抽取验证"]
    assert all(s.page_setup.orientation == "landscape" for s in book)

    book = download(client, users["city_admin"], kind="quarterly_status", year=year, quarter=quarter)
    names = [row[0] for row in table(book["落实情况"], first=5)]
    assert names == ["涞水县", "阜平县", "合计"]


def test_the_quarter_shows_how_many_random_inspections_were_off_site_and_flags_a_county_with_only_those(
        client, users, tree, items, team, b_team, b_inspector):
    """非现场 is the cheap way to a quota (a desk look at online data counted as an inspection): the quarterly
    status counts them beside the inspections and names a county whose every random inspection was off site."""
    off_site = {"mode": Mode.OFF_SITE, "site_manager_name": "", "off_site_means": ["online_monitoring"]}
    submitted(another_task(tree, items, team, 51, name="涞水非现场厂"), users["inspector"], **off_site)
    submitted(another_task(tree, items, team, 52, name="涞水现场厂"), users["inspector"])
    another_task(tree, items, team, 53, name="涞水未查厂")  # drawn, not inspected: counts in neither
    submitted(b_task(tree, items, b_team, 54), b_inspector, **off_site)
    submitted(b_task(tree, items, b_team, 55), b_inspector, **off_site)
    plan = TaskPlan.objects.filter(task__target__jurisdiction=tree["a"]).first().plan
    year, quarter = plan.year, plan.quarter
    status = reports.quarterly_status(tree["city"], year, quarter)
    a, b = (next(p for p in status.places if p.jurisdiction == tree[key]) for key in "ab")
    assert (a.off_site, a.random_inspected, a.off_site_share, a.all_off_site) == (1, 2, "1/2", False)
    assert (b.off_site, b.random_inspected, b.off_site_share, b.all_off_site) == (2, 2, "2/2", True)
    assert status.all_off_site == [tree["b"].name] and status.total().off_site == 3

    client.force_login(users["city_admin"])
    page = client.get(reverse("disclosure:reports"), {"kind": "quarterly_status", "year": year, "quarter": quarter})
    html = page.content.decode()
    assert "其中非现场" in html and 'id="report-off-site"' in html
    note = re.search(r'id="report-off-site">(.*?)</div>', html, re.S).group(1)
    assert tree["b"].name in note and tree["a"].name not in note

    book = download(client, users["city_admin"], kind="quarterly_status", year=year, quarter=quarter)
    sheet = book["落实情况"]
    assert sheet["P3"].value == "其中非现场检查（项）" and "P3:P4" in {str(r) for r in sheet.merged_cells}
    assert {row[0]: row[15] for row in table(sheet, first=5)} == {tree["a"].name: 1, tree["b"].name: 2, "合计": 3}

    client.force_login(users["county_admin"])  # his own county only: one inspection on site, no note
    page = client.get(reverse("disclosure:reports"), {"kind": "quarterly_status", "year": year, "quarter": quarter})
    assert 'id="report-off-site"' not in page.content.decode()


# --- who, and bad parameters ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role, status", [
    ("city_admin", 200), ("county_admin", 200), ("other_county_admin", 200),
    ("leader", 200), ("department_user", 403), ("inspector", 403),
])
def test_admins_make_the_reports_and_leaders_read_them(client, users, role, status):
    client.force_login(users[role])
    assert client.get(reverse("disclosure:reports")).status_code == status
    assert client.get(reverse("disclosure:report_download"), {"kind": "quarterly_status"}).status_code == status


def test_a_county_admin_reports_for_his_county_only_and_bad_parameters_are_explained(client, users, month):
    client.force_login(users["county_admin"])
    page = client.get(reverse("disclosure:reports"), {"jurisdiction": "130623", "year": month["year"],
                                                      "month": month["month"]})
    assert [p.code for p in page.context["places"]] == ["130623"]
    assert page.context["deadline"].kind == "monthly_detail" and page.context["deadline"].due.day == 5
    assert "涞水甲厂" in page.content.decode()
    for query, status, text in (({"jurisdiction": "130624"}, 404, "不在您的管辖范围内"),
                                ({"month": "13"}, 400, "月份应在 1 至 12 之间"),
                                ({"quarter": "0", "kind": "quarterly_status"}, 400, "季度应在 1 至 4 之间"),
                                ({"year": "abc"}, 400, "应为数字"), ({"kind": "weekly"}, 400, "没有这种报送材料")):
        response = client.get(reverse("disclosure:reports"), query)
        assert response.status_code == status and text in response.content.decode()
    response = client.get(reverse("disclosure:report_download"), {"jurisdiction": "130624"})
    assert response.status_code == 302  # back to the page, with the message


@pytest.mark.parametrize(("language", "march", "december"), [
    ("en", ">March</option>", ">December</option>"), ("zh-hans", ">3</option>", ">12</option>")])
def test_the_month_dropdown_names_the_months_in_english_and_numbers_them_in_chinese(
        client, users, settings, language, march, december):
    """An English page read 1 … 12 under "Month"; Django's own catalogue names them. Chinese keeps its numbers."""
    client.force_login(users["county_admin"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    try:
        html = client.get(reverse("disclosure:reports"), {"month": "3", "year": "2026"}).content.decode()
    finally:
        translation.activate(settings.LANGUAGE_CODE)
    month_select = html.split('id="r-month"', 1)[1].split("</select>", 1)[0]
    assert '<option value="3" selected>' + march.removeprefix(">") in month_select
    assert '<option value="12">' + december.removeprefix(">") in month_select
    assert month_select.count("<option") == 12


def test_the_preview_speaks_the_readers_language_and_the_sheet_stays_in_chinese(client, users, month, settings):
    """The preview's fixed words (stratum, method, outcome) were Chinese under English headings."""
    client.force_login(users["county_admin"])
    query = {"jurisdiction": "130623", "year": month["year"], "month": month["month"]}
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    try:
        rows = {r.target_name: r for r in client.get(reverse("disclosure:reports"), query).context["rows"]}
        book = download(client, users["county_admin"], kind="monthly_detail", **query)
    finally:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = settings.LANGUAGE_CODE
        translation.activate(settings.LANGUAGE_CODE)
    problem = rows["涞水甲厂"]
    assert (problem.stratum, problem.mode, problem.outcome) == ("General unit", "On-site inspection", "Problem found")
    assert rows["涞水乙厂"].outcome == "No problem found"
    sheet = next(row for row in table(book["情况明细表"]) if row[1] == "涞水甲厂")
    assert (sheet[4], sheet[7], sheet[9]) == ("一般排污单位", "现场检查", "发现问题")  # the paper stays Chinese


def test_the_problems_on_the_preview_follow_the_reader_and_the_sheet_keeps_the_citys_chinese_wording(
        client, users, tree, items, team, month, settings):
    """The problems column was put together with Chinese words and marks (：；（整改期限…）), which an English
    preview showed as they were; the workbook, a Chinese form sent to the city, keeps them to the character."""
    due = timezone.localdate() + datetime.timedelta(days=90)  # an order's deadline is within a year of the visit
    ordered = reviewed(another_task(tree, items, team, 35, name="涞水丙厂"), users, problem=Handling.ORDER,
                       deadline=due)
    assert month_of(ordered) == (month["year"], month["month"])
    client.force_login(users["county_admin"])
    query = {"jurisdiction": "130623", "year": month["year"], "month": month["month"]}
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    try:
        response = client.get(reverse("disclosure:reports"), query)
        book = download(client, users["county_admin"], kind="monthly_detail", **query)
    finally:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = settings.LANGUAGE_CODE
        translation.activate(settings.LANGUAGE_CODE)
    item = ordered.items.order_by("order").first().name
    rows = {r.target_name: r.problems for r in response.context["rows"]}
    assert rows["涞水丙厂"] == f"{item}: 布袋除尘器破损，未及时更换; Ordered to rectify (due {due})"
    assert rows["涞水甲厂"] == f"{item}: 布袋除尘器破损，未及时更换; Case opened for a penalty"
    assert f"(due {due})" in response.content.decode()  # shown on the page, not only kept in the row
    sheet = {row[1]: row[10] for row in table(book["情况明细表"])}
    assert sheet["涞水丙厂"] == f"{item}：布袋除尘器破损，未及时更换；责令改正（整改期限{due}）"
    assert sheet["涞水甲厂"] == f"{item}：布袋除尘器破损，未及时更换；立案处罚"


@pytest.mark.parametrize("language, expected", [
    ("zh-hans", "除尘设施：布袋破损；立案处罚（整改期限2030-09-30），处罚决定书涞环罚〔2030〕3号\n废水排放：超标"),
    ("en", "除尘设施: 布袋破损; Case opened for a penalty (due 2030-09-30), penalty decision 涞环罚〔2030〕3号\n"
           "废水排放: 超标"),
])
def test_a_rows_problems_are_put_together_in_the_active_language(language, expected):
    row = {"problems": [
        {"item": "除尘设施", "description": "布袋破损", "handling": "立案处罚", "deadline": "2030-09-30",
         "decision_number": "涞环罚〔2030〕3号"},
        {"item": "废水排放", "description": "超标", "handling": "", "deadline": "", "decision_number": ""},
    ]}
    with translation.override(language):
        assert reports._problems(row) == expected


# --- the reminders on the home page --------------------------------------------------------------------------


def test_the_workbench_lists_the_reports_due_within_a_month_with_their_links(users):
    today = datetime.date(2026, 11, 25)
    bench = workbench.for_user(users["county_admin"], today)
    [section] = [s for s in bench.sections if s.key == "reports"]
    items = section.items.items
    assert [(i.due, i.title) for i in items] == [
        (datetime.date(2026, 12, 5), "报送2026年11月“双随机、一公开”情况明细表"),
        (datetime.date(2026, 12, 20), "报送2026年第4季度需调整的检查人员库和检查对象名录库信息"),
        (datetime.date(2026, 12, 25), "报送2026年第4季度“双随机、一公开”监管工作落实情况"),
    ]  # December's sheet, due 2027-01-05, is 41 days away: not yet
    assert items[0].url == f"{reverse('disclosure:reports')}?kind=monthly_detail&year=2026&month=11"
    assert items[1].url == f"{reverse('registry:dynamic_report')}?year=2026&quarter=4"
    assert items[2].url == f"{reverse('disclosure:reports')}?kind=quarterly_status&year=2026&quarter=4"
    assert not any(i.overdue for i in items) and items[0].due_label == "报送期限" and items[0].days_left == 10
    assert all(s.key != "reports" for s in workbench.for_user(users["inspector"], today).sections)
    # after Christmas: last year's December sheet, due in January, is the next one
    january = workbench.reporting_reminders(users["city_admin"], datetime.date(2026, 12, 26)).items
    assert (january[0].due, january[0].title) == (datetime.date(2027, 1, 5), "报送2026年12月“双随机、一公开”情况明细表")


@pytest.mark.parametrize("who, reminded", [("county_admin", True), ("city_admin", True), ("bound_superuser", True),
                                          ("superuser", False), ("leader", False)])
def test_the_reports_are_reminded_to_the_bureaus_admins_and_not_to_a_superuser_of_no_jurisdiction(
        who, reminded, users, tree, client):
    """The reports are a bureau's paperwork to the city. A superuser bound to no jurisdiction administers the system
    and belongs to no bureau: like a leader he reads them on the 报送材料 page, and the 工作台 does not remind him of
    deadlines nobody expects of him (nor lists 近期报送 among the sections with nothing to do). A superuser bound to a
    jurisdiction (the demo's ``admin``, 保定市) is its city office's, and is reminded as the city admin is."""
    users["superuser"] = User.objects.create_superuser("root", password="pw-root-1A")
    users["bound_superuser"] = User.objects.create_superuser("city_root", password="pw-root-1B",
                                                             jurisdiction=tree["city"], role="city_admin")
    user, today = users[who], datetime.date(2026, 11, 25)
    bench = workbench.for_user(user, today)
    sections = {s.key: s for s in bench.sections}
    assert ("reports" in sections) is reminded
    assert bool(workbench.reporting_reminders(user, today).items) is reminded
    if reminded:
        assert sections["reports"].items.total == 3  # the month's sheet, the registry changes, the quarter's status
    if who == "superuser":
        # the rest of his workbench is the city office's, over the whole system
        assert {"plans", "next", "approvals", "overdue_tasks", "review", "months", "batches"} <= set(sections)
        client.force_login(user)
        home = client.get("/").content.decode()
        assert 'id="wb-reports"' not in home and "近期报送" not in home
        assert client.get(reverse("disclosure:reports")).status_code == 200  # he still reads every bureau's


def test_the_quarterly_status_of_a_month_whose_deadline_is_not_known_yet(client, users, tree, items, team,
                                                                          monkeypatch):
    """The fourth quarter's status is due on 25 December, when December's results are due in a January whose
    holidays may not be entered yet: the page and the workbook were a server error (its month compared today
    with no deadline). The month is now listed as not due, its deadline waiting for the holidays."""
    from shuangsuiji.engine import workdays

    record = reviewed(another_task(tree, items, team, 36, name="涞水十二月厂"), users)
    year, month = month_of(record)
    quarter = (month - 1) // 3 + 1
    monkeypatch.setattr(workdays, "_PACKAGE_YEARS", range(2004, 2004))  # the calendar knows no year at all
    client.force_login(users["county_admin"])
    query = {"kind": "quarterly_status", "year": year, "quarter": quarter}
    response = client.get(reverse("disclosure:reports"), query)
    assert response.status_code == 200
    [county] = response.context["status"].places
    assert (county.months_due, county.months_on_time) == (0, 0)
    # no month due is no "0/0" (which read as none on time), on the page and in the workbook
    # 按期公开, then 抽取已验证, 线索核查 and 跨部门联合抽查
    assert re.search(r'<td data-label="[^"]+">—</td><td data-label="[^"]+">\d+/\d+</td>'
                     r'<td data-label="[^"]+">\d+/\d+</td><td data-label="[^"]+">\d+/\d+</td></tr>',
                     response.content.decode())
    book = download(client, users["county_admin"], **query)
    [summary] = table(book["落实情况"], first=5)
    assert summary[22] == "—"
    [row] = table(book["结果公开"])
    assert row[3] == "待录入放假安排" and row[5] == "期限待定（待录入放假安排），待公开"


def test_decembers_reminders_stay_while_the_next_years_holidays_are_unknown(monkeypatch):
    """A policy that moves report dates to working days needs next year's holidays for December's detail (due in
    January). Before, that one unknown date emptied the whole year: from 1 December the 工作台 reminded of
    neither the 20 December registry report nor the 25 December quarterly status."""
    from shuangsuiji.engine import workdays
    from tests.engine.test_workdays import variant

    monkeypatch.setattr(workdays, "_PACKAGE_YEARS", range(2004, 2027))  # 2027 unknown, whatever the package knows
    shifted = variant(reporting_calendar={"shift_to_workday": True})
    monkeypatch.setattr(reports, "policy_for", lambda year, quarter: shifted)
    due = {(d.kind, d.period): d.due for d in reports.upcoming(datetime.date(2026, 12, 1))}
    assert due[("quarterly_status", "2026Q4")] == datetime.date(2026, 12, 25)
    assert due[("registry_adjustment", "2026Q4")] == datetime.date(2026, 12, 21)
    assert ("monthly_detail", "2026-12") not in due
    assert reports.deadline_of("monthly_detail", "2026-12") is None


def test_the_years_list_is_no_longer_reminded_once_released_in_the_scope(users, tree):
    """The reminder 公开某年列入随机抽查日常监管的污染源名单 stayed on the 工作台 all January after the lists
    were out: unlike the stamped papers, the list is in the system. It now goes once every county of the
    user's scope has released it — for a county his own, for the city all of them."""
    from shuangsuiji.disclosure import services

    today = datetime.date(2027, 1, 10)
    title = "公开2027年列入随机抽查日常监管的污染源名单"

    def reminded(role: str) -> bool:
        return title in [i.title for i in workbench.reporting_reminders(users[role], today).items]

    assert reminded("county_admin") and reminded("city_admin")
    for serial, (county, admin) in enumerate(((tree["a"], "county_admin"), (tree["b"], "other_county_admin")),
                                             start=71):
        Target.objects.create(credit_code=code_for(county.code, serial), name=f"{county.name}{serial}号厂",
                              jurisdiction=county)
        batch = services.do_prepare_annual_list(jurisdiction=county, year=2027, acting_user=users[admin])
        services.do_review(batch, acting_user=users["leader"])
        services.do_release(batch, acting_user=users[admin])
        if county == tree["a"]:
            assert not reminded("county_admin") and reminded("other_county_admin")
            assert reminded("city_admin")  # 阜平县's is not out yet
    assert not reminded("city_admin") and not reminded("other_county_admin")


def test_the_monthly_sheet_names_a_cross_department_check_by_its_kind(client, users, tree, month):
    """Its targets were drawn by another department, not under the bureau's strata: the 抽查类别 says so."""
    from shuangsuiji.planning.models import Plan, PlanKind

    before = reports.monthly_detail(tree["a"], month["year"], month["month"])
    assert [row.stratum for row in before if row.target_name == "涞水甲厂"] == ["一般排污单位"]
    selection = month["problem"].task.selections.get(active=True)
    Plan.objects.filter(pk=selection.plan_id).update(kind=PlanKind.CROSS, department=None)
    rows = reports.monthly_detail(tree["a"], month["year"], month["month"])
    assert [row.stratum for row in rows if row.target_name == "涞水甲厂"] == ["跨部门联合抽查"]


@pytest.mark.parametrize("role", ["city_admin", "county_admin", "leader"])
def test_the_records_not_yet_reviewed_link_to_themselves(client, users, month, role):
    """"另有 1 份已提交的记录尚未审核" said what was to be done and led nowhere: it opens the list of those records
    (pending, the county, the month), as many as it says; a month typed wrong there is explained, not ignored."""
    client.force_login(users[role])
    page = client.get(reverse("disclosure:reports"), {"jurisdiction": "130623", "year": month["year"],
                                                      "month": month["month"], "kind": "monthly_detail"})
    assert page.context["unreviewed"] == 1
    link = re.search(r'id="report-unreviewed" href="([^"]+)"', page.content.decode()).group(1).replace("&amp;", "&")
    listed = client.get(link).context["page"].object_list
    assert [r.target.name for r in listed] == ["涞水未审厂"]
    wrong = client.get(reverse("fieldwork:record_list"), {"month": "2026-13"})
    assert "不是有效的月份" in wrong.content.decode() and 'is-invalid" type="month"' in wrong.content.decode()
