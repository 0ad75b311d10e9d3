"""Template helpers of planning: status badges and labels."""

from django import template

from shuangsuiji.planning.models import PlanStatus, PlanStratum, ShortfallState, Stratum, TaskStatus, stratum_count

register = template.Library()

PLAN_BADGES = {
    PlanStatus.DRAFT: "text-bg-secondary", PlanStatus.FROZEN: "text-bg-info", PlanStatus.COMMITTED: "text-bg-info",
    PlanStatus.PUBLIC: "text-bg-primary", PlanStatus.DRAWN: "text-bg-warning", PlanStatus.DISPATCHED: "text-bg-success",
}
TASK_BADGES = {TaskStatus.DRAWN: "text-bg-warning", TaskStatus.DISPATCHED: "text-bg-success",
               TaskStatus.WITHDRAWN: "text-bg-secondary"}
SHORTFALL_BADGES = {ShortfallState.PENDING: "text-bg-warning", ShortfallState.APPROVED: "text-bg-info",
                    ShortfallState.REJECTED: "text-bg-danger"}


@register.filter
def plan_badge(status: str) -> str:
    return PLAN_BADGES.get(status, "text-bg-light")


@register.filter
def task_badge(status: str) -> str:
    return TASK_BADGES.get(status, "text-bg-light")


@register.filter
def shortfall_badge(state: str) -> str:
    return SHORTFALL_BADGES.get(state, "text-bg-light")


@register.filter
def stratum_label(name: str) -> str:
    return str(Stratum(name).label) if name in Stratum.values else name


@register.filter
def requested_count(row: PlanStratum) -> str:
    """A plan's stratum as the plan list says it, "重点排污单位 40 家" / "40 key units": the portal's phrase."""
    return stratum_count(row.stratum, row.requested)


@register.filter
def get_count(counts: dict, key: str) -> int:
    return counts.get(key, 0)



@register.inclusion_tag("planning/_clue_check_panel.html", takes_context=True)
def clue_check_panel(context, clue) -> dict:
    """The 线索核查 part of a clue's page (实施方案 二(三) "应立即开展现场检查"): the check opened for it, or — for
    an approved clue without one — the button of those who may open it, or why it is not needed."""
    from shuangsuiji.intake.models import ClueStatus
    from shuangsuiji.planning import services
    from shuangsuiji.planning.models import Plan
    from shuangsuiji.planning.permissions import visible_plans

    user = context["request"].user
    found = {"clue": clue, "request": context["request"], "csrf_token": context.get("csrf_token")}
    plan = Plan.objects.filter(clue=clue).select_related("jurisdiction", "created_by").first()
    if plan is not None:
        found.update(plan=plan, plan_visible=visible_plans(user).filter(pk=plan.pk).exists())
        return found
    if clue.status != ClueStatus.APPROVED:
        return found
    taken = services.regular_plan_taking(clue)
    if taken is not None:
        found.update(taken_by=taken[0], taken_state=taken[1])
        return found
    if services.can_open_clue_check(user, clue):
        jurisdiction = services.clue_check_jurisdiction(clue.target)
        found.update(can_open=True, items=services.clue_check_items(clue.target, jurisdiction,
                                                                    *services.current_quarter()))
    return found


@register.filter
def deadline_basis(obj):
    """A task's or a plan's ``services.DeadlineBasis``: the clause its deadline rests on, or that it is the bureau's
    own rule."""
    from shuangsuiji.planning import services
    from shuangsuiji.planning.models import Plan

    return services.plan_deadline_basis(obj) if isinstance(obj, Plan) else services.task_deadline_basis(obj)
