"""One unit, one visit (实施方案 二(五) "对同一监管对象的多个检查事项，原则上应一次完成"): when a unit has two open
tasks in a quarter — the city drew a firm whose county visit had begun, so the city got a visit of its own — the task
page, the phone's task brief and the task list say so, to the viewers who may see both tasks, and the list filters
them ("同一单位多项任务"). The draw is not touched."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.fieldwork.models import InspectionRecord, task_number
from shuangsuiji.fieldwork.services import do_start_record
from shuangsuiji.planning import services
from shuangsuiji.planning.models import Stratum, Task, TaskMember, TaskStatus

from .test_services import _officer, county_and_city_plans

pytestmark = pytest.mark.usefixtures("current_quarter")  # the quarter the tests draw is the current one

NOTICE = "本季度该单位另有任务"


@pytest.fixture
def overlap(city):
    """County A's plan dispatched; records started on two of its key-unit visits and one sealed; then the city's
    plan, taking every key unit, drawn and dispatched: the two begun visits each have a city visit of their own
    (two open tasks per unit), the sealed one too (its unit has one open task), the untouched ones are joined."""
    county, city_plan = county_and_city_plans(city)
    from .conftest import ceremony

    ceremony(county)
    services.do_dispatch(county, acting_user=None)
    first, second, sealed, *joined = Task.objects.filter(selections__plan=county,
                                                         selections__stratum=Stratum.KEY).order_by("pk")
    for task in (first, second):
        do_start_record(task, acting_user=_officer(task.members.filter(active=True).first()))
    InspectionRecord.objects.create(number="JL-sealed", task=sealed, target=sealed.target, sealed_at=timezone.now(),
                                    seal_hash="0" * 64)
    ceremony(city_plan)
    services.do_dispatch(city_plan, acting_user=None)
    new = {task.target_id: Task.objects.exclude(pk=task.pk).get(target=task.target)
           for task in (first, second, sealed)}
    return {"county": county, "city_plan": city_plan, "first": first, "second": second, "sealed": sealed,
            "joined": joined, "first_city": new[first.target_id], "second_city": new[second.target_id],
            "sealed_city": new[sealed.target_id]}


def login(client, user):
    client.force_login(user)
    return client


def detail(client, task) -> str:
    return client.get(reverse("planning:task_detail", args=[task.pk])).content.decode()


def listed(client, **query) -> set[int]:
    response = client.get(reverse("planning:task_list"), query)
    assert response.status_code == 200
    return {task.pk for task in response.context["page"].object_list}


def test_the_task_page_names_the_units_other_open_task_with_its_plan_number_team_and_link(client, city, overlap):
    first, first_city = overlap["first"], overlap["first_city"]
    login(client, city["users"]["city_admin"])
    page = detail(client, first)
    team = "、".join(dict.fromkeys(m.inspector.name for m in first_city.members.filter(active=True)
                                   .select_related("inspector").order_by("draw_id", "slot")))
    assert (f'{NOTICE}：<a href="{first_city.get_absolute_url()}">{overlap["city_plan"]} {task_number(first_city)}'
            f"</a>（{team}），原则上应一次完成") in page
    # and the other way round: the city's visit names the county's
    page = detail(client, first_city)
    assert NOTICE in page and first.get_absolute_url() in page and str(overlap["county"]) in page


def test_no_notice_without_an_open_overlap(client, city, overlap, current_quarter):
    login(client, city["users"]["city_admin"])
    # the sealed visit is done: neither it nor the city's visit to that unit speaks of the other
    assert NOTICE not in detail(client, overlap["sealed"]) and NOTICE not in detail(client, overlap["sealed_city"])
    # a visit that counts for both plans (joined before it began) is one task: nothing to say
    assert NOTICE not in detail(client, overlap["joined"][0])
    # withdrawn, the other task is no longer to be visited
    Task.objects.filter(pk=overlap["first_city"].pk).update(status=TaskStatus.WITHDRAWN)
    assert NOTICE not in detail(client, overlap["first"])
    # two tasks of past quarters are no visit being planned (both are on the overdue list)
    Task.objects.filter(pk=overlap["second_city"].pk).update(quarter=3)
    current_quarter(2021, 4)
    assert "原则上应一次完成" not in detail(client, overlap["second"])


def test_the_filter_lists_exactly_the_open_tasks_sharing_their_unit_and_quarter(client, city, overlap):
    login(client, city["users"]["city_admin"])
    pairs = {overlap[key].pk for key in ("first", "first_city", "second", "second_city")}
    assert listed(client, overlap="1") == pairs
    assert listed(client, overlap="1", period="2021-2") == pairs
    assert listed(client, overlap="1", period="2021-3") == set()
    # the rows of the plain list carry the mark, the others not
    response = client.get(reverse("planning:task_list"))
    marked = {task.pk for task in response.context["page"].object_list if task.overlap}
    assert marked == pairs
    assert response.content.decode().count("同一单位多项任务") == 1 + len(pairs)  # the filter's label and the rows
    # the second city visit withdrawn: its unit has one open task left
    Task.objects.filter(pk=overlap["second_city"].pk).update(status=TaskStatus.WITHDRAWN)
    assert listed(client, overlap="1") == {overlap["first"].pk, overlap["first_city"].pk}
    # the first county visit's record submitted: that visit is done, the city's one has nothing to join
    InspectionRecord.objects.filter(task=overlap["first"]).update(sealed_at=timezone.now(), seal_hash="1" * 64)
    assert listed(client, overlap="1") == set()


def test_the_filter_and_the_notice_keep_to_the_viewers_scope(client, city, overlap):
    users = city["users"]
    first = overlap["first"]
    # the leader of the city reads both plans
    login(client, users["leader"])
    assert NOTICE in detail(client, first) and len(listed(client, overlap="1")) == 4
    # county A's admin and department user read the county's plan only: the city's visit is not theirs to see
    for name in ("county_admin", "department_user"):
        login(client, users[name])
        assert NOTICE not in detail(client, first) and listed(client, overlap="1") == set(), name
        assert overlap["first_city"].get_absolute_url() not in detail(client, first)
    # county B's admin sees neither task
    login(client, users["other_county_admin"])
    assert client.get(reverse("planning:task_detail", args=[first.pk])).status_code == 404
    assert listed(client, overlap="1") == set()


def test_an_inspector_is_told_on_his_phone_only_of_his_own_tasks(client, city, overlap):
    first, first_city = overlap["first"], overlap["first_city"]
    officer = _officer(first.members.filter(active=True).first())
    login(client, officer)
    brief = reverse("fieldwork:task_brief", args=[first.pk])
    # on the county's team, not on the city's: the city's visit and its team are not his to see
    assert NOTICE not in client.get(brief).content.decode()
    assert NOTICE not in detail(client, first)
    # on both teams (say the city's officer was replaced by him): both briefs say so, each linking the other's brief
    TaskMember.objects.create(task=first_city, draw=first_city.selections.get().draw, inspector=officer.inspector,
                              role="officer", slot=99, slot_kind="officer")
    page = client.get(brief).content.decode()
    assert NOTICE in page and f'href="{reverse("fieldwork:task_brief", args=[first_city.pk])}"' in page
    assert officer.inspector.name in page.split(NOTICE)[1].split("原则上应一次完成")[0]
    other = client.get(reverse("fieldwork:task_brief", args=[first_city.pk])).content.decode()
    assert NOTICE in other and f'href="{brief}"' in other
    # named: the team he is on there (the city draw's), as the task page shows an inspector his partners
    shown = page.split(NOTICE)[1].split("原则上应一次完成")[0]
    team = set(first_city.members.filter(active=True).values_list("inspector__name", flat=True))
    assert all(name in shown for name in team)


def test_the_notice_and_the_filter_in_english(client, city, overlap):
    login(client, city["users"]["city_admin"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = detail(client, overlap["first"])
    assert "This unit has another task this quarter:" in page and "should in principle be done in one visit" in page
    assert "Overlapping tasks only" in client.get(reverse("planning:task_list")).content.decode()


def test_the_list_reads_the_overlaps_in_its_own_statement(client, city, overlap):
    # No query per row: the list with its four marked rows costs what it costs with one pair's two rows.
    login(client, city["users"]["city_admin"])

    def queries(**query) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("planning:task_list"), query)
        return len(captured.captured_queries), len(response.context["page"].object_list)

    queries()  # what the first page of a session reads once (cached after)
    wide = queries(overlap="1", period="2021-2")
    every = queries(period="2021-2")
    # the second unit's two visits moved to another quarter: one pair left in this one
    Task.objects.filter(pk__in=[overlap["second"].pk, overlap["second_city"].pk]).update(quarter=3)
    narrow = queries(overlap="1", period="2021-2")
    assert (narrow[1], wide[1]) == (2, 4) and narrow[0] == wide[0]
    assert every[1] > 4 and every[0] == wide[0]


def test_the_task_list_s_pages_never_share_a_task_nor_skip_one(client, city, overlap, monkeypatch):
    # A unit's two tasks of a quarter (the county's and the city's) tie on every key of the list's order but the
    # task number: one task a page, every page read, each task is listed exactly once, in a stable order.
    from shuangsuiji.planning import views

    monkeypatch.setattr(views, "PER_PAGE", 1)
    login(client, city["users"]["city_admin"])
    everything = list(Task.objects.values_list("pk", flat=True))
    response = client.get(reverse("planning:task_list"))
    listed_in_order = []
    for number in range(1, response.context["page"].paginator.num_pages + 1):
        page = client.get(reverse("planning:task_list"), {"page": number}).context["page"]
        listed_in_order += [task.pk for task in page.object_list]
    assert sorted(listed_in_order) == sorted(everything) and len(everything) > 2
    # the tied tasks come in the order of their numbers, and the order ends at the number whatever the database
    assert listed_in_order.index(overlap["first"].pk) < listed_in_order.index(overlap["first_city"].pk)
    assert response.context["page"].paginator.object_list.query.order_by[-1] == "pk"
