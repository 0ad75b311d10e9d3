"""The record form open on the inspector's phone says so whenever its task leaves his view, whatever the reason
(fieldwork/live.js): one the poll's answer names (a re-draw took the visit from his team) in its own words, and
one it cannot name — the task no longer visible to him at all (here his login moved to another county) — as no
longer on his list. Either way the form stops saving: it never goes on silently with a draft he can no longer
submit."""

import pytest
from playwright.sync_api import expect

from shuangsuiji.accounts.models import User
from shuangsuiji.fieldwork import services as fieldwork
from shuangsuiji.planning.models import TaskMember
from tests.planning.conftest import city  # noqa: F401 (a fixture, a parameter here)

from .conftest import PHONE, assert_accessible
from .test_fieldwork_live import his_task  # noqa: F401 (a fixture, a parameter here)
from .test_fieldwork_phone import wait_for_record_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_form(open_page, live_server, task, user):
    record = fieldwork.do_start_record(task, acting_user=user)
    page = open_page(user, "pw-live", PHONE)
    page.goto(f"{live_server.url}/fieldwork/records/{record.pk}/edit/")
    wait_for_record_page(page)
    return page


def test_a_task_out_of_his_view_for_a_reason_not_named_stops_the_form(open_page, live_server, city,  # noqa: F811
                                                                      his_task):  # noqa: F811
    task, user = his_task
    page = open_form(open_page, live_server, task, user)
    User.objects.filter(pk=user.pk).update(jurisdiction=city["tree"]["b"])  # moved: county A's tasks out of view
    alert = page.locator("#fw-live .fw-live-alert")
    expect(alert).to_contain_text("该任务已不在您的任务列表中：本记录不能再保存、签名或提交", timeout=15000)
    expect(alert.locator("a", has_text="返回我的任务")).to_have_count(1)
    expect(page.locator("#id_findings")).to_be_disabled()
    expect(page.locator("button[value=submit]").first).to_be_disabled()


def test_a_redraw_that_took_the_visit_is_said_in_its_own_words(open_page, live_server, city,  # noqa: F811
                                                               his_task):  # noqa: F811
    task, user = his_task
    page = open_form(open_page, live_server, task, user)
    # planning.services._supersede on a merged visit another plan keeps: his place on the team ends, no one
    # replaced him
    TaskMember.objects.filter(task=task, inspector_id=user.inspector_id).update(active=False)
    alert = page.locator("#fw-live .fw-live-alert")
    expect(alert).to_contain_text("该任务所在的抽取已变更（重新抽取或递补），您不再是该任务的检查人员", timeout=15000)
    expect(page.locator("#id_findings")).to_be_disabled()
    assert_accessible(page, "record form of a task a re-draw took")
