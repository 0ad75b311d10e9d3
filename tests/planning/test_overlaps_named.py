# ruff: noqa: F811 (the overlap fixture of test_overlaps, imported by name, is a parameter here)
"""One unit, one visit: the task list's rows and the workbench name the other open task (number, link, plan, team),
within what the reader may see; and the rule of which two tasks make a visit to coordinate, the same on the list,
its filter, the task page, the API and the workbench (planning.overlaps): both open, and at least one of this
quarter or a later one — an overdue task of last quarter joins this quarter's visit; two of past quarters do not."""

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from shuangsuiji.accounts import workbench
from shuangsuiji.fieldwork.models import task_number
from shuangsuiji.planning.models import Task

from .test_overlaps import detail, listed, login, overlap  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("current_quarter")]

PAIRS = ("first", "first_city", "second", "second_city")


def row_of(page: str, task: Task) -> str:
    """The task list's row of ``task``: from its link to the end of its first cell."""
    start = re.search(f'<td data-label="检查对象"[^>]*><a href="{re.escape(task.get_absolute_url())}">', page)
    return page[start.end():].split("</td>")[0]


def team_of(task: Task) -> str:
    return "、".join(dict.fromkeys(m.inspector.name for m in task.members.filter(active=True)
                                   .select_related("inspector").order_by("draw_id", "slot")))


def test_each_list_row_names_and_links_the_other_task_with_its_plan_and_team(client, city, overlap):
    first, first_city = overlap["first"], overlap["first_city"]
    login(client, city["users"]["city_admin"])
    page = client.get(reverse("planning:task_list")).content.decode()
    said = (f'另有任务 <a href="{first_city.get_absolute_url()}">{task_number(first_city)}</a>：'
            f'{overlap["city_plan"]}（{team_of(first_city)}）')
    assert said in row_of(page, first)
    assert f'<a href="{first.get_absolute_url()}">{task_number(first)}</a>：{overlap["county"]}' in row_of(
        page, first_city)
    assert "另有任务" not in row_of(page, overlap["joined"][0]) and "另有任务" not in row_of(page, overlap["sealed"])
    # county A's admin does not see the city's visit: the row names nothing
    login(client, city["users"]["county_admin"])
    page = client.get(reverse("planning:task_list")).content.decode()
    assert "另有任务" not in page and first_city.get_absolute_url() not in page


def test_the_list_names_them_in_english(client, city, overlap):
    login(client, city["users"]["city_admin"])
    client.cookies["django_language"] = "en"
    page = client.get(reverse("planning:task_list")).content.decode()
    assert f'Another task <a href="{overlap["first_city"].get_absolute_url()}">' in page


def test_the_workbench_rows_name_the_other_tasks(city, overlap):
    section = {s.key: s for s in workbench.for_user(city["users"]["city_admin"]).sections}["overlaps"]
    notes = {item.url: item.note for item in section.items.items}
    first, first_city = overlap["first"], overlap["first_city"]
    assert notes[first.get_absolute_url()].endswith(f"另有 {task_number(first_city)}")
    assert notes[first_city.get_absolute_url()].endswith(f"另有 {task_number(first)}")


def summary(client, city, overlap) -> dict:
    """What each place says of the pairs, as the city admin reads it."""
    user = city["users"]["city_admin"]
    login(client, user)
    api = APIClient()
    api.force_authenticate(user)
    rows = {row["id"]: row["other_open_tasks"] for row in api.get("/api/planning/tasks/").json()["results"]}
    section = {s.key: s for s in workbench.for_user(user).sections}["overlaps"]
    page = client.get(reverse("planning:task_list")).context["page"]
    return {"filter": listed(client, overlap="1"), "api": {pk for pk, others in rows.items() if others},
            "marked": {task.pk for task in page.object_list if task.overlap}, "workbench": section.items.total,
            "notice": {key for key in PAIRS if "原则上应一次完成" in detail(client, overlap[key])}}


def test_an_overdue_task_of_last_quarter_and_this_quarters_task_are_one_visit(client, city, overlap,
                                                                               current_quarter):
    first, first_city = overlap["first"], overlap["first_city"]
    Task.objects.filter(pk=first.pk).update(quarter=1)  # last quarter's visit, still not made
    first.refresh_from_db()
    said = summary(client, city, overlap)
    pairs = {overlap[key].pk for key in PAIRS}
    assert said["filter"] == said["api"] == said["marked"] == pairs and said["workbench"] == 4
    assert said["notice"] == set(PAIRS)
    # this quarter's task says of which quarter the other is
    page = detail(client, first_city)
    assert re.search(f"该单位另有{first.period}未完成的任务：<a href=\"{first.get_absolute_url()}\">", page)


def test_two_tasks_of_past_quarters_are_no_visit_to_coordinate(client, city, overlap, current_quarter):
    current_quarter(2021, 3)  # the quarter drawn is over, its four tasks still open
    said = summary(client, city, overlap)
    assert said == {"filter": set(), "api": set(), "marked": set(), "workbench": 0, "notice": set()}
    # a task drawn for this quarter at one of those units brings its old one back
    Task.objects.filter(pk=overlap["first_city"].pk).update(quarter=3)
    said = summary(client, city, overlap)
    assert said["filter"] == said["api"] == said["marked"] == {overlap["first"].pk, overlap["first_city"].pk}
    assert said["workbench"] == 2 and said["notice"] == {"first", "first_city"}
