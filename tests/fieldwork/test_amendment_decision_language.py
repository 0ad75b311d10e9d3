"""The decision the system writes on an amendment request when a review's return opens or answers it is data
(``AmendmentRequest.decided_as``), said in the reader's language (``decision_text``); what an approver typed stays as
typed. Migration 0008 converts exactly the system's sentence in existing rows, and back. The audit events keep the
Chinese they were written with and read in English on an English page."""

import pytest
from django.apps import apps
from django.utils import translation

from shuangsuiji.audit.models import Event
from shuangsuiji.fieldwork import services
from shuangsuiji.fieldwork.models import AmendmentRequest, DecidedAs, RequestState
from shuangsuiji.systemtext import system_text
from tests.clients import signed_in

from .conftest import submitted

pytestmark = pytest.mark.django_db

SENTENCE = "审核退回，更正后重新提交"
ENGLISH = "Returned in review; correct and submit again"


def test_a_return_that_answers_the_teams_request_stores_a_code(task, users):
    """The team asked for a correction; the reviewer's return answers the request (approved, by the system)."""
    record = submitted(task, users["inspector"])
    request = services.do_request_amendment(record, reason="检查地点写错了", acting_user=users["inspector"])
    services.do_review_record(record, passed=False, reason="检查地点不具体", acting_user=users["county_admin"])
    request.refresh_from_db()
    assert request.state == RequestState.APPROVED
    assert (request.decided_as, request.decision) == (DecidedAs.REVIEW_RETURN, "")
    with translation.override("en"):
        assert request.decision_text == ENGLISH
    assert request.decision_text == SENTENCE
    english = signed_in(users["county_admin"], "en").get(record.get_absolute_url()).content.decode()
    assert ENGLISH in english and SENTENCE not in english
    assert "检查地点写错了" in english  # the team's words stay as typed
    # the event keeps the Chinese it was written with; the audit display says it in English
    event = Event.objects.get(action="record.amend_approve")
    assert event.reason == SENTENCE
    with translation.override("en"):
        assert system_text(event.reason) == ENGLISH


def test_an_approvers_decision_stays_as_typed(task, users):
    record = submitted(task, users["inspector"])
    request = services.do_request_amendment(record, reason="检查地点写错了", acting_user=users["inspector"])
    services.do_decide_amendment(request, approve=True, decision="同意更正", acting_user=users["county_admin"])
    request.refresh_from_db()
    assert (request.decided_as, request.decision) == (DecidedAs.TYPED, "同意更正")
    with translation.override("en"):
        assert request.decision_text == "同意更正"


def test_the_migration_converts_exactly_the_systems_sentence_and_back(task, users):
    migration = __import__("shuangsuiji.fieldwork.migrations.0008_amendment_decided_as",
                           fromlist=["sentences_to_codes"])
    returned = submitted(task, users["inspector"])
    services.do_review_record(returned, passed=False, reason="检查地点不具体", acting_user=users["county_admin"])
    system = returned.amendment_requests.get()
    # as the rows stood before 0008
    AmendmentRequest.objects.filter(pk=system.pk).update(decided_as="", decision=SENTENCE)
    typed = AmendmentRequest.objects.create(record=returned.amendment, reason="再更正",
                                            requested_at=system.requested_at, state=RequestState.REJECTED,
                                            decision=SENTENCE)
    migration.sentences_to_codes(apps, None)
    system.refresh_from_db()
    typed.refresh_from_db()
    assert (system.decided_as, system.decision) == (DecidedAs.REVIEW_RETURN, "")
    # the same words on a request of a record never returned in review: an approver's, kept
    assert (typed.decided_as, typed.decision) == (DecidedAs.TYPED, SENTENCE)
    migration.codes_to_sentences(apps, None)
    system.refresh_from_db()
    assert (system.decided_as, system.decision) == (DecidedAs.TYPED, SENTENCE)
