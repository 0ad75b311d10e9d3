"""Template helpers of planning: status badges and readable audit values."""

from typing import Any

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
def event_value(value: Any) -> str:
    """An audit event's recorded value as a reader says it: "old → new", "key: value; …", or the value."""
    if isinstance(value, list) and len(value) == 2 and not any(isinstance(v, (list, dict)) for v in value):
        return f"{'—' if value[0] is None else value[0]} → {'—' if value[1] is None else value[1]}"
    if isinstance(value, dict):
        return "；".join(f"{key}: {event_value(item)}" for key, item in value.items())
    if isinstance(value, list):
        return "、".join(event_value(item) for item in value)
    return "—" if value is None or value == "" else str(value)


@register.filter
def get_count(counts: dict, key: str) -> int:
    return counts.get(key, 0)


@register.filter
def pairs(mapping: dict) -> list[tuple[str, Any]]:
    """A dict's items for ``{% for %}``: ``mapping.items`` in a template looks up a key named "items" first."""
    return list(mapping.items()) if isinstance(mapping, dict) else []
