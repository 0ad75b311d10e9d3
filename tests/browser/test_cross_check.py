"""A county admin enters a 跨部门联合抽查 and takes it to a dispatched plan, through the real pages in headless
Chromium (实施方案 二(五); 国发〔2019〕5号).

Plan list → 新建跨部门联合抽查 → the form, with one wrong line first (a firm of another county) and its error → the
line fixed → 登记 → the plan page → freeze → commit → witness dice → draw → dispatch; then the public plan page
names the departments. On demo Baoding (tiny scale) seeded for today; the form is also opened on a phone's width.

Set ``SCREENSHOTS=DIR`` to keep a full-page screenshot of every step for review.
"""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.demo.services import DEMO_PASSWORD
from shuangsuiji.planning.models import Plan, PlanKind, PlanStatus, Task, TaskStatus
from shuangsuiji.registry.models import Target

from ..seeding import seed_tiny_demo
from .conftest import PHONE, assert_accessible
from .test_ceremony import shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_county_admin_enters_a_cross_department_check_and_dispatches_it(open_page, live_server, db):
    today = timezone.localdate()
    seed_tiny_demo(today, through="planning")  # up to the draws: no field records or publications needed
    admin = User.objects.filter(role=Role.COUNTY_ADMIN, is_active=True).select_related("jurisdiction").first()
    county = admin.jurisdiction
    busy = Task.objects.filter(year=today.year, quarter=(today.month - 1) // 3 + 1).values("target_id")
    mine = list(Target.objects.filter(jurisdiction=county, status="active").exclude(pk__in=busy)
                .order_by("credit_code")[:3])
    assert len(mine) == 3
    elsewhere = Target.objects.filter(jurisdiction__level="county", status="active").exclude(
        jurisdiction=county).order_by("credit_code").first()
    before = set(Plan.objects.filter(kind=PlanKind.CROSS).values_list("pk", flat=True))
    page = open_page(admin, DEMO_PASSWORD)

    page.goto(f"{live_server.url}/planning/")
    page.click("#new-cross-check")
    page.wait_for_selector("#cross-check-form")
    page.fill("#id_initiator", "保定市市场监督管理局")
    page.fill("#id_participants", "保定市应急管理局")
    page.fill("#id_platform_ref", "SCJG-2026-0311")
    # pasted from a spreadsheet's column: a blank line, lower case, spaces — and a firm of another county
    pasted = f"{mine[0].credit_code.lower()}\n\n  {mine[1].credit_code}  \n{elsewhere.credit_code}\n"
    page.fill("#id_targets", pasted)
    page.click("#check-codes")
    page.wait_for_selector("#targets-preview")
    expect(page.locator("#targets-preview tr.table-danger")).to_have_count(1)
    expect(page.locator("#targets-preview tr.table-danger")).to_contain_text(f"不在{county.name}辖区内")
    expect(page.locator("#targets-preview")).to_contain_text(mine[0].name)
    page.click("#create-cross-check")
    page.wait_for_selector("#targets-errors")
    expect(page.locator("#targets-errors")).to_contain_text(f"第4行 {elsewhere.credit_code}")
    assert set(Plan.objects.filter(kind=PlanKind.CROSS).values_list("pk", flat=True)) == before
    shoot(page, "cross-1-form-error")
    assert_accessible(page, "cross-department form")

    page.fill("#id_targets", "\n".join(target.credit_code for target in mine))
    page.click("#create-cross-check")
    page.wait_for_selector("#cross-check-notice")
    [plan] = Plan.objects.filter(kind=PlanKind.CROSS).exclude(pk__in=before)
    expect(page.locator("#cross-initiator")).to_contain_text("保定市市场监督管理局")
    expect(page.locator("#cross-participants")).to_contain_text("保定市应急管理局")
    expect(page.locator("#strata")).to_contain_text("不计入本局任何随机抽查比例")
    expect(page.locator("body")).not_to_contain_text("规定的抽取期")
    shoot(page, "cross-2-plan-draft")
    assert_accessible(page, "cross-department plan draft")

    page.click("button:has-text('审定并冻结')")  # the announced day is today: no draw window for given targets
    page.wait_for_selector("#inputs-hash")
    page.click("button:has-text('生成密钥并承诺')")
    page.wait_for_selector("#commitment")
    page.select_option("#id_source", "dice")
    page.fill("#id_value", "5,2,6,3")
    page.fill("#id_witnesses", "王建国、刘淑芬")
    page.click("button:has-text('录入公开随机数')")
    page.wait_for_selector("#public-value")
    page.click("button:has-text('抽取')")
    page.wait_for_selector("#seed")
    expect(page.locator("#tasks tbody tr")).to_have_count(3)
    expect(page.locator("#tasks")).to_contain_text("跨部门联合抽查")
    page.click("button:has-text('派发任务')")
    page.wait_for_selector("#plan-status:has-text('已派发')")
    shoot(page, "cross-3-plan-dispatched")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DISPATCHED
    tasks = [selection.task for selection in plan.selections.select_related("task")]
    assert {task.status for task in tasks} == {TaskStatus.DISPATCHED} and all(t.is_cross_department for t in tasks)

    # the public plan page says what kind of check it is and who takes part
    page.goto(f"{live_server.url}/public/plans/{plan.pk}/")
    expect(page.locator("#cross-check")).to_contain_text("保定市市场监督管理局")
    expect(page.locator("#cross-participants")).to_contain_text("保定市应急管理局")
    expect(page.locator("h1")).to_contain_text("跨部门联合抽查")
    shoot(page, "cross-4-public-plan")

    # not made for phones, but it must not break on a narrow screen
    phone = open_page(admin, DEMO_PASSWORD, viewport=PHONE)
    phone.goto(f"{live_server.url}/planning/new/cross-department/")
    phone.wait_for_selector("#cross-check-form")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(phone, "cross-5-form-phone")
