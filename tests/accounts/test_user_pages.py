"""用户管理: the pages on which city and county admins keep the accounts of their scope — who may use them, that
they save through the services (checks, audit events, a temporary password changed at first sign-in), and that
the list costs the same few queries however many users there are."""

import datetime
from html import unescape

import pytest
from axes.models import AccessAttempt
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.accounts.services import locked_until
from shuangsuiji.audit.models import Event
from shuangsuiji.audit.services import verify_chain
from shuangsuiji.registry.models import Inspector
from tests.clients import signed_in

GOOD = "Laishui-2021!"
TOO_SIMPLE = "onlysmallletters"  # long and uncommon, but of one kind of characters
TOO_SIMPLE_MESSAGE = "密码须包含大写字母、小写字母、数字、符号中的至少3类"


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name: str, user: User | None = None) -> str:
    base = "/accounts/users/"
    return {"list": base, "new": f"{base}new/"}.get(name) or f"{base}{user.pk}/{'' if name == 'detail' else name + '/'}"


def listed(client: Client, **filters) -> set[str]:
    response = client.get(url("list"), filters)
    assert response.status_code == 200
    return {account.username for account, _locked in response.context["rows"]}


def lock(username: str, settings) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post("/login/", {"username": username, "password": "wrong-password"})
    assert locked_until(username) is not None


@pytest.fixture
def recruit(tree):
    """An officer of county A in the inspector registry who has no login yet."""
    return Inspector.objects.create(name="李四", certificate_number="13062300002",
                                    certificate_expiry=datetime.date(2030, 1, 1), jurisdiction=tree["a"],
                                    department=tree["departments"]["130623"])


def create_payload(tree, recruit, **changes) -> dict:
    payload = {"username": "lisi", "last_name": "李", "first_name": "四", "phone": "", "email": "",
               "role": Role.INSPECTOR, "jurisdiction": tree["a"].pk, "department": "", "inspector": recruit.pk,
               "password1": GOOD, "password2": GOOD, "reason": "新入职执法人员"}
    payload.update(changes)
    return payload


def edit_payload(user: User, **changes) -> dict:
    payload = {"username": user.username, "last_name": user.last_name, "first_name": user.first_name,
               "phone": user.phone, "email": user.email, "role": user.role, "jurisdiction": user.jurisdiction_id,
               "department": user.department_id or "", "inspector": user.inspector_id or "", "reason": ""}
    payload.update(changes)
    return payload


# --- who may use the pages -----------------------------------------------------------------------------------------


def test_city_admin_sees_and_edits_the_users_of_both_counties(users):
    client = as_user(users["city_admin"])
    assert listed(client) == {"city_admin", "county_admin", "other_county_admin", "department_user", "inspector",
                              "leader"}
    other = users["other_county_admin"]
    for name in ("detail", "edit", "password"):
        assert client.get(url(name, other)).status_code == 200
    response = client.post(url("edit", other), edit_payload(other, phone="0312-5550000"))
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.phone == "0312-5550000"
    assert Event.objects.get(action="user.update", object_id=str(other.pk)).actor == users["city_admin"]


def test_county_admin_keeps_only_his_countys_users(users, settings):
    client = as_user(users["county_admin"])
    assert listed(client) == {"county_admin", "department_user", "inspector"}
    assert client.get(url("detail", users["inspector"])).status_code == 200
    lock("other_county_admin", settings)
    for outsider in (users["other_county_admin"], users["leader"], users["city_admin"]):
        for name in ("detail", "edit", "password", "deactivate"):
            assert client.get(url(name, outsider)).status_code == 404, (outsider, name)
        for name in ("edit", "password", "unlock", "deactivate"):
            assert client.post(url(name, outsider), {**edit_payload(outsider, phone="1"), "new_password1": GOOD,
                                                     "new_password2": GOOD, "reason": "x"}).status_code == 404
    assert locked_until("other_county_admin") is not None
    assert not Event.objects.exclude(action="user.locked_out").exists()
    # a jurisdiction outside his scope does not exist for him either
    assert client.get(url("list"), {"jurisdiction": users["other_county_admin"].jurisdiction_id}).status_code == 404


def test_a_superuser_is_managed_by_superusers_only(users):
    root = User.objects.create_superuser("root", password="pw-root", jurisdiction=users["city_admin"].jurisdiction)
    assert "root" not in listed(as_user(users["city_admin"]))
    assert as_user(users["city_admin"]).get(url("detail", root)).status_code == 404
    assert "root" in listed(as_user(root))


@pytest.mark.parametrize("role", ["leader", "department_user", "inspector"])
def test_roles_that_manage_no_accounts_are_refused(users, tree, recruit, role):
    client = as_user(users[role])
    for address in (url("list"), url("new"), url("detail", users[role]), url("detail", users["county_admin"]),
                    url("password", users["county_admin"])):
        assert client.get(address).status_code == 403, address
    assert client.post(url("new"), create_payload(tree, recruit)).status_code == 403
    assert client.post(url("unlock", users["county_admin"])).status_code == 403
    assert not User.objects.filter(username="lisi").exists() and not Event.objects.exists()
    assert "/accounts/users/" not in client.get("/").content.decode()  # and no menu entry leads there


def test_anonymous_is_sent_to_sign_in(users):
    for address in (url("list"), url("new"), url("detail", users["inspector"])):
        response = Client().get(address)
        assert response.status_code == 302 and response["Location"].startswith("/login/?next=")


def test_the_menu_leads_admins_to_the_pages(users):
    assert 'href="/accounts/users/"' in as_user(users["county_admin"]).get("/").content.decode()


# --- creating an account -------------------------------------------------------------------------------------------


def test_county_admin_creates_an_inspector_account_who_must_change_the_password_first(users, tree, recruit):
    admin = as_user(users["county_admin"])
    form = admin.get(url("new")).context["form"]
    # the officers offered: his county's, without a login yet (张三 has one), none of county B's
    assert list(form.fields["inspector"].queryset) == [recruit]
    assert set(form.fields["jurisdiction"].queryset) == {tree["a"]}
    response = admin.post(url("new"), create_payload(tree, recruit))
    assert response.status_code == 302, response.context["form"].errors
    user = User.objects.get(username="lisi")
    assert response["Location"] == url("detail", user)
    assert (user.role, user.jurisdiction, user.inspector, user.get_full_name()) == (Role.INSPECTOR, tree["a"],
                                                                                   recruit, "李四")
    assert user.check_password(GOOD) and user.must_change_password
    event = Event.objects.get(action="user.create", object_id=str(user.pk))
    assert event.actor == users["county_admin"] and event.reason == "新入职执法人员"
    assert event.changes["inspector"] == [None, str(recruit)] and GOOD not in str(event.changes)
    assert verify_chain() == []
    page = admin.get(response["Location"]).content.decode()
    assert "须修改密码" in page and "新增用户" in page and "新入职执法人员" in page  # login state and history

    # his first sign-in leads to the password form before anything else
    officer = Client()
    assert officer.post("/login/", {"username": "lisi", "password": GOOD}).status_code == 302
    first = officer.get("/fieldwork/")
    assert first.status_code == 302 and first["Location"].startswith("/account/")
    changed = officer.post("/account/", {"old_password": GOOD, "new_password1": "Li-Si-own-2021",
                                         "new_password2": "Li-Si-own-2021"})
    assert changed.status_code == 302
    assert officer.get("/fieldwork/tasks/").status_code == 200


@pytest.mark.parametrize("changes, field", [
    ({"password1": TOO_SIMPLE, "password2": TOO_SIMPLE}, "password2"),     # the validators' own message
    ({"password2": "Another-2021!"}, "password2"),                        # the two do not match
    ({"inspector": ""}, "inspector"),                                     # an inspector login needs his record
    ({"role": Role.COUNTY_ADMIN, "inspector": "", "jurisdiction": "city"}, "jurisdiction"),  # above his county
    ({"role": Role.CITY_ADMIN, "inspector": ""}, "role"),                 # a role he cannot hand out
    ({"reason": "", "role": ""}, "role"),                                 # no role chosen for him
    ({"phone": "xyz"}, "phone"),                                          # no telephone number
])
def test_a_refused_account_is_not_created_and_the_form_says_why(users, tree, recruit, changes, field):
    if changes.get("jurisdiction") == "city":
        changes["jurisdiction"] = tree["city"].pk
    response = as_user(users["county_admin"]).post(url("new"), create_payload(tree, recruit, **changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    if changes.get("password1") == TOO_SIMPLE:
        assert TOO_SIMPLE_MESSAGE in response.content.decode()
    assert not User.objects.filter(username="lisi").exists() and not Event.objects.exists()


def test_an_officer_of_another_county_cannot_be_bound(users, tree, recruit):
    stranger = Inspector.objects.create(name="王五", certificate_number="13062400009",
                                        certificate_expiry=datetime.date(2030, 1, 1), jurisdiction=tree["b"],
                                        department=tree["departments"]["130624"])
    response = as_user(users["county_admin"]).post(url("new"), create_payload(tree, recruit, inspector=stranger.pk))
    assert response.status_code == 200 and "inspector" in response.context["form"].errors
    # an officer who already has a login is not offered twice
    taken = as_user(users["county_admin"]).post(url("new"), create_payload(tree, recruit,
                                                                           inspector=users["inspector"].inspector_id))
    assert taken.status_code == 200 and "inspector" in taken.context["form"].errors
    assert not User.objects.filter(username="lisi").exists()


# --- editing -------------------------------------------------------------------------------------------------------


def test_a_role_change_needs_a_reason_and_lands_in_the_history(users, tree):
    client = as_user(users["city_admin"])  # a county's leader is the city's to appoint
    user = users["department_user"]
    refused = client.post(url("edit", user), edit_payload(user, role=Role.LEADER, department=""))
    assert refused.status_code == 200 and "reason" in refused.context["form"].errors
    assert User.objects.get(pk=user.pk).role == Role.DEPARTMENT
    saved = client.post(url("edit", user), edit_payload(user, role=Role.LEADER, department="", reason="改任局领导"))
    assert saved.status_code == 302
    assert User.objects.get(pk=user.pk).role == Role.LEADER
    event = Event.objects.get(action="user.role_change", object_id=str(user.pk))
    assert event.reason == "改任局领导" and event.changes["role"] == ["department_user", "leader"]
    page = client.get(url("detail", user)).content.decode()
    assert "修改用户角色或范围" in page and "改任局领导" in page


def test_an_admin_edits_his_own_profile_but_not_his_own_role(users, tree):
    admin = users["county_admin"]
    client = as_user(admin)
    form = client.get(url("edit", admin)).context["form"]
    assert all(form.fields[name].disabled for name in ("role", "jurisdiction", "department", "inspector"))
    response = client.post(url("edit", admin), edit_payload(admin, phone="0312-5550001", role=Role.CITY_ADMIN,
                                                            jurisdiction=tree["city"].pk, reason="自封"))
    assert response.status_code == 302
    admin.refresh_from_db()
    assert (admin.phone, admin.role, admin.jurisdiction) == ("0312-5550001", Role.COUNTY_ADMIN, tree["a"])
    # his own password is changed with the old one, on 账号与密码
    assert client.get(url("password", admin))["Location"] == "/account/"


# --- passwords, locks, deactivation --------------------------------------------------------------------------------


def test_reset_password_refuses_a_weak_one_then_sets_a_temporary_one(users):
    user = users["inspector"]
    session = Client()
    assert session.post("/login/", {"username": "inspector", "password": "pw-inspector"}).status_code == 302
    client = as_user(users["county_admin"])
    page = client.get(url("password", user)).content.decode()
    assert "下次登录时必须先把它改为只有自己知道的密码" in page  # the admin is told before he sets it
    weak = client.post(url("password", user), {"new_password1": TOO_SIMPLE, "new_password2": TOO_SIMPLE})
    assert weak.status_code == 200 and TOO_SIMPLE_MESSAGE in weak.content.decode()
    assert "new_password2" in weak.context["form"].errors
    user.refresh_from_db()
    assert user.check_password("pw-inspector") and not user.must_change_password
    assert not Event.objects.filter(action="user.password").exists()

    done = client.post(url("password", user), {"new_password1": GOOD, "new_password2": GOOD}, follow=True)
    assert "下次登录时须先修改密码" in done.content.decode()
    user.refresh_from_db()
    assert user.check_password(GOOD) and user.must_change_password
    event = Event.objects.get(action="user.password", object_id=str(user.pk))
    assert event.actor == users["county_admin"] and GOOD not in str(event.changes)
    # the session he had with the old password has ended; with the new one he must change it first
    assert session.get("/fieldwork/tasks/")["Location"].startswith("/login/")
    assert session.post("/login/", {"username": "inspector", "password": GOOD}).status_code == 302
    assert session.get("/fieldwork/tasks/")["Location"].startswith("/account/")


def test_a_locked_account_shows_it_and_the_admin_unlocks_it(users, settings):
    lock("inspector", settings)
    client = as_user(users["county_admin"])
    rows = dict((account.username, locked) for account, locked in client.get(url("list")).context["rows"])
    assert rows["inspector"] is not None and rows["department_user"] is None
    assert "已锁定" in client.get(url("list")).content.decode()
    detail = client.get(url("detail", users["inspector"])).content.decode()
    assert "锁定至" in detail and url("unlock", users["inspector"]) in detail
    assert client.get(url("unlock", users["inspector"])).status_code == 405  # a change is a POST
    response = client.post(url("unlock", users["inspector"]), follow=True)
    assert "已解除" in response.content.decode()
    assert locked_until("inspector") is None
    assert Event.objects.get(action="user.unlock").actor == users["county_admin"]
    assert url("unlock", users["inspector"]) not in client.get(url("detail", users["inspector"])).content.decode()
    assert Client().post("/login/", {"username": "inspector", "password": "pw-inspector"}).status_code == 302


def test_deactivate_needs_a_reason_ends_sign_in_and_reactivate_restores_it(users):
    user = users["department_user"]
    client = as_user(users["county_admin"])
    refused = client.post(url("deactivate", user), {"reason": " "})
    assert refused.status_code == 200 and "reason" in refused.context["form"].errors
    assert User.objects.get(pk=user.pk).is_active
    assert client.post(url("deactivate", user), {"reason": "调离本单位"}).status_code == 302
    assert not User.objects.get(pk=user.pk).is_active
    # the audit log names the step as the page does (停用账号), not as a change of role or scope
    event = Event.objects.get(action="user.deactivate", object_id=str(user.pk))
    assert event.changes == {"is_active": [True, False]} and event.reason == "调离本单位"
    assert Client().post("/login/", {"username": user.username, "password": "pw-department_user"}).status_code == 200
    assert user.username in listed(client, is_active="0") and user.username not in listed(client, is_active="1")
    assert client.post(url("reactivate", user), {"reason": "返岗"}).status_code == 302
    assert User.objects.get(pk=user.pk).is_active
    assert Event.objects.get(action="user.reactivate", object_id=str(user.pk)).changes == {"is_active": [False, True]}
    assert not Event.objects.filter(action="user.role_change", object_id=str(user.pk)).exists()
    city = as_user(users["city_admin"])
    for action, label in (("user.deactivate", "停用账号"), ("user.reactivate", "启用账号")):
        found = city.get("/audit/", {"action": action}).text
        assert f'title="{action}"' in found and label in found and user.username in found
    assert Client().post("/login/", {"username": user.username, "password": "pw-department_user"}).status_code == 302
    # nobody deactivates himself
    assert url("deactivate", users["county_admin"]) not in client.get(url("detail", users["county_admin"])).text
    assert client.post(url("deactivate", users["county_admin"]), {"reason": "x"}).status_code == 200
    assert User.objects.get(pk=users["county_admin"].pk).is_active


# --- the list ------------------------------------------------------------------------------------------------------


def test_the_lists_filters(users, tree):
    User.objects.create_user("wangxm", last_name="王", first_name="小明", role=Role.LEADER, jurisdiction=tree["b"])
    client = as_user(users["city_admin"])
    assert listed(client, q="王小明") == {"wangxm"}
    assert listed(client, q="county") == {"county_admin", "other_county_admin"}
    assert listed(client, role=Role.COUNTY_ADMIN) == {"county_admin", "other_county_admin"}
    assert listed(client, jurisdiction=tree["b"].pk) == {"other_county_admin", "wangxm"}
    assert listed(client, jurisdiction=tree["a"].pk, role=Role.INSPECTOR) == {"inspector"}


def test_the_list_makes_the_same_number_of_queries_however_many_users(users, tree, recruit, settings):
    client = as_user(users["city_admin"])

    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            jurisdiction = tree["a"] if i % 2 else tree["b"]
            User.objects.create(username=f"u{i}", role=Role.DEPARTMENT, jurisdiction=jurisdiction,
                                department=tree["departments"][jurisdiction.code], last_login=timezone.now())
            AccessAttempt.objects.create(username=f"u{i}", failures_since_start=settings.AXES_FAILURE_LIMIT,
                                         attempt_time=timezone.now(), ip_address="10.0.0.1", user_agent="test",
                                         get_data="", post_data="", http_accept="", path_info="/login/")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url("list"))
        assert response.status_code == 200
        return len(captured.captured_queries)

    add(2, 0)
    queries()  # the first request of a session writes it; the ones compared are alike
    few = queries()
    add(30, 2)
    assert queries() == few
    rows = client.get(url("list")).context["rows"]
    assert len(rows) == 38 and sum(1 for _account, locked in rows if locked) == 32


def test_a_form_with_two_mistakes_names_both_at_once(users, tree, recruit):
    """A phone number that is no number and an inspector login without his record: both are named on the first
    answer, so the admin does not mend one, send, and only then learn of the other."""
    response = as_user(users["county_admin"]).post(url("new"), create_payload(tree, recruit, phone="xyz",
                                                                              inspector=""))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"phone", "inspector"} <= set(errors), errors
    assert not User.objects.filter(username="lisi").exists() and not Event.objects.exists()


def test_the_password_hints_and_errors_in_english_use_ascii_apostrophes(users):
    # Django's own English has "can’t" and "didn’t"; the pages' CJK font sets U+2019 full width ("can’ t")
    client = signed_in(users["county_admin"], "en")
    page = unescape(client.get(url("new")).content.decode())
    assert "Your password can't be too similar to your other personal information." in page
    refused = client.post(url("password", users["inspector"]), {"new_password1": GOOD, "new_password2": GOOD + "x"})
    assert "The two password fields didn't match." in unescape(refused.content.decode())
    for html in (page, refused.content.decode()):
        assert "’" not in html


def test_a_refused_form_asks_for_the_passwords_again_and_says_why(users, tree):
    client = as_user(users["county_admin"])
    assert 'id="retype-password"' not in client.get(url("new")).content.decode()
    refused = client.post(url("new"), {"username": "li si", "last_name": "李", "role": Role.LEADER,
                                       "jurisdiction": tree["a"].pk, "password1": GOOD, "password2": GOOD})
    html = refused.content.decode()
    assert 'id="retype-password"' in html and "重新输入两遍密码" in html
    assert 'value="li si"' in html and GOOD not in html  # the rest kept, the password not
    reset = client.post(url("password", users["inspector"]), {"new_password1": GOOD, "new_password2": GOOD + "x"})
    assert 'id="retype-password"' in reset.content.decode()
    edit = client.post(url("edit", users["inspector"]), {"username": ""})  # no password on the edit form
    assert edit.status_code == 200 and 'id="retype-password"' not in edit.content.decode()


def test_a_county_admin_is_told_who_keeps_an_account_of_his_county_he_does_not_keep(users, tree):
    """His county's leader and fellow admin are named on pages he reads (the list's note, the 审计日志's events about
    them, the histories' actors): their pages by address say they are the city admin's, not 'not found'."""
    leader = User.objects.create_user("a_leader", password="pw-x", role=Role.LEADER, jurisdiction=tree["a"])
    colleague = User.objects.create_user("a_admin2", password="pw-x", role=Role.COUNTY_ADMIN, jurisdiction=tree["a"])
    client = as_user(users["county_admin"])
    for account in (leader, colleague):
        for name in ("detail", "edit", "password"):
            response = client.get(url(name, account))
            assert response.status_code == 403, (account, name)
            assert "分局管理员和局领导的账号由市局管理员开设、修改和停用" in response.content.decode()
        for name in ("edit", "password", "unlock", "deactivate"):
            assert client.post(url(name, account), {**edit_payload(account, phone="1"), "new_password1": GOOD,
                                                    "new_password2": GOOD, "reason": "x"}).status_code == 403
    assert not Event.objects.filter(object_id__in=[str(leader.pk), str(colleague.pk)]).exclude(
        action="user.create").exists()
    # another county's admin is outside his scope: it does not exist for him
    assert client.get(url("detail", users["other_county_admin"])).status_code == 404
    # the city admin keeps both
    assert as_user(users["city_admin"]).get(url("detail", leader)).status_code == 200
