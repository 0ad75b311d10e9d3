# ruff: noqa: F811 (fixtures of the fieldwork tests, imported by name, are parameters here)
"""An inspector has his re-check's record form open at the unit; his partner submits the re-check record from his
own phone. The open form learns it by its poll (fieldwork/live.js, the interval shortened here), says so in the
re-check's words and saves no more. A re-check is neither withdrawn nor reassigned (fieldwork/live.py): a team
mate's submission stops its form, and so does its cancellation (an amendment of the source record no longer orders
rectification). Set FIELDWORK_SHOTS=<dir> to keep a screenshot."""

import pytest
from playwright.sync_api import expect

from shuangsuiji.fieldwork import services as fieldwork
from tests.fieldwork.conftest import (  # noqa: F401 (fixtures)
    NO_PROBLEM,
    amended,
    fill,
    items,
    recheck,
    sign_all,
    source,
    target,
    task,
    team,
)

from .conftest import assert_accessible
from .test_fieldwork_phone import SHOTS, wait_for_record_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SMALL_PHONE = {"width": 375, "height": 800}


def test_a_recheck_form_says_so_when_the_partner_submits_it(open_page, live_server, settings, recheck, team,
                                                            users):
    settings.FIELDWORK_LIVE_SECONDS = 1
    inspector = users["inspector"]
    record = fieldwork.do_start_recheck_record(recheck, acting_user=inspector)
    page = open_page(inspector, "pw-inspector", SMALL_PHONE)
    page.goto(f"{live_server.url}/fieldwork/records/{record.pk}/edit/")
    wait_for_record_page(page)
    expect(page.locator("#fw-live")).to_have_attribute("data-recheck", str(recheck.pk))
    with page.expect_response(lambda r: "/fieldwork/tasks/changes/" in r.url and r.status == 304):
        pass  # nothing changed: answered 304, the form says nothing
    expect(page.locator("#fw-live .fw-live-alert")).to_have_count(0)

    record = fill(record, team["partner"])
    sign_all(record, team["partner"])
    fieldwork.do_submit_record(record, acting_user=team["partner"])

    alert = page.locator("#fw-live .fw-live-alert")
    expect(alert).to_contain_text("该记录已由检查组其他成员提交封存，不能再修改。", timeout=15000)
    expect(page.locator("#id_findings")).to_be_disabled()
    expect(page.locator("button[value=submit]").first).to_be_disabled()
    expect(alert.locator("a", has_text="点此查看")).to_have_attribute("href", f"/fieldwork/records/{record.pk}/")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/recheck-form-stopped.png")
    assert_accessible(page, "re-check record form submitted by the partner")


def test_the_task_list_says_a_recheck_was_submitted(open_page, live_server, settings, recheck, team,
                                                     users):
    """The list counts a re-check his partner submitted as submitted — it said "有更新" before the poll named the
    re-checks the list shows — and offers a reload, after which the re-check is gone from it."""
    settings.FIELDWORK_LIVE_SECONDS = 1
    inspector = users["inspector"]
    page = open_page(inspector, "pw-inspector", SMALL_PHONE)
    page.goto(f"{live_server.url}/fieldwork/tasks/")
    expect(page.locator("main")).to_contain_text(recheck.number)
    record = fieldwork.do_start_recheck_record(recheck, acting_user=team["partner"])
    banner = page.locator("#fw-live .fw-live-alert")
    expect(banner).to_contain_text("任务有变化：1 项有更新", timeout=15000)  # its draft begun
    record = fill(record, team["partner"])
    sign_all(record, team["partner"])
    fieldwork.do_submit_record(record, acting_user=team["partner"])
    expect(banner).to_contain_text("任务有变化：1 项的记录已由检查组提交", timeout=15000)
    banner.locator("a", has_text="点此刷新").click()
    expect(page.locator("#fw-live .fw-live-alert")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text(recheck.number)


def test_a_recheck_form_says_so_when_the_amendment_cancels_it(open_page, live_server, settings, source,
                                                             recheck, users):
    settings.FIELDWORK_LIVE_SECONDS = 1
    inspector = users["inspector"]
    record = fieldwork.do_start_recheck_record(recheck, acting_user=inspector)
    page = open_page(inspector, "pw-inspector", SMALL_PHONE)
    page.goto(f"{live_server.url}/fieldwork/records/{record.pk}/edit/")
    wait_for_record_page(page)
    with page.expect_response(lambda r: "/fieldwork/tasks/changes/" in r.url and r.status == 304):
        pass
    amended(source, users, NO_PROBLEM)
    alert = page.locator("#fw-live .fw-live-alert")
    expect(alert).to_contain_text("该复查任务已取消：原检查记录经更正后不再责令整改", timeout=15000)
    expect(page.locator("#id_findings")).to_be_disabled()
    expect(page.locator("button[value=submit]").first).to_be_disabled()
    expect(alert.locator("a", has_text="返回我的任务")).to_have_attribute("href", "/fieldwork/tasks/")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/recheck-form-cancelled.png")
    assert_accessible(page, "re-check record form cancelled by an amendment")


def test_the_task_list_says_a_recheck_was_cancelled(open_page, live_server, settings, source, recheck,
                                                     users):
    settings.FIELDWORK_LIVE_SECONDS = 1
    inspector = users["inspector"]
    page = open_page(inspector, "pw-inspector", SMALL_PHONE)
    page.goto(f"{live_server.url}/fieldwork/tasks/")
    expect(page.locator("main")).to_contain_text(recheck.number)
    amended(source, users, NO_PROBLEM)
    banner = page.locator("#fw-live .fw-live-alert")
    expect(banner).to_contain_text("1 项复查已取消（更正后不再责令整改）", timeout=15000)
    banner.locator("a", has_text="点此刷新").click()
    expect(page.locator("main")).not_to_contain_text(recheck.number)
