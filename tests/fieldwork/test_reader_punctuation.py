"""The phone's one-line answer to a refused autosave names each field with what is wrong, in the reader's
punctuation: "Some fields were not accepted: Inspection started (…), Phone (…)" in English,
"有字段未通过检查：检查开始时间（…）、电话（…）" in Chinese."""

from django.urls import reverse

from shuangsuiji.fieldwork import services
from tests.clients import signed_in as client_for

from .test_views import form_data


def refused_autosave(task, user, language: str) -> str:
    record = services.do_start_record(task, acting_user=user)
    client = client_for(user)
    client.cookies["django_language"] = language
    response = client.post(reverse("fieldwork:record_draft", args=[record.pk]),
                           form_data(record, site_manager_phone="1504168561 7#", started_at="0001-01-01T00:00"))
    assert response.status_code == 400
    return response.json()["message"]


def test_a_refused_autosave_in_english_names_its_fields_with_english_marks(task, users):
    message = refused_autosave(task, users["inspector"], "en")
    assert message.startswith("Some fields were not accepted: Inspection started (The time is outside")
    assert "9999-12-30), Phone (A telephone number" in message
    assert not any(mark in message for mark in "（）、；")


def test_a_refused_autosave_in_chinese_names_its_fields_with_chinese_marks(task, users):
    message = refused_autosave(task, users["inspector"], "zh-hans")
    assert message.startswith("有字段未通过检查：检查开始时间（时间超出可记录的范围")
    assert "9999-12-30 之间）、电话（电话号码只能由" in message
