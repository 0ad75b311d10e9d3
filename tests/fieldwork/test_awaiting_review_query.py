"""Records awaiting review (the workbench, the record list's 待审核, the review summary) are asked by NOT EXISTS a
review, not by a LEFT JOIN to the review that is NULL: PostgreSQL estimated that join at one row and hashed every
review of the country against every sealed record before the scope was applied (bench/README.md, *A national year
of work*). The test holds the shape and what it answers: a reviewed record drops out, a draft is never in."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shuangsuiji.fieldwork import services
from shuangsuiji.fieldwork.models import InspectionRecord

from .conftest import submitted

pytestmark = pytest.mark.django_db


def test_awaiting_review_is_not_exists_a_review_not_a_left_join(task, users):
    record = submitted(task, users["inspector"])
    awaiting = InspectionRecord.objects.visible_to(users["county_admin"]).awaiting_review()
    with CaptureQueriesContext(connection) as queries:
        assert list(awaiting) == [record]
    sql, = [q["sql"] for q in queries.captured_queries]
    assert 'LEFT OUTER JOIN "fieldwork_recordreview"' not in sql, sql
    assert 'NOT (EXISTS(SELECT 1 AS "a" FROM "fieldwork_recordreview"' in sql, sql

    services.do_review_record(record, passed=True, acting_user=users["county_admin"])
    assert not awaiting.all().exists()  # .all(): the list above is cached on ``awaiting``
