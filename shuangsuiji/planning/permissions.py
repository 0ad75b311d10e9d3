"""Who may do what with plans, draws and tasks (issue 4).

- The admins (city or county) of a plan's jurisdiction — its subtree, so the city may act for a county —
  create plans, set what they ask for and run the ceremony: approve and freeze, commit, public value,
  draw, substitute, dispatch, reveal.
- A department user initiates a joint plan (内部联合抽查) for the items his department is responsible
  for, in his own jurisdiction, and sets what it asks for; the admins run its ceremony.
- Only the city (a city admin above the plan) approves a shortfall below a policy minimum and a re-draw.
- Leaders and department users read the plans of their scope; inspectors see only their own tasks, and
  only once dispatched.
- ``acting_user=None`` is the system (the demo seed, scheduled commands) and may do everything.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from shuangsuiji.accounts.models import Role
from shuangsuiji.intake.permissions import is_admin_of
from shuangsuiji.planning.models import (
    KIND_FLAGS,
    DrawStatus,
    Plan,
    PlanKind,
    PlanStatus,
    Task,
    TaskPlan,
    TaskStatus,
    told_places,
)
from shuangsuiji.registry.models import Department, Jurisdiction, Level


def can_run(user, plan: Plan) -> bool:
    return is_admin_of(user, plan.jurisdiction)


def can_create(user, jurisdiction: Jurisdiction, kind: str, department: Department | None) -> bool:
    if is_admin_of(user, jurisdiction):
        return True
    return (kind == PlanKind.JOINT and user.is_active and user.role == Role.DEPARTMENT
            and department is not None and user.department_id == department.pk
            and department.jurisdiction_id == jurisdiction.pk)


def can_enter_cross_check(user) -> bool:
    """Who reaches the form of a 跨部门联合抽查: the admins (the service then checks the jurisdiction chosen: his
    own, or for a city admin the city or any of its counties)."""
    return user.is_superuser or (user.is_active and user.is_admin_role)


def can_edit(user, plan: Plan) -> bool:
    """Change what a draft plan asks for: its admins, or the department that initiated a joint plan."""
    return can_create(user, plan.jurisdiction, plan.kind, plan.department)


def can_approve(user, plan: Plan) -> bool:
    """The city's approval (a shortfall, a re-draw): a city admin whose city contains the plan."""
    if user is None or user.is_superuser:
        return True
    return (user.is_active and user.role == Role.CITY_ADMIN and user.jurisdiction is not None
            and user.jurisdiction.level in (Level.CITY, Level.PROVINCE)
            and plan.jurisdiction.path.startswith(user.jurisdiction.path))


def approvable_plans(user) -> QuerySet:
    """The plans whose shortfall or re-draw ``user`` may approve (``can_approve`` as a queryset): the 审批 page and
    the workbench count only these as his to decide."""
    if user.is_superuser:
        return Plan.objects.all()
    if not (user.is_active and user.role == Role.CITY_ADMIN and user.jurisdiction is not None
            and user.jurisdiction.level in (Level.CITY, Level.PROVINCE)):
        return Plan.objects.none()
    return Plan.objects.filter(jurisdiction__path__startswith=user.jurisdiction.path)


def reads_plans(user) -> bool:
    """Everyone but inspectors reads the plans of his scope (inspectors see their own tasks only)."""
    return user.is_superuser or (user.role != Role.INSPECTOR and user.jurisdiction_id is not None)


def visible_plans(user) -> QuerySet:
    """The plans a user reads, on the pages and in the API alike."""
    if not reads_plans(user):
        return Plan.objects.none()
    return Plan.objects.visible_to(user)


def visible_tasks(user) -> QuerySet:
    """Tasks a user may see, on the pages and in the API alike: an inspector his own, once their plan is
    dispatched; everyone else the tasks of the plans he may read."""
    tasks = Task.objects.visible_to(user)
    if user.role == Role.INSPECTOR and not user.is_superuser:
        if user.inspector_id is None:
            return Task.objects.none()
        return tasks.filter(members__inspector_id=user.inspector_id, members__active=True,
                            members__draw__plan__status=PlanStatus.DISPATCHED).exclude(
            status=TaskStatus.WITHDRAWN).distinct()
    # A semi-join (EXISTS), not a join made unique by DISTINCT: a merged visit counts for several plans, and
    # DISTINCT over every task of the scope sorted a national year's ~665,000 rows for each list and each count.
    return tasks.filter(Exists(TaskPlan.objects.filter(task=OuterRef("pk"), plan__in=visible_plans(user))))


def department_plans(user) -> QuerySet:
    """The joint plans of those ``user`` reads that his department initiates or takes part in (参加科室: one of its
    officers joins every visit, 实施方案 二(五) "配合科室共同参与"), as his workbench lists them (本科室发起 /
    本科室参加); none for a user of no department."""
    if user.department_id is None:
        return Plan.objects.none()
    takes_part = Plan.departments.through.objects.filter(plan_id=OuterRef("pk"), department_id=user.department_id)
    return visible_plans(user).filter(Q(department_id=user.department_id) | Exists(takes_part), kind=PlanKind.JOINT)


def of_department(tasks: QuerySet, user) -> QuerySet:
    """Of ``tasks``, the visits a live selection of one of ``department_plans(user)`` made: the task list's and the
    task API's "本科室的任务". A visit the joint plan shares with a regular plan (merged) is the department's too; one
    whose joint draw was superseded, or whose target was replaced, is not."""
    return tasks.filter(Exists(TaskPlan.objects.filter(task=OuterRef("pk"), active=True,
                                                       plan__in=department_plans(user))))


def shown_places(user) -> Q:
    """The places on a team (``TaskMember``) a reader is shown: those their officers were told of (``told_places``),
    and every place of a draw whose plan he reads (its admins check the team before they dispatch it). A merged visit
    out already for one plan does not show the team another plan's draw gave it until that plan is dispatched: nobody
    outside a draw's plan is told anything of it before its dispatch, nor of a draw re-drawn before it. What a reader
    is shown is not who carries the visit out: that is the told team alone (``models.team_places``), whoever reads —
    the city's admins see their undispatched draw's officers on the task page, who do not sign its record yet."""
    if user.is_superuser:
        return Q()
    return told_places() | Q(draw__plan__in=visible_plans(user))


def shown_draws(user) -> Q:
    """What of a draw a reader is shown, for the rows that name their draw (``draw``): the plans a visit counts for
    (``TaskPlan``) and the substitutions made on it (``Substitution``) — by the rule of its team's names
    (``shown_places``): those of a told draw (a live draw of a dispatched plan, or a draw re-drawn after its dispatch)
    and of every draw whose plan the reader reads. A merged visit out already for the county's plan does not name
    the city's plan that drew it too, nor whom the city replaced on it, until the city dispatches: that the city drew
    the firm is its draw's, told nobody outside the city's plan before its dispatch (and the city may still draw
    again)."""
    if user.is_superuser:
        return Q()
    told = (~Q(draw__status=DrawStatus.SUPERSEDED) & Q(draw__plan__status=PlanStatus.DISPATCHED)) | Q(
        draw__status=DrawStatus.SUPERSEDED, draw__dispatched_at__isnull=False)
    return told | Q(draw__plan__in=visible_plans(user))


def shown_kind(user, flag: str) -> Q:
    """The tasks a reader is shown as of a kind (``flag`` one of ``KIND_FLAGS``' values: ``is_joint``…), as
    ``Task.kinds_shown`` badges them: flagged (a told plan of that kind counts the visit), or counted by a live
    plan of that kind shown to him (``shown_draws``) — the task list's and the API's filters. An inspector is shown
    the flags alone: the plans told of his visits."""
    if user.role == Role.INSPECTOR and not user.is_superuser:
        return Q(**{flag: True})
    kind = {value: key for key, value in KIND_FLAGS.items()}[flag]
    return Q(**{flag: True}) | Exists(TaskPlan.objects.filter(shown_draws(user), task=OuterRef("pk"), active=True,
                                                              plan__kind=kind))


def ensure_can_run(user, plan: Plan) -> None:
    if not can_run(user, plan):
        raise PermissionDenied(_("只有%(name)s的管理员可以进行此操作") % {"name": plan.jurisdiction.name})


def ensure_can_create(user, jurisdiction: Jurisdiction, kind: str, department: Department | None) -> None:
    if not can_create(user, jurisdiction, kind, department):
        raise PermissionDenied(_("无权为%(name)s编制此抽查计划") % {"name": jurisdiction.name})


def ensure_can_edit(user, plan: Plan) -> None:
    if not can_edit(user, plan):
        raise PermissionDenied(_("无权修改此抽查计划"))


def ensure_can_approve(user, plan: Plan) -> None:
    if not can_approve(user, plan):
        raise PermissionDenied(_("须由市局管理员审批"))
