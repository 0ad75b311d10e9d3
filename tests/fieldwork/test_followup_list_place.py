# ruff: noqa: F811 (fixtures of the fieldwork tests, imported by name, are parameters here)
"""The follow-up list narrowed to a place outside the reader's area is refused in words, listing nothing.

``?jurisdiction=`` naming a county not his was ignored: the list then held his whole area under a filter that
seemed to hold (the overview's cells and the workbench link here with a county's pk). It now says which place is
not his, lists nothing and answers 404, as the 报送材料 page answers a jurisdiction outside it; ``?place=`` (the
firms registered at one place itself) alike. There is no follow-up API, so no API filter to refuse."""

import pytest
from django.urls import reverse

from shuangsuiji.fieldwork.models import Handling
from shuangsuiji.registry.models import Level
from tests.accounts.test_workbench import a_task
from tests.conftest import make_jurisdiction
from tests.fieldwork.conftest import items, submitted, team  # noqa: F401 (fixtures, by name)

pytestmark = pytest.mark.django_db


@pytest.fixture
def problems(tree, items, team, users) -> dict:
    """One open problem of a firm in county A and one of a firm in county B; the record numbers by county."""
    members = [team["first"], team["second"]]
    return {key: submitted(a_task(tree[key], members, name=f"{key}县问题厂", items=items), users["inspector"],
                           problem=Handling.CASE).number for key in ("a", "b")}


@pytest.fixture
def elsewhere(tree):
    """A county of another city of the province: outside everyone's area here."""
    other_city = make_jurisdiction("130100", "石家庄市", Level.CITY, tree["province"])
    return make_jurisdiction("130102", "长安区", Level.COUNTY, other_city)


def _get(client, user, **query):
    client.force_login(user)
    return client.get(reverse("fieldwork:followup_list"), {"state": "all", **query})


def _listed(answer) -> list[str]:
    return sorted(f.record.number for f in answer.context["page"].object_list)


def _refused(answer, name: str) -> bool:
    """Refused naming ``name``, nothing listed, 404."""
    text = answer.content.decode()
    return (answer.status_code == 404 and _listed(answer) == []
            and 'id="place-refused"' in text and f"{name}不在您的管辖范围内" in text)


@pytest.mark.parametrize(("who", "outside", "name"), [
    ("county_admin", "b", "阜平县"),          # the neighbouring county
    ("county_admin", "city", "保定市"),       # his own city: the city's area is more than his
    ("other_county_admin", "a", "涞水县"),
    ("department_user", "b", "阜平县"),
    ("city_admin", "province", "河北省"),
    ("leader", "province", "河北省"),
])
def test_a_place_outside_the_readers_area_is_refused_by_name(who, outside, name, problems, tree, users, client):
    assert _refused(_get(client, users[who], jurisdiction=tree[outside].pk), name)


@pytest.mark.parametrize("who", ["city_admin", "leader", "county_admin", "department_user"])
def test_another_citys_county_is_refused_too(who, problems, elsewhere, users, client):
    assert _refused(_get(client, users[who], jurisdiction=elsewhere.pk, state="overdue"), "长安区")


@pytest.mark.parametrize(("who", "place", "listed"), [
    ("county_admin", "a", ["a"]),
    ("other_county_admin", "b", ["b"]),
    ("department_user", "a", ["a"]),
    ("city_admin", "a", ["a"]),
    ("city_admin", "city", ["a", "b"]),  # the city's subtree
    ("leader", "b", ["b"]),
])
def test_a_place_of_the_readers_area_still_narrows(who, place, listed, problems, tree, users, client):
    answer = _get(client, users[who], jurisdiction=tree[place].pk)
    assert answer.status_code == 200 and 'id="place-refused"' not in answer.content.decode()
    assert _listed(answer) == sorted(problems[key] for key in listed)


@pytest.mark.parametrize("value", ["999999", "abc"])
def test_no_such_place_is_said_so(value, problems, users, client):
    answer = _get(client, users["city_admin"], jurisdiction=value)
    assert answer.status_code == 404 and _listed(answer) == []
    assert f"没有这个行政区（jurisdiction={value}）" in answer.content.decode()


def test_the_place_filter_outside_the_area_is_said_too(problems, tree, users, client):
    """``?place=`` listed nothing already, without a word: now it says why."""
    assert _refused(_get(client, users["other_county_admin"], place=tree["a"].pk), "涞水县")


def test_the_refusal_in_english(problems, tree, users, client):
    client.cookies["django_language"] = "en"
    answer = _get(client, users["county_admin"], jurisdiction=tree["b"].pk)
    assert answer.status_code == 404
    assert "阜平县 is not within your area: its problems are not listed" in answer.content.decode()
