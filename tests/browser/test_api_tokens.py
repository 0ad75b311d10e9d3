"""A county admin makes an API token on the real page (from the user menu, on a desktop and on a phone), copies
the secret it shows once, and a plain HTTP client — not the browser — reads the staff API with it against the
live server: his county's targets only. Revoked on the page, the same request gets 401 saying so."""

import json
import os
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from shuangsuiji.accounts.models import ApiToken
from shuangsuiji.accounts.services import do_create_token, token_hash
from shuangsuiji.engine.creditcode import complete
from shuangsuiji.registry.models import Target

from .conftest import PHONE, assert_accessible, open_phone_menu

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("SCREENSHOT_DIR", "")) if os.environ.get("SCREENSHOT_DIR") else None
"""Set SCREENSHOT_DIR to keep the pages as PNGs (to look at them); unset, none are written."""


def call_api(url: str, secret: str) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {secret}", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def shot(page, name: str) -> None:
    if SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_a_token_made_on_the_page_reads_the_api_from_a_plain_client(open_page, users, tree, live_server, viewport):
    Target.objects.create(credit_code=complete("91130623000000001"), name="涞水甲公司", jurisdiction=tree["a"])
    Target.objects.create(credit_code=complete("91130624000000002"), name="阜平乙公司", jurisdiction=tree["b"])
    page = open_page(users["county_admin"], "pw-county_admin", viewport,
                     permissions=["clipboard-read", "clipboard-write"])
    if viewport:
        open_phone_menu(page)
    page.click("#user-menu")
    page.click(".dropdown-menu.show a.dropdown-item:has-text('我的 API 令牌')")
    page.wait_for_url("**/accounts/tokens/")
    expect(page.locator("#token-table")).to_have_count(0)
    page.fill("#id_name", "省平台夜间同步")
    page.click("button:has-text('创建令牌')")
    page.wait_for_selector("#new-token")
    secret = page.input_value("#new-token")
    assert secret.startswith("ssj_") and len(secret) == 56
    token = ApiToken.objects.get(owner=users["county_admin"])
    assert token.secret_hash == token_hash(secret) and token.name == "省平台夜间同步"
    expect(page.locator("#new-token-box")).to_contain_text("只显示这一次")
    page.click("button[data-copy]")
    expect(page.locator("button[data-copy]")).to_contain_text("已复制")
    assert page.evaluate("navigator.clipboard.readText()") == secret
    assert_accessible(page, "the new token")
    shot(page, f"tokens-created-{'phone' if viewport else 'desktop'}")

    status, body = call_api(f"{live_server.url}/api/registry/targets/", secret)
    assert status == 200 and [row["name"] for row in body["results"]] == ["涞水甲公司"]

    page.goto(f"{live_server.url}/accounts/tokens/")  # the secret is not shown again; its use is
    expect(page.locator("#new-token")).to_have_count(0)
    row = page.locator(f"#token-table tr[data-prefix='{token.prefix}']")
    expect(row).to_contain_text("省平台夜间同步")
    expect(row).to_contain_text("127.0.0.1")
    assert secret not in page.content()
    shot(page, f"tokens-list-{'phone' if viewport else 'desktop'}")

    row.locator("a:has-text('吊销')").click()
    page.wait_for_url(f"**/accounts/tokens/{token.pk}/revoke/")
    page.fill("#id_reason", "测试完毕")
    page.click("button.btn-danger:has-text('吊销')")
    page.wait_for_url("**/accounts/tokens/")
    expect(page.locator(f"#token-table tr[data-prefix='{token.prefix}']")).to_contain_text("已吊销")
    assert_accessible(page, "the list with a revoked token")
    shot(page, f"tokens-revoked-{'phone' if viewport else 'desktop'}")
    status, body = call_api(f"{live_server.url}/api/registry/targets/", secret)
    assert status == 401 and "吊销" in body["detail"]


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_an_admin_revokes_an_officers_token_on_his_page(open_page, users, live_server, viewport):
    _token, secret = do_create_token(users["inspector"], acting_user=users["inspector"], name="执法记录仪同步",
                                     valid_through=timezone.localdate() + timedelta(days=30))
    page = open_page(users["county_admin"], "pw-county_admin", viewport)
    page.goto(f"{live_server.url}/accounts/users/{users['inspector'].pk}/")
    card = page.locator("#api-tokens")
    expect(card).to_contain_text("执法记录仪同步")
    expect(card).to_contain_text("从未使用")
    assert_accessible(page, "a user's page with his tokens")
    shot(page, f"tokens-user-page-{'phone' if viewport else 'desktop'}")
    card.locator("a:has-text('吊销')").click()
    page.fill("#id_reason", "人员调离")
    shot(page, f"tokens-revoke-form-{'phone' if viewport else 'desktop'}")
    page.click("button.btn-danger:has-text('吊销')")
    page.wait_for_url(f"**/accounts/users/{users['inspector'].pk}/")
    expect(page.locator("#api-tokens")).to_contain_text("人员调离")
    status, body = call_api(f"{live_server.url}/api/registry/targets/", secret)
    assert status == 401 and "吊销" in body["detail"]
