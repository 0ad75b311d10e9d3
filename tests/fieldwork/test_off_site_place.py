"""The place of inspection (检查地点) is where the team went. A new draft took the firm's address as its place
even for an off-site check (非现场检查), and sealed it so; the page and PDF only hid it on reading. An off-site
draft now starts with no place; one sent on site by the head's approval gets the firm's address to correct; a
record already stored keeps what it holds."""

import pytest
from django.urls import reverse

from shuangsuiji.audit.models import Event
from shuangsuiji.fieldwork import services
from shuangsuiji.fieldwork.models import InspectionRecord, Mode
from tests.clients import signed_in

from .conftest import fill, ordered_record, recheck_of, sign_all

pytestmark = pytest.mark.django_db

ADDRESS = "涞水县经济开发区创业路8号"


def _positive(task):
    task.target.positive_list = True
    task.target.save()
    return task


def test_an_on_site_draft_takes_the_firms_address_as_its_place(task, users):
    record = services.do_start_record(task, acting_user=users["inspector"])
    assert (record.mode, record.place, record.address) == (Mode.ON_SITE, ADDRESS, ADDRESS)


def test_an_off_site_draft_claims_no_place(task, users):
    record = services.do_start_record(_positive(task), acting_user=users["inspector"])
    record.refresh_from_db()
    assert (record.mode, record.place) == (Mode.OFF_SITE, "")
    assert record.address == ADDRESS  # the firm's address stays where it belongs
    # the form shows the box empty, not required (services.completeness_errors asks no place off site)
    page = signed_in(users["inspector"]).get(reverse("fieldwork:record_edit", args=[record.pk])).content.decode()
    box = page.split('id="id_place"')[0].rsplit("<input", 1)[1] + page.split('id="id_place"')[1].split(">", 1)[0]
    assert ADDRESS not in box and 'aria-required="false"' in box


def test_an_off_site_recheck_draft_claims_no_place(task, users):
    inspector = users["inspector"]
    # a positive-list firm's off-site check ordered it to rectify: its re-check starts off site too
    original = ordered_record(_positive(task), inspector, off_site_means=["online_monitoring"])
    assert original.mode == Mode.OFF_SITE
    record = services.do_start_recheck_record(recheck_of(original), acting_user=inspector)
    assert (record.mode, record.place) == (Mode.OFF_SITE, "")


def test_an_off_site_record_is_sealed_without_a_place(task, users):
    inspector = users["inspector"]
    record = fill(services.do_start_record(_positive(task), acting_user=inspector), inspector,
                  off_site_means=["online_monitoring"])
    sign_all(record, inspector)
    sealed = services.do_submit_record(record, acting_user=inspector)
    assert sealed.place == "" and sealed.place_shown == ""


def test_an_approved_on_site_check_gets_the_firms_address_to_correct(task, users):
    inspector = users["inspector"]
    record = services.do_start_record(_positive(task), acting_user=inspector)
    approval = services.do_request_on_site(record, reason="在线监测数据异常，需现场核实", acting_user=inspector)
    services.do_decide_on_site(approval, approve=True, decision="同意现场核实", acting_user=users["county_admin"])
    record.refresh_from_db()
    assert (record.mode, record.place) == (Mode.ON_SITE, ADDRESS)
    event = Event.objects.get(action="record.on_site_approve", object_id=str(record.pk))
    assert event.changes["place"] == ["", ADDRESS]


def test_an_approval_keeps_a_place_already_typed(task, users):
    inspector = users["inspector"]
    record = services.do_start_record(_positive(task), acting_user=inspector)
    record = services.do_save_draft(record, acting_user=inspector, values={"place": "二号车间"},
                                    base_revision=record.revision)
    approval = services.do_request_on_site(record, reason="在线监测数据异常，需现场核实", acting_user=inspector)
    services.do_decide_on_site(approval, approve=True, decision="同意", acting_user=users["county_admin"])
    record.refresh_from_db()
    assert record.place == "二号车间"
    assert "place" not in Event.objects.get(action="record.on_site_approve", object_id=str(record.pk)).changes


def test_a_stored_record_keeps_its_place(task, users):
    """Nothing stored is rewritten: an off-site record sealed with the old prefill keeps it (only its reading
    hides it, InspectionRecord.place_shown), and opening its draft again does not clear it."""
    inspector = users["inspector"]
    record = services.do_start_record(task, acting_user=inspector)
    # stored off site with the firm's address as its place, as the old prefill left it (a switch made now in a save
    # takes the address out: test_who_sees_and_signs)
    InspectionRecord.objects.filter(pk=record.pk).update(mode=Mode.OFF_SITE)
    record = fill(record, inspector, off_site_means=["video"])
    assert (record.mode, record.place) == (Mode.OFF_SITE, ADDRESS)
    assert services.do_start_record(task, acting_user=inspector).place == ADDRESS
    sign_all(record, inspector)
    assert services.do_submit_record(record, acting_user=inspector).place == ADDRESS
