"""The audit log is a hash chain: every change leaves an event, and any edit or removal shows."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from shuangsuiji.audit.models import Event
from shuangsuiji.audit.services import history_for, record_event, verify_chain


@pytest.fixture
def events(tree, users):
    department = tree["departments"]["130623"]
    with transaction.atomic():
        for n in range(3):
            record_event("department.update", actor=users["county_admin"], obj=department,
                         jurisdiction_id=tree["a"].pk, changes={"name": [f"股{n}", f"股{n + 1}"]},
                         reason=f"调整{n}")
    return department


def test_chain_of_untouched_events_verifies(events):
    assert Event.objects.count() == 3
    assert verify_chain() == []


def test_each_event_links_to_the_previous_one(events):
    chain = list(Event.objects.order_by("id"))
    assert chain[0].prev_hash == "0" * 64
    assert [e.prev_hash for e in chain[1:]] == [e.hash for e in chain[:-1]]
    assert chain[-1].actor_name == "county_admin"


def test_history_lists_the_objects_events_newest_first(events):
    reasons = [event.reason for event in history_for(events)]
    assert reasons == ["调整2", "调整1", "调整0"]


def test_database_refuses_to_update_an_event(events):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_event SET reason = 'forged'")
    assert verify_chain() == []


def test_deleting_an_event_breaks_the_chain(events):
    Event.objects.filter(pk=Event.objects.order_by("id")[1].pk).delete()
    problems = verify_chain()
    second = Event.objects.order_by("id")[1].pk  # the event after the deleted one
    assert any(p.startswith(f"事件 {second}：所记前一哈希") for p in problems)
    assert any(p.startswith("链头记录 3 个事件") and "实际 2 个" in p for p in problems)


@pytest.mark.django_db(transaction=True)
def test_events_can_only_be_written_inside_a_transaction():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        record_event("department.update")
    assert not Event.objects.exists()


def test_a_mapping_is_stored_as_a_mapping_and_still_chains(users):
    """A step's counts per category stay JSON (not Python's repr of a dict), so history can read them."""
    with transaction.atomic():
        event = record_event("classification.run", actor=users["city_admin"], changes={
            "counts": {"key": 3, "special": 1, "dates": [datetime.date(2021, 4, 1)]}})
    event.refresh_from_db()
    assert event.changes == {"counts": {"key": 3, "special": 1, "dates": ["2021-04-01"]}}
    assert verify_chain() == []


def test_the_command_says_the_chain_is_whole_or_what_breaks_it(events):
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert "已核验 3 个审计事件，哈希链完整" in out.getvalue()
    Event.objects.filter(pk=Event.objects.order_by("-id")[0].pk).delete()  # the newest: only the head can tell
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 处不一致"):
        call_command("verify_audit", stdout=io.StringIO(), stderr=err)
    assert "链头记录 3 个事件" in err.getvalue() and "实际 2 个" in err.getvalue()


def test_events_are_written_in_the_systems_language_whoever_acts(tree, users):
    """An English session's event names its object and says its lazily translated reason and values in the
    system's language, as every reader of the chain reads them."""
    from django.utils import translation
    from django.utils.translation import gettext_lazy

    from shuangsuiji.disclosure.models import Publication, PublicationKind

    batch = Publication(jurisdiction=tree["a"], year=2026, month=3, kind=PublicationKind.RESULTS, sequence=1)
    with translation.override("en"), transaction.atomic():
        event = record_event("disclosure.prepare", actor=users["county_admin"], obj=batch,
                             jurisdiction_id=tree["a"].pk, changes={"kind": [None, PublicationKind.RESULTS.label]},
                             reason=gettext_lazy("后台权限"))
    event.refresh_from_db()
    assert event.object_repr == "涞水县2026年3月抽查结果"
    assert event.changes == {"kind": [None, "月度抽查结果"]}
    assert event.reason == "后台权限"
    assert verify_chain() == []
