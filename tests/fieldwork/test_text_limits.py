"""A free-text box of the record takes at most so many characters: a paste of 180,000 was stored, and the sealed
record's page and printed form grew with it. Too long is refused, saying which box and how long it is; what was
saved before stays, and what was typed comes back on the page to shorten."""

import json

import pytest
from django.urls import reverse

from shuangsuiji.fieldwork import services
from shuangsuiji.fieldwork.forms import TEXT_LIMITS
from tests.clients import signed_in

from .test_views import form_data

pytestmark = pytest.mark.django_db


def test_a_findings_too_long_is_refused_on_the_page_and_the_saved_draft_stays(task, users):
    user = users["inspector"]
    record = services.do_start_record(task, acting_user=user)
    url = reverse("fieldwork:record_edit", args=[record.pk])
    client = signed_in(user)
    saved = client.post(url, form_data(record, place="一号车间", findings="已保存的检查情况", action="save"))
    assert saved.status_code == 302
    record.refresh_from_db()
    too_long = "检" * (TEXT_LIMITS["findings"] + 1)
    response = client.post(url, form_data(record, place="二号车间", findings=too_long, action="save"))
    page = response.content.decode()
    assert response.status_code == 400
    assert "草稿未保存" in page and f"最多{TEXT_LIMITS['findings']}字，现有{TEXT_LIMITS['findings'] + 1}字" in page
    assert 'href="#wrap-id_findings"' in page  # the error list leads to the box
    assert too_long in page and "二号车间" in page  # what was typed is on the page to shorten
    record.refresh_from_db()
    assert record.findings == "已保存的检查情况" and record.place == "一号车间"  # nothing saved is lost


def test_an_items_notes_too_long_is_refused_by_the_autosave_naming_the_item(task, users):
    user = users["inspector"]
    record = services.do_start_record(task, acting_user=user)
    item = record.items.order_by("order").first()
    too_long = "问" * (TEXT_LIMITS["notes"] + 1)
    answer = signed_in(user, "en").post(reverse("fieldwork:record_draft", args=[record.pk]),
                                        form_data(record, **{f"item-{item.pk}-outcome": "problem",
                                                             f"item-{item.pk}-notes": too_long}))
    assert answer.status_code == 400
    error = json.loads(answer.content)["message"]
    assert item.name in error and f"At most {TEXT_LIMITS['notes']} characters" in error
    item.refresh_from_db()
    assert item.notes == "" and item.outcome == ""


def test_a_text_at_the_limit_is_stored(task, users):
    user = users["inspector"]
    record = services.do_start_record(task, acting_user=user)
    full = "检" * TEXT_LIMITS["findings"]
    response = signed_in(user).post(reverse("fieldwork:record_edit", args=[record.pk]),
                                    form_data(record, findings=full, action="save"))
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.findings == full
