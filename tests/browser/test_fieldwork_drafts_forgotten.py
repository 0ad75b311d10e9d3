"""A record's draft is kept on the phone (localStorage) only while the server lacks something of it: the page of a
sealed record drops its draft, and signing out drops every draft the server holds, keeping those with edits not
sent yet. A phone is shared by a team, or lost; the draft is the whole record (statements, phone numbers)."""

import pytest
from playwright.sync_api import expect

from shuangsuiji.fieldwork import services
from tests.fieldwork.conftest import fill, sign_all

from .conftest import PHONE, open_phone_menu
from .test_fieldwork_phone import start_record, task, wait_until_sent  # noqa: F401 (task: a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DRAFTS = "Object.keys(localStorage).filter(k => k.startsWith('fieldwork-record-')).sort()"


def test_the_sealed_records_page_drops_its_draft(open_page, users, task, live_server):  # noqa: F811
    page, record = start_record(open_page(users["inspector"], "pw-inspector", PHONE), task, live_server)
    page.fill("#id_place", "二号车间")
    wait_until_sent(page)
    assert page.evaluate(DRAFTS) == [f"fieldwork-record-{record.pk}"]
    # sealed by the team mate's phone: this one learns it when it opens the record again
    record.refresh_from_db()
    fill(record, users["inspector"])
    sign_all(record, users["inspector"])
    services.do_submit_record(record, acting_user=users["inspector"])
    page.goto(f"{live_server.url}/fieldwork/records/{record.pk}/")
    expect(page.locator("h1")).to_contain_text(record.number)
    assert page.evaluate(DRAFTS) == []


def test_signing_out_drops_the_sent_drafts_and_keeps_the_unsent(open_page, users, task, live_server):  # noqa: F811
    page, record = start_record(open_page(users["inspector"], "pw-inspector", PHONE), task, live_server)
    page.fill("#id_place", "二号车间")
    wait_until_sent(page)
    # another record's edits that never reached the server (written as record.js writes them)
    page.evaluate("localStorage.setItem('fieldwork-record-999999', JSON.stringify("
                  "{base: 1, seq: 1, dirty: true, fields: [['place', '三号车间']], signatures: []}))")
    page.evaluate("localStorage.setItem('unrelated', 'kept')")
    assert sorted(page.evaluate(DRAFTS)) == sorted([f"fieldwork-record-{record.pk}", "fieldwork-record-999999"])
    page.goto(f"{live_server.url}/")
    open_phone_menu(page)  # the phone's menu holds 退出
    page.locator("#app-logout button").click()
    page.wait_for_url(f"{live_server.url}/login/**")
    assert page.evaluate(DRAFTS) == ["fieldwork-record-999999"]
    assert page.evaluate("localStorage.getItem('unrelated')") == "kept"
