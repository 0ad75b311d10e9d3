"""One unit, one visit: the other open tasks of a task's target (实施方案 二(五) "对同一监管对象的多个检查事项，
原则上应一次完成，做到'应联尽联'").

A second plan drawing a target in the same quarter joins the visit to it (``services._visits_to_join``) unless that
visit's record has begun, or the policy keeps the visits apart (``merged_visit``): then the unit has two open tasks,
two teams and two records to come. The draw stays as drawn; these pages say where it happened, so the admins and the
teams can go on the same day (docs/guide/county-admin.md, "同一单位有两项未完成的任务").

The rule, the same for the phone's badge, the task page, the API's ``other_open_tasks``, the task list's filter and
the workbench: two tasks of one unit are a visit to coordinate while both are open (not withdrawn, no submitted
record) and at least one of them is of the current quarter or a later one (``this_quarter``). So a task of last
quarter still not done and this quarter's task at the same firm are one trip ("原则上应一次完成" does not stop at a
quarter's end); two tasks of past quarters alone are not: neither is a visit being planned, both are on the overdue
list (逾期任务), and the workbench does not keep every old pair for ever.

Only tasks of ``scope`` — the viewer's ``visible_tasks`` — are named: a county admin does not learn of the city's
task, and an inspector only of the tasks of his own teams, as everywhere else.
"""

from collections.abc import Iterable
from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from shuangsuiji.accounts.models import Role
from shuangsuiji.engine.workdays import quarter_of
from shuangsuiji.fieldwork.models import task_number  # the number the field knows a task by
from shuangsuiji.planning.models import Task, TaskMember, TaskPlan, TaskStatus, team_places
from shuangsuiji.planning.permissions import shown_draws, shown_places


def open_visits(tasks: QuerySet) -> QuerySet:
    """Tasks still to be visited: not withdrawn, and no submitted record (a draft is not the visit done)."""
    return tasks.exclude(status=TaskStatus.WITHDRAWN).exclude(records__sealed_at__isnull=False)


def is_open(task: Task) -> bool:
    return open_visits(Task.objects.filter(pk=task.pk)).exists()


def this_quarter(today: date | None = None) -> tuple[int, int]:
    """The quarter whose tasks (and later ones) make a visit to coordinate; today's by the local calendar."""
    day = today or timezone.localdate()
    return day.year, quarter_of(day)


def current(since: tuple[int, int], prefix: str = "") -> Q:
    """Tasks of the quarter ``since`` or a later one (``prefix`` for a related task's fields)."""
    year, quarter = since
    return Q(**{f"{prefix}year__gt": year}) | Q(**{f"{prefix}year": year, f"{prefix}quarter__gte": quarter})


def is_current(task: Task, since: tuple[int, int]) -> bool:
    return (task.year, task.quarter) >= since


def same_unit(scope: QuerySet) -> QuerySet:
    """For ``Exists`` over a task queryset: the open tasks of ``scope`` to the outer task's target, other than itself
    (index ``target, year, quarter``), of any quarter: ``pairs`` says which count."""
    return open_visits(scope).filter(target=OuterRef("target")).exclude(pk=OuterRef("pk"))


def pairs(scope: QuerySet, since: tuple[int, int]) -> Q:
    """The outer task has another open task of ``scope`` at its unit, and one of the two is of ``since`` or later."""
    return Exists(same_unit(scope).filter(current(since))) | (current(since) & Exists(same_unit(scope)))


def with_overlap(tasks: QuerySet, scope: QuerySet, *, since: tuple[int, int] | None = None) -> QuerySet:
    """Each task with ``overlap``: it is open and its unit has another open task of ``scope`` making a visit to
    coordinate with it (the module's rule). One statement with the list's own, evaluated for the rows of its page."""
    # A withdrawn task is not open either (``open_visits``): its row is not to be marked as a visit to join.
    return tasks.annotate(overlap=pairs(scope, since or this_quarter()) & ~Q(status=TaskStatus.WITHDRAWN) & ~Exists(
        Task.objects.filter(pk=OuterRef("pk"), records__sealed_at__isnull=False)))


def _describe(others: list[Task], viewer) -> None:
    """Give each task ``link`` (its task page), ``plans`` (the plans it counts for) and ``people`` (its team), as
    ``viewer`` is shown them, in two queries for them all. Both are read by the rule of the task page: the team through
    ``permissions.shown_places``, the plans through ``permissions.shown_draws`` — a merged visit's officers, and
    the plan, of another plan's draw not dispatched yet are not named to whoever does not read that plan (nothing of a
    draw is told before its dispatch). An inspector is shown, of those, only the teams he is on himself and their
    plans, as his task page shows him."""
    if not others:
        return
    members = TaskMember.objects.filter(shown_places(viewer), active=True, task__in=others).select_related(
        "inspector").order_by("draw_id", "slot")
    selections = (TaskPlan.objects.filter(shown_draws(viewer), active=True, task__in=others)
                  .select_related("plan__jurisdiction", "plan__department").order_by("pk"))
    if viewer.role == Role.INSPECTOR and not viewer.is_superuser:
        # his own places as told (``team_places``): a draw of his not dispatched yet is no team of his to him
        own = TaskMember.objects.filter(team_places(), inspector_id=viewer.inspector_id).values("draw_id")
        members = members.filter(draw_id__in=own)
        selections = selections.filter(draw_id__in=own)
    plans: dict[int, list[str]] = {}
    for selection in selections:
        plans.setdefault(selection.task_id, []).append(str(selection.plan))
    people: dict[int, list[str]] = {}
    for member in members:
        people.setdefault(member.task_id, []).append(member.inspector.name)
    for other in others:
        other.link = other.get_absolute_url()
        other.plans = plans.get(other.pk, [])
        other.people = list(dict.fromkeys(people.get(other.pk, [])))


def others_by_task(tasks: Iterable[Task], scope: QuerySet, *, since: tuple[int, int] | None = None,
                   viewer=None) -> dict[int, list[Task]]:
    """For the rows of a list read through ``with_overlap``: each marked row's other open tasks of ``scope`` by the
    module's rule (each with ``number`` and, given the ``viewer``, what ``_describe`` shows him), oldest first; a row
    not marked has none. One query for the whole page (three with a ``viewer``), none when no row is marked, so a
    list with its notes costs the same whatever its rows."""
    since = since or this_quarter()
    tasks = list(tasks)
    marked = [task for task in tasks if getattr(task, "overlap", False)]
    found: dict[int, list[Task]] = {task.pk: [] for task in tasks}
    if not marked:
        return found
    units: dict[int, list[Task]] = {}
    for other in (open_visits(scope).filter(target_id__in={task.target_id for task in marked})
                  .only("pk", "target_id", "year", "quarter").order_by("pk")):
        other.number = task_number(other)
        units.setdefault(other.target_id, []).append(other)
    for task in marked:
        found[task.pk] = [other for other in units.get(task.target_id, [])
                          if other.pk != task.pk and (is_current(task, since) or is_current(other, since))]
    if viewer is not None:
        _describe([other for others in found.values() for other in others], viewer)
    return found


def overlapping(tasks: QuerySet, scope: QuerySet, *, since: tuple[int, int] | None = None) -> QuerySet:
    """The tasks of ``tasks`` that are open and make a visit to coordinate with another open task of ``scope`` (the
    task list's filter "同一单位多项任务", the workbench's count)."""
    return open_visits(tasks).filter(pairs(scope, since or this_quarter()))


def other_visits(task: Task, scope: QuerySet, *, viewer, since: tuple[int, int] | None = None) -> list[Task]:
    """The other open tasks of ``scope`` to ``task``'s unit making a visit to coordinate with it (the module's
    rule), none when ``task`` itself is closed (withdrawn, or its record submitted: that visit is done). Each with
    ``number`` and what ``_describe`` shows ``viewer``."""
    if not is_open(task):
        return []
    since = since or this_quarter()
    others = open_visits(scope).filter(target_id=task.target_id).exclude(pk=task.pk)
    if not is_current(task, since):
        others = others.filter(current(since))
    others = list(others.select_related("target").order_by("pk"))
    for other in others:
        other.number = task_number(other)
    _describe(others, viewer)
    return others
