"""The plans download carries each plan's check items, as the JSON and the API do: a column appended at the end
(existing mirrors read the columns by position), the codes in code order separated by "; " so a spreadsheet shows
them and a script splits them, documented on the open-data page."""

import csv
import io
import json

import pytest
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext

from shuangsuiji.disclosure import public
from shuangsuiji.planning.models import Plan
from shuangsuiji.registry.models import CheckItem
from tests.disclosure.test_portal import make_plan, streamed

pytestmark = pytest.mark.django_db

ENGLISH = {"cookie": "django_language=en"}


@pytest.fixture
def plan_with_items(tree):
    plan = make_plan(tree["a"], 2)
    department = tree["departments"]["130600"]
    items = [CheckItem.objects.create(code=code, name=name, legal_basis="条例", content="-", jurisdiction=tree["city"],
                                      responsible_department=department)
             for code, name in (("BD-HJ-003", "固体废物"), ("BD-HJ-001", "排污许可"), ("BD-HJ-002", "废气排放"))]
    plan.check_items.set(items)
    bare = make_plan(tree["b"], 3)  # a plan with no items: an empty cell, not "[]"
    return plan, bare


def read_csv(client, **headers) -> list[dict[str, str]]:
    response = client.get("/public/plans/", {"format": "csv"}, headers=headers)
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(streamed(response).lstrip("\ufeff"))))


def test_the_plans_csv_has_the_items_codes_in_a_last_column_a_script_can_split(client, plan_with_items):
    plan, bare = plan_with_items
    rows = read_csv(client)
    assert list(rows[0])[-1] == "抽查事项编码"  # appended: the columns before it keep their places
    by_id = {row["计划编号"]: row for row in rows}
    cell = by_id[str(plan.pk)]["抽查事项编码"]
    assert cell == "BD-HJ-001; BD-HJ-002; BD-HJ-003"
    assert cell.split(public.ITEM_CODES_SEPARATOR) == ["BD-HJ-001", "BD-HJ-002", "BD-HJ-003"]
    assert by_id[str(bare.pk)]["抽查事项编码"] == ""
    # The headers are Chinese whatever the reader's language (the open-data page says so): a mirror's script
    # reads the same file from the English portal.
    assert read_csv(client, **ENGLISH) == rows


def test_the_json_download_and_the_api_give_the_same_codes_as_a_list(client, plan_with_items):
    plan, _bare = plan_with_items
    rows = json.loads(streamed(client.get("/public/plans/", {"format": "json"})))["results"]
    codes = {row["id"]: row["check_items"] for row in rows}
    assert codes[plan.pk] == ["BD-HJ-001", "BD-HJ-002", "BD-HJ-003"]
    assert client.get(f"/api/public/plans/{plan.pk}/").json()["check_items"] == codes[plan.pk]
    listed = {row["id"]: row["check_items"] for row in client.get("/api/public/plans/").json()["results"]}
    assert listed == codes


def test_the_open_data_page_says_how_the_column_is_written(client):
    text = client.get("/public/opendata/").content.decode()
    assert "<code>check_items</code></th><td>抽查事项编码</td></tr>" in text
    assert ('<td colspan="2" class="text-body-secondary" id="column-plans-check_items">'
            "计划所列抽查事项的编码，按编码排列，多个时以英文分号和空格“; ”隔开") in text
    english = client.get("/public/opendata/", headers=ENGLISH).content.decode()
    assert 'several separated by a semicolon and a space (&quot;; &quot;' in english


def page_queries(client, path: str, params: dict | None = None) -> list[str]:
    """The SQL of one request, from an emptied log: ``CaptureQueriesContext`` counts by the log's length, and a
    log already at its limit (9000 queries into a session) stays full, so it captured nothing there."""
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, params or {})
        body = streamed(response) if response.streaming else response.content.decode()
    assert response.status_code == 200, body
    return [query["sql"] for query in captured.captured_queries]


def test_the_plans_page_does_not_read_the_item_codes_it_does_not_show(client, plan_with_items):
    """The page prefetched every plan's check-item codes for the downloads' column and showed none of them: one
    query per page too many. The downloads and the API still read them (above), in one query for all rows."""
    through = Plan.check_items.through._meta.db_table
    page = page_queries(client, "/public/plans/")
    assert page and not [sql for sql in page if through in sql]
    csv_queries = page_queries(client, "/public/plans/", {"format": "csv"})
    assert len([sql for sql in csv_queries if through in sql]) == 1  # prefetched: one query, not one per plan
