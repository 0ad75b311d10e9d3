"""The public portal's pages and downloads: filters, errors that name the parameter, CSV/JSON with the same
filters, result details with redaction notes and corrections, a target's history, plans with their draws,
the verification pages, capped paging and a bounded number of queries.

Snapshot rows are written here as ``do_prepare_results`` writes them (the pipeline through the services is in
test_nothing_unpublished.py); corrections go through ``do_correct_result``."""

import csv
import datetime
import io
import json
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shuangsuiji.disclosure import services
from shuangsuiji.disclosure.models import (
    DrawVerification,
    ListedTarget,
    Outcome,
    Publication,
    PublicationKind,
    PublicationStatus,
    PublishedResult,
)
from shuangsuiji.fieldwork.models import InspectionRecord
from shuangsuiji.planning.models import Draw, DrawStatus, Plan, PlanStatus, PlanStratum, Task
from shuangsuiji.registry.models import CheckItem, Target
from shuangsuiji.registry.views import CappedPaginator
from tests.conftest import credit_code

pytestmark = pytest.mark.django_db

TOOLS = Path(__file__).resolve().parents[2] / "tools"


def batch(jurisdiction, month: int, status: str = PublicationStatus.RELEASED, kind=PublicationKind.RESULTS):
    return Publication.objects.create(
        jurisdiction=jurisdiction, kind=kind, year=2026, month=month if kind == PublicationKind.RESULTS else 0,
        status=status, deadline=datetime.date(2026, 12, 31), deadline_citation="指导意见",
        released_at=timezone.now() if status == PublicationStatus.RELEASED else None)


def make_result(publication: Publication, target: Target, number: int, **values) -> PublishedResult:
    task = Task.objects.create(year=2026, quarter=1, target=target, deadline=datetime.date(2026, 3, 31),
                               category="general")
    record = InspectionRecord.objects.create(number=f"JL2026-{number:06d}", task=task, target=target)
    fields = dict(public_id=record.number, credit_code=target.credit_code, target_name=target.name,
                  industry_code=target.industry_code, industry_name=target.industry_name,
                  inspected_on=datetime.date(2026, publication.month, 10), outcome=Outcome.NO_PROBLEM,
                  items=[{"code": "C-01", "name": "排污许可制度执行情况", "outcome": "未发现问题"}],
                  plan_label="涞水县2026年第1季度双随机抽查计划", mode="现场检查")
    fields.update(values)
    return PublishedResult.objects.create(publication=publication, record=record, target=target,
                                          jurisdiction=target.jurisdiction, jurisdiction_name=target.jurisdiction.name,
                                          **fields)


@pytest.fixture
def data(tree):
    a, b = tree["a"], tree["b"]

    def target(division, serial, name, industry, industry_name, place):
        return Target.objects.create(credit_code=credit_code(division, serial), name=name, jurisdiction=place,
                                     industry_code=industry, industry_name=industry_name)

    targets = {
        "chem": target("130623", 1, "涞水县甲化工有限公司", "C2614", "有机化学原料制造", a),
        "mill": target("130623", 2, "涞水县乙纺织厂", "C1712", "棉织造加工", a),
        "secret": target("130623", 3, "涞水县丙军工配套厂", "C3311", "金属结构制造", a),
        "masked": target("130623", 4, "涞水县丁个体加工点", "C3311", "金属结构制造", a),
        "b": target("130624", 5, "阜平县戊石材厂", "C3032", "建筑用石加工", b),
    }
    march, april = batch(a, 3), batch(a, 4)
    rows = {
        "chem": make_result(march, targets["chem"], 1, outcome=Outcome.PROBLEM, problems=[{
            "item": "排污许可制度执行情况", "description": "未按证排污", "handling": "立案查处",
            "deadline": "2026-04-30", "decision_number": "涞环罚〔2026〕3号"}]),
        "mill": make_result(april, targets["mill"], 2),
        "secret": make_result(april, targets["secret"], 3, credit_code="", target_name="", industry_code="",
                              industry_name="", items=[], plan_label="", mode="", outcome=Outcome.WITHHELD,
                              withheld_basis="state_secret",
                              redactions=[{"field": "*", "basis": "state_secret", "source": "case"}]),
        "masked": make_result(april, targets["masked"], 4, target_name="＊＊＊", credit_code="",
                              redactions=[{"field": "target_name", "basis": "privacy", "source": "rule"},
                                          {"field": "credit_code", "basis": "privacy", "source": "rule"}]),
        "b": make_result(batch(b, 3), targets["b"], 5),
    }
    annual = batch(a, 0, kind=PublicationKind.ANNUAL_LIST)
    for key in ("chem", "mill"):
        t = targets[key]
        ListedTarget.objects.create(publication=annual, target=t, credit_code=t.credit_code, name=t.name,
                                    jurisdiction_name=a.name, jurisdiction_code=a.code, industry_code=t.industry_code,
                                    industry_name=t.industry_name, address="涞水县开发区", is_key_unit=key == "chem")
    return {"targets": targets, "rows": rows}


def streamed(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def ids_on(client, **params) -> list[str]:
    body = json.loads(streamed(client.get("/public/results/", {**params, "format": "json"})))
    return [row["public_id"] for row in body["results"]]


# --- results -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("params", "expected"), [
    ({}, ["JL2026-000002", "JL2026-000003", "JL2026-000004", "JL2026-000001", "JL2026-000005"]),
    ({"jurisdiction": "130624"}, ["JL2026-000005"]),
    ({"jurisdiction": "130600", "month": "2026-03"}, ["JL2026-000001", "JL2026-000005"]),
    ({"month": "2026-04"}, ["JL2026-000002", "JL2026-000003", "JL2026-000004"]),
    ({"industry": "c26"}, ["JL2026-000001"]),
    ({"outcome": "problem"}, ["JL2026-000001"]),
    ({"outcome": "withheld"}, ["JL2026-000003"]),
    ({"q": "纺织"}, ["JL2026-000002"]),
    ({"q": "丙军工"}, []),  # a withheld result has no name to find
    ({"q": "JL2026-000005"}, ["JL2026-000005"]),
    ({"q": "jl2026-000005"}, ["JL2026-000005"]),  # a public number typed in lower case
])
def test_results_filters_on_the_page_and_in_the_downloads(client, data, params, expected):
    assert ids_on(client, **params) == expected
    page = client.get("/public/results/", params)
    assert page.status_code == 200
    shown = [pid for pid in PublishedResult.objects.values_list("public_id", flat=True)
             if f"/public/results/{pid}/" in page.content.decode()]
    assert sorted(shown) == sorted(expected)


def test_search_by_credit_code_in_any_case(client, data):
    code = data["targets"]["mill"].credit_code
    assert ids_on(client, q=code.lower()) == ["JL2026-000002"]


def test_the_results_page_shows_withheld_rows_only_as_withheld(client, data):
    text = client.get("/public/results/", {"month": "2026-04"}).content.decode()
    assert "涞水县乙纺织厂" in text and "依法不予公开" in text
    assert "涞水县丙军工配套厂" not in text and data["targets"]["secret"].credit_code not in text
    assert "涞水县丁个体加工点" not in text and data["targets"]["masked"].credit_code not in text


def refused_results_page(client, params: dict, field: str, says: str) -> str:
    """The results page refusing ``params``: a 400 that names ``field`` and says ``says``, listing nothing."""
    page = client.get("/public/results/", params)
    assert page.status_code == 400
    text = page.content.decode()
    assert "筛选条件有误" in text and f"（{field}）" in text and says in text
    assert "/public/results/JL2026" not in text  # nothing listed
    return text


@pytest.mark.parametrize(("params", "field", "says"), [
    ({"month": "2026-13"}, "month", "YYYY-MM"),
    ({"industry": "26%"}, "industry", "C26"),
    ({"jurisdiction": "999999"}, "jurisdiction", "999999"),
    ({"outcome": "bad"}, "outcome", "bad"),
])
def test_a_bad_filter_says_which_and_why_and_lists_nothing(client, data, params, field, says):
    refused_results_page(client, params, field, says)
    download = client.get("/public/results/", {**params, "format": "csv"})
    assert download.status_code == 400 and says in json.loads(download.content)["errors"][field][0]


def test_an_unknown_format_is_a_400(client, data):
    response = client.get("/public/results/", {"format": "xlsx"})
    assert response.status_code == 400 and "csv 或 json" in response.content.decode()


def test_csv_has_a_bom_chinese_headers_and_the_filtered_rows(client, data):
    response = client.get("/public/results/", {"outcome": "problem", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv") and response.streaming
    assert 'filename="results-problem.csv"' in response["Content-Disposition"]  # named by what was asked for
    named = client.get("/public/results/", {"jurisdiction": "130623", "q": "纺织", "format": "json"})
    assert 'filename="results-130623.json"' in named["Content-Disposition"]  # a Chinese search word left out
    assert 'filename="results.csv"' in client.get("/public/results/", {"format": "csv"})["Content-Disposition"]
    text = streamed(response)
    assert text.startswith("\ufeff公开编号,")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 2 and rows[1][0] == "JL2026-000001"
    assert "涞环罚〔2026〕3号" in rows[1][rows[0].index("发现的问题及处理")]
    withheld = list(csv.reader(io.StringIO(streamed(client.get("/public/results/", {
        "outcome": "withheld", "format": "csv"})).lstrip("\ufeff"))))
    assert withheld[1][withheld[0].index("不予公开依据")] == "涉及国家秘密" and withheld[1][3] == ""


def test_json_download_echoes_filters_and_keeps_items_and_problems(client, data):
    body = json.loads(streamed(client.get("/public/results/", {"month": "2026-03", "format": "json"})))
    assert body["filters"] == {"month": "2026-03"}
    chem = body["results"][0]
    assert chem["public_id"] == "JL2026-000001" and chem["outcome"] == "problem"
    assert chem["problems"][0]["decision_number"] == "涞环罚〔2026〕3号" and chem["items"][0]["code"] == "C-01"


# --- detail, corrections, target -----------------------------------------------------------------------------------


def test_result_detail_shows_items_problems_and_redaction_notes(client, data):
    text = client.get("/public/results/JL2026-000001/").content.decode()
    for part in ("涞水县甲化工有限公司", "排污许可制度执行情况", "未按证排污", "立案查处", "涞环罚〔2026〕3号",
                 "2026-03-10"):
        assert part in text
    masked = client.get("/public/results/JL2026-000004/").content.decode()
    assert "单位名称：依法隐去（涉及个人隐私，《政府信息公开条例》第十五条）" in masked
    assert data["targets"]["masked"].name not in masked
    withheld = client.get("/public/results/JL2026-000003/").content.decode()
    assert "依法不予公开" in withheld and "涉及国家秘密" in withheld and "排污许可" not in withheld
    missing = client.get("/public/results/NO-SUCH/")
    assert missing.status_code == 404
    # In the portal's frame, leading back to the portal: no talk of jurisdiction, no link to the staff sign-in.
    assert missing.templates[0].name == "disclosure/public/404.html"
    page = missing.content.decode()
    assert "它尚未公开" in page and "管辖范围" not in page and 'href="/public/"' in page and 'href="/"' not in page
    staff = client.get("/planning/no-such-page/")
    assert staff.status_code == 404 and staff.templates[0].name == "404.html"
    for path in ("/api/public/nosuch/", "/api/planning/nosuch/", "/api/public/plans/abc/"):
        api = client.get(path)  # the APIs answer JSON, also for a path they do not have
        assert api.status_code == 404 and api.json() == {"detail": "未找到。"}, path
    # The portal only reads: anything but GET and HEAD is 405 (a POST met the CSRF check's 403 page first).
    for method in ("post", "put", "delete"):
        assert getattr(client, method)("/public/results/").status_code == 405, method
    assert client.head("/public/results/").status_code == 200


def test_corrections_are_shown_as_such_without_bringing_back_what_is_now_hidden(client, data, users):
    chem = data["rows"]["chem"]
    services.do_correct_result(chem, values={"problems": [dict(chem.problems[0], decision_number="涞环罚〔2026〕4号")]},
                               reason="处罚决定书文号录入有误", acting_user=users["county_admin"])
    mill = data["rows"]["mill"]
    services.do_correct_result(mill, values={"target_name": "＊＊＊", "credit_code": ""},
                               reason="依法隐去经营者姓名", acting_user=users["county_admin"])
    PublishedResult.objects.filter(pk=mill.pk).update(redactions=[
        {"field": "target_name", "basis": "privacy", "source": "case"}])
    correction = mill.corrections.get()
    correction.after = {**correction.after, "redactions": [{"field": "target_name", "basis": "privacy"},
                                                           {"field": "credit_code", "basis": "privacy"}]}
    correction.save()
    text = client.get("/public/results/JL2026-000001/").content.decode()
    assert "更正记录" in text and "处罚决定书文号录入有误" in text
    assert "涞环罚〔2026〕3号" in text and "涞环罚〔2026〕4号" in text  # before → after
    # the day of the correction as stored (today, asked here, was the next day for a run crossing midnight in
    # Beijing after the corrections were made)
    assert timezone.localdate(chem.corrections.get().corrected_at).isoformat() in text
    hidden = client.get("/public/results/JL2026-000002/").content.decode()
    assert "依法隐去经营者姓名" in hidden and "涞水县乙纺织厂" not in hidden
    assert data["targets"]["mill"].credit_code not in hidden
    assert "已更正" in client.get("/public/results/", {"month": "2026-03"}).content.decode()


def test_a_target_page_lists_its_published_results_and_list_rows(client, data):
    chem = data["targets"]["chem"]
    text = client.get(f"/public/targets/{chem.credit_code}/").content.decode()
    assert "涞水县甲化工有限公司" in text and "JL2026-000001" in text and "2026年 · 涞水县" in text
    assert "JL2026-000002" not in text
    saved = client.get(f"/public/targets/{chem.credit_code}/", {"format": "csv"})
    assert f'filename="results-{chem.credit_code}.csv"' in saved["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(streamed(saved).lstrip("\ufeff"))))
    assert [r[0] for r in rows[1:]] == ["JL2026-000001"]
    assert client.get(f"/public/targets/{credit_code('130623', 77)}/").status_code == 404
    assert client.get(f"/public/targets/{data['targets']['secret'].credit_code}/").status_code == 404


# --- annual list, items ----------------------------------------------------------------------------------------------


def test_annual_list_defaults_to_the_latest_year_and_filters(client, data):
    text = client.get("/public/list/").content.decode()
    assert "2026年随机抽查对象名录" in text and "涞水县甲化工有限公司" in text and "重点排污单位" in text
    assert "涞水县乙纺织厂" not in client.get("/public/list/", {"industry": "C26"}).content.decode()
    assert "涞水县" not in client.get("/public/list/", {"jurisdiction": "130624"}).content.decode().split(
        "<tbody>")[1]
    assert "没有符合条件" in client.get("/public/list/", {"year": "2025"}).content.decode()
    bad = client.get("/public/list/", {"year": "20x6"})
    assert bad.status_code == 400 and "（year）" in bad.content.decode()
    body = json.loads(streamed(client.get("/public/list/", {"q": "纺织", "format": "json"})))
    assert [(r["credit_code"], r["year"]) for r in body["results"]] == [(data["targets"]["mill"].credit_code, 2026)]


def test_items_are_the_active_ones_in_page_and_csv(client, tree):
    department = tree["departments"]["130600"]
    CheckItem.objects.create(code="C-01", name="排污许可制度执行情况", legal_basis="排污许可管理条例",
                             content="持证排污", jurisdiction=tree["city"], responsible_department=department)
    CheckItem.objects.create(code="C-99", name="已停用事项", legal_basis="条例", content="-",
                             jurisdiction=tree["city"], responsible_department=department, is_active=False)
    text = client.get("/public/items/").content.decode()
    assert "排污许可制度执行情况" in text and "已停用事项" not in text
    rows = list(csv.reader(io.StringIO(streamed(client.get("/public/items/", {"format": "csv"})).lstrip("\ufeff"))))
    assert rows[0][:2] == ["事项编码", "抽查事项"] and [r[0] for r in rows[1:]] == ["C-01"]


def test_the_item_list_says_an_items_industries_as_the_plan_page_does(client, tree):
    """The 事项清单 gave an item's industries as stored (B E), the plan page listing the same item in the
    reader's punctuation (B、E; B, E in English)."""
    CheckItem.objects.create(code="C-03", name="矿山开采生态保护", legal_basis="条例", content="-", industries="B E",
                             jurisdiction=tree["city"], responsible_department=tree["departments"]["130600"])
    assert ">B、E</td>" in client.get("/public/items/").content.decode()
    english = client.get("/public/items/", headers={"cookie": "django_language=en"}).content.decode()
    assert ">B, E</td>" in english
    rows = list(csv.reader(io.StringIO(streamed(client.get("/public/items/", {"format": "csv"})).lstrip("\ufeff"))))
    assert rows[1][6] == "B E"  # the download keeps the stored codes, as the registry's import reads them


# --- plans and verification ------------------------------------------------------------------------------------------

SECRET, SEED = "5e" * 32, "a1" * 32


def on_time_draw(year: int, quarter: int) -> datetime.datetime:
    """When a test plan of (year, quarter) was drawn: 10:00 Beijing time on the first day of its draw window (the
    last working days of the quarter before, 实施方案 二(四); ``engine.workdays.draw_window``), so the plan is drawn
    on time whatever day the suite runs. "30 days before today" was late for a plan of a quarter ended, and
    before its window for one to come; at 00:30 Beijing time it was even another day than in UTC. Without a
    calendar of those days (no policy in force, holidays not entered) the last day of the quarter before."""
    from shuangsuiji.engine.workdays import CalendarUnknownError, previous_quarter
    from shuangsuiji.intake.services import policy_for
    from shuangsuiji.planning import gather

    try:
        day = gather.calendar().draw_window(policy_for(year, quarter), year, quarter)[0]
    except (CalendarUnknownError, ValidationError):
        before_year, before = previous_quarter(year, quarter)
        day = datetime.date(before_year + (before == 4), before * 3 % 12 + 1, 1) - datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def revealed_after(drawn_at: datetime.datetime) -> datetime.datetime:
    """A revealed test plan's reveal: now, or just after its draw when the test's now comes before it."""
    return max(timezone.now(), drawn_at + datetime.timedelta(hours=1))


def make_plan(jurisdiction, quarter: int, *, status=PlanStatus.DISPATCHED, revealed=False, draws=1) -> Plan:
    drawn_at = on_time_draw(2026, quarter)
    plan = Plan.objects.create(jurisdiction=jurisdiction, level="county", year=2026, quarter=quarter, status=status,
                               policy_id="baoding", policy_version=1, policy_fingerprint="f" * 64,
                               policy_title="保定市政策", inspectors_counted=6,
                               revealed_at=revealed_after(drawn_at) if revealed else None)
    PlanStratum.objects.create(plan=plan, stratum="general", population=40, minimum=2, requested=3,
                               explanation="⌈5% × 40⌉ = 2", citation="实施方案 二(二)")
    for number in range(1, draws + 1):
        selected = [{"id": credit_code("130623", 70 + number * 10 + n), "via": "ticket"} for n in range(3)]
        manifest = {"algorithm": "shuangsuiji-draw/1", "inputs": {"plan": {"quarter": quarter}, "strata": [
                        {"name": "general", "targets": [[s["id"], 1, 0] for s in selected]}]},
                    "inputs_hash": f"{number}" * 64, "commitment": "c" * 64, "public_value": {"kind": "dice"},
                    "selection_hash": "d" * 64, "secret": SECRET, "seed": SEED,
                    "strata": [{"name": "general", "quota": 3, "selected": selected}]}
        Draw.objects.create(plan=plan, number=number, inputs_hash=f"{number}" * 64, commitment="c" * 64,
                            secret=SECRET, seed=SEED, public_value="3516", public_source="dice", manifest=manifest,
                            drawn_at=drawn_at,  # on time, before the reveal
                            status=DrawStatus.DRAWN if number == draws else DrawStatus.SUPERSEDED)
    return plan


def test_the_plan_page_names_the_witnesses_of_the_dice(client, tree):
    """Who watched the dice is part of the public value (the manifest names them): the page said only "现场掷骰"."""
    plan = make_plan(tree["a"], 2)
    Draw.objects.filter(plan=plan).update(witnesses=["刘淑芬", "陈志强"])
    page = client.get(f"/public/plans/{plan.pk}/").content.decode()
    assert "见证人：刘淑芬、陈志强" in page


def test_the_plan_page_gives_an_items_industry_scope_after_its_name_in_the_readers_punctuation(client, tree):
    """An item for one industry read like one for every target: the plan page gave only the names."""
    plan = make_plan(tree["a"], 2)
    department = tree["departments"]["130600"]

    def make(code: str, name: str, industries: str = "") -> CheckItem:
        return CheckItem.objects.create(code=code, name=name, legal_basis="条例", content="-", industries=industries,
                                        jurisdiction=tree["city"], responsible_department=department)

    plan.check_items.set([make("C-05", "机动车排放检验机构检验行为", "M7452"), make("C-01", "排污许可制度执行情况"),
                          make("C-03", "矿山开采生态保护", "B E")])
    page = client.get(f"/public/plans/{plan.pk}/").content.decode()
    assert ("排污许可制度执行情况、矿山开采生态保护（适用行业 B、E）、"
            "机动车排放检验机构检验行为（适用行业 M7452）") in page
    english = client.get(f"/public/plans/{plan.pk}/", headers={"cookie": "django_language=en"}).content.decode()
    assert "矿山开采生态保护 (Industries B, E), 机动车排放检验机构检验行为 (Industries M7452)" in english


def test_plans_list_and_filters(client, tree):
    q2 = make_plan(tree["a"], 2)
    q3 = make_plan(tree["b"], 3)
    draft = make_plan(tree["a"], 4, status=PlanStatus.DRAFT, draws=0)
    text = client.get("/public/plans/").content.decode()
    assert str(q2) in text and str(q3) in text and str(draft) not in text
    assert str(q2) not in client.get("/public/plans/", {"quarter": "3"}).content.decode()
    assert str(q2) not in client.get("/public/plans/", {"jurisdiction": "130624"}).content.decode()
    assert client.get("/public/plans/", {"quarter": "5"}).status_code == 400
    rows = json.loads(streamed(client.get("/public/plans/", {"format": "json"})))["results"]
    assert [r["id"] for r in rows] == [q3.pk, q2.pk] and all(r["secret"] == "" for r in rows)


def test_plan_page_strata_and_a_superseded_draw_kept_as_such(client, tree):
    plan = make_plan(tree["a"], 2, draws=2)
    text = client.get(f"/public/plans/{plan.pk}/").content.decode()
    assert "40" in text and "⌈5% × 40⌉ = 2" in text and "实施方案 二(二)" in text
    assert "第 1 次抽取" in text and "已作废（经批准重新抽取）" in text and "第 2 次抽取" in text
    assert "1" * 64 in text and "2" * 64 in text and "c" * 64 in text and "3516" in text
    assert SECRET not in text and credit_code("130623", 80) not in text and "封存中" in text
    assert client.get(f"/public/plans/{plan.pk}/draws/1/manifest.json")["X-Manifest-State"] == "sealed"


def test_the_plan_page_gives_a_share_only_where_the_rule_is_one(client, tree):
    """Key and special minimums are shares of their population (10%/50%, 50%) and the page says which; the
    general minimum follows the officers (1:5 a year) and the joint one a count a quarter, so a share there
    (2 of 4,000 printed "0%", 1 of 80 "1%") read as the rule and told the public there was hardly any."""
    plan = make_plan(tree["a"], 3)
    plan.strata.all().delete()
    PlanStratum.objects.create(plan=plan, stratum="key", population=40, minimum=20, requested=20, drawn=True,
                               explanation="⌈50% × 40⌉ = 20", citation="实施方案 二(三)")
    PlanStratum.objects.create(plan=plan, stratum="general", population=4000, minimum=2, requested=2, drawn=True,
                               explanation="年度 1:5", citation="实施方案 二(三)")
    PlanStratum.objects.create(plan=plan, stratum="joint", population=80, minimum=1, requested=1, drawn=False,
                               explanation="每季度至少 1 次", citation="实施方案 二(二)")
    rows = client.get(f"/public/plans/{plan.pk}/").content.decode().split("<tbody>", 1)[1].split("</tbody>")[0]
    key, general, joint = rows.split("</tr>")[:3]
    assert "（50%）" in key
    assert "%）" not in general and "%）" not in joint


def test_revealed_plan_shows_secret_selection_with_names_and_verification(client, tree, data):
    plan = make_plan(tree["a"], 1, revealed=True)
    draw = plan.draws.get()
    draw.manifest["strata"][0]["selected"][0]["id"] = data["targets"]["chem"].credit_code
    draw.save()
    DrawVerification.objects.create(draw=draw, ok=True, report="密钥与承诺一致")
    text = client.get(f"/public/plans/{plan.pk}/").content.decode()
    assert SECRET in text and SEED in text and "一般排污单位" in text
    assert data["targets"]["chem"].credit_code in text and "涞水县甲化工有限公司" in text  # name from the list
    assert credit_code("130623", 81) in text and "验证通过" in text and "完整抽取清单" in text
    status = client.get("/public/verification/").content.decode()
    assert "验证通过" in status and str(plan) in status
    rows = list(csv.reader(io.StringIO(streamed(client.get("/public/verification/", {"format": "csv"}))
                                       .lstrip("\ufeff"))))
    assert rows[1][rows[0].index("验证状态")] == "验证通过"


def test_failed_and_sealed_states_on_the_verification_page(client, tree):
    sealed = make_plan(tree["a"], 2)
    failed = make_plan(tree["b"], 2, revealed=True)
    DrawVerification.objects.create(draw=failed.draws.get(), ok=False, report="种子不一致")
    DrawVerification.objects.create(draw=sealed.draws.get(), ok=True, report="内部检查：" + SECRET)
    text = client.get("/public/verification/").content.decode()
    assert "验证未通过" in text and "已封存，待公开后验证" in text and SECRET not in text


def test_verify_page_and_the_verifier_served_byte_for_byte(client):
    text = client.get("/public/verify/").content.decode()
    assert "python3 verify_draw.py manifest.json" in text and "pip install consistent-sampler" in text
    assert 'consistent_sampler.sampler(ids, seed=drawn["seed"], take=take' in text
    for name in ("verify_draw.py", "verify_assignment.py"):
        response = client.get(f"/public/verify/{name}")
        assert response.status_code == 200 and response.content == (TOOLS / name).read_bytes()
    assert client.get("/public/verify/settings.py").status_code == 404


# --- scale ---------------------------------------------------------------------------------------------------------


def test_counts_are_capped_and_queries_do_not_grow_with_rows(client, data, tree, monkeypatch,
                                                              django_assert_max_num_queries):
    april = Publication.objects.get(jurisdiction=tree["a"], month=4)
    for n in range(40):
        make_result(april, data["targets"]["mill"], 100 + n)
    monkeypatch.setattr(CappedPaginator, "limit", 20)
    with django_assert_max_num_queries(6):
        text = client.get("/public/results/").content.decode()
    assert "超过 20 条" in text
    with django_assert_max_num_queries(6):
        client.get("/public/results/", {"page": "2", "jurisdiction": "130623"})


@pytest.fixture
def country(tree):
    """More of the tree: a second province with two cities of 40 counties each, and more counties of Baoding —
    enough that a select of every place would show."""
    from shuangsuiji.registry.models import Level
    from tests.conftest import make_jurisdiction

    shanxi = make_jurisdiction("140000", "山西省", Level.PROVINCE)
    for c, city_name in enumerate(("太原市", "大同市"), start=1):
        city = make_jurisdiction(f"14{c:02d}00", city_name, Level.CITY, shanxi)
        for n in range(1, 41):
            make_jurisdiction(f"14{c:02d}{n:02d}", f"{city_name}第{n}区", Level.COUNTY, city)
    for n in range(30, 70):
        make_jurisdiction(f"1306{n:02d}", f"保定市第{n}县", Level.COUNTY, tree["city"])
    return shanxi


def options(text: str) -> list[str]:
    select = text.split('id="f-jurisdiction"', 1)[1].split("</select>", 1)[0]
    return [part.split('"', 1)[0] for part in select.split('<option value="')[1:]]


@pytest.mark.parametrize("url", ["/public/results/", "/public/list/", "/public/plans/"])
def test_the_jurisdiction_filter_drills_down_instead_of_listing_every_place(client, data, country, url):
    # Nothing chosen: the provinces only, not the 80 counties of Shanxi nor Baoding's.
    assert options(client.get(url).content.decode()) == ["", "130000", "140000"]
    # A province: its cities.
    assert options(client.get(url, {"jurisdiction": "140000"}).content.decode()) == [
        "", "130000", "140000", "140100", "140200"]
    # A county (a ?jurisdiction= link): the provinces, its city, its 42 sibling counties with it chosen — and
    # no other city's counties.
    text = client.get(url, {"jurisdiction": "130623"}).content.decode()
    shown = options(text)
    assert shown[:4] == ["", "130000", "130600", "130623"] and "130624" in shown and "140000" in shown
    assert len(shown) == 1 + 2 + 1 + 42 and not any(code.startswith("1401") for code in shown)
    assert '<option value="130623" selected>' in text


def test_a_single_place_at_the_top_is_opened_at_once(client, data):
    # The tree fixture is one province of one city: its counties are offered straight away.
    assert options(client.get("/public/results/").content.decode()) == ["", "130000", "130600", "130623", "130624"]


def test_the_results_page_reads_a_bounded_number_of_queries_whatever_the_tree(client, data, country,
                                                                             django_assert_max_num_queries):
    # count, page ids, page rows, the chosen place, the filter's choices — the same with 3 or 3,000 places.
    for params in ({}, {"jurisdiction": "130623"}, {"jurisdiction": "130623", "month": "2026-04", "page": "1"}):
        with django_assert_max_num_queries(5):
            response = client.get("/public/results/", params)
        assert response.status_code == 200
    assert "大同市第7区" not in client.get("/public/results/", {"jurisdiction": "130623"}).content.decode()


def test_the_page_and_the_api_page_results_the_same_way(client, data, monkeypatch):
    """One pager (public.PublicPaginator) for the page and the API: the same rows in the same order, ids first."""
    from shuangsuiji.disclosure import public

    read = []
    original = public.PublicPaginator.rows

    def spy(self, start, stop):
        read.append(self.ids_first)
        return original(self, start, stop)

    monkeypatch.setattr(public.PublicPaginator, "rows", spy)
    page = client.get("/public/results/").content.decode()
    api = client.get("/api/public/results/").json()
    assert read == [True, True]
    ids = [row["public_id"] for row in api["results"]]
    assert [page.index(f">{public_id}</a>") for public_id in ids] == sorted(page.index(f">{p}</a>") for p in ids)


def test_the_verification_page_is_paged_and_filtered_like_the_plans(client, tree, django_assert_max_num_queries):
    # Every plan of every quarter has a draw: nationally ~24,000 a year, so the page cannot list them all.
    for quarter in range(1, 5):
        make_plan(tree["a"], quarter, draws=9)  # make_plan's hashes repeat the draw's number: one digit
    for quarter in range(1, 4):
        make_plan(tree["b"], quarter, draws=8, revealed=True)
    with django_assert_max_num_queries(8):
        first = client.get("/public/verification/").content.decode()
    assert first.count('data-label="清单"') == 50 and "共 60 条" in first and "page=2" in first
    assert client.get("/public/verification/", {"page": "2"}).content.decode().count('data-label="清单"') == 10
    assert 'name="quarter"' in first and 'name="jurisdiction"' in first
    only_b = client.get("/public/verification/", {"jurisdiction": "130624"}).content.decode()
    assert only_b.count('data-label="清单"') == 24 and "共 24 条" in only_b
    rows = client.get("/api/public/verification/", {"page": "2"}).json()
    assert rows["count"] == 60 and len(rows["results"]) == 10
    assert len(json.loads(streamed(client.get("/public/verification/", {"format": "json"})))["results"]) == 60


def test_the_plans_list_separates_the_drawn_strata_without_a_dangling_separator(client, tree):
    # A check-only stratum last (the positive list, the joint inspections) used to leave "…40；" behind.
    plan = make_plan(tree["a"], 2)
    PlanStratum.objects.create(plan=plan, stratum="key", population=10, minimum=5, requested=5)
    PlanStratum.objects.create(plan=plan, stratum="clue", population=2, minimum=0, requested=0, drawn=False)
    text = client.get("/public/plans/").content.decode()
    cell = re.search(r'data-label="计划抽查数">([^<]*)</td>', text).group(1)
    assert cell == "一般排污单位 3 家；重点排污单位 5 家"


def test_the_verify_page_command_names_the_file_the_manifest_is_saved_as(client, tree):
    # Followed literally, "python3 verify_draw.py manifest.json" found no file: the download is saved as
    # plan<id>-draw<n>-complete.json. The example now gives the command with that name, and the plan page's
    # button downloads the file instead of opening it.
    plan = make_plan(tree["a"], 1, revealed=True)
    saved = client.get(f"/public/plans/{plan.pk}/draws/1/manifest.json")["Content-Disposition"]
    name = re.search(r'filename="([^"]+)"', saved).group(1)
    assert name == f"plan{plan.pk}-draw1-complete.json"
    text = client.get("/public/verify/").content.decode()
    assert f"python3 verify_draw.py {name}</pre>" in text and "plan12-draw1-complete.json" in text
    plan_page = client.get(f"/public/plans/{plan.pk}/").content.decode()
    assert f'href="/public/plans/{plan.pk}/draws/1/manifest.json" download>' in plan_page


def test_the_verification_list_downloads_the_manifest_like_the_plan_page(client, tree):
    # The verification list's "JSON" link opened the manifest in the browser (the response is inline, so a
    # reader can look at it) while the plan page's button saved it as plan<id>-draw<n>-complete.json, the name
    # the verify page's commands use. Both now download it under that name.
    plan = make_plan(tree["a"], 1, revealed=True)
    text = client.get("/public/verification/").content.decode()
    assert f'<a href="/public/plans/{plan.pk}/draws/1/manifest.json" download>JSON</a>' in text


@pytest.mark.parametrize("path", ["/public/targets/%00/", "/public/results/%00/", "/api/public/results/%00/",
                                  "/api/public/corrections/?public_id=%00", "/api/public/items/?jurisdiction=%00",
                                  "/public/targets/91%00/?format=csv"])
def test_a_nul_in_an_id_never_reaches_the_database(client, path):
    # PostgreSQL refuses a text holding NUL: these were 500s there (SQLite just found nothing). Nothing can be
    # found under such an id, so no query is made (SQLite's logged SQL cuts a string at the NUL, so the test
    # cannot look for it in the queries).
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code in (400, 404) or (response.status_code == 200 and "format=csv" in path)
    assert queries.captured_queries == []
    if response.status_code == 400:
        assert "public_id" in body.decode() or "jurisdiction" in body.decode()


def test_english_public_pages_use_their_own_words_where_another_app_translates_the_same_chinese(
        client, data, users, tree):
    # Django merges the apps' catalogues; the intake app's "类别" → "Kinds" and the fieldwork app's
    # "更正记录" → "Amendment" won over the portal's "Stratum" and "Corrections".
    chem = data["rows"]["chem"]
    services.do_correct_result(chem, values={"problems": [dict(chem.problems[0], decision_number="涞环罚〔2026〕4号")]},
                               reason="处罚决定书文号录入有误", acting_user=users["county_admin"])
    plan = make_plan(tree["a"], 2)
    client.cookies["django_language"] = "en"
    plan_page = client.get(f"/public/plans/{plan.pk}/").content.decode()
    assert "<th>Stratum</th>" in plan_page and 'data-label="Stratum"' in plan_page and "Kinds" not in plan_page
    # links to lists say the lists' names, and no Chinese colon is left in an English page
    assert ">Plans</a>" in plan_page and ">Check items</a>" in plan_page
    assert ">Inspection plan</a>" not in plan_page and "：" not in plan_page.split("<main", 1)[-1].split("<footer")[0]
    result_page = client.get("/public/results/JL2026-000001/").content.decode()
    assert '<h2 class="h6">Corrections</h2>' in result_page and "Amendment" not in result_page
    assert "Corrections</h3>" in client.get("/public/opendata/").content.decode()


def test_the_items_page_filters_by_place_and_pages(client, tree):
    # Every city keeps its own list (thousands of items nationally): the page lists those of one place, in pages.
    department = tree["departments"]["130600"]
    for n in range(55):
        CheckItem.objects.create(code=f"130600-{n:02d}", name=f"事项{n}", legal_basis="条例", content="-",
                                 jurisdiction=tree["city"], responsible_department=department)
    CheckItem.objects.create(code="130624-01", name="阜平县自定事项", legal_basis="条例", content="-",
                             jurisdiction=tree["b"], responsible_department=tree["departments"]["130624"])
    first = client.get("/public/items/").content.decode()
    assert first.count('data-label="事项编码"') == 50 and "共 56 条" in first and 'name="jurisdiction"' in first
    in_a = client.get("/public/items/", {"jurisdiction": "130623"}).content.decode()
    assert "共 55 条" in in_a and "阜平县自定事项" not in in_a  # the city's list applies in its counties
    in_b = client.get("/public/items/", {"jurisdiction": "130624", "page": "2"}).content.decode()
    assert "共 56 条" in in_b and "阜平县自定事项" in in_b
    assert client.get("/public/items/", {"jurisdiction": "999999"}).status_code == 400
    rows = list(csv.reader(io.StringIO(streamed(client.get("/public/items/", {"jurisdiction": "130623",
                                                                          "format": "csv"})).lstrip("\ufeff"))))
    assert len(rows) == 56


def test_a_passed_check_reads_in_the_readers_language(client, tree):
    # The report is stored in the language of whoever ran the check (Chinese from the nightly command).
    plan = make_plan(tree["a"], 1, revealed=True)
    failed = make_plan(tree["b"], 1, revealed=True)
    DrawVerification.objects.create(draw=plan.draws.get(), ok=True,
                                    report="密钥与承诺一致，种子、各类别抽取结果与人员分配均可复现")
    DrawVerification.objects.create(draw=failed.draws.get(), ok=False, report="seed differs")
    client.cookies["django_language"] = "en"
    text = client.get(f"/public/plans/{plan.pk}/").content.decode()
    assert "The secret matches its commitment" in text and "密钥与承诺一致" not in text
    rows = {r["plan_id"]: r for r in client.get("/api/public/verification/").json()["results"]}
    assert rows[plan.pk]["report"].startswith("The secret matches") and rows[failed.pk]["report"] == "seed differs"
