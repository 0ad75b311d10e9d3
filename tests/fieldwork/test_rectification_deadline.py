"""整改期限 of an order to rectify has an upper bound: a year after the inspection (services.RECTIFICATION_YEARS).
A typo year (2206 for 2026) was accepted and sealed: the re-check then waited for centuries and the problem never
showed as overdue. The submission refuses it at the field, naming the limit, and so does the form as it is typed
(the page's save and the phone's autosave), storing nothing."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.fieldwork import services
from shuangsuiji.fieldwork.models import Handling, ItemResult, Recheck
from tests.clients import signed_in

from .conftest import fill, sign_all
from .test_views import form_data

pytestmark = pytest.mark.django_db


def test_the_latest_deadline_is_a_year_after_the_inspection():
    assert services.latest_rectification_deadline(datetime.date(2026, 6, 24)) == datetime.date(2027, 6, 24)
    assert services.latest_rectification_deadline(datetime.date(2028, 2, 29)) == datetime.date(2029, 2, 28)


def _typed(task, user, deadline):
    record = services.do_start_record(task, acting_user=user)
    record = fill(record, user, problem=Handling.ORDER, deadline=deadline)
    return sign_all(record, user)


def test_a_deadline_years_ahead_is_refused_at_submission_naming_the_limit(task, users):
    user = users["inspector"]
    typo = timezone.localdate().replace(year=timezone.localdate().year + 180)
    record = _typed(task, user, typo)
    day = services.inspection_day(record)
    latest = services.latest_rectification_deadline(day)
    item = record.items.order_by("order").first()
    with pytest.raises(ValidationError) as caught:
        services.do_submit_record(record, acting_user=user)
    assert caught.value.message_dict == {f"item-{item.pk}-deadline": [
        f"整改期限不能晚于检查日期（{day.isoformat()}）后一年，即 {latest.isoformat()}，请核对年份"]}
    record.refresh_from_db()
    assert not record.is_sealed and not Recheck.objects.exists()


def test_a_deadline_of_a_year_exactly_is_taken(task, users):
    user = users["inspector"]
    day = timezone.localdate(timezone.now() - datetime.timedelta(hours=2))  # fill() ends the visit 2 hours ago
    latest = services.latest_rectification_deadline(day)
    record = services.do_submit_record(_typed(task, user, latest), acting_user=user)
    assert record.is_sealed
    assert Recheck.objects.get().not_before == latest


def test_the_autosave_refuses_it_and_stores_nothing(task, users):
    user = users["inspector"]
    record = fill(services.do_start_record(task, acting_user=user), user, problem=Handling.ORDER)
    item = record.items.order_by("order").first()
    stored = ItemResult.objects.get(pk=item.pk).deadline
    record.refresh_from_db()
    day = services.inspection_day(record)
    latest = services.latest_rectification_deadline(day)
    response = signed_in(user).post(reverse("fieldwork:record_draft", args=[record.pk]),
                                    form_data(record, **{f"item-{item.pk}-deadline": "2206-03-31"}))
    assert response.status_code == 400
    body = response.json()
    assert f"{item.name}·整改期限" in body["message"] and latest.isoformat() in body["message"]
    # a date out of range is not "badly formatted": the banner does not say it is
    assert body["message"].startswith("有字段未通过检查：") and "格式" not in body["message"]
    assert body["errors"] == {f"item-{item.pk}-deadline": [
        f"整改期限不能晚于检查日期（{day.isoformat()}）后一年，即 {latest.isoformat()}，请核对年份"]}
    assert ItemResult.objects.get(pk=item.pk).deadline == stored


def test_the_page_says_it_at_the_field_in_english_too(task, users):
    user = users["inspector"]
    record = fill(services.do_start_record(task, acting_user=user), user, problem=Handling.ORDER)
    item = record.items.order_by("order").first()
    record.refresh_from_db()
    latest = services.latest_rectification_deadline(services.inspection_day(record))
    client = signed_in(user)
    client.cookies["django_language"] = "en"
    response = client.post(reverse("fieldwork:record_edit", args=[record.pk]),
                           form_data(record, **{f"item-{item.pk}-deadline": "2206-03-31", "action": "save"}))
    assert response.status_code == 400
    page = response.content.decode()
    assert "no later than one year after the inspection" in page and latest.isoformat() in page
    assert ItemResult.objects.get(pk=item.pk).deadline != datetime.date(2206, 3, 31)


def test_the_day_is_the_one_the_same_post_gives(task, users):
    """An inspection typed in later: the visit's day in the post, not today, bounds the deadline."""
    user = users["inspector"]
    record = fill(services.do_start_record(task, acting_user=user), user, problem=Handling.ORDER)
    item = record.items.order_by("order").first()
    record.refresh_from_db()
    visit = timezone.localtime(record.started_at) - datetime.timedelta(days=20)
    ended = visit + datetime.timedelta(hours=1)
    past_limit = services.latest_rectification_deadline(ended.date()) + datetime.timedelta(days=1)
    response = signed_in(user).post(reverse("fieldwork:record_draft", args=[record.pk]), form_data(
        record, started_at=visit.strftime("%Y-%m-%dT%H:%M"), ended_at=ended.strftime("%Y-%m-%dT%H:%M"),
        **{f"item-{item.pk}-deadline": past_limit.isoformat()}))
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [f"item-{item.pk}-deadline"]
