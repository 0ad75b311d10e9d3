# ruff: noqa: F811 (fixtures of the fieldwork and planning tests, imported by name, are parameters here)
"""Keeping a copy of the published results in sync (/api/public/results/?changed_since=…): what was published,
corrected or withheld since a moment, each row with its change time, paged by a cursor that neither skips nor
repeats a row while batches are released, and a 400 naming the parameter for a moment or cursor it cannot read.

The results are published and corrected through the services, as the bureau does it: the change times are the
ones release and correction write."""

import base64
import datetime
import importlib
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from shuangsuiji.disclosure import services
from shuangsuiji.disclosure.models import Outcome, PublicationStatus, PublishedResult, RedactionAction
from shuangsuiji.disclosure.public import instant
from shuangsuiji.planning import services as planning
from shuangsuiji.planning.models import Draw, Plan, Task, TaskPlan, TaskStatus
from shuangsuiji.registry import services as registry
from shuangsuiji.registry.models import Target
from tests.disclosure.test_api_public import batch, credit_code, make_result
from tests.disclosure.test_services import another_task, month_of, publish, reviewed
from tests.fieldwork.conftest import items, team  # noqa: F401

pytestmark = pytest.mark.django_db

URL = "/api/public/results/"
BEGINNING = "2000-01-01T00:00:00+08:00"
"""A moment before anything was published: the first, full read of a copy."""


def published_records(tree, items, team, users, serials) -> list:
    """Reviewed records of county A, released in one batch (a supplementary one when the month has a batch)."""
    records = [reviewed(another_task(tree, items, team, serial), users) for serial in serials]
    publish(records[0], users)
    return records


def ids(body: dict) -> list[str]:
    return [row["public_id"] for row in body["results"]]


def walk(client, url: str, **params) -> list[dict]:
    """Every page from ``url`` through ``next``; the bodies (a ``next`` that never ends fails, not hangs)."""
    bodies = [client.get(url, params).json()]
    while bodies[-1]["next"]:
        assert len(bodies) < 20, "next never ends"
        bodies.append(client.get(bodies[-1]["next"]).json())
    return bodies


def test_what_was_published_at_or_after_the_moment_and_nothing_before_or_unreleased(client, tree, items, team,
                                                                                     users):
    first, = published_records(tree, items, team, users, [11])
    moment = timezone.now()
    second, = published_records(tree, items, team, users, [12])
    prepared = reviewed(another_task(tree, items, team, 13), users)  # in a batch that is not released
    year, month = month_of(prepared)
    services.do_prepare_results(jurisdiction=tree["a"], year=year, month=month, acting_user=users["county_admin"])

    body = client.get(URL, {"changed_since": timezone.localtime(moment).isoformat()}).json()
    assert ids(body) == [second.number]
    released = PublishedResult.objects.get(public_id=second.number).publication.released_at
    assert released >= moment
    row = body["results"][0]
    assert row["changed_at"] == instant(released) and row["changed_at"].endswith("+08:00")
    assert set(row) == set(client.get(URL).json()["results"][0])  # the rows of the list, as the list has them
    assert body["count"] == 1 and body["previous"] is None and body["next"] is None

    # At or after: the very moment of the release is included; the same moment in UTC reads the same.
    exact = released.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
    assert ids(client.get(URL, {"changed_since": exact}).json()) == [second.number]
    # From the beginning: oldest change first, the prepared batch's row nowhere.
    assert ids(client.get(URL, {"changed_since": BEGINNING}).json()) == [first.number, second.number]
    # The list's filters still apply; county B has published nothing.
    assert ids(client.get(URL, {"changed_since": BEGINNING, "jurisdiction": "130624"}).json()) == []
    assert ids(client.get(URL, {"changed_since": BEGINNING, "jurisdiction": "130623"}).json()) == [
        first.number, second.number]
    # Without changed_since the list is as it was: newest inspection first, by page number.
    plain = client.get(URL).json()
    assert set(ids(plain)) == {first.number, second.number} and "changed_at" in plain["results"][0]


def test_a_correction_or_a_withholding_brings_a_result_back_with_its_new_change_time(client, tree, items, team,
                                                                                      users):
    first, second = published_records(tree, items, team, users, [21, 22])
    moment = timezone.localtime().isoformat()
    assert ids(client.get(URL, {"changed_since": moment}).json()) == []

    result = PublishedResult.objects.get(public_id=first.number)
    correction = services.do_correct_result(result, values={"target_name": "涞水县21号化工股份有限公司"},
                                            reason="单位名称录入有误", acting_user=users["county_admin"])
    body = client.get(URL, {"changed_since": moment}).json()
    assert ids(body) == [first.number]
    row = body["results"][0]
    assert row["changed_at"] == instant(correction.corrected_at) == row["corrected_at"]
    assert row["target_name"] == "涞水县21号化工股份有限公司"

    # A withholding decided after release reaches the portal as a correction: the row comes back, withheld.
    services.do_decide_redaction(second, action=RedactionAction.WITHHOLD, basis="law", reason="涉及正在办理的案件",
                                 acting_user=users["county_admin"])
    pending, = services.pending_corrections(tree["a"])
    withholding = services.do_republish_amended(pending[0], reason="依个案决定不予公开",
                                                acting_user=users["county_admin"])
    body = client.get(URL, {"changed_since": moment}).json()
    assert ids(body) == [first.number, second.number]  # the order of change
    withheld = body["results"][1]
    assert withheld["outcome"] == Outcome.WITHHELD and withheld["target_name"] == ""
    assert withheld["changed_at"] == instant(withholding.corrected_at) > row["changed_at"]
    after_correction = timezone.localtime(correction.corrected_at + datetime.timedelta(microseconds=1))
    assert ids(client.get(URL, {"changed_since": after_correction.isoformat()}).json()) == [second.number]


def test_the_cursor_neither_skips_nor_repeats_rows_while_batches_are_released(client, tree, items, team, users):
    early = published_records(tree, items, team, users, [31, 32, 33])
    first = client.get(URL, {"changed_since": BEGINNING, "page_size": 2}).json()
    assert len(first["results"]) == 2 and first["count"] == 3 and first["previous"] is None
    query = parse_qs(urlsplit(first["next"]).query)
    assert query["changed_since"] == [BEGINNING] and query["page_size"] == ["2"] and query["after"]

    # Released between two pages: under page numbers they would shift the rows not read yet.
    late = published_records(tree, items, team, users, [34, 35])
    rest = walk(client, first["next"])
    seen = ids(first) + [public_id for body in rest for public_id in ids(body)]
    assert sorted(seen) == sorted(r.number for r in early + late)  # each row once: none skipped, none twice
    assert seen[3:] == sorted(r.number for r in late)  # released later, read last
    assert rest[-1]["next"] is None and all(body["previous"] is None for body in rest)
    assert [body["count"] for body in rest] == [5] * len(rest)

    # A cursor alone goes on from its row too: the copy's next sync could start there.
    assert ids(client.get(URL, {"after": query["after"][0]}).json()) == seen[2:]


def test_a_row_corrected_while_paging_is_read_again_with_its_correction(client, tree, items, team, users):
    records = published_records(tree, items, team, users, [41, 42, 43])
    first = client.get(URL, {"changed_since": BEGINNING, "page_size": 2}).json()
    read = PublishedResult.objects.get(public_id=ids(first)[0])
    services.do_correct_result(read, values={"target_name": "更正后的名称"}, reason="名称有误",
                               acting_user=users["county_admin"])
    rows = [row for body in walk(client, first["next"]) for row in body["results"]]
    unread = sorted(r.number for r in records if r.number not in ids(first))
    # The row not read yet, then the corrected one again, as it reads now: the copy replaces it by public id.
    assert [r["public_id"] for r in rows] == [*unread, read.public_id]
    assert rows[-1]["target_name"] == "更正后的名称"


def cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(("params", "name", "says"), [
    ({"changed_since": "2026-03-01T00:00:00"}, "changed_since", "缺少时区偏移"),
    ({"changed_since": "2026-03-01"}, "changed_since", "缺少时区偏移"),
    ({"changed_since": "yesterday"}, "changed_since", "ISO 8601"),
    ({"changed_since": "2026-03-01T00:00:00 08:00"}, "changed_since", "%2B"),  # the "+" sent unencoded
    ({"changed_since": "0001-01-01T00:00:00+08:00"}, "changed_since", "0001-01-02"),
    ({"after": "!!!"}, "after", "游标"),
    ({"after": "é"}, "after", "游标"),
    ({"after": cursor("1|not a time|JL2026-000001")}, "after", "next"),
    ({"after": cursor("1|2026-03-01T00:00:00|JL2026-000001")}, "after", "游标"),  # no offset
    ({"after": cursor("9|2026-03-01T00:00:00+00:00|JL2026-000001")}, "after", "游标"),  # a form we never wrote
    ({"after": cursor("1|2026-03-01T00:00:00+00:00|")}, "after", "游标"),
    ({"changed_since": BEGINNING, "page": "2"}, "page", "next"),
    ({"changed_since": BEGINNING, "page_size": "0"}, "page_size", "0"),
    ({"changed_since": BEGINNING, "changed": "x"}, "changed", "changed_since"),
])
def test_a_moment_or_cursor_that_cannot_be_read_is_a_400_naming_it(client, tree, params, name, says):
    response = client.get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert list(body) == [name] and isinstance(body[name], list)
    assert says in body[name][0]


def test_both_wrong_are_both_named(client, tree):
    body = client.get(URL, {"changed_since": "2026-03-01", "after": "x"}).json()
    assert set(body) == {"changed_since", "after"}


def test_the_schema_documents_the_sync_parameters_and_the_change_time(client):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    operation = schema["paths"]["/api/public/results/"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert parameters["changed_since"]["schema"] == {"type": "string", "format": "date-time"}
    assert "ISO 8601" in parameters["changed_since"]["description"]
    # how a client learns of removals: there are none to learn of, and since comes from the server's time
    assert "不会被删除或撤回" in parameters["changed_since"]["description"]
    assert "不要用本机时钟" in parameters["changed_since"]["description"]
    assert parameters["after"]["schema"]["type"] == "string" and "next" in parameters["after"]["description"]
    row = schema["components"]["schemas"]["PublicResult"]["properties"]
    assert "changed_at" in row and "更正" in row["changed_at"]["description"]
    served = client.get("/api/public/schema/", {"format": "json"}).json()
    assert "changed_since" in {p["name"] for p in served["paths"]["/api/public/results/"]["get"]["parameters"]}


def test_the_migration_dates_the_rows_already_published(tree):
    """Rows stored before the change time existed: the release of their batch, or their latest correction."""
    fill = importlib.import_module("shuangsuiji.disclosure.migrations.0005_result_changed_at").fill_changed_at
    place = tree["a"]
    targets = [Target.objects.create(credit_code=credit_code("130623", n), name=f"厂{n}", jurisdiction=place)
               for n in (1, 2, 3)]
    march, april = batch(place, 3), batch(place, 4, PublicationStatus.PREPARED)
    corrected_at = march.released_at + datetime.timedelta(days=3)
    plain = make_result(march, targets[0], 1)
    corrected = make_result(march, targets[1], 2, corrected_at=corrected_at)
    waiting = make_result(april, targets[2], 3)
    assert not PublishedResult.objects.filter(changed_at__isnull=False).exists()
    fill(apps, connection.schema_editor())  # not entered: SQLite refuses one inside the test's transaction
    times = dict(PublishedResult.objects.values_list("pk", "changed_at"))
    assert times == {plain.pk: march.released_at, corrected.pk: corrected_at, waiting.pk: None}


def test_the_downloads_and_the_browsable_api_carry_the_change_time(client, tree, items, team, users):
    record, = published_records(tree, items, team, users, [51])
    released = PublishedResult.objects.get(public_id=record.number).changed_at
    download = client.get("/public/results/", {"format": "json"})
    rows = json.loads(b"".join(download.streaming_content))["results"]
    assert [r["changed_at"] for r in rows] == [instant(released)]
    csv = b"".join(client.get("/public/results/", {"format": "csv"}).streaming_content).decode("utf-8-sig")
    header, line = csv.splitlines()[:2]
    assert header.endswith(",最近变更时间") and line.endswith(instant(released))  # appended: old columns stay put
    page = client.get(URL, {"changed_since": BEGINNING}, HTTP_ACCEPT="text/html")
    assert page.status_code == 200 and record.number in page.content.decode()


def test_a_moment_or_cursor_with_any_offset_iso_8601_allows_reads_the_same_instant(client, tree, items, team, users):
    """ISO 8601 allows offsets under 24 hours; PostgreSQL compares times with offsets up to ±15:59 only, so
    ``changed_since=…+23:13`` (schemathesis sent one) and a cursor carrying such an offset were a server error
    there. The same instant is read in the system's time zone."""
    first, = published_records(tree, items, team, users, [21])
    moment = timezone.now()
    second, = published_records(tree, items, team, users, [22])
    far_east = datetime.timezone(datetime.timedelta(hours=23, minutes=13))
    response = client.get(URL, {"changed_since": moment.astimezone(far_east).isoformat()})
    assert response.status_code == 200
    assert ids(response.json()) == [second.number]
    released = PublishedResult.objects.get(public_id=first.number).changed_at
    past_first = cursor(f"1|{released.astimezone(far_east).isoformat(timespec='microseconds')}|{first.number}")
    response = client.get(URL, {"changed_since": BEGINNING, "after": past_first})
    assert response.status_code == 200
    assert ids(response.json()) == [second.number]


@pytest.mark.parametrize("action", [RedactionAction.MASK, RedactionAction.WITHHOLD])
def test_a_result_stays_under_its_plan_when_the_plan_is_drawn_again_after_publication(client, tree, items, team,
                                                                                      users, action):
    """A copy of one plan's results (``plan=``) learns of every change: a result keeps the plan it was published
    under. A re-draw approved after the month was published withdraws the drawn tasks (planning._supersede); the
    row rebuilt from its record for a later correction had no plan any more, so it left ``plan=`` silently (the
    correction came only without the filter) and the plan's page no longer counted it."""
    record, = published_records(tree, items, team, users, [61])
    result = PublishedResult.objects.get(public_id=record.number)
    plan = Plan.objects.get(pk=result.plan_id)
    Draw.objects.filter(plan=plan).update(inputs_hash="a" * 64)  # frozen: the plan stays published while re-drawn
    moment = timezone.localtime().isoformat()
    # A re-draw is refused now that the task's record is submitted (planning._refuse_withdrawing_sealed, 实施方案
    # 二(四)); a database keeps the tasks withdrawn by re-draws approved before that rule, as a re-draw did then.
    with pytest.raises(ValidationError, match="不能重新抽取"):
        planning.do_request_redraw(plan, reason="抽取时漏录一家企业", acting_user=users["county_admin"])
    TaskPlan.objects.filter(plan=plan).update(active=False)
    Task.objects.filter(selections__plan=plan).update(status=TaskStatus.WITHDRAWN,
                                                      withdrawn_reason="所在抽取经批准作废")
    services.do_decide_redaction(record, action=action, fields=["items"] if action == RedactionAction.MASK else [],
                                 basis="commercial", reason="事项涉及工艺", acting_user=users["county_admin"])
    pending, = services.pending_corrections(tree["a"])
    services.do_republish_amended(pending[0], reason="依个案决定隐去抽查事项", acting_user=users["county_admin"])

    result.refresh_from_db()
    assert result.plan_id == plan.pk
    if action == RedactionAction.MASK:
        assert result.plan_label == str(plan)
        assert result.items and all(item["code"] == "" for item in result.items)  # the masking went out
    else:  # withheld: the plan's id stays, as the snapshot keeps it, its name does not
        assert result.plan_label == "" and result.outcome == Outcome.WITHHELD
    body = client.get(URL, {"changed_since": moment, "plan": plan.pk}).json()
    assert ids(body) == [record.number] and body["results"][0]["plan_id"] == plan.pk
    assert services.pending_corrections(tree["a"]) == []  # and it is not listed as behind its record again


def test_a_division_change_brings_its_results_again_with_the_new_code(client, tree, items, team, users):
    """A result's ``jurisdiction_code`` is read from the registry, not the snapshot: a county given a new code
    (撤县设区) or moved under another city changed it in every row of the county with no change time, so a copy
    kept by ``changed_since`` kept the old code, and a copy of the new city's results never got them. The rows of
    the moved subtree come again, with the change time of the move; the other county's do not."""
    record, = published_records(tree, items, team, users, [71])
    other = reviewed(another_task(tree, items, team, 72), users)
    other.target.jurisdiction = tree["b"]  # a result of county B, which does not move
    Target.objects.filter(pk=other.target_id).update(jurisdiction=tree["b"])
    year, month = month_of(other)
    batch_b = services.do_prepare_results(jurisdiction=tree["b"], year=year, month=month,
                                          acting_user=users["other_county_admin"])
    services.do_review(batch_b, acting_user=users["leader"])
    services.do_release(batch_b, acting_user=users["other_county_admin"])
    moment = timezone.localtime().isoformat()
    county = tree["a"]
    county.code = "130609"
    registry.do_save(county, acting_user=users["city_admin"], reason="撤县设区")

    body = client.get(URL, {"changed_since": moment}).json()
    assert ids(body) == [record.number] and body["results"][0]["jurisdiction_code"] == "130609"
    moved = PublishedResult.objects.get(public_id=record.number)
    assert moved.changed_at > moved.publication.released_at and moved.corrected_at is None  # no correction
    assert ids(client.get(URL, {"changed_since": moment, "jurisdiction": "130609"}).json()) == [record.number]
    county.name = "涞水区"  # a new name alone: the rows keep the name they were published with, nothing comes
    later = timezone.localtime().isoformat()
    registry.do_save(county, acting_user=users["city_admin"], reason="更名")
    assert ids(client.get(URL, {"changed_since": later}).json()) == []
