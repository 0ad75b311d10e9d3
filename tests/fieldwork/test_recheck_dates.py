"""A re-check's dates do not depend on the order its rectification orders are processed in: 整改期限 is the
LATEST deadline among the orders it carries open, 复查期限 15 days after it, and each order's follow-up is due with
its re-check (which alone closes it) — when the record is sealed and when an amendment carries the orders over with
new deadlines (``services.recheck_dates``). Before, an amendment left the dates of whichever order came last."""

import datetime
import itertools

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shuangsuiji.fieldwork import services
from shuangsuiji.fieldwork.models import Handling, Outcome, Recheck, RecheckStatus
from shuangsuiji.planning.models import Task
from tests.clients import signed_in

from .conftest import fill, recheck_of, sign_all

pytestmark = pytest.mark.django_db

DAYS = st.integers(min_value=1, max_value=300)


def order(day: datetime.date, notes: str) -> dict:
    return {"outcome": Outcome.PROBLEM, "notes": notes, "handling": Handling.ORDER, "deadline": day}


def seal_with_orders(task, user, deadlines: list[datetime.date]):
    record = services.do_start_record(Task.objects.get(pk=task.pk), acting_user=user)
    fill(record, user)
    items = list(record.items.order_by("order"))
    services.do_save_draft(record, acting_user=user, values={}, items={
        item.pk: order(day, f"问题{n}") for n, (item, day) in enumerate(zip(items, deadlines, strict=True))})
    sign_all(record, user)
    return services.do_submit_record(record, acting_user=user)


def amend_deadlines(record, users, deadlines: list[datetime.date]):
    services.do_review_record(record, passed=False, reason="整改期限有误", acting_user=users["county_admin"])
    record.refresh_from_db()
    amendment = record.amendment
    items = list(amendment.items.order_by("order"))
    services.do_save_draft(amendment, acting_user=users["inspector"], values={}, items={
        item.pk: order(day, item.notes) for item, day in zip(items, deadlines, strict=True)})
    sign_all(amendment, users["inspector"])
    return services.do_submit_record(amendment, acting_user=users["inspector"])


def assert_dates_follow_the_latest(recheck: Recheck, deadlines: list[datetime.date]) -> None:
    recheck.refresh_from_db()
    latest = max(deadlines)
    assert recheck.status == RecheckStatus.OPEN
    assert (recheck.not_before, recheck.due_date) == (latest, latest + datetime.timedelta(days=15))
    follow_ups = recheck.follow_ups.all()
    assert len(follow_ups) == len(deadlines)
    assert {f.due_date for f in follow_ups} == {recheck.due_date}


@given(original=st.lists(DAYS, min_size=2, max_size=2), amended=st.lists(DAYS, min_size=2, max_size=2))
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_recheck_takes_the_latest_deadline_whatever_the_order(task, users, original, amended):
    today = timezone.localdate()
    with transaction.atomic():  # each example on the same task, undone after it
        record = seal_with_orders(task, users["inspector"], [today + datetime.timedelta(days=d) for d in original])
        recheck = recheck_of(record)
        assert_dates_follow_the_latest(recheck, [today + datetime.timedelta(days=d) for d in original])
        amend_deadlines(record, users, [today + datetime.timedelta(days=d) for d in amended])
        assert Recheck.objects.filter(source_record__task=task).count() == 1  # carried over, not a second one
        assert_dates_follow_the_latest(recheck, [today + datetime.timedelta(days=d) for d in amended])
        transaction.set_rollback(True)


def test_the_earlier_deadline_moving_past_the_later_one_moves_the_recheck(task, users):
    """The case the old rule got wrong: processed in the order of their old due dates, the order whose deadline
    the amendment moved later came first and the other's earlier deadline was left on the re-check."""
    today = timezone.localdate()
    first, second = today + datetime.timedelta(days=10), today + datetime.timedelta(days=20)
    record = seal_with_orders(task, users["inspector"], [first, second])
    recheck = recheck_of(record)
    moved = today + datetime.timedelta(days=40)
    amend_deadlines(record, users, [moved, second])
    recheck.refresh_from_db()
    assert recheck.not_before == moved and recheck.due_date == moved + datetime.timedelta(days=15)


@given(deadlines=st.lists(st.dates(min_value=datetime.date(2026, 1, 1), max_value=datetime.date(2027, 12, 31)),
                          min_size=1, max_size=6))
def test_recheck_dates_are_the_same_for_every_order_of_the_deadlines(deadlines):
    expected = services.recheck_dates(deadlines)
    assert expected[0] == max(deadlines) and expected[1] == max(deadlines) + datetime.timedelta(days=15)
    for permutation in itertools.islice(itertools.permutations(deadlines), 50):
        assert services.recheck_dates(permutation) == expected


@pytest.mark.parametrize(("language", "rule"), [
    ("zh-hans", "需复查问题中最晚的整改期限"), ("en", "The latest rectification deadline among the problems")])
def test_the_recheck_page_says_the_rule(task, users, language, rule):
    today = timezone.localdate()
    record = seal_with_orders(task, users["inspector"], [today + datetime.timedelta(days=30),
                                                          today + datetime.timedelta(days=9)])
    recheck = recheck_of(record)
    page = signed_in(users["inspector"], language).get(recheck.get_absolute_url()).content.decode()
    assert 'id="rectification-basis"' in page and rule in page
    assert (today + datetime.timedelta(days=30)).isoformat() in page
