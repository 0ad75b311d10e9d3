"""A reader goes from a published plan to its published results and back, and a plan whose results are not yet
due says when they are: each month's results within 10 working days after the month (附件 二(四))."""

import datetime

import pytest
from django.utils import timezone

from shuangsuiji.disclosure import public
from shuangsuiji.registry.models import Target
from tests.disclosure.test_portal import batch, credit_code, make_plan, make_result

pytestmark = pytest.mark.django_db


@pytest.fixture
def today(monkeypatch):
    day = datetime.date(2026, 4, 20)  # in the second quarter: no month of it is due yet
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)
    return day


@pytest.fixture
def results_of(tree):
    """A first-quarter plan of 涞水县 with one released result, and a result of another plan."""
    plan = make_plan(tree["a"], 1)
    other = make_plan(tree["b"], 1)
    target = Target.objects.create(credit_code=credit_code("130623", 1), name="涞水县甲化工有限公司",
                                   jurisdiction=tree["a"], industry_code="C2614", industry_name="有机化学原料制造")
    released = batch(tree["a"], 2)
    make_result(released, target, 1, plan_id=plan.pk)
    make_result(released, target, 2, plan_id=other.pk, target_name="另一家")
    return plan


def test_a_plan_page_links_to_its_results_and_they_link_back(client, results_of, today):
    page = client.get(f"/public/plans/{results_of.pk}/").content.decode()
    section = page[page.index('id="plan-results"'):]
    assert f'href="/public/results/?plan={results_of.pk}"' in section and "查看本计划已公开的 1 条检查结果" in section
    listed = client.get("/public/results/", {"plan": results_of.pk}).content.decode()
    assert "JL2026-000001" in listed and "JL2026-000002" not in listed
    head = listed[listed.index('id="results-plan"'):listed.index('id="results-filter"')]
    assert f'href="/public/plans/{results_of.pk}/"' in head and "涞水县2026年第1季度" in head
    # the filter form keeps the plan, so narrowing by outcome stays within it
    assert f'name="plan" value="{results_of.pk}"' in listed
    # the first quarter's months are all past their deadlines by 20 April: nothing says "not yet due"
    assert head.count("（已到期）") == 3
    assert "尚未到公开期限" not in head
    detail = client.get("/public/results/JL2026-000001/").content.decode()
    assert f'href="/public/plans/{results_of.pk}/"' in detail


def test_a_plan_whose_results_are_not_yet_due_says_when_they_are(client, tree, today):
    plan = make_plan(tree["a"], 2)
    page = client.get(f"/public/plans/{plan.pk}/").content.decode()
    section = page[page.index('id="plan-results"'):page.index("</section>", page.index('id="plan-results"'))]
    assert "本计划尚无已公开的检查结果。" in section and "本计划的检查结果尚未到公开期限。" in section
    due = public.plan_results_due(plan, today)
    days = [m.due.isoformat() for m in due.months]
    assert [m.month for m in due.months] == [4, 5, 6] and not any(m.passed for m in due.months)
    assert all(day in section for day in days) and "10 个工作日内公开（附件 二(四)" in section
    assert client.get("/public/results/", {"plan": plan.pk}).content.decode().count("（尚未到期）") == 3
    # "4月 2026-05-…" read as one date: the month names the day it is due by, as the English does
    assert f"4月：{days[0]} 前（尚未到期）" in section
    client.cookies["django_language"] = "en"
    section = client.get(f"/public/plans/{plan.pk}/").content.decode()
    assert "The results of this plan are not due yet." in section
    # a month as the English pages write one (2026-04, as in a batch's name), not "April"
    assert "2026-04: by " + days[0] in section and "April" not in section


def test_an_unknown_or_unpublished_plan_is_an_error_naming_it(client, tree):
    from shuangsuiji.planning.models import PlanStatus
    draft = make_plan(tree["a"], 2, status=PlanStatus.DRAFT, draws=0)
    response = client.get("/public/results/", {"plan": draft.pk})
    assert response.status_code == 400
    assert f"没有编号为 {draft.pk} 的已公开抽查计划" in response.content.decode()
    assert client.get("/public/results/", {"plan": "x"}).status_code == 400


def test_a_result_released_after_its_months_deadline_says_so_on_its_page_and_in_the_list(client, tree):
    """A plan published late was flagged on the portal; a result released after its month's deadline (附件 二(四):
    10 working days after the month) was not, on its page or in the list. Its deadline is the one the plan page
    gives for the month (both from services.results_deadline), and the day is Beijing's: a batch released at
    23:30 on the deadline is on time."""
    from shuangsuiji.disclosure.models import Publication
    from shuangsuiji.disclosure.services import known_results_deadline

    plan = make_plan(tree["a"], 1)
    target = Target.objects.create(credit_code=credit_code("130623", 1), name="涞水县甲化工有限公司",
                                   jurisdiction=tree["a"], industry_code="C2614", industry_name="有机化学原料制造")
    february, march = known_results_deadline(2026, 2), known_results_deadline(2026, 3)
    late, on_time = batch(tree["a"], 2), batch(tree["a"], 3)
    Publication.objects.filter(pk=late.pk).update(deadline=february, released_at=timezone.make_aware(
        datetime.datetime.combine(february + datetime.timedelta(days=3), datetime.time(10))))
    Publication.objects.filter(pk=on_time.pk).update(deadline=march, released_at=timezone.make_aware(
        datetime.datetime.combine(march, datetime.time(23, 30))))
    make_result(late, target, 1, plan_id=plan.pk)
    make_result(on_time, target, 2, plan_id=plan.pk)
    released_late = (february + datetime.timedelta(days=3)).isoformat()

    def release_line(public_id: str, **headers) -> str:
        page = client.get(f"/public/results/{public_id}/", headers=headers).content.decode()
        return page[page.index('id="result-release"'):page.index("</p>", page.index('id="result-release"'))]

    line = release_line("JL2026-000001")
    assert "逾期公开，于" in line and released_late in line and f"期限 <span class=\"text-nowrap\">{february}" in line
    on_time_line = release_line("JL2026-000002")
    assert "逾期" not in on_time_line and f"{march.isoformat()} 公开。" in on_time_line
    english = release_line("JL2026-000001", cookie="django_language=en")
    assert f"published late, on <span class=\"text-nowrap\">{released_late}</span>; the deadline was" in english
    listed = client.get("/public/results/", {"plan": plan.pk}).content.decode()
    rows = listed[listed.index("<tbody>"):listed.index("</tbody>")].split("</tr>")
    row_late = next(row for row in rows if "JL2026-000001" in row)
    row_on_time = next(row for row in rows if "JL2026-000002" in row)
    assert "result-late" in row_late and "result-late" not in row_on_time
    assert f'title="逾期公开，于 {released_late} 公开，期限 {february.isoformat()}"' in row_late
    # the deadline the result is held to is the one the plan page gives for its month
    assert f"2月：{february.isoformat()} 前" in client.get(f"/public/plans/{plan.pk}/").content.decode()
