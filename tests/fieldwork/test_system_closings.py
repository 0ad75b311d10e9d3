"""What the system writes on re-checks and follow-ups is stored as data and said in the reader's language: a
cancelled re-check's reason comes from its amendment, a follow-up the system closed keeps a code (``closed_as``)
and its link. What a person typed is shown as typed. The audit events keep the Chinese they were written with."""

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from shuangsuiji.audit.models import Event
from shuangsuiji.fieldwork import services
from shuangsuiji.fieldwork.models import ClosedAs, FollowUp, FollowUpStatus, Handling
from shuangsuiji.systemtext import system_text
from tests.clients import signed_in

from .conftest import NO_PROBLEM, amended, fill, photo, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def cancelled(source, recheck, users):
    draft = fill(services.do_start_recheck_record(recheck, acting_user=users["inspector"]), users["inspector"])
    with translation.override("en"):  # who acts does not choose the language of what is kept
        amendment = amended(source, users, NO_PROBLEM)
    recheck.refresh_from_db()
    return recheck, amendment, draft


ENGLISH_REASON = "Amendment {} no longer orders rectification; no re-check is needed"
CHINESE_REASON = "经更正记录{}更正，不再责令整改，无需复查"


@pytest.mark.parametrize("role", ["county_admin", "inspector", "leader"])
def test_a_cancelled_recheck_says_why_in_the_readers_language(cancelled, users, role):
    recheck, amendment, _draft = cancelled
    english = signed_in(users[role], "en").get(recheck.get_absolute_url()).content.decode()
    assert ENGLISH_REASON.format(amendment.number) in english and CHINESE_REASON.format(amendment.number) not in english
    chinese = signed_in(users[role], "zh-hans").get(recheck.get_absolute_url()).content.decode()
    assert CHINESE_REASON.format(amendment.number) in chinese


def test_the_cancelled_drafts_notice_and_the_refusals_are_in_the_readers_language(cancelled, users):
    recheck, amendment, draft = cancelled
    page = signed_in(users["inspector"], "en").get(draft.get_absolute_url()).content.decode()
    assert ENGLISH_REASON.format(amendment.number) in page and "经更正记录" not in page
    with translation.override("en"), pytest.raises(PermissionDenied) as refused:
        services.do_save_draft(draft, acting_user=users["inspector"], values={"findings": "又改了"})
    assert ENGLISH_REASON.format(amendment.number) in str(refused.value)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.do_substitute_recheck_officer(recheck, users["inspector"].inspector, users["inspector"].inspector,
                                               reason="病假", acting_user=users["county_admin"])
    assert ENGLISH_REASON.format(amendment.number) in refused.value.messages[0]


def test_the_cancel_events_keep_the_chinese_they_were_written_with(cancelled):
    """Stored as written (the events are hash-chained); the audit page says them in English (``system_text``)."""
    recheck, amendment, draft = cancelled
    for action, pk in (("recheck.cancel", recheck.pk), ("record.recheck_cancelled", draft.pk)):
        reason = Event.objects.get(action=action, object_id=str(pk)).reason
        assert reason == CHINESE_REASON.format(amendment.number)
        with translation.override("en"):
            assert system_text(reason) == ENGLISH_REASON.format(amendment.number)


def test_a_follow_up_closed_by_an_amendment_reads_in_the_readers_language(cancelled, users):
    _recheck, amendment, _draft = cancelled
    follow_up = FollowUp.objects.get(closing_record=amendment)
    assert follow_up.closed_as == ClosedAs.AMENDED and follow_up.closing_note == ""
    english = signed_in(users["county_admin"], "en").get(follow_up.get_absolute_url()).content.decode()
    assert (f"Amendment {amendment.number} changed the problem or its handling" in english
            and "原认定的问题" not in english)
    chinese = signed_in(users["county_admin"], "zh-hans").get(follow_up.get_absolute_url()).content.decode()
    assert f"经更正记录{amendment.number}更正，原认定的问题或处理方式已变更" in chinese


def test_what_a_person_typed_is_shown_as_typed(task, users):
    record = submitted(task, users["inspector"], problem=Handling.RECTIFIED)
    follow_up = FollowUp.objects.get(record=record)
    services.do_close_follow_up(follow_up, note="已更换破损布袋", files=[photo()], acting_user=users["inspector"])
    follow_up.refresh_from_db()
    assert follow_up.closed_as == ClosedAs.TYPED and follow_up.closing_note == "已更换破损布袋"
    with translation.override("en"):
        assert follow_up.closing_text == "已更换破损布袋"
    page = signed_in(users["county_admin"], "en").get(follow_up.get_absolute_url()).content.decode()
    assert "已更换破损布袋" in page


def test_the_migration_turns_the_systems_notes_into_codes_and_back(task, users):
    """``0007``: exactly the system's sentence with its link's number becomes a code; anything else (a person's
    note, even one that looks like the system's with another number) stays; backwards the sentences return."""
    migration = __import__("shuangsuiji.fieldwork.migrations.0007_system_closings_and_recheck_dates",
                           fromlist=["closings_to_codes"])
    first = submitted(task, users["inspector"], problem=Handling.TRANSFER)
    own = FollowUp.objects.get(record=first)
    sentence = f"复查确认已整改到位（复查记录{first.number}）"
    FollowUp.objects.filter(pk=own.pk).update(status=FollowUpStatus.CLOSED, closed_at=timezone.now(),
                                              closing_record=first, closing_note=sentence)
    typed = FollowUp.objects.create(problem=first.items.order_by("order").last(), record=first, target=first.target,
                                    handling=Handling.TRANSFER, due_date=own.due_date, opened_at=timezone.now(),
                                    status=FollowUpStatus.CLOSED, closed_at=timezone.now(), closing_record=first,
                                    closing_note="复查确认已整改到位（复查记录JL-别的记录）")
    migration.closings_to_codes(apps, None)
    own.refresh_from_db()
    typed.refresh_from_db()
    assert (own.closed_as, own.closing_note) == (ClosedAs.RECTIFIED, "")
    assert (typed.closed_as, typed.closing_note) == (ClosedAs.TYPED, "复查确认已整改到位（复查记录JL-别的记录）")
    migration.codes_to_closings(apps, None)
    own.refresh_from_db()
    assert own.closing_note == sentence
