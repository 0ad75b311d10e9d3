"""What fieldwork stores is in the system's language (Chinese) when an English-speaking user acts: a re-check's
item content, the decision of a return, the events' objects and reasons. A follow-up the system closed stores no
sentence but a code (``closed_as``) and its link, said in the reader's language (``FollowUp.closing_text``)."""

import pytest
from django.utils import timezone, translation

from shuangsuiji.audit.models import Event
from shuangsuiji.fieldwork import services
from shuangsuiji.fieldwork.models import ClosedAs, DecidedAs, FollowUp, Handling

from .conftest import rechecked, sign_all, submitted

pytestmark = pytest.mark.django_db


def test_a_recheck_done_in_english_stores_its_content_and_closing_note_in_chinese(source, recheck, users):
    inspector = users["inspector"]
    with translation.override("en"):
        recheck_record = rechecked(recheck, inspector)
    assert recheck_record.items.get().content.startswith("复查整改情况：布袋除尘器破损，未及时更换（整改期限 ")
    follow_up = FollowUp.objects.get(record=source)
    assert follow_up.closed_as == ClosedAs.RECTIFIED and follow_up.closing_note == ""
    assert follow_up.closing_text == f"复查确认已整改到位（复查记录{recheck_record.number}）"
    assert Event.objects.get(action="followup.close").reason == follow_up.closing_text
    with translation.override("en"):
        english = follow_up.closing_text
    assert english == f"Re-check confirmed the rectification (re-check record {recheck_record.number})"


def test_a_return_and_amendment_in_english_store_their_decision_and_closing_note_in_chinese(task, users):
    inspector = users["inspector"]
    original = submitted(task, inspector, problem=Handling.TRANSFER)
    with translation.override("en"):
        services.do_review_record(original, passed=False, reason="该问题不属实", acting_user=users["county_admin"])
    request = original.amendment_requests.get()
    assert (request.decided_as, request.decision) == (DecidedAs.REVIEW_RETURN, "")  # the system's words: a code
    assert request.decision_text == "审核退回，更正后重新提交"
    assert Event.objects.get(action="record.review").reason == "该问题不属实"
    amendment = original.amendment
    first = amendment.items.order_by("order").first()
    services.do_save_draft(amendment, acting_user=inspector, values={},
                           items={first.pk: {"outcome": "ok", "notes": "", "handling": "", "transfer_to": ""}})
    sign_all(amendment, inspector)
    with translation.override("en"):
        services.do_submit_record(amendment, acting_user=inspector)
    follow_up = FollowUp.objects.get(record=original)
    assert follow_up.closed_as == ClosedAs.AMENDED and follow_up.closing_note == ""
    assert follow_up.closing_text == f"经更正记录{amendment.number}更正，原认定的问题或处理方式已变更"
    assert Event.objects.get(action="followup.close").reason == follow_up.closing_text
    # the event's object is named as the model names it, in Chinese: "<record> 移交"
    assert Event.objects.get(action="followup.close").object_repr.endswith(" 移交有关部门")


def test_a_penalty_decision_entered_in_english_closes_the_follow_up_in_chinese(task, users, tree):
    record = submitted(task, users["inspector"], problem=Handling.CASE)
    follow_up = FollowUp.objects.get(record=record)
    today = timezone.localdate()
    services.do_register_case(follow_up, case_number="涞环立〔2024〕30号", filed_on=today,
                              acting_user=users["inspector"])
    with translation.override("en"):
        services.do_record_penalty_decision(follow_up, decision_number="涞环罚〔2024〕12号", decided_on=today,
                                            department=tree["departments"]["130623"], violation="",
                                            amount=None, acting_user=users["county_admin"])
    follow_up.refresh_from_db()
    assert follow_up.closed_as == ClosedAs.PENALTY and follow_up.closing_note == ""
    assert follow_up.closing_text == "已作出行政处罚决定（涞环罚〔2024〕12号）"
    assert Event.objects.get(action="penalty.create").reason == "录入行政处罚决定"
