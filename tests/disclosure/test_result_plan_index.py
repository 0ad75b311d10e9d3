"""The results search's plan-kind filter ("plan_id IN (published plans of that kind)") is read from the index on
``PublishedResult.plan_id`` on PostgreSQL (disclosure migration 0007): without it the page's count read every
published result for a rare kind (bench/README.md, "The results search's plan-kind filter"). The test holds the
index and the query together."""

import pytest
from django.db import connection

from shuangsuiji.disclosure import public
from tests.disclosure.test_portal import data  # noqa: F401
from tests.queryplans import query_plan

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="the query plan is PostgreSQL's")]


def test_the_plan_kind_filter_finds_its_results_by_the_plan_index(data):  # noqa: F811
    form, rows = public.results({"plan_kind": "cross"})
    assert form.is_valid()
    # A test table of a few rows is read along the publication's index, row by row: with neither a full read nor a
    # nested loop allowed, the plan shows whether the plan index can answer the filter (over a year it is chosen).
    plan = query_plan(rows.order_by().values("pk"), forbid=("seqscan", "nestloop"),
                      analyze=("disclosure_publishedresult",))
    assert "result_plan" in plan, plan
