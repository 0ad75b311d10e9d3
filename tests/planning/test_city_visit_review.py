"""Who reviews the record of a city plan's visit to a county's firm (docs/guide/city-admin.md, "记录审核";
county-admin.md, "市局计划在本县的检查"): the bureau whose plan drew the visit (``fieldwork.permissions.reviewers``).
A visit only the city's plan drew is the city's to review, its amendments and its on-site request the city's to
decide, its draft the city's team's work in progress — the county reads its record once submitted; a merged visit
counts for the county's plan too and is the county's as well. The county admin reviewed the city's records by the
firm's jurisdiction, while his workbench left them to the city."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from shuangsuiji.accounts import workbench
from shuangsuiji.fieldwork import permissions
from shuangsuiji.fieldwork import services as fieldwork
from shuangsuiji.fieldwork.approvals import admin_queue
from shuangsuiji.fieldwork.models import InspectionRecord, RecordReview, RequestState

from . import test_overlaps
from .test_services import _officer

pytestmark = pytest.mark.usefixtures("current_quarter")

overlap = test_overlaps.overlap  # county A's plan and the city's: a city-only visit to a county firm, merged visits

ROLES = ["city_admin", "county_admin", "other_county_admin", "inspector", "leader", "department_user"]
REVIEWS = {"city_only": {"city_admin"}, "merged": {"city_admin", "county_admin"}}


def sealed(task, number: str) -> InspectionRecord:
    return InspectionRecord.objects.create(number=number, task=task, target=task.target, sealed_at=timezone.now(),
                                           ended_at=timezone.now(), seal_hash="0" * 64)


@pytest.fixture
def visits(overlap):
    return {"city_only": overlap["first_city"], "merged": overlap["joined"][0]}


@pytest.fixture
def records(visits):
    return {"city_only": sealed(visits["city_only"], "JL-city"), "merged": sealed(visits["merged"], "JL-merged")}


def page(user, record) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(record.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("visit", ["city_only", "merged"])
@pytest.mark.parametrize("name", ROLES)
def test_the_review_is_the_drawing_bureaus_in_the_service(city, records, visit, name):
    user, record = city["users"][name], records[visit]
    if name in REVIEWS[visit]:
        fieldwork.do_review_record(record, passed=True, acting_user=user)
        assert RecordReview.objects.get(record=record).reviewed_by == user
    else:
        with pytest.raises(PermissionDenied):
            fieldwork.do_review_record(record, passed=True, acting_user=user)
        assert not RecordReview.objects.filter(record=record).exists()


def test_the_refusal_names_the_bureau_that_reviews(city, records):
    with pytest.raises(PermissionDenied) as refused:
        fieldwork.do_review_record(records["city_only"], passed=True, acting_user=city["users"]["county_admin"])
    name = city["tree"]["city"].name
    assert str(refused.value) == f"本次检查由{name}的计划抽取，只有{name}的管理员可以进行此操作"


@pytest.mark.parametrize("name", ["city_admin", "county_admin", "other_county_admin"])
def test_the_workbench_queue_and_the_record_pages_review_form_are_the_same_records(city, records, name):
    """Each admin's 待审核的检查记录 holds exactly the records whose page offers him the review form."""
    user = city["users"][name]
    ours = {record.get_absolute_url() for record in records.values()}
    queued = {item.url for item in workbench.records_awaiting_review(user, timezone.localdate()).items} & ours
    readable = InspectionRecord.objects.visible_to(user).filter(pk__in=[r.pk for r in records.values()])
    offered = {record.get_absolute_url() for record in readable if 'action="' + reverse(
        "fieldwork:record_review", args=[record.pk]) + '"' in page(user, record)}
    assert offered == queued
    assert offered == {records[visit].get_absolute_url() for visit in REVIEWS if name in REVIEWS[visit]}


def test_the_county_reads_the_citys_record_and_is_told_who_reviews_it(city, records):
    text = page(city["users"]["county_admin"], records["city_only"])
    assert 'id="reviewed-by"' in text and f"记录由{city['tree']['city'].name}的管理员审核" in text
    assert 'id="reviewed-by"' not in page(city["users"]["county_admin"], records["merged"])


@pytest.mark.parametrize("visit", ["city_only", "merged"])
@pytest.mark.parametrize("name", ["city_admin", "county_admin", "other_county_admin"])
def test_an_amendment_is_decided_by_the_drawing_bureau_and_queued_for_it_alone(city, visits, records, visit, name):
    record = records[visit]
    officer = _officer(visits[visit].members.filter(active=True).first())
    request = fieldwork.do_request_amendment(record, reason="检查时间填错", acting_user=officer)
    user = city["users"][name]
    queued = set(admin_queue(user).amendments.mine.values_list("pk", flat=True))
    if name in REVIEWS[visit]:
        assert queued == {request.pk}
        fieldwork.do_decide_amendment(request, approve=True, decision="同意", acting_user=user)
        request.refresh_from_db()
        assert request.state == RequestState.APPROVED
    else:
        assert queued == set()
        with pytest.raises(PermissionDenied):
            fieldwork.do_decide_amendment(request, approve=True, decision="同意", acting_user=user)


@pytest.mark.parametrize("visit", ["city_only", "merged"])
@pytest.mark.parametrize("name", ["city_admin", "county_admin", "other_county_admin"])
def test_the_approvals_page_lists_a_visits_amendment_to_its_drawing_bureau_alone(city, visits, records, visit, name):
    """The 审批 page lists what the queue counts: a county admin was listed the city's own visit's request, with no
    form and the note meant for a member of its team ("您是本次检查的检查组成员…"), which he is not."""
    record = records[visit]
    officer = _officer(visits[visit].members.filter(active=True).first())
    request = fieldwork.do_request_amendment(record, reason="检查时间填错", acting_user=officer)
    client = Client()
    client.force_login(city["users"][name])
    response = client.get(reverse("fieldwork:approvals"))
    assert response.status_code == 200
    listed = {row.pk for row in response.context["amendments"]}
    html = response.content.decode()
    if name in REVIEWS[visit]:
        assert listed == {request.pk} and record.number in html
        assert "检查组成员，须由另一位管理员审批" not in html
    else:
        assert listed == set() and record.number not in html


@pytest.mark.parametrize("visit", ["city_only", "merged"])
@pytest.mark.parametrize("name", ROLES)
def test_a_draft_is_read_by_the_drawing_bureaus_admins_and_its_team_alone(city, visits, visit, name):
    task = visits[visit]
    officer = _officer(task.members.filter(active=True).first())
    draft = fieldwork.do_start_record(task, acting_user=officer)
    user = city["users"][name]
    # the demo officer 张三 reads it when the draw put him on its team, as any member
    reads = name in REVIEWS[visit] or task.members.filter(active=True, inspector_id=user.inspector_id or 0).exists()
    client = Client()
    client.force_login(user)
    assert InspectionRecord.objects.visible_to(user).filter(pk=draft.pk).exists() is reads
    assert client.get(draft.get_absolute_url()).status_code == (200 if reads else 404)
    # and its team, the officer writing it
    assert InspectionRecord.objects.visible_to(officer).filter(pk=draft.pk).exists()


def test_once_submitted_the_county_reads_the_citys_record(city, visits):
    draft = fieldwork.do_start_record(visits["city_only"], acting_user=_officer(
        visits["city_only"].members.filter(active=True).first()))
    county_admin = city["users"]["county_admin"]
    assert not InspectionRecord.objects.visible_to(county_admin).filter(pk=draft.pk).exists()
    InspectionRecord.objects.filter(pk=draft.pk).update(sealed_at=timezone.now(), seal_hash="0" * 64)
    assert InspectionRecord.objects.visible_to(county_admin).filter(pk=draft.pk).exists()
    api = APIClient()  # the API's records are sealed ones: the county's integration reads it as its pages do
    api.force_authenticate(county_admin)
    assert api.get(f"/api/fieldwork/records/{draft.pk}/").status_code == 200


def test_a_visit_no_live_selection_holds_is_the_firms(city, records):
    record = records["city_only"]
    record.task.selections.update(active=False)
    assert permissions.reviewers(record) == [record.target.jurisdiction]
    assert permissions.can_review(city["users"]["county_admin"], record)
