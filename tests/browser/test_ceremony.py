"""A county admin runs a whole draw ceremony through the real pages in headless Chromium.

Plan → approve and freeze → commit → witness dice → draw → dispatch, on demo Baoding (tiny scale) seeded
for today, as ``county2``, whose county (徐水区, the demo's ``LEFT_TO_PLAN``) has no plan of today's quarter
yet. The pages must show the inputs hash and the commitment as soon as they exist, never the secret before
the reveal, and the drawn tasks; the inspectors then find their tasks at once.

Set ``SCREENSHOTS=DIR`` to keep a full-page screenshot of every step (desktop and phone) for review.
"""

import os
from datetime import date
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.demo.services import DEMO_PASSWORD
from shuangsuiji.planning.demo import LEFT_TO_PLAN
from shuangsuiji.planning.models import Draw, Plan, PlanStatus, TaskMember, TaskStatus

from ..seeding import seed_tiny_demo
from .conftest import PHONE, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shoot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.fixture
def baoding(db) -> date:
    """Demo Baoding of today up to its draws: the ceremony needs the classifications and this quarter's other
    plans, not the field records and publications."""
    today = timezone.localdate()
    seed_tiny_demo(today, through="planning")
    return today


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_county_admin_walks_through_the_ceremony(open_page, live_server, baoding, viewport):
    label = "phone" if viewport else "desktop"
    today = baoding
    quarter = (today.month - 1) // 3 + 1
    county = User.objects.get(username="county2")
    assert county.jurisdiction.code == LEFT_TO_PLAN
    page = open_page(county, DEMO_PASSWORD, viewport)

    page.goto(f"{live_server.url}/planning/new/")
    page.select_option("#id_jurisdiction", str(county.jurisdiction_id))
    page.fill("#id_year", str(today.year))
    page.select_option("#id_quarter", str(quarter))
    shoot(page, f"{label}-1-create")
    page.click("button:has-text('编制')")
    page.wait_for_selector("#ceremony")
    plan = Plan.objects.get(jurisdiction=county.jurisdiction, year=today.year, quarter=quarter)
    assert plan.status == PlanStatus.DRAFT
    # Each step below is a form post whose answer is a new page: the element waited for can be in the document
    # before the rest of it is parsed, so what is read afterwards is read through expect(), which waits for it.
    strata = page.locator("#strata")
    expect(strata).to_contain_text("重点排污单位")
    expect(strata).to_contain_text("指导意见 二(一)")  # minimum with its citation
    shoot(page, f"{label}-2-draft")
    assert_accessible(page, "2-draft")

    page.click("button:has-text('审定并冻结')")
    page.wait_for_selector("#inputs-hash")
    draw = Draw.objects.get(plan=plan)
    expect(page.locator("#inputs-hash")).to_have_text(draw.inputs_hash)
    expect(page.locator("body")).to_contain_text("请立即公布")

    page.click("button:has-text('生成密钥并承诺')")
    page.wait_for_selector("#commitment")
    draw.refresh_from_db()
    expect(page.locator("#commitment")).to_have_text(draw.commitment)
    page.wait_for_load_state()  # the whole page is parsed: the absence below is checked on all of it
    assert draw.secret not in page.content()  # the secret is never shown before the reveal
    shoot(page, f"{label}-3-committed")
    assert_accessible(page, "3-committed")

    # The form shows the chosen source's own fields only (the page's script shows and hides them on the
    # change event: expect() waits for it rather than reading the fields' visibility at once).
    page.select_option("#id_source", "lottery")
    expect(page.locator("#id_lottery_date")).to_be_visible()
    expect(page.locator("#id_witnesses")).to_be_hidden()
    expect(page.locator("text=开奖号码，按公布的原样填写")).to_be_visible()
    expect(page.locator("text=掷出的点数")).to_be_hidden()
    shoot(page, f"{label}-3-lottery")
    page.select_option("#id_source", "drand")
    expect(page.locator("#id_drand_round")).to_be_visible()
    expect(page.locator("#id_lottery_name")).to_be_hidden()
    page.select_option("#id_source", "dice")
    expect(page.locator("#id_witnesses")).to_be_visible()
    expect(page.locator("#id_drand_round")).to_be_hidden()
    page.fill("#id_value", "3,5,7,6")
    page.click("button:has-text('录入公开随机数')")
    expect(page.locator("body")).to_contain_text("至少两名见证人")  # dice without witnesses are refused
    # and, at the same time, the wrong die is named by its place, not only "应为 1–6"
    expect(page.locator("body")).to_contain_text("第 3 个“7”不是 1–6 的骰子点数")
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.COMMITTED
    page.fill("#id_value", "3,5,1,6")
    page.fill("#id_witnesses", "张三、李四")
    page.click("button:has-text('录入公开随机数')")
    page.wait_for_selector("#public-value")
    expect(page.locator("#public-value")).to_have_text("3516")
    expect(page.locator("#ceremony")).to_contain_text("张三、李四")

    page.click("button:has-text('抽取')")
    page.wait_for_selector("#seed")
    draw.refresh_from_db()
    expect(page.locator("#seed")).to_have_text(draw.seed)
    requested = sum(plan.strata.filter(drawn=True).values_list("requested", flat=True))
    # The table of tasks comes after #seed in the page: counted at once, its rows were still being parsed.
    expect(page.locator("#tasks tbody tr")).to_have_count(min(requested, 50))
    page.wait_for_load_state()
    assert draw.secret not in page.content()
    shoot(page, f"{label}-4-drawn")
    assert_accessible(page, "4-drawn")

    page.click("button:has-text('派发任务')")
    page.wait_for_selector("#plan-status:has-text('已派发')")
    assert not plan.selections.exclude(task__status=TaskStatus.DISPATCHED).exists()
    shoot(page, f"{label}-5-dispatched")

    # The team members see their tasks, with the deadline, the moment the plan is dispatched.
    member = TaskMember.objects.filter(draw=draw, active=True).select_related("inspector").first()
    officer = User.objects.filter(inspector=member.inspector).first() or User.objects.create_user(
        username="officer", password=DEMO_PASSWORD, role=Role.INSPECTOR, jurisdiction=county.jurisdiction,
        inspector=member.inspector)
    mine = open_page(officer, DEMO_PASSWORD, viewport)
    mine.goto(f"{live_server.url}/planning/tasks/mine/")
    cards = mine.inner_text("#my-tasks")
    own = TaskMember.objects.filter(inspector=member.inspector, active=True, draw=draw).select_related("task__target")
    for membership in own:
        assert membership.task.target.name in cards
    assert membership.task.deadline.isoformat() in cards
    shoot(mine, f"{label}-6-my-tasks")
    # ...but not the plan, nor anyone else's team.
    assert mine.goto(f"{live_server.url}/planning/{plan.pk}/").status == 404
