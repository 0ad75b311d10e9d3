"""One unit, one visit (实施方案 二(五) "对同一监管对象的多个检查事项，原则上应一次完成") wherever staff and inspectors
look: the inspector's phone list marks a task whose unit he has another open task for this quarter and links it, the
task API names a task's other open tasks, and the admin's workbench counts the overlapping tasks of his scope — each
only within the viewer's own tasks, as the task page's notice (planning.overlaps)."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from shuangsuiji.accounts import workbench
from shuangsuiji.fieldwork.models import task_number
from shuangsuiji.planning.models import Task, TaskMember, TaskStatus

from . import test_overlaps
from .test_services import _officer

# the quarter the tests draw is the current one
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("current_quarter")]

overlap = test_overlaps.overlap  # the fixture: two units with a county and a city visit each, open
TASKS = "/api/planning/tasks/"
BADGE = "同一单位另有任务"


def officer_on_both(overlap):
    """The county team's officer of the first unit, put on the city's team of it too (say he replaced its officer):
    both visits to that unit are his."""
    first, first_city = overlap["first"], overlap["first_city"]
    officer = _officer(first.members.filter(active=True).first())
    TaskMember.objects.create(task=first_city, draw=first_city.selections.get().draw, inspector=officer.inspector,
                              role="officer", slot=99, slot_kind="officer")
    return officer


def cards(client) -> dict[int, str]:
    """The phone list's task cards, by the task each opens."""
    response = client.get(reverse("fieldwork:my_tasks"))
    assert response.status_code == 200
    page = response.content.decode()
    found = {}
    for card in page.split('<div class="card mb-2 fw-task')[1:]:
        pk = int(card.split('href="/fieldwork/tasks/')[1].split("/")[0]) if 'href="/fieldwork/tasks/' in card else 0
        found[pk] = card
    return found


# --- the inspector's phone list ------------------------------------------------------------------------------


def test_the_phone_list_marks_a_task_whose_unit_has_another_of_his_open_tasks_and_links_it(client, city, overlap):
    first, first_city = overlap["first"], overlap["first_city"]
    assert reverse("fieldwork:task_brief", args=[first.pk]) == f"/fieldwork/tasks/{first.pk}/"
    officer = _officer(first.members.filter(active=True).first())
    client.force_login(officer)
    # on the county's team only: the city's visit is not his to see, nothing is said of it
    shown = cards(client)
    assert first.pk in shown and BADGE not in shown[first.pk]
    assert str(first_city.pk) not in "".join(shown.values()).replace(str(first.pk), "")
    officer_on_both(overlap)
    shown = cards(client)
    brief = reverse("fieldwork:task_brief", args=[first_city.pk])
    assert f'href="{brief}"' in shown[first.pk] and f"{BADGE} {task_number(first_city)}" in shown[first.pk]
    back = reverse("fieldwork:task_brief", args=[first.pk])
    assert f'href="{back}"' in shown[first_city.pk] and f"{BADGE} {task_number(first)}" in shown[first_city.pk]
    # the city's visit withdrawn: nothing left to join, neither card speaks of it
    Task.objects.filter(pk=first_city.pk).update(status=TaskStatus.WITHDRAWN)
    shown = cards(client)
    assert BADGE not in "".join(shown.values())


def test_the_phone_list_badge_in_english(client, city, overlap):
    officer = officer_on_both(overlap)
    client.force_login(officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert f"Also at this unit: {task_number(overlap['first_city'])}" in cards(client)[overlap["first"].pk]


def test_the_phone_list_reads_the_marks_in_one_query_for_all_its_cards(client, city, overlap):
    # Four marked cards cost what two cost: no query per card.
    officer = officer_on_both(overlap)
    client.force_login(officer)
    client.get(reverse("fieldwork:my_tasks"))  # what a session reads once

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("fieldwork:my_tasks"))
        return len(captured.captured_queries), sum(BADGE in card for card in cards(client).values())

    two = queries()
    for task in (overlap["second"], overlap["second_city"]):  # his too now, both visits to the second unit
        if not task.members.filter(inspector=officer.inspector, active=True).exists():
            TaskMember.objects.create(task=task, draw=task.selections.get().draw, inspector=officer.inspector,
                                      role="officer", slot=98, slot_kind="officer")
    four = queries()
    assert (two[1], four[1]) == (2, 4) and two[0] == four[0]


# --- the task API --------------------------------------------------------------------------------------------


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def other_open(user) -> dict[int, list[dict]]:
    response = api(user).get(TASKS)
    assert response.status_code == 200, response.content
    assert response.json()["next"] is None
    return {row["id"]: row["other_open_tasks"] for row in response.json()["results"]}


def named(*tasks) -> list[dict]:
    return [{"id": task.pk, "number": task_number(task)} for task in tasks]


def test_the_api_names_a_tasks_other_open_tasks_to_whoever_sees_both(city, overlap):
    first, first_city, second, second_city = (overlap[k] for k in ("first", "first_city", "second", "second_city"))
    for name in ("city_admin", "leader"):
        rows = other_open(city["users"][name])
        assert rows[first.pk] == named(first_city) and rows[first_city.pk] == named(first), name
        assert rows[second.pk] == named(second_city) and rows[second_city.pk] == named(second), name
        # the sealed visit and its unit's city visit, and a visit joined by both plans: nothing to join
        assert rows[overlap["sealed"].pk] == rows[overlap["sealed_city"].pk] == rows[overlap["joined"][0].pk] == []
        assert sum(bool(others) for others in rows.values()) == 4, name
    # one task read by id says the same
    detail = api(city["users"]["city_admin"]).get(f"{TASKS}{first.pk}/").json()
    assert detail["other_open_tasks"] == named(first_city)


def test_an_api_caller_never_learns_of_tasks_outside_his_scope(city, overlap):
    users = city["users"]
    first, first_city = overlap["first"], overlap["first_city"]
    # county A's admin and department user read the county's visits: the city's are not theirs, nor named
    for name in ("county_admin", "department_user"):
        rows = other_open(users[name])
        assert first.pk in rows and first_city.pk not in rows, name
        assert all(others == [] for others in rows.values()), name
        assert api(users[name]).get(f"{TASKS}{first.pk}/").json()["other_open_tasks"] == [], name
    # county B's admin sees neither
    rows = other_open(users["other_county_admin"])
    assert first.pk not in rows and all(others == [] for others in rows.values())
    # an inspector on the county's team only: his task, without the city's visit he is not on
    officer = _officer(first.members.filter(active=True).first())
    rows = other_open(officer)
    assert rows[first.pk] == [] and first_city.pk not in rows
    assert api(officer).get(f"{TASKS}{first.pk}/").json()["other_open_tasks"] == []
    # on both teams, both are his, each naming the other
    officer_on_both(overlap)
    rows = other_open(officer)
    assert rows[first.pk] == named(first_city) and rows[first_city.pk] == named(first)


def test_the_api_page_reads_the_other_tasks_in_one_query(city, overlap):
    client = api(city["users"]["city_admin"])
    client.get(TASKS)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(TASKS).status_code == 200
        return len(captured.captured_queries)

    two_pairs = queries()
    Task.objects.filter(pk=overlap["second_city"].pk).update(status=TaskStatus.WITHDRAWN)
    assert queries() == two_pairs  # one pair left: the same statements


def test_the_schema_describes_the_field_in_the_readers_language(client, city):
    client.force_login(city["users"]["city_admin"])
    zh = client.get("/api/schema/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "同一单位另有的未完成任务" in zh and "上季度逾期未完成的也列出" in zh
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    en = client.get("/api/schema/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The other open tasks of the same unit" in en and "overdue" in en


# --- the workbench -------------------------------------------------------------------------------------------


def opened(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200
    return response.context["page"].paginator.count


def test_the_workbench_counts_exactly_the_overlapping_tasks_its_link_opens(client, city, overlap):
    users = city["users"]
    expected = {"city_admin": 4, "leader": 4, "county_admin": 0, "other_county_admin": 0}
    for name, n in expected.items():
        user = users[name]
        section = {s.key: s for s in workbench.for_user(user).sections}["overlaps"]
        client.force_login(user)
        assert section.items.total == n == opened(client, section.items.more_url), name
        assert section.items.more_url == f"{reverse('planning:task_list')}?overlap=1"
        assert {item.url for item in section.items.items} == ({
            overlap[k].get_absolute_url() for k in ("first", "first_city", "second", "second_city")} if n else set())
        home = client.get(reverse("home")).content.decode()
        assert ('id="wb-overlaps"' in home) == bool(n), name
        # the count opens the list, even when every task is listed on the workbench already
        assert (f'href="{section.items.more_url}">在任务列表中查看这 {n} 项任务' in home) == bool(n), name
    # inspectors and department users have no such item (nothing to arrange)
    for name in ("department_user",):
        assert "overlaps" not in {s.key for s in workbench.for_user(users[name]).sections}
    officer = officer_on_both(overlap)
    assert "overlaps" not in {s.key for s in workbench.for_user(officer).sections}
    # a visit done: its unit's other visit has nothing to join, and the count follows the list
    Task.objects.filter(pk=overlap["second_city"].pk).update(status=TaskStatus.WITHDRAWN)
    section = {s.key: s for s in workbench.for_user(users["city_admin"]).sections}["overlaps"]
    client.force_login(users["city_admin"])
    assert section.items.total == 2 == opened(client, section.items.more_url)


def test_the_workbench_count_in_english(client, city, overlap):
    client.force_login(city["users"]["city_admin"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    home = client.get(reverse("home")).content.decode()
    assert 'id="wb-overlaps"' in home and "Several tasks for one unit" in home
    assert "Open the 4 tasks in the task list" in home


# --- a withdrawn task is no visit to join ---------------------------------------------------------------------


def test_a_withdrawn_task_is_not_marked_in_the_list(client, city, overlap):
    Task.objects.filter(pk=overlap["first"].pk).update(status=TaskStatus.WITHDRAWN)
    client.force_login(city["users"]["city_admin"])
    response = client.get(reverse("planning:task_list"))
    marked = {task.pk for task in response.context["page"].object_list if task.overlap}
    assert marked == {overlap["second"].pk, overlap["second_city"].pk}
