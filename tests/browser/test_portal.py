# ruff: noqa: F811 (the portal tests' ``data`` fixture, imported by name, is a parameter here)
"""The public portal in a real headless Chromium, without logging in: the home page and a search from it, the
results search filtered on a phone, a result's detail, a plan page with a superseded draw, the verify page."""

import pytest

from tests.browser.conftest import PHONE, assert_accessible, watch_policy
from tests.browser.test_list_filter_alignment import border, danger
from tests.disclosure.test_portal import data, make_plan  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def visit(chromium, live_server):
    """visit(path, viewport=None) → a page of the live server, as anyone (no login)."""
    contexts = []
    refused: list[str] = []

    def go(path: str, viewport: dict | None = None):
        context = chromium.new_context(viewport=viewport or {"width": 1366, "height": 900}, locale="zh-CN")
        contexts.append(context)
        watch_policy(context, refused)
        page = context.new_page()
        page.goto(f"{live_server.url}{path}")
        return page

    yield go
    for context in contexts:
        context.close()
    assert refused == [], refused


def fits(page) -> bool:
    """Nothing wider than the screen: the page does not scroll sideways on a phone."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_home_on_a_phone_searches_results(visit, data):
    page = visit("/public/", PHONE)
    assert page.locator("h1").inner_text() == "污染源“双随机、一公开”监管信息公开"
    assert page.get_by_role("link", name="涞水县2026年4月抽查结果").is_visible()
    assert page.locator("a[href='/admin/'], a[href='/logout/']").count() == 0  # no staff navigation
    page.fill("input[name=q]", "纺织")
    page.get_by_role("button", name="查询").click()
    page.wait_for_url("**/public/results/?q=*")
    assert page.locator("table.public-results tbody tr").count() == 1
    assert "涞水县乙纺织厂" in page.locator("table.public-results").inner_text()
    assert fits(page)


def test_results_filtered_by_outcome_on_a_phone(visit, data):
    page = visit("/public/results/", PHONE)
    assert page.locator("table.public-results tbody tr").count() == 5
    page.select_option("#f-outcome", "problem")
    page.select_option("#f-jurisdiction", "130623")
    page.locator("#results-filter button[type=submit]").click()
    page.wait_for_url("**outcome=problem*")
    rows = page.locator("table.public-results tbody tr")
    assert rows.count() == 1 and "涞水县甲化工有限公司" in rows.inner_text() and "发现问题" in rows.inner_text()
    assert page.locator("#f-outcome").input_value() == "problem"  # the filter stays chosen
    # The stacked table labels each cell on a phone.
    assert page.locator("td[data-label='检查结果']").first.is_visible()
    assert fits(page)
    csv_link = page.get_by_role("link", name="CSV")
    assert "outcome=problem" in csv_link.get_attribute("href") and "format=csv" in csv_link.get_attribute("href")
    page.get_by_role("link", name="涞水县甲化工有限公司").click()
    page.wait_for_url("**/public/results/JL2026-000001/")
    assert page.get_by_text("涞环罚〔2026〕3号").is_visible()


def test_result_detail_on_desktop(visit, data):
    page = visit("/public/results/JL2026-000004/")
    assert page.get_by_text("单位名称：依法隐去（涉及个人隐私，《政府信息公开条例》第十五条）").is_visible()
    assert "涞水县丁个体加工点" not in page.content()
    page = visit("/public/results/JL2026-000003/")
    assert page.locator("h1").inner_text() == "依法不予公开的抽查结果"
    assert "涉及国家秘密（《政府信息公开条例》第十四条）" in page.locator(".alert").inner_text()


def test_plan_page_shows_the_ceremony_and_keeps_the_superseded_draw(visit, tree):
    plan = make_plan(tree["a"], 2, draws=2)
    page = visit(f"/public/plans/{plan.pk}/", PHONE)
    first, second = page.locator("#draw-1"), page.locator("#draw-2")
    assert "已作废（经批准重新抽取）" in first.inner_text()
    assert "1" * 64 in first.inner_text() and "2" * 64 in second.inner_text()
    assert "封存中" in second.inner_text()
    assert page.get_by_role("link", name="下载封存清单（JSON）").count() == 2
    assert fits(page)
    assert_accessible(page, "a plan with a superseded draw, on a phone")  # its dimmed card keeps its contrast


def test_verify_page_links_the_verifier(visit):
    page = visit("/public/verify/")
    assert page.get_by_text("python3 verify_draw.py manifest.json --sealed sealed.json").is_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="verify_draw.py").click()
    assert download.value.suggested_filename == "verify_draw.py"


def test_verify_page_opens_the_specification_it_cites_on_a_phone(visit):
    # "完整规则见抽取规范 shuangsuiji-draw/1" named the rules with no way to read them from the portal.
    page = visit("/public/verify/", PHONE)
    assert page.locator("#compare-hash").is_visible() and fits(page)
    assert_accessible(page, "the verify page, on a phone")
    page.get_by_role("link", name="抽取规范 shuangsuiji-draw/1").click()
    page.wait_for_url("**/public/verify/draw-spec.md")
    assert page.locator("body").inner_text().startswith("# The draw — specification `shuangsuiji-draw/1`")


def test_a_sealed_draw_says_what_can_be_checked_now(visit, tree):
    plan = make_plan(tree["a"], 2)
    page = visit(f"/public/plans/{plan.pk}/", PHONE)
    now = page.locator("#draw-1-now")
    assert now.is_visible() and "现在可以核对的" in now.inner_text() and "密钥公开后" in now.inner_text()
    assert fits(page)


def test_results_jurisdiction_filter_drills_down_on_a_phone(visit, data, tmp_path):
    """Nationally the filter cannot list every place: a province, then its city, then the county, each chosen
    with the phone's own picker and a search; the other filters stay as chosen on the way."""
    from shuangsuiji.registry.models import Level
    from tests.conftest import make_jurisdiction

    shanxi = make_jurisdiction("140000", "山西省", Level.PROVINCE)
    make_jurisdiction("140100", "太原市", Level.CITY, shanxi)
    page = visit("/public/results/?outcome=problem", PHONE)
    picker = page.locator("#f-jurisdiction")
    assert picker.locator("option").all_inner_texts() == ["全部行政区", "河北省", "山西省"]
    for code in ("130000", "130600", "130623"):
        picker.select_option(code)
        page.locator("#results-filter button[type=submit]").click()
        page.wait_for_url(f"**jurisdiction={code}*")
        assert picker.input_value() == code and page.locator("#f-outcome").input_value() == "problem"
    assert [t.strip("\u3000") for t in picker.locator("option").all_inner_texts()] == [
        "全部行政区", "河北省", "保定市", "涞水县", "阜平县", "山西省"]
    rows = page.locator("table.public-results tbody tr")
    assert rows.count() == 1 and "涞水县甲化工有限公司" in rows.inner_text()
    assert fits(page)
    page.screenshot(path=str(tmp_path / "results-phone.png"), full_page=False)
    # A link with the code alone still works, and opens the way to it.
    page = visit("/public/results/?jurisdiction=130624", PHONE)
    assert page.locator("#f-jurisdiction").input_value() == "130624"
    assert "阜平县戊石材厂" in page.locator("table.public-results").inner_text()


def test_verification_status_filtered_by_quarter_on_a_phone(visit, tree):
    make_plan(tree["a"], 2)
    make_plan(tree["b"], 3, revealed=True)
    page = visit("/public/verification/", PHONE)
    assert page.locator("td[data-label='清单']").count() == 2
    page.select_option("#f-quarter", "3")
    page.locator("form.public-filter button[type=submit]").click()
    page.wait_for_url("**quarter=3*")
    assert page.locator("td[data-label='清单']").count() == 1
    assert "阜平县" in page.locator("td[data-label='计划']").inner_text()
    assert page.get_by_text("共 1 条").is_visible()
    assert fits(page)


def test_a_result_on_a_phone_keeps_each_outcome_on_one_line_and_sets_the_problem_apart(visit, data):
    """On a 390-pixel phone a long item name squeezed its outcome into 未发现问 / 题, and the one item with a
    problem looked like the sixteen without."""
    chem = data["rows"]["chem"]
    long_name = "大气污染防治设施运行及大气污染物排放情况"
    chem.items = [{"code": f"C-{n:02d}", "name": long_name if n else "危险废物规范化环境管理情况",
                   "outcome": "发现问题" if n == 0 else "未发现问题"} for n in range(3)]
    chem.save()
    page = visit("/public/results/JL2026-000001/", PHONE)
    outcomes = page.locator("ul.public-items li > span:last-child")
    assert outcomes.count() == 3
    for n in range(3):
        box = outcomes.nth(n)  # its text on one line: a range over it has one box per line
        lines = box.evaluate("e => { const r = document.createRange(); r.selectNodeContents(e); "
                             "return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size; }")
        assert lines == 1, box.inner_text()
    problem = page.locator("li.public-item-problem > span:last-child")
    assert problem.inner_text() == "发现问题"
    assert problem.evaluate("e => getComputedStyle(e).color") != outcomes.nth(1).evaluate(
        "e => getComputedStyle(e).color")
    assert fits(page)
    assert_accessible(page, "a result with a problem, on a phone")


def test_the_home_search_says_what_to_type_on_a_phone(visit, data):
    """The placeholder was the only hint and a phone cut it after 统一社会信; the label above the box wraps."""
    page = visit("/public/", PHONE)
    label = page.locator("label[for=home-q]")
    assert label.is_visible() and "统一社会信用代码" in label.inner_text()
    assert label.evaluate("e => e.scrollWidth <= e.clientWidth")
    assert page.get_by_label("查询抽查结果：输入单位名称（可只输一部分）或统一社会信用代码").count() == 1
    assert fits(page)


def test_the_current_section_is_underlined_and_focus_is_visible_on_the_header(visit, data):
    page = visit("/public/plans/", PHONE)
    current = page.locator(".public-nav a[aria-current=page]")
    assert current.inner_text() == "抽查计划"
    assert "underline" in current.evaluate("e => getComputedStyle(e).textDecorationLine")
    for _ in range(3):  # 跳到正文, the brand, then the first section
        page.keyboard.press("Tab")
    focused = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return {tag: document.activeElement.tagName, text: document.activeElement.textContent.trim(),
                outline: s.outlineStyle, width: parseFloat(s.outlineWidth), shadow: s.boxShadow}; }""")
    assert (focused["tag"], focused["text"]) == ("A", "抽查结果")
    assert (focused["outline"] != "none" and focused["width"] >= 2) or focused["shadow"] != "none", focused


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize(("path", "invalid", "valid"), [
    ("/public/results/?month=2026-13&outcome=zzz&industry=XYZ9", ["#f-month", "#f-outcome", "#f-industry"],
     ["#f-q", "#f-jurisdiction"]),
    ("/public/list/?year=1900&q=x", ["#f-year"], ["#f-q", "#f-industry", "#f-jurisdiction"]),
    ("/public/plans/?quarter=7&jurisdiction=999999", ["#f-quarter", "#f-jurisdiction"], ["#f-year"]),
    ("/public/verification/?year=abc", ["#f-year"], ["#f-quarter", "#f-jurisdiction"]),
    ("/public/items/?jurisdiction=12", ["#f-jurisdiction"], []),
], ids=["results", "list", "plans", "verification", "items"])
def test_an_invalid_portal_filter_turns_its_box_red(visit, viewport, path, invalid, valid):
    """The portal listed a bad filter in the box above the form and left every box grey, so on a phone, with
    the list far below, a reader had to match the message to a box himself. Each box that cannot be read is now
    red (.app-invalid, as the staff lists mark theirs), says so to a screen reader and points to its message."""
    page = visit(path, viewport)
    for box in invalid:
        assert border(page, box) == danger(page), box
        assert page.locator(box).get_attribute("aria-invalid") == "true"
        error = page.locator(f"#{page.locator(box).get_attribute('aria-describedby').split()[0]}")
        assert error.is_visible()
        assert page.locator(f"label[for={box[1:]}]").inner_text().split()[0] in error.inner_text()
    for box in valid:
        assert border(page, box) != danger(page), box
        assert page.locator(box).get_attribute("aria-invalid") is None
    assert fits(page)
    assert_accessible(page, f"{path}, its filters refused")


def test_a_valid_portal_filter_stays_grey(visit):
    page = visit("/public/results/?month=2026-03&outcome=problem&industry=C26")
    for box in ("#f-month", "#f-outcome", "#f-industry", "#f-jurisdiction", "#f-q"):
        assert border(page, box) != danger(page), box
    assert page.locator(".alert-danger").count() == 0


def test_a_draws_timestamps_and_words_do_not_break_inside_on_a_phone(visit, tree):
    """Every line of a draw broke anywhere, as a hash must: on a phone the time beside the inputs hash read
    (2026-09-2 / 3 09:00) and the sealed secret's sentence split SH / A-256. Only the hashes break anywhere now."""
    from django.utils import timezone

    from shuangsuiji.planning.models import Draw

    plan = make_plan(tree["a"], 2)
    Draw.objects.filter(plan=plan).update(frozen_at=timezone.now(), committed_at=timezone.now())
    page = visit(f"/public/plans/{plan.pk}/", PHONE)

    def lines(locator) -> int:
        return locator.evaluate("e => { const r = document.createRange(); r.selectNodeContents(e); "
                                "return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size; }")

    times = page.locator("dl.public-hashes .public-when")
    assert times.count() == 2
    for n in range(2):
        assert lines(times.nth(n)) == 1, times.nth(n).inner_text()
    assert lines(page.locator("dl.public-hashes dd.font-monospace").first) > 1  # the hash itself still wraps
    sealed = page.locator("dl.public-hashes dd", has_text="封存中")
    words = sealed.evaluate("""e => { const text = e.firstChild; const at = text.data.indexOf("SHA-256");
        const r = document.createRange(); r.setStart(text, at); r.setEnd(text, at + 7);
        return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size; }""")
    assert words == 1
    assert fits(page)


def test_a_stacked_code_cell_labels_it_in_the_pages_font_on_a_phone(visit, data):
    """On a phone the list's cells stack, each after its label: in the credit code's cell the label took the
    code's monospace type, wider than the page's, and pushed the code onto a line of its own."""
    page = visit("/public/list/", PHONE)
    cell = page.locator("td.font-monospace[data-label='统一社会信用代码']").first
    label_font = cell.evaluate("e => getComputedStyle(e, '::before').fontFamily")
    assert label_font == page.evaluate("getComputedStyle(document.body).fontFamily")
    assert label_font != cell.evaluate("e => getComputedStyle(e).fontFamily")  # the code keeps its own
    lines = cell.evaluate("e => Math.round(e.getBoundingClientRect().height"
                          " / parseFloat(getComputedStyle(e).lineHeight))")
    assert lines == 1  # in Chinese the label and the code fit a phone's line
    assert fits(page)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_item_code_stays_on_one_line_in_the_check_item_list(visit, tree, live_server, language):
    """On a desktop the item list's narrow first column broke the codes at their dash (130600- / 01)."""
    from shuangsuiji.registry.models import CheckItem

    department = tree["departments"]["130600"]
    for n in range(1, 4):
        CheckItem.objects.create(code=f"130600-{n:02d}", name="大气污染防治设施运行及大气污染物排放情况" * 2,
                                 legal_basis="《中华人民共和国大气污染防治法》第十八条、第二十条、第二十九条" * 2,
                                 content="大气污染防治设施是否正常运行；大气污染物是否达标排放。" * 3,
                                 jurisdiction=tree["city"], responsible_department=department)
    page = visit("/public/items/")
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.reload()
    cells = page.locator("table tbody tr td:first-child")
    assert cells.count() == 3
    for n in range(3):
        rects = cells.nth(n).evaluate("e => { const r = document.createRange(); r.selectNodeContents(e); "
                                      "return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size; }")
        assert rects == 1, cells.nth(n).inner_text()
    assert fits(page)


@pytest.mark.parametrize("path", ["/public/plans/", "/public/verification/"])
def test_the_place_filter_of_plans_has_a_row_of_its_own_on_a_phone(visit, tree, path):
    """The plans' and verification's filter gave the place a third of a phone's row, which showed a county's
    name cut after four characters (保定高新技…); it now spans the row, as wide as the button below it."""
    page = visit(f"{path}?jurisdiction={tree['a'].code}", PHONE)
    place = page.locator("#f-jurisdiction").bounding_box()
    button = page.locator("form.public-filter button[type=submit]").bounding_box()
    assert place["width"] == pytest.approx(button["width"], abs=1)
    assert page.locator("#f-jurisdiction").input_value() == tree["a"].code
    assert fits(page)


PAIR_GAPS = """(dl) => {
  // [gap between the pair's label and value, gap from the pair to the next], of the pairs' text (the boxes less
  // their padding), in px. Beside each other the first is negative (the value starts level with its label).
  const content = (el) => {
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return {top: r.top + parseFloat(s.paddingTop), bottom: r.bottom - parseFloat(s.paddingBottom)};
  };
  const pairs = [...dl.querySelectorAll(':scope > dt')].map((dt) => [content(dt), content(dt.nextElementSibling)]);
  return pairs.slice(0, -1).map(([dt, dd], i) => {
    const next = pairs[i + 1][0];
    return [dd.top - dt.bottom, next.top - Math.max(dt.bottom, dd.bottom)];
  });
}"""


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_results_facts_on_a_phone_are_set_apart_pair_by_pair(visit, data, live_server, language):
    # On a phone the English labels wrap to two or three lines, and each ended flush against the next label
    # ("Inspection date" on top of "Inspection plan"): which value was whose could not be told.
    page = visit("/public/", PHONE)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/public/results/JL2026-000001/")
    facts = page.locator("#result-facts")
    labels = facts.locator("dt")
    assert labels.count() == 8
    if language == "en":  # the case that hid the gap: a label taller than its value
        assert any(box["height"] > 30 for box in (labels.nth(n).bounding_box() for n in range(8)))
    gaps = facts.evaluate(PAIR_GAPS)
    assert all(between >= 12 for _within, between in gaps), gaps
    assert fits(page)


def test_a_draws_hashes_on_a_phone_keep_each_label_nearer_its_value_than_the_next(visit, tree, live_server):
    plan = make_plan(tree["a"], 2)
    page = visit("/public/", PHONE)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/public/plans/{plan.pk}/")
    gaps = page.locator("#draw-1 dl.public-hashes").evaluate(PAIR_GAPS)
    assert len(gaps) >= 4
    # Stacked: the value under its label, then a wider space before the next label.
    assert all(0 <= within < 6 and between >= 12 for within, between in gaps), gaps
