"""An officer who took over a re-check (substitution) reads what he goes to verify: the record that ordered the
rectification, its problems (follow-ups) and its photos. The re-check page links all of them; they answered him
"not found" (found drilling the inspector's phone). Reading only: he neither writes the old record nor handles its
problems, and an officer of no team of the firm still reads none of it."""

import datetime

import pytest
from django.urls import reverse

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.fieldwork import services
from shuangsuiji.fieldwork.models import FollowUp, InspectionRecord
from shuangsuiji.registry.models import Inspector
from tests.clients import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def taken_over(recheck, users, team):
    services.do_substitute_recheck_officer(recheck, team["second"], team["outsider_inspector"], reason="病假",
                                           acting_user=users["county_admin"])
    return recheck


def test_the_newcomer_opens_the_source_record_and_its_problems_from_the_recheck_page(taken_over, team):
    client = signed_in(team["outsider"])
    page = client.get(taken_over.get_absolute_url()).content.decode()
    source = taken_over.source_record
    follow_up = taken_over.follow_ups.get()
    assert source.get_absolute_url() in page and follow_up.get_absolute_url() in page
    assert client.get(source.get_absolute_url()).status_code == 200
    assert client.get(reverse("fieldwork:record_pdf", args=[source.pk])).status_code == 200
    answer = client.get(follow_up.get_absolute_url())
    assert answer.status_code == 200 and not answer.context["can_act"]
    assert set(InspectionRecord.objects.visible_to(team["outsider"])) == {source}
    assert set(FollowUp.objects.visible_to(team["outsider"])) == {follow_up}


def test_reading_is_all_he_may_do_with_it(taken_over, team):
    client = signed_in(team["outsider"])
    source = taken_over.source_record
    follow_up = taken_over.follow_ups.get()
    assert client.get(reverse("fieldwork:record_edit", args=[source.pk])).status_code in (302, 403)
    refused = client.post(reverse("fieldwork:followup_close", args=[follow_up.pk]), {"note": "x", "confirm": "on"})
    assert refused.status_code in (302, 403)
    follow_up.refresh_from_db()
    assert follow_up.is_open


def test_an_officer_of_no_team_of_the_firm_still_reads_nothing(taken_over, tree):
    stranger_inspector = Inspector.objects.create(name="赵六", certificate_number="13062300009",
                                                  certificate_expiry=datetime.date(2030, 1, 1), jurisdiction=tree["a"],
                                                  department=tree["departments"]["130623"])
    stranger = User.objects.create_user(username="stranger", password="pw", role=Role.INSPECTOR,
                                        jurisdiction=tree["a"], inspector=stranger_inspector)
    client = signed_in(stranger)
    assert client.get(taken_over.source_record.get_absolute_url()).status_code == 404
    assert client.get(taken_over.follow_ups.get().get_absolute_url()).status_code == 404
    assert not InspectionRecord.objects.visible_to(stranger).exists()
    assert not FollowUp.objects.visible_to(stranger).exists()
