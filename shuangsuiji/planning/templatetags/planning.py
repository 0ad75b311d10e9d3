"""Template helpers of planning: status badges and labels."""

from django import template

from shuangsuiji.planning.models import PlanStatus, ShortfallState, Stratum, TaskStatus

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
def get_count(counts: dict, key: str) -> int:
    return counts.get(key, 0)

