# ruff: noqa: F811 (fixtures of the fieldwork and planning tests, imported by name, are parameters here)
"""The city's 一公开 questions — which months still have results to publish (``month_states``, the workbench and
the 一公开 overview) and which published results are behind their records (``pending_corrections``) — cost what
the login's scope holds, not what the country holds (bench/README.md, *A national year of work*). These tests hold
the query shapes that made them so: were a subquery made uncorrelated again, the page would read every published
result of the country on each visit, unnoticed by the behaviour tests."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shuangsuiji.disclosure import services
from tests.disclosure.test_services import another_task, month_of, reviewed
from tests.fieldwork.conftest import items, team  # noqa: F401

pytestmark = pytest.mark.django_db


def _reading(queries, table: str) -> list[str]:
    """The queries whose outer FROM is ``table``."""
    return [q["sql"] for q in queries if q["sql"].split(" FROM ", 1)[-1].startswith(f'"{table}"')]


def test_month_states_ask_for_each_records_published_result_not_for_every_published_result(tree, items, team,
                                                                                           users):
    record = reviewed(another_task(tree, items, team, 41), users)
    year, month = month_of(record)
    with CaptureQueriesContext(connection) as queries:
        state, = services.month_states(tree["city"], year)
    assert (state.jurisdiction, state.month, state.unpublished) == (tree["a"], month, 1)
    sql, = _reading(queries.captured_queries, "fieldwork_inspectionrecord")
    # NOT IN (SELECT public_id ...) hashed the whole country's published results for every query; NOT EXISTS
    # correlated by the record's number (and its amended record's) reads the unique index once per record.
    assert '"number" IN (SELECT' not in sql, sql
    assert '"public_id" = ("fieldwork_inspectionrecord"."number")' in sql, sql
    assert sql.count('"disclosure_publishedresult"') == 2, sql


def test_pending_corrections_look_up_the_few_moved_records_by_key_not_every_published_result(tree, items, team,
                                                                                             users):
    from tests.disclosure.test_services import publish

    record = reviewed(another_task(tree, items, team, 41), users)
    publish(record, users)
    services.do_decide_redaction(record, action="withhold", basis="commercial", reason="涉及商业秘密的配方",
                                 acting_user=users["city_admin"])
    with CaptureQueriesContext(connection) as queries:
        pending = services.pending_corrections(tree["city"])
    assert [result.record_id for result, _record, _fresh in pending] == [record.pk]
    # The amendments no longer ask for the scope's published results in a subquery (PostgreSQL read every
    # published row of the country to answer it) ...
    assert not [sql for sql in _reading(queries.captured_queries, "fieldwork_inspectionrecord")
                if "disclosure_publishedresult" in sql]
    # ... and the rows compared are asked for by their records' keys, not by OR-ed subqueries, which no index
    # answers: PostgreSQL walked every published result of the country to test each.
    rows, = [sql for sql in _reading(queries.captured_queries, "disclosure_publishedresult")
             if '"disclosure_publishedresult"."public_id"' in sql.split(" FROM ")[0]]
    assert f'"disclosure_publishedresult"."record_id" IN ({record.pk})' in rows, rows
    assert "(SELECT" not in rows, rows
