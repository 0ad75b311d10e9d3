# ruff: noqa: F811 (the portal tests' ``data`` fixture, imported by name, is a parameter here)
"""The results search by a range of inspection days and by the kind of plan, on the portal page, in its
downloads and in the open-data API (same parameter names): inclusive ends, a from-day after the to-day named as
such, a bad value a red box with its message (page) or a 400 naming the parameter (API), the month kept."""

import datetime
import json

import pytest

from shuangsuiji.disclosure.models import PublishedResult
from shuangsuiji.planning.models import Plan, PlanKind, PlanStatus
from tests.disclosure.test_portal import data, ids_on, make_plan, refused_results_page  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db

ALL = ["JL2026-000002", "JL2026-000003", "JL2026-000004", "JL2026-000001", "JL2026-000005"]


@pytest.fixture
def kinds(data, tree):
    """The March results under a published regular plan, two of April's under a joint one, one under a joint
    plan still a draft (its kind is not public); a published cross-department plan has none."""
    department = tree["departments"]["130623"]
    regular = make_plan(tree["a"], 1)
    joint, draft, cross = make_plan(tree["a"], 2), make_plan(tree["a"], 3, status=PlanStatus.DRAFT, draws=0), \
        make_plan(tree["a"], 4)
    Plan.objects.filter(pk__in=[joint.pk, draft.pk]).update(kind=PlanKind.JOINT, department=department)
    Plan.objects.filter(pk=cross.pk).update(kind=PlanKind.CROSS)
    for public_id, plan in (("JL2026-000001", regular), ("JL2026-000005", regular), ("JL2026-000002", joint),
                            ("JL2026-000003", joint), ("JL2026-000004", draft)):
        PublishedResult.objects.filter(public_id=public_id).update(plan_id=plan.pk)
    return {"regular": regular, "joint": joint, "draft": draft, "cross": cross}


def api_ids(client, **params) -> list[str]:
    response = client.get("/api/public/results/", params)
    assert response.status_code == 200, response.content
    return [row["public_id"] for row in response.json()["results"]]


@pytest.mark.parametrize(("params", "expected"), [
    # the fixture's results were inspected on 10 March (1, 5) and 10 April (2, 3, 4); both ends are included
    ({"inspected_from": "2026-04-10"}, ["JL2026-000002", "JL2026-000003", "JL2026-000004"]),
    ({"inspected_to": "2026-03-10"}, ["JL2026-000001", "JL2026-000005"]),
    ({"inspected_from": "2026-03-10", "inspected_to": "2026-03-10"}, ["JL2026-000001", "JL2026-000005"]),
    ({"inspected_from": "2026-03-11", "inspected_to": "2026-04-09"}, []),
    ({"inspected_from": "2026-3-1", "inspected_to": "2026-12-31"}, ALL),  # a month without its zero
    # with the month too, both apply; the month alone, as the links carry it, still works
    ({"month": "2026-04", "inspected_to": "2026-03-31"}, []),
    ({"month": "2026-03"}, ["JL2026-000001", "JL2026-000005"]),
])
def test_the_inspection_day_range_on_the_page_the_download_and_the_api(client, data, params, expected):
    assert ids_on(client, **params) == expected
    assert api_ids(client, **params) == expected
    page = client.get("/public/results/", params)
    assert page.status_code == 200
    shown = [pid for pid in ALL if f"/public/results/{pid}/" in page.content.decode()]
    assert sorted(shown) == sorted(expected)


@pytest.mark.parametrize(("kind", "expected"), [
    ("regular", ["JL2026-000001", "JL2026-000005"]),
    ("joint", ["JL2026-000002", "JL2026-000003"]),  # not JL2026-000004: its plan is a draft, not published
    ("clue", []),
    ("cross", []),
])
def test_the_plan_kind_on_the_page_the_download_and_the_api(client, kinds, kind, expected):
    assert ids_on(client, plan_kind=kind) == expected
    assert api_ids(client, plan_kind=kind) == expected
    page = client.get("/public/results/", {"plan_kind": kind}).content.decode()
    assert sorted(pid for pid in ALL if f"/public/results/{pid}/" in page) == sorted(expected)
    assert f'<option value="{kind}" selected>' in page  # the choice stays chosen


@pytest.mark.parametrize(("params", "field", "says"), [
    ({"inspected_from": "2026-05-01", "inspected_to": "2026-04-01"}, "inspected_from",
     "起始日期 2026-05-01 晚于截止日期 2026-04-01"),
    ({"inspected_from": "2026-02-30"}, "inspected_from", "日期应写作 YYYY-MM-DD，如 2026-03-01，收到“2026-02-30”"),
    ({"inspected_to": "20260401"}, "inspected_to", "收到“20260401”"),
    ({"inspected_to": "1999-12-31"}, "inspected_to", "收到“1999-12-31”"),
    ({"plan_kind": "random"}, "plan_kind", "计划类型应为 regular"),
])
def test_a_bad_range_or_kind_turns_its_box_red_and_says_why(client, data, params, field, says):
    text = refused_results_page(client, params, field, says)
    # the box itself is marked, and tells a screen reader where its message is
    box = text[text.index(f'for="f-{field}"') - 120:text.index(f'for="f-{field}"')]
    assert "app-invalid" in box
    assert f'aria-describedby="f-{field}-error' in text and f'id="f-{field}-error"' in text
    api = client.get("/api/public/results/", params)
    assert api.status_code == 400 and says in api.json()[field][0]
    download = client.get("/public/results/", {**params, "format": "json"})
    assert download.status_code == 400 and says in json.loads(download.content)["errors"][field][0]


def test_the_range_and_kind_errors_read_in_english(client, data):
    client.cookies["django_language"] = "en"
    text = client.get("/public/results/", {"inspected_from": "2026-05-01", "inspected_to": "2026-04-01",
                                           "plan_kind": "x"}).content.decode()
    assert "The start date 2026-05-01 is after the end date 2026-04-01" in text
    assert "The kind of plan is one of regular" in text
    assert "Inspected from" in text and "Kind of plan" in text


def test_the_api_documents_the_new_parameters(client):
    schema = client.get("/api/public/schema/", {"format": "json"}).json()
    parameters = {p["name"]: p for p in schema["paths"]["/api/public/results/"]["get"]["parameters"]}
    assert parameters["inspected_from"]["schema"] == {"type": "string", "format": "date"}
    assert parameters["inspected_to"]["schema"] == {"type": "string", "format": "date"}
    assert parameters["plan_kind"]["schema"]["enum"] == ["regular", "joint", "clue", "cross"]
    assert "含当日" in parameters["inspected_to"]["description"]
    page = client.get("/public/opendata/").content.decode()
    for name in ("inspected_from", "inspected_to", "plan_kind"):
        assert f"<code>{name}</code>" in page


def test_the_download_is_named_after_the_range(client, data):
    response = client.get("/public/results/", {"inspected_from": "2026-03-01", "inspected_to": "2026-03-31",
                                               "format": "csv"})
    assert 'filename="results-2026-03-01-2026-03-31.csv"' in response["Content-Disposition"]
    assert datetime.date(2026, 3, 10).isoformat() in b"".join(response.streaming_content).decode("utf-8")
