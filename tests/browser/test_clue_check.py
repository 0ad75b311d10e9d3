"""A county admin takes an approved clue about a positive-list firm to a drawn, dispatched 线索核查 the same day,
through the real pages in headless Chromium (实施方案 二(三) "应立即开展现场检查").

Workbench (待安排线索核查) → the clue's page → 立即安排现场检查 → the plan page → freeze → commit → witness dice →
draw → dispatch, on demo Baoding (tiny scale) seeded for today: the demo leaves one approved clue without its check.

Set ``SCREENSHOTS=DIR`` to keep a full-page screenshot of every step for review.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.demo.services import DEMO_PASSWORD
from shuangsuiji.engine.workdays import quarter_of
from shuangsuiji.intake.models import Clue, ClueStatus
from shuangsuiji.planning.gather import quarter_start
from shuangsuiji.planning.models import Plan, PlanKind, PlanStatus, TaskStatus

from ..seeding import seed_tiny_demo
from .conftest import assert_accessible
from .test_ceremony import shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_county_admin_opens_and_draws_a_clue_check_the_same_day(open_page, live_server, db):
    today = timezone.localdate()
    seed_tiny_demo(today, through="planning")  # up to the draws: no field records or publications needed
    waiting = Clue.objects.filter(status=ClueStatus.APPROVED, check_plan__isnull=True,
                                  found_on__gte=quarter_start(today.year, quarter_of(today)),
                                  applied_year__isnull=True).select_related("target__jurisdiction")
    clue = waiting.get()  # the demo's second clue, any day of a quarter
    county = clue.target.jurisdiction
    admin = (User.objects.filter(role=Role.COUNTY_ADMIN, jurisdiction=county).first()
             or User.objects.create_user(username="clue-county", password=DEMO_PASSWORD, role=Role.COUNTY_ADMIN,
                                         jurisdiction=county))
    page = open_page(admin, DEMO_PASSWORD)

    # the workbench: the approved clue waits for its check
    item = page.locator("a", has_text=clue.target.name).first
    expect(page.locator("body")).to_contain_text("待安排线索核查")
    shoot(page, "clue-1-workbench")
    item.click()
    page.wait_for_selector("#clue-check")
    expect(page.locator("#clue-check")).to_contain_text("立即安排现场检查")
    expect(page.locator("#clue-check input[name=check_items]:checked")).not_to_have_count(0)
    shoot(page, "clue-2-clue-page")
    assert_accessible(page, "clue page")

    page.click("#clue-check button:has-text('立即安排现场检查')")
    page.wait_for_selector("#clue-check-notice")
    plan = Plan.objects.get(kind=PlanKind.CLUE, clue=clue)
    expect(page.locator("#clue-check-notice")).to_contain_text(clue.target.name)
    expect(page.locator("#strata")).to_contain_text("不计入任何随机抽查比例")
    expect(page.locator("body")).not_to_contain_text("规定的抽取期")
    shoot(page, "clue-3-plan-draft")
    assert_accessible(page, "clue plan draft")

    page.click("button:has-text('审定并冻结')")  # the announced day is today: no draw window for a clue check
    page.wait_for_selector("#inputs-hash")
    page.click("button:has-text('生成密钥并承诺')")
    page.wait_for_selector("#commitment")
    page.select_option("#id_source", "dice")
    page.fill("#id_value", "6,2,4,1")
    page.fill("#id_witnesses", "王建国、刘淑芬")
    page.click("button:has-text('录入公开随机数')")
    page.wait_for_selector("#public-value")
    page.click("button:has-text('抽取')")
    page.wait_for_selector("#seed")
    expect(page.locator("#tasks tbody tr")).to_have_count(1)
    expect(page.locator("#tasks")).to_contain_text(clue.target.name)
    expect(page.locator("#tasks")).to_contain_text("线索核查")
    page.click("button:has-text('派发任务')")
    page.wait_for_selector("#plan-status:has-text('已派发')")
    shoot(page, "clue-4-plan-dispatched")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DISPATCHED
    drawn_on = timezone.localtime(plan.current_draw.drawn_at).date()
    # The day it was opened, unless the run itself crossed midnight in Beijing between the seed and the draw (a CI
    # run did, at 16:00 UTC): a late draw is still drawn, on the day the clock says.
    assert drawn_on == today or drawn_on == timezone.localdate() == today + timedelta(days=1)
    [selection] = plan.selections.select_related("task")
    assert selection.task.status == TaskStatus.DISPATCHED and selection.task.members.filter(active=True).count() >= 2

    # the clue's page now leads to its check; the workbench item is gone
    page.goto(f"{live_server.url}{clue.get_absolute_url()}")
    expect(page.locator("#clue-check")).to_contain_text(str(plan))
    expect(page.locator("#clue-check")).not_to_contain_text("立即安排现场检查")
    page.goto(f"{live_server.url}/")
    expect(page.locator("body")).not_to_contain_text("待安排线索核查")
    shoot(page, "clue-5-workbench-after")
