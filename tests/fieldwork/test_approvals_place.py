# ruff: noqa: F811 (fixtures of the approvals tests, imported by name, are parameters here)
"""The 审批 tab narrowed to a place outside the reader's area is refused in words, listing nothing.

``?jurisdiction=`` naming a county not his was ignored: the tab then listed his whole queue under a filter that
seemed to hold (the city's workbench links each county's 待审批 cell here with its pk). It now resolves the place
through ``registry/places.py`` as the other staff lists do: the place named, nothing listed, 404; a value naming
no place said so; a place of his area still narrows to its own requests (the city's: its own firms' and plans',
not its counties', which their rows count)."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.intake.models import Clue, ClueSource
from shuangsuiji.registry.models import Level, Target
from tests.clients import signed_in
from tests.conftest import make_jurisdiction

from .conftest import code_for
from .test_approvals_by_role import ALL, SEES, department_clue, waiting  # noqa: F401 (fixtures, by name)

pytestmark = pytest.mark.django_db

B_CLUE = "阜平县企业的线索"
CITY_CLUE = "保定市直属企业的线索"


@pytest.fixture
def places(department_clue, tree, users) -> dict:
    """Beside the fixture's county-A queue: a pending clue of a positive-list firm of county B and one of a firm
    registered at the city itself, a superuser of no jurisdiction, and a county of another city (outside everyone's
    area but the superuser's)."""
    today = timezone.localdate()
    for name, place, serial, description in (("阜平县正面清单企业", tree["b"], 78, B_CLUE),
                                             ("保定市直属正面清单企业", tree["city"], 79, CITY_CLUE)):
        firm = Target.objects.create(credit_code=code_for(place.code, serial), name=name, jurisdiction=place,
                                     positive_list=True)
        Clue.objects.create(target=firm, source=ClueSource.OFF_SITE, found_on=today, description=description)
    other_city = make_jurisdiction("130100", "石家庄市", Level.CITY, tree["province"])
    return {"elsewhere": make_jurisdiction("130102", "长安区", Level.COUNTY, other_city),
            "root": get_user_model().objects.create_superuser("root", password="pw-root-1A")}


def _get(user, value):
    return signed_in(user).get(reverse("fieldwork:approvals"), {"jurisdiction": value})


def _listed(answer) -> set[str]:
    page = answer.content.decode()
    return {text for text in ALL | {B_CLUE, CITY_CLUE} if text in page}


def _refused(answer, words: str) -> bool:
    """Refused in ``words``, nothing listed, 404."""
    page = answer.content.decode()
    return (answer.status_code == 404 and _listed(answer) == set() and answer.context["count"] == 0
            and 'id="place-refused"' in page and words in page)


# role → (a place of his area and what it lists of the queue, a place outside it)
ANSWERS = {
    "root": ("b", {B_CLUE}, None),  # every place is a superuser's: only a value naming none is refused
    "city_admin": ("b", {B_CLUE}, "elsewhere"),
    "leader": ("b", {B_CLUE}, "elsewhere"),
    "county_admin": ("a", SEES["county_admin"], "b"),
    "other_county_admin": ("b", {B_CLUE}, "a"),
    "department_user": ("a", SEES["department_user"], "b"),
    "inspector": ("a", SEES["inspector"], "b"),
}


@pytest.mark.parametrize("role", sorted(ANSWERS))
def test_each_role_is_narrowed_inside_his_area_and_refused_outside_it(role, places, tree, users):
    user = places["root"] if role == "root" else users[role]
    inside, listed, outside = ANSWERS[role]
    answer = _get(user, tree[inside].pk)
    assert answer.status_code == 200 and 'id="place-refused"' not in answer.content.decode()
    assert _listed(answer) == listed and answer.context["place"] == tree[inside]
    if outside is None:
        assert _refused(_get(user, "999999"), "没有这个行政区（jurisdiction=999999）")
    else:
        place = places["elsewhere"] if outside == "elsewhere" else tree[outside]
        assert _refused(_get(user, place.pk), f"{place.name}不在您的管辖范围内，不能列出它的待审批事项")


def test_a_county_admin_asking_for_another_county_is_told_so(places, tree, users):
    answer = _get(users["county_admin"], tree["b"].pk)
    assert _refused(answer, "阜平县不在您的管辖范围内，不能列出它的待审批事项")
    assert answer.context["on_site"] == [] and answer.context["plan_requests"] == []
    page = answer.content.decode()
    assert 'id="fw-approvals-place"' not in page  # no place heads the page
    assert 'id="fw-approvals-count"' not in page  # nor "待您审批 0 项", which his queue is not
    # without the filter his queue is all there
    assert _listed(signed_in(users["county_admin"]).get(reverse("fieldwork:approvals"))) == ALL


@pytest.mark.parametrize("value", ["999999", "abc"])
def test_no_such_place_is_said_so(value, places, users):
    answer = _get(users["city_admin"], value)
    assert _refused(answer, f"没有这个行政区（jurisdiction={value}）")


def test_the_city_narrows_to_its_own_requests_and_a_county_admin_is_refused_his_city(places, tree, users):
    """The city's row of the workbench counts its own firms' and plans' requests, its counties' are on their rows;
    the city's area is more than a county admin's."""
    assert _listed(_get(users["city_admin"], tree["city"].pk)) == {CITY_CLUE}
    assert _refused(_get(users["county_admin"], tree["city"].pk), "保定市不在您的管辖范围内，不能列出它的待审批事项")


def test_the_refusal_in_english(places, tree, users):
    client = signed_in(users["county_admin"])
    client.cookies["django_language"] = "en"
    answer = client.get(reverse("fieldwork:approvals"), {"jurisdiction": tree["b"].pk})
    assert answer.status_code == 404
    assert "阜平县 is not within your area: its requests awaiting approval are not listed" in answer.content.decode()
