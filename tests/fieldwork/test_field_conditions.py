"""The phone record under field conditions, server side: a phone whose clock is a day off, a record a team
mate's phone sealed while this phone's submission waited, a post refused because a team mate saved first, a save
whose reply was lost and is sent again."""

import base64
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.fieldwork import services, views
from shuangsuiji.fieldwork.models import InspectionRecord, Signature
from tests.clients import signed_in as client_for

from .conftest import fill, photo, sign_all, signature_png
from .test_views import form_data

pytestmark = pytest.mark.django_db


def test_a_signature_from_a_phone_whose_clock_is_a_day_behind_is_dated_by_the_server(task, users):
    """The phone sends when the signature was drawn and, with it, its own clock at sending; a clock a day
    behind dated the sealed signature a day early (anything within seven days was taken as it came)."""
    user = users["inspector"]
    record = fill(services.do_start_record(task, acting_user=user), user)
    phone_now = timezone.now() - datetime.timedelta(days=1)  # the phone's clock is a day behind
    drawn = phone_now - datetime.timedelta(minutes=5)  # drawn offline five minutes ago, by that clock
    response = client_for(user).post(reverse("fieldwork:record_sign", args=[record.pk]), {
        "signer": f"inspector:{user.inspector_id}", "revision": str(record.revision),
        "png": "data:image/png;base64," + base64.b64encode(signature_png()).decode(),
        "signed_at": drawn.isoformat(), "sent_at": phone_now.isoformat()})
    assert response.status_code == 200, response.content
    signed_at = Signature.objects.get(record=record).signed_at
    expected = timezone.now() - datetime.timedelta(minutes=5)
    assert abs((signed_at - expected).total_seconds()) < 30, signed_at


def test_a_submission_that_finds_the_record_sealed_by_a_team_mate_goes_to_the_sealed_record(
        task, users, team, monkeypatch):
    """Two phones press 提交 at once: the second waits on the row lock, then finds the record sealed. It was
    shown the form again under '草稿未保存，请更正以下内容' with the sealing as the error to correct."""
    user = users["inspector"]
    record = fill(services.do_start_record(task, acting_user=user), user)
    sign_all(record, user)
    stale = InspectionRecord.objects.get(pk=record.pk)  # as the second phone's request read it
    posted = form_data(record, action="submit", confirm="1")
    services.do_submit_record(record, acting_user=team["partner"])  # the first phone's submission
    monkeypatch.setattr(views, "_record", lambda request, pk: stale)
    response = client_for(user).post(reverse("fieldwork:record_edit", args=[record.pk]), posted)
    assert response.status_code == 302 and response.url == record.get_absolute_url()


def test_a_post_refused_for_a_team_mates_newer_draft_keeps_the_posted_revision(task, users, team):
    """The page that says a team mate saved first shows what was posted; it tells the phone the revision that
    was typed on, so the phone keeps it as unsent instead of taking it for saved."""
    user = users["inspector"]
    record = services.do_start_record(task, acting_user=user)
    posted = form_data(record, findings="本机填写", action="save")
    services.do_save_draft(record, acting_user=team["partner"], values={"place": "二号车间"}, base_revision=0)
    response = client_for(user).post(reverse("fieldwork:record_edit", args=[record.pk]), posted)
    assert response.status_code == 409
    assert 'data-conflict-base="0"' in response.content.decode()


def test_a_save_sent_again_after_its_reply_was_lost_is_no_conflict(task, users, team):
    """The server stored the phone's save but the reply never arrived; the phone sends the same save again on
    the revision it still has. It was refused as a team mate's newer draft (409) — the phone's own."""
    user = users["inspector"]
    record = services.do_start_record(task, acting_user=user)
    posted = form_data(record, findings="检查了生产车间", place="一号车间")
    client = client_for(user)
    url = reverse("fieldwork:record_draft", args=[record.pk])
    assert client.post(url, posted).json()["revision"] == 1  # stored; this reply is lost on the way back
    again = client.post(url, posted)
    assert again.status_code == 200, again.content
    assert again.json()["revision"] == 1  # nothing stored twice
    record.refresh_from_db()
    assert (record.revision, record.findings) == (1, "检查了生产车间")
    # 保存草稿 and 提交 post the form on the old revision just the same: saved, not a conflict page
    response = client.post(reverse("fieldwork:record_edit", args=[record.pk]), {**posted, "action": "save"})
    assert response.status_code == 302


def test_a_different_save_on_an_old_revision_is_still_a_conflict(task, users, team):
    """Only a save that holds what is stored passes on an old revision: one that would overwrite a team mate's
    edit is refused as before."""
    user = users["inspector"]
    record = services.do_start_record(task, acting_user=user)
    services.do_save_draft(record, acting_user=team["partner"], values={"place": "二号车间"}, base_revision=0)
    with pytest.raises(services.DraftConflict):
        services.do_save_draft(record, acting_user=user, values={"place": "一号车间"}, base_revision=0)
    assert services.do_save_draft(record, acting_user=user, values={"place": "二号车间"}, base_revision=0).revision == 1
    record.refresh_from_db()
    assert (record.revision, record.place) == (1, "二号车间")


def test_a_photo_from_a_phone_whose_clock_is_a_day_behind_is_dated_by_the_server(task, users):
    """File.lastModified comes from the phone's clock: a day behind, the sealed record had the photo a day early
    (and a clock ahead had it refused as taken in the future). It is corrected as a signature's time is."""
    user = users["inspector"]
    record = services.do_start_record(task, acting_user=user)
    phone_now = timezone.now() - datetime.timedelta(days=1)
    taken = phone_now - datetime.timedelta(minutes=20)  # taken offline twenty minutes ago, by that clock
    response = client_for(user).post(reverse("fieldwork:attachment_add", args=[record.pk]), {
        "file": photo(), "taken_at": str(int(taken.timestamp() * 1000)), "sent_at": phone_now.isoformat()},
        headers={"Accept": "application/json"})
    assert response.status_code == 200, response.content
    taken_at = record.attachments.get().taken_at
    expected = timezone.now() - datetime.timedelta(minutes=20)
    assert abs((taken_at - expected).total_seconds()) < 30, taken_at


def test_the_autosave_tells_the_phone_the_servers_time(task, users):
    user = users["inspector"]
    record = services.do_start_record(task, acting_user=user)
    answer = client_for(user).post(reverse("fieldwork:record_draft", args=[record.pk]), form_data(record)).json()
    assert abs(answer["now"] / 1000 - timezone.now().timestamp()) < 30


def test_a_start_in_the_future_is_refused_naming_the_servers_time(task, users):
    """A start hours ahead mostly comes from a phone whose clock is fast: the refusal says what time it is."""
    user = users["inspector"]
    record = fill(services.do_start_record(task, acting_user=user), user)
    later = timezone.now() + datetime.timedelta(hours=3)
    record = services.do_save_draft(record, acting_user=user, values={"started_at": later, "ended_at": later})
    errors = services.completeness_errors(record)
    now = timezone.localtime().strftime("%m-%d %H:")
    assert errors["started_at"][0].startswith(f"检查开始时间晚于当前时间（北京时间 {now}")
    assert "手机时间不准" in errors["ended_at"][0]
