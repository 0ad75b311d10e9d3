"""What accounts stores is in the system's language (Chinese) when an English-speaking user acts: the reasons
and values of the events of users created, passwords set, sign-ins locked and unlocked, admin rights given."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import translation

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.accounts.services import do_create_user, do_set_admin_permissions, do_set_password, do_unlock_login
from shuangsuiji.audit.models import Event

pytestmark = pytest.mark.django_db


def test_a_user_created_and_given_a_password_in_english_is_recorded_in_chinese(tree, users):
    with translation.override("en"):
        user = do_create_user(User(username="wang", role=Role.LEADER, jurisdiction=tree["a"]),
                              acting_user=users["city_admin"], password=None)
        do_set_password(user, "Baoding-2026-strong", acting_user=users["city_admin"])
    assert Event.objects.get(action="user.create").reason == "新增用户"
    event = Event.objects.get(action="user.password")
    assert (event.reason, event.changes["password"]) == ("设置密码", [None, "已设置"])


def test_a_lockout_of_an_english_sign_in_and_its_lifting_are_recorded_in_chinese(users, settings):
    client = Client()
    client.cookies["django_language"] = "en"
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "inspector", "password": "wrong-password"})
    assert Event.objects.get(action="user.locked_out").reason == "连续登录失败，账号锁定"
    with translation.override("en"):
        do_unlock_login(users["inspector"], acting_user=users["county_admin"])
    assert Event.objects.get(action="user.unlock").reason == "解除登录锁定"


def test_admin_rights_given_in_english_are_named_in_chinese(users):
    superuser = User.objects.create_superuser("root", password="pw-root")
    permission = Permission.objects.get(codename="view_target")
    with translation.override("en"):
        do_set_admin_permissions(users["leader"], acting_user=superuser, groups=[], permissions=[permission])
    event = Event.objects.get(action="user.permissions")
    assert event.reason == "后台权限"
    assert event.changes["user_permissions"] == [[], [str(permission)]]  # the test runs in Chinese
    assert "检查对象" in event.changes["user_permissions"][1][0]
