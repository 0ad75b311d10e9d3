"""Malformed input to the fieldwork pages and API is refused with a message, never a server error (found by
fuzzing every URL with malformed values, on SQLite and PostgreSQL)."""

import base64
import datetime

from django.urls import reverse

from shuangsuiji.fieldwork import services
from shuangsuiji.fieldwork.models import AmendmentRequest, Attachment, Signature
from tests.clients import signed_in as client_for

from .conftest import fill, photo, signature_png, submitted
from .test_views import form_data


def test_a_time_before_the_calendar_can_hold_it_in_utc_is_a_form_error(task, users):
    # 0001-01-01 00:00 Beijing time is the year before in UTC: a 500 on PostgreSQL (SQLite stored it).
    record = services.do_start_record(task, acting_user=users["inspector"])
    client = client_for(users["inspector"])
    for name in ("fieldwork:record_edit", "fieldwork:record_draft"):
        url = reverse(name, args=[record.pk])
        response = client.post(url, form_data(record, started_at="0001-01-01T00:00", ended_at="9999-12-31T23:59"))
        assert response.status_code == 400
        assert "时间超出可记录的范围：应在 0001-01-02 至 9999-12-30 之间" in response.content.decode()
    record.refresh_from_db()
    assert record.started_at is None and record.revision == 0


def test_the_records_api_refuses_a_time_it_cannot_compare(task, users):
    submitted(task, users["inspector"])
    client = client_for(users["county_admin"])
    for value in ("0001-01-01", "9999-12-31T23:59:59"):
        response = client.get("/api/fieldwork/records/", {"sealed_after": value})
        assert response.status_code == 400, value  # was OverflowError on SQLite
        assert "时间超出可记录的范围" in response.json()["sealed_after"][0]
    assert client.get("/api/fieldwork/records/", {"sealed_after": "2021-01-01T00:00"}).json()["count"] == 1


def test_the_records_api_reads_a_time_with_any_offset_iso_8601_allows(task, users):
    # +23:13 is an offset ISO 8601 (and Python) allows and PostgreSQL refuses beyond ±15:59: a 500 there
    # (schemathesis sent one). The same instant is compared.
    record = submitted(task, users["inspector"])
    client = client_for(users["county_admin"])
    far_east = datetime.timezone(datetime.timedelta(hours=23, minutes=13))
    for moment, count in ((record.sealed_at, 1), (record.sealed_at + datetime.timedelta(seconds=1), 0)):
        response = client.get("/api/fieldwork/records/", {"sealed_after": moment.astimezone(far_east).isoformat()})
        assert response.status_code == 200
        assert response.json()["count"] == count


def test_the_records_api_says_what_form_of_time_it_reads_and_what_it_got(task, users):
    """Django's "输入一个有效的日期/时间。" said neither: a time with its offset's "+" unencoded (a space by then, the
    commonest way to get it wrong with curl) is told to write %2B, as the public API's changed_since tells it, and
    anything else is shown the form with an example; in English for an English reader."""
    submitted(task, users["inspector"])
    client = client_for(users["county_admin"])
    response = client.get("/api/fieldwork/records/?sealed_after=2021-01-01T00:00:00+08:00")
    assert response.status_code == 400
    assert response.json() == {"sealed_after": [
        "时区偏移前的“+”在地址中须写作 %2B（未编码的“+”会被读作空格），如 2026-03-01T00:00:00%2B08:00，"
        "收到“2021-01-01T00:00:00 08:00”"]}
    assert client.get("/api/fieldwork/records/?sealed_after=2021-01-01T00:00:00%2B08:00").json()["count"] == 1
    response = client.get("/api/fieldwork/records/", {"sealed_after": "yesterday 50%"})
    assert response.json() == {"sealed_after": [
        "应为 ISO 8601 日期时间，如 2026-03-01T00:00:00+08:00（不写时区偏移的按北京时间），收到“yesterday 50%”"]}
    client.cookies["django_language"] = "en"
    response = client.get("/api/fieldwork/records/", {"sealed_after": "yesterday"})
    assert response.json() == {"sealed_after": [
        'should be an ISO 8601 date and time, as in 2026-03-01T00:00:00+08:00 (without an offset it is read as '
        'Beijing time); got "yesterday"']}


def test_a_signature_time_that_is_no_time_is_ignored(task, users):
    user = users["inspector"]
    record = fill(services.do_start_record(task, acting_user=user), user)
    data_url = "data:image/png;base64," + base64.b64encode(signature_png()).decode()
    for signed_at in ("2021-02-30T10:00", "2021-01-01T25:00", "0001-01-01T00:00"):
        response = client_for(user).post(reverse("fieldwork:record_sign", args=[record.pk]), {
            "signer": "site_manager", "png": data_url, "revision": str(record.revision), "signed_at": signed_at})
        assert response.status_code == 200, (signed_at, response.content)  # well formed but no such day: was a 500
        record.refresh_from_db()
    assert Signature.objects.filter(record=record).count() == 1


def test_numbers_in_other_digits_are_not_numbers(task, users):
    # "²".isdigit() is true and int("²") a ValueError: these were 500s.
    user = users["inspector"]
    record = services.do_start_record(task, acting_user=user)
    client = client_for(user)
    response = client.post(reverse("fieldwork:record_draft", args=[record.pk]), form_data(record, revision="²"))
    assert response.status_code == 200
    admin = client_for(users["county_admin"])
    for name in ("records", "follow-ups"):
        # not a number, so no place: said in words (registry.places.place_filter), not a 500
        response = admin.get(f"/fieldwork/{name}/", {"jurisdiction": "²"})
        assert response.status_code == 404 and "没有这个行政区（jurisdiction=²）" in response.content.decode()
    response = client.post(reverse("fieldwork:attachment_add", args=[record.pk]),
                           {"file": photo(), "taken_at": "99999999999999999999"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and Attachment.objects.get().taken_at is None  # past any date: not a time


def test_a_nul_in_free_text_is_refused_naming_the_field(task, users):
    # PostgreSQL refuses NUL in text: these were 500s there, and SQLite stored the NUL.
    user = users["inspector"]
    record = services.do_start_record(task, acting_user=user)
    response = client_for(user).post(reverse("fieldwork:attachment_add", args=[record.pk]),
                                     {"file": photo(), "caption": "现场\x00照片"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and response.json()["message"] == "说明含有空字符（NUL），请删除后重新提交"
    assert not Attachment.objects.exists()



def test_a_nul_in_an_amendment_reason_is_refused(task, users):
    record = submitted(task, users["inspector"])
    response = client_for(users["county_admin"]).post(reverse("fieldwork:record_amend", args=[record.pk]),
                                                      {"reason": "笔误\x00"})
    assert response.status_code < 500
    assert not AmendmentRequest.objects.exists()


def test_a_refused_autosave_says_which_field_and_what_is_wrong_with_it(task, users):
    """The phone shows a refused autosave as one line in its status box: it named the field only ("有字段格式
    不正确：电话"), and the inspector had to guess what the number lacked."""
    user = users["inspector"]
    record = services.do_start_record(task, acting_user=user)
    response = client_for(user).post(reverse("fieldwork:record_draft", args=[record.pk]),
                                     form_data(record, site_manager_phone="1504168561 7#"))
    assert response.status_code == 400
    message = response.json()["message"]
    assert message.startswith("有字段未通过检查：电话（电话号码只能由"), message
    record.refresh_from_db()
    assert record.revision == 0
