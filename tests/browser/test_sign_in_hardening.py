"""In a real browser: the login page of an address capped for every name (password spraying), and an admin's
password reset that says how many API tokens it revokes — on a desktop and on a phone."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.utils import timezone
from playwright.sync_api import expect

from shuangsuiji.accounts.models import ApiToken
from shuangsuiji.accounts.services import address_locked_until, do_create_token

from .conftest import PHONE, assert_accessible, watch_policy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("SCREENSHOT_DIR", "")
"""Set to a directory to keep the pages' screenshots for a person to look at."""


def shoot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_a_capped_address_is_refused_with_the_right_password_and_told_until_when(chromium, live_server, users,
                                                                                  settings, viewport):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 8
    now = timezone.now()
    for name in ("leader", "county_admin"):  # four guesses at each of two names from this address
        AccessAttempt.objects.create(username=name, ip_address="127.0.0.1", user_agent="spray", get_data="",
                                     post_data="", http_accept="*/*", path_info="/login/", failures_since_start=4,
                                     attempt_time=now)
    until = timezone.localtime(address_locked_until("127.0.0.1")).strftime("%Y-%m-%d %H:%M")
    context = chromium.new_context(viewport=viewport or {"width": 1366, "height": 900}, locale="zh-CN")
    refused: list[str] = []
    watch_policy(context, refused)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "city_admin")
    page.fill("#id_password", "pw-city_admin")
    page.click("form button[type=submit], form button.btn-success")
    expect(page.locator("body")).to_contain_text(f"从此地址登录任何用户名均已锁定至{until}")
    expect(page.locator("body")).to_contain_text("管理员解除个人账号的锁定不能解除此地址的锁定")
    expect(page.locator("#id_username")).to_have_value("city_admin")
    assert page.url.endswith("/login/")
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.scrollWidth") <= (viewport or {"width": 1366})["width"]
    assert_accessible(page, "the capped address's login page")
    shoot(page, f"address-lockout-{'phone' if viewport else 'desktop'}")
    context.close()
    assert refused == [], refused


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_an_admin_s_reset_says_beforehand_and_after_how_many_tokens_go(open_page, live_server, users, viewport):
    owner = users["inspector"]
    for name in ("省平台夜间同步", "县局看板"):
        do_create_token(owner, acting_user=owner, name=name, valid_through=timezone.localdate() + timedelta(days=30))
    page = open_page(users["county_admin"], "pw-county_admin", viewport)
    page.goto(f"{live_server.url}/accounts/users/{owner.pk}/password/")
    expect(page.locator("#revokes-tokens")).to_contain_text("有效 API 令牌（2 个）将同时吊销")
    shoot(page, f"reset-form-{'phone' if viewport else 'desktop'}")
    page.fill("#id_new_password1", "Laishui-2021!")
    page.fill("#id_new_password2", "Laishui-2021!")
    page.click("button:has-text('设置临时密码')")
    expect(page.locator("body")).to_contain_text("他的2个有效 API 令牌已吊销")
    expect(page.locator("#api-tokens")).to_contain_text("管理员重置密码，原有 API 令牌一并吊销")
    assert not ApiToken.objects.active().filter(owner=owner).exists()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.scrollWidth") <= (viewport or {"width": 1366})["width"]
    assert_accessible(page, "the user's page after the reset")
    shoot(page, f"reset-done-{'phone' if viewport else 'desktop'}")
