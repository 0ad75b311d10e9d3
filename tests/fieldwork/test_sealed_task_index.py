""""Has this task a submitted record?" is read from a partial index on PostgreSQL (fieldwork migration 0004): the
overdue tasks (the task list's filter, the workbench) and each plan's progress ask it of every task in scope, and
answered from the records' wide rows it read a national year's records each time (bench/README.md). The test holds
the index and the query together: were either changed, the question would read the table again unnoticed."""

import datetime

import pytest
from django.db import connection

from shuangsuiji.planning.models import Task, past_due
from tests.queryplans import query_plan

from .conftest import submitted

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="the query plan is PostgreSQL's")]


def plan_of(queryset) -> str:
    # bitmaps of the other indexes on task_id would read the rows for sealed_at: the partial index must answer
    return query_plan(queryset, forbid=("seqscan", "bitmapscan"), analyze=("fieldwork_inspectionrecord",))


def test_overdue_tasks_ask_the_partial_index_for_submitted_records(task, users):
    submitted(task, users["inspector"])
    later = datetime.date.today() + datetime.timedelta(days=400)
    overdue = past_due(Task.objects.all(), later)
    assert not overdue.exists()  # its record is submitted: not overdue, however late it is now
    plan = plan_of(overdue.order_by().values("pk"))
    assert "record_sealed_task" in plan, plan
