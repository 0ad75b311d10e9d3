"""The public JSON API (/api/public/): anyone may read it, it serves only published data, it pages in a fixed
order, and a bad parameter is a 400 naming the parameter."""

import datetime

import jsonschema
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shuangsuiji.disclosure.models import (
    Correction,
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
from tests.conftest import credit_code

pytestmark = pytest.mark.django_db

SECRET = "5e" * 32
SEED = "a1" * 32


def make_result(publication: Publication, target: Target, number: int, **values) -> PublishedResult:
    """A snapshot row as do_prepare_results writes it, over a record that holds personal data the row does not."""
    task = Task.objects.create(year=2026, quarter=1, target=target, deadline=datetime.date(2026, 3, 31),
                               category="general")
    record = InspectionRecord.objects.create(
        number=f"JL2026-{number:06d}", task=task, target=target, site_manager_name="王秘密",
        site_manager_phone="13912345678", contact_phone="13800001111", contact_name="李隐私")
    fields = dict(public_id=record.number, credit_code=target.credit_code, target_name=target.name,
                  industry_code=target.industry_code, industry_name=target.industry_name,
                  inspected_on=datetime.date(2026, publication.month, 10), outcome=Outcome.NO_PROBLEM,
                  items=[{"code": "C-01", "name": "排污许可制度执行情况", "outcome": "未发现问题"}],
                  plan_label="涞水县2026年第1季度双随机抽查计划")
    fields.update(values)
    return PublishedResult.objects.create(publication=publication, record=record, target=target,
                                          jurisdiction=target.jurisdiction, jurisdiction_name=target.jurisdiction.name,
                                          **fields)


def batch(jurisdiction, month: int, status: str = PublicationStatus.RELEASED, kind=PublicationKind.RESULTS):
    return Publication.objects.create(
        jurisdiction=jurisdiction, kind=kind, year=2026, month=month if kind == PublicationKind.RESULTS else 0,
        status=status, deadline=datetime.date(2026, 12, 31), deadline_citation="指导意见",
        released_at=timezone.now() if status == PublicationStatus.RELEASED else None)


@pytest.fixture
def published(tree, users):
    """County A: March and April released (a chemical plant with a problem, a textile mill without, a withheld
    result); May prepared but not released. County B: March released. An annual list released for A, one
    prepared for B."""
    a, b = tree["a"], tree["b"]
    targets = {
        "chem": Target.objects.create(credit_code=credit_code("130623", 1), name="涞水县甲化工有限公司", jurisdiction=a,
                                      industry_code="C2614", industry_name="有机化学原料制造",
                                      legal_representative="赵法人"),
        "mill": Target.objects.create(credit_code=credit_code("130623", 2), name="涞水县乙纺织厂", jurisdiction=a,
                                      industry_code="C1712", industry_name="棉织造加工"),
        "secret": Target.objects.create(credit_code=credit_code("130623", 3), name="涞水县丙军工配套厂",
                                        jurisdiction=a, industry_code="C3311", industry_name="金属结构制造"),
        "b": Target.objects.create(credit_code=credit_code("130624", 4), name="阜平县丁石材厂", jurisdiction=b,
                                   industry_code="C3032", industry_name="建筑用石加工"),
        "draft": Target.objects.create(credit_code=credit_code("130623", 5), name="涞水县戊未公开厂", jurisdiction=a,
                                       industry_code="C2614", industry_name="有机化学原料制造"),
    }
    march, april, may = batch(a, 3), batch(a, 4), batch(a, 5, PublicationStatus.PREPARED)
    rows = {
        "chem": make_result(march, targets["chem"], 1, outcome=Outcome.PROBLEM, problems=[{
            "item": "排污许可制度执行情况", "description": "未按证排污", "handling": "立案查处",
            "deadline": "2026-04-30", "decision_number": "涞环罚〔2026〕3号"}]),
        "mill": make_result(april, targets["mill"], 2),
        "secret": make_result(april, targets["secret"], 3, credit_code="", target_name="", industry_code="",
                              industry_name="", items=[], plan_label="", outcome=Outcome.WITHHELD,
                              withheld_basis="state_secret",
                              redactions=[{"field": "*", "basis": "state_secret", "source": "case"}]),
        "b": make_result(batch(b, 3), targets["b"], 4),
        "draft": make_result(may, targets["draft"], 5),
    }
    for status, place, target in ((PublicationStatus.RELEASED, a, targets["chem"]),
                                  (PublicationStatus.REVIEWED, b, targets["b"])):
        annual = batch(place, 0, status, kind=PublicationKind.ANNUAL_LIST)
        ListedTarget.objects.create(publication=annual, target=target, credit_code=target.credit_code,
                                    name=target.name, jurisdiction_name=place.name, jurisdiction_code=place.code,
                                    industry_code=target.industry_code, industry_name=target.industry_name)
    return {"targets": targets, "rows": rows}


def get(client, path: str, **params):
    response = client.get(path, params)
    return response, (response.json() if response["Content-Type"].startswith("application/json") else None)


# --- results -------------------------------------------------------------------------------------------------------


def test_results_are_the_released_rows_only_newest_first_without_login(client, published):
    response, body = get(client, "/api/public/results/")
    assert response.status_code == 200
    ids = [row["public_id"] for row in body["results"]]
    # April before March; within a day by public id; May's unreleased batch absent.
    assert ids == ["JL2026-000002", "JL2026-000003", "JL2026-000001", "JL2026-000004"]
    assert body["count"] == 4
    chem = next(r for r in body["results"] if r["public_id"] == "JL2026-000001")
    assert chem["outcome"] == "problem" and chem["outcome_label"] == "发现问题"
    assert chem["problems"][0]["decision_number"] == "涞环罚〔2026〕3号"
    assert chem["jurisdiction_code"] == "130623" and chem["jurisdiction"] == "涞水县"
    assert chem["credit_code"] == published["targets"]["chem"].credit_code
    detail_response, detail = get(client, "/api/public/results/JL2026-000001/")
    assert detail_response.status_code == 200 and detail["corrections"] == []
    assert client.get("/api/public/results/JL2026-000005/").status_code == 404  # prepared, not released


def test_results_leave_out_personal_data_and_withheld_content(client, published):
    text = client.get("/api/public/results/").content.decode()
    text += client.get("/api/public/results/JL2026-000003/").content.decode()
    for personal in ("王秘密", "13912345678", "13800001111", "李隐私", "赵法人"):
        assert personal not in text
    withheld = client.get("/api/public/results/JL2026-000003/").json()
    assert withheld["outcome"] == "withheld" and withheld["target_name"] == "" and withheld["items"] == []
    assert "涞水县丙军工配套厂" not in text and published["targets"]["secret"].credit_code not in text


@pytest.mark.parametrize(("params", "expected"), [
    ({"jurisdiction": "130624"}, ["JL2026-000004"]),
    ({"jurisdiction": "130600"}, ["JL2026-000002", "JL2026-000003", "JL2026-000001", "JL2026-000004"]),
    ({"month": "2026-04"}, ["JL2026-000002", "JL2026-000003"]),
    ({"month": "2026-05"}, []),  # May's batch is not released
    ({"industry": "C26"}, ["JL2026-000001"]),
    ({"industry": "c1"}, ["JL2026-000002"]),
    ({"outcome": "problem"}, ["JL2026-000001"]),
    ({"outcome": "withheld"}, ["JL2026-000003"]),
    ({"q": "纺织"}, ["JL2026-000002"]),
    ({"q": "戊未公开"}, []),
    ({"q": "JL2026-000004"}, ["JL2026-000004"]),
    ({"jurisdiction": "130623", "month": "2026-03", "outcome": "problem"}, ["JL2026-000001"]),
])
def test_results_filters(client, published, params, expected):
    response, body = get(client, "/api/public/results/", **params)
    assert response.status_code == 200, body
    assert [row["public_id"] for row in body["results"]] == expected


def test_search_by_credit_code(client, published):
    code = published["targets"]["mill"].credit_code
    assert [r["public_id"] for r in get(client, "/api/public/results/", q=code.lower())[1]["results"]] == [
        "JL2026-000002"]


@pytest.mark.parametrize(("params", "name", "says"), [
    ({"month": "2026-13"}, "month", "YYYY-MM"),
    ({"month": "march"}, "month", "march"),
    ({"outcome": "bad"}, "outcome", "bad"),
    ({"outcome": "bad"}, "outcome", "ok（未发现问题）、problem（发现问题）或 withheld（依法不予公开）"),
    ({"industry": "26%"}, "industry", "C26"),
    ({"jurisdiction": "999999"}, "jurisdiction", "999999"),
    ({"page": "0"}, "page", "0"),
    ({"page": "x"}, "page", "x"),
    ({"page": "99"}, "page", "共 1 页"),
    ({"page": "99999999999999999999"}, "page", "共 1 页"),  # an OFFSET the database cannot hold: was a 500
    ({"page": "²"}, "page", "²"),  # "²".isdigit(), but int("²") fails: was a 500
    ({"page_size": "²"}, "page_size", "²"),
    ({"page_size": "100000"}, "page_size", "500"),
    ({"outcom": "ok"}, "outcom", "outcome"),
])
def test_bad_parameters_are_a_400_naming_the_parameter(client, published, params, name, says):
    response, body = get(client, "/api/public/results/", **params)
    assert response.status_code == 400
    assert list(body) == [name]
    assert says in body[name][0]


@pytest.mark.parametrize(("path", "query", "name"), [
    ("/api/public/list/", "year=2026&year=2025", "year"),
    ("/api/public/results/", "outcome=ok&outcome=problem", "outcome"),
    ("/api/public/results/", "page=1&page=2", "page"),
    ("/api/public/plans/", "quarter=1&quarter=", "quarter"),
])
def test_a_parameter_given_twice_is_a_400_naming_it_not_its_last_value(client, published, path, query, name):
    """Django reads a repeated parameter as its last value: ?year=2026&year=2025 answered 2025's rows alone."""
    response = client.get(f"{path}?{query}")
    body = response.json()
    assert response.status_code == 400 and list(body) == [name], body
    assert "2 个值" in body[name][0]


def test_paging_walks_every_row_once_in_a_fixed_order(client, published):
    seen = []
    url = "/api/public/results/?page_size=3"
    while url:
        body = client.get(url).json()
        assert body["count"] == 4
        seen += [row["public_id"] for row in body["results"]]
        url = body["next"]
    assert seen == ["JL2026-000002", "JL2026-000003", "JL2026-000001", "JL2026-000004"]
    second = client.get("/api/public/results/", {"page_size": 3, "page": 2}).json()
    assert second["previous"] and second["next"] is None and len(second["results"]) == 1


def test_no_session_no_csrf_and_only_reading(client, published, users):
    client.force_login(users["city_admin"])  # a staff session changes nothing: the API ignores sessions
    assert client.get("/api/public/results/").json()["count"] == 4
    response = client.post("/api/public/results/", {"public_id": "X"})
    assert response.status_code == 405


def test_throttled_when_a_rate_is_set(client, published, settings):
    from django.core.cache import cache

    cache.clear()
    settings.PUBLIC_API_RATE = "2/minute"
    assert [client.get("/api/public/items/").status_code for _ in range(3)] == [200, 200, 429]
    # The portal's downloads count against the same limit per address: they were the way around it.
    cache.clear()
    answers = [client.get("/public/results/", {"format": "json"}) for _ in range(2)]
    answers.append(client.get("/api/public/items/"))
    assert [a.status_code for a in answers] == [200, 200, 429]
    cache.clear()
    client.get("/api/public/items/")
    client.get("/api/public/items/")
    refused = client.get("/public/results/", {"format": "csv"})
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert refused.content.decode().startswith("请求过于频繁，请")
    assert client.get("/public/results/").status_code == 200  # the page itself is not a download
    cache.clear()


# --- corrections ---------------------------------------------------------------------------------------------------


def test_corrections_are_shown_and_never_bring_back_what_is_now_withheld(client, published):
    chem, mill = published["rows"]["chem"], published["rows"]["mill"]
    name, code = mill.target_name, mill.credit_code
    PublishedResult.objects.filter(pk=mill.pk).update(  # as do_republish_amended leaves a newly withheld row
        target_name="", credit_code="", industry_code="", industry_name="", items=[], outcome=Outcome.WITHHELD,
        redactions=[{"field": "*", "basis": "commercial", "source": "case"}], withheld_basis="commercial")
    Correction.objects.create(result=chem, before={"target_name": "涞水县甲化工", "outcome": "problem"},
                              after={"target_name": chem.target_name, "outcome": "problem", "redactions": []},
                              reason="单位名称录入有误")
    Correction.objects.create(result=mill, reason="依法决定不予公开",
                              before={"target_name": name, "credit_code": code, "outcome": "ok"},
                              after={"target_name": "", "credit_code": "", "outcome": "withheld",
                                     "redactions": [{"field": "*", "basis": "commercial", "source": "case"}]})
    Correction.objects.create(result=published["rows"]["draft"], before={"target_name": "x"},
                              after={"target_name": "y"}, reason="未公开批次")
    body = client.get("/api/public/corrections/").json()
    assert [c["public_id"] for c in body["results"]] == ["JL2026-000001", "JL2026-000002"]
    assert body["results"][0]["before"]["target_name"] == "涞水县甲化工"
    text = client.get("/api/public/corrections/").content.decode()
    text += client.get("/api/public/results/JL2026-000002/").content.decode()
    assert name not in text and code not in text
    detail = client.get("/api/public/results/JL2026-000001/").json()
    assert [c["reason"] for c in detail["corrections"]] == ["单位名称录入有误"]
    assert client.get("/api/public/corrections/", {"public_id": "JL2026-000002"}).json()["count"] == 1


# --- the annual list and the items ---------------------------------------------------------------------------------


def test_annual_list_serves_released_lists_only(client, published):
    body = client.get("/api/public/list/").json()
    assert [(r["year"], r["name"]) for r in body["results"]] == [(2026, "涞水县甲化工有限公司")]
    assert client.get("/api/public/list/", {"jurisdiction": "130624"}).json()["count"] == 0
    assert client.get("/api/public/list/", {"year": "2025"}).json()["count"] == 0
    assert client.get("/api/public/list/", {"q": "甲化工", "industry": "C2"}).json()["count"] == 1
    response, body = get(client, "/api/public/list/", year="20x6")
    assert response.status_code == 400 and list(body) == ["year"]


def test_items_are_the_active_ones(client, tree):
    department = tree["departments"]["130600"]
    CheckItem.objects.create(code="C-01", name="排污许可制度执行情况", legal_basis="条例", content="持证排污",
                             jurisdiction=tree["city"], responsible_department=department)
    CheckItem.objects.create(code="C-99", name="已停用事项", legal_basis="条例", content="-",
                             jurisdiction=tree["city"], responsible_department=department, is_active=False)
    body = client.get("/api/public/items/", {"jurisdiction": "130623"}).json()
    assert [(i["code"], i["responsible_department"]) for i in body["results"]] == [("C-01", department.name)]


# --- plans, manifests, verification --------------------------------------------------------------------------------


def make_plan(jurisdiction, status: str, quarter: int, *, revealed: bool = False) -> Plan:
    from tests.disclosure.test_portal import on_time_draw, revealed_after

    drawn_at = on_time_draw(2026, quarter)  # in the plan's draw window, whatever day the suite runs
    plan = Plan.objects.create(jurisdiction=jurisdiction, level="county", year=2026, quarter=quarter, status=status,
                               policy_id="baoding", policy_version=1, policy_fingerprint="f" * 64,
                               policy_title="保定市政策", inspectors_counted=6,
                               revealed_at=revealed_after(drawn_at) if revealed else None)
    PlanStratum.objects.create(plan=plan, stratum="general", population=10, minimum=3, requested=3,
                               explanation="⌈5% × 10⌉", citation="指导意见 二(一)")
    if status != PlanStatus.DRAFT:
        selected = [{"id": credit_code("130623", 70 + n)} for n in range(3)]
        manifest = {
            "algorithm": "shuangsuiji-draw/1", "inputs": {"plan": {"id": plan.pk}, "strata": [
                {"name": "general", "targets": [[credit_code("130623", 70 + n), 1, False] for n in range(10)]}]},
            "inputs_hash": "1" * 64, "commitment": "2" * 64, "public_value": {"dice": "3,5,1,6"},
            "selection_hash": "3" * 64, "secret": SECRET, "seed": SEED,
            "strata": [{"name": "general", "quota": 3, "selected": selected}],
        }
        Draw.objects.create(plan=plan, number=1, status=DrawStatus.DRAWN, inputs_hash="1" * 64,
                            commitment="2" * 64, secret=SECRET, seed=SEED, public_value="3,5,1,6",
                            public_source="dice", manifest=manifest,
                            drawn_at=drawn_at)  # before the reveal
    return plan


def test_plans_from_freeze_on_without_secret_or_selection_until_revealed(client, tree):
    a = tree["a"]
    draft = make_plan(a, PlanStatus.DRAFT, 1)
    sealed = make_plan(a, PlanStatus.DISPATCHED, 2)
    revealed = make_plan(a, PlanStatus.DISPATCHED, 3, revealed=True)
    body = client.get("/api/public/plans/").json()
    assert [p["id"] for p in body["results"]] == [revealed.pk, sealed.pk]
    assert client.get(f"/api/public/plans/{draft.pk}/").status_code == 404
    sealed_body = client.get(f"/api/public/plans/{sealed.pk}/").json()
    assert sealed_body["strata"][0]["minimum"] == 3 and sealed_body["draws"][0]["inputs_hash"] == "1" * 64
    assert sealed_body["draws"][0]["commitment"] == "2" * 64
    assert sealed_body["draws"][0]["secret"] is None and sealed_body["draws"][0]["seed"] is None
    manifest = client.get(f"/api/public/plans/{sealed.pk}/draws/1/manifest.json")
    assert manifest["X-Manifest-State"] == "sealed"
    hidden = manifest.content.decode() + client.get(f"/api/public/plans/{sealed.pk}/").content.decode()
    assert SECRET not in hidden and SEED not in hidden and credit_code("130623", 70) not in hidden
    assert manifest.json()["selection_hash"] == "3" * 64
    shown = client.get(f"/api/public/plans/{revealed.pk}/").json()["draws"][0]
    assert shown["secret"] == SECRET and shown["seed"] == SEED and shown["manifest_complete"] is True
    complete = client.get(f"/api/public/plans/{revealed.pk}/draws/1/manifest.json").json()
    assert complete["secret"] == SECRET and complete["strata"][0]["selected"][0]["id"] == credit_code("130623", 70)
    assert client.get(f"/api/public/plans/{draft.pk}/draws/1/manifest.json").status_code == 404
    assert client.get("/api/public/plans/", {"quarter": "5"}).status_code == 400


def test_verification_status_per_draw(client, tree):
    sealed = make_plan(tree["a"], PlanStatus.DISPATCHED, 2)
    revealed = make_plan(tree["a"], PlanStatus.DISPATCHED, 3, revealed=True)
    other = make_plan(tree["b"], PlanStatus.DISPATCHED, 3, revealed=True)
    DrawVerification.objects.create(draw=revealed.draws.get(), ok=False, report="旧的报告")
    DrawVerification.objects.create(draw=revealed.draws.get(), ok=True, report="密钥与承诺一致")
    rows = {r["plan_id"]: r for r in client.get("/api/public/verification/").json()["results"]}
    assert rows[sealed.pk]["state"] == "sealed" and rows[sealed.pk]["report"] == ""
    # A passed check reads as the standard report, in the reader's language (services.VERIFIED_REPORT).
    assert rows[revealed.pk]["state"] == "verified" and rows[revealed.pk]["report"] == (
        "密钥与承诺一致，种子、各类别抽取结果与人员分配均可复现")
    assert rows[other.pk]["state"] == "unchecked"
    assert client.get("/api/public/verification/", {"jurisdiction": "130624"}).json()["count"] == 1


def test_root_lists_the_endpoints_and_the_schema_documents_them(client):
    root = client.get("/api/public/").json()
    assert set(root) == {"items", "list", "plans", "results", "corrections", "verification"}
    schema = client.get("/api/public/schema/", {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {p for p in paths if p.startswith("/api/public/")} >= {
        "/api/public/results/", "/api/public/results/{public_id}/", "/api/public/plans/{id}/",
        "/api/public/plans/{plan_id}/draws/{number}/manifest.json", "/api/public/verification/"}
    documented = {p["name"] for p in paths["/api/public/results/"]["get"]["parameters"]}
    assert documented == {"jurisdiction", "month", "inspected_from", "inspected_to", "plan", "plan_kind",
                          "industry", "outcome", "q", "changed_since", "after", "page", "page_size"}


def test_the_results_of_one_published_plan_as_the_portal_lists_them(client, published, tree):
    """?plan=<id>, as /public/results/?plan= (the plan page's link): only that plan's released results; a number
    that is no published plan (a draft, none at all, not a number) is a 400 naming ``plan``, as on the portal."""
    plan = make_plan(tree["a"], PlanStatus.DISPATCHED, 1)
    other = make_plan(tree["b"], PlanStatus.DISPATCHED, 1)
    draft = make_plan(tree["a"], PlanStatus.DRAFT, 2)
    rows = published["rows"]
    PublishedResult.objects.filter(pk__in=[rows["chem"].pk, rows["secret"].pk, rows["draft"].pk]).update(
        plan_id=plan.pk, changed_at=timezone.now())  # the May row is of the plan too, but not released
    PublishedResult.objects.filter(pk=rows["b"].pk).update(plan_id=other.pk)
    response, body = get(client, "/api/public/results/", plan=str(plan.pk))
    assert response.status_code == 200, body
    assert [row["public_id"] for row in body["results"]] == ["JL2026-000003", "JL2026-000001"]
    assert all(row["plan_id"] == plan.pk for row in body["results"])
    # the same rows as the portal's page lists for the plan
    page = client.get("/public/results/", {"plan": plan.pk}).content.decode()
    assert "JL2026-000001" in page and "JL2026-000004" not in page
    assert ids_of(client, plan=other.pk, outcome="ok") == ["JL2026-000004"]
    assert ids_of(client, plan=plan.pk, outcome="ok") == []
    for value, says in ((draft.pk, f"没有编号为 {draft.pk} 的已公开抽查计划"), (987654321, "987654321"),
                        ("x", "“x”"), ("0", "“0”")):
        response, body = get(client, "/api/public/results/", plan=value)
        assert response.status_code == 400 and list(body) == ["plan"], (value, body)
        assert says in body["plan"][0], body
    # a copy of one plan's results kept in sync: the plan of a result is not corrected, so the filter is safe there
    synced = client.get("/api/public/results/", {"plan": plan.pk, "changed_since": "2000-01-01T00:00:00Z"}).json()
    assert sorted(row["public_id"] for row in synced["results"]) == ["JL2026-000001", "JL2026-000003"]


def ids_of(client, **params) -> list[str]:
    response, body = get(client, "/api/public/results/", **params)
    assert response.status_code == 200, body
    return [row["public_id"] for row in body["results"]]


def test_counts_are_capped_but_pages_go_on(client, published, monkeypatch):
    from shuangsuiji.disclosure import api

    monkeypatch.setattr(api, "COUNT_LIMIT", 2)
    first = client.get("/api/public/results/", {"page_size": 2}).json()
    assert first["count"] == 2 and first["count_capped"] is True and first["next"]
    second = client.get(first["next"]).json()
    assert [r["public_id"] for r in second["results"]] == ["JL2026-000001", "JL2026-000004"]
    assert second["next"] is None
    narrow = client.get("/api/public/results/", {"outcome": "problem"}).json()
    assert narrow["count"] == 1 and narrow["count_capped"] is False


def test_the_documented_fields_are_what_the_api_serves(client, published, tree):
    """The open-data page and the schema describe the rows from the same field lists; they match what is served."""
    from shuangsuiji.disclosure import views_opendata

    Correction.objects.create(result=published["rows"]["chem"], before={"target_name": "甲"},
                              after={"target_name": published["rows"]["chem"].target_name}, reason="录入有误")
    DrawVerification.objects.create(draw=make_plan(tree["a"], PlanStatus.DISPATCHED, 3, revealed=True).draws.get(),
                                    ok=True, report="一致")
    department = tree["departments"]["130600"]
    CheckItem.objects.create(code="C-01", name="排污许可", legal_basis="条例", content="持证排污",
                             jurisdiction=tree["city"], responsible_department=department)
    for dataset in views_opendata.DATASETS:
        rows = client.get(f"/api/public/{dataset.api}/").json()["results"]
        assert rows, dataset.api
        assert set(rows[0]) == set(dataset.fields) - {"__name__"}, dataset.api


def test_every_public_operation_has_its_own_name():
    """A list and its detail are both plain GET views; each is named after its view, not numbered apart."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    names = [operation["operationId"] for path in schema["paths"].values() for operation in path.values()]
    assert len(names) == len(set(names))
    assert {"public_result_list", "public_result_detail", "public_plan_list", "public_plan_detail",
            "public_listed_target_list"} <= set(names)
    assert not any(name[-1].isdigit() for name in names)


def test_plan_lists_do_not_read_the_draws_frozen_inputs_or_manifests(client, tree):
    # Megabytes a city's draw: the lists decoded them for every draw and showed only hashes and a link.
    sealed = make_plan(tree["a"], PlanStatus.DISPATCHED, 2)
    revealed = make_plan(tree["b"], PlanStatus.DISPATCHED, 3, revealed=True)
    with CaptureQueriesContext(connection) as queries:
        rows = {r["id"]: r for r in client.get("/api/public/plans/").json()["results"]}
        b"".join(client.get("/public/plans/", {"format": "json"}).streaming_content)
    assert not [q["sql"] for q in queries.captured_queries if '"planning_draw"."inputs"' in q["sql"]]
    assert rows[sealed.pk]["draws"][0]["manifest_url"].endswith(f"/plans/{sealed.pk}/draws/1/manifest.json")
    assert rows[sealed.pk]["draws"][0]["manifest_complete"] is False
    assert rows[revealed.pk]["draws"][0]["manifest_complete"] is True


def test_moments_read_in_the_system_time_zone_in_every_listing(client, tree):
    """A plan row (the API list, the downloads) wrote its stored UTC moments as they were (01:30+00:00) beside its
    draws, which the serializers write in Asia/Shanghai (09:30+08:00): the same draw at two times to a reader."""
    plan = make_plan(tree["a"], PlanStatus.DISPATCHED, 3, revealed=True)
    moment = datetime.datetime(2026, 6, 24, 1, 30, tzinfo=datetime.UTC)
    Draw.objects.filter(plan=plan).update(drawn_at=moment)
    Plan.objects.filter(pk=plan.pk).update(revealed_at=moment)
    row = next(p for p in client.get("/api/public/plans/").json()["results"] if p["id"] == plan.pk)
    detail = client.get(f"/api/public/plans/{plan.pk}/").json()
    assert row["drawn_at"] == row["revealed_at"] == "2026-06-24T09:30:00+08:00"
    assert detail["draws"][0]["drawn_at"] == row["drawn_at"]


# --- the schema against the answers --------------------------------------------------------------------------------


def as_json_schema(node):
    """An OpenAPI 3.0 schema as JSON Schema: ``nullable`` as a "null" type, and an object that lists its keys
    refusing any other (a key served but not in the schema is a disagreement a generated client trips on)."""
    if isinstance(node, list):
        return [as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: as_json_schema(value) for key, value in node.items()}
    if "properties" in node and "additionalProperties" not in node:
        node["additionalProperties"] = False
    if node.pop("nullable", False):
        node = {"anyOf": [node, {"type": "null"}]}
    return node


def typed(schema: dict) -> bool:
    """Whether a property says what it holds (a type, an enum or a reference), not merely what it means."""
    return bool({"type", "enum", "$ref", "allOf", "anyOf", "oneOf"} & set(schema))


def test_every_public_answer_is_what_the_schema_says(client, published, tree):
    """/api/public/schema/ as a client generated from it reads it: each key of each row has a type (every key
    was "any value", so a generated client typed none of them), every key served is in the schema, and every
    answer of every operation — lists, details, a withheld and a corrected result, a sealed and a revealed plan,
    a verified draw — validates against it."""
    chem = published["rows"]["chem"]
    Correction.objects.create(result=chem, before={"target_name": "甲"}, after={"target_name": chem.target_name},
                              reason="录入有误")
    PublishedResult.objects.filter(pk=chem.pk).update(corrected_at=timezone.now())
    sealed = make_plan(tree["a"], PlanStatus.DISPATCHED, 2)
    revealed = make_plan(tree["a"], PlanStatus.DISPATCHED, 3, revealed=True)
    DrawVerification.objects.create(draw=revealed.draws.get(), ok=True, report="一致")
    CheckItem.objects.create(code="C-01", name="排污许可", legal_basis="条例", content="持证排污",
                             jurisdiction=tree["city"], responsible_department=tree["departments"]["130600"],
                             industries="C26 D44")
    schema = client.get("/api/public/schema/", {"format": "json"}).json()
    components = as_json_schema(schema["components"])

    untyped = [f"{name}.{key}" for name, component in schema["components"]["schemas"].items()
               for key, field in component.get("properties", {}).items() if not typed(field)]
    assert untyped == []

    fills = {"{id}": [str(sealed.pk), str(revealed.pk)], "{public_id}": [chem.public_id, "JL2026-000003"],
             "{plan_id}/draws/{number}": [f"{sealed.pk}/draws/1", f"{revealed.pk}/draws/1"]}
    checked = []
    for path, methods in schema["paths"].items():
        operation = methods["get"]
        addresses = [path]
        for hole, values in fills.items():
            if hole in path:
                addresses = [path.replace(hole, value) for value in values]
        for address in addresses:
            response = client.get(address)
            assert response.status_code == 200, address
            body = response.json()
            documented = as_json_schema(operation["responses"]["200"]["content"]["application/json"]["schema"])
            jsonschema.validate(body, {**documented, "components": components})
            checked.append(address)
            if "results" in body:
                assert body["results"], address  # a list validated with rows in it, not only its envelope
    assert len(checked) == 15  # the sealed manifest, a sealed and a revealed plan's
