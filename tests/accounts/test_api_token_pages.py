"""The API token pages, role by role: everyone keeps his own tokens (我的 API 令牌: list, create — the secret shown
once, in that answer only — and revoke with a reason); an admin sees the tokens of the accounts he manages on
their 用户管理 page and revokes them; anyone else's token does not exist for a user (404), and the 用户管理 pages
stay 403 to roles that manage no accounts. Deactivating an account says first that it revokes the tokens."""

import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from shuangsuiji.accounts.models import ApiToken
from shuangsuiji.accounts.services import TOKEN_MAX_ACTIVE, do_create_token, do_revoke_token, token_hash
from shuangsuiji.audit.models import Event
from tests.clients import signed_in

ROLES = ["city_admin", "county_admin", "other_county_admin", "department_user", "inspector", "leader"]
LIST = "/accounts/tokens/"
SECRET = re.compile(r"ssj_[0-9a-f]{8}_[A-Za-z0-9_-]{43}")


def make(user, name: str = "分局看板") -> ApiToken:
    return do_create_token(user, acting_user=user, name=name,
                           valid_through=timezone.localdate() + timedelta(days=30))[0]


def create(client: Client, name: str = "省平台夜间同步", days: int = 90, through: date | None = None):
    through = through or timezone.localdate() + timedelta(days=days)
    return client.post(LIST, {"name": name, "valid_through": through.isoformat()})


@pytest.mark.parametrize("role", ROLES)
def test_everyone_creates_his_own_token_and_sees_its_secret_once(users, role):
    client = signed_in(users[role])
    page = client.get(LIST)
    assert page.status_code == 200
    assert page.context["form"]["valid_through"].value() == timezone.localdate() + timedelta(days=90)
    # the day posted, kept: today asked after the post was the next day for a run crossing midnight in Beijing
    through = timezone.localdate() + timedelta(days=90)
    response = create(client, through=through)
    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"]  # the secret stays in no cache
    html = response.content.decode()
    (secret,) = set(SECRET.findall(html))
    token = ApiToken.objects.get(owner=users[role])
    assert token.secret_hash == token_hash(secret) and token.name == "省平台夜间同步"
    assert token.valid_through == through
    assert "只显示这一次" in html and 'data-copy="#new-token"' in html
    again = client.get(LIST).content.decode()
    assert secret not in again and f"ssj_{token.prefix}…" in again and "省平台夜间同步" in again
    assert not SECRET.search(again)
    # his own token only: another person's does not show on his page
    other = make(users["city_admin" if role != "city_admin" else "leader"], name="别人的令牌")
    assert "别人的令牌" not in client.get(LIST).content.decode() and other.prefix not in again


def test_the_user_menu_leads_to_the_tokens(users):
    html = signed_in(users["inspector"]).get("/account/").content.decode()
    assert f'href="{LIST}"' in html and "我的 API 令牌" in html


def test_the_form_says_what_is_wrong_at_the_field(users):
    client = signed_in(users["leader"])
    response = create(client, days=366)
    assert response.status_code == 200
    assert "最长365天" in response.context["form"].errors["valid_through"][0]
    response = create(client, name="")
    assert "请填写用途" in response.context["form"].errors["name"][0]
    response = client.post(LIST, {"name": "看板", "valid_through": "2026-13-01"})
    assert "年-月-日" in response.context["form"].errors["valid_through"][0]
    assert not ApiToken.objects.exists()


def test_the_eleventh_token_is_refused_on_the_page(users):
    for n in range(TOKEN_MAX_ACTIVE):
        make(users["leader"], name=f"脚本{n}")
    client = signed_in(users["leader"])
    html = client.get(LIST).content.decode()
    assert "已到上限" in html and "创建令牌" not in html
    response = create(client)
    assert response.status_code == 200 and "最多10个" in response.context["form"].non_field_errors()[0]
    assert ApiToken.objects.filter(owner=users["leader"]).count() == TOKEN_MAX_ACTIVE


@pytest.mark.parametrize("role", ROLES)
def test_everyone_revokes_his_own_token_with_a_reason(users, role):
    token = make(users[role])
    client = signed_in(users[role])
    url = f"/accounts/tokens/{token.pk}/revoke/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and "吊销理由" in response.context["form"].errors["reason"][0]
    response = client.post(url, {"reason": "脚本停用"})
    assert response.status_code == 302 and response["Location"] == LIST
    token.refresh_from_db()
    assert (token.revoked_by, token.revoke_reason) == (users[role], "脚本停用")
    html = client.get(LIST).content.decode()
    assert "已吊销" in html and "脚本停用" in html
    assert client.post(url, {"reason": "再一次"})["Location"] == LIST  # revoked already: nothing more happens
    assert Event.objects.filter(action="apitoken.revoke").count() == 1


# who may see and revoke the token of county A's inspector: his own admins (the county's, the city's)
MANAGERS = {"city_admin": True, "county_admin": True, "other_county_admin": False, "department_user": False,
            "leader": False}


@pytest.mark.parametrize("role, manages", sorted(MANAGERS.items()))
def test_an_admin_sees_and_revokes_the_tokens_of_the_accounts_he_manages(users, role, manages):
    token = make(users["inspector"], name="执法记录仪同步")
    client = signed_in(users[role])
    detail = client.get(f"/accounts/users/{users['inspector'].pk}/")
    revoke = f"/accounts/tokens/{token.pk}/revoke/"
    if not manages:
        # outside his accounts the user and the token do not exist; a role that keeps no accounts is refused
        assert detail.status_code == (404 if users[role].manages_users else 403)
        assert client.get(revoke).status_code == 404
        assert client.post(revoke, {"reason": "越权"}).status_code == 404
        token.refresh_from_db()
        assert token.revoked_at is None
        return
    html = detail.content.decode()
    assert "执法记录仪同步" in html and f"ssj_{token.prefix}…" in html and f'href="{revoke}"' in html
    assert "从未使用" in html
    assert client.get(revoke).status_code == 200
    response = client.post(revoke, {"reason": "人员调离"})
    assert response["Location"] == f"/accounts/users/{users['inspector'].pk}/"
    token.refresh_from_db()
    assert (token.revoked_by, token.revoke_reason) == (users[role], "人员调离")
    html = client.get(f"/accounts/users/{users['inspector'].pk}/").content.decode()
    assert "已吊销" in html and "吊销 API 令牌" in html  # the row, and the event in the user's history


def test_a_county_admin_does_not_reach_the_citys_tokens(users):
    token = make(users["leader"])  # a city-level account: the city admin's, not the county's
    client = signed_in(users["county_admin"])
    assert client.get(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    assert signed_in(users["city_admin"]).get(f"/accounts/tokens/{token.pk}/revoke/").status_code == 200


def test_signed_out_the_pages_lead_to_the_login(users):
    token = make(users["leader"])
    for url in (LIST, f"/accounts/tokens/{token.pk}/revoke/"):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_deactivation_page_says_the_tokens_go_and_they_do(users):
    make(users["inspector"])
    make(users["inspector"], name="第二个")
    do_revoke_token(make(users["inspector"], name="已吊销的"), acting_user=users["inspector"], reason="不用了")
    client = signed_in(users["county_admin"])
    url = f"/accounts/users/{users['inspector'].pk}/deactivate/"
    html = client.get(url).content.decode()
    assert 'id="revokes-tokens"' in html and "有效 API 令牌（2 个）将同时吊销" in html
    assert client.post(url, {"reason": "调离本单位"}).status_code == 302
    assert not ApiToken.objects.active().filter(owner=users["inspector"]).exists()
    assert set(ApiToken.objects.filter(owner=users["inspector"]).values_list("revoke_reason", flat=True)) == {
        "账号停用：调离本单位", "不用了"}
    # an account without working tokens: nothing to say
    assert 'id="revokes-tokens"' not in client.get(
        f"/accounts/users/{users['department_user'].pk}/deactivate/").content.decode()
