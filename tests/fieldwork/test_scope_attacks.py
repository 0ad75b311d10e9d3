"""Attacks on the scoping gate from each role (h147): what a page, a form's options, an error or a poll shows or
changes of what lies outside the reader's scope. Each test is an attack that once worked, and must not again."""

import datetime

import pytest
from django.urls import reverse

from shuangsuiji.fieldwork.models import Handling, Recheck, RecheckSubstitution
from shuangsuiji.registry.models import Inspector
from tests.clients import signed_in

from .conftest import submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def recheck(task, users):
    return Recheck.objects.get(source_record=submitted(task, users["inspector"], problem=Handling.ORDER))


@pytest.fixture
def city_officers(tree):
    """A city officer on a county re-check's team (a city plan drew him for a county firm), and a colleague of his
    in post, whom only the city may read in the registry."""
    def officer(name: str, number: str) -> Inspector:
        return Inspector.objects.create(name=name, certificate_number=number,
                                        certificate_expiry=datetime.date(2030, 1, 1), jurisdiction=tree["city"],
                                        department=tree["departments"]["130600"])
    return officer("市局甲", "13060000001"), officer("市局乙", "13060000002")


def test_a_county_admin_is_not_offered_the_citys_officers(recheck, users, city_officers):
    """The re-check page offered, for each officer of the team, every officer in post of his unit as a newcomer:
    for a city officer on a county firm's re-check the county admin read the names and certificate numbers of the
    city's officers, whom the registry does not show him (and whom the form then answered 404 for). The city office
    is offered them."""
    member, colleague = city_officers
    recheck.team.add(member)
    county = signed_in(users["county_admin"]).get(recheck.get_absolute_url()).content.decode()
    assert member.name in county  # he is on the team: the page says who goes
    assert colleague.name not in county and colleague.certificate_number not in county
    assert f'value="{colleague.pk}"' not in county
    assert f"替换{member.name}须由保定市的管理员办理" in county  # the city's to replace: no form for him
    city = signed_in(users["city_admin"]).get(recheck.get_absolute_url()).content.decode()
    assert f'<option value="{colleague.pk}">{colleague.name}' in city
    # and posting his id anyway changes nothing and names nobody
    url = reverse("fieldwork:recheck_substitute", args=[recheck.pk])
    probed = signed_in(users["county_admin"]).post(url, {"member": member.pk, "newcomer": colleague.pk,
                                                         "reason": "病假"}, follow=True)
    assert probed.status_code == 404 and colleague.name not in probed.content.decode()
    assert member in recheck.team.all() and not RecheckSubstitution.objects.exists()
