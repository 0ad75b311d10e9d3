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
