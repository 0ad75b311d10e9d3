# ruff: noqa: F811 (fixtures of the fieldwork tests, imported by name, are parameters here)
"""The bureau's list of objections (异议) narrowed to a place outside the reader's area is refused in words.

``?jurisdiction=`` naming a county not his was ignored: the list then held every objection of his area under a
filter that seemed to hold (the workbench's table links each county's 待答复异议 here with its pk). It now resolves
the place through ``registry/places.py`` as the other staff lists do: the place named, nothing listed, 404; a value
naming no place said so; a place of his area narrows to its subtree. Who may open the list at all is unchanged
(admins and leaders; a department user and an inspector are refused the page, 403)."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from shuangsuiji.disclosure import services
from shuangsuiji.disclosure.models import Objection, PublishedResult
from shuangsuiji.fieldwork import services as fieldwork
from shuangsuiji.registry.models import Level
from tests.accounts.test_workbench import a_task
from tests.conftest import make_jurisdiction
from tests.disclosure.test_objections import GOOD
from tests.disclosure.test_services import month_of
from tests.fieldwork.conftest import items, submitted, team  # noqa: F401 (fixtures, by name)

pytestmark = pytest.mark.django_db


def _published(task, users, admin: str) -> PublishedResult:
    """``task``'s record submitted, passed by its county's admin and published (reviewed by the leader)."""
    record = submitted(task, users["inspector"])
    fieldwork.do_review_record(record, passed=True, acting_user=users[admin])
    year, month = month_of(record)
    batch = services.do_prepare_results(jurisdiction=record.target.jurisdiction, year=year, month=month,
                                        acting_user=users[admin])
    services.do_review(batch, acting_user=users["leader"])
    services.do_release(batch, acting_user=users[admin])
    return PublishedResult.objects.published().get(record=record)


@pytest.fixture
def objections(tree, items, team, users) -> dict:
    """An objection waiting in county A and one in county B (their firms' published results), by county; a
    superuser of no jurisdiction and a county of another city."""
    members = [team["first"], team["second"]]
    found = {}
    for key, admin in (("a", "county_admin"), ("b", "other_county_admin")):
        result = _published(a_task(tree[key], members, name=f"{key}县异议厂", items=items), users, admin)
        found[key] = services.do_receive_objection(result, credit_code=result.credit_code, address="10.0.0.1",
                                                   **{**GOOD, "organisation": f"{key}县异议厂"}).number
    other_city = make_jurisdiction("130100", "石家庄市", Level.CITY, tree["province"])
    found["elsewhere"] = make_jurisdiction("130102", "长安区", Level.COUNTY, other_city)
    found["root"] = get_user_model().objects.create_superuser("root", password="pw-root-1A")
    assert Objection.objects.count() == 2
    return found


def _get(client, user, value, **query):
    client.force_login(user)
    return client.get(reverse("disclosure:objections"), {"jurisdiction": value, **query})


def _listed(answer) -> list[str]:
    return sorted(objection.number for objection in answer.context["rows"])


def _refused(answer, words: str) -> bool:
    """Refused in ``words``, nothing listed nor counted, 404."""
    page = answer.content.decode()
    return (answer.status_code == 404 and _listed(answer) == [] and not any(answer.context["counts"].values())
            and 'id="place-refused"' in page and words in page)


# role → (a place of his area and the counties whose objections it lists, a place outside it)
ANSWERS = {
    "root": ("b", ["b"], None),  # every place is a superuser's: only a value naming none is refused
    "city_admin": ("city", ["a", "b"], "elsewhere"),  # the city's subtree
    "leader": ("a", ["a"], "elsewhere"),
    "county_admin": ("a", ["a"], "b"),
    "other_county_admin": ("b", ["b"], "city"),  # his own city's area is more than his
}


@pytest.mark.parametrize("role", sorted(ANSWERS))
def test_each_role_is_narrowed_inside_his_area_and_refused_outside_it(role, objections, tree, users, client):
    user = objections["root"] if role == "root" else users[role]
    inside, listed, outside = ANSWERS[role]
    answer = _get(client, user, tree[inside].pk)
    assert answer.status_code == 200 and 'id="place-refused"' not in answer.content.decode()
    assert _listed(answer) == sorted(objections[key] for key in listed) and answer.context["place"] == tree[inside]
    if outside is None:
        assert _refused(_get(client, user, "999999"), "没有这个行政区（jurisdiction=999999）")
    else:
        place = objections["elsewhere"] if outside == "elsewhere" else tree[outside]
        assert _refused(_get(client, user, place.pk), f"{place.name}不在您的管辖范围内，不能列出它的异议")


def test_a_county_admin_asking_for_another_county_is_told_so_whatever_the_status(objections, tree, users, client):
    for status in ("received", "all"):
        answer = _get(client, users["county_admin"], tree["b"].pk, status=status)
        assert _refused(answer, "阜平县不在您的管辖范围内，不能列出它的异议")
        assert objections["b"] not in answer.content.decode()
    # the search still narrows his own list; without the place filter his county's objection is there
    assert _listed(_get(client, users["county_admin"], "", q="a县异议厂")) == [objections["a"]]


@pytest.mark.parametrize("value", ["999999", "abc"])
def test_no_such_place_is_said_so_and_the_page_stays_closed_to_who_may_not_read_it(value, objections, users,
                                                                                   client):
    assert _refused(_get(client, users["city_admin"], value), f"没有这个行政区（jurisdiction={value}）")
    for role in ("department_user", "inspector"):  # the gate answers first, whatever the place
        assert _get(client, users[role], value).status_code == 403


def test_the_refusal_in_english(objections, tree, users, client):
    client.cookies["django_language"] = "en"
    answer = _get(client, users["county_admin"], tree["b"].pk)
    assert answer.status_code == 404
    assert "阜平县 is not within your area: its objections are not listed" in answer.content.decode()
