"""审计日志 in a real browser: the city admin finds an address locked for every name, lifts it with a reason and
checks the chain — on a desktop and on a phone, every page passing axe."""

from datetime import timedelta

import pytest
from django.test import Client
from playwright.sync_api import expect

from shuangsuiji.accounts.services import address_locked_until
from shuangsuiji.audit.models import Event

from .conftest import PHONE, assert_accessible, open_phone_menu

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SPRAYER = "10.0.0.66"


@pytest.fixture
def capped(settings, users):
    settings.AXES_FAILURE_LIMIT = 5
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 10
    settings.AXES_COOLOFF_TIME = timedelta(minutes=30)
    sprayer = Client(REMOTE_ADDR=SPRAYER)
    for name in ("leader", "county_admin", "nobody"):
        for _ in range(4):
            sprayer.post("/login/", {"username": name, "password": "wrong-password"})
    assert address_locked_until(SPRAYER) is not None
    return SPRAYER


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_the_city_finds_a_locked_address_lifts_it_and_verifies_the_chain(open_page, users, capped, viewport):
    page = open_page(users["city_admin"], "pw-city_admin", viewport)
    if viewport:
        open_phone_menu(page)
    page.click("a.dropdown-toggle:has-text('更多')")
    page.wait_for_selector(".dropdown-menu.show a.dropdown-item:has-text('审计日志')")
    page.click("a.dropdown-item:has-text('审计日志')")
    page.wait_for_url("**/audit/")
    if viewport:
        page.click("button:has-text('筛选')")  # the filters fold away on a phone
    page.select_option("#id_about", "none")
    page.click("button:has-text('查询')")
    page.wait_for_url("**/audit/?*about=none*")
    rows = page.locator("#audit-events tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("同一地址登录失败过多，地址锁定")
    expect(rows.first).to_contain_text("仍锁定至")
    assert_accessible(page, "audit page")
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.scrollWidth") <= (viewport or {"width": 1366})["width"]

    rows.first.locator("a:has-text('解除地址锁定')").click()
    page.wait_for_url("**/accounts/address-locks/lift/**")  # its next= holds slashes, which * does not match
    expect(page.locator("h1")).to_contain_text(SPRAYER)
    assert_accessible(page, "lift page")
    page.click("form button.btn-danger")  # no reason yet: refused, said at the field
    expect(page.locator(".invalid-feedback")).to_contain_text("请填写解除理由")
    assert address_locked_until(SPRAYER) is not None
    page.fill("#id_reason", "核实为本局培训教室的出口")
    page.click("form button.btn-danger")
    page.wait_for_url("**/audit/?*about=none*")  # back to the list as it was
    expect(page.locator("body")).to_contain_text("已解除网络地址 10.0.0.66 的登录锁定，已记入审计日志。")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("解除地址登录锁定")
    expect(rows.first).to_contain_text("核实为本局培训教室的出口")
    expect(page.locator("#audit-events")).not_to_contain_text("仍锁定至")
    assert address_locked_until(SPRAYER) is None
    assert Event.objects.get(action="login.address_unlock").actor == users["city_admin"]

    page.click("button:has-text('核验哈希链')")
    expect(page.locator("#audit-chain")).to_contain_text("哈希链完整")
    expect(rows).to_have_count(2)  # the filters stayed
    assert_accessible(page, "audit page, chain verified")
