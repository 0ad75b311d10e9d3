"""One unit, one visit: the other open tasks of a task's target in its quarter (实施方案 二(五) "对同一监管对象的
多个检查事项，原则上应一次完成，做到'应联尽联'").

A second plan drawing a target in the same quarter joins the visit to it (``services._visits_to_join``) unless that
visit's record has begun, or the policy keeps the visits apart (``merged_visit``): then the unit has two open tasks,
two teams and two records to come. The draw stays as drawn; these pages say where it happened, so the admins and the
teams can go on the same day (docs/guide/county-admin.md, "同一单位本季度有两项任务").

Only tasks of ``scope`` — the viewer's ``visible_tasks`` — are named: a county admin does not learn of the city's
task, and an inspector only of the tasks of his own teams, as everywhere else.
"""

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from shuangsuiji.fieldwork.models import task_number  # the number the field knows a task by
from shuangsuiji.planning.models import Task, TaskMember, TaskPlan, TaskStatus


def open_visits(tasks: QuerySet) -> QuerySet:
    """Tasks still to be visited: not withdrawn, and no submitted record (a draft is not the visit done)."""
    return tasks.exclude(status=TaskStatus.WITHDRAWN).exclude(records__sealed_at__isnull=False)


def is_open(task: Task) -> bool:
    return open_visits(Task.objects.filter(pk=task.pk)).exists()


def same_unit(scope: QuerySet) -> QuerySet:
    """For ``Exists`` over a task queryset: the open tasks of ``scope`` to the outer task's target in its quarter,
    other than itself (index ``target, year, quarter``)."""
    return (open_visits(scope).filter(target=OuterRef("target"), year=OuterRef("year"), quarter=OuterRef("quarter"))
            .exclude(pk=OuterRef("pk")))


def with_overlap(tasks: QuerySet, scope: QuerySet) -> QuerySet:
    """Each task with ``overlap``: it is open and its unit has another open task of ``scope`` this quarter. One
    correlated subquery in the list's own statement, evaluated for the rows of its page."""
    # A withdrawn task is not open either (``open_visits``): its row is not to be marked as a visit to join.
    return tasks.annotate(overlap=Exists(same_unit(scope)) & ~Q(status=TaskStatus.WITHDRAWN) & ~Exists(
        Task.objects.filter(pk=OuterRef("pk"), records__sealed_at__isnull=False)))


def others_by_task(tasks: Iterable[Task], scope: QuerySet) -> dict[int, list[Task]]:
    """For the rows of a list read through ``with_overlap``: each marked row's other open tasks of ``scope`` (each
    with ``number``), oldest first; a row not marked has none. One query for the whole page, none when no row is
    marked, so a list with its badges costs the same whatever its rows."""
    tasks = list(tasks)
    marked = [task for task in tasks if getattr(task, "overlap", False)]
    found: dict[int, list[Task]] = {task.pk: [] for task in tasks}
    if not marked:
        return found
    units: dict[tuple[int, int, int], list[Task]] = {}
    for other in (open_visits(scope).filter(target_id__in={task.target_id for task in marked},
                                            year__in={task.year for task in marked},
                                            quarter__in={task.quarter for task in marked})
                  .only("pk", "target_id", "year", "quarter").order_by("pk")):
        other.number = task_number(other)
        units.setdefault((other.target_id, other.year, other.quarter), []).append(other)
    for task in marked:
        found[task.pk] = [other for other in units.get((task.target_id, task.year, task.quarter), [])
                          if other.pk != task.pk]
    return found


def overlapping(tasks: QuerySet, scope: QuerySet) -> QuerySet:
    """The tasks of ``tasks`` that are open and share their unit and quarter with another open task of ``scope``
    (the task list's filter "同一单位多项任务")."""
    return open_visits(tasks).filter(Exists(same_unit(scope)))


def other_visits(task: Task, scope: QuerySet, *, inspector_id: int | None = None) -> list[Task]:
    """The other open tasks of ``scope`` to ``task``'s unit in its quarter, none when ``task`` itself is closed
    (withdrawn, or its record submitted: that visit is done). Each with ``number``, ``link`` (its task page),
    ``plans`` (the plans it counts for) and
    ``people`` (its team; for an inspector, ``inspector_id``, the teams he is on, as the task page shows him)."""
    if not is_open(task):
        return []
    members = TaskMember.objects.filter(active=True).select_related("inspector").order_by("draw_id", "slot")
    if inspector_id is not None:
        members = members.filter(draw_id__in=TaskMember.objects.filter(
            inspector_id=inspector_id, active=True).values("draw_id"))
    others = list(open_visits(scope).filter(target_id=task.target_id, year=task.year, quarter=task.quarter)
                  .exclude(pk=task.pk).select_related("target")
                  .prefetch_related(Prefetch("selections", queryset=TaskPlan.objects.filter(active=True)
                                             .select_related("plan__jurisdiction", "plan__department")
                                             .order_by("pk"), to_attr="live"),
                                    Prefetch("members", queryset=members, to_attr="team"))
                  .order_by("pk"))
    for other in others:
        other.number, other.link = task_number(other), other.get_absolute_url()
        other.plans = [str(selection.plan) for selection in other.live]
        other.people = list(dict.fromkeys(member.inspector.name for member in other.team))
    return others
