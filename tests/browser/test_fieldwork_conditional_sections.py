# ruff: noqa: F811 (the ``task`` fixture, imported by name, is a parameter here)
"""The record form's conditional sections follow what is chosen — with JavaScript and without it (a phone with
scripts off, or record.js that did not arrive): 非现场检查手段 only for an off-site check, an item's problem fields
only for 发现问题 (that item's, not its neighbours'), 整改期限/移交单位/整改情况 only for their handling, the refusal
note only when the site manager refused. A section holding an error stays in sight, so the error the list links to
can be read and corrected. Set FIELDWORK_SHOTS=<dir> to keep screenshots (390×844)."""

import pytest
from playwright.sync_api import expect

from shuangsuiji.fieldwork import services

from .conftest import PHONE
from .test_fieldwork_phone import shot, task, wait_for_record_page, wait_until_sent  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OFF_SITE = "#wrap-id_off_site_means"
SITE_MANAGER = "#site-manager"
MANAGER_SIGNER = ".fw-signer[data-signer='site_manager']"
REFUSAL_NOTE = "#wrap-id_site_manager_refusal_note"


@pytest.fixture
def draft(task, users):
    """A record just started by the demo inspector (张三): on site, no item answered yet."""
    record = services.do_start_record(task, acting_user=users["inspector"])
    return record, [f"item-{item.pk}" for item in record.items.order_by("order")]


@pytest.fixture
def open_record(open_page, users, live_server):
    """open_record(record, script) → the record's form on a phone, with JavaScript or without. A page with it
    autosaves each choice: the test ends once the server has them all (a save still on its way would reach a
    database already emptied for the next test)."""
    scripted = []

    def opened(record, script: bool):
        page = open_page(users["inspector"], "pw-inspector", PHONE, java_script_enabled=script)
        page.goto(f"{live_server.url}/fieldwork/records/{record.pk}/edit/")
        if script:
            wait_for_record_page(page)
            scripted.append(page)
        else:
            page.wait_for_selector("#record-form")
        return page

    yield opened
    for page in scripted:
        wait_until_sent(page)
        page.close()


def choose(page, radio_id: str) -> None:
    """Tap a choice: the radios are drawn as buttons (Bootstrap's btn-check), their labels are what is tapped."""
    page.click(f"label[for='{radio_id}']")


def problem_fields(page, prefix: str) -> dict:
    return {name: page.locator(f"#wrap-id_{prefix}-{name}")
            for name in ("notes", "handling", "deadline", "transfer_to", "rectification")}


def expect_shown(shown: dict, *names: str) -> None:
    for name, locator in shown.items():
        if name in names:
            expect(locator).to_be_visible()
        else:
            expect(locator).to_be_hidden()


@pytest.fixture(params=[False, True], ids=["no-js", "js"])
def script(request) -> bool:
    return request.param


def test_the_off_site_means_and_the_site_manager_follow_the_mode(open_record, draft, script):
    record, _items = draft
    page = open_record(record, script)
    expect(page.locator("#id_mode_0")).to_be_checked()  # 现场检查
    expect(page.locator(OFF_SITE)).to_be_hidden()
    expect(page.locator(SITE_MANAGER)).to_be_visible()
    expect(page.locator(MANAGER_SIGNER)).to_be_visible()
    choose(page, "id_mode_1")  # 非现场检查
    expect(page.locator(OFF_SITE)).to_be_visible()
    expect(page.get_by_text("污染源在线监控")).to_be_visible()
    expect(page.locator(SITE_MANAGER)).to_be_hidden()  # nobody of the unit on site: nobody to sign
    expect(page.locator(MANAGER_SIGNER)).to_be_hidden()
    choose(page, "id_mode_0")
    expect(page.locator(OFF_SITE)).to_be_hidden()
    expect(page.locator(SITE_MANAGER)).to_be_visible()


PLACE_MARK = "#wrap-id_place label .text-danger"
ON_SITE_HINT = "#signatures .card-body[data-show-when-mode='on_site']"
OFF_SITE_HINT = "#signatures .card-body[data-show-when-mode='off_site']"


def test_the_place_is_marked_required_on_site_only(open_record, draft, script):
    """The server asks an off-site check for no place, and no site manager signs it: the place's asterisk (and,
    with the script, what its box says to a screen reader) and the signatures' hint follow 检查方式."""
    record, _items = draft
    page = open_record(record, script)
    expect(page.locator(PLACE_MARK)).to_be_visible()
    expect(page.locator("#id_place")).to_have_attribute("aria-required", "true")
    expect(page.locator(ON_SITE_HINT)).to_be_visible()
    expect(page.locator(OFF_SITE_HINT)).to_be_hidden()
    choose(page, "id_mode_1")  # 非现场检查
    expect(page.locator(PLACE_MARK)).to_be_hidden()
    if script:
        expect(page.locator("#id_place")).to_have_attribute("aria-required", "false")
    expect(page.locator(ON_SITE_HINT)).to_be_hidden()
    expect(page.locator(OFF_SITE_HINT)).to_be_visible()
    expect(page.locator(OFF_SITE_HINT)).to_contain_text("全体检查人员在屏幕上签名")
    choose(page, "id_mode_0")
    expect(page.locator(PLACE_MARK)).to_be_visible()
    expect(page.locator("#id_place")).to_have_attribute("aria-required", "true")
    expect(page.locator(OFF_SITE_HINT)).to_be_hidden()


def test_an_items_problem_fields_follow_its_outcome_and_handling(open_record, draft, script):
    record, (first, second) = draft
    page = open_record(record, script)
    mine, neighbours = problem_fields(page, first), problem_fields(page, second)
    expect_shown(mine)  # no result chosen yet
    choose(page, f"id_{first}-outcome_0")  # 未发现问题
    expect_shown(mine)
    choose(page, f"id_{first}-outcome_1")  # 发现问题
    expect_shown(mine, "notes", "handling")  # the handling is not chosen yet: none of its own fields
    expect_shown(neighbours)  # one item's outcome does not open the next item's problem fields
    handling = page.locator(f"#id_{first}-handling")
    for value, own in (("order", "deadline"), ("transfer", "transfer_to"), ("judiciary", "transfer_to"),
                       ("rectified", "rectification"), ("case", None)):
        handling.select_option(value)
        expect_shown(mine, "notes", "handling", *([own] if own else []))
    handling.select_option("")
    expect_shown(mine, "notes", "handling")
    choose(page, f"id_{first}-outcome_2")  # 不涉及
    expect_shown(mine)
    # The second item's problem, with the first's gone: each item follows its own choice.
    choose(page, f"id_{second}-outcome_1")
    page.locator(f"#id_{second}-handling").select_option("order")
    expect_shown(neighbours, "notes", "handling", "deadline")
    expect_shown(mine)


def test_the_refusal_note_follows_the_refusal_box(open_record, draft, script):
    record, _items = draft
    page = open_record(record, script)
    expect(page.locator(REFUSAL_NOTE)).to_be_hidden()
    expect(page.locator(MANAGER_SIGNER)).to_be_visible()
    page.check("#id_site_manager_refused")
    expect(page.locator(REFUSAL_NOTE)).to_be_visible()
    expect(page.locator(MANAGER_SIGNER)).to_be_hidden()  # he refused: his signature is not asked for
    page.uncheck("#id_site_manager_refused")
    expect(page.locator(REFUSAL_NOTE)).to_be_hidden()
    expect(page.locator(MANAGER_SIGNER)).to_be_visible()


# The red asterisks of the site manager's fields. Refused (现场负责人拒绝签字), the server asks for the refusal note
# instead of his name and the unit's opinion (services.completeness_errors): those two are then no longer marked.
MANAGER_MARKS = ("#wrap-id_site_manager_name label .text-danger", "#wrap-id_site_manager_statement label .text-danger")
REFUSAL_MARK = f"{REFUSAL_NOTE} label .text-danger"


def expect_manager_marks(page, shown: bool) -> None:
    for mark in MANAGER_MARKS:
        if shown:
            expect(page.locator(mark)).to_be_visible()
        else:
            expect(page.locator(mark)).to_be_hidden()


def expect_manager_required(page, required: bool) -> None:
    """What the asterisks show, the boxes say to a screen reader (the asterisks are hidden from it)."""
    for box in ("#id_site_manager_name", "#id_site_manager_statement"):
        expect(page.locator(box)).to_have_attribute("aria-required", "true" if required else "false")


def test_the_site_managers_asterisks_follow_the_refusal_box(open_record, draft, script):
    record, _items = draft
    page = open_record(record, script)
    expect_manager_marks(page, shown=True)
    expect_manager_required(page, True)
    page.check("#id_site_manager_refused")
    expect_manager_marks(page, shown=False)
    if script:  # without it the boxes keep what the server said (the asterisks follow by CSS alone)
        expect_manager_required(page, False)
    expect(page.locator(REFUSAL_MARK)).to_be_visible()  # the refusal note is asked for instead
    page.uncheck("#id_site_manager_refused")
    expect_manager_marks(page, shown=True)
    expect_manager_required(page, True)


def test_a_refused_record_is_shown_without_the_managers_asterisks(open_record, draft, users, script):
    """A record saved with the box ticked and opened again: its page comes from the server without the two marks
    (hidden in the page itself: right even in a browser with neither JavaScript nor CSS :has()); unticked on the
    page, they are back."""
    record, _items = draft
    services.do_save_draft(record, acting_user=users["inspector"],
                           values={"site_manager_refused": True, "site_manager_refusal_note": "拒绝签字，保安王五在场"})
    page = open_record(record, script)
    expect(page.locator("#id_site_manager_refused")).to_be_checked()
    expect_manager_marks(page, shown=False)
    expect(page.locator(REFUSAL_MARK)).to_be_visible()
    expect_manager_required(page, False)
    if not script:
        for mark in MANAGER_MARKS:
            assert page.eval_on_selector(mark, "el => el.hidden") is True, mark
    page.uncheck("#id_site_manager_refused")
    expect_manager_marks(page, shown=True)
    if script:
        expect_manager_required(page, True)


def test_a_section_holding_an_error_stays_in_sight(open_record, draft, script):
    """A deadline the server cannot read (a phone browser without a date picker takes any text) on an item
    handled 立案处罚: the deadline's field is no part of that handling, but the error the list at the top links to
    is in it — it is shown, error and all, not hidden where nobody can correct it."""
    record, (first, _second) = draft
    page = open_record(record, script)
    choose(page, f"id_{first}-outcome_1")
    page.fill(f"#id_{first}-notes", "布袋除尘器破损")
    page.locator(f"#id_{first}-handling").select_option("case")

    # Such a phone shows a text box where the date picker would be: words typed there before 立案处罚 was chosen
    # are posted with the form (the test browser has a date picker: the box is made a text box here).
    page.eval_on_selector(f"#id_{first}-deadline", "el => { el.type = 'text'; el.value = '下周五'; }")
    with page.expect_navigation():
        page.click("button[name=action][value=save]")
    errors = page.locator("#fw-errors")
    expect(errors).to_contain_text("请更正标红的字段")
    deadline = page.locator(f"#wrap-id_{first}-deadline")
    expect(deadline).to_have_class("mb-3 fw-field fw-has-error")
    expect(deadline).to_be_visible()
    expect(deadline.locator(".invalid-feedback")).to_be_visible()
    fields = problem_fields(page, first)
    expect_shown(fields, "notes", "handling", "deadline")  # 移交单位 and 整改情况 stay out of the way
    # Even 未发现问题 chosen now leaves the problem section, and the error in it, in sight until the page is posted
    # again; the fields of other handlings stay out of the way.
    choose(page, f"id_{first}-outcome_0")
    expect_shown(fields, "notes", "handling", "deadline")
    if not script:
        shot(page, "conditional-nojs-error")


def test_the_off_site_means_missing_on_submit_is_said_and_stays_in_sight(open_record, draft, script):
    """The server's completeness errors reach the inspector: 非现场检查 without a means is refused at its field,
    which stays in sight even when he then switches back to 现场检查 (the list still links to it)."""
    record, _items = draft
    page = open_record(record, script)
    choose(page, "id_mode_1")
    with page.expect_navigation():  # without JavaScript, the box 确认提交并封存 unticked: refused for it and the rest
        page.click("#fw-submit")
        if script:
            page.locator("#fw-seal-modal").wait_for(state="visible")
            page.click("#fw-seal-confirm")
    means = page.locator(OFF_SITE)
    expect(page.locator("#fw-errors")).to_contain_text("非现场检查须选择所用手段")
    expect(means).to_be_visible()
    expect(means.locator(".invalid-feedback")).to_have_text("非现场检查须选择所用手段（在线监控、分表计电、视频、无人机等）")
    page.locator("#fw-errors a[href='#wrap-id_off_site_means']").click()
    expect(means).to_be_in_viewport()
    choose(page, "id_mode_0")
    expect(means).to_be_visible()


def test_without_has_support_record_js_still_shows_and_hides(open_page, users, live_server, draft):
    """An older phone browser without CSS :has() (Firefox before 121, Safari before 15.4): record.js does it,
    by the elements' hidden attribute, and leaves a section holding an error in sight as the style sheet does."""
    record, (first, _second) = draft
    page = open_page(users["inspector"], "pw-inspector", PHONE)
    page.add_init_script("CSS.supports = () => false;")
    page.goto(f"{live_server.url}/fieldwork/records/{record.pk}/edit/")
    wait_for_record_page(page)
    hidden = "el => el.hidden"
    assert page.eval_on_selector(OFF_SITE, hidden) is True
    choose(page, "id_mode_1")
    assert page.eval_on_selector(OFF_SITE, hidden) is False
    assert page.eval_on_selector(SITE_MANAGER, hidden) is True
    choose(page, "id_mode_0")
    problem = f"#{first} .fw-problem"
    assert page.eval_on_selector(problem, hidden) is True
    choose(page, f"id_{first}-outcome_1")
    assert page.eval_on_selector(problem, hidden) is False
    assert page.eval_on_selector(f"#wrap-id_{first}-deadline", "el => el.parentElement.hidden") is True
    page.locator(f"#id_{first}-handling").select_option("order")
    assert page.eval_on_selector(f"#wrap-id_{first}-deadline", "el => el.parentElement.hidden") is False
    assert page.eval_on_selector(REFUSAL_NOTE, "el => el.parentElement.hidden") is True
    page.check("#id_site_manager_refused")
    assert page.eval_on_selector(REFUSAL_NOTE, "el => el.parentElement.hidden") is False
    assert page.eval_on_selector(MANAGER_SIGNER, hidden) is True
    for mark in MANAGER_MARKS:  # refused: his name and the unit's opinion are no longer asked for
        assert page.eval_on_selector(mark, hidden) is True, mark
    page.uncheck("#id_site_manager_refused")
    for mark in MANAGER_MARKS:
        assert page.eval_on_selector(mark, hidden) is False, mark
    page.check("#id_site_manager_refused")
    # A section holding an error is left in sight.
    page.eval_on_selector(OFF_SITE, "el => el.classList.add('fw-has-error')")
    page.check("#id_site_manager_refused")  # any edit refreshes what is shown
    page.uncheck("#id_site_manager_refused")
    assert page.eval_on_selector(OFF_SITE, hidden) is False
    wait_until_sent(page)  # its saves reach the server before the test's database is emptied


def test_the_form_without_javascript_on_a_phone(open_record, draft):
    """What a phone with scripts off shows of a fresh draft, and of one item with a problem 责令改正 (screenshots)."""
    record, (first, second) = draft
    page = open_record(record, script=False)
    shot(page, "conditional-nojs-fresh")
    choose(page, f"id_{first}-outcome_1")
    page.locator(f"#id_{first}-handling").select_option("order")
    choose(page, f"id_{second}-outcome_0")
    shot(page, "conditional-nojs-problem")
    page.locator(f"#{first}").scroll_into_view_if_needed()
    shot(page, "conditional-nojs-problem-item", full=False)
    expect_shown(problem_fields(page, first), "notes", "handling", "deadline")
    expect_shown(problem_fields(page, second))
    expect(page.locator(OFF_SITE)).to_be_hidden()
    expect(page.locator(REFUSAL_NOTE)).to_be_hidden()


def test_the_place_follows_a_switch_of_the_mode(open_record, draft):
    """An off-site check went nowhere: tapping 非现场检查 takes the firm's address, prefilled as the place
    (services._prefill), out of the box, and the server stores the draft without it; tapping 现场检查 again puts
    it back to correct. A place the team typed stays whichever way of checking is chosen."""
    record, _items = draft
    page = open_record(record, True)
    place = page.locator("#id_place")
    expect(place).to_have_value(record.target.address)
    choose(page, "id_mode_1")  # 非现场检查
    expect(place).to_have_value("")
    wait_until_sent(page)
    record.refresh_from_db()
    assert (record.mode, record.place) == ("off_site", "")
    choose(page, "id_mode_0")  # 现场检查
    expect(place).to_have_value(record.target.address)
    place.fill("二号车间")
    choose(page, "id_mode_1")
    expect(place).to_have_value("二号车间")
    choose(page, "id_mode_0")
    expect(place).to_have_value("二号车间")
    wait_until_sent(page)
    record.refresh_from_db()
    assert (record.mode, record.place) == ("on_site", "二号车间")
