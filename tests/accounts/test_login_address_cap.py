"""The cap per address (LOGIN_ADDRESS_FAILURE_LIMIT): password spraying — a few guesses at each of many names from
one address, under the per-name limit each time — is refused at the cap for every name, the right password
included, until the window passes; the page and the API say so and until when; the audit chain records it; an
admin's unlock of a name does not lift it and says so. The lock per name and address works as before."""

import base64
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from shuangsuiji.accounts.services import (
    address_locked_until,
    address_locks_for,
    do_create_token,
    do_unlock_login,
    locked_until,
)
from shuangsuiji.audit.models import Event
from shuangsuiji.audit.services import verify_chain

SPRAYER = "10.0.0.66"
CAP = 10


@pytest.fixture(autouse=True)
def limits(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = CAP
    settings.AXES_COOLOFF_TIME = timedelta(minutes=30)


def sign_in(client: Client, username: str, password: str):
    return client.post("/login/", {"username": username, "password": password})


def spray(client: Client, names: list[str], per_name: int = 4) -> list[int]:
    """Wrong passwords at each name in turn, under the per-name limit; the answers' status codes."""
    return [sign_in(client, name, "wrong-password").status_code for name in names for _ in range(per_name)]


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def test_spraying_is_refused_at_the_cap_for_every_name_and_the_page_says_until_when(users):
    sprayer = Client(REMOTE_ADDR=SPRAYER)
    # 4 guesses at each of two accounts and one name that is nobody's: 8 failures, under both limits, each the
    # ordinary "wrong password"
    assert spray(sprayer, ["leader", "county_admin"]) == [200] * 8
    assert locked_until("leader") is None and address_locked_until(SPRAYER) is None
    assert spray(sprayer, ["nobody"], per_name=1) == [200]
    capping = sign_in(sprayer, "inspector", "wrong-password")  # the 10th failure from the address
    assert capping.status_code == 429
    until = address_locked_until(SPRAYER)
    assert until is not None and timedelta(minutes=29) < until - timezone.now() <= timedelta(minutes=30)
    text = capping.text
    assert f"此网络地址（{SPRAYER}）在30分钟内已有{CAP}次登录失败（不论用户名），从此地址登录任何用户名均已锁定至" \
           f"{local(until)}" in text
    assert "管理员解除个人账号的锁定不能解除此地址的锁定" in text
    assert 'value="inspector"' in text  # the name stays in the form
    # every name is refused from that address now, a real user's right password included; none is counted
    for name, password in (("city_admin", "pw-city_admin"), ("department_user", "pw-department_user"),
                           ("someone", "x")):
        refused = sign_in(sprayer, name, password)
        assert refused.status_code == 429 and "不论用户名" in refused.text
        assert "_auth_user_id" not in sprayer.session
    assert address_locked_until(SPRAYER) == until  # refusals do not push the end back
    # no name is locked by itself: the address is, and only it
    assert locked_until("leader") is None and locked_until("city_admin") is None
    assert sign_in(Client(REMOTE_ADDR="10.0.0.7"), "city_admin", "pw-city_admin").status_code == 302
    # one event for the address, on no one's history, naming the accounts tried and not the stranger's names
    event = Event.objects.get(action="login.address_locked_out")
    assert event.object_id == "" and event.jurisdiction_id is None and event.actor_id is None
    assert event.changes["address"] == [None, SPRAYER] and event.changes["failures"] == [None, CAP]
    assert event.changes["names"] == [None, 4]
    assert event.changes["accounts"] == [None, ["county_admin", "inspector", "leader"]]
    assert event.changes["locked_until"][1].startswith(until.isoformat()[:16])
    assert not Event.objects.filter(action="user.locked_out").exists()
    assert verify_chain() == []


def test_below_the_cap_the_address_signs_in(users):
    office = Client(REMOTE_ADDR="10.0.0.20")
    assert spray(office, ["leader", "county_admin"], per_name=4) + spray(office, ["inspector"], per_name=1) == [200] * 9
    assert address_locked_until("10.0.0.20") is None
    assert sign_in(office, "city_admin", "pw-city_admin").status_code == 302
    # a success forgets only its own name's failures there: the others still count toward the cap
    assert address_locked_until("10.0.0.20") is None
    office.logout()
    assert sign_in(office, "department_user", "wrong-password").status_code == 429


def test_the_cap_ends_when_the_failures_still_counting_fall_below_it(users):
    sprayer = Client(REMOTE_ADDR=SPRAYER)
    spray(sprayer, ["leader"])
    AccessAttempt.objects.filter(username="leader").update(attempt_time=timezone.now() - timedelta(minutes=20))
    spray(sprayer, ["county_admin"])
    assert spray(sprayer, ["inspector"], per_name=2)[-1] == 429
    # leader's 4 failures (20 minutes old) keep it at the cap: it ends when they stop counting, in 10 minutes
    until = address_locked_until(SPRAYER)
    assert timedelta(minutes=9) < until - timezone.now() <= timedelta(minutes=10)
    assert sign_in(sprayer, "city_admin", "pw-city_admin").status_code == 429
    AccessAttempt.objects.filter(username="leader").update(attempt_time=timezone.now() - timedelta(minutes=31))
    assert address_locked_until(SPRAYER) is None
    assert sign_in(sprayer, "city_admin", "pw-city_admin").status_code == 302
    assert sprayer.session["_auth_user_id"] == str(users["city_admin"].pk)


def test_the_lock_per_name_and_address_still_comes_at_five_with_its_own_message(users):
    client = Client(REMOTE_ADDR="10.0.0.30")
    assert spray(client, ["leader"], per_name=4) == [200] * 4
    fifth = sign_in(client, "leader", "wrong-password")
    assert fifth.status_code == 429 and "连续5次登录失败，从此地址登录已锁定至" in fifth.text
    assert "不论用户名" not in fifth.text
    assert address_locked_until("10.0.0.30") is None
    assert Event.objects.filter(action="user.locked_out").count() == 1
    # the other names from the same address are not touched
    assert sign_in(client, "county_admin", "pw-county_admin").status_code == 302


def test_a_failure_that_reaches_both_limits_records_both_and_the_page_tells_both(users):
    client = Client(REMOTE_ADDR="10.0.0.40")
    spray(client, ["county_admin"], per_name=4)
    spray(client, ["inspector"], per_name=1)
    assert spray(client, ["leader"], per_name=5)[-1] == 429  # leader's 5th is the address's 10th
    assert {e.action for e in Event.objects.all()} >= {"user.locked_out", "login.address_locked_out"}
    # the page names both locks, each with its end: an admin's unlock of the name would lift only the second
    refused = sign_in(client, "leader", "pw-leader")
    assert refused.status_code == 429
    assert f"从此地址登录任何用户名均已锁定至{local(address_locked_until('10.0.0.40'))}" in refused.text
    assert f"连续5次登录失败，从此地址登录已锁定至{local(locked_until('leader', '10.0.0.40'))}" in refused.text
    assert sign_in(client, "city_admin", "pw-city_admin").status_code == 429


def test_a_cap_of_zero_turns_it_off(users, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 0
    client = Client(REMOTE_ADDR=SPRAYER)
    assert set(spray(client, [f"name{n}" for n in range(6)])) == {200}
    assert address_locked_until(SPRAYER) is None
    assert sign_in(client, "leader", "pw-leader").status_code == 302


def basic(username: str, password: str) -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode(),
            "REMOTE_ADDR": SPRAYER}


def test_spraying_through_the_api_s_basic_auth_is_capped_too_and_a_token_still_reads(users):
    api = Client()
    answers = [api.get("/api/registry/targets/", **basic(name, "guess")).status_code
               for name in ("leader", "county_admin") for _ in range(4)]
    answers += [api.get("/api/registry/targets/", **basic("inspector", "guess")).status_code]
    assert set(answers) <= {401, 403}
    capping = api.get("/api/registry/targets/", **basic("inspector", "guess"))
    assert capping.status_code == 429 and "不论用户名" in capping.json()["detail"]
    refused = api.get("/api/registry/targets/", **basic("city_admin", "pw-city_admin"))
    assert refused.status_code == 429
    until = local(address_locked_until(SPRAYER))
    assert f"从此地址登录任何用户名均已锁定至{until}" in refused.json()["detail"]
    assert Event.objects.filter(action="login.address_locked_out").count() == 1
    # a personal API token is no password: it is not stopped by the cap (as by no sign-in lock)
    _token, secret = do_create_token(users["city_admin"], acting_user=users["city_admin"], name="夜间同步",
                                     valid_through=timezone.localdate() + timedelta(days=30))
    pulled = api.get("/api/registry/targets/", HTTP_AUTHORIZATION=f"Bearer {secret}", REMOTE_ADDR=SPRAYER)
    assert pulled.status_code == 200


def test_an_unlock_of_the_name_whose_failures_held_the_cap_opens_both(users):
    sprayer = Client(REMOTE_ADDR=SPRAYER)
    assert spray(sprayer, ["inspector"], per_name=5)[-1] == 429  # the inspector's name locked from there
    assert spray(sprayer, ["county_admin"], per_name=4) + spray(sprayer, ["department_user"], per_name=1) == \
        [200] * 4 + [429]  # the address's 10th failure caps it
    assert address_locks_for("inspector") == {SPRAYER: address_locked_until(SPRAYER)}
    admin = Client()
    admin.force_login(users["county_admin"])
    detail = admin.get(f"/accounts/users/{users['inspector'].pk}/").text
    assert f"他最近使用的地址 {SPRAYER} 因登录失败过多（不论用户名）" in detail
    assert "解除锁定不能解除地址的锁定" in detail
    done = admin.post(f"/accounts/users/{users['inspector'].pk}/unlock/", follow=True).text
    # his 5 failures were half of what held the address: it opens with them, and nothing is left to warn of
    assert "已解除" in done and "解除个人锁定不能解除" not in done
    assert locked_until("inspector") is None and address_locked_until(SPRAYER) is None
    assert sign_in(sprayer, "inspector", "pw-inspector").status_code == 302


def test_an_unlock_that_leaves_his_address_capped_tells_the_admin_so(users):
    """The office behind one NAT address: the inspector signed in from it; someone there then sprayed it to the cap,
    and the inspector locked his own name typing from another network. Unlocking his name lets him in from there,
    not from the office; the admin is told so instead of hearing only 已解除."""
    office = Client(REMOTE_ADDR=SPRAYER)
    assert sign_in(office, "inspector", "pw-inspector").status_code == 302
    office.logout()
    spray(office, ["county_admin", "department_user"], per_name=4)
    assert spray(office, ["leader"], per_name=2)[-1] == 429
    home = Client(REMOTE_ADDR="10.0.0.5")
    assert spray(home, ["inspector"], per_name=5)[-1] == 429
    admin = Client()
    admin.force_login(users["county_admin"])
    done = admin.post(f"/accounts/users/{users['inspector'].pk}/unlock/", follow=True).text
    until = local(address_locked_until(SPRAYER))
    assert "已解除" in done
    assert (f"但“{users['inspector'].display_name}”最近使用的网络地址 {SPRAYER} 因登录失败过多（不论用户名），"
            f"从该地址登录任何用户名都已锁定至{until}，解除个人锁定不能解除") in done
    assert locked_until("inspector") is None
    assert sign_in(office, "inspector", "pw-inspector").status_code == 429
    assert sign_in(home, "inspector", "pw-inspector").status_code == 302
    # nothing of his to forget any more: still told of the address
    again = admin.post(f"/accounts/users/{users['inspector'].pk}/unlock/", follow=True).text
    assert "没有登录失败记录，无需解除" in again and "解除个人锁定不能解除" in again
    assert do_unlock_login(users["inspector"], acting_user=users["county_admin"]) == 0


def test_in_english_the_page_says_it_in_english_and_the_chain_in_chinese(users):
    sprayer = Client(REMOTE_ADDR=SPRAYER)
    sprayer.cookies["django_language"] = "en"
    spray(sprayer, ["leader", "county_admin"])
    assert spray(sprayer, ["inspector"], per_name=2)[-1] == 429
    refused = sign_in(sprayer, "city_admin", "pw-city_admin")
    assert refused.status_code == 429
    assert f"This network address ({SPRAYER}) has had {CAP} failed sign-ins within 30 minutes, whatever the user " \
           "names" in refused.text
    assert Event.objects.get(action="login.address_locked_out").reason == "同一地址登录失败过多，地址锁定"
