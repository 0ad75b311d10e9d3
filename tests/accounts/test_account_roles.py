"""Least privilege on the 用户管理 pages: a county admin kept every account of his county, so he could open a leader's
account, make a second county admin, or deactivate the leader who oversees him. He now keeps his county's working
accounts (科室用户, 执法人员) and his own profile; a county's admins and leaders are the city admin's to open, change
and deactivate. One gate says it (``services.ensure_can_manage``, ``User.objects.visible_to`` as its query), and
every role is tried here, anonymous included."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.accounts.services import do_create_user, do_update_user
from shuangsuiji.audit.models import Event
from tests.clients import signed_in

pytestmark = pytest.mark.django_db

REFUSAL = "分局管理员只管理本县的科室用户和执法人员账号；分局管理员和局领导的账号由市局管理员开设、修改和停用"
ROLES = ["city_admin", "county_admin", "other_county_admin", "leader", "department_user", "inspector", None]


@pytest.fixture
def county_leader(tree, users) -> User:
    return do_create_user(User(username="a_leader", role=Role.LEADER, jurisdiction=tree["a"]), acting_user=None,
                          password=None)


def client_of(users, role: str | None) -> Client:
    return signed_in(users[role]) if role else Client()


def leader_payload(tree) -> dict:
    return {"username": "new_leader", "last_name": "王", "first_name": "局", "phone": "", "email": "",
            "role": Role.LEADER, "jurisdiction": tree["a"].pk, "department": "", "inspector": "",
            "password1": "Laishui-2021!", "password2": "Laishui-2021!", "reason": "新任分局长"}


# what each role gets creating county A's leader on the page, and deactivating county A's leader
CREATE = {"city_admin": 302, "county_admin": 200, "other_county_admin": 200, "leader": 403, "department_user": 403,
          "inspector": 403, None: 302}
# his own county's leader is named to him (histories, the 审计日志), so he is told the city keeps the account (403);
# another county's is outside his scope and does not exist to him (404)
DEACTIVATE = {"city_admin": 302, "county_admin": 403, "other_county_admin": 404, "leader": 403,
              "department_user": 403, "inspector": 403, None: 302}


@pytest.mark.parametrize("role", ROLES)
def test_who_opens_a_countys_leader_account(tree, users, role):
    response = client_of(users, role).post("/accounts/users/new/", leader_payload(tree))
    assert response.status_code == CREATE[role]
    created = User.objects.filter(username="new_leader").exists()
    assert created is (role == "city_admin")
    if role is None:
        assert response["Location"].startswith("/login/")
    if role == "county_admin":
        # the form says why, at the role: his choices are the working accounts
        form = response.context["form"]
        assert REFUSAL in form.errors["role"][0]
        assert {value for value, _label in form.fields["role"].choices if value} == {Role.DEPARTMENT, Role.INSPECTOR}


@pytest.mark.parametrize("role", ROLES)
def test_who_deactivates_a_countys_leader(tree, users, county_leader, role):
    response = client_of(users, role).post(f"/accounts/users/{county_leader.pk}/deactivate/", {"reason": "调离"})
    assert response.status_code == DEACTIVATE[role]
    assert User.objects.get(pk=county_leader.pk).is_active is (role != "city_admin")


@pytest.mark.parametrize(("account", "role"), [
    ("a_leader", Role.LEADER), ("a_admin", Role.COUNTY_ADMIN)])
def test_the_service_refuses_a_county_admin_his_countys_leaders_and_admins_with_the_reason(tree, users, account,
                                                                                            role):
    county = users["county_admin"]
    with pytest.raises(PermissionDenied) as refused:
        do_create_user(User(username=account, role=role, jurisdiction=tree["a"]), acting_user=county, password=None)
    assert str(refused.value) == REFUSAL
    stored = do_create_user(User(username=account, role=role, jurisdiction=tree["a"]), acting_user=users["city_admin"],
                            password=None)
    stored.is_active = False
    with pytest.raises(PermissionDenied) as refused:
        do_update_user(stored, acting_user=county, reason="调离")
    assert str(refused.value) == REFUSAL
    assert User.objects.get(pk=stored.pk).is_active
    # nor does he make one of his inspectors a leader
    inspector = User.objects.get(pk=users["inspector"].pk)
    inspector.role, inspector.inspector = Role.LEADER, None
    with pytest.raises(PermissionDenied):
        do_update_user(inspector, acting_user=county, reason="改任")
    assert User.objects.get(pk=inspector.pk).role == Role.INSPECTOR
    assert not Event.objects.filter(actor=county).exists()


def test_a_county_admin_still_keeps_his_countys_working_accounts(tree, users, county_leader):
    county = users["county_admin"]
    department = do_create_user(User(username="keshi", role=Role.DEPARTMENT, jurisdiction=tree["a"],
                                     department=tree["departments"]["130623"]), acting_user=county, password=None)
    inspector = User.objects.get(pk=users["inspector"].pk)
    inspector.is_active = False
    do_update_user(inspector, acting_user=county, reason="离职")
    assert not User.objects.get(pk=inspector.pk).is_active
    client = signed_in(county)
    page = client.get("/accounts/users/")
    listed = {account.username for account, _locked in page.context["rows"]}
    # his own account stays listed (its profile is his); his county's leader is not, and the page says whose it is
    assert listed == {"county_admin", "department_user", "inspector", department.username}
    assert REFUSAL in page.content.decode()
    # opened by address, the leader's page says the city keeps it (403 with the reason), not that it is missing
    refused = client.get(f"/accounts/users/{county_leader.pk}/")
    assert refused.status_code == 403
    assert REFUSAL in refused.content.decode()
    assert REFUSAL not in signed_in(users["city_admin"]).get("/accounts/users/").content.decode()


def test_in_english_the_refusal_is_english(tree, users):
    response = signed_in(users["county_admin"], "en").post("/accounts/users/new/", leader_payload(tree))
    assert "the accounts of county admins and leaders are opened, changed and deactivated by the city admin" in \
        response.context["form"].errors["role"][0]
