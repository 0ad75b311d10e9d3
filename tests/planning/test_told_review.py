"""Who reviews a merged visit's record: the bureaus whose plans were told of the visit when the record was sealed
(``fieldwork.permissions.reviewers``, ``planning.models.told_selections`` at the record's ``visit_sealed_at``), the
same in the service, the record page's form, the workbench's 待审核, the overview's card, the record list's filter and
the 审批 queue (``fieldwork.models.reviewed_in_scope``).

``city_first``: the city's plan dispatched, county A's drawn too and not dispatched, the city's team's record sealed.
County A's admin was told nothing of the visit: he reviews nothing of it, counts nothing — and not after the county's
dispatch either, the record staying that of the plan it was written for (its 检查来源 and 由…审核 say the city).
The city's admin reviews it; the other county, the department user, the inspector and the leader do not.

``county_first`` (``merged``): county A's plan dispatched, the city's drawn and not: the record is the county's and
is named so (由…审核), before and after the city's dispatch. The city's admin still reviews it, as he does every
record of a county's plan (the city above a county: ``intake.permissions.is_admin_of``) — not as the plan that drew
it."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.accounts import workbench
from shuangsuiji.fieldwork import permissions
from shuangsuiji.fieldwork import services as fieldwork
from shuangsuiji.fieldwork.approvals import admin_queue
from shuangsuiji.fieldwork.models import RecordReview
from shuangsuiji.planning import services
from shuangsuiji.planning.models import Task
from tests.fieldwork.conftest import submitted

from .conftest import ceremony
from .test_services import _officer, county_and_city_plans

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("current_quarter")]

ROLES = ["county_admin", "city_admin", "other_county_admin", "department_user", "inspector", "leader"]
REVIEWS = {"city_first": {"city_admin"}, "county_first": {"county_admin", "city_admin"}}


@pytest.fixture
def city_first(city):
    """The city's plan dispatched and county A's drawn after it, not dispatched: the merged visit out for the city,
    its record sealed by the city's officer; the county's plan to dispatch."""
    county_plan, city_plan = county_and_city_plans(city)
    city_draw = ceremony(city_plan)
    services.do_dispatch(city_plan, acting_user=None)
    ceremony(county_plan)  # drawn, not dispatched
    task = (Task.objects.filter(selections__plan=county_plan).filter(selections__plan=city_plan)
            .filter(members__draw=city_draw, members__active=True).distinct().order_by("pk").first())
    assert task is not None
    officer = _officer(task.members.filter(draw=city_draw, active=True).first())
    record = submitted(task, officer, place="生产车间", address="涞水县经济开发区", legal_representative="赵大勇")
    return {"record": record, "officer": officer, "plan": county_plan, "place": city["tree"]["city"]}


@pytest.fixture
def county_first(city, merged):
    """``merged``: county A's plan dispatched, the city's drawn and not; the county officer's record sealed."""
    record = submitted(merged["task"], merged["county_officer"], place="生产车间", address="涞水县经济开发区",
                       legal_representative="赵大勇")
    return {"record": record, "officer": merged["county_officer"], "plan": merged["city_plan"],
            "place": city["tree"]["a"]}


@pytest.fixture(params=["city_first", "county_first"])
def visit(request):
    return request.param, request.getfixturevalue(request.param)


def dispatch_the_other(visit) -> None:
    services.do_dispatch(visit[1]["plan"], acting_user=None)


def counted(user, record) -> dict[str, bool]:
    """Whether ``record`` is in each queue and count of records awaiting review ``user`` reads."""
    client = Client()
    client.force_login(user)
    bench = workbench.records_awaiting_review(user, timezone.localdate())
    listing = client.get(bench.more_url or reverse("fieldwork:record_list") + "?state=pending")
    overview = client.get(reverse("fieldwork:home"))
    return {"workbench": record.get_absolute_url() in {item.url for item in bench.items} and bench.total == 1,
            "list": listing.status_code == 200 and record.pk in {r.pk for r in listing.context["page"]},
            "overview": overview.status_code == 200 and overview.context["awaiting_review"] == 1}


def review_form(user, record) -> bool | None:
    """Whether the record page offers ``user`` the review form; None when he may not open the page."""
    client = Client()
    client.force_login(user)
    response = client.get(record.get_absolute_url())
    if response.status_code != 200:
        return None
    return 'action="' + reverse("fieldwork:record_review", args=[record.pk]) + '"' in response.content.decode()


@pytest.mark.parametrize("after_dispatch", [False, True])
@pytest.mark.parametrize("name", ROLES)
def test_the_record_is_reviewed_by_the_bureaus_told_at_its_seal(city, visit, name, after_dispatch):
    kind, data = visit
    record, user = data["record"], city["users"][name]
    if after_dispatch:
        dispatch_the_other(visit)  # nothing changes for a record sealed before
    reviews = name in REVIEWS[kind]
    assert [place.name for place in permissions.reviewers(record)] == [data["place"].name]
    assert permissions.can_review(user, record) is reviews
    assert review_form(user, record) in ((True,) if reviews else (False, None))
    if user.is_admin_role:
        assert counted(user, record) == dict.fromkeys(["workbench", "list", "overview"], reviews)
    if reviews:
        fieldwork.do_review_record(record, passed=True, acting_user=user)
        assert RecordReview.objects.get(record=record).reviewed_by == user
    else:
        with pytest.raises(PermissionDenied, match=f"本次检查由{data['place'].name}的计划抽取"):
            fieldwork.do_review_record(record, passed=True, acting_user=user)
        assert not RecordReview.objects.filter(record=record).exists()


@pytest.mark.parametrize("after_dispatch", [False, True])
@pytest.mark.parametrize("name", ["county_admin", "city_admin", "other_county_admin"])
def test_its_amendment_is_queued_for_and_decided_by_the_same_bureaus(city, visit, name, after_dispatch):
    kind, data = visit
    if after_dispatch:
        dispatch_the_other(visit)
    request = fieldwork.do_request_amendment(data["record"], reason="检查时间填错", acting_user=data["officer"])
    user = city["users"][name]
    queued = set(admin_queue(user).amendments.mine.values_list("pk", flat=True))
    if name in REVIEWS[kind]:
        assert queued == {request.pk}
        fieldwork.do_decide_amendment(request, approve=True, decision="同意", acting_user=user)
    else:
        assert queued == set()
        with pytest.raises(PermissionDenied):
            fieldwork.do_decide_amendment(request, approve=True, decision="同意", acting_user=user)


def test_the_record_page_names_the_reviewers_told_at_its_seal(city, city_first):
    """The county's admin reads the city's record of his firm and is told who reviews it: the city alone, after the
    county's dispatch too (the county's plan sent nobody there)."""
    record, county = city_first["record"], city["tree"]["a"].name
    dispatch_the_other(("city_first", city_first))
    client = Client()
    client.force_login(city["users"]["county_admin"])
    text = client.get(record.get_absolute_url()).content.decode()
    assert f"记录由{city['tree']['city'].name}的管理员审核" in text
    assert county not in text.split('id="reviewed-by"')[1].split("</div>")[0]


def test_a_record_sealed_after_both_dispatches_is_reviewed_by_both_bureaus(city):
    """The rule is the plans told at the seal, not the plan that went first: sealed after the county's dispatch, the
    visit's record is the county's to review and count as well."""
    county_plan, city_plan = county_and_city_plans(city)
    city_draw = ceremony(city_plan)
    services.do_dispatch(city_plan, acting_user=None)
    ceremony(county_plan)
    services.do_dispatch(county_plan, acting_user=None)
    task = (Task.objects.filter(selections__plan=county_plan).filter(selections__plan=city_plan)
            .filter(members__draw=city_draw, members__active=True).distinct().order_by("pk").first())
    officer = _officer(task.members.filter(draw=city_draw, active=True).first())
    record = submitted(task, officer, place="生产车间", address="涞水县经济开发区", legal_representative="赵大勇")
    tree, users = city["tree"], city["users"]
    assert permissions.reviewers(record) == [tree["city"], tree["a"]]
    assert counted(users["county_admin"], record) == dict.fromkeys(["workbench", "list", "overview"], True)
    assert not permissions.can_review(users["other_county_admin"], record)
    fieldwork.do_review_record(record, passed=True, acting_user=users["county_admin"])
