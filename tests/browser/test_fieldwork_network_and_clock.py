"""The phone record on a factory floor: a save whose reply never arrives, a phone whose clock or time zone is
wrong, a reload with no network. Set FIELDWORK_SHOTS=<dir> to keep screenshots of what the inspector sees."""

import os
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from shuangsuiji.audit.models import Event
from shuangsuiji.fieldwork import services
from shuangsuiji.fieldwork.models import FollowUp, InspectionRecord
from tests.fieldwork.conftest import fill, sign_all

from .conftest import PHONE, assert_accessible
from .test_fieldwork_phone import (  # noqa: F401
    confirm_seal,
    photo_file,
    shot,
    start_record,
    task,
    wait_for_record_page,
    wait_until_sent,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STATE = "JSON.parse(localStorage.getItem(document.getElementById('record-form').dataset.key))"


def drop_replies(page, pattern: str, count: int = 1) -> list[str]:
    """The next ``count`` posts to ``pattern`` reach the server, which stores them, but their replies never
    reach the phone (the connection drops on the way back). Returns the list of dropped posts."""
    dropped: list[str] = []

    def handler(route) -> None:
        if route.request.method != "POST" or len(dropped) >= count:
            route.continue_()
            return
        route.fetch()  # the server has it
        dropped.append(route.request.url)
        route.abort("connectionreset")

    page.route(pattern, handler)
    return dropped


def test_an_autosave_whose_reply_was_lost_is_not_taken_for_a_team_mates_draft(open_page, users, task, live_server):  # noqa: F811
    """The server stored the save; the phone, not knowing, sent it again on the revision it had and was told a
    team mate had saved a newer draft — its own."""
    page, record = start_record(open_page(users["inspector"], "pw-inspector", PHONE), task, live_server)
    dropped = drop_replies(page, "**/draft/")
    page.fill("#id_place", "一号生产车间")
    page.wait_for_function("() => document.getElementById('fw-net').textContent === '离线'")
    assert len(dropped) == 1
    record.refresh_from_db()
    assert record.place == "一号生产车间"  # stored, though the phone never heard
    page.evaluate("window.dispatchEvent(new Event('online'))")  # the signal is back
    wait_until_sent(page)
    expect(page.locator("#fw-banner")).not_to_contain_text("其他成员")
    assert page.evaluate(f"{STATE}.base") == InspectionRecord.objects.get(pk=record.pk).revision


def test_edits_typed_after_a_lost_reply_reach_the_server_without_a_false_conflict(
        open_page, users, task, live_server):  # noqa: F811
    page, record = start_record(open_page(users["inspector"], "pw-inspector", PHONE), task, live_server)
    dropped = drop_replies(page, "**/draft/")
    page.fill("#id_place", "一号生产车间")
    page.wait_for_function("() => document.getElementById('fw-net').textContent === '离线'")
    assert len(dropped) == 1
    page.fill("#id_findings", "信号恢复前又写的检查情况")  # he goes on typing; the autosave tries again
    wait_until_sent(page)
    shot(page, "phone-lost-reply-then-typed", full=False)
    expect(page.locator("#fw-banner")).not_to_contain_text("其他成员")
    record.refresh_from_db()
    assert (record.place, record.findings) == ("一号生产车间", "信号恢复前又写的检查情况")
    assert page.evaluate(f"{STATE}.base") == record.revision


def test_save_pressed_when_the_reply_is_lost_keeps_the_edit_and_saves_when_pressed_again(
        open_page, users, task, live_server):  # noqa: F811
    """保存草稿 first sends the unsent edits. That reply was lost, and the form was posted anyway with the revision
    the phone had: the answer was the 409 page '草稿已被他人…更新' about the phone's own save (and in a real dead
    zone, the browser's error page). Now the page says the edit is kept on the phone, and pressed again it saves."""
    page, record = start_record(open_page(users["inspector"], "pw-inspector", PHONE), task, live_server)
    revision = record.revision
    page.route("**/draft/", lambda route: route.abort())  # no autosave gets through while he types
    page.fill("#id_findings", "检查了生产车间")
    page.wait_for_function("() => document.getElementById('fw-net').textContent === '离线'")
    page.unroute("**/draft/")
    dropped = drop_replies(page, "**/draft/")
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" and r.url.endswith("/edit/") else None)
    page.click("button[name=action][value=save]")
    expect(page.locator("#fw-banner")).to_contain_text("已保存在本机")
    shot(page, "phone-save-reply-lost", full=False)
    assert len(dropped) == 1 and posts == []
    record.refresh_from_db()
    assert record.findings == "检查了生产车间" and record.revision == revision + 1  # stored once
    page.click("button[name=action][value=save]")  # where the signal is
    expect(page.locator(".alert-success")).to_contain_text(f"草稿已保存（版本{revision + 1}）")
    shot(page, "phone-save-pressed-again", full=False)
    assert page.locator("#fw-errors").count() == 0
    record.refresh_from_db()
    assert record.findings == "检查了生产车间" and record.revision == revision + 1



def test_a_photo_whose_upload_reply_was_lost_is_not_stored_twice_nor_taken_for_a_team_mates_draft(
        open_page, users, task, live_server, tmp_path):  # noqa: F811
    """The server stored the photo (a new revision of the draft) but the reply never came: the photo waits in
    the queue to be sent again, and the phone still had the revision before it. The next edit's autosave, sent
    first on that revision, was refused as a team mate's newer draft."""
    page, record = start_record(open_page(users["inspector"], "pw-inspector", PHONE), task, live_server)
    path = photo_file(tmp_path)
    dropped: list[str] = []

    def stored_then_dropped(route) -> None:
        if dropped:
            route.continue_()
            return
        # What the phone posted, stored as the server does (Playwright cannot pass a file's body on), then the
        # connection drops before the reply.
        with open(path, "rb") as photo:
            upload = SimpleUploadedFile("车间.jpg", photo.read(), content_type="image/jpeg")
        services.do_add_attachment(record, upload, acting_user=users["inspector"])
        dropped.append(route.request.url)
        route.abort("connectionreset")

    page.route("**/attachments/", stored_then_dropped)
    page.set_input_files("#fw-file", path)
    expect(page.locator("#fw-upload-state")).to_contain_text("1 张照片待联网后上传")
    assert len(dropped) == 1 and record.attachments.count() == 1  # stored, though the phone never heard
    page.fill("#id_findings", "拍照后填写的检查情况")
    wait_until_sent(page)
    page.wait_for_selector("#fw-attachments img")
    expect(page.locator("#fw-banner")).not_to_contain_text("其他成员")
    expect(page.locator("#fw-upload-state")).to_have_text("")
    record.refresh_from_db()
    assert record.findings == "拍照后填写的检查情况" and record.attachments.count() == 1
    assert page.evaluate(f"{STATE}.base") == record.revision


def test_a_submission_whose_reply_was_lost_is_sealed_once_and_the_phone_finds_it_sealed(
        open_page, users, task, live_server):  # noqa: F811
    """提交 is a form post: the server sealed the record, the connection dropped before its answer, and the
    phone shows the browser's error page. Back on the record (the browser's back button, or again from the task
    list) he finds it sealed; a second 提交 or the browser's re-post seals nothing twice."""
    user = users["inspector"]
    record = sign_all(fill(services.do_start_record(task, acting_user=user), user), user)
    page = open_page(user, "pw-inspector", PHONE)
    page.goto(f"{live_server.url}/fieldwork/records/{record.pk}/edit/")
    wait_for_record_page(page)
    dropped = drop_replies(page, "**/edit/")
    page.click("#fw-submit")
    confirm_seal(page)
    page.wait_for_function("() => location.href.startsWith('chrome-error:')")  # the browser's error page
    assert len(dropped) == 1
    record.refresh_from_db()
    assert record.is_sealed
    # Back (the error page took the form's place in the history: back is the page before it), then the record
    # again from his task list: it is sealed, and the phone goes to the sealed record.
    page.go_back()
    page.goto(f"{live_server.url}/fieldwork/tasks/")
    page.click("text=涞水县甲化工有限公司")
    page.wait_for_url(f"{live_server.url}/fieldwork/tasks/{task.pk}/")
    page.goto(f"{live_server.url}/fieldwork/records/{record.pk}/edit/")
    page.wait_for_url(f"{live_server.url}/fieldwork/records/{record.pk}/")
    expect(page.locator(".alert-info")).to_contain_text("提交封存，不能再修改")  # it went through, and he is told so
    expect(page.locator("body")).to_contain_text(record.seal_hash[:16])
    shot(page, "phone-submit-reply-lost-sealed", full=False)
    seals = Event.objects.filter(action="record.seal", object_id=str(record.pk)).count()
    assert seals == 1 and FollowUp.objects.filter(record=record).count() == 0

def phone_clock(hours: float) -> str:
    """An init script: the phone's clock is ``hours`` off (Date and Date.now, as a phone set by hand)."""
    shift = int(hours * 3600 * 1000)
    return f"""(() => {{ const shift = {shift}; const Real = Date;
      class Shifted extends Real {{
        constructor(...args) {{ if (args.length) super(...args); else super(Real.now() + shift); }}
        static now() {{ return Real.now() + shift; }}
      }}
      globalThis.Date = Shifted; }})();"""


def beijing_now() -> set[str]:
    """What a 现在 button should fill: the server's wall time now (or a minute ago, across a minute's turn)."""
    now = timezone.localtime()
    return {(now - timedelta(minutes=m)).strftime("%Y-%m-%dT%H:%M") for m in (0, 1)}


def test_a_phone_whose_clock_is_three_hours_slow_is_told_and_now_fills_beijing_time(
        open_page, users, task, live_server):  # noqa: F811
    """开始/结束：现在 read the phone's clock: three hours slow, the record got a visit three hours early and
    nothing said so."""
    page = open_page(users["inspector"], "pw-inspector", PHONE)
    page.add_init_script(phone_clock(-3))
    page, record = start_record(page, task, live_server)
    warning = page.locator("#fw-clock")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("手机时间比北京时间慢3小时（手机")
    expect(warning).to_contain_text(f"北京时间 {timezone.localtime().strftime('%m-%d')}")
    assert_accessible(page, "the record form with the clock warning")
    page.click("button[data-now=id_started_at]")
    assert page.input_value("#id_started_at") in beijing_now()
    shot(page, "phone-clock-slow", full=False)
    wait_until_sent(page)
    record.refresh_from_db()
    assert timezone.localtime(record.started_at).strftime("%Y-%m-%dT%H:%M") in beijing_now()


def test_a_phone_set_to_another_time_zone_is_told_and_now_fills_beijing_time(open_page, users, task, live_server):  # noqa: F811
    """A phone set to London time shows eight hours less (its clock is right): the server reads the record's
    times as Beijing's, and the visit was recorded eight hours early."""
    page = open_page(users["inspector"], "pw-inspector", PHONE, timezone_id="Europe/London")
    page, _record = start_record(page, task, live_server)
    expect(page.locator("#fw-clock")).to_contain_text("手机时间比北京时间慢8小时（手机")
    page.click("button[data-now=id_ended_at]")
    assert page.input_value("#id_ended_at") in beijing_now()
    wait_until_sent(page)  # nothing left in flight for the test's end to cut off


def test_a_phone_with_a_right_clock_is_not_warned(open_page, users, task, live_server):  # noqa: F811
    page, _record = start_record(open_page(users["inspector"], "pw-inspector", PHONE), task, live_server)
    page.fill("#id_place", "一号车间")
    wait_until_sent(page)  # the autosave's reply says the server's time too
    expect(page.locator("#fw-clock")).to_be_hidden()


def test_a_photo_from_a_phone_whose_clock_is_fast_is_dated_by_the_server_not_dropped(
        open_page, users, task, live_server, tmp_path):  # noqa: F811
    """The phone's clock is an hour fast, and so is the photo's time (File.lastModified). The server refused it
    as taken in the future, and the phone took the refusal as done with it: the photo was gone from the queue."""
    page = open_page(users["inspector"], "pw-inspector", PHONE)
    page.add_init_script(phone_clock(1))
    page, record = start_record(page, task, live_server)
    path = photo_file(tmp_path)
    taken = timezone.now() + timedelta(hours=1)  # as the phone's camera dated it
    os.utime(path, (taken.timestamp(), taken.timestamp()))
    page.set_input_files("#fw-file", path)
    page.wait_for_selector("#fw-attachments img")
    shot(page, "phone-clock-fast-photo", full=False)
    attachment = record.attachments.get()
    assert abs((attachment.taken_at - timezone.now()).total_seconds()) < 120, attachment.taken_at


def test_a_reload_without_network_is_asked_first_and_the_draft_typed_offline_comes_back(
        open_page, users, task, live_server):  # noqa: F811
    """No service worker keeps the page: reloaded with no network, the phone shows the browser's error page. The
    browser now asks before leaving the page in a dead zone (a pull-down on a phone reloads it); reloaded anyway,
    the draft typed offline is not lost: the page brings it back with the signal."""
    page, record = start_record(open_page(users["inspector"], "pw-inspector", PHONE), task, live_server)
    page.context.set_offline(True)
    # Chromium's error page reloads itself past set_offline: here nothing reaches the server until the signal is back
    page.context.route("**/*", lambda route: route.abort("internetdisconnected"))
    page.evaluate("window.dispatchEvent(new Event('offline'))")
    page.fill("#id_findings", "断网时填写的检查情况")
    with page.expect_event("dialog") as asked:
        page.evaluate("setTimeout(() => location.reload(), 0)")
    assert asked.value.type == "beforeunload"
    asked.value.dismiss()  # he stays
    expect(page.locator("#id_findings")).to_have_value("断网时填写的检查情况")
    shot(page, "phone-offline-stays", full=False)
    page.on("dialog", lambda dialog: dialog.accept())  # he reloads anyway: the browser's error page
    with pytest.raises(PlaywrightError, match="ERR_INTERNET_DISCONNECTED"):
        page.reload()
    record.refresh_from_db()
    assert record.findings == ""
    context = page.context
    page.close()  # he closes the tab (an error page left open reloads itself when the signal is back)
    context.unroute("**/*")
    context.set_offline(False)  # where the signal is, he opens the record again from his task list
    page = context.new_page()
    page.goto(f"{live_server.url}/fieldwork/tasks/")
    page.goto(f"{live_server.url}/fieldwork/records/{record.pk}/edit/")
    # (Chromium may have sent it already from the closed tab, as seen in this test: either way it is there.)
    expect(page.locator("#id_findings")).to_have_value("断网时填写的检查情况")
    wait_until_sent(page)
    record.refresh_from_db()
    assert record.findings == "断网时填写的检查情况"


def test_leaving_the_page_with_a_signal_is_not_asked(open_page, users, task, live_server):  # noqa: F811
    page, _record = start_record(open_page(users["inspector"], "pw-inspector", PHONE), task, live_server)
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.accept()))
    page.fill("#id_findings", "有信号时填写的检查情况")
    wait_until_sent(page)
    page.reload()
    wait_for_record_page(page)
    assert asked == []
