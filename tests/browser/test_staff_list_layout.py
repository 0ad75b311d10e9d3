# ruff: noqa: F811 (fixtures of the fieldwork tests, imported by name, are parameters here)
"""Staff lists read on a desk (1280 px) and a phone (390 px), in Chinese and English: the publication batch's
preview fits the desk, the plan list's headings stay whole, and a record's items head each stacked block with
their number."""

import pytest

from shuangsuiji.disclosure import services as disclosure
from shuangsuiji.fieldwork import services as fieldwork
from shuangsuiji.fieldwork.models import FollowUp, Handling
from shuangsuiji.planning.models import (
    Draw,
    DrawStatus,
    MemberRole,
    Plan,
    PlanKind,
    PlanLevel,
    PlanStratum,
    Stratum,
    TaskPlan,
)
from shuangsuiji.registry.models import Category, CheckItem, Department, Inspector, Target
from tests.disclosure.test_services import month_of
from tests.fieldwork.conftest import (  # noqa: F401
    items,
    make_task,
    ordered_record,
    recheck_of,
    rechecked,
    submitted,
    target,
    task,
    team,
)

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESK = {"width": 1280, "height": 900}

LINES = """cell => { const range = document.createRange(); range.selectNodeContents(cell);
    return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size; }"""
"""How many lines a cell's text takes (its text boxes' distinct tops)."""


def in_language(page, live_server, language: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])


def _prepared_batch(task, users):
    """The month's batch of one reviewed record, prepared and not yet released."""
    record = submitted(task, users["inspector"])
    fieldwork.do_review_record(record, passed=True, acting_user=users["county_admin"])
    year, month = month_of(record)
    return disclosure.do_prepare_results(jurisdiction=task.target.jurisdiction, year=year, month=month,
                                         acting_user=users["county_admin"])


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_batch_preview_fits_a_desk_and_keeps_room_for_the_name(open_page, live_server, users, task, language):
    """In English the preview's sixteen headings, each kept on one line, made the table 1,900 px wide: it scrolled
    sideways at 1280 px and the unit's name was squeezed to three characters a line. The headings wrap between
    words now, the name keeps room, and the fields empty in every row (a batch not yet released was never
    corrected) are named under the table instead of taking columns of dashes."""
    batch = _prepared_batch(task, users)
    page = open_page(users["city_admin"], "pw-city_admin", DESK)
    in_language(page, live_server, language)
    page.goto(f"{live_server.url}/disclosure/batches/{batch.pk}/")
    box = page.locator("#preview").locator("xpath=..")
    widths = box.evaluate("s => [s.scrollWidth, s.clientWidth]")
    assert widths[0] <= widths[1], widths
    assert page.evaluate("document.documentElement.scrollWidth") <= DESK["width"]
    name = page.locator("#preview th.app-preview-name")
    assert name.bounding_box()["width"] >= 100  # 7rem: six or seven characters of a name a line
    assert task.target.name in page.locator("#preview tbody").inner_text()
    empty = page.locator("#empty-columns").inner_text()
    assert ("最近更正时间" if language == "zh-hans" else "Last corrected at") in empty
    headings = page.locator("#preview thead th").all_inner_texts()
    assert "Last corrected at" not in headings and "最近更正时间" not in headings


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_batch_preview_is_a_card_per_row_on_a_phone(open_page, live_server, users, task, language):
    """On a 390 px phone the preview's table scrolled sideways (its fields out of sight, their headings with them).
    Each row is a card now, every field a "heading：value" line within the screen; on a desk it is the table."""
    batch = _prepared_batch(task, users)
    page = open_page(users["city_admin"], "pw-city_admin", PHONE)
    in_language(page, live_server, language)
    page.goto(f"{live_server.url}/disclosure/batches/{batch.pk}/")
    widths = page.locator("#preview").locator("xpath=..").evaluate("s => [s.scrollWidth, s.clientWidth]")
    assert widths[0] <= widths[1], widths
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.locator("#preview thead").is_hidden()
    cells = page.locator("#preview tbody tr").first.locator("td")
    labels = cells.evaluate_all("cs => cs.map(c => getComputedStyle(c, '::before').content)")
    name = "单位名称" if language == "zh-hans" else "Unit name"
    assert any(name in label for label in labels), labels
    assert all(label not in ("none", '""') for label in labels), labels
    for n in range(cells.count()):
        box = cells.nth(n).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (n, box)
    assert task.target.name in page.locator("#preview tbody").inner_text()
    page.set_viewport_size(DESK)  # a desk keeps the table, its headings shown
    assert page.locator("#preview thead").is_visible()
    assert cells.first.evaluate("c => getComputedStyle(c).display") == "table-cell"


def plan_list_of_four_strata(open_page, live_server, users, task, language: str):
    """The city admin's plan list at a desk's width, the task's plan holding a stratum of each kind (130 of 400,
    minimum 120)."""
    plan = TaskPlan.objects.filter(task=task).first().plan
    for stratum in (Stratum.KEY, Stratum.SPECIAL, Stratum.GENERAL, Stratum.CROSS):
        PlanStratum.objects.create(plan=plan, stratum=stratum, population=400, minimum=120, requested=130,
                                   explanation="—", citation="—")
    page = open_page(users["city_admin"], "pw-city_admin", DESK)
    in_language(page, live_server, language)
    page.goto(f"{live_server.url}/planning/")
    return page


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_plan_lists_headings_stay_whole(open_page, live_server, users, task, language):
    """A plan's strata, each kept on one line, took the width, and the 任务 heading stood as 任 over 务. A heading
    wraps between words now, never inside one: each Chinese heading is one line."""
    page = plan_list_of_four_strata(open_page, live_server, users, task, language)
    tasks = page.locator("table thead th").nth(4)
    assert tasks.inner_text().strip() == ("任务" if language == "zh-hans" else "Tasks")
    for heading in page.locator("table thead th").all():
        if language == "zh-hans":
            assert heading.evaluate(LINES) == 1, heading.inner_text()
        else:  # an English heading may wrap between its words, never inside one
            words = heading.inner_text().split()
            assert heading.evaluate(LINES) <= len(words), heading.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= DESK["width"]


WORDS_WHOLE = """cell => { const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT), breaks = [];
    let previous = null;
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        for (let i = 0; i < n.length; i++) {
            const range = document.createRange(); range.setStart(n, i); range.setEnd(n, i + 1);
            const rect = range.getBoundingClientRect();
            if (!rect.width) {  // a space at the end of a line takes no room, but the line breaks after it
                if (previous && /\\s/.test(n.data[i])) previous.ch = " ";
                continue; }
            if (previous && rect.top > previous.top + 2 && !/\\s/.test(previous.ch))
                breaks.push(previous.ch + n.data[i]);
            previous = {top: rect.top, ch: n.data[i]};
        } }
    return breaks; }"""
"""The places where a cell's text goes on to a new line not after a space (inside a word, or a Chinese name)."""


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_plan_lists_names_and_types_wrap_between_words(open_page, live_server, users, task, tree, language):
    """In English the 计划抽查 column's longer counts left the plan's name a narrow column: "保定市 · 生态环境综合执法
    支队" broke after 执, and in Chinese 内部联合抽查 after 抽. A name and a type now wrap only between words."""
    plan = TaskPlan.objects.filter(task=task).first().plan
    department = Department.objects.create(jurisdiction=plan.jurisdiction, name="生态环境综合执法大队")
    Plan.objects.filter(pk=plan.pk).update(kind=PlanKind.JOINT, department=department)
    page = plan_list_of_four_strata(open_page, live_server, users, task, language)
    row = page.locator("table tbody tr", has_text="生态环境综合执法大队")
    for column in (0, 2):  # the plan, its type
        cell = row.locator("td").nth(column)
        assert cell.evaluate(WORDS_WHOLE) == [], cell.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= DESK["width"]


@pytest.mark.parametrize(("language", "heading"), [("zh-hans", "第1项"), ("en", "Item 1")])
def test_a_records_items_are_headed_by_their_number_on_a_phone(open_page, live_server, users, task, language,
                                                               heading):
    """Stacked on a phone, an item began with a line "序号：1" ("No.: 1"), a field of its own. The number heads its
    item now ("第1项", "Item 1", in bold, with no label before it); a desk keeps the bare number under "#"."""
    record = submitted(task, users["inspector"])
    page = open_page(users["county_admin"], "pw-county_admin", PHONE, is_mobile=True, has_touch=True)
    in_language(page, live_server, language)
    page.goto(f"{live_server.url}/fieldwork/records/{record.pk}/")
    number = page.locator("td.fw-item-no").first
    assert number.inner_text().strip() == heading
    assert number.evaluate("c => getComputedStyle(c, '::before').content") in ("none", "normal")
    assert int(number.evaluate("c => getComputedStyle(c).fontWeight")) >= 600
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.set_viewport_size(DESK)
    assert number.inner_text().strip() == "1"


FITS = """cell => { const r = cell.getBoundingClientRect();
    return [...cell.querySelectorAll('span')].every(s => { const b = s.getBoundingClientRect();
        return b.left >= r.left - 0.5 && b.right <= r.right + 0.5; }) && cell.scrollWidth <= cell.clientWidth; }"""
"""Whether every span of a cell (each stratum, a re-check's result) lies within the cell's box."""


@pytest.mark.parametrize(("language", "key", "cross"), [
    ("zh-hans", "重点排污单位 130 家（最低 120）", "跨部门联合抽查对象 130 家（协同监管平台抽取）（最低 120）"),
    ("en", "130 key units (minimum 120)",
     "130 targets for cross-department joint check (drawn on the platform) (minimum 120)"),
])
def test_the_plan_lists_strata_read_as_counts_within_their_column(open_page, live_server, users, task, language,
                                                                  key, cross):
    """Each stratum says its number of units and its minimum in words ("40 key units (minimum 40)"), the longest
    (the cross-department one) too, and none reaches past the 计划抽查 column at 1280 px."""
    page = plan_list_of_four_strata(open_page, live_server, users, task, language)
    assert page.locator("table thead th").nth(3).inner_text().strip() == (
        "计划抽查" if language == "zh-hans" else "Requested")
    cell = page.locator("table tbody td").nth(3)
    strata = cell.locator(".app-stratum-count").all_inner_texts()
    assert [s.strip() for s in strata if s.strip() in (key, cross)] == [key, cross], strata
    assert cell.evaluate(FITS), strata
    # the strata wrap, one under another, rather than widen the table past the card (its 任务, 状态 out of sight)
    box = page.locator(".table-responsive").first.evaluate("s => [s.scrollWidth, s.clientWidth]")
    assert box[0] <= box[1], box
    assert page.locator("table thead th").last.bounding_box()["x"] < DESK["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= DESK["width"]
    page.screenshot(path=f"/tmp/h168-plan-list-{language}.png", full_page=True)


@pytest.mark.parametrize(("language", "result"), [("zh-hans", "复查：1 项未整改"),
                                                  ("en", "Re-check: 1 item not rectified")])
def test_the_record_lists_recheck_result_fits_its_column(open_page, live_server, users, task, language, result):
    """A re-check's 发现问题 cell says its result in words, the longest (English, not rectified) within the column at
    1280 px and the table within the page."""
    recheck = recheck_of(ordered_record(task, users["inspector"]))
    record = rechecked(recheck, users["inspector"], problem=Handling.CASE)
    page = open_page(users["county_admin"], "pw-county_admin", DESK)
    in_language(page, live_server, language)
    page.goto(f"{live_server.url}/fieldwork/records/")
    row = page.locator("table tbody tr", has_text=record.number)
    cell = row.locator("td.app-problems")
    assert cell.inner_text().strip() == result
    assert cell.evaluate(FITS)
    box = page.locator(".table-responsive").first.evaluate("s => [s.scrollWidth, s.clientWidth]")
    assert box[0] <= box[1], box
    assert page.evaluate("document.documentElement.scrollWidth") <= DESK["width"]
    page.screenshot(path=f"/tmp/h168-record-list-{language}.png", full_page=True)


LONG_NAME = "保定市元越金属门窗有限责任公司"
"""Fifteen characters, a usual firm's name: its 司 went to a line of its own in the English task list."""


@pytest.mark.parametrize("width", [1024, 1280])
def test_a_firms_name_and_an_items_outcome_keep_their_line_in_english(open_page, live_server, users, target, items,
                                                                      team, width):
    """In English the task list's other columns squeezed the firm's name (保定市元越金属门窗有限责任公 / 司), and a
    record's "No problem found" took two lines beside an empty 问题记录与处理 column. The rows as the demo's: a task of
    a special-supervision unit drawn by the city and the county, a team of four, the items' usual long names."""
    Target.objects.filter(pk=target.pk).update(name=LONG_NAME, category=Category.SPECIAL)
    CheckItem.objects.filter(pk=items[0].pk).update(name="建设项目环境影响评价及“三同时”制度执行情况")
    CheckItem.objects.filter(pk=items[1].pk).update(name="核技术利用单位辐射安全许可及防护情况")
    target.refresh_from_db()
    fourth = Inspector.objects.create(name="赵六", certificate_number="13062300009", jurisdiction=target.jurisdiction,
                                      certificate_expiry=team["first"].certificate_expiry,
                                      department=team["first"].department)
    task = make_task(target, items, [(officer, MemberRole.OFFICER) for officer in (
        team["first"], team["second"], team["outsider_inspector"], fourth)])
    city = Plan.objects.create(jurisdiction=target.jurisdiction.parent, level=PlanLevel.CITY, year=task.year,
                               quarter=task.quarter, kind="regular", policy_id="baoding-2021", policy_version=1,
                               policy_fingerprint="0" * 64, policy_title="保定市2021", inspectors_counted=2,
                               status="dispatched")
    draw = Draw.objects.create(plan=city, number=1, status=DrawStatus.DRAWN)
    TaskPlan.objects.create(task=task, plan=city, draw=draw, stratum=Stratum.SPECIAL, rank=1)
    record = submitted(task, users["inspector"], problem=Handling.ORDER)  # the first item's problem takes its column
    page = open_page(users["city_admin"], "pw-city_admin", {"width": width, "height": 900})
    in_language(page, live_server, "en")
    page.goto(f"{live_server.url}/planning/tasks/")
    name = page.locator("table tbody tr", has_text=LONG_NAME).locator("td").first.locator("a").first
    assert name.evaluate(LINES) == 1
    page.goto(f"{live_server.url}/fieldwork/records/{record.pk}/")
    outcomes = page.locator("td[data-label='Outcome'] span")
    assert outcomes.count() >= 2
    assert all(outcome.evaluate(LINES) == 1 for outcome in outcomes.all()), outcomes.all_inner_texts()
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_follow_ups_forms_give_their_fields_room(open_page, live_server, users, task, language):
    """The follow-up page's forms sit in a half-page card, where each field had a third of it: a case number read
    "冀保环立〔2026〕161" and 办结's file box "No file cho" above its list of allowed types, one or two words a line.
    A field has half the card now, and a file box the whole of it."""
    record = submitted(task, users["inspector"], problem=Handling.CASE)
    follow_up = FollowUp.objects.get(record=record)
    page = open_page(users["county_admin"], "pw-county_admin", DESK)
    in_language(page, live_server, language)
    page.goto(f"{live_server.url}/fieldwork/follow-ups/{follow_up.pk}/")
    form = page.locator("#id_case_number").locator("xpath=ancestor::form").bounding_box()
    assert page.locator("#id_case_number").bounding_box()["width"] >= form["width"] / 2 - 40
    close = page.locator("#close-form").bounding_box()
    column = page.locator("#id_files").evaluate("box => box.closest('[class*=col-]').getBoundingClientRect().width")
    assert column >= close["width"] - 60
    assert page.evaluate("document.documentElement.scrollWidth") <= DESK["width"]
