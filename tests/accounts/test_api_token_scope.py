"""A county's API token reads that county's targets, plans, tasks and sealed records through the staff API and
nothing of the other county's — exactly what its owner reads with his password — because the token signs in as
its owner and every list goes through ``visible_to``. Built on the planning tests' small city (two counties with
drawn and dispatched plans) and a sealed record in each county."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.accounts.services import do_create_token
from shuangsuiji.planning import services
from shuangsuiji.planning.models import Task
from tests.fieldwork.conftest import submitted
from tests.planning.conftest import ceremony, city  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def bearer(user: User) -> dict:
    _token, secret = do_create_token(user, acting_user=user, name="分局看板",
                                     valid_through=timezone.localdate() + timedelta(days=90))
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def listed(url: str, headers: dict) -> set:
    rows, page = [], url
    while page:
        response = Client().get(page, **headers)
        assert response.status_code == 200, response.content
        body = response.json()
        rows += body["results"]
        page = body["next"]
    return {row["id"] for row in rows}


def sealed_record(plan, jurisdiction):
    """A sealed record of one of the plan's tasks, by an officer of its team with a login."""
    task = Task.objects.filter(selections__plan=plan).first()
    member = task.members.filter(active=True).select_related("inspector").first()
    officer = User.objects.filter(inspector=member.inspector).first() or User.objects.create_user(
        username=f"officer-{member.inspector_id}", password="x", role=Role.INSPECTOR, inspector=member.inspector,
        jurisdiction=jurisdiction)
    return submitted(task, officer, place="生产车间", address="厂区", legal_representative="赵某")


def test_a_county_token_reads_its_county_and_nothing_of_the_other(city):  # noqa: F811
    tree, users = city["tree"], city["users"]
    plans = {key: services.do_create_plan(jurisdiction=tree[key], year=2021, quarter=2, acting_user=None)
             for key in ("a", "b")}
    for plan in plans.values():
        ceremony(plan)
        services.do_dispatch(plan, acting_user=None)
    records = {key: sealed_record(plans[key], tree[key]) for key in ("a", "b")}
    tasks = {key: set(Task.objects.filter(selections__plan=plans[key]).values_list("pk", flat=True))
             for key in ("a", "b")}
    assert tasks["a"] and tasks["b"] and not tasks["a"] & tasks["b"]

    for key, other, role in (("a", "b", "county_admin"), ("b", "a", "other_county_admin")):
        headers = bearer(users[role])
        assert listed("/api/planning/plans/", headers) == {plans[key].pk}
        assert listed("/api/planning/tasks/", headers) == tasks[key]
        assert listed("/api/fieldwork/records/", headers) == {records[key].pk}
        targets = listed("/api/registry/targets/", headers)
        assert targets and all(t.jurisdiction_id == tree[key].pk
                               for t in city["targets"].values() if t.pk in targets)
        assert not targets & {t.pk for t in city["targets"].values() if t.jurisdiction_id == tree[other].pk}
        for url in (f"/api/planning/plans/{plans[other].pk}/", f"/api/planning/tasks/{min(tasks[other])}/",
                    f"/api/fieldwork/records/{records[other].pk}/"):
            assert Client().get(url, **headers).status_code == 404, url
        assert Client().get(f"/api/fieldwork/records/{records[key].pk}/", **headers).json()["seal_hash"] == (
            records[key].seal_hash)

    city_headers = bearer(users["city_admin"])
    assert listed("/api/fieldwork/records/", city_headers) == {records["a"].pk, records["b"].pk}
    assert listed("/api/planning/tasks/", city_headers) == tasks["a"] | tasks["b"]
