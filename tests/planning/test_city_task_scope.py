"""A city plan's visit to a county's firm is the city's (docs/guide/county-admin.md, "市局计划在本县的检查"): the
task page, the phone's task brief (``/fieldwork/tasks/<id>/``) and the API open it to exactly the same readers —
those who read a plan it counts for. The brief used the target's scope alone, so a county admin opened by its
address the city's visit that the task page and the API kept from him."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from shuangsuiji.accounts.models import Role, User

from . import test_overlaps
from .test_services import _officer

pytestmark = pytest.mark.usefixtures("current_quarter")

overlap = test_overlaps.overlap  # county A's plan dispatched, then the city's: two units with a city visit of their own


def statuses(user, task) -> tuple[int, int, int]:
    """What the task page, the brief and the API answer ``user`` for ``task``."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    api = APIClient()
    api.force_authenticate(user)
    return (client.get(reverse("planning:task_detail", args=[task.pk])).status_code,
            client.get(reverse("fieldwork:task_brief", args=[task.pk])).status_code,
            api.get(f"/api/planning/tasks/{task.pk}/").status_code)


@pytest.fixture
def readers(city, tree):
    users = dict(city["users"])
    users["county_leader"] = User.objects.create_user(username="county_leader", password="pw-x", role=Role.LEADER,
                                                      jurisdiction=tree["a"])
    return users


@pytest.mark.parametrize("name", ["county_admin", "department_user", "county_leader", "other_county_admin"])
def test_the_county_opens_none_of_the_citys_own_visit_to_its_firm(readers, overlap, name):
    assert statuses(readers[name], overlap["first_city"]) == (404, 404, 404)


@pytest.mark.parametrize("name", ["city_admin", "leader"])
def test_the_city_opens_its_visit_on_every_page(readers, overlap, name):
    assert statuses(readers[name], overlap["first_city"]) == (200, 200, 200)


@pytest.mark.parametrize("name", ["county_admin", "department_user", "county_leader", "city_admin", "leader"])
def test_a_visit_that_counts_for_the_countys_plan_opens_alike_on_every_page(readers, overlap, name):
    assert statuses(readers[name], overlap["joined"][0]) == (200, 200, 200)


def test_the_city_teams_officer_opens_his_visit_on_the_phone(overlap):
    task = overlap["first_city"]
    officer = _officer(task.members.filter(active=True).first())
    client = APIClient()
    client.force_login(officer)
    assert client.get(reverse("fieldwork:task_brief", args=[task.pk])).status_code == 200
