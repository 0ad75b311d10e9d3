"""A count of queries sees the queries. Django keeps a connection's last 9000 in a deque and a count is the
deque's growth: a full log counted nothing, and an "at most N queries" test passed on nothing. A log full before a
test is emptied by Django's test case as the test opens the database; a count whose log runs full within the test
fails (tests/conftest.py, ``query_counts_see_every_query``)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shuangsuiji.accounts.models import User

pytestmark = pytest.mark.django_db

# What the log holds of each query; a test that fills it with these is cheaper than running 9000 queries, and the
# deque cannot tell the difference.
LOGGED = {"sql": "SELECT 1", "time": "0.000"}


def fill_the_log() -> None:
    connection.queries_log.extend([LOGGED] * connection.queries_log.maxlen)
    assert len(connection.queries_log) == 9000


@pytest.fixture(scope="module")
def log_left_full(django_db_setup):
    """The log as an earlier test in the same process can leave it: full. Module-scoped, so it is filled before
    the test's own (function-scoped) fixtures run, as an earlier test's queries would be; the ``db`` fixture's
    Django test case then empties it."""
    fill_the_log()
    yield
    connection.queries_log.clear()


def test_a_count_after_a_test_that_left_the_log_full_sees_its_queries(log_left_full, django_assert_max_num_queries,
                                                                       django_assert_num_queries):
    # one test: the module's fixture fills the log once, before this test's database opens
    with CaptureQueriesContext(connection) as captured:
        User.objects.count()
    assert len(captured) == 1 and "COUNT" in captured[0]["sql"]
    refused = pytest.raises(pytest.fail.Exception, match="Expected to perform 0 queries or less but 1 was done")
    with refused, django_assert_max_num_queries(0):
        User.objects.count()
    with django_assert_num_queries(2):
        User.objects.count()
        User.objects.exists()


@pytest.mark.filterwarnings("ignore:Limit for query logging exceeded")  # Django's, reading the full log
def test_a_count_whose_own_log_runs_full_fails_saying_why(django_assert_max_num_queries):
    User.objects.count()
    fill_the_log()  # this test's own 9000 queries before the count
    refused = pytest.raises(AssertionError, match=r"query log .*'default' was full \(9000 queries\).* count \(0\)")
    with refused, CaptureQueriesContext(connection):
        User.objects.count()
    fill_the_log()
    with pytest.raises(AssertionError, match="was full"), django_assert_max_num_queries(5):
        User.objects.count()


def test_a_count_of_nothing_where_nothing_ran_still_passes(django_assert_num_queries):
    # the refusal is of a full log, not of a count of zero: a page served from the cache may rightly read nothing
    with django_assert_num_queries(0):
        pass
    with CaptureQueriesContext(connection) as captured:
        User.objects.count()
    assert len(captured) == 1
