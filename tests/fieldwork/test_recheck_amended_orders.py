"""An amendment (更正) that adds an order to rectify, or moves one to another check item, while the source record's
re-check is open: the order joins that re-check (``services._join_recheck``), whose dates follow the latest deadline
again; no second re-check of the same firm starts. Its draft, if started, gets the order's row; a moved order takes
its old row, with what the officers typed, to the new item. Only without an open re-check does a new one start."""

import datetime

import pytest
from django.utils import timezone

from shuangsuiji.audit.models import Event
from shuangsuiji.fieldwork import services
from shuangsuiji.fieldwork.models import FollowUp, FollowUpStatus, Handling, Outcome, Recheck, RecheckStatus

from .conftest import NO_PROBLEM, amended, fill, recheck_of, rechecked, sign_all

pytestmark = pytest.mark.django_db


def today() -> datetime.date:
    """Asked when used, not at import: a run that imports this module before midnight in Beijing and builds its
    fixtures after it gave the source record and its amendment different deadlines, so a second re-check event."""
    return timezone.localdate()


def order(notes: str = "布袋除尘器破损，未及时更换", days: int = 10) -> dict:
    return {"outcome": Outcome.PROBLEM, "notes": notes, "handling": Handling.ORDER,
            "deadline": today() + datetime.timedelta(days=days)}


def kept(record) -> dict:
    """HB-001's order as ``record`` states it, its deadline as stored. ``order()`` asks today anew: for a run that
    crossed midnight in Beijing after the fixture made the record, that was another deadline, so an amended order
    (a second line in the draft's event) where the test meant it unchanged."""
    item = record.items.get(code="HB-001")
    return {"outcome": Outcome.PROBLEM, "notes": item.notes, "handling": Handling.ORDER, "deadline": item.deadline}


def deadline_of(record, code: str) -> datetime.date:
    """The deadline ``record`` stores for ``code``'s order: what the re-check's dates and its draft's rows follow,
    whatever day it is when the test compares them."""
    return record.items.get(code=code).deadline


def test_an_added_order_joins_the_open_recheck(source, recheck, users):
    amendment = amended(source, users, kept(source), order("未按规定开展自行监测", days=20))
    assert Recheck.objects.filter(target=source.target).count() == 1
    recheck.refresh_from_db()
    assert recheck.status == RecheckStatus.OPEN
    open_orders = recheck.follow_ups.filter(status=FollowUpStatus.OPEN)
    assert sorted(open_orders.values_list("problem__code", flat=True)) == ["HB-001", "HB-002"]
    # the existing rule: the latest deadline, and every order due with the re-check
    assert recheck.not_before == deadline_of(amendment, "HB-002") > deadline_of(amendment, "HB-001")
    assert recheck.due_date == recheck.not_before + datetime.timedelta(days=services.RECHECK_WITHIN_DAYS)
    assert set(open_orders.values_list("due_date", flat=True)) == {recheck.due_date}
    added = recheck.follow_ups.get(problem__code="HB-002")
    opened = Event.objects.get(action="followup.open", object_id=str(added.pk))
    assert opened.changes["due_date"] == [None, recheck.due_date.isoformat()]
    event = Event.objects.get(action="recheck.join", object_id=str(recheck.pk))
    assert event.changes == {"orders": [None, "HB-002"]}
    assert event.reason == f"经更正记录{amendment.number}更正，新增或改列事项的责令改正并入复查任务{recheck.number}"


def test_an_added_order_gets_a_row_in_the_started_draft(source, recheck, users):
    draft = services.do_start_recheck_record(recheck, acting_user=users["inspector"])
    draft = fill(draft, users["inspector"])
    revision = draft.revision
    amended(source, users, kept(source), order("未按规定开展自行监测", days=20))
    draft.refresh_from_db()
    rows = list(draft.items.order_by("order"))
    assert [row.code for row in rows] == ["HB-001", "HB-002"]
    assert rows[0].outcome == Outcome.NO_PROBLEM  # what the officer typed stays
    assert rows[1].outcome == "" and "未按规定开展自行监测" in rows[1].content
    assert draft.revision > revision  # the signatures of the earlier content no longer count
    event = Event.objects.get(action="record.recheck_items", object_id=str(draft.pk))
    assert event.changes == {"items": ["HB-001", "HB-001, HB-002"]}


def test_a_moved_order_stays_on_the_same_recheck(source, recheck, users):
    """HB-001's order was filed under the wrong item: the amendment moves it to HB-002."""
    follow_up = recheck.follow_ups.get()
    amendment = amended(source, users, NO_PROBLEM, order(days=12))
    assert Recheck.objects.filter(target=source.target).count() == 1
    recheck.refresh_from_db()
    assert recheck.status == RecheckStatus.OPEN and recheck.cancelled_by_record is None
    assert not Event.objects.filter(action="recheck.cancel").exists()
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.CLOSED and follow_up.closing_record == amendment
    moved = recheck.follow_ups.get(status=FollowUpStatus.OPEN)
    assert moved.problem.code == "HB-002" and moved.record == amendment
    assert recheck.not_before == deadline_of(amendment, "HB-002")
    assert Event.objects.get(action="recheck.join").changes["moved"] == [None, "HB-001 → HB-002"]


def test_a_moved_order_takes_its_draft_row_with_what_was_typed(source, recheck, users):
    draft = services.do_start_recheck_record(recheck, acting_user=users["inspector"])
    row = draft.items.get()
    services.do_save_draft(draft, acting_user=users["inspector"], values={}, items={row.pk: {
        "outcome": Outcome.PROBLEM, "notes": "除尘器仍未更换", "handling": Handling.CASE}})
    amendment = amended(source, users, NO_PROBLEM, order(days=12))
    draft.refresh_from_db()
    row = draft.items.get()
    assert (row.code, row.outcome, row.notes, row.handling) == ("HB-002", Outcome.PROBLEM, "除尘器仍未更换",
                                                                 Handling.CASE)
    assert row.content == (f"复查整改情况：布袋除尘器破损，未及时更换（整改期限 "
                           f"{deadline_of(amendment, 'HB-002')}）")
    assert Event.objects.get(action="record.recheck_items").changes == {"items": ["HB-001", "HB-002"]}
    # the re-check, sealed, closes the moved order from its new row
    draft = fill(draft, users["inspector"])
    sign_all(draft, users["inspector"])
    services.do_submit_record(draft, acting_user=users["inspector"])
    moved = FollowUp.objects.get(recheck=recheck, problem__code="HB-002")
    assert moved.status == FollowUpStatus.CLOSED and moved.closed_as == "rectified"


def test_without_an_open_recheck_an_added_order_starts_one(source, recheck, users):
    rechecked(recheck, users["inspector"])
    amendment = amended(source, users, kept(source), order("未按规定开展自行监测", days=20))
    recheck.refresh_from_db()
    assert recheck.status == RecheckStatus.DONE
    new = recheck_of(amendment)
    assert list(new.follow_ups.values_list("problem__code", flat=True)) == ["HB-002"]


def test_dropping_every_order_still_cancels(source, recheck, users):
    amended(source, users, NO_PROBLEM, NO_PROBLEM)
    recheck.refresh_from_db()
    assert recheck.status == RecheckStatus.CANCELLED
    assert not Event.objects.filter(action="recheck.join").exists()


def test_a_changed_order_rewrites_the_system_line_of_its_draft_row(source, recheck, users):
    """The amendment gives HB-001's order a new text and deadline: the draft's line follows; what was typed stays."""
    draft = services.do_start_recheck_record(recheck, acting_user=users["inspector"])
    row = draft.items.get()
    services.do_save_draft(draft, acting_user=users["inspector"], values={}, items={row.pk: {
        "outcome": Outcome.PROBLEM, "notes": "除尘器仍未更换", "handling": Handling.CASE}})
    draft.refresh_from_db()
    revision, old_line = draft.revision, draft.items.get().content
    amendment = amended(source, users, order("布袋除尘器破损，需整体更换", days=25), NO_PROBLEM)
    draft.refresh_from_db()
    row = draft.items.get()
    line = f"复查整改情况：布袋除尘器破损，需整体更换（整改期限 {deadline_of(amendment, 'HB-001')}）"
    assert row.content == line
    assert (row.outcome, row.notes, row.handling) == (Outcome.PROBLEM, "除尘器仍未更换", Handling.CASE)
    assert draft.revision > revision
    event = Event.objects.get(action="record.recheck_items", object_id=str(draft.pk))
    assert event.changes == {"content": [old_line, line]}
    assert event.reason == f"经更正记录{amendment.number}更正，复查事项按更正后的责令改正调整"


def test_an_unchanged_order_leaves_the_draft_alone(source, recheck, users):
    draft = services.do_start_recheck_record(recheck, acting_user=users["inspector"])
    revision = draft.revision
    amended(source, users, kept(source), NO_PROBLEM)
    draft.refresh_from_db()
    assert draft.revision == revision
    assert not Event.objects.filter(action="record.recheck_items").exists()


def two_orders(task, users):
    """A sealed record ordering HB-001 (10 days) and HB-002 (20 days) to be rectified: one re-check of both."""
    record = fill(services.do_start_record(task, acting_user=users["inspector"]), users["inspector"],
                  problem=Handling.ORDER)
    services.do_save_draft(record, acting_user=users["inspector"], values={}, items={
        record.items.get(code="HB-002").pk: order("未按规定开展自行监测", days=20)})
    sign_all(record, users["inspector"])
    return services.do_submit_record(record, acting_user=users["inspector"])


def test_a_dropped_order_loses_its_draft_row_and_is_not_sealed(task, users):
    """Two orders re-checked together; the amendment keeps HB-002's and drops HB-001's."""
    source = two_orders(task, users)
    recheck = recheck_of(source)
    draft = services.do_start_recheck_record(recheck, acting_user=users["inspector"])
    rows = {row.code: row for row in draft.items.all()}
    services.do_save_draft(draft, acting_user=users["inspector"], values={}, items={
        rows["HB-001"].pk: {"outcome": Outcome.NO_PROBLEM, "notes": "已更换"}})
    draft.refresh_from_db()
    revision = draft.revision
    amendment = amended(source, users, NO_PROBLEM, order("未按规定开展自行监测", days=20))
    recheck.refresh_from_db()
    assert recheck.status == RecheckStatus.OPEN
    draft.refresh_from_db()
    assert [(row.order, row.code) for row in draft.items.order_by("order")] == [(1, "HB-002")]
    assert draft.revision > revision
    event = Event.objects.get(action="record.recheck_items", object_id=str(draft.pk))
    assert event.changes["items"] == ["HB-001, HB-002", "HB-002"]
    assert event.changes["dropped"] == ["HB-001：未发现问题；已更换", None]
    assert "HB-001" in event.reason and amendment.number in event.reason
    # sealed, the re-check closes only the order still owed
    draft = fill(draft, users["inspector"])
    sign_all(draft, users["inspector"])
    services.do_submit_record(draft, acting_user=users["inspector"])
    assert list(draft.items.values_list("code", flat=True)) == ["HB-002"]
    assert FollowUp.objects.get(recheck=recheck, problem__code="HB-002").closed_as == "rectified"


def test_a_draft_started_after_the_amendment_has_no_row_for_a_dropped_order(task, users):
    source = two_orders(task, users)
    recheck = recheck_of(source)
    amended(source, users, NO_PROBLEM, order("未按规定开展自行监测", days=20))
    draft = services.do_start_recheck_record(recheck, acting_user=users["inspector"])
    assert list(draft.items.values_list("code", flat=True)) == ["HB-002"]
