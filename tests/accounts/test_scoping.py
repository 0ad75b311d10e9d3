"""The scoping gate: a user sees his jurisdiction's subtree (and reference data from above)."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser

from shuangsuiji.accounts.models import User
from shuangsuiji.registry.models import CheckItem, Department, Jurisdiction, Target
from tests.conftest import credit_code


@pytest.fixture
def targets(tree):
    return {
        key: Target.objects.create(credit_code=credit_code(tree[key].code, n), name=f"{tree[key].name}企业",
                                   jurisdiction=tree[key])
        for n, key in enumerate(("city", "a", "b"))
    }


def visible_names(model, user):
    return set(model.objects.visible_to(user).values_list("name", flat=True))


def test_city_admin_sees_every_county(users, targets):
    assert visible_names(Target, users["city_admin"]) == {"保定市企业", "涞水县企业", "阜平县企业"}


def test_county_admin_sees_only_his_county(users, targets):
    assert visible_names(Target, users["county_admin"]) == {"涞水县企业"}
    assert visible_names(Target, users["other_county_admin"]) == {"阜平县企业"}


def test_reference_data_is_visible_from_below_but_not_sideways(tree, users):
    CheckItem.objects.create(code="C-1", name="市级事项", legal_basis="法", content="查",
                             jurisdiction=tree["city"], responsible_department=tree["departments"]["130600"])
    CheckItem.objects.create(code="B-1", name="阜平事项", legal_basis="法", content="查",
                             jurisdiction=tree["b"], responsible_department=tree["departments"]["130624"])
    assert visible_names(CheckItem, users["county_admin"]) == {"市级事项"}
    assert visible_names(Jurisdiction, users["county_admin"]) == {"河北省", "保定市", "涞水县"}
    assert {d.jurisdiction.code for d in Department.objects.visible_to(users["county_admin"])} == {
        "130600", "130623"}


def test_anonymous_inactive_and_unbound_users_see_nothing(tree, users, targets):
    users["county_admin"].is_active = False
    unbound = User.objects.create_user("nobody", password="x")
    for user in (AnonymousUser(), users["county_admin"], unbound):
        assert not Target.objects.visible_to(user).exists()


def test_only_admins_may_edit_and_only_their_subtree(users, targets):
    assert set(Target.objects.editable_by(users["city_admin"])) == set(targets.values())
    assert list(Target.objects.editable_by(users["county_admin"])) == [targets["a"]]
    for role in ("leader", "inspector", "department_user"):
        assert not Target.objects.editable_by(users[role]).exists()


def test_superuser_sees_everything(targets):
    root = User.objects.create_superuser("root", password="x", email="")
    assert Target.objects.visible_to(root).count() == 3


def test_inspector_certified_only_until_expiry(users):
    inspector = users["inspector"].inspector
    assert inspector.is_certified_on(datetime.date(2030, 1, 1))
    assert not inspector.is_certified_on(datetime.date(2030, 1, 2))
