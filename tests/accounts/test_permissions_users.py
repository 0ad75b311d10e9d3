"""Managing users: who may create whom, role changes with reasons in the audit chain, and the admin that
goes through the same service functions."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.accounts.services import (
    do_change_role,
    do_create_user,
    do_set_admin_permissions,
    do_set_password,
    do_unlock_login,
    do_update_user,
)
from shuangsuiji.audit.models import Event
from shuangsuiji.audit.services import verify_chain


def new_user(username: str, role: str, jurisdiction, **fields) -> User:
    return User(username=username, role=role, jurisdiction=jurisdiction, **fields)


def test_city_admin_creates_a_leader_of_a_county_with_an_event(tree, users):
    user = do_create_user(new_user("wang", Role.LEADER, tree["a"], last_name="王"), acting_user=users["city_admin"],
                          password="s3cret-Passw0rd", reason="新任分局长")
    assert user.check_password("s3cret-Passw0rd")
    event = Event.objects.get(action="user.create", object_id=str(user.pk))
    assert event.actor == users["city_admin"] and event.reason == "新任分局长"
    assert event.changes["role"] == [None, "leader"] and event.changes["jurisdiction"] == [None, "涞水县"]
    assert "password" not in event.changes and "s3cret" not in str(event.changes)
    # what was given, not every default: no "superuser: no" as if someone had decided it
    assert not {"is_superuser", "is_staff", "email", "first_name", "department", "inspector"} & set(event.changes)
    assert event.changes["is_active"] == [None, True]
    assert event.jurisdiction_id == tree["a"].pk
    assert verify_chain() == []


@pytest.mark.parametrize("username, role, where", [
    ("b_leader", Role.LEADER, "b"),            # another county
    ("city_leader", Role.LEADER, "city"),      # above his own county
    ("boss", Role.CITY_ADMIN, "city"),         # a higher role
    ("a_leader", Role.LEADER, "a"),            # his own county's leader: the city's to open
    ("a_admin", Role.COUNTY_ADMIN, "a"),       # his own rank: the city's to open
])
def test_county_admin_cannot_hand_out_more_than_he_has(tree, users, username, role, where):
    with pytest.raises(PermissionDenied):
        do_create_user(new_user(username, role, tree[where]), acting_user=users["county_admin"], password=None)
    assert not User.objects.filter(username=username).exists() and not Event.objects.exists()


@pytest.mark.parametrize("role", ["leader", "department_user", "inspector"])
def test_read_only_roles_manage_no_users(tree, users, role):
    with pytest.raises(PermissionDenied):
        do_create_user(new_user("x", Role.LEADER, tree["a"]), acting_user=users[role], password=None)


def test_city_admin_manages_every_county(tree, users):
    user = do_create_user(new_user("b_admin", Role.COUNTY_ADMIN, tree["b"]), acting_user=users["city_admin"],
                          password=None)
    assert not user.has_usable_password()
    do_change_role(users["other_county_admin"], acting_user=users["city_admin"], role=Role.LEADER,
                   jurisdiction=tree["b"], reason="调任局领导")
    assert User.objects.get(pk=users["other_county_admin"].pk).role == Role.LEADER


@pytest.mark.parametrize("fields, field", [
    ({"role": Role.COUNTY_ADMIN, "where": "city"}, "jurisdiction"),   # a county admin bound to the city
    ({"role": Role.CITY_ADMIN, "where": "a"}, "jurisdiction"),        # a city admin bound to a county
    ({"role": Role.DEPARTMENT, "where": "a"}, "department"),          # a department user without department
    ({"role": Role.INSPECTOR, "where": "a"}, "inspector"),            # an inspector login without his record
    ({"role": Role.LEADER, "where": None}, "jurisdiction"),           # nobody without a jurisdiction
])
def test_a_role_must_fit_its_binding(tree, users, fields, field):
    user = new_user("x", fields["role"], tree[fields["where"]] if fields["where"] else None)
    with pytest.raises(ValidationError) as error:
        do_create_user(user, acting_user=None, password=None)
    assert field in error.value.message_dict


def test_department_and_inspector_must_belong_to_the_users_jurisdiction(tree, users):
    user = new_user("x", Role.DEPARTMENT, tree["a"], department=tree["departments"]["130624"])
    with pytest.raises(ValidationError) as error:
        do_create_user(user, acting_user=None, password=None)
    assert "不属于涞水县" in error.value.message_dict["department"][0]


def test_role_change_needs_a_reason_and_is_recorded(tree, users):
    leader = do_create_user(new_user("zhao", Role.LEADER, tree["a"]), acting_user=users["city_admin"],
                            password=None)
    with pytest.raises(ValidationError) as error:
        do_change_role(leader, acting_user=users["city_admin"], role=Role.COUNTY_ADMIN, jurisdiction=tree["a"],
                       reason=" ")
    assert "reason" in error.value.message_dict
    assert User.objects.get(pk=leader.pk).role == Role.LEADER
    do_change_role(leader, acting_user=users["city_admin"], role=Role.COUNTY_ADMIN, jurisdiction=tree["a"],
                   reason="任分局管理员")
    event = Event.objects.get(action="user.role_change", object_id=str(leader.pk))
    assert event.changes == {"role": ["leader", "county_admin"]} and event.reason == "任分局管理员"


def test_profile_edits_need_no_reason_and_nobody_changes_his_own_role(tree, users):
    admin = users["county_admin"]  # his own account's profile is his, though his rank's accounts are the city's
    admin.phone = "0312-1234567"
    do_update_user(admin, acting_user=admin)
    assert Event.objects.get(action="user.update").changes == {"phone": ["", "0312-1234567"]}
    with pytest.raises(PermissionDenied):
        do_change_role(admin, acting_user=admin, role=Role.CITY_ADMIN, jurisdiction=tree["city"], reason="自封")
    assert User.objects.get(pk=admin.pk).role == Role.COUNTY_ADMIN


def test_a_user_cannot_be_moved_out_of_or_taken_from_another_scope(tree, users):
    with pytest.raises(PermissionDenied):  # moving his own county's leader to county B
        do_change_role(users["department_user"], acting_user=users["county_admin"], role=Role.LEADER,
                       jurisdiction=tree["b"], reason="调动")
    with pytest.raises(PermissionDenied):  # touching county B's admin at all
        do_change_role(users["other_county_admin"], acting_user=users["county_admin"], role=Role.LEADER,
                       jurisdiction=tree["b"], reason="调动")
    assert User.objects.get(pk=users["department_user"].pk).jurisdiction == tree["a"]


def test_only_a_superuser_grants_admin_site_access(tree, users):
    with pytest.raises(PermissionDenied):
        do_create_user(new_user("staff", Role.LEADER, tree["a"], is_staff=True), acting_user=users["county_admin"],
                       password=None)
    with pytest.raises(PermissionDenied):
        do_set_admin_permissions(users["leader"], acting_user=users["city_admin"], groups=[],
                                 permissions=Permission.objects.all()[:1])
    root = User.objects.create_superuser("root", password="pw")
    user = do_create_user(new_user("staff", Role.LEADER, tree["a"], is_staff=True), acting_user=root, password=None)
    do_set_admin_permissions(user, acting_user=root, groups=[], permissions=Permission.objects.all()[:1],
                             reason="后台维护")
    assert Event.objects.filter(action="user.permissions", object_id=str(user.pk), reason="后台维护").exists()


def test_password_events_never_hold_the_password(tree, users):
    do_set_password(users["leader"], "N3w-Passw0rd!", acting_user=users["city_admin"])
    event = Event.objects.get(action="user.password")
    assert "N3w" not in str(event.changes) and users["leader"].password[:20] not in str(event.changes)
    with pytest.raises(PermissionDenied):
        do_set_password(users["other_county_admin"], "x-Passw0rd!", acting_user=users["county_admin"])


# ------------------------------------------------------------------------------------------- the admin


@pytest.fixture
def staff_admin(users):
    admin = users["county_admin"]
    User.objects.filter(pk=admin.pk).update(is_staff=True)
    admin.refresh_from_db()
    admin.user_permissions.set(Permission.objects.filter(content_type__app_label="accounts"))
    client = Client()
    client.force_login(admin)
    return client


def test_admin_lists_only_the_users_of_the_scope(staff_admin, users):
    listed = {user.username for user in staff_admin.get("/admin/accounts/user/").context["cl"].result_list}
    assert listed == {"county_admin", "department_user", "inspector"}  # his county's working accounts, and his own
    assert staff_admin.get(f"/admin/accounts/user/{users['other_county_admin'].pk}/change/").status_code in (302,
                                                                                                           404)


def test_admin_add_goes_through_the_service(staff_admin, tree):
    response = staff_admin.post("/admin/accounts/user/add/", {
        "username": "liu", "usable_password": "true", "password1": "Liu-Passw0rd-2021",
        "password2": "Liu-Passw0rd-2021", "last_name": "刘", "role": "department_user", "jurisdiction": tree["a"].pk,
        "department": tree["departments"]["130623"].pk, "reason": "新任科室用户"})
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="liu")
    assert user.check_password("Liu-Passw0rd-2021")
    assert Event.objects.filter(action="user.create", object_id=str(user.pk), reason="新任科室用户").exists()


def test_admin_add_shows_the_services_errors_by_field(staff_admin, tree):
    response = staff_admin.post("/admin/accounts/user/add/", {
        "username": "liu", "usable_password": "false", "role": "county_admin", "jurisdiction": tree["city"].pk})
    assert response.status_code == 200
    content = response.content.decode()
    # the city is outside a county admin's choices; a county admin needs a county
    assert "jurisdiction" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="liu").exists()
    assert "errorlist" in content


def change_payload(user: User, **changes) -> dict:
    payload = {"username": user.username, "last_name": user.last_name, "first_name": user.first_name,
               "phone": user.phone, "email": user.email, "role": user.role, "jurisdiction": user.jurisdiction_id,
               "department": user.department_id or "", "inspector": user.inspector_id or "", "is_active": "on",
               "reason": ""}
    payload.update(changes)
    return payload


def test_admin_role_change_asks_for_a_reason(users):
    city = users["city_admin"]  # a county's leader made its admin: the city's to do
    User.objects.filter(pk=city.pk).update(is_staff=True)
    city.user_permissions.set(Permission.objects.filter(content_type__app_label="accounts"))
    staff_admin = Client()
    staff_admin.force_login(city)
    user = users["leader"]
    user.jurisdiction = users["county_admin"].jurisdiction
    user.save()
    url = f"/admin/accounts/user/{user.pk}/change/"
    refused = staff_admin.post(url, change_payload(user, role="county_admin"))
    assert refused.status_code == 200 and "reason" in refused.context["adminform"].form.errors
    assert User.objects.get(pk=user.pk).role == Role.LEADER
    saved = staff_admin.post(url, change_payload(user, role="county_admin", reason="任分局管理员"))
    assert saved.status_code == 302
    assert Event.objects.get(action="user.role_change").changes["role"] == ["leader", "county_admin"]


def test_admin_cannot_grant_superuser_rights_through_the_form(staff_admin, users):
    user = users["department_user"]
    staff_admin.post(f"/admin/accounts/user/{user.pk}/change/",
                     change_payload(user, is_superuser="on", is_staff="on", reason="x"))
    user.refresh_from_db()
    assert not user.is_superuser and not user.is_staff


def test_admin_password_change_is_recorded(staff_admin, users):
    user = users["department_user"]
    response = staff_admin.post(f"/admin/accounts/user/{user.pk}/password/", {
        "usable_password": "true", "password1": "Dept-Passw0rd-2021", "password2": "Dept-Passw0rd-2021",
        "set-password": "1"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Dept-Passw0rd-2021")
    assert Event.objects.filter(action="user.password", object_id=str(user.pk)).exists()
    other = users["other_county_admin"]
    assert staff_admin.post(f"/admin/accounts/user/{other.pk}/password/", {
        "usable_password": "true", "password1": "Dept-Passw0rd-2021",
        "password2": "Dept-Passw0rd-2021"}).status_code in (302, 403, 404)
    other.refresh_from_db()
    assert not other.check_password("Dept-Passw0rd-2021")


def test_users_are_never_deleted_in_the_admin(staff_admin, users):
    assert staff_admin.get(f"/admin/accounts/user/{users['leader'].pk}/delete/").status_code in (302, 403, 404)
    assert User.objects.filter(pk=users["leader"].pk).exists()


ACTIONS_ON_AN_ACCOUNT = {
    "deactivate": lambda account, actor: do_update_user(_with(account, is_active=False), acting_user=actor,
                                                        reason="离职"),
    "password": lambda account, actor: do_set_password(account, "N3w-Passw0rd-2026", acting_user=actor),
    "role": lambda account, actor: do_change_role(account, acting_user=actor, role=Role.LEADER,
                                                  jurisdiction=actor.jurisdiction, reason="调整"),
    "unlock": lambda account, actor: do_unlock_login(account, acting_user=actor),
    "profile": lambda account, actor: do_update_user(_with(account, phone="13000000000"), acting_user=actor),
}


def _with(account: User, **fields) -> User:
    for name, value in fields.items():
        setattr(account, name, value)
    return account


@pytest.mark.parametrize("action", sorted(ACTIONS_ON_AN_ACCOUNT))
@pytest.mark.parametrize("role", ["city_admin", "county_admin", "other_county_admin", "leader", "department_user",
                                  "inspector"])
def test_no_role_but_a_superuser_acts_on_a_superusers_account(tree, users, role, action):
    """A city admin keeps every account of his city, but not a superuser's, even one bound to his city: deactivating
    it, resetting its password, changing its role, lifting its lock or editing it is refused, and nothing changes."""
    root = User.objects.create_superuser("root", password="pw-root", jurisdiction=tree["city"])
    with pytest.raises(PermissionDenied):
        ACTIONS_ON_AN_ACCOUNT[action](User.objects.get(pk=root.pk), users[role])
    stored = User.objects.get(pk=root.pk)
    assert stored.is_active and stored.is_superuser and stored.check_password("pw-root") and stored.phone == ""
    assert not Event.objects.filter(object_id=str(root.pk)).exists()


def test_a_superuser_acts_on_another_superusers_account(tree):
    root = User.objects.create_superuser("root", password="pw-root")
    other = User.objects.create_superuser("root2", password="pw-root2", jurisdiction=tree["city"])
    do_set_password(other, "N3w-Passw0rd-2026", acting_user=root)
    do_update_user(_with(other, is_active=False), acting_user=root, reason="离职")
    assert not User.objects.get(pk=other.pk).is_active


@pytest.mark.parametrize("role", ["city_admin", "county_admin"])
def test_no_admin_raises_anyone_to_superuser_himself_included(tree, users, role):
    for account in (users[role], users["department_user"]):
        with pytest.raises(PermissionDenied):
            do_update_user(_with(User.objects.get(pk=account.pk), is_superuser=True), acting_user=users[role],
                           reason="提权")
        assert not User.objects.get(pk=account.pk).is_superuser
    assert not Event.objects.exists()


@pytest.mark.parametrize("action", sorted(ACTIONS_ON_AN_ACCOUNT))
def test_a_county_admin_acts_on_no_account_of_another_county_or_of_the_city(tree, users, action):
    for outsider in ("other_county_admin", "city_admin", "leader"):
        with pytest.raises(PermissionDenied):
            ACTIONS_ON_AN_ACCOUNT[action](User.objects.get(pk=users[outsider].pk), users["county_admin"])
    assert not Event.objects.exists()
