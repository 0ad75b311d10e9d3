"""An inspector on a phone (390×844) fills the 现场检查记录表, draws the signatures on the screen and submits;
the draft survives a dropped connection. Set FIELDWORK_SHOTS=<dir> to keep screenshots of the pages."""

import io
import os
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.fieldwork import services
from shuangsuiji.fieldwork.models import FollowUp, InspectionRecord
from shuangsuiji.planning.models import MemberRole
from shuangsuiji.registry.models import CheckItem, Inspector, Target
from tests.fieldwork.conftest import code_for, make_task, signature_png

from .conftest import PHONE, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("FIELDWORK_SHOTS")
PARTNER_SIGNATURE = signature_png(7)


def shot(page, name: str, full: bool = True) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=full)


@pytest.fixture
def task(tree, users):
    first = users["inspector"].inspector
    second = Inspector.objects.create(name="李四", certificate_number="13062300002",
                                      certificate_expiry=timezone.localdate() + timedelta(days=900),
                                      jurisdiction=tree["a"], department=tree["departments"]["130623"])
    department = tree["departments"]["130600"]
    items = [
        CheckItem.objects.create(code="HB-001", name="污染防治设施运行情况", legal_basis="《大气污染防治法》第二十条",
                                 content="检查污染防治设施是否正常运行、运行台账是否完整", jurisdiction=tree["city"],
                                 responsible_department=department),
        CheckItem.objects.create(code="HB-002", name="排污许可证执行情况", legal_basis="《排污许可管理条例》第十七条",
                                 content="检查是否按证排污、是否按规定开展自行监测", jurisdiction=tree["city"],
                                 responsible_department=department),
    ]
    target = Target.objects.create(credit_code=code_for("130623", 1), name="涞水县甲化工有限公司",
                                   jurisdiction=tree["a"], address="涞水县经济开发区创业路8号",
                                   legal_representative="赵大勇", contact_name="钱经理", contact_phone="0312-4500001",
                                   longitude="115.713900", latitude="39.393100")
    return make_task(target, items, [(first, MemberRole.OFFICER), (second, MemberRole.OFFICER)])


def local(minutes_ago: int) -> str:
    return timezone.localtime(timezone.now() - timedelta(minutes=minutes_ago)).strftime("%Y-%m-%dT%H:%M")


def draw_signature(page, seed: int) -> None:
    canvas = page.locator("#fw-canvas")
    # The canvas is sized (and cleared) when the modal's fade ends; strokes before that would be lost.
    page.wait_for_selector("#fw-canvas[data-ready]")
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + box["height"] * 0.6)
    page.mouse.down()
    for step in range(1, 14):
        x = box["x"] + 30 + step * (box["width"] - 60) / 13
        y = box["y"] + box["height"] * (0.35 if (step + seed) % 2 else 0.7)
        page.mouse.move(x, y, steps=4)
    page.mouse.up()
    page.click("#fw-sign-ok")
    page.locator("#fw-sign-modal").wait_for(state="hidden")


def photo_file(tmp_path) -> str:
    path = tmp_path / "车间.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), "#5b8c5a").save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def wait_for_record_page(page) -> None:
    """The form is in the page before record.js has run (the script is fetched after the markup): an edit made
    in between would reach no listener and never be kept on the phone. The script marks <html> with fw-js in
    the same synchronous run that attaches its listeners, so once the class is there they are all attached."""
    page.wait_for_selector("#record-form")
    page.wait_for_selector("html.fw-js", state="attached")


def wait_until_sent(page) -> None:
    page.wait_for_function("() => !JSON.parse(localStorage.getItem(document.getElementById('record-form')"
                           ".dataset.key)).dirty")


def kept_on_the_phone_only(page, record, findings: str) -> None:
    stored = page.evaluate("JSON.parse(localStorage.getItem(document.getElementById('record-form').dataset.key))")
    assert stored["dirty"] and ["findings", findings] in stored["fields"]
    record.refresh_from_db()
    assert record.findings == ""


def reaches_the_server(page, record, findings: str) -> None:
    """Once the phone is back (online, signed in), what it kept — the findings and the photo — is sent."""
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_until_sent(page)
    page.wait_for_selector("#fw-attachments img")
    record.refresh_from_db()
    assert record.findings == findings
    assert record.attachments.get().original_name == "车间.jpg"


def confirm_seal(page) -> None:
    """提交并封存 asks once more before the record is sealed for good: the inspector confirms."""
    page.locator("#fw-seal-modal").wait_for(state="visible")
    page.click("#fw-seal-confirm")


def start_record(page, task, live_server) -> tuple:
    """The inspector opens his task on the phone and starts its record: (the record page, the record)."""
    page.goto(f"{live_server.url}/fieldwork/tasks/{task.pk}/")
    page.click("button:has-text('开始检查')")
    wait_for_record_page(page)
    return page, InspectionRecord.objects.get(task=task)


def test_an_inspector_fills_signs_and_submits_on_a_phone(open_page, users, task, live_server, tmp_path):
    page = open_page(users["inspector"], "pw-inspector", PHONE)
    page.goto(f"{live_server.url}/fieldwork/tasks/")
    shot(page, "phone-1-my-tasks")
    # Every tab of the section's navigation is on the screen (the fifth, 审批, was off its right edge).
    tabs = page.eval_on_selector_all(".fw-subnav .nav-link", "links => links.map(a => a.getBoundingClientRect().right)")
    assert len(tabs) == 5 and max(tabs) <= PHONE["width"], tabs
    page.click("text=涞水县甲化工有限公司")
    # expect() waits for the task page: content() read just after the click can catch the new document
    # before it is parsed (an empty string, seen in CI).
    expect(page.locator('a[href^="geo:39.393100,115.713900"]')).to_have_count(1)
    shot(page, "phone-2-task-brief")
    page.click("button:has-text('开始检查')")
    wait_for_record_page(page)
    record = InspectionRecord.objects.get(task=task)
    assert_accessible(page, "the record form on a phone")

    page.fill("#id_started_at", local(90))
    page.fill("#id_ended_at", local(10))
    page.fill("#id_place", "一号生产车间及废气治理设施")
    items = list(record.items.order_by("order"))
    page.click(f"label[for='id_item-{items[0].pk}-outcome_1']")  # 发现问题
    page.fill(f"#id_item-{items[0].pk}-notes", "布袋除尘器两处破损，未及时更换")
    page.select_option(f"#id_item-{items[0].pk}-handling", "order")
    page.fill(f"#id_item-{items[0].pk}-deadline", (timezone.localdate() + timedelta(days=15)).isoformat())
    page.click(f"label[for='id_item-{items[1].pk}-outcome_0']")  # 未发现问题
    page.fill("#id_findings", "企业正常生产。检查了生产车间、废气治理设施和台账。")
    page.fill("#id_site_manager_name", "钱经理")
    page.fill("#id_site_manager_position", "环保负责人")
    page.set_input_files("#fw-file", photo_file(tmp_path))
    page.wait_for_selector("#fw-attachments img")
    wait_until_sent(page)
    shot(page, "phone-3-record-form")
    # 李四 signs on his own phone (each inspector signs only as himself: this phone has no button for him) …
    record.refresh_from_db()
    lisi = task.members.get(slot=2).inspector
    partner = User.objects.create_user(username="lisi", password="x", role=Role.INSPECTOR,
                                       jurisdiction=record.target.jurisdiction, inspector=lisi)
    services.do_sign(record, acting_user=partner, png=PARTNER_SIGNATURE, revision=record.revision,
                     inspector=partner.inspector)
    # … and the rest is signed on the page as the team reopens it (and, after a full-page screenshot, on a page
    # whose layout is not left stretched by it).
    page.reload()
    wait_for_record_page(page)

    for n, button in enumerate(page.locator(".fw-sign-button").all()):
        signer = button.get_attribute("data-signer")
        button.click()
        if n == 0:  # nothing drawn yet: the page refuses an empty signature
            page.locator("#fw-canvas").wait_for(state="visible")
            page.click("#fw-sign-ok")
            expect(page.locator("#fw-sign-error")).to_have_text("请在框内手写签名")
        draw_signature(page, n)
        page.wait_for_selector(f".fw-signer[data-signer='{signer}'][data-state='ok']")
    shot(page, "phone-4-signed")
    assert record.signatures.count() == 3

    page.click("#fw-submit")
    confirm_seal(page)
    page.wait_for_url(f"{live_server.url}/fieldwork/records/{record.pk}/")
    record.refresh_from_db()
    assert record.is_sealed
    assert record.seal_hash in page.content()
    assert [s.name for s in record.signatures.order_by("signed_at")] == ["李四", "张三", "钱经理"]
    assert record.attachments.get().original_name == "车间.jpg"
    follow_up = FollowUp.objects.get(record=record)
    assert follow_up.recheck is not None
    shot(page, "phone-5-record-detail")
    # the item without a problem shows no "问题记录与处理：" with nothing after it
    bare = page.eval_on_selector_all(".table-responsive-stack td[data-label]",
                                     "cells => cells.filter(c => !c.textContent.trim() && c.offsetHeight > 0).length")
    assert bare == 0

    # The county's staff review it at a desk: every field they fill is named by a label they can still read
    # while typing, not by a placeholder that disappears.
    desk = open_page(users["county_admin"], "pw-county_admin")
    desk.goto(f"{live_server.url}/fieldwork/records/{record.pk}/")
    assert_accessible(desk, "the sealed record, as its reviewer sees it")
    desk.click("label:has-text('通过')")
    desk.get_by_label("审核意见").fill("记录完整，同意公开")
    desk.click("button:has-text('保存审核结果')")
    desk.wait_for_selector("text=审核通过，记录可以公开")
    record.refresh_from_db()
    assert (record.review.decision, record.review.reason) == ("passed", "记录完整，同意公开")


def test_the_draft_survives_a_dropped_connection(open_page, users, task, live_server, tmp_path):
    page, record = start_record(open_page(users["inspector"], "pw-inspector", PHONE), task, live_server)
    page.context.set_offline(True)
    page.evaluate("window.dispatchEvent(new Event('offline'))")
    page.fill("#id_findings", "断网时填写的检查情况")
    page.wait_for_selector("#fw-net:has-text('离线')")
    page.set_input_files("#fw-file", photo_file(tmp_path))  # a photo taken in the dead zone waits on the phone
    page.wait_for_selector("#fw-upload-state:has-text('1 张照片待联网后上传')")
    shot(page, "phone-6-offline", full=False)
    kept_on_the_phone_only(page, record, "断网时填写的检查情况")
    page.context.set_offline(False)
    reaches_the_server(page, record, "断网时填写的检查情况")
    # The draft typed offline is still there after the tab is closed and opened again.
    page.goto(f"{live_server.url}/fieldwork/records/{record.pk}/edit/")
    expect(page.locator("#id_findings")).to_have_value("断网时填写的检查情况")


def test_a_phone_with_unsynced_edits_restores_them(open_page, users, task, live_server):
    page, record = start_record(open_page(users["inspector"], "pw-inspector", PHONE), task, live_server)
    page.context.set_offline(True)
    page.evaluate("window.dispatchEvent(new Event('offline'))")
    page.fill("#id_place", "二号车间")
    # The draft cannot reach the server (a dead zone in the plant); the record is opened again in a new tab,
    # which brings the edit back from the phone and sends it once the server answers.
    page.context.route("**/draft/", lambda route: route.abort())
    page.context.set_offline(False)
    fresh = page.context.new_page()
    fresh.goto(f"{live_server.url}/fieldwork/records/{record.pk}/edit/")
    # Put back by record.js from the phone's storage: expect() waits for the script rather than reading at once.
    expect(fresh.locator("#id_place")).to_have_value("二号车间")
    expect(fresh.locator("#fw-banner")).to_contain_text("已恢复本机尚未同步的修改")
    page.context.unroute("**/draft/")
    fresh.evaluate("window.dispatchEvent(new Event('online'))")
    wait_until_sent(fresh)
    record.refresh_from_db()
    assert record.place == "二号车间"


def test_what_is_typed_before_the_script_arrives_is_kept_and_sent(open_page, users, task, live_server):
    """On a slow connection the form shows before record.js has run; a place typed then must still be kept on
    the phone and reach the server — and a page loaded untouched must not count as edited."""
    page, record = start_record(open_page(users["inspector"], "pw-inspector", PHONE), task, live_server)
    key = "JSON.parse(localStorage.getItem(document.getElementById('record-form').dataset.key))"
    assert page.evaluate(f"{key}.dirty") is False  # an untouched page is not an edit
    revision = record.revision

    def slow_script(route) -> None:
        # The script arrives after the page, as on a weak signal in a plant: it runs when the test lets it, once
        # the place is typed. (It used to run 1.5 s after it arrived, which a loaded machine could take to
        # reload the page and reach the field: the script had then run before the typing it is about.)
        body = route.fetch().text()
        route.fulfill(body=f"window.arriveRecordJs = function () {{ {body} }};", content_type="text/javascript")

    page.route("**/record.js", slow_script)
    page.evaluate("localStorage.removeItem(document.getElementById('record-form').dataset.key)")
    page.reload()
    page.wait_for_selector("#record-form")
    assert page.evaluate("document.documentElement.classList.contains('fw-js')") is False
    page.fill("#id_place", "三号车间")
    page.wait_for_function("() => typeof window.arriveRecordJs === 'function'")
    assert page.evaluate("document.documentElement.classList.contains('fw-js')") is False  # typed before it ran
    page.evaluate("setTimeout(window.arriveRecordJs, 0)")
    page.wait_for_selector("html.fw-js", state="attached")
    page.wait_for_function(f"() => {key}.dirty === false && {key}.fields.some(([n, v]) => v === '三号车间')")
    record.refresh_from_db()
    assert record.place == "三号车间" and record.revision > revision


def test_a_session_that_ended_on_site_keeps_the_draft_and_photo_and_asks_to_sign_in(
        open_page, users, task, live_server, tmp_path):
    """Sessions end after a short idle time (settings.SESSION_COOKIE_AGE). Before the 401 answer, the autosave
    followed the redirect to the login page, took its 200 for a save and marked the draft as sent."""
    page, record = start_record(open_page(users["inspector"], "pw-inspector", PHONE), task, live_server)
    page.context.clear_cookies(name="sessionid")  # the session ended while the inspector looked at the plant
    page.fill("#id_findings", "会话过期后填写的检查情况")
    page.wait_for_selector("#fw-banner:has-text('登录已过期')")
    page.set_input_files("#fw-file", photo_file(tmp_path))
    page.wait_for_selector("#fw-upload-state:has-text('1 张照片待联网后上传')")
    shot(page, "phone-7-session-ended", full=False)
    kept_on_the_phone_only(page, record, "会话过期后填写的检查情况")
    page.click("#fw-banner button:has-text('重新登录')")
    page.wait_for_url("**/login/?next=*")
    page.fill("#id_username", "inspector")
    page.fill("#id_password", "pw-inspector")
    page.click("form button.btn-success")
    page.wait_for_url(f"{live_server.url}/fieldwork/records/{record.pk}/edit/")
    wait_for_record_page(page)
    reaches_the_server(page, record, "会话过期后填写的检查情况")


def test_a_record_the_server_refuses_stays_on_the_phone_until_corrected(open_page, users, task, live_server):
    """A phone number the server refuses made the draft's autosave fail; pressing 保存草稿 then marked the
    phone's copy clean and posted the form, whose refusal the next page load took as saved: leaving and coming
    back showed an empty record. Now the refused edit stays the phone's own until the server takes it."""
    page, record = start_record(open_page(users["inspector"], "pw-inspector", PHONE), task, live_server)
    page.fill("#id_findings", "检查了生产车间和废气治理设施")
    page.fill("#id_site_manager_name", "王五")
    page.fill("#id_site_manager_phone", "1504168561 7#")
    page.click("button[name=action][value=save]")
    page.wait_for_selector("#fw-errors")
    # The refusal is a new page (the form was posted): read through expect(), which waits for the rest of it.
    errors = page.locator("#fw-errors")
    expect(errors).to_contain_text("草稿未保存")
    expect(errors).to_contain_text("电话：电话号码只能由")
    expect(page.locator("#id_findings")).to_have_value("检查了生产车间和废气治理设施")
    shot(page, "phone-7-draft-refused", full=False)
    record.refresh_from_db()
    assert record.findings == ""  # nothing stored: the phone holds it
    key = "JSON.parse(localStorage.getItem(document.getElementById('record-form').dataset.key))"
    page.wait_for_function(f"() => {key}.dirty === true")
    # He leaves for his task list and comes back: everything he typed is there, marked as not yet sent.
    page.goto(f"{live_server.url}/fieldwork/tasks/")
    page.goto(f"{live_server.url}/fieldwork/records/{record.pk}/edit/")
    wait_for_record_page(page)
    expect(page.locator("#id_findings")).to_have_value("检查了生产车间和废气治理设施")
    expect(page.locator("#id_site_manager_phone")).to_have_value("1504168561 7#")
    # Restored from the phone and sent again at once: the banner says what the server still refuses.
    page.wait_for_selector("#fw-banner:has-text('有字段未通过检查：电话')")
    # Corrected, it reaches the server.
    page.fill("#id_site_manager_phone", "15041685617")
    wait_until_sent(page)
    record.refresh_from_db()
    assert (record.findings, record.site_manager_phone) == ("检查了生产车间和废气治理设施", "15041685617")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_site_managers_name_and_position_boxes_sit_side_by_side(open_page, users, live_server, task, language):
    """In English the label "Site manager's name *" took two lines on a phone and its box sat below 职务's."""
    from shuangsuiji.fieldwork import services

    record = services.do_start_record(task, acting_user=users["inspector"])
    page = open_page(users["inspector"], "pw-inspector", PHONE)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/fieldwork/records/{record.pk}/edit/")
    wait_for_record_page(page)
    name, position = page.locator("#id_site_manager_name"), page.locator("#id_site_manager_position")
    assert abs(name.bounding_box()["y"] - position.bounding_box()["y"]) < 1
    assert page.locator("label[for=id_site_manager_name]").inner_text().startswith("姓名" if language == "zh-hans"
                                                                                    else "Name")
    shot(page, f"site-manager-{language}", full=False)


def test_a_heic_chosen_on_a_computer_shows_as_converted_at_once(open_page, users, task, live_server, tmp_path):
    """The row the phone's script adds for a HEIC says, as the server's row does, that the JPEG was converted."""
    from tests.fieldwork.heic import HEIC

    page, record = start_record(open_page(users["inspector"], "pw-inspector"), task, live_server)
    path = tmp_path / "IMG_0001.HEIC"
    path.write_bytes(HEIC)
    page.set_input_files("#fw-file", str(path))
    row = page.locator("#fw-attachments li", has_text="IMG_0001.HEIC")
    expect(row.locator(".fw-converted")).to_have_text("由 HEIC 转换为 JPG")
    expect(row.locator("img")).to_have_js_property("naturalWidth", 48)  # the JPEG, upright, shown
    assert record.attachments.get().converted_from == "image/heic"
