"""Account security (settings: 等保 8.1.4.1): failed sign-ins lock a name, an admin can lift it within his scope,
passwords have some complexity and an age, a password someone else set is changed first, idle sessions end,
and a script whose session ended hears it instead of receiving the login page."""

import base64
import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from shuangsuiji.accounts.models import User
from shuangsuiji.accounts.services import do_set_password, do_unlock_login, locked_until, must_change_password
from shuangsuiji.audit.models import Event
from shuangsuiji.audit.services import verify_chain

GOOD = "Qingyuan-2021"


def sign_in(client: Client, username: str, password: str):
    return client.post("/login/", {"username": username, "password": password})


def from_address(address: str) -> Client:
    """A browser on another machine: the test client's requests come from ``address`` (REMOTE_ADDR)."""
    return Client(REMOTE_ADDR=address)


def fail(client: Client, username: str, times: int) -> None:
    for _ in range(times):
        response = sign_in(client, username, "wrong-password")
        # the failure that reaches the limit is answered with the lockout
        assert (response.status_code, "用户名或密码不正确" in response.text) in ((200, True), (429, False))


@pytest.fixture
def leader(users):
    return users["leader"]


def test_five_failures_lock_the_name_even_for_the_right_password_and_say_until_when(client, users, settings):
    settings.AXES_FAILURE_LIMIT = 5
    fail(client, "county_admin", 4)
    assert locked_until("county_admin") is None
    fail_fifth = sign_in(client, "county_admin", "wrong-password")
    assert fail_fifth.status_code == 429
    until = locked_until("county_admin")
    assert until is not None and timedelta(minutes=29) < until - timezone.now() <= settings.AXES_COOLOFF_TIME
    refused = sign_in(client, "county_admin", "pw-county_admin")
    assert refused.status_code == 429 and "_auth_user_id" not in client.session
    local = timezone.localtime(until).strftime("%Y-%m-%d %H:%M")
    assert f"在此网络地址（127.0.0.1）连续5次登录失败，从此地址登录已锁定至{local}" in refused.text
    assert "管理员解除锁定" in refused.text
    assert 'value="county_admin"' in refused.text  # the name stays in the form
    # one event for the lockout, not one per refused attempt; the chain stays whole
    events = Event.objects.filter(action="user.locked_out")
    assert events.count() == 1
    assert events.get().changes["failures"] == [None, 5] and events.get().object_id == str(users["county_admin"].pk)
    assert events.get().changes["address"] == [None, "127.0.0.1"]
    assert verify_chain() == []


def test_wrong_passwords_from_one_address_do_not_lock_the_owner_out_from_another(users, settings):
    """Login names are predictable: five wrong passwords typed by anyone used to keep the county admin out, from
    his own desk, for half an hour (say during the draw ceremony). They lock the name from that address only."""
    settings.AXES_FAILURE_LIMIT = 5
    stranger, owner = from_address("10.0.0.66"), from_address("10.0.0.7")
    fail(stranger, "county_admin", 4)
    locking = sign_in(stranger, "county_admin", "wrong-password")
    assert locking.status_code == 429 and "10.0.0.66" in locking.text
    # from the stranger's address the name stays locked, even for the right password
    assert sign_in(stranger, "county_admin", "pw-county_admin").status_code == 429
    assert "_auth_user_id" not in stranger.session
    assert locked_until("county_admin", "10.0.0.66") is not None and locked_until("county_admin", "10.0.0.7") is None
    # the owner at his desk signs in, and is told of the failures under his name
    signed_in = sign_in(owner, "county_admin", "pw-county_admin")
    assert signed_in.status_code == 302 and owner.session["_auth_user_id"] == str(users["county_admin"].pk)
    assert "有5次使用您用户名的登录失败" in owner.get("/", follow=True).text
    # his sign-in does not lift the stranger's lock, and the lock is in the audit chain with its address
    assert sign_in(stranger, "county_admin", "pw-county_admin").status_code == 429
    event = Event.objects.get(action="user.locked_out")
    assert event.object_id == str(users["county_admin"].pk) and event.changes["address"] == [None, "10.0.0.66"]
    assert verify_chain() == []


def test_failures_from_several_addresses_do_not_add_up_to_a_lock(users, settings):
    settings.AXES_FAILURE_LIMIT = 5
    for last in range(1, 4):
        fail(from_address(f"10.0.1.{last}"), "leader", settings.AXES_FAILURE_LIMIT - 1)
    assert locked_until("leader") is None
    assert sign_in(from_address("10.0.1.1"), "leader", "pw-leader").status_code == 302


def test_behind_the_declared_proxy_the_address_the_proxy_saw_is_locked(users, settings):
    """TRUSTED_PROXIES=1: the address is the proxy's X-Forwarded-For entry (params.client_address), not the
    proxy's own, which every client shares; a client's own X-Forwarded-For entry before it changes nothing."""
    settings.TRUSTED_PROXIES = 1
    stranger = Client(REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR="1.2.3.4, 172.16.0.5")
    owner = Client(REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR="172.16.0.8")
    fail(stranger, "inspector", settings.AXES_FAILURE_LIMIT)
    assert locked_until("inspector", "172.16.0.5") is not None
    assert sign_in(stranger, "inspector", "pw-inspector").status_code == 429
    assert sign_in(owner, "inspector", "pw-inspector").status_code == 302


def test_the_lock_ends_by_itself_after_the_cool_off(client, users, settings):
    fail(client, "leader", settings.AXES_FAILURE_LIMIT - 1)
    assert sign_in(client, "leader", "wrong-password").status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1))
    assert locked_until("leader") is None
    assert sign_in(client, "leader", "pw-leader").status_code == 302
    assert client.session["_auth_user_id"] == str(users["leader"].pk)


def test_failures_count_consecutively_a_success_starts_again(client, users, settings):
    fail(client, "leader", settings.AXES_FAILURE_LIMIT - 1)
    assert sign_in(client, "leader", "pw-leader").status_code == 302
    client.logout()
    fail(client, "leader", settings.AXES_FAILURE_LIMIT - 1)
    assert sign_in(client, "leader", "pw-leader").status_code == 302


def test_the_lock_is_per_name_not_for_everyone_at_the_address(client, users, settings):
    fail(client, "leader", settings.AXES_FAILURE_LIMIT)
    assert sign_in(client, "county_admin", "pw-county_admin").status_code == 302


def test_guessing_through_the_api_s_basic_auth_locks_the_name_too(users, settings):
    api = Client()

    def basic(password: str):
        token = base64.b64encode(f"inspector:{password}".encode()).decode()
        return api.get("/api/registry/targets/", HTTP_AUTHORIZATION=f"Basic {token}")

    assert basic("pw-inspector").status_code == 200
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert basic("guess").status_code in (401, 403)
    locking = basic("guess")
    assert locking.status_code == 429 and "已锁定至" in locking.json()["detail"]
    refused = basic("pw-inspector")
    assert refused.status_code == 429 and "已锁定至" in refused.json()["detail"]
    # a platform pulling from its own server is not locked out by guesses from elsewhere
    token = base64.b64encode(b"inspector:pw-inspector").decode()
    elsewhere = Client(REMOTE_ADDR="10.0.2.2").get("/api/registry/targets/", HTTP_AUTHORIZATION=f"Basic {token}")
    assert elsewhere.status_code == 200


def test_a_name_longer_than_the_failure_records_hold_is_a_failed_sign_in(client, users):
    # The login form does not limit the name's length; axes stored it in a 255-character column (a 500 on
    # PostgreSQL). The count goes under its first 255 characters, which no user's name reaches.
    response = sign_in(client, "x" * 5000, "wrong-password")
    assert response.status_code == 200 and "用户名或密码不正确" in response.text
    assert [len(a.username) for a in AccessAttempt.objects.all()] == [255]


def test_a_nul_in_a_basic_auth_name_is_refused_before_any_look_up(users):
    # PostgreSQL refuses NUL in the user look-up (a 500); no one's name holds one, so no failure is counted.
    token = base64.b64encode(b"inspector\x00:pw-inspector").decode()
    response = Client().get("/api/registry/targets/", HTTP_AUTHORIZATION=f"Basic {token}")
    assert response.status_code in (401, 403)
    assert not AccessAttempt.objects.exists()


def test_an_admin_unlocks_within_his_scope_and_the_event_says_so(client, users, settings):
    fail(client, "inspector", settings.AXES_FAILURE_LIMIT)
    with pytest.raises(PermissionDenied):
        do_unlock_login(users["inspector"], acting_user=users["other_county_admin"])
    with pytest.raises(PermissionDenied):
        do_unlock_login(users["inspector"], acting_user=users["leader"])
    assert locked_until("inspector") is not None
    assert do_unlock_login(users["inspector"], acting_user=users["county_admin"]) > 0
    assert locked_until("inspector") is None
    event = Event.objects.get(action="user.unlock")
    assert event.actor_id == users["county_admin"].pk and event.changes["locked_until"][1] is None
    assert sign_in(client, "inspector", "pw-inspector").status_code == 302
    # nothing to lift: no event
    assert do_unlock_login(users["inspector"], acting_user=users["county_admin"]) == 0
    assert Event.objects.filter(action="user.unlock").count() == 1


def test_the_admin_shows_the_lock_and_its_action_lifts_it(client, users, settings):
    root = User.objects.create_superuser("root", password="pw-root")
    fail(Client(), "leader", settings.AXES_FAILURE_LIMIT)
    client.force_login(root)
    page = client.get(f"/admin/accounts/user/{users['leader'].pk}/change/")
    assert "连续登录失败，从 127.0.0.1 登录锁定至" in page.text
    response = client.post("/admin/accounts/user/", {"action": "unlock_logins",
                                                      "_selected_action": [users["leader"].pk]}, follow=True)
    assert "已解除1个用户的登录锁定" in response.text
    assert locked_until("leader") is None


@pytest.mark.parametrize("role", ["city_admin", "county_admin", "department_user", "inspector", "leader"])
def test_every_role_changes_his_own_password_and_other_sessions_end(role, users):
    user = users[role]
    here, elsewhere = Client(), Client()
    assert sign_in(here, role, f"pw-{role}").status_code == 302
    assert sign_in(elsewhere, role, f"pw-{role}").status_code == 302
    page = here.get("/account/")
    assert page.status_code == 200 and user.username in page.text and "修改密码" in page.text
    response = here.post("/account/", {"old_password": f"pw-{role}", "new_password1": GOOD,
                                       "new_password2": GOOD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert here.get("/").status_code == 200  # this session stays
    assert elsewhere.get("/").status_code == 302  # the one made with the old password ended
    user.refresh_from_db()
    assert user.check_password(GOOD) and not user.must_change_password
    assert timezone.now() - user.password_changed_at < timedelta(minutes=1)
    event = Event.objects.get(action="user.password", object_id=str(user.pk))
    assert event.actor_id == user.pk and event.reason == "本人修改密码" and GOOD not in str(event.changes)


@pytest.mark.parametrize(("password", "says"), [
    ("qingyuan2021", "至少3类"),
    ("Qy-21", "太短"),
    ("Leader-2021", "与"),  # too like the user name
])
def test_a_weak_new_password_is_refused_with_the_reason(client, leader, password, says):
    client.force_login(leader)
    response = client.post("/account/", {"old_password": "pw-leader", "new_password1": password,
                                         "new_password2": password})
    assert response.status_code == 200 and says in response.text
    leader.refresh_from_db()
    assert leader.check_password("pw-leader")


def test_a_wrong_old_password_is_refused(client, leader):
    client.force_login(leader)
    response = client.post("/account/", {"old_password": "nope", "new_password1": GOOD, "new_password2": GOOD})
    assert response.status_code == 200 and "旧密码不正确" in response.text


def test_the_service_refuses_a_weak_password_by_field(users):
    with pytest.raises(ValidationError) as error:
        do_set_password(users["leader"], "abcdefgh", acting_user=users["city_admin"])
    assert "password" in error.value.message_dict
    assert users["leader"].__class__.objects.get(pk=users["leader"].pk).check_password("pw-leader")


def test_a_password_an_admin_set_must_be_changed_before_anything_else(client, users):
    leader = users["leader"]
    do_set_password(leader, GOOD, acting_user=users["city_admin"])
    leader.refresh_from_db()
    assert leader.must_change_password and "管理员设置" in must_change_password(leader)
    assert sign_in(client, "leader", GOOD).status_code == 302
    page = client.get("/planning/", follow=True)
    assert page.redirect_chain[-1][0] == "/account/?next=%2Fplanning%2F"
    assert "请先改为只有您自己知道的密码" in page.text
    api = client.get("/api/registry/targets/")
    assert api.status_code == 403 and "管理员设置" in api.json()["detail"]
    assert client.get("/public/").status_code == 200  # the portal is everyone's
    new = "Baoding-Leader-9"
    response = client.post("/account/", {"old_password": GOOD, "new_password1": new, "new_password2": new,
                                         "next": "/planning/"})
    assert response.status_code == 302 and response["Location"] == "/planning/"
    assert client.get("/planning/").status_code == 200


def test_the_next_page_after_the_change_stays_on_this_site(client, leader):
    client.force_login(leader)
    response = client.post("/account/", {"old_password": "pw-leader", "new_password1": GOOD,
                                         "new_password2": GOOD, "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_a_password_older_than_the_limit_must_be_changed(client, leader, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 90
    User.objects.filter(pk=leader.pk).update(password_changed_at=timezone.now() - timedelta(days=91))
    client.force_login(leader)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/account/")
    assert "超过90天" in client.get("/account/").text
    settings.PASSWORD_MAX_AGE_DAYS = 0  # the bureau can switch ageing off
    assert client.get("/").status_code == 200


def test_signing_in_tells_of_failures_since_the_last_sign_in_and_of_an_expiry_soon(client, leader, settings):
    assert sign_in(client, "leader", "pw-leader").status_code == 302
    client.logout()
    fail(client, "leader", 2)
    User.objects.filter(pk=leader.pk).update(
        password_changed_at=timezone.now() - timedelta(days=settings.PASSWORD_MAX_AGE_DAYS - 5))
    page = client.post("/login/", {"username": "leader", "password": "pw-leader"}, follow=True)
    assert "有2次使用您用户名的登录失败" in page.text
    assert re.search(r"您的密码将在[45]天后过期", page.text)
    account = client.get("/account/").text
    assert "上次登录" in account and "127.0.0.1" in account
    # newest first: this sign-in, the two failures, the sign-in before them
    results = re.findall(r"<td>(成功|密码错误|失败，已锁定)</td>", account[account.index("最近的登录"):])
    assert results == ["成功", "密码错误", "密码错误", "成功"]


def test_an_idle_session_slides_but_is_written_at_most_once_a_minute(client, leader, settings):
    settings.SESSION_COOKIE_AGE = 30 * 60
    client.force_login(leader)
    first = client.get("/account/")
    assert first.cookies["sessionid"]["max-age"] == 30 * 60  # written: the expiry slides
    assert "无操作30分钟后自动退出登录" in first.text
    second = client.get("/account/")
    assert "sessionid" not in second.cookies  # within the minute: not written again
    session = client.session
    session["accounts:seen"] -= 61
    session.save()
    assert client.get("/account/").cookies["sessionid"]["max-age"] == 30 * 60


def test_a_script_whose_session_ended_gets_401_and_where_to_sign_in(client):
    response = client.post("/fieldwork/records/1/draft/", {}, HTTP_ACCEPT="application/json",
                           HTTP_REFERER="http://testserver/fieldwork/records/1/edit/")
    assert response.status_code == 401  # back to the form after signing in, not to its autosave address
    assert response.json()["url"] == "/login/?next=%2Ffieldwork%2Frecords%2F1%2Fedit%2F"
    assert "登录已过期" in response.json()["message"]
    htmx = client.get("/planning/tasks/", HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/planning/")
    assert htmx.status_code == 200 and htmx["HX-Redirect"] == "/login/?next=%2Fplanning%2F"
    foreign = client.post("/fieldwork/records/1/draft/", {}, HTTP_ACCEPT="application/json",
                          HTTP_REFERER="https://elsewhere.example/phish/")
    assert foreign.json()["url"] == "/login/?next=%2Ffieldwork%2Frecords%2F1%2Fdraft%2F"
    page = client.get("/planning/tasks/")  # a page load is still sent to the login page
    assert page.status_code == 302 and page["Location"].startswith("/login/")


def test_the_schema_names_the_api_s_sign_in_schemes_without_warnings():
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert schema["components"]["securitySchemes"]["basicAuth"] == {"type": "http", "scheme": "basic"}
    assert not GENERATOR_STATS._warn_cache, list(GENERATOR_STATS._warn_cache)


def test_a_script_with_a_stale_form_token_is_told_to_reopen_the_page(users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["inspector"])
    response = client.post("/fieldwork/records/1/draft/", {"csrfmiddlewaretoken": "stale"},
                           HTTP_ACCEPT="application/json", HTTP_REFERER="http://testserver/fieldwork/records/1/edit/")
    assert response.status_code == 403
    assert response.json()["url"] == "/fieldwork/records/1/edit/" and "页面已过期" in response.json()["message"]
    page = client.post("/account/", {"csrfmiddlewaretoken": "stale"})
    assert page.status_code == 403 and "text/html" in page["Content-Type"]  # a person gets Django's page


def test_a_page_in_use_keeps_its_session_alive_and_hears_when_it_has_ended(client, leader):
    client.force_login(leader)
    alive = client.get("/account/alive/", HTTP_ACCEPT="application/json")
    assert alive.status_code == 204 and alive.cookies["sessionid"]["max-age"] > 0  # the expiry slid
    client.logout()
    ended = client.get("/account/alive/", HTTP_ACCEPT="application/json",
                       HTTP_REFERER="http://testserver/planning/new/")
    assert ended.status_code == 401 and ended.json()["url"] == "/login/?next=%2Fplanning%2Fnew%2F"


def test_pages_ask_for_the_keep_alive_a_few_times_within_the_idle_timeout(client, leader, settings):
    client.force_login(leader)
    settings.SESSION_COOKIE_AGE = 30 * 60
    assert 'data-every="300"' in client.get("/account/").text
    settings.SESSION_COOKIE_AGE = 6 * 60
    assert 'data-every="120"' in client.get("/account/").text
    assert "js/session.js" not in Client().get("/login/").text  # nothing to keep alive before signing in


def test_the_admin_shows_sign_in_records_but_deletes_none_so_a_lock_is_lifted_only_with_its_event(users, settings):
    """Deleting a lock's attempt row in the admin lifted it with no audit event; the records stay, read-only."""
    from django.contrib.auth import get_user_model

    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post("/login/", {"username": "inspector", "password": "wrong-password"})
    attempt = AccessAttempt.objects.get(username="inspector")
    root = get_user_model().objects.create_superuser(username="root", password="pw-root")
    admin = Client()
    admin.force_login(root)
    assert admin.get("/admin/axes/accessattempt/").status_code == 200  # shown
    assert admin.get("/admin/axes/accessfailurelog/").status_code == 200
    assert admin.get(f"/admin/axes/accessattempt/{attempt.pk}/delete/").status_code == 403
    refused = admin.post("/admin/axes/accessattempt/", {"action": "delete_selected", "_selected_action": [attempt.pk],
                                                        "post": "yes"})
    assert refused.status_code in (200, 302)
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()  # still locked


@pytest.mark.parametrize(("proxies", "forwarded", "recorded"), [
    (0, "203.0.113.66", "127.0.0.1"),                 # no proxy: the client's own header is not believed
    (1, "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # behind one proxy: the address it appended
])
def test_the_failure_log_names_the_address_the_api_limit_counts(users, settings, proxies, forwarded, recorded):
    from axes.models import AccessFailureLog

    settings.TRUSTED_PROXIES = proxies
    Client().post("/login/", {"username": "inspector", "password": "wrong-password"},
                  headers={"X-Forwarded-For": forwarded})
    assert AccessFailureLog.objects.get().ip_address == recorded


@pytest.mark.parametrize("header", ["User-Agent", "Accept"])
def test_a_nul_in_a_header_the_sign_in_records_keep_is_stored_replaced(users, header):
    """django-axes stores the client's User-Agent and Accept with every failed (and successful) sign-in; a NUL in
    either was a server error on PostgreSQL, which refuses it in text (schemathesis sent one with HTTP Basic)."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    token = base64.b64encode(b"inspector:wrong-password").decode()
    value = "application/json, text/x\x00y" if header == "Accept" else "probe\x00x"
    response = Client().get("/api/registry/targets/", HTTP_AUTHORIZATION=f"Basic {token}", headers={header: value})
    assert response.status_code == 401
    column = "http_accept" if header == "Accept" else "user_agent"
    shown = value.replace("\x00", "\ufffd")
    assert getattr(AccessAttempt.objects.get(username="inspector"), column) == shown
    assert getattr(AccessFailureLog.objects.get(username="inspector"), column) == shown
    # the sign-in page too, failing and succeeding (the access log)
    page = Client()
    assert page.post("/login/", {"username": "leader", "password": "wrong"}, headers={header: value}).status_code == 200
    signed_in = page.post("/login/", {"username": "leader", "password": "pw-leader"}, headers={header: value})
    assert signed_in.status_code == 302
    assert getattr(AccessLog.objects.get(username="leader"), column) == shown


def test_a_temporary_password_cannot_be_changed_to_itself(client, users):
    """The first sign-in with the password an admin set leads to 账号与密码; typing it again as the new one would
    clear the must-change mark and leave the admin knowing the password."""
    leader = users["leader"]
    do_set_password(leader, GOOD, acting_user=users["city_admin"])
    assert sign_in(client, "leader", GOOD).status_code == 302
    response = client.post("/account/", {"old_password": GOOD, "new_password1": GOOD, "new_password2": GOOD})
    assert response.status_code == 200 and "新密码不能与原密码相同" in response.text
    leader.refresh_from_db()
    assert leader.must_change_password
    assert client.get("/planning/")["Location"] == "/account/?next=%2Fplanning%2F"  # still sent to change it


@pytest.mark.parametrize("role", ["city_admin", "county_admin", "department_user", "inspector", "leader"])
def test_the_routine_change_refuses_the_current_password_for_every_role(role, users):
    user = users[role]
    user.set_password(GOOD)  # a password every other rule accepts: only its sameness is wrong
    user.save(update_fields=["password"])
    client = Client()
    assert sign_in(client, role, GOOD).status_code == 302
    changed_at = User.objects.get(pk=user.pk).password_changed_at
    response = client.post("/account/", {"old_password": GOOD, "new_password1": GOOD, "new_password2": GOOD})
    assert response.status_code == 200 and "新密码不能与原密码相同" in response.text
    user.refresh_from_db()
    assert user.password_changed_at == changed_at  # its age did not restart
    assert not Event.objects.filter(action="user.password", object_id=str(user.pk)).exists()


def test_the_service_refuses_the_current_password_but_a_new_account_has_none_to_compare(users):
    leader = users["leader"]
    leader.set_password(GOOD)
    leader.save(update_fields=["password"])
    with pytest.raises(ValidationError) as error:
        do_set_password(leader, GOOD, acting_user=leader)
    assert error.value.message_dict["password"] == ["新密码不能与原密码相同"]
    fresh = User(username="newcomer")
    fresh.set_unusable_password()
    validate_password(GOOD, fresh)  # nothing to compare with: no error
    validate_password(GOOD, User(username="newcomer2"))


def test_signing_in_over_http_with_https_set_says_it_is_the_set_up_not_the_browser(settings):
    """HTTPS=True on a plain-HTTP intranet: the browser keeps no HTTPS-only cookie, so no sign-in ever goes through,
    and Django's page blamed the browser's cookies. The page names the set-up to correct."""
    settings.CSRF_COOKIE_SECURE = settings.SESSION_COOKIE_SECURE = True
    client = Client(enforce_csrf_checks=True)  # a browser that dropped the Secure cookie: none is sent back
    response = client.post("/login/", {"username": "leader", "password": "pw-leader"})
    assert response.status_code == 403
    assert "HTTPS=True" in response.text and "X-Forwarded-Proto" in response.text
    # over HTTPS (the proxy says so) a missing cookie is the browser's: Django's own page, as before
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = client.post("/login/", {"username": "leader", "password": "pw-leader"},
                           HTTP_X_FORWARDED_PROTO="https", HTTP_REFERER="https://testserver/login/")
    assert response.status_code == 403 and "HTTPS=True" not in response.text


@pytest.mark.parametrize("role", [None, "city_admin", "inspector"])
def test_a_form_from_an_origin_the_server_does_not_trust_names_the_setting(role, users):
    """A proxy serving https://ssj.example.gov.cn without X-Forwarded-Proto (or a host missing from
    CSRF_TRUSTED_ORIGINS): every form is refused for its Origin. The page says which variable to set."""
    client = Client(enforce_csrf_checks=True)
    if role:
        client.force_login(users[role])
    response = client.post("/login/" if role is None else "/account/", {},
                           HTTP_ORIGIN="https://ssj.example.gov.cn")
    assert response.status_code == 403
    assert "CSRF_TRUSTED_ORIGINS" in response.text and "https://ssj.example.gov.cn" in response.text
    stale = client.post("/login/" if role is None else "/account/", {"csrfmiddlewaretoken": "stale"})
    assert stale.status_code == 403 and "CSRF_TRUSTED_ORIGINS" not in stale.text  # a person's stale form: Django's
