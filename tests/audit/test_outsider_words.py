# ruff: noqa: F811 (fixtures of the objection tests, imported by name, are parameters here)
"""The words of a firm or a citizen in the audit chain: an objection (异议) against a published result is named —
its number and the day it came in — never quoted, on the 审计日志. Its text is read on the objection's own page by
those who handle it (admins and leaders of its scope); the log is read by the security administrators of the scope
and kept for ever. New events store no text; one stored before is shown the same way and left as it is (the chain
verifies)."""

import datetime
import re

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.utils import timezone

from shuangsuiji.accounts.models import User
from shuangsuiji.audit.models import Event
from shuangsuiji.audit.services import record_event, verify_chain
from tests.disclosure.test_objections import GOOD, lodge, result  # noqa: F401
from tests.fieldwork.conftest import items, team  # noqa: F401

pytestmark = pytest.mark.django_db

WORDS = GOOD["content"]
ORGANISATION = "涞水甲厂（委托王某某代为提出）"  # as the firm named itself; the result's firm is 涞水甲厂


def audit_page(user, language: str = "zh-hans") -> tuple[int, str]:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/audit/")
    return response.status_code, response.content.decode()


@pytest.fixture
def objection(result):
    return lodge(result, organisation=ORGANISATION)


@pytest.fixture
def stored_quoting(objection):
    """The event as it was stored before: the firm's name for itself and its words, quoted."""
    with transaction.atomic():
        record_event("disclosure.objection_receive", obj=objection, jurisdiction_id=objection.jurisdiction_id,
                     changes={"number": objection.number, "result": objection.result.public_id,
                              "organisation": objection.organisation, "content": objection.content})
    return objection


def lodged(objection) -> datetime.date:
    """The day the log names the objection by: its stored event's, in Beijing. Today asked when the test asserts
    was the next day for a run crossing midnight between the fixture and the page."""
    event = Event.objects.filter(action="disclosure.objection_receive", object_id=str(objection.pk)).latest("pk")
    return timezone.localdate(event.occurred_at)


def test_a_new_objections_event_stores_its_number_not_its_words(objection):
    event = Event.objects.get(action="disclosure.objection_receive")
    assert event.changes == {"number": objection.number, "result": objection.result.public_id}


@pytest.mark.parametrize("role, status", [("city_admin", 200), ("county_admin", 200), ("superuser", 200),
                                          ("other_county_admin", 200), ("leader", 403), ("department_user", 403),
                                          ("inspector", 403)])
def test_an_objection_stored_quoted_is_named_on_the_audit_page(stored_quoting, users, tree, role, status):
    user = User.objects.create_superuser("root", password="pw-root") if role == "superuser" else users[role]
    code, html = audit_page(user)
    assert code == status
    if status != 200:
        return
    assert WORDS not in html and ORGANISATION not in html
    named = f"异议 {stored_quoting.number}（{lodged(stored_quoting):%Y-%m-%d} 提出）"
    if role == "other_county_admin":  # another county's objection: not in his log at all
        assert stored_quoting.number not in html
        return
    assert html.count(named) == 1  # one line names it for both quoted keys: 提出单位、异议内容
    assert "提出单位、异议内容" in html
    # the object column opens the objection's page, where those who handle it read its words
    assert re.search(rf'<a href="/[^"]*objections/{stored_quoting.pk}/">{stored_quoting.number}</a>', html)
    assert verify_chain() == []  # the stored event is left as it was


def test_in_english_the_objection_is_named_too(stored_quoting, users):
    code, html = audit_page(users["city_admin"], "en")
    assert code == 200 and WORDS not in html
    assert f"Objection {stored_quoting.number} (lodged {lodged(stored_quoting):%Y-%m-%d})" in html
