"""An amendment (更正) of the source record that no longer orders rectification cancels the open re-check in the
same transaction (``services._cancel_rechecks``): state 已取消 with the reason and the amendment, an audit event,
its draft kept read-only, and the phone's list told why it left (``live._rechecks``: "cancelled"). A done re-check
keeps its sealed record."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from shuangsuiji.audit.models import Event
from shuangsuiji.fieldwork import services
from shuangsuiji.fieldwork.models import FollowUpStatus, Handling, Outcome, RecheckStatus
from tests.clients import signed_in

from .conftest import NO_PROBLEM, amended, fill, recheck_of, rechecked, sign_all

pytestmark = pytest.mark.django_db

CHANGES = reverse("fieldwork:task_changes")
TRANSFERRED = {"outcome": Outcome.PROBLEM, "notes": "布袋除尘器破损", "handling": Handling.TRANSFER, "deadline": None,
               "transfer_to": "涞水县自然资源和规划局"}


@pytest.mark.parametrize("first_item", [NO_PROBLEM, TRANSFERRED], ids=["no-problem", "handled-otherwise"])
def test_an_amendment_without_the_order_cancels_the_open_recheck(source, recheck, users, first_item):
    amendment = amended(source, users, first_item)
    recheck.refresh_from_db()
    assert recheck.status == RecheckStatus.CANCELLED
    assert recheck.cancelled_by_record == amendment and recheck.cancelled_at == amendment.sealed_at
    assert recheck.cancel_reason == f"经更正记录{amendment.number}更正，不再责令整改，无需复查"
    assert recheck.follow_ups.get().status == FollowUpStatus.CLOSED
    event = Event.objects.get(action="recheck.cancel", object_id=str(recheck.pk))
    assert event.changes["status"] == ["open", "cancelled"] and event.reason == recheck.cancel_reason
    assert event.actor == users["inspector"]


def test_an_amendment_that_keeps_the_order_keeps_the_recheck_open(source, recheck, users):
    amended(source, users, values={"findings": "补充：现场核实。"})
    recheck.refresh_from_db()
    assert recheck.status == RecheckStatus.OPEN and recheck.follow_ups.get().status == FollowUpStatus.OPEN
    assert not Event.objects.filter(action="recheck.cancel").exists()


def test_a_cancelled_recheck_leaves_the_phones_and_its_draft_is_read_only(source, recheck, users, team):
    draft = services.do_start_recheck_record(recheck, acting_user=users["inspector"])
    draft = fill(draft, users["inspector"])
    client = signed_in(users["inspector"])
    before = client.get(CHANGES, {"rechecks": str(recheck.pk)}, HTTP_ACCEPT="application/json").json()
    assert str(recheck.pk) in before["rechecks"]
    amended(source, users, NO_PROBLEM)
    recheck.refresh_from_db()
    for member in (users["inspector"], team["partner"]):
        answer = signed_in(member).get(CHANGES, {"rechecks": str(recheck.pk)}, HTTP_ACCEPT="application/json").json()
        assert answer["rechecks"] == {} and answer["rechecks_gone"] == {str(recheck.pk): "cancelled"}
    # not his: nothing named
    other = signed_in(team["outsider"]).get(CHANGES, {"rechecks": str(recheck.pk)}, HTTP_ACCEPT="application/json")
    assert other.json()["rechecks_gone"] == {}
    # his list no longer shows it
    assert recheck not in signed_in(users["inspector"]).get(reverse("fieldwork:my_tasks")).context["rechecks"]
    message = (f"复查任务{recheck.number}已取消（{recheck.cancel_reason}），"
               "本记录不能再保存、签名或提交；已填写的内容原样保留")
    with pytest.raises(PermissionDenied) as refused:
        services.do_save_draft(draft, acting_user=users["inspector"], values={"findings": "又改了"})
    assert str(refused.value) == message
    with pytest.raises(PermissionDenied):
        services.do_submit_record(draft, acting_user=team["partner"])
    page = client.get(reverse("fieldwork:record_edit", args=[draft.pk]))
    assert page.status_code == 403 and message in page.content.decode()
    draft.refresh_from_db()
    assert draft.findings == "检查了生产车间和治理设施。" and not draft.is_sealed
    assert Event.objects.filter(action="record.recheck_cancelled", object_id=str(draft.pk)).count() == 1
    detail = client.get(draft.get_absolute_url()).content.decode()
    assert 'id="record-recheck-cancelled"' in detail and "继续填写" not in detail


def test_a_cancelled_recheck_cannot_be_started(source, recheck, users):
    amended(source, users, NO_PROBLEM)
    recheck.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        services.do_start_recheck_record(recheck, acting_user=users["inspector"])
    assert refused.value.messages == [f"复查任务{recheck.number}已取消（{recheck.cancel_reason}），不必再去复查"]


@pytest.mark.parametrize("role", ["county_admin", "city_admin", "leader", "inspector"])
def test_every_reader_sees_why_it_was_cancelled(source, recheck, users, role):
    amendment = amended(source, users, NO_PROBLEM)
    page = signed_in(users[role]).get(recheck.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 200 and 'id="recheck-cancelled"' in html and amendment.number in html
    assert "已取消" in html and reverse("fieldwork:recheck_start", args=[recheck.pk]) not in html


def test_a_done_recheck_keeps_its_sealed_record(source, recheck, users):
    rechecked(recheck, users["inspector"])
    amended(source, users, NO_PROBLEM)
    recheck.refresh_from_db()
    assert recheck.status == RecheckStatus.DONE and recheck.cancelled_by_record is None


def test_a_recheck_with_another_order_left_stays_open(task, users):
    """Two orders on one re-check; the amendment removes one: the other is still to be checked."""
    record = services.do_start_record(task, acting_user=users["inspector"])
    record = fill(record, users["inspector"], problem=Handling.ORDER)
    second = record.items.order_by("order")[1]
    services.do_save_draft(record, acting_user=users["inspector"], values={}, items={second.pk: {
        "outcome": Outcome.PROBLEM, "notes": "未按规定开展自行监测", "handling": Handling.ORDER,
        "deadline": record.items.order_by("order").first().deadline}})
    sign_all(record, users["inspector"])
    source = services.do_submit_record(record, acting_user=users["inspector"])
    recheck = recheck_of(source)
    assert recheck.follow_ups.count() == 2
    amended(source, users, NO_PROBLEM)
    recheck.refresh_from_db()
    assert recheck.status == RecheckStatus.OPEN
    assert sorted(recheck.follow_ups.values_list("status", flat=True)) == [FollowUpStatus.CLOSED, FollowUpStatus.OPEN]
