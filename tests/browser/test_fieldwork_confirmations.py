# ruff: noqa: F811 (the ``task`` fixture, imported by name, is a parameter here)
"""On a touch phone, the steps an inspector cannot undo ask first: the trash button of a draft's photo (evidence),
办结 (the problem's handling over for good) and 提交并封存 (the record sealed). A mis-tap followed by
保留/返回核对/返回检查 changes nothing; 确认删除/确认办结/确认提交并封存 does the step. Without JavaScript the server
asks: a confirmation page for the photo, a box 确认办结 or 确认提交并封存 to tick. Set FIELDWORK_SHOTS=<dir> to keep
screenshots."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from shuangsuiji.fieldwork import services
from shuangsuiji.fieldwork.models import Attachment, Handling
from tests.fieldwork.conftest import photo, problem_handled, sign_all  # noqa: F401 (problem_handled: a fixture)
from tests.fieldwork.test_confirmations import SEAL_BOX, SEAL_UNCONFIRMED, ready  # noqa: F401

from .conftest import PHONE, assert_accessible
from .test_fieldwork_phone import photo_file, shot, task, wait_for_record_page  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOUCH = {"has_touch": True, "is_mobile": True}


def posts_to(page, ending: str) -> list[str]:
    """The POSTs the page sends to a URL ending so, as they go."""
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if r.method == "POST" and r.url.endswith(ending) else None)
    return sent


def record_on_phone(open_page, users, live_server, record, **options):
    """The record's form on the inspector's touch phone (``options``: the browser context's, e.g. no JavaScript)."""
    page = open_page(users["inspector"], "pw-inspector", PHONE, **TOUCH, **options)
    page.goto(f"{live_server.url}/fieldwork/records/{record.pk}/edit/")
    return page


@pytest.fixture
def draft_with_photo(task, users):
    record = services.do_start_record(task, acting_user=users["inspector"])
    attachment = services.do_add_attachment(record, photo("车间.jpg"), acting_user=users["inspector"])
    return record, attachment


def test_a_mis_tapped_trash_button_keeps_the_photo_and_a_confirmed_one_deletes_it(
        open_page, users, live_server, draft_with_photo):
    record, attachment = draft_with_photo
    page = record_on_phone(open_page, users, live_server, record)
    wait_for_record_page(page)
    deletes = posts_to(page, f"/attachments/{attachment.pk}/delete/")
    trash = page.get_by_role("button", name="删除“车间.jpg”")
    trash.tap()
    dialog = page.locator("#fw-detach-modal")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("“车间.jpg”将从本记录中删除，不能恢复")
    assert_accessible(page, "the photo's 确认删除？ dialog")
    shot(page, "confirm-photo-dialog", full=False)
    dialog.get_by_role("button", name="保留").tap()
    expect(dialog).to_be_hidden()
    page.wait_for_timeout(300)
    assert deletes == [] and Attachment.objects.filter(pk=attachment.pk).exists()
    expect(page.locator("#fw-attachments li[data-sha256]")).to_have_count(1)

    # Closed by its ×, the same: nothing sent.
    trash.tap()
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="关闭").tap()
    expect(dialog).to_be_hidden()
    page.wait_for_timeout(300)
    assert deletes == [] and Attachment.objects.filter(pk=attachment.pk).exists()

    trash.tap()
    expect(dialog).to_be_visible()
    with page.expect_navigation():
        dialog.get_by_role("button", name="确认删除").tap()
    wait_for_record_page(page)
    assert len(deletes) == 1 and not Attachment.objects.filter(pk=attachment.pk).exists()
    # Said where the phone is (the page comes back at its photos), not at the top of the page out of sight.
    told = page.get_by_role("alert").filter(has_text="已删除“车间.jpg”")
    expect(told).to_be_visible()
    expect(told).to_be_in_viewport()
    expect(page.locator("#attachments .alert-success")).to_have_text("已删除“车间.jpg”")
    expect(page.locator("#fw-attachments li[data-sha256]")).to_have_count(0)
    expect(page.locator("#fw-banner")).to_be_hidden()  # no conflict with the phone's own draft
    shot(page, "confirm-photo-deleted", full=False)


def test_without_javascript_the_server_asks_before_deleting_a_photo(open_page, users, live_server, draft_with_photo):
    record, attachment = draft_with_photo
    page = record_on_phone(open_page, users, live_server, record, java_script_enabled=False)
    with page.expect_navigation():
        page.get_by_role("button", name="删除“车间.jpg”").tap()
    expect(page.get_by_role("heading", name="确认删除？")).to_be_visible()
    expect(page.locator("#fw-detach-text")).to_contain_text("“车间.jpg”将从本记录中删除，不能恢复")
    assert Attachment.objects.filter(pk=attachment.pk).exists()
    shot(page, "confirm-photo-nojs", full=False)
    page.get_by_role("link", name="保留").tap()
    page.wait_for_url(f"**/fieldwork/records/{record.pk}/edit/#attachments")
    assert Attachment.objects.filter(pk=attachment.pk).exists()

    with page.expect_navigation():
        page.get_by_role("button", name="删除“车间.jpg”").tap()
    page.get_by_role("button", name="确认删除").tap()
    page.wait_for_url(f"**/fieldwork/records/{record.pk}/edit/#attachments")
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
    expect(page.locator("#attachments .alert-success")).to_have_text("已删除“车间.jpg”")
    expect(page.get_by_role("alert").filter(has_text="已删除“车间.jpg”")).to_be_in_viewport()


def test_a_photo_just_uploaded_can_be_deleted_at_once_and_asks_first(open_page, users, live_server, task,
                                                                    tmp_path):
    """The row the page adds for a photo it has just uploaded carries the trash button the server's rows have,
    asking 确认删除？ the same way (it had none until the page was loaded again)."""
    record = services.do_start_record(task, acting_user=users["inspector"])
    page = record_on_phone(open_page, users, live_server, record)
    wait_for_record_page(page)
    page.set_input_files("#fw-file", photo_file(tmp_path))
    expect(page.locator("#fw-attachments li[data-sha256]")).to_have_count(1)
    attachment = Attachment.objects.get(record=record)
    deletes = posts_to(page, f"/attachments/{attachment.pk}/delete/")
    trash = page.get_by_role("button", name="删除“车间.jpg”")
    expect(trash).to_be_visible()
    trash.scroll_into_view_if_needed()
    shot(page, "photo-just-uploaded", full=False)
    trash.tap()
    dialog = page.locator("#fw-detach-modal")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("“车间.jpg”将从本记录中删除，不能恢复")
    assert_accessible(page, "the 确认删除？ dialog of a photo just uploaded")
    dialog.get_by_role("button", name="保留").tap()
    expect(dialog).to_be_hidden()
    page.wait_for_timeout(300)
    assert deletes == [] and Attachment.objects.filter(pk=attachment.pk).exists()

    trash.tap()
    with page.expect_navigation():
        dialog.get_by_role("button", name="确认删除").tap()
    wait_for_record_page(page)
    assert len(deletes) == 1 and not Attachment.objects.filter(pk=attachment.pk).exists()
    expect(page.locator("#attachments .alert-success")).to_have_text("已删除“车间.jpg”")
    expect(page.locator("#fw-attachments li[data-sha256]")).to_have_count(0)


@pytest.fixture
def problem(problem_handled):
    """A problem put right on the spot (立行立改): the team closes it with a photo of the repair."""
    return problem_handled(Handling.RECTIFIED)


def fill_closing(page, tmp_path) -> None:
    page.locator("#id_note").fill("现场已更换破损布袋，整改后照片附后")
    page.set_input_files("#id_files", photo_file(tmp_path))


def test_a_mis_tapped_close_keeps_the_problem_open_and_a_confirmed_one_closes_it(
        open_page, users, live_server, problem, tmp_path):
    page = open_page(users["inspector"], "pw-inspector", PHONE, **TOUCH)
    page.goto(f"{live_server.url}{problem.get_absolute_url()}")
    closes = posts_to(page, f"/follow-ups/{problem.pk}/close/")
    # The box for a phone without JavaScript is not shown: the dialog asks instead.
    expect(page.get_by_label("确认办结：已核对办结情况和佐证材料，办结后不能撤销")).to_be_hidden()
    fill_closing(page, tmp_path)
    page.locator("#close-submit").tap()
    dialog = page.locator("#fw-close-modal")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("办结后问题即结束处置，不能撤销")
    assert_accessible(page, "the 确认办结？ dialog")
    shot(page, "confirm-close-dialog", full=False)
    dialog.get_by_role("button", name="返回核对").tap()
    expect(dialog).to_be_hidden()
    page.wait_for_timeout(300)
    problem.refresh_from_db()
    assert closes == [] and problem.is_open and problem.evidence.count() == 0
    assert page.locator("#id_note").input_value() == "现场已更换破损布袋，整改后照片附后"  # still there

    page.locator("#close-submit").tap()
    expect(dialog).to_be_visible()
    with page.expect_navigation():
        dialog.get_by_role("button", name="确认办结").tap()
    expect(page.get_by_role("alert").filter(has_text="问题已办结")).to_be_visible()
    problem.refresh_from_db()
    assert len(closes) == 1 and not problem.is_open and problem.evidence.count() == 1
    shot(page, "confirm-close-done", full=False)


def test_without_javascript_closing_needs_its_box_ticked(open_page, users, live_server, problem, tmp_path):
    page = open_page(users["inspector"], "pw-inspector", PHONE, java_script_enabled=False, **TOUCH)
    page.goto(f"{live_server.url}{problem.get_absolute_url()}")
    box = page.get_by_label("确认办结：已核对办结情况和佐证材料，办结后不能撤销")
    expect(box).to_be_visible()
    fill_closing(page, tmp_path)
    with page.expect_navigation():
        page.locator("#close-submit").tap()  # the box left unticked: a mis-tap
    expect(page.locator(".invalid-feedback")).to_contain_text("办结后不能撤销：请核对后勾选“确认办结”")
    problem.refresh_from_db()
    assert problem.is_open and problem.evidence.count() == 0
    assert page.locator("#id_note").input_value() == "现场已更换破损布袋，整改后照片附后"
    shot(page, "confirm-close-nojs-refused")
    page.set_input_files("#id_files", photo_file(tmp_path))  # a file is chosen again, as the page says
    page.get_by_label("确认办结：已核对办结情况和佐证材料，办结后不能撤销").check()
    with page.expect_navigation():
        page.locator("#close-submit").tap()
    expect(page.get_by_role("alert").filter(has_text="问题已办结")).to_be_visible()
    problem.refresh_from_db()
    assert not problem.is_open and problem.evidence.count() == 1


def test_the_photos_confirmation_page_passes_the_accessibility_checks(open_page, users, live_server,
                                                                      draft_with_photo):
    """The page a phone without JavaScript gets (axe needs a script to run, so it is reached here by sending the
    form past the dialog: submit() fires no submit event)."""
    record, attachment = draft_with_photo
    page = record_on_phone(open_page, users, live_server, record)
    wait_for_record_page(page)
    with page.expect_navigation():
        page.evaluate(f"document.getElementById('detach-{attachment.pk}').submit()")
    expect(page.get_by_role("heading", name="确认删除？")).to_be_visible()
    assert_accessible(page, "the confirmation page of a photo's removal")
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_the_refused_close_passes_the_accessibility_checks(open_page, users, live_server, problem, tmp_path):
    """The 办结 a phone without JavaScript sends with its box unticked, reached past the dialog as above."""
    page = open_page(users["inspector"], "pw-inspector", PHONE, **TOUCH)
    page.goto(f"{live_server.url}{problem.get_absolute_url()}")
    fill_closing(page, tmp_path)
    with page.expect_navigation():
        page.evaluate("document.getElementById('close-form').submit()")
    expect(page.locator(".invalid-feedback")).to_contain_text("办结后不能撤销：请核对后勾选“确认办结”")
    assert_accessible(page, "the 办结 refused for its unticked box")
    problem.refresh_from_db()
    assert problem.is_open


@pytest.fixture
def filed_case(problem_handled, users):
    """A case filed (立案): the county's admin records the decision, which closes the problem."""
    follow_up = problem_handled(Handling.CASE)
    return services.do_register_case(follow_up, case_number="涞环立〔2026〕31号", filed_on=timezone.localdate(),
                                     acting_user=users["county_admin"])


PENALTY_BOX = "确认办结：已核对处罚决定，录入后问题即办结，不能撤销"


def fill_decision(page, tree) -> None:
    page.locator("#id_penalty_decision_number").fill("涞环罚〔2026〕31号")
    page.locator("#id_penalty_decided_on").fill(timezone.localdate().isoformat())
    page.locator("#id_penalty_department").select_option(str(tree["departments"]["130623"].pk))
    page.locator("#id_penalty_amount").fill("20000")


@pytest.mark.parametrize("role", ["county_admin", "department_user"])
def test_a_mis_tapped_penalty_decision_records_nothing_and_a_confirmed_one_closes(
        open_page, users, live_server, filed_case, tree, role):
    """The county's department user, with the penalty right but neither on the team nor an admin, is asked as the
    admin is: his page has the decision's form and dialog and nothing else of the follow-up."""
    page = open_page(users[role], f"pw-{role}", PHONE, **TOUCH)
    page.goto(f"{live_server.url}{filed_case.get_absolute_url()}")
    sent = posts_to(page, f"/follow-ups/{filed_case.pk}/penalty/")
    expect(page.get_by_label(PENALTY_BOX)).to_be_hidden()  # the dialog asks instead
    fill_decision(page, tree)
    page.locator("#penalty-submit").tap()
    dialog = page.locator("#fw-penalty-modal")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("处罚决定录入行政处罚库后，问题即办结，不能撤销")
    assert_accessible(page, "the 录入处罚决定并办结 dialog")
    shot(page, f"confirm-penalty-dialog-{role}", full=False)
    dialog.get_by_role("button", name="返回核对").tap()
    expect(dialog).to_be_hidden()
    page.wait_for_timeout(300)
    filed_case.refresh_from_db()
    assert sent == [] and filed_case.is_open and filed_case.penalty_id is None
    assert page.locator("#id_penalty_decision_number").input_value() == "涞环罚〔2026〕31号"  # still there

    page.locator("#penalty-submit").tap()
    expect(dialog).to_be_visible()
    with page.expect_navigation():
        dialog.get_by_role("button", name="确认办结").tap()
    expect(page.get_by_role("alert").filter(has_text="处罚决定已录入行政处罚库，问题已办结")).to_be_visible()
    filed_case.refresh_from_db()
    assert len(sent) == 1 and not filed_case.is_open and filed_case.penalty.decision_number == "涞环罚〔2026〕31号"


def test_without_javascript_a_penalty_decision_needs_its_box_ticked(open_page, users, live_server, filed_case, tree):
    page = open_page(users["county_admin"], "pw-county_admin", PHONE, java_script_enabled=False, **TOUCH)
    page.goto(f"{live_server.url}{filed_case.get_absolute_url()}")
    expect(page.get_by_label(PENALTY_BOX)).to_be_visible()
    fill_decision(page, tree)
    with page.expect_navigation():
        page.locator("#penalty-submit").tap()  # the box left unticked
    expect(page.locator("#penalty-form .invalid-feedback")).to_contain_text("办结后不能撤销：请核对后勾选“确认办结”")
    filed_case.refresh_from_db()
    assert filed_case.is_open and filed_case.penalty_id is None
    # Back as typed: nothing to fill in again.
    assert page.locator("#id_penalty_decision_number").input_value() == "涞环罚〔2026〕31号"
    assert page.locator("#id_penalty_amount").input_value() == "20000"
    assert page.locator("#id_penalty_department").input_value() == str(tree["departments"]["130623"].pk)
    shot(page, "confirm-penalty-nojs-refused")
    page.get_by_label(PENALTY_BOX).check()
    with page.expect_navigation():
        page.locator("#penalty-submit").tap()
    expect(page.get_by_role("alert").filter(has_text="问题已办结")).to_be_visible()
    filed_case.refresh_from_db()
    assert not filed_case.is_open


# --- 提交并封存: the record sealed for good ---------------------------------------------------------------------

def test_a_mis_tapped_seal_keeps_the_draft_and_a_confirmed_one_seals(open_page, users, live_server, ready):
    page = record_on_phone(open_page, users, live_server, ready)
    wait_for_record_page(page)
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.post_data or "") if r.method == "POST" and r.url.endswith(
        f"/records/{ready.pk}/edit/") else None)
    expect(page.get_by_label(SEAL_BOX)).to_be_hidden()  # the dialog asks instead: not asked twice
    page.locator("#id_findings").fill("补充：危废间标识不全")
    page.locator("#fw-submit").tap()
    dialog = page.locator("#fw-seal-modal")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="返回检查").tap()
    expect(dialog).to_be_hidden()
    page.wait_for_timeout(300)
    ready.refresh_from_db()
    # Nothing sealed; the draft is what was typed, on the phone and (synced before asking) on the server.
    assert posts == [] and not ready.is_sealed
    assert page.locator("#id_findings").input_value() == "补充：危废间标识不全"
    assert ready.findings == "补充：危废间标识不全"
    assert not page.get_by_label(SEAL_BOX).is_checked()

    sign_all(ready, users["inspector"])  # the team signs what it now says
    page.reload()
    wait_for_record_page(page)
    page.locator("#fw-submit").tap()
    expect(dialog).to_be_visible()
    with page.expect_navigation():
        dialog.get_by_role("button", name="确认提交并封存").tap()
    page.wait_for_url(f"**/fieldwork/records/{ready.pk}/")
    ready.refresh_from_db()
    assert ready.is_sealed and ready.findings == "补充：危废间标识不全"
    assert len(posts) == 1 and "confirm=on" in posts[0] and "action=submit" in posts[0]


def test_without_javascript_sealing_needs_its_box_ticked(open_page, users, live_server, ready):
    page = record_on_phone(open_page, users, live_server, ready, java_script_enabled=False)
    box = page.get_by_label(SEAL_BOX)
    expect(box).to_be_visible()
    expect(box).to_be_in_viewport()  # beside the button, in the bar at the bottom of the screen
    page.locator("#id_contact_phone").fill("13800000000")
    with page.expect_navigation():
        page.locator("#fw-submit").tap()  # the box left unticked: a mis-tap
    ready.refresh_from_db()
    assert not ready.is_sealed
    expect(page.locator("#wrap-fw-seal-box .invalid-feedback")).to_have_text(SEAL_UNCONFIRMED)
    expect(page.locator("#wrap-fw-seal-box .invalid-feedback")).to_be_in_viewport()
    expect(page.locator("#fw-errors")).to_contain_text(SEAL_UNCONFIRMED)
    expect(page.locator("#fw-errors")).to_contain_text("签名后记录又有修改")  # said at once with the box
    assert page.locator("#id_contact_phone").input_value() == "13800000000"  # back as typed, and saved
    assert ready.contact_phone == "13800000000"
    expect(box).not_to_be_checked()
    shot(page, "confirm-seal-nojs-refused", full=False)
    shot(page, "confirm-seal-nojs-refused-full")

    sign_all(ready, users["inspector"])  # signed again, on what was saved
    box.check()
    with page.expect_navigation():
        page.locator("#fw-submit").tap()
    page.wait_for_url(f"**/fieldwork/records/{ready.pk}/")
    ready.refresh_from_db()
    assert ready.is_sealed and ready.contact_phone == "13800000000"


def test_the_refused_seal_passes_the_accessibility_checks(open_page, users, live_server, ready):
    """The 提交并封存 a phone without JavaScript sends with its box unticked, reached past the dialog (submit()
    fires no submit event)."""
    page = record_on_phone(open_page, users, live_server, ready)
    wait_for_record_page(page)
    with page.expect_navigation():
        page.evaluate("""() => { const form = document.getElementById('record-form');
            form.append(Object.assign(document.createElement('input'),
                                      {type: 'hidden', name: 'action', value: 'submit'}));
            form.submit(); }""")
    expect(page.locator("#fw-errors")).to_contain_text(SEAL_UNCONFIRMED)
    assert_accessible(page, "提交并封存 refused for its unticked box")
    ready.refresh_from_db()
    assert not ready.is_sealed


# --- a tap while the dialog still fades in ---------------------------------------------------------------------

QUICK_TAP = """(id) => document.getElementById(id).addEventListener("show.bs.modal",
    () => setTimeout(() => document.querySelector(`#${id} [data-confirm-ok], #${id} #fw-seal-confirm`).click(), 20),
    {once: true})"""
"""A tap on the dialog's confirming button 20 ms after it starts to open, while Bootstrap still fades it in."""


def test_a_quick_confirm_of_the_seal_seals_and_is_not_lost(open_page, users, live_server, ready):
    """Bootstrap ignores hide() during the fade-in: the quick 确认提交并封存 was lost, the dialog stayed with a dead
    button, and 返回检查 then sealed the record."""
    sign_all(ready, users["inspector"])
    page = record_on_phone(open_page, users, live_server, ready)
    wait_for_record_page(page)
    page.evaluate(QUICK_TAP, "fw-seal-modal")
    with page.expect_navigation(timeout=10000):
        page.locator("#fw-submit").tap()
    page.wait_for_url(f"**/fieldwork/records/{ready.pk}/")
    ready.refresh_from_db()
    assert ready.is_sealed


QUICK_BACK = """(id) => { const dialog = document.getElementById(id);
    dialog.addEventListener("show.bs.modal", () => setTimeout(
        () => dialog.querySelector(".modal-footer [data-bs-dismiss=modal]").click()), {once: true});
    dialog.addEventListener("shown.bs.modal", () => { window.dialogShown = true; }, {once: true}); }"""
"""A tap on the dialog's way back (返回检查, 保留) as soon as it starts to open, while Bootstrap fades it in; the test
then waits for the dialog to have opened (``window.dialogShown``) before it looks whether it closed."""


def wait_until_the_dialog_opened(page) -> None:
    # polled with evaluate(): wait_for_function evaluates a string, which the pages' policy refuses (no eval)
    for _ in range(200):
        if page.evaluate("() => window.dialogShown === true"):
            return
        page.wait_for_timeout(25)
    raise AssertionError("the dialog did not open")


def test_a_quick_tap_on_the_way_back_from_sealing_closes_the_dialog_and_seals_nothing(open_page, users, live_server,
                                                                                      ready):
    """Bootstrap ignores hide() during the fade-in, the dismissing buttons' too: a quick 返回检查 was lost and the
    dialog stayed open over the record."""
    sign_all(ready, users["inspector"])
    page = record_on_phone(open_page, users, live_server, ready)
    wait_for_record_page(page)
    page.evaluate(QUICK_BACK, "fw-seal-modal")
    page.locator("#fw-submit").tap()
    wait_until_the_dialog_opened(page)
    expect(page.locator("#fw-seal-modal")).to_be_hidden(timeout=3000)
    page.wait_for_timeout(300)
    ready.refresh_from_db()
    assert not ready.is_sealed


def test_a_quick_tap_on_keep_closes_the_dialog_and_keeps_the_photo(open_page, users, live_server, draft_with_photo):
    record, attachment = draft_with_photo
    page = record_on_phone(open_page, users, live_server, record)
    wait_for_record_page(page)
    page.evaluate(QUICK_BACK, "fw-detach-modal")
    page.get_by_role("button", name="删除“车间.jpg”").tap()
    wait_until_the_dialog_opened(page)
    expect(page.locator("#fw-detach-modal")).to_be_hidden(timeout=3000)
    page.wait_for_timeout(300)
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_a_quick_confirm_of_a_photos_deletion_deletes_it(open_page, users, live_server, draft_with_photo):
    record, attachment = draft_with_photo
    page = record_on_phone(open_page, users, live_server, record)
    wait_for_record_page(page)
    page.evaluate(QUICK_TAP, "fw-detach-modal")
    with page.expect_navigation(timeout=10000):
        page.get_by_role("button", name="删除“车间.jpg”").tap()
    expect(page.locator("#fw-detach-modal")).to_be_hidden()
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
