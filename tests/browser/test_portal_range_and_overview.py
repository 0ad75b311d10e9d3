# ruff: noqa: F811 (fixtures of the portal tests, imported by name, are parameters here)
"""In a real headless Chromium: the results search's date range and plan kind (a bad range turns its box red and
says why), the plans page's per-county overview of a quarter, both accessible (axe-core) on a desk and on a
phone."""

import datetime

import pytest

from tests.browser.conftest import PHONE, assert_accessible
from tests.browser.test_list_filter_alignment import border, danger
from tests.browser.test_portal import fits, visit  # noqa: F401
from tests.browser.test_staff_list_layout import LINES
from tests.disclosure.test_portal import data, make_plan  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_a_range_the_wrong_way_round_turns_its_box_red_and_a_good_one_lists(visit, data, viewport):
    page = visit("/public/results/", viewport)
    page.fill("#f-inspected_from", "2026-05-01")
    page.fill("#f-inspected_to", "2026-04-01")
    page.locator("#results-filter button[type=submit]").click()
    page.wait_for_url("**inspected_from=2026-05-01*")
    error = page.locator("#f-inspected_from-error")
    assert error.is_visible() and "起始日期 2026-05-01 晚于截止日期 2026-04-01" in error.inner_text()
    assert border(page, "#f-inspected_from") == danger(page)
    assert border(page, "#f-inspected_to") != danger(page)
    assert page.locator("#f-inspected_from").get_attribute("aria-invalid") == "true"
    assert page.locator("table.public-results tbody tr").count() == 1  # "nothing found", not the whole list
    assert_accessible(page, "the results search with a bad range")
    assert fits(page)
    page.fill("#f-inspected_from", "2026-03-01")
    page.fill("#f-inspected_to", "2026-03-31")
    page.locator("#results-filter button[type=submit]").click()
    page.wait_for_url("**inspected_from=2026-03-01*")
    assert page.locator("#f-inspected_from-error").count() == 0
    rows = page.locator("table.public-results tbody tr")
    assert rows.count() == 2 and "2026-03-10" in rows.first.inner_text()
    assert fits(page)


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_the_quarter_overview_names_the_county_with_no_plan_and_is_accessible(visit, tree, viewport):
    make_plan(tree["a"], 2)
    page = visit("/public/plans/?year=2026&quarter=2", viewport)
    overview = page.locator("#quarter-overview")
    assert overview.is_visible()
    missing = overview.locator("tr[data-jurisdiction='130624']")
    assert missing.is_visible() and "本季度尚未公开抽查计划" in missing.inner_text()
    if datetime.date.today() > datetime.date(2026, 3, 31):
        assert "发布期限 2026-03-31 已过" in missing.inner_text()
    assert overview.locator("tr[data-jurisdiction='130623'] a").inner_text() == "双随机抽查"
    assert_accessible(page, "the plans page with its quarter overview")
    assert fits(page)


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_the_county_short_of_its_regular_plan_comes_first_and_is_named_in_the_summary(visit, tree, viewport):
    """On a phone the overview is two dozen stacked rows: the county that published only a joint plan was neither
    flagged nor easy to find. It is named in the summary and is the table's first row; no row is hidden."""
    from tests.disclosure.test_portal_quarter_overview import make_both, make_joint

    make_both(tree, tree["city"], 2)
    make_both(tree, tree["a"], 2)
    make_joint(tree, "b", 2)
    page = visit("/public/plans/?year=2026&quarter=2", viewport)
    overview = page.locator("#quarter-overview")
    # the summary's first sentence (a second one would count plans drawn late: make_plan draws on time)
    assert "阜平县" in overview.locator("#quarter-overview-summary strong:not(#quarter-overview-late)").inner_text()
    rows = overview.locator("tbody tr")
    assert rows.count() == 3 and all(rows.nth(i).is_visible() for i in range(3))
    first = rows.first
    assert first.get_attribute("data-jurisdiction") == "130624"
    assert "尚未公开本季度的双随机抽查计划" in first.inner_text()
    summary_box, first_box = overview.locator("#quarter-overview-summary").bounding_box(), first.bounding_box()
    assert first_box["y"] > summary_box["y"] and first_box["y"] < rows.nth(1).bounding_box()["y"]
    assert_accessible(page, "the plans page with a county short of its regular plan")
    assert fits(page)


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_a_late_plan_is_flagged_and_its_page_leads_to_its_results_on_a_phone(visit, tree, viewport):
    """A plan drawn after the deadline reads as late in the overview and on its page, and its page has the box
    leading to its results with their deadlines; all of it visible and accessible."""
    from django.utils import timezone

    from shuangsuiji.planning.models import Draw

    plan = make_plan(tree["a"], 2)
    Draw.objects.filter(plan=plan).update(drawn_at=timezone.make_aware(datetime.datetime(2026, 4, 8, 10)))
    page = visit("/public/plans/?year=2026&quarter=2", viewport)
    row = page.locator("#quarter-overview tr[data-jurisdiction='130623']")
    assert row.locator(".overview-late").is_visible()
    assert "逾期公开，于 2026-04-08 公开，期限 2026-03-31" in row.inner_text()
    assert "涞水县" in page.locator("#quarter-overview-late").inner_text()
    assert page.locator("#plans-list-title").is_visible()
    assert fits(page)
    row.locator("a").first.click()
    page.wait_for_url(f"**/public/plans/{plan.pk}/")
    assert "逾期公开：于 2026-04-08 首次抽取公开" in page.locator("#plan-published-on").inner_text()
    box = page.locator("#plan-results")
    assert box.is_visible() and "本计划尚无已公开的检查结果。" in box.inner_text()
    assert "10 个工作日内公开" in box.inner_text()
    assert_accessible(page, "a late plan's page with its results box")
    assert fits(page)
    # a month a line, named 4月 as the portal names a month (not 四月), each line whole: on a phone the months ran
    # on in one sentence over five lines, a date broken at its hyphen
    months = box.locator(".results-due-months li")
    assert months.count() == 3 and months.first.inner_text().startswith("4月：2026-05-")
    for i in range(3):
        assert months.nth(i).evaluate(LINES) == 1, months.nth(i).inner_text()


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_result_released_late_says_so_on_its_page_and_in_the_list(visit, data, live_server, viewport, language):
    """A result whose batch was released after the month's deadline is marked on its page and in the results list,
    readable and accessible on a desk and a phone."""
    from django.utils import timezone

    from shuangsuiji.disclosure.models import Publication, PublishedResult

    row = PublishedResult.objects.get(public_id="JL2026-000002")
    Publication.objects.filter(pk=row.publication_id).update(
        deadline=datetime.date(2026, 5, 15), released_at=timezone.make_aware(datetime.datetime(2026, 5, 20, 10)))
    page = visit("/public/results/JL2026-000002/", viewport)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.reload()
    late = page.locator("#result-release .text-danger")
    assert late.is_visible()
    assert ("逾期公开，于 2026-05-20 公开，期限 2026-05-15" if language == "zh-hans"
            else "published late, on 2026-05-20; the deadline was 2026-05-15") in late.inner_text()
    assert_accessible(page, "a result released late")
    assert fits(page)
    page.goto(f"{live_server.url}/public/results/")
    flagged = page.locator(".public-results tr:has(.result-late)")
    # the rows of that batch (April's), not March's released on time
    in_batch = PublishedResult.objects.filter(publication_id=row.publication_id).count()
    assert flagged.count() == in_batch < page.locator(".public-results tbody tr").count()
    assert "JL2026-000002" in " ".join(flagged.all_inner_texts())
    assert_accessible(page, "the results list with a result released late")
    assert fits(page)
