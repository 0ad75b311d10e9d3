"""Attacks on the scoping gate from each role (h147): what a page, a form's options, an error or a poll shows or
changes of what lies outside the reader's scope. Each test is an attack that once worked, and must not again."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.fieldwork.models import RecheckSubstitution
from shuangsuiji.planning import services as planning
from shuangsuiji.planning.models import Task, TaskStatus
from shuangsuiji.registry.models import Inspector, Target
from tests.clients import signed_in
from tests.fieldwork.test_live_changes import user_of
from tests.planning.conftest import ceremony, city  # noqa: F401 (a fixture, a parameter here)

pytestmark = pytest.mark.django_db


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
    by_city = signed_in(users["city_admin"]).get(recheck.get_absolute_url()).content.decode()
    assert f'<option value="{colleague.pk}">{colleague.name}' in by_city
    # and posting his id anyway changes nothing and names nobody
    url = reverse("fieldwork:recheck_substitute", args=[recheck.pk])
    probed = signed_in(users["county_admin"]).post(url, {"member": member.pk, "newcomer": colleague.pk,
                                                         "reason": "病假"}, follow=True)
    assert probed.status_code == 404 and colleague.name not in probed.content.decode()
    assert member in recheck.team.all() and not RecheckSubstitution.objects.exists()


@pytest.fixture
def drawn(city):  # noqa: F811
    """County A's plan drawn, not dispatched yet: its teams are not told (``visible_tasks``). One of its tasks, a
    login for each member of its team."""
    plan = planning.do_create_plan(jurisdiction=city["tree"]["a"], year=2021, quarter=2, acting_user=None)
    ceremony(plan)
    task = Task.objects.filter(selections__plan=plan).order_by("pk").first()
    members = [m.inspector for m in task.members.filter(active=True).select_related("inspector")]
    return task, [user_of(inspector) for inspector in members]


def test_a_drawn_officer_learns_nothing_of_his_visits_before_dispatch(city, drawn):  # noqa: F811
    """Before dispatch a team is not told its visits (DESIGN §1: "only once dispatched"). The poll's ``gone`` and
    the brief's 403 were said of every task he had a place on, dispatched or not: posting ids, an officer learnt
    which were his, that one was withdrawn and why (the reason names the firm closed), and who replaced him on
    another and why. Until its plan is dispatched such a task does not exist for him, as for anyone."""
    task, (member, partner, *_rest) = drawn
    Target.objects.filter(pk=task.target_id).update(status="defunct", defunct_date=timezone.localdate())
    planning.do_substitute_target(task, reason="涞水县某企业已关停注销", acting_user=city["users"]["county_admin"])
    other = (Task.objects.filter(selections__plan=task.selections.get().plan, status=TaskStatus.DRAWN)
             .filter(members__inspector=partner.inspector, members__active=True).order_by("pk").first())
    planning.do_substitute_inspector(other, partner.inspector, reason="亲属在该企业任职",
                                     acting_user=city["users"]["county_admin"])
    for user, pk in ((member, task.pk), (partner, other.pk)):
        client = signed_in(user)
        brief = client.get(reverse("fieldwork:task_brief", args=[pk]))
        assert brief.status_code == 404
        assert "关停注销" not in brief.content.decode() and "亲属" not in brief.content.decode()
        polled = client.get(reverse("fieldwork:task_changes"), {"tasks": str(pk)}).json()
        assert polled["gone"] == {} and polled["tasks"] == {}
