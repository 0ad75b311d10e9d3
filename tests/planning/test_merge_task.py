"""并入 (``services.do_merge_task``): a unit's later open task merged into its earlier one — one visit, one record
(实施方案 二(五) "对同一监管对象的多个检查事项，原则上应一次完成，做到'应联尽联'"; 一(三) "进一次门、办多项事").

The ``overlap`` fixture: county A's key-unit visits dispatched, the records of two begun, then the city's plan drawing
the same units — each begun visit got a city visit of its own (``first`` / ``first_city``). The city's admin, who
runs both plans, merges the city's visit into the county's: the county's draft gains the city's plans, officers and
items, the city's task is withdrawn "并入 …"; the draws and their manifests stay as they were."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.audit.models import Event
from shuangsuiji.disclosure.reports import quarterly_status
from shuangsuiji.fieldwork import services as fieldwork_services
from shuangsuiji.fieldwork.models import InspectionRecord, task_number
from shuangsuiji.fieldwork.services import participants
from shuangsuiji.planning import overlaps, services
from shuangsuiji.planning.models import Draw, Plan, PlanStatus, Task, TaskMember, TaskPlan, TaskStatus
from shuangsuiji.registry.models import CheckItem

from . import test_overlaps

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("current_quarter")]

overlap = test_overlaps.overlap  # the fixture


@pytest.fixture
def pair(city, overlap):
    """The county's visit with its draft, the city's visit to the same unit, and an item only the city's plan has."""
    extra = CheckItem.objects.create(code="C-09", name="固体废物管理情况", legal_basis="固体废物污染环境防治法",
                                     content="台账", jurisdiction=city["tree"]["city"],
                                     responsible_department=city["departments"]["enforcement_c"])
    overlap["city_plan"].check_items.add(extra)  # as if the city's plan had listed it (its items are fixed)
    return {**overlap, "earlier": overlap["first"], "later": overlap["first_city"], "extra": extra}


def state(*tasks: Task) -> dict:
    """What a merge may change of the tasks, their draft and the draws, to compare before and after."""
    return {
        "tasks": [tuple(Task.objects.filter(pk=t.pk).values_list(
            "status", "deadline", "withdrawn_reason", "merged_into", "is_joint", "is_cross_department").get())
            for t in tasks],
        "selections": sorted(TaskPlan.objects.filter(task__in=tasks).values_list(
            "task_id", "plan_id", "draw_id", "stratum", "rank", "ticket", "active")),
        "members": sorted(TaskMember.objects.filter(task__in=tasks).values_list(
            "task_id", "draw_id", "inspector_id", "slot", "active")),
        "drafts": sorted((r.pk, r.revision, tuple(r.items.values_list("code", flat=True)))
                         for r in InspectionRecord.objects.filter(task__in=tasks)),
        "manifests": [json.dumps(d.manifest, sort_keys=True) for d in Draw.objects.order_by("pk")],
    }


def merge(pair, user, **kwargs):
    return services.do_merge_task(user, pair["later"], into=pair["earlier"], reason="两组约定同日检查", **kwargs)


# --- the service --------------------------------------------------------------------------------------------------


def test_the_later_visit_is_merged_into_the_earlier_ones_draft(city, pair):
    earlier, later, county, city_plan = pair["earlier"], pair["later"], pair["county"], pair["city_plan"]
    draft = InspectionRecord.objects.get(task=earlier)
    revision, codes = draft.revision, list(draft.items.values_list("code", flat=True))
    city_team = set(later.members.filter(active=True).values_list("inspector_id", flat=True))
    county_team = set(earlier.members.filter(active=True).values_list("inspector_id", flat=True))
    tickets = sorted(TaskPlan.objects.values_list("draw_id", "stratum", "rank", "ticket"))
    manifests = state()["manifests"]
    Task.objects.filter(pk=later.pk).update(deadline=earlier.deadline.replace(day=1))
    deadline = earlier.deadline.replace(day=1)

    into = merge(pair, city["users"]["city_admin"])

    assert into.pk == earlier.pk
    earlier.refresh_from_db()
    later.refresh_from_db()
    # the earlier visit counts for both plans, once each
    assert set(earlier.selections.filter(active=True).values_list("plan_id", flat=True)) == {county.pk, city_plan.pk}
    assert not later.selections.filter(active=True).exists() and later.selections.exists()
    # the later one is withdrawn, saying where it went
    assert later.status == TaskStatus.WITHDRAWN and later.merged_into_id == earlier.pk
    assert later.withdrawn_reason == f"并入 {task_number(earlier)}"
    assert earlier.deadline == deadline  # the earlier of the two
    # both teams' officers sign the one record
    draft.refresh_from_db()
    assert {p.inspector.pk for p in participants(draft)} == county_team | city_team
    assert not later.members.filter(active=True).exists()
    # the draft gains the city's extra item, after what the team has, and a new revision
    assert list(draft.items.values_list("code", flat=True)) == [*codes, "C-09"]
    assert draft.revision == revision + 1
    # the draws, their tickets and manifests are as drawn
    assert state()["manifests"] == manifests
    assert sorted(TaskPlan.objects.values_list("draw_id", "stratum", "rank", "ticket")) == sorted(
        tickets + [t for t in tickets if t[0] == city_plan.draws.get().pk and t[3] == TaskPlan.objects.get(
            task=later).ticket])
    # the audit events, with before and after
    event = Event.objects.get(action="plan.merge_task", object_id=str(earlier.pk))
    assert event.changes["merged"] == [None, task_number(later)]
    assert event.changes["deadline"][1] == deadline.isoformat()
    assert [len(event.changes["plans"][0]), len(event.changes["plans"][1])] == [1, 2]
    assert event.reason == "两组约定同日检查"
    assert Event.objects.get(action="plan.task_merged", object_id=str(later.pk)).changes["merged_into"] == [
        None, task_number(earlier)]
    assert Event.objects.get(action="record.merge", object_id=str(draft.pk)).changes["items"] == ["C-09"]


def test_the_overlap_is_no_longer_flagged_and_the_quarter_counts_the_visit_once_per_plan(city, pair):
    tree = city["tree"]
    tasks = Task.objects.all()
    assert set(overlaps.overlapping(tasks, tasks).values_list("pk", flat=True)) >= {pair["earlier"].pk,
                                                                                     pair["later"].pk}

    def drawn() -> dict[int, int]:
        places = quarterly_status(tree["city"], 2021, 2).places
        return {p.jurisdiction.pk: p.strata["key"].drawn for p in places}

    before = drawn()
    merge(pair, city["users"]["city_admin"])
    flagged = set(overlaps.overlapping(tasks, tasks).values_list("pk", flat=True))
    assert pair["earlier"].pk not in flagged and pair["later"].pk not in flagged
    assert drawn() == before  # each plan still counts its one visit to the unit
    # the one record sealed: the visit is inspected for both plans
    InspectionRecord.objects.filter(task=pair["earlier"]).update(sealed_at=timezone.now(), seal_hash="1" * 64)
    inspected = {p.jurisdiction.pk: p.strata["key"].inspected for p in quarterly_status(tree["city"], 2021, 2).places}
    assert inspected[tree["city"].pk] >= 1 and inspected[tree["a"].pk] >= 1


def refused(pair, user=None, *, later=None, into=None, reason="同日检查") -> str:
    before = state(pair["earlier"], pair["later"])
    with pytest.raises(ValidationError) as caught:
        services.do_merge_task(user, later or pair["later"], into=into or pair["earlier"], reason=reason)
    assert state(pair["earlier"], pair["later"]) == before  # nothing changed
    return " ".join(caught.value.messages)


def test_a_submitted_record_blocks_the_merge(city, pair):
    number = InspectionRecord.objects.get(task=pair["earlier"]).number
    InspectionRecord.objects.filter(task=pair["earlier"]).update(sealed_at=timezone.now(), seal_hash="1" * 64)
    assert f"检查记录 {number} 已提交封存" in refused(pair)


def test_a_begun_record_of_the_later_task_blocks_it_and_says_to_merge_the_other_way(city, pair):
    message = refused(pair, later=pair["earlier"], into=pair["later"])
    assert "已开始填写检查记录" in message and f"可以把任务{task_number(pair['later'])}并入" in message


def test_another_unit_another_quarter_or_itself_is_refused(city, pair):
    assert "不是同一单位" in refused(pair, into=pair["second"])
    assert "并入它自己" in refused(pair, into=pair["later"])
    Task.objects.filter(pk=pair["later"].pk).update(quarter=3)
    assert "不在同一季度" in refused(pair)


def test_a_visit_not_dispatched_is_refused(city, pair):
    Plan.objects.filter(pk=pair["city_plan"].pk).update(status=PlanStatus.DRAWN)
    assert "尚未派发" in refused(pair)
    Plan.objects.filter(pk=pair["city_plan"].pk).update(status=PlanStatus.DISPATCHED)
    Task.objects.filter(pk=pair["later"].pk).update(status=TaskStatus.DRAWN)
    assert "尚未派发" in refused(pair)


def test_a_merged_or_withdrawn_task_is_refused(city, pair):
    merge(pair, city["users"]["city_admin"])
    assert "已并入任务" in refused(pair)
    Task.objects.filter(pk=pair["second_city"].pk).update(status=TaskStatus.WITHDRAWN, withdrawn_reason="对象关停")
    assert "已撤销（对象关停）" in refused(pair, later=pair["second_city"], into=pair["second"])


def test_a_reason_is_required(city, pair):
    assert "请填写并入理由" in refused(pair, reason="  ")


def test_a_failure_mid_way_leaves_both_tasks_as_they_were(city, pair, monkeypatch):
    before = state(pair["earlier"], pair["later"])

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    # the draft's part comes last, after the selections, the team and the tasks were written
    monkeypatch.setattr(fieldwork_services, "task_merged", broken)
    with pytest.raises(RuntimeError):
        merge(pair, city["users"]["city_admin"])
    assert state(pair["earlier"], pair["later"]) == before
    assert not Event.objects.filter(action__in=["plan.merge_task", "plan.task_merged"]).exists()


# --- who may ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["county_admin", "other_county_admin", "department_user", "inspector", "leader"])
def test_only_whoever_runs_both_plans_may_merge(city, pair, role):
    """The city's visit is the city's plan's: county A's admin runs only the county's plan, county B's neither; a
    department user, an inspector and a leader run no plan."""
    before = state(pair["earlier"], pair["later"])
    with pytest.raises(PermissionDenied):
        merge(pair, city["users"][role])
    assert state(pair["earlier"], pair["later"]) == before


def test_the_city_admin_and_the_system_may(city, pair):
    assert merge(pair, city["users"]["city_admin"]).pk == pair["earlier"].pk
    assert services.do_merge_task(None, pair["second_city"], into=pair["second"], reason="同日").pk == pair[
        "second"].pk


# --- the page -----------------------------------------------------------------------------------------------------


def page(client, task) -> str:
    response = client.get(reverse("planning:task_detail", args=[task.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_later_tasks_page_offers_the_merge_and_both_pages_show_it_afterwards(client, city, pair):
    earlier, later = pair["earlier"], pair["later"]
    client.force_login(city["users"]["city_admin"])
    html = page(client, later)
    assert reverse("planning:task_merge", args=[later.pk]) in html
    assert f'<option value="{earlier.pk}">{task_number(earlier)} {pair["county"]}</option>' in html
    # the earlier task's draft is begun: merging it away is refused, and its page says why instead of a button
    html = page(client, earlier)
    assert reverse("planning:task_merge", args=[earlier.pk]) not in html and "已开始填写检查记录" in html

    response = client.post(reverse("planning:task_merge", args=[later.pk]),
                           {"into": earlier.pk, "reason": "两组约定同日检查"}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == earlier.get_absolute_url()
    assert f"任务{task_number(later)}已并入任务{task_number(earlier)}" in html
    assert "并入本任务的任务" in html and later.get_absolute_url() in html
    assert test_overlaps.NOTICE not in html  # the overlap note stops
    html = page(client, later)
    assert "本任务已并入任务" in html and earlier.get_absolute_url() in html
    assert reverse("planning:task_merge", args=[later.pk]) not in html


def test_the_form_is_not_offered_to_whoever_may_not_merge_and_a_post_is_refused_in_words(client, city, pair):
    later = pair["later"]
    url = reverse("planning:task_merge", args=[later.pk])
    client.force_login(city["users"]["leader"])
    assert url not in page(client, later)
    response = client.post(url, {"into": pair["earlier"].pk, "reason": "同日"}, follow=True)
    assert response.status_code == 200 and "管理员可以进行此操作" in response.content.decode()
    assert Task.objects.get(pk=later.pk).status == TaskStatus.DISPATCHED
    # county A's admin does not see the city's visit at all
    client.force_login(city["users"]["county_admin"])
    assert client.post(url, {"into": pair["earlier"].pk, "reason": "同日"}).status_code == 404
    client.logout()
    response = client.post(url, {"into": pair["earlier"].pk, "reason": "同日"})
    assert response.status_code == 302 and "login" in response["Location"]
    assert Task.objects.get(pk=later.pk).status == TaskStatus.DISPATCHED


def test_a_post_without_a_task_or_a_reason_is_refused_in_words(client, city, pair):
    later = pair["later"]
    url = reverse("planning:task_merge", args=[later.pk])
    client.force_login(city["users"]["city_admin"])
    for data, said in (({"reason": "同日"}, "请选择要并入的任务"),
                       ({"into": "x" * 40, "reason": "同日"}, "请选择要并入的任务"),
                       ({"into": pair["earlier"].pk}, "请填写并入理由")):
        response = client.post(url, data, follow=True)
        assert response.status_code == 200 and said in response.content.decode()
    assert Task.objects.get(pk=later.pk).status == TaskStatus.DISPATCHED


def test_the_plans_page_lists_the_draws_selection_of_the_unit_once(client, city, pair):
    client.force_login(city["users"]["city_admin"])
    url = reverse("planning:plan_detail", args=[pair["city_plan"].pk])

    def rows() -> list:
        return [(s.task.target_id, s.ticket) for s in client.get(url, {"page_size": 100}).context["selections"]]

    before = rows()
    merge(pair, city["users"]["city_admin"])
    after = rows()
    assert sorted(after) == sorted(before) and len(after) == len(set(after))


def test_an_officer_of_the_merged_task_is_sent_to_the_task_it_joined(client, city, pair):
    from .test_services import _officer

    later, earlier = pair["later"], pair["earlier"]
    officer = _officer(later.members.filter(active=True).first())
    merge(pair, city["users"]["city_admin"])
    client.force_login(officer)
    html = client.get(reverse("fieldwork:task_brief", args=[later.pk])).content.decode()
    assert f"任务{task_number(later)}已并入任务{task_number(earlier)}" in html
    assert client.get(reverse("fieldwork:task_brief", args=[earlier.pk])).status_code == 200


# --- a county's own pair ------------------------------------------------------------------------------------------


@pytest.fixture
def county_pair(city):
    """County A's regular plan dispatched and the records of its key-unit visits begun; then the joint plan its
    执法大队 initiates (内部联合抽查, key units first) drawn and dispatched: the firm it drew, whose regular visit had
    begun, has a joint visit of its own. Both tasks are the county's alone — the regular plan and a department's
    joint plan of the county — so the county's admin runs every plan of both."""
    from shuangsuiji.planning.models import PlanKind

    from .conftest import ceremony
    from .test_services import _officer, county_plan

    regular = county_plan(city)
    ceremony(regular)
    services.do_dispatch(regular, acting_user=city["users"]["county_admin"])
    for task in Task.objects.filter(selections__plan=regular, selections__stratum="key"):
        fieldwork_services.do_start_record(task, acting_user=_officer(task.members.filter(active=True).first()))
    joint = services.do_create_plan(jurisdiction=city["tree"]["a"], year=2021, quarter=2, kind=PlanKind.JOINT,
                                    department=city["departments"]["enforcement_a"],
                                    acting_user=city["users"]["department_user"])
    ceremony(joint)
    services.do_dispatch(joint, acting_user=city["users"]["county_admin"])
    later = Task.objects.get(selections__plan=joint)
    earlier = Task.objects.exclude(pk=later.pk).get(target=later.target, selections__plan=regular)
    assert later.is_joint and not later.selections.filter(plan=regular).exists()
    return {"earlier": earlier, "later": later, "regular": regular, "joint": joint}


def test_the_county_admin_merges_a_departments_joint_visit_into_the_countys_regular_one(client, city, county_pair):
    """The rule is "whoever runs every plan of both": a county department's joint plan is run by the county's admins
    (``can_run``: the plan's jurisdiction is the county), as is the county's regular plan — the pair is his."""
    earlier, later, user = county_pair["earlier"], county_pair["later"], city["users"]["county_admin"]
    assert services.can_merge(user, later) and services.can_merge(user, earlier)
    client.force_login(user)
    html = page(client, later)
    assert reverse("planning:task_merge", args=[later.pk]) in html and f'<option value="{earlier.pk}">' in html
    response = client.post(reverse("planning:task_merge", args=[later.pk]),
                           {"into": earlier.pk, "reason": "联合检查与日常检查同日进行"}, follow=True)
    assert response.redirect_chain[-1][0] == earlier.get_absolute_url()
    earlier.refresh_from_db()
    assert earlier.is_joint and set(earlier.selections.filter(active=True).values_list("plan_id", flat=True)) == {
        county_pair["regular"].pk, county_pair["joint"].pk}
    assert Task.objects.get(pk=later.pk).merged_into_id == earlier.pk
    # the county's event, in the county's scope
    assert Event.objects.get(action="plan.merge_task", object_id=str(earlier.pk)).actor == user


@pytest.mark.parametrize("role", ["other_county_admin", "department_user", "inspector", "leader"])
def test_no_one_else_merges_the_countys_pair(client, city, county_pair, role):
    """County B's admin runs neither plan; the department that initiated the joint plan edits it but does not run its
    ceremony, nor the regular plan; an inspector and the leader run no plan."""
    earlier, later, user = county_pair["earlier"], county_pair["later"], city["users"][role]
    before = state(earlier, later)
    assert not services.can_merge(user, later)
    with pytest.raises(PermissionDenied):
        services.do_merge_task(user, later, into=earlier, reason="同日")
    client.force_login(user)
    response = client.get(reverse("planning:task_detail", args=[later.pk]))
    assert response.status_code == 404 or reverse("planning:task_merge", args=[later.pk]) not in (
        response.content.decode())
    client.post(reverse("planning:task_merge", args=[later.pk]), {"into": earlier.pk, "reason": "同日"})
    assert state(earlier, later) == before


# --- the task API -------------------------------------------------------------------------------------------------


def merges_in_api(user, *tasks) -> dict[int, tuple]:
    """(merged_into, merged_tasks) of each task the user reads, from the list and from each task's detail alike."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    body = client.get("/api/planning/tasks/").json()
    assert body["next"] is None  # one page holds them
    rows = {row["id"]: (row["merged_into"], row["merged_tasks"]) for row in body["results"]}
    for task in tasks:
        response = client.get(f"/api/planning/tasks/{task.pk}/")
        if task.pk in rows:
            assert (response.json()["merged_into"], response.json()["merged_tasks"]) == rows[task.pk]
        else:
            assert response.status_code == 404
    return rows


def test_the_api_says_where_a_task_went_and_what_joined_it_to_whoever_sees_both(city, pair):
    from .test_services import _officer

    earlier, later = pair["earlier"], pair["later"]
    named = {task.pk: {"id": task.pk, "number": task_number(task)} for task in (earlier, later)}
    before = merges_in_api(city["users"]["city_admin"], earlier, later)
    assert before[earlier.pk] == before[later.pk] == (None, [])
    officer = _officer(later.members.filter(active=True).first())
    merge(pair, city["users"]["city_admin"])
    for role in ("city_admin", "leader"):
        rows = merges_in_api(city["users"][role], earlier, later)
        assert rows[later.pk] == (named[earlier.pk], []) and rows[earlier.pk] == (None, [named[later.pk]]), role
        assert all(row == (None, []) for pk, row in rows.items() if pk not in named), role
    # county A reads its own visit, which now counts for the city's plan too, but not the city's withdrawn task
    for role in ("county_admin", "department_user"):
        rows = merges_in_api(city["users"][role], earlier, later)
        assert later.pk not in rows and rows[earlier.pk] == (None, []), role
    # county B reads neither; the city's officer now on the county's visit reads it, not the withdrawn task
    assert earlier.pk not in merges_in_api(city["users"]["other_county_admin"], earlier, later)
    rows = merges_in_api(officer, earlier, later)
    assert later.pk not in rows and rows[earlier.pk] == (None, [])


def test_the_history_says_the_merge_in_words_and_only_what_changed(city, pair):
    from django.utils import translation

    from shuangsuiji.audit.display import changes_of

    earlier, later = pair["earlier"], pair["later"]
    Task.objects.filter(pk=later.pk).update(deadline=earlier.deadline)  # the same deadline: not a change
    merge(pair, city["users"]["city_admin"])
    events = {e.action: e for e in Event.objects.filter(
        action__in=["plan.merge_task", "plan.task_merged", "record.merge"])}
    assert "deadline" not in events["plan.merge_task"].changes
    said = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            said[language] = {action: {c.key: c.label for c in changes_of(event)} for action, event in events.items()}
    for action, labels in said["zh-hans"].items():
        assert set(labels) == set(events[action].changes) and all(k != label for k, label in labels.items()), action
    # the record's task is the one kept: the number in its event is the task that joined it
    assert said["zh-hans"]["record.merge"]["task"] == "并入本任务的任务"
    assert said["en"]["record.merge"]["task"] == "Task merged into this one"
    assert said["en"]["plan.task_merged"]["merged_into"] == "Merged into task"
    assert said["en"]["plan.merge_task"]["merged"] == "Task merged into this one"


def test_the_history_stores_the_plans_titles_in_the_systems_language(city, pair):
    """An admin merging with the English pages wrote the plans' English titles into the event's stored values."""
    from django.utils import translation

    with translation.override("en"):
        merge(pair, city["users"]["city_admin"])
    plans = Event.objects.get(action="plan.merge_task").changes["plans"][1]
    assert sorted(plans) == sorted([str(pair["county"]), str(pair["city_plan"])])
    assert all("季度" in title for title in plans), plans
