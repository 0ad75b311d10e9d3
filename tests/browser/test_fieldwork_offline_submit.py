"""提交并封存 pressed in a dead zone says "现在没有网络。草稿已保存在本机，联网后再提交。"; once the phone is back
online and what it kept has reached the server, that banner no longer stands on a screen that says 在线: it says
he may submit now (docs/guide/inspector.md, "出了问题怎么办")."""

import pytest
from playwright.sync_api import expect

from .conftest import PHONE
from .test_fieldwork_phone import start_record, task, wait_until_sent  # noqa: F401 (a fixture, a parameter here)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_no_network_banner_gives_way_once_back_online(open_page, users, task, live_server):  # noqa: F811
    page, record = start_record(open_page(users["inspector"], "pw-inspector", PHONE), task, live_server)
    page.context.set_offline(True)
    page.evaluate("window.dispatchEvent(new Event('offline'))")
    page.fill("#id_findings", "断网时填写的检查情况")
    page.click("#fw-submit")
    banner = page.locator("#fw-banner")
    expect(banner).to_contain_text("现在没有网络。草稿已保存在本机，联网后再提交。")
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(banner).to_contain_text("已恢复网络，本机的修改已同步到服务器，现在可以提交。")
    expect(banner).not_to_contain_text("现在没有网络")
    wait_until_sent(page)
    record.refresh_from_db()
    assert record.findings == "断网时填写的检查情况" and record.sealed_at is None  # nothing sealed by itself
