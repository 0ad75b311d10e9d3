"""The field record as an inspector's thumb meets it: a touch phone 390 and 360 px wide. Tap targets of at least
44 px, nothing wider than the screen, a confirmation before the seal that cannot be undone, a list of what to
correct whose links land in sight, a refused photo named beside the upload button."""

import pytest
from playwright.sync_api import expect

from shuangsuiji.fieldwork.models import InspectionRecord
from tests.fieldwork.conftest import fill, sign_all

from .conftest import PHONE, assert_accessible
from .test_fieldwork_phone import (  # noqa: F401
    confirm_seal,
    photo_file,
    shot,
    task,
    wait_for_record_page,
    wait_until_sent,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 360, "height": 740}
TOUCH = {"has_touch": True, "is_mobile": True}

# Every control a finger has to hit, with its size; the hidden inputs behind Bootstrap's toggle buttons
# (.btn-check: their <label> is what is tapped) and the file input behind 拍照或选择文件 are not.
UNDER_44 = """() => [...document.querySelectorAll("main button, main .btn, main input, main select, main textarea")]
    .filter(e => !e.matches(".btn-check, .visually-hidden, [type=hidden], [type=checkbox], [type=radio]"))
    .filter(e => { const r = e.getBoundingClientRect(); return r.width && r.height; })
    .filter(e => !e.closest(".modal"))
    .map(e => [e.id || e.name || e.textContent.trim(), e.getBoundingClientRect()])
    .filter(([, r]) => r.height < 44 || r.width < 44)
    .map(([name, r]) => `${name} ${Math.round(r.width)}×${Math.round(r.height)}`)"""
WIDER_THAN_SCREEN = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def open_record(open_page, users, task, live_server, viewport=PHONE):  # noqa: F811
    page = open_page(users["inspector"], "pw-inspector", viewport, **TOUCH)
    page.goto(f"{live_server.url}/fieldwork/tasks/{task.pk}/")
    page.click("button:has-text('开始检查')")
    wait_for_record_page(page)
    return page, InspectionRecord.objects.get(task=task)


@pytest.mark.parametrize("viewport", [PHONE, NARROW], ids=["390", "360"])
def test_every_control_is_big_enough_for_a_thumb_and_nothing_scrolls_sideways(
        open_page, users, task, live_server, viewport):  # noqa: F811
    """The items' 未发现问题/发现问题/不涉及, 签名, 开始：现在 and the task page's 安排 were Bootstrap's small
    buttons, 31 px high; the record's fields 38 px."""
    page, record = open_record(open_page, users, task, live_server, viewport)
    item = record.items.order_by("order").first()
    page.click(f"label[for='id_item-{item.pk}-outcome_1']")  # 发现问题: the problem's fields show
    page.select_option(f"#id_item-{item.pk}-handling", "order")
    wait_until_sent(page)  # the autosave is answered before the page is left (and the test's database emptied)
    assert page.evaluate(UNDER_44) == []
    assert page.evaluate(WIDER_THAN_SCREEN) == 0
    shot(page, f"touch-record-{viewport['width']}")
    page.goto(f"{live_server.url}/fieldwork/tasks/{task.pk}/")
    assert page.evaluate(UNDER_44) == []
    assert page.evaluate(WIDER_THAN_SCREEN) == 0
    page.wait_for_load_state("networkidle")


def test_a_mouse_keeps_the_compact_desk_layout(open_page, users, task, live_server):  # noqa: F811
    """The larger targets are for a finger only: at a desk (a mouse) the small buttons stay small."""
    page = open_page(users["inspector"], "pw-inspector")
    page.goto(f"{live_server.url}/fieldwork/tasks/{task.pk}/")
    page.click("button:has-text('开始检查')")
    wait_for_record_page(page)
    assert page.eval_on_selector(".fw-sign-button", "b => b.getBoundingClientRect().height") < 40


def test_submit_asks_before_sealing_and_going_back_seals_nothing(
        open_page, users, task, live_server):  # noqa: F811
    """提交并封存 sits next to 保存草稿 at the bottom of the screen, and sealing cannot be undone: one tap sealed."""
    user = users["inspector"]
    page, record = open_record(open_page, users, task, live_server)
    sign_all(fill(record, user), user)
    page.reload()
    wait_for_record_page(page)
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" and r.url.endswith("/edit/") else None)
    page.click("#fw-submit")
    dialog = page.locator("#fw-seal-modal")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("提交后记录即封存，任何人都不能再修改")
    shot(page, "touch-seal-confirm", full=False)
    page.click("#fw-seal-modal button:has-text('返回检查')")
    expect(dialog).to_be_hidden()
    expect(page.locator("#fw-banner")).not_to_contain_text("正在同步")  # the sync before asking is over
    page.wait_for_timeout(300)
    assert posts == []
    record.refresh_from_db()
    assert not record.is_sealed
    # Asked again, and confirmed: sealed.
    page.click("#fw-submit")
    confirm_seal(page)
    page.wait_for_url(f"{live_server.url}/fieldwork/records/{record.pk}/")
    record.refresh_from_db()
    assert record.is_sealed and len(posts) == 1


def test_the_list_of_what_to_correct_lands_below_the_status_box_and_ends_with_the_signatures(
        open_page, users, task, live_server):  # noqa: F811
    """Each line of 提交前请补充或更正以下内容 is a link to its field; the sticky status box covered the field it
    jumped to. The signatures' lines came first and linked nowhere, though signing is the last step."""
    page, _record = open_record(open_page, users, task, live_server)
    page.click("#fw-submit")
    confirm_seal(page)
    page.wait_for_selector("#fw-errors")
    wait_for_record_page(page)
    lines = page.locator("#fw-errors li")
    expect(lines.first).to_contain_text("检查开始时间")
    expect(lines.last).to_contain_text("现场负责人尚未签名")
    signature_links = page.locator("#fw-errors li:has-text('尚未签名') a")
    assert signature_links.count() == 3
    assert {signature_links.nth(n).get_attribute("href") for n in range(3)} == {"#signatures"}
    page.evaluate("document.documentElement.style.scrollBehavior = 'auto'")  # the jump, not Bootstrap's glide
    for link, target in (("#wrap-id_findings", "#id_findings"), ("#signatures", "#signatures .card-header")):
        page.click(f"#fw-errors a[href='{link}'] >> nth=0")
        status = page.locator("#fw-status").bounding_box()
        box = page.locator(target).bounding_box()
        assert box["y"] >= status["y"] + status["height"], (link, status, box)
        assert box["y"] < PHONE["height"] - 80, (link, box)  # on the screen, above the bottom action bar
    shot(page, "touch-error-jump", full=False)


def test_a_refused_photo_is_named_beside_the_upload_button(
        open_page, users, task, live_server, tmp_path):  # noqa: F811
    """Two photos chosen at once, one of them not a picture: the banner said only "文件内容不是图片…" — which one?
    — and the line under the button said 已上传."""
    page, record = open_record(open_page, users, task, live_server)
    fake = tmp_path / "设备.jpg"
    fake.write_bytes(b"not a picture " * 20)
    page.set_input_files("#fw-file", [str(fake), photo_file(tmp_path)])
    page.wait_for_selector("#fw-attachments img")
    error = page.locator("#fw-upload-error")
    expect(error).to_contain_text("不能上传“设备.jpg”：文件内容不是 JPG 文件")
    assert "车间.jpg" not in error.inner_text()
    assert [a.original_name for a in record.attachments.all()] == ["车间.jpg"]
    shot(page, "touch-photo-refused", full=False)
    # The next choice starts afresh: the old refusal does not linger under a photo that went through.
    with page.expect_response("**/attachments/"):
        page.set_input_files("#fw-file", photo_file(tmp_path))
    expect(error).to_have_text("")
    page.wait_for_load_state("networkidle")


def test_a_file_of_a_type_a_record_does_not_hold_is_refused_on_the_phone_naming_it_and_the_types_allowed(
        open_page, users, task, live_server, tmp_path):  # noqa: F811
    """A program, and a web page named as a photo, are refused by the server with the types a record takes; a
    scanned PDF chosen with them goes in. The page says what it takes before anything is chosen."""
    page, record = open_record(open_page, users, task, live_server)
    allowed = "照片（JPG、PNG、WebP、HEIC、AVIF）、文档（PDF）、录音（MP3、M4A、WAV、AMR）、录像（MP4、MOV、3GP）"
    expect(page.locator("#fw-allowed-files")).to_have_text(f"可上传：{allowed}")
    program = tmp_path / "工具.exe"
    program.write_bytes(b"MZ\x90\x00" + b"\x00" * 60)
    web_page = tmp_path / "现场.jpg"
    web_page.write_bytes(b"<html><script>alert(1)</script></html>")
    scan = tmp_path / "笔录.pdf"
    scan.write_bytes(b"%PDF-1.4\n%%EOF\n")
    page.set_input_files("#fw-file", [str(program), str(web_page), str(scan)])
    page.wait_for_selector("#fw-attachments li:has-text('笔录.pdf')")
    error = page.locator("#fw-upload-error")
    expect(error.locator("div")).to_have_text([
        f"不能上传“工具.exe”：不允许此类文件。可上传的类型：{allowed}",
        f"不能上传“现场.jpg”：文件内容不是 JPG 文件（与扩展名不符，可能是改了扩展名的其他文件）。"
        f"可上传的类型：{allowed}"])
    assert [a.original_name for a in record.attachments.all()] == ["笔录.pdf"]
    error.scroll_into_view_if_needed()
    shot(page, "touch-file-type-refused", full=False)


def test_each_items_result_choices_are_a_group_named_by_the_item(open_page, users, task, live_server):  # noqa: F811
    """A screen reader entering an item's 未发现问题/发现问题/不涉及 announced a nameless group: which item's
    result was being chosen was said nowhere near the buttons, whose labels are the same for every item."""
    page, record = open_record(open_page, users, task, live_server)
    items = list(record.items.order_by("order"))
    assert len(items) == 2
    for number, item in enumerate(items, start=1):
        group = page.get_by_role("radiogroup", name=item.name)
        expect(group).to_have_count(1)
        expect(group).to_have_accessible_name(f"{number}. {item.name} {item.code}")
        expect(group.get_by_role("radio")).to_have_count(3)
        expect(group.get_by_role("radio", name="发现问题", exact=True)).to_have_count(1)
    # The other group of the form is named too, by its field's label.
    expect(page.get_by_role("radiogroup", name="检查方式")).to_have_count(1)
    assert_accessible(page, "the record form's named groups")
    page.wait_for_load_state("networkidle")
