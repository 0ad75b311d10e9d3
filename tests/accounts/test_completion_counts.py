# ruff: noqa: F811 (fixtures of the fieldwork tests, imported by name, are parameters here)
"""完成情况 counts what its words say, as the workbench does, and each count opens exactly what it counts.

记录审核 counted the quarter's task records only: a re-check's record waiting for review was on the workbench's
待审核记录 (under the bureau whose plan drew the visit re-checked) and not on this page, so the two said different
numbers for the same bureau. It now counts the re-checks that follow the quarter's tasks up, says how many of its
records are re-checks, and its 待审核 opens them too."""

import pytest
from django.utils import timezone

from shuangsuiji.accounts import completion
from shuangsuiji.fieldwork import services as fieldwork
from shuangsuiji.fieldwork.models import Recheck
from tests.accounts.test_completion import mark
from tests.accounts.test_workbench import a_task
from tests.accounts.test_workbench_owner import _cells, _city_plan, _listed, city_recheck_chain
from tests.fieldwork.conftest import items, submitted, team  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def rechecked(tree, items, team, users):
    """A city plan's visit to a firm of county A that ordered a rectification, its re-check finding it again, and
    the re-check of that re-check: three records of the city's, two of them re-checks; and a county plan's record."""
    city_task, records = city_recheck_chain(tree, items, team, users["inspector"])
    county = submitted(a_task(tree["a"], [team["first"], team["second"]], name="县级计划厂", items=items),
                       users["inspector"])
    return city_task, sorted(record.number for record in records), county


@pytest.mark.parametrize("who", ["city_admin", "leader"])
def test_re_checks_are_counted_under_the_bureau_that_drew_the_visit_and_opened(who, rechecked, tree, users, client):
    task, numbers, county = rechecked
    user = users[who]
    client.force_login(user)
    report = completion.for_user(user, task.year, task.quarter, timezone.localdate())
    city = mark(report, tree["city"].code, "review")
    figures = {figure.label: figure for figure in city.figures}
    assert (figures["已提交"].n, figures["其中复查"].n, figures["已审核"].n, figures["待审核"].n) == (3, 2, 0, 3)
    assert city.text == "3 份待审核"
    assert _listed(client, figures["待审核"].url) == numbers
    county_a = {figure.label: figure for figure in mark(report, tree["a"].code, "review").figures}
    assert county_a["待审核"].n == 1 and "其中复查" not in county_a
    assert _listed(client, county_a["待审核"].url) == [county.number]
    # the workbench's 待审核记录 says the same number for the same bureau
    if who == "city_admin":
        cells = _cells(client, user, "待审核记录")
        assert (cells[tree["city"].code].n, cells[tree["a"].code].n) == (3, 1)
    rule = next(column.rule for column in report.columns if column.key == "review")
    assert "复查记录" in rule


def test_a_reviewed_re_check_leaves_the_waiting_count(rechecked, tree, users, client):
    task, numbers, _county = rechecked
    last = Recheck.objects.filter(source_record__recheck__isnull=False).get().records.get()
    fieldwork.do_review_record(last, passed=True, acting_user=users["city_admin"])
    client.force_login(users["city_admin"])
    report = completion.for_user(users["city_admin"], task.year, task.quarter, timezone.localdate())
    figures = {figure.label: figure for figure in mark(report, tree["city"].code, "review").figures}
    assert (figures["已提交"].n, figures["已审核"].n, figures["待审核"].n) == (3, 1, 2)
    assert _listed(client, figures["待审核"].url) == sorted(set(numbers) - {last.number})


def test_the_citys_results_are_said_to_be_in_the_counties_months(tree, items, team, users):
    """结果公开 of the city's row said 本季度无待公开的结果 while its own plans' visits had results: a result is
    published in the month of the firm's county (``publishable_records``), so the city's are counted on the
    counties' rows. The city's row now says that, with how many of its tasks it is about."""
    members = [team["first"], team["second"]]
    today = timezone.localdate()
    report = completion.for_user(users["city_admin"], today.year, (today.month - 1) // 3 + 1, today)
    assert mark(report, tree["city"].code, "results").text == "本季度无待公开的结果"
    city_task = a_task(tree["a"], members, name="市级计划厂", items=items)
    _city_plan(tree, city_task)
    record = submitted(city_task, users["inspector"])
    fieldwork.do_review_record(record, passed=True, acting_user=users["city_admin"])
    report = completion.for_user(users["city_admin"], city_task.year, city_task.quarter, today)
    city = mark(report, tree["city"].code, "results")
    assert city.state == completion.NONE
    assert city.text == "本级计划 1 项任务的检查结果由检查对象所在县（市、区）按月公开，计入各县一行"
    county_a = mark(report, tree["a"].code, "results")
    assert county_a.state == completion.OPEN and county_a.text == "尚未全部公开，未过期限"
    assert mark(report, tree["b"].code, "results").text == "本季度无待公开的结果"


def test_the_tables_approvals_column_says_it_counts_the_readers_decisions_row_by_row(tree, items, team, users,
                                                                                       client):
    """The city row's 待审批 showed only the city's own plans' requests while the city decides every county's
    shortfall too, which sat on the county's row: the column read as "the city's queue". It is headed 待您审批 and
    says where a request is counted; the rows sum to the section's count and the 审批 page's 待您审批."""
    from shuangsuiji.planning.models import Plan, PlanStratum, ShortfallState, Stratum

    make = {"population": 10, "minimum": 5, "requested": 3, "explanation": "≥50%", "citation": "指导意见 二(一)",
            "shortfall_state": ShortfallState.PENDING, "shortfall_reason": "停产"}
    a_task(tree["a"], [team["first"], team["second"]], items=items)  # the county's plan of the quarter
    PlanStratum.objects.create(plan=Plan.objects.get(jurisdiction=tree["a"]), stratum=Stratum.KEY, **make)
    client.force_login(users["city_admin"])
    response = client.get("/")
    bench = response.context["bench"]
    assert "待审批" not in bench.columns
    cells = _cells(client, users["city_admin"], "待您审批")
    assert (cells[tree["city"].code].n, cells[tree["a"].code].n) == (0, 1)
    html = response.content.decode()
    assert "待您审批按申请所属行政区计数：县里的少抽、重新抽取申请在该县一行，本市一行是市级计划的申请" in html
    approvals = next(s for s in bench.sections if s.key == "approvals").items
    assert sum(cell.n for cell in cells.values()) == approvals.total == 1
    assert "待您审批 1 项" in client.get(cells[tree["a"].code].url).content.decode()
    # the county admin decides none of it: no table, no column, no note
    client.force_login(users["county_admin"])
    assert "待您审批按申请所属行政区计数" not in client.get("/").content.decode()
