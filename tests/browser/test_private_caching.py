"""A shared browser keeps nothing of a signed-in user's pages (shuangsuiji.caching, Cache-Control: private,
no-store): after 退出 the back button asks the server, which answers the login page, where it showed the officer's
page again from the browser's cache. The phone's record form keeps its draft on the phone, not in that cache: back
to the record with no network is the browser's error page, and the draft comes back with the signal."""

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from .conftest import PHONE
from .test_fieldwork_phone import start_record, task, wait_for_record_page, wait_until_sent  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_after_signing_out_the_back_button_shows_the_login_page_not_the_officer_s(open_page, users, live_server):
    page = open_page(users["county_admin"], "pw-county_admin")
    page.goto(f"{live_server.url}/accounts/users/")
    expect(page.locator("body")).to_contain_text("inspector")  # the accounts of his county
    page.click("form[action='/logout/'] button")
    page.wait_for_load_state()
    assert "/accounts/users/" not in page.url
    page.go_back()
    page.wait_for_url(f"{live_server.url}/login/?next=/accounts/users/")
    expect(page.locator("#id_username")).to_be_visible()
    assert "inspector" not in page.locator("main, body").first.inner_text()


def test_back_to_the_record_with_no_network_is_an_error_page_and_the_draft_comes_back_with_the_signal(
        open_page, users, task, live_server):  # noqa: F811
    page, record = start_record(open_page(users["inspector"], "pw-inspector", PHONE), task, live_server)
    page.fill("#id_findings", "现场填写的检查情况")
    page.goto(f"{live_server.url}/fieldwork/tasks/")
    # (no page.route here: Playwright's routing turns the browser's cache off, and this is about that cache)
    page.context.set_offline(True)
    with pytest.raises(PlaywrightError, match="ERR_INTERNET_DISCONNECTED"):
        page.go_back()  # the browser kept no copy of the record page
    page.context.set_offline(False)  # where the signal is, he opens the record again
    page.goto(f"{live_server.url}/fieldwork/records/{record.pk}/edit/")
    wait_for_record_page(page)
    expect(page.locator("#id_findings")).to_have_value("现场填写的检查情况")
    wait_until_sent(page)
    record.refresh_from_db()
    assert record.findings == "现场填写的检查情况"
