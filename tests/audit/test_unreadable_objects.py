"""审计日志 and the objects its reader may not read: an event about one is listed (what changed, by whom, when) but its
values and reason are not — the log shows no more than the object's own page would. A superuser's account is the
case in point: a city admin keeps every account of his city, but not a superuser's (``User.objects.visible_to``)."""

import pytest
from django.test import Client

from shuangsuiji.accounts.models import User
from shuangsuiji.accounts.services import do_update_user

pytestmark = pytest.mark.django_db

PHONE = "13912345678"
WITHHELD = "（不向您显示）"


def audit_page(user) -> tuple[int, str]:
    client = Client()
    client.force_login(user)
    response = client.get("/audit/")
    return response.status_code, response.content.decode()


@pytest.fixture
def root_edited(tree):
    """A superuser bound to the city edits his own phone number: an event of the city's, about his account."""
    root = User.objects.create_superuser("root", password="pw-root", jurisdiction=tree["city"])
    root.phone = PHONE
    do_update_user(root, acting_user=root)
    return root


@pytest.mark.parametrize("role, status, reads", [
    ("city_admin", 200, False),        # lists the city's events, the superuser's among them: values withheld
    ("county_admin", 200, False),      # the event is the city's: not listed at all
    ("other_county_admin", 200, False),
    ("leader", 403, False), ("department_user", 403, False), ("inspector", 403, False)])
def test_the_values_of_an_event_about_a_superusers_account_are_read_by_superusers_only(root_edited, users, role,
                                                                                       status, reads):
    code, html = audit_page(users[role])
    assert code == status
    assert (PHONE in html) is reads
    if role == "city_admin":
        assert "root" in html and WITHHELD in html  # the event is listed, its values are not


def test_a_superuser_reads_them(root_edited):
    code, html = audit_page(root_edited)
    assert code == 200 and PHONE in html and WITHHELD not in html


def test_an_event_about_an_account_the_admin_manages_is_read_in_full(users):
    account = User.objects.get(pk=users["leader"].pk)
    account.phone = PHONE
    do_update_user(account, acting_user=users["city_admin"])
    code, html = audit_page(users["city_admin"])
    assert code == 200 and PHONE in html and WITHHELD not in html

