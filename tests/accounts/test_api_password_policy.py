"""A password that must be changed first (an admin set it, or it is older than PASSWORD_MAX_AGE_DAYS) opens no
API through HTTP Basic either: the pages and the session API sent its owner to the change form, but Basic auth
signs in inside DRF, after the middleware that checks it, so the temporary password an admin handed out (or a
stale one) read every list of the user's scope (docs/operations.md, "Accounts and signing in")."""

import base64
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from shuangsuiji.accounts.models import User
from shuangsuiji.accounts.services import do_set_password

GOOD = "Qingyuan-2021"


def basic(username: str, password: str) -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


@pytest.mark.parametrize("path", ["/api/registry/targets/", "/api/planning/plans/", "/api/fieldwork/records/"])
def test_a_password_an_admin_set_opens_no_api_through_basic_auth(users, path):
    do_set_password(users["leader"], GOOD, acting_user=users["city_admin"])
    response = Client().get(path, **basic("leader", GOOD))
    assert response.status_code == 403
    assert "管理员设置" in response.json()["detail"]


def test_an_expired_password_opens_no_api_through_basic_auth(users, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 90
    User.objects.filter(pk=users["leader"].pk).update(password_changed_at=timezone.now() - timedelta(days=91))
    response = Client().get("/api/registry/targets/", **basic("leader", "pw-leader"))
    assert response.status_code == 403


def test_a_password_its_owner_chose_still_opens_the_api(users):
    do_set_password(users["leader"], GOOD, acting_user=users["leader"])
    assert Client().get("/api/registry/targets/", **basic("leader", GOOD)).status_code == 200
