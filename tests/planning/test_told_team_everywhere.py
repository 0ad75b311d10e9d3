"""Nothing of a draw is told before its plan's dispatch (``models.told_places``, ``permissions.shown_places``) — in
the four places that still named, counted or listed a merged visit's officers from another plan's undispatched draw:

- the note on a task saying the unit has another open task (``overlaps``) names that task's team and plans as the
  reader is shown them, not the officers of a draw he does not read and who were told nothing, nor its plan;
- the task API's ``?mine=true`` lists the visits of the user's officer as told (``team_places``): not one his plan
  has drawn him for and not dispatched, nor one he was replaced on before the dispatch;
- the quarterly status counts as inspectors those who signed an inspected visit's record: the team as told when it
  was sealed, not officers of another plan dispatched after the seal;
- the dispatch that adds its officers to a merged visit whose record is a draft says so in the record's history
  (``record.team_joined``): from then on they are asked to sign it."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.audit.models import Event
from shuangsuiji.disclosure import reports
from shuangsuiji.fieldwork import services as fieldwork
from shuangsuiji.fieldwork.models import InspectionRecord, Signature
from shuangsuiji.planning import services
from shuangsuiji.planning.models import Task, TaskMember, TaskPlan, TaskStatus, team_places
from tests.fieldwork.conftest import submitted

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("current_quarter")]

TASKS = "/api/planning/tasks/"


def county_names(task) -> set[str]:
    return {m.inspector.name for m in task.members.exclude(draw__plan__level="city").filter(active=True)}


@pytest.fixture
def second_visit(merged):
    """Another open visit of county A's dispatched plan to the merged visit's firm (its record begun, say, when the
    county drew a second item): the county's team of it is the merged visit's county officer."""
    task = merged["task"]
    county_selection = task.selections.exclude(plan=merged["city_plan"]).get()
    other = Task.objects.create(year=task.year, quarter=task.quarter, target=task.target, deadline=task.deadline,
                                status=TaskStatus.DISPATCHED, dispatched_at=timezone.now(), category=task.category)
    TaskPlan.objects.create(task=other, plan=county_selection.plan, draw=county_selection.draw,
                            stratum=county_selection.stratum, rank=999)
    TaskMember.objects.create(task=other, draw=county_selection.draw, inspector=merged["county_officer"].inspector,
                              role="leader", slot=0, slot_kind="officer")
    return other


def note(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    return page


# --- 1. the overlaps note ------------------------------------------------------------------------------------


def test_the_note_of_another_visit_names_only_the_team_the_reader_is_shown(client, city, merged, second_visit):
    task, city_plan = merged["task"], merged["city_plan"]
    county = county_names(task)
    assert county and merged["city_names"]
    pages = (reverse("planning:task_detail", args=[second_visit.pk]), reverse("planning:task_list"))
    client.force_login(city["users"]["county_admin"])
    for url in pages:
        page = note(client, url)
        assert f'href="{task.get_absolute_url()}"' in page  # the note is there, and names the county's team
        assert all(name in page for name in county)
        # the city's officers, drawn and not dispatched, are told nothing and not named to the county
        assert not any(name in page for name in merged["city_names"]), url
    # the city reads its own draw before the dispatch: its admins see whom it put on the visit
    client.force_login(city["users"]["city_admin"])
    assert all(name in note(client, pages[0]) for name in merged["city_names"])
    # the county's officer on both visits: his brief's note names his own team, as before
    client.force_login(merged["county_officer"])
    brief = note(client, reverse("fieldwork:task_brief", args=[second_visit.pk]))
    assert reverse("fieldwork:task_brief", args=[task.pk]) in brief
    assert merged["county_officer"].inspector.name in brief
    assert not any(name in brief for name in merged["city_names"])
    # dispatched, the city's officers are told, and named to whoever reads the visit
    services.do_dispatch(city_plan, acting_user=None)
    client.force_login(city["users"]["county_admin"])
    for url in pages:
        assert all(name in note(client, url) for name in merged["city_names"] | county), url


ROLES_NOT_TOLD = ["county_admin", "department_user", "county_officer"]
ROLES_READING_THE_CITYS_PLAN = ["city_admin", "leader"]


def note_pages(city, merged, second_visit, name: str) -> tuple:
    """The user of role ``name`` and the pages whose note names the merged visit as another task of its unit."""
    if name == "county_officer":
        return merged["county_officer"], (reverse("fieldwork:task_brief", args=[second_visit.pk]),)
    return city["users"][name], (reverse("planning:task_detail", args=[second_visit.pk]),
                                 reverse("planning:task_list"))


@pytest.mark.parametrize("name", ROLES_NOT_TOLD + ROLES_READING_THE_CITYS_PLAN)
def test_the_note_of_another_visit_names_a_plan_not_dispatched_only_to_its_readers(client, city, merged,
                                                                                  second_visit, name):
    task, city_plan = merged["task"], merged["city_plan"]
    county_plan = task.selections.exclude(plan=city_plan).get().plan
    user, pages = note_pages(city, merged, second_visit, name)
    client.force_login(user)
    for url in pages:
        page = note(client, url)
        assert str(county_plan) in page, (name, url)  # the note is there, and names the county's plan
        # the city's plan drew the firm too: told nobody outside it before its dispatch
        assert (str(city_plan) in page) == (name in ROLES_READING_THE_CITYS_PLAN), (name, url)
    services.do_dispatch(city_plan, acting_user=None)
    for url in pages:
        # dispatched, it is named to whoever reads the visit; an officer is shown his own teams' plans, as before
        assert (str(city_plan) in note(client, url)) == (name != "county_officer"), (name, url)


# --- 2. the API's ?mine=true -----------------------------------------------------------------------------------


def linked_admin(city, member: TaskMember) -> User:
    """A city admin who is also one of the city's officers: he reads the city's plan before it goes out."""
    return User.objects.create_user("city-admin-officer", password="x", role=Role.CITY_ADMIN,
                                    jurisdiction=city["tree"]["city"], inspector=member.inspector)


def mine(user) -> set[int]:
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(TASKS, {"mine": "true"})
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_mine_lists_a_visit_once_the_officers_plan_is_dispatched_and_not_one_he_was_replaced_on(city, merged):
    task, city_plan = merged["task"], merged["city_plan"]
    stays, replaced = task.members.filter(draw__plan=city_plan, active=True).order_by("slot")[:2]
    stays_admin = linked_admin(city, stays)
    replaced_admin = User.objects.create_user("city-admin-officer-2", password="x", role=Role.CITY_ADMIN,
                                              jurisdiction=city["tree"]["city"], inspector=replaced.inspector)
    # both read the task (the city's plan is theirs), neither is told of it yet
    assert task.pk not in mine(stays_admin) and task.pk not in mine(replaced_admin)
    services.do_substitute_inspector(task, replaced.inspector, reason="病假", acting_user=city["users"]["city_admin"])
    services.do_dispatch(city_plan, acting_user=None)
    assert task.pk in mine(stays_admin)
    # replaced before the dispatch: the visit was never his
    assert task.pk not in mine(replaced_admin)
    # the county's officer, told with the county's dispatch, has it as before
    assert task.pk in mine(merged["county_officer"])


# --- 3. the quarterly status -------------------------------------------------------------------------------------


def test_the_quarterly_status_counts_who_signed_an_inspected_visits_record(city, merged):
    """The merged visit's record, signed and sealed by the county's team while the city's draw is not dispatched: its
    inspectors are the county's officers who signed it — before the city's dispatch and after it (the city's officers
    join the team then, and did not go)."""
    task, city_plan = merged["task"], merged["city_plan"]
    submitted(task, merged["county_officer"], place="生产车间", address="涞水县经济开发区",
              legal_representative="赵大勇")
    signed = set(Signature.objects.filter(record__task=task, inspector__isnull=False)
                 .values_list("inspector_id", flat=True))
    drawn = set(task.members.filter(draw__plan=city_plan).values_list("inspector_id", flat=True))
    assert signed and drawn and signed.isdisjoint(drawn)

    def inspectors() -> tuple[set[int], set[int]]:
        status = reports.quarterly_status(city["tree"]["city"], 2021, 2, today=datetime.date(2021, 6, 1))
        places = {place.jurisdiction.pk: place for place in status.places}
        return places[city["tree"]["a"].pk].inspectors, status.total().inspectors

    county, total = inspectors()
    assert county == signed and total == signed
    services.do_dispatch(city_plan, acting_user=None)
    assert drawn <= set(task.members.filter(team_places()).values_list("inspector_id", flat=True))
    county, total = inspectors()
    assert county == signed and total == signed  # the city's officers did not go, and are not counted


# --- 4. record.team_joined ----------------------------------------------------------------------------------------


def test_the_dispatch_that_enlarges_a_drafts_team_says_so_in_the_records_history(client, city, merged):
    task, city_plan = merged["task"], merged["city_plan"]
    record = fieldwork.do_start_record(task, acting_user=merged["county_officer"])
    # another merged visit's record sealed before the dispatch stays as it was sealed; the visits not begun have no
    # record to tell: the one draft alone is told
    sealed = Task.objects.filter(selections__plan=city_plan).filter(
        selections__plan=task.selections.exclude(plan=city_plan).get().plan).exclude(pk=task.pk).first()
    assert sealed is not None and sealed.status == TaskStatus.DISPATCHED
    InspectionRecord.objects.create(number="JL-sealed", task=sealed, target=sealed.target, sealed_at=timezone.now(),
                                    seal_hash="0" * 64)
    assert not Event.objects.filter(action="record.team_joined").exists()
    services.do_dispatch(city_plan, acting_user=city["users"]["city_admin"])
    event = Event.objects.get(action="record.team_joined")
    assert event.object_id == str(record.pk) and event.actor == city["users"]["city_admin"]
    joined = dict(task.members.filter(draw__plan=city_plan, active=True)
                  .values_list("inspector__certificate_number", "inspector__name"))
    certificates = sorted(joined)
    assert event.changes == {"plan": str(city_plan), "joined": certificates}
    # the record's history says it, each officer by certificate number and name, in Chinese and in English
    client.force_login(city["users"]["county_admin"])
    url = reverse("fieldwork:record_detail", args=[record.pk])
    page = note(client, url)
    assert "计划派发，人员加入检查组" in page and str(city_plan) in page
    # the county's registry does not hold the city's officers (their numbers alone); the city reads their names
    assert all(code in page for code in joined)
    client.force_login(city["users"]["city_admin"])
    page = note(client, url)
    assert all(f"{code}（{name}）" in page for code, name in joined.items())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Plan dispatched: officers joined the inspection team" in note(client, url)
