"""An inspector keeps his task list or his record form open all day; an admin withdraws his task meanwhile. The
open page learns it by its poll (fieldwork/live.js, the interval shortened here) and says so: the list with a
banner offering a reload — it does not reload by itself — and the record form at once, saving no more."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.fieldwork import services as fieldwork
from shuangsuiji.planning import services
from shuangsuiji.planning.models import Plan, Task, TaskStatus
from shuangsuiji.registry.models import Target
from tests.planning.conftest import ceremony, city  # noqa: F401 (a fixture, a parameter here)

from .conftest import PHONE, assert_accessible
from .test_fieldwork_phone import wait_for_record_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def his_task(city, settings):  # noqa: F811
    """A dispatched task of county A's plan and a login for the first officer of its team; polls every second."""
    settings.FIELDWORK_LIVE_SECONDS = 1
    plan = services.do_create_plan(jurisdiction=city["tree"]["a"], year=2021, quarter=2, acting_user=None)
    ceremony(plan)
    services.do_dispatch(Plan.objects.get(pk=plan.pk), acting_user=None)
    task = Task.objects.filter(selections__plan=plan, status=TaskStatus.DISPATCHED).order_by("pk").first()
    inspector = task.members.filter(active=True).order_by("slot").first().inspector
    user = User.objects.filter(inspector=inspector).first()
    if user is None:
        user = User.objects.create_user(username="officer-live", password="pw-live", role=Role.INSPECTOR,
                                        jurisdiction=inspector.jurisdiction, inspector=inspector)
    else:
        user.set_password("pw-live")
        user.save()
    return task, user


def withdraw(task, city):  # noqa: F811
    Target.objects.filter(pk=task.target_id).update(status="defunct", defunct_date=timezone.localdate())
    services.do_substitute_target(task, reason="企业已关停注销", acting_user=city["users"]["county_admin"])


def test_the_task_list_shows_a_banner_when_his_task_is_withdrawn(open_page, live_server, city, his_task):  # noqa: F811
    task, user = his_task
    page = open_page(user, "pw-live", PHONE)
    page.goto(f"{live_server.url}/fieldwork/tasks/")
    card = page.locator(".fw-task", has_text=task.target.name)
    expect(card).to_have_count(1)
    with page.expect_response(lambda r: "/fieldwork/tasks/changes/" in r.url and r.status == 304):
        pass  # nothing changed: the poll is answered 304 and the page says nothing
    expect(page.locator("#fw-live .fw-live-alert")).to_have_count(0)
    withdraw(task, city)
    banner = page.locator("#fw-live .fw-live-alert")
    expect(banner).to_contain_text("任务有变化：1 项已撤回", timeout=15000)
    expect(card).to_have_count(1)  # no reload of its own: what he may be doing stays as it is
    assert_accessible(page, "phone task list with the change banner")
    banner.locator("a", has_text="点此刷新").click()
    expect(page.locator(".fw-task", has_text=task.target.name)).to_have_count(0)
    expect(page.locator("#fw-live .fw-live-alert")).to_have_count(0)


def test_the_record_form_says_at_once_and_saves_no_more(open_page, live_server, city, his_task):  # noqa: F811
    task, user = his_task
    record = fieldwork.do_start_record(task, acting_user=user)
    page = open_page(user, "pw-live", PHONE)
    page.goto(f"{live_server.url}/fieldwork/records/{record.pk}/edit/")
    wait_for_record_page(page)
    withdraw(task, city)
    alert = page.locator("#fw-live .fw-live-alert")
    expect(alert).to_contain_text("该任务已被管理员撤销：本记录不能再保存、签名或提交", timeout=15000)
    expect(page.locator("#id_findings")).to_be_disabled()
    expect(page.locator("button[value=submit]").first).to_be_disabled()
    assert_accessible(page, "record form of a withdrawn task")
