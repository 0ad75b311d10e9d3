"""An admin's password reset (the forgotten or compromised password) revokes the user's working API tokens in the
same transaction, each with a reason and an event; the user's own change (the routine one) keeps them. The admin
is told beforehand how many will go and afterwards how many went."""

import base64
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from shuangsuiji.accounts.models import ApiToken, User
from shuangsuiji.accounts.services import do_create_token, do_revoke_token, do_set_password
from shuangsuiji.audit.models import Event
from shuangsuiji.audit.services import verify_chain

TARGETS = "/api/registry/targets/"
NEW = "Laishui-2021!"


def make(user: User, name: str, days: int = 90) -> tuple[ApiToken, str]:
    return do_create_token(user, acting_user=user, name=name, valid_through=timezone.localdate() + timedelta(days=days))


def reads(secret: str) -> int:
    return Client().get(TARGETS, HTTP_AUTHORIZATION=f"Bearer {secret}").status_code


@pytest.fixture
def tokens(users):
    """The inspector's tokens: two working, one he revoked himself, one expired."""
    owner = users["inspector"]
    nightly, nightly_secret = make(owner, "省平台夜间同步")
    dashboard, dashboard_secret = make(owner, "县局看板")
    revoked, _ = make(owner, "旧脚本")
    do_revoke_token(revoked, acting_user=owner, reason="脚本停用")
    expired, _ = make(owner, "试用")
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    return {"nightly": (nightly, nightly_secret), "dashboard": (dashboard, dashboard_secret),
            "revoked": revoked, "expired": expired}


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_admin_s_reset_on_the_user_page_revokes_the_working_tokens_and_says_how_many(users, tokens):
    owner, admin = users["inspector"], users["county_admin"]
    assert reads(tokens["nightly"][1]) == 200
    client = as_user(admin)
    url = f"/accounts/users/{owner.pk}/password/"
    form = client.get(url).text
    assert "重置密码后，" in form and "的有效 API 令牌（2 个）将同时吊销" in form  # told before
    done = client.post(url, {"new_password1": NEW, "new_password2": NEW}, follow=True).text
    assert "下次登录时须先修改密码" in done and "他的2个有效 API 令牌已吊销" in done
    for key in ("nightly", "dashboard"):
        token, secret = tokens[key]
        token.refresh_from_db()
        assert token.revoked_by == admin and token.revoke_reason == "管理员重置密码，原有 API 令牌一并吊销"
        refused = Client().get(TARGETS, HTTP_AUTHORIZATION=f"Bearer {secret}")
        assert refused.status_code == 401 and "吊销" in refused.json()["detail"]
    # the one he revoked himself keeps his reason; the expired one is left as it was
    tokens["revoked"].refresh_from_db()
    tokens["expired"].refresh_from_db()
    assert tokens["revoked"].revoke_reason == "脚本停用" and tokens["expired"].revoked_at is None
    events = Event.objects.filter(action="apitoken.revoke", actor=admin)
    assert events.count() == 2 and {e.object_id for e in events} == {str(owner.pk)}
    assert {e.reason for e in events} == {"管理员重置密码，原有 API 令牌一并吊销"}
    assert Event.objects.filter(action="user.password", actor=admin).count() == 1
    assert verify_chain() == []
    # nothing left to revoke: the page says no warning, the message says none
    assert "将同时吊销" not in client.get(url).text
    again = client.post(url, {"new_password1": "Another-2021!", "new_password2": "Another-2021!"}, follow=True).text
    assert "他没有有效的 API 令牌，无需吊销" in again


def test_the_owner_s_own_change_keeps_his_tokens(users, tokens):
    owner = users["inspector"]
    client = Client()
    assert client.post("/login/", {"username": "inspector", "password": "pw-inspector"}).status_code == 302
    changed = client.post("/account/", {"old_password": "pw-inspector", "new_password1": NEW, "new_password2": NEW})
    assert changed.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password(NEW)
    assert ApiToken.objects.active().filter(owner=owner).count() == 2
    assert reads(tokens["nightly"][1]) == 200 and reads(tokens["dashboard"][1]) == 200
    assert not Event.objects.filter(action="apitoken.revoke").exclude(actor=owner).exists()
    assert do_set_password(owner, "Own-choice-2022", acting_user=owner) == 0


def test_the_service_returns_the_count_and_a_refused_reset_revokes_nothing(users, tokens):
    owner = users["inspector"]
    with pytest.raises(PermissionDenied):
        do_set_password(owner, NEW, acting_user=users["other_county_admin"])  # not his scope
    assert ApiToken.objects.active().filter(owner=owner).count() == 2
    assert do_set_password(owner, NEW, acting_user=users["city_admin"]) == 2
    assert not ApiToken.objects.active().filter(owner=owner).exists()
    # disabling someone's password sign-in is someone else's decision too: a fresh token goes with it
    _token, secret = make(owner, "新脚本")
    assert do_set_password(owner, None, acting_user=users["city_admin"]) == 1
    assert reads(secret) == 401


def test_the_admin_site_s_password_form_revokes_them_too(users, tokens):
    root = User.objects.create_superuser("root", password="pw-root", jurisdiction=users["city_admin"].jurisdiction)
    client = as_user(root)
    owner = users["inspector"]
    done = client.post(f"/admin/accounts/user/{owner.pk}/password/",
                       {"password1": NEW, "password2": NEW, "set_usable_password": "true"}, follow=True).text
    assert "该用户的2个有效 API 令牌已吊销" in done
    assert not ApiToken.objects.active().filter(owner=owner).exists()


def test_basic_auth_with_the_old_password_stops_too(users, tokens):
    """What a reset is for: neither the old password nor a token made with it reads any more."""
    do_set_password(users["inspector"], NEW, acting_user=users["county_admin"])
    old = base64.b64encode(b"inspector:pw-inspector").decode()
    assert Client().get(TARGETS, HTTP_AUTHORIZATION=f"Basic {old}").status_code in (401, 403)
    assert reads(tokens["nightly"][1]) == 401


def test_an_english_admin_s_reset_stores_the_reason_in_chinese(users, tokens):
    from django.utils import translation

    with translation.override("en"):
        assert do_set_password(users["inspector"], NEW, acting_user=users["county_admin"]) == 2
    assert set(ApiToken.objects.filter(revoked_by=users["county_admin"]).values_list("revoke_reason", flat=True)) == {
        "管理员重置密码，原有 API 令牌一并吊销"}
    assert {e.reason for e in Event.objects.filter(action="apitoken.revoke", actor=users["county_admin"])} == {
        "管理员重置密码，原有 API 令牌一并吊销"}
