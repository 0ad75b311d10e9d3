"""Lifting an address's lock early (``do_lift_address_lock``): the city office on its page (from the 审计日志's lockout
row or a user's page), the operator with ``manage.py lift_address_lock`` — each with a reason, in the audit chain.
Before, only django-axes' ``axes_reset_ip`` lifted it, with no trace."""

from datetime import timedelta

import pytest
from axes.models import AccessFailureLog
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from shuangsuiji.accounts.models import User
from shuangsuiji.accounts.services import address_locked_until, do_lift_address_lock, locked_until
from shuangsuiji.audit.display import action_label, changes_of
from shuangsuiji.audit.models import Event
from shuangsuiji.audit.services import verify_chain

pytestmark = pytest.mark.django_db

OFFICE = "10.0.0.66"
LIFT = "/accounts/address-locks/lift/"


@pytest.fixture(autouse=True)
def limits(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 10
    settings.AXES_COOLOFF_TIME = timedelta(minutes=30)


def sign_in(client: Client, username: str, password: str):
    return client.post("/login/", {"username": username, "password": password})


@pytest.fixture
def capped(users):
    """The office's address capped for every name: 5 wrong passwords at the leader's name (which locks that name
    there too), 4 at the county admin's, 1 at a name that is nobody's."""
    office = Client(REMOTE_ADDR=OFFICE)
    for name, times in (("leader", 5), ("county_admin", 4), ("nobody", 1)):
        for _ in range(times):
            sign_in(office, name, "wrong-password")
    assert address_locked_until(OFFICE) is not None and locked_until("leader", OFFICE) is not None
    return OFFICE


def lifts() -> list[Event]:
    return list(Event.objects.filter(action="login.address_unlock"))


# --- the service -------------------------------------------------------------------------------------------------


def test_the_city_admin_lifts_it_with_a_reason_and_the_chain_records_it(capped, users):
    until = address_locked_until(capped)
    lock = do_lift_address_lock(capped, acting_user=users["city_admin"], reason="核实为本局办公网出口，培训时多人输错")
    assert lock.until == until and lock.failures == 10 and lock.names == 3 and lock.locked_accounts == ["leader"]
    # every name signs in from it again, the leader's too (his failures there were among those forgotten)
    assert address_locked_until(capped) is None and locked_until("leader", capped) is None
    assert sign_in(Client(REMOTE_ADDR=capped), "department_user", "pw-department_user").status_code == 302
    assert sign_in(Client(REMOTE_ADDR=capped), "leader", "pw-leader").status_code == 302
    assert AccessFailureLog.objects.filter(ip_address=capped).count() == 10  # the log of attempts stays
    [event] = lifts()
    assert event.actor == users["city_admin"] and event.jurisdiction_id is None and event.object_id == ""
    assert event.reason == "核实为本局办公网出口，培训时多人输错"
    assert event.changes["address"] == capped and event.changes["failures"] == 10
    assert event.changes["accounts"] == ["leader"] and event.changes["locked_until"].startswith(until.isoformat()[:16])
    assert action_label(event.action) == "解除地址登录锁定"
    said = {change.label: change.after for change in changes_of(event)}
    assert said["解除锁定的登录地址"] == capped and said["清除的登录失败次数"] == "10"
    assert said["从该地址的账号锁定一并解除"] == "leader" and said["尝试的用户名数"] == "3"
    assert verify_chain() == []


@pytest.mark.parametrize("role", ["county_admin", "leader", "department_user", "inspector"])
def test_no_one_else_lifts_it(capped, users, role):
    """A county admin neither: the address is every county's users' way in, and may be a stranger's."""
    with pytest.raises(PermissionDenied, match="只有市局管理员可以解除网络地址的登录锁定"):
        do_lift_address_lock(capped, acting_user=users[role], reason="试试")
    assert address_locked_until(capped) is not None and lifts() == []


def test_a_superuser_lifts_it(capped):
    do_lift_address_lock(capped, acting_user=User.objects.create_superuser("root", password="x"), reason="核实")
    assert address_locked_until(capped) is None and len(lifts()) == 1


def test_what_is_wrong_is_said_by_field_all_at_once_and_nothing_is_lifted(capped, users):
    with pytest.raises(ValidationError) as refused:
        do_lift_address_lock("10.0.0.666", acting_user=users["city_admin"], reason="  ")
    assert set(refused.value.message_dict) == {"address", "reason"}
    assert "“10.0.0.666”不是网络地址" in refused.value.message_dict["address"][0]
    assert "请填写解除理由" in refused.value.message_dict["reason"][0]
    assert address_locked_until(capped) is not None and lifts() == []


def test_an_address_not_locked_is_refused_saying_so(users, capped):
    with pytest.raises(ValidationError, match=r"网络地址 10\.0\.0\.7 现在没有因登录失败过多而锁定，无需解除"):
        do_lift_address_lock("10.0.0.7", acting_user=users["city_admin"], reason="核实")
    do_lift_address_lock(capped, acting_user=users["city_admin"], reason="核实")
    with pytest.raises(ValidationError, match="现在没有因登录失败过多而锁定"):  # the second of two admins
        do_lift_address_lock(capped, acting_user=users["city_admin"], reason="核实")
    assert len(lifts()) == 1


def test_an_address_is_read_as_axes_stores_it(users):
    """An IPv6 address written in full or in upper case is the one axes stored compressed."""
    office = Client(REMOTE_ADDR="2001:db8::1")
    for name in ("leader", "county_admin", "nobody"):
        for _ in range(4):
            sign_in(office, name, "wrong-password")
    assert address_locked_until("2001:db8::1") is not None
    lock = do_lift_address_lock(" 2001:DB8:0:0:0:0:0:1 ", acting_user=users["city_admin"], reason="核实")
    assert lock.address == "2001:db8::1" and address_locked_until("2001:db8::1") is None


# --- the operator's command --------------------------------------------------------------------------------------


def test_the_operators_command_lifts_it_audited_with_no_actor(capped, capsys):
    call_command("lift_address_lock", capped, "--reason", "运维核实：省平台出口")
    assert "已解除网络地址 10.0.0.66 的登录锁定" in capsys.readouterr().out
    [event] = lifts()
    assert event.actor_id is None and event.reason == "运维核实：省平台出口"
    assert address_locked_until(capped) is None


def test_the_command_needs_a_reason_and_an_address_it_can_read(capped):
    with pytest.raises(CommandError, match="--reason"):
        call_command("lift_address_lock", capped)
    with pytest.raises(CommandError, match="--reason：请填写解除理由"):
        call_command("lift_address_lock", capped, "--reason", " ")
    with pytest.raises(CommandError, match="ADDRESS：“fe80::zz”不是网络地址"):
        call_command("lift_address_lock", "fe80::zz", "--reason", "核实")
    with pytest.raises(CommandError, match=r"ADDRESS：网络地址 10\.0\.0\.8 现在没有"):
        call_command("lift_address_lock", "10.0.0.8", "--reason", "核实")
    assert address_locked_until(capped) is not None and lifts() == []


# --- the page ----------------------------------------------------------------------------------------------------


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_says_what_the_lift_does_then_does_it(capped, users):
    city = client_of(users["city_admin"])
    page = city.get(LIFT, {"address": capped, "next": "/audit/?about=none"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "解除地址登录锁定：<span class=\"font-monospace\">10.0.0.66</span>" in html
    assert "从该地址锁定的账号" in html and ">leader<" in html
    assert "从该地址锁定的账号也一并解除" in html  # the warning before the button
    done = city.post(LIFT, {"address": capped, "reason": "核实为本局办公网出口", "next": "/audit/?about=none"})
    assert done.status_code == 302 and done.url == "/audit/?about=none"
    assert address_locked_until(capped) is None
    messages = city.get(done.url).content.decode()
    assert "已解除网络地址 10.0.0.66 的登录锁定，已记入审计日志。" in messages
    assert "账号 leader 从该地址的登录锁定也一并解除。" in messages
    assert "解除地址登录锁定" in messages.split('id="audit-events"', 1)[1]  # the lift's own row, at the top


def test_without_a_reason_the_page_says_so_and_lifts_nothing(capped, users):
    refused = client_of(users["city_admin"]).post(LIFT, {"address": capped, "reason": ""})
    assert refused.status_code == 400 and "请填写解除理由" in refused.content.decode()
    assert address_locked_until(capped) is not None and lifts() == []


def test_a_lock_lifted_meanwhile_is_said(capped, users):
    do_lift_address_lock(capped, acting_user=None, reason="运维已解除")
    late = client_of(users["city_admin"]).post(LIFT, {"address": capped, "reason": "核实"})
    assert late.status_code == 400 and "现在没有因登录失败过多而锁定，无需解除" in late.content.decode()
    assert len(lifts()) == 1


@pytest.mark.parametrize("address", ["", "not-an-address", "1.2.3.4.5", "²"])
def test_an_unreadable_address_is_a_clear_400(users, address):
    page = client_of(users["city_admin"]).get(LIFT, {"address": address})
    assert page.status_code == 400 and "不是网络地址：请填写 IPv4 或 IPv6 地址" in page.content.decode()


def test_an_address_not_locked_is_said_and_offers_no_form(users):
    page = client_of(users["city_admin"]).get(LIFT, {"address": "10.0.0.9"})
    html = page.content.decode()
    assert page.status_code == 200 and "网络地址 10.0.0.9 现在没有因登录失败过多而锁定，无需解除。" in html
    assert 'name="reason"' not in html


@pytest.mark.parametrize("role", ["county_admin", "other_county_admin", "leader", "department_user", "inspector"])
def test_only_the_city_office_has_the_page(capped, users, role):
    client = client_of(users[role])
    assert client.get(LIFT, {"address": capped}).status_code == 403
    assert client.post(LIFT, {"address": capped, "reason": "试试"}).status_code == 403
    assert address_locked_until(capped) is not None and lifts() == []


def test_it_goes_back_only_to_a_page_of_the_system(capped, users):
    done = client_of(users["city_admin"]).post(LIFT, {"address": capped, "reason": "核实",
                                                      "next": "https://elsewhere.example/"})
    assert done.status_code == 302 and done.url == "/audit/"


# --- the user's page, where the lock is mentioned ----------------------------------------------------------------


def test_the_users_page_offers_the_city_the_lift_and_tells_a_county_whom_to_ask(capped, users):
    account = users["county_admin"]  # his four failures were from the capped address: he was seen there
    city = client_of(users["city_admin"]).get(f"/accounts/users/{account.pk}/").content.decode()
    line = city.split('id="address-lock"', 1)[1].split("</div>", 1)[0]
    assert f'href="{LIFT}?address=10.0.0.66&amp;next=/accounts/users/{account.pk}/"' in line
    assert "解除地址锁定" in line
    county = client_of(account).get(f"/accounts/users/{account.pk}/").content.decode()
    line = county.split('id="address-lock"', 1)[1].split("</div>", 1)[0]
    assert LIFT not in line and "如需提前解除，请联系市局管理员。" in line


def test_unlocking_a_name_tells_the_city_where_the_address_is_lifted(users):
    """The leader and the county admin signed in from the office before strangers' names capped it: unlocking
    either name does not open the address, and each admin is told what he can do about it."""
    office = Client(REMOTE_ADDR="10.0.0.77")
    assert sign_in(office, "leader", "pw-leader").status_code == 302
    assert sign_in(Client(REMOTE_ADDR="10.0.0.77"), "county_admin", "pw-county_admin").status_code == 302
    stranger = Client(REMOTE_ADDR="10.0.0.77")
    for name in ("x1", "x2", "x3"):
        for _ in range(4):
            sign_in(stranger, name, "wrong-password")
    assert address_locked_until("10.0.0.77") is not None
    done = client_of(users["city_admin"]).post(f"/accounts/users/{users['leader'].pk}/unlock/", follow=True)
    assert "核实该地址可以放开的，在他的页面上点“解除地址锁定”" in done.content.decode()
    account = users["county_admin"]
    told = client_of(account).post(f"/accounts/users/{account.pk}/unlock/", follow=True).content.decode()
    assert "如需提前解除，请联系市局管理员。" in told and "在他的页面上点" not in told


# --- the accounts the lifting admin may not act on ----------------------------------------------------------------


@pytest.fixture
def root_capped(users):
    """The office's address capped, with a superuser's name locked from it among others': 5 wrong passwords at
    ``root`` (a lock only a superuser may lift, ``do_unlock_login``), 5 at the leader's."""
    User.objects.create_superuser("root", password="pw-root")
    office = Client(REMOTE_ADDR=OFFICE)
    for name in ("root", "leader"):
        for _ in range(5):
            sign_in(office, name, "wrong-password")
    assert address_locked_until(OFFICE) is not None and locked_until("root", OFFICE) is not None
    return OFFICE


def test_a_city_admins_lift_leaves_a_superusers_lock_and_says_so(root_capped, users):
    """Lifting the address forgets its failures; a city admin's lift must not forget a superuser's, which would
    unlock an account he may not unlock by its own page (``ensure_can_manage``)."""
    lock = do_lift_address_lock(root_capped, acting_user=users["city_admin"], reason="核实为本局办公网出口")
    assert address_locked_until(root_capped) is None and locked_until("leader", root_capped) is None
    assert locked_until("root", root_capped) is not None  # still locked: his failures there are kept
    assert sign_in(Client(REMOTE_ADDR=root_capped), "root", "pw-root").status_code != 302
    assert lock.locked_accounts == ["leader"] and lock.kept_accounts == ("root",) and lock.failures == 5
    [event] = lifts()
    assert event.changes["accounts"] == ["leader"] and event.changes["failures"] == 5


def test_a_superusers_lift_unlocks_every_name(root_capped):
    lock = do_lift_address_lock(root_capped, acting_user=User.objects.get(username="root"), reason="核实")
    assert locked_until("root", root_capped) is None and lock.locked_accounts == ["leader", "root"]
    assert lock.kept_accounts == () and lifts()[0].changes["accounts"] == ["leader", "root"]


def test_when_the_superusers_failures_alone_cap_it_the_city_cannot_lift_it(users, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 5  # the superuser's five failures alone cap the address
    User.objects.create_superuser("root", password="pw-root")
    office = Client(REMOTE_ADDR=OFFICE)
    for _ in range(5):
        sign_in(office, "root", "wrong-password")
    assert address_locked_until(OFFICE) is not None
    with pytest.raises(ValidationError, match="仅超级管理员等您无权管理的账号（root）的失败就已达到地址锁定的次数"):
        do_lift_address_lock(OFFICE, acting_user=users["city_admin"], reason="核实")
    assert address_locked_until(OFFICE) is not None and locked_until("root", OFFICE) is not None and lifts() == []


def test_the_page_tells_the_city_which_locks_stay(root_capped, users):
    city = client_of(users["city_admin"])
    html = city.get(LIFT, {"address": root_capped}).content.decode()
    assert 'id="lift-kept"' in html and "其中 root 不随之解除" in html
    assert 'id="lift-kept"' not in client_of(User.objects.get(username="root")).get(
        LIFT, {"address": root_capped}).content.decode()  # a superuser's lift lifts them all
    done = city.post(LIFT, {"address": root_capped, "reason": "核实为本局办公网出口", "next": "/audit/"})
    assert done.status_code == 302
    told = city.get(done.url).content.decode()
    assert "账号 leader 从该地址的登录锁定也一并解除。" in told
    assert "账号 root 从该地址的登录锁定未解除" in told
