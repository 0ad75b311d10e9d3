"""The 403 page says whom to ask in words true for its reader: an admin asked "the admin of your jurisdiction" was
told to ask himself (a county admin refused a county leader's account, which the city keeps)."""

import pytest

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.accounts.services import do_create_user
from tests.clients import signed_in

pytestmark = pytest.mark.django_db

OWN_ADMIN = "如需办理，请联系本行政区的管理员。"
NAMED = "如需办理，请联系上面提示中所说的人员；没有说明的，请联系系统管理员。"


@pytest.fixture
def county_leader(tree, users) -> User:
    return do_create_user(User(username="a_leader", role=Role.LEADER, jurisdiction=tree["a"]), acting_user=None,
                          password=None)


@pytest.mark.parametrize(("role", "footer"), [
    ("county_admin", NAMED), ("leader", OWN_ADMIN), ("department_user", OWN_ADMIN), ("inspector", OWN_ADMIN)])
def test_the_forbidden_page_tells_each_reader_whom_to_ask(users, county_leader, role, footer):
    response = signed_in(users[role]).post(f"/accounts/users/{county_leader.pk}/deactivate/", {"reason": "调离"})
    assert response.status_code == 403
    page = response.content.decode()
    assert footer in page
    assert (OWN_ADMIN in page) is (footer == OWN_ADMIN)
    assert "{#" not in page  # the template's comment stays out of the page


def test_in_english_too(users, county_leader):
    client = signed_in(users["county_admin"], "en")
    page = client.post(f"/accounts/users/{county_leader.pk}/deactivate/", {"reason": "调离"}).content.decode()
    assert "ask whoever the message above names" in page and "ask an admin of your jurisdiction" not in page
