"""Template helpers of fieldwork: state badges, the off-site means, the overdue count in the menu, the kinds of
file an upload may be, and the record form's required boxes."""

from django import template
from django.forms import BoundField
from django.utils import timezone

from shuangsuiji.fieldwork import filetypes
from shuangsuiji.fieldwork.models import FollowUp, OffSiteMeans, RecordState, recheck_result
from shuangsuiji.punctuation import join_sep

register = template.Library()

STATE_BADGES = {
    RecordState.DRAFT: "text-bg-warning",
    RecordState.PENDING: "text-bg-primary",
    RecordState.PASSED: "text-bg-success",
    RecordState.RETURNED: "text-bg-danger",
    RecordState.SUPERSEDED: "text-bg-secondary",
}


@register.filter
def state_badge(state: str) -> str:
    return STATE_BADGES.get(state, "text-bg-light")


@register.filter
def state_label(state: str) -> str:
    return RecordState(state).label if state in RecordState.values else state


register.filter("recheck_result", recheck_result)


@register.filter
def means_labels(means: list[str]) -> str:
    labels = dict(OffSiteMeans.choices)
    return join_sep(str(labels.get(m, m)) for m in means or [])


@register.simple_tag(takes_context=True)
def overdue_follow_ups(context) -> int:
    """Overdue follow-ups for those who follow their jurisdiction as a whole (admins, leaders): an inspector sees
    his own on his tasks, and a department user, whose 工作台 lists none, was shown the whole city's count in red on
    every page, with nothing of it his to see through. Those he follows up (``FollowUp.followed_up_by``: the
    problems of his firms, whoever's plan drew the visit), as his workbench's 逾期未办结的问题 and the overview's
    card count them."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.oversees:
        return 0
    return FollowUp.objects.followed_up_by(user).overdue(timezone.localdate()).count()


@register.simple_tag
def accepted_files() -> str:
    """The ``accept`` of a file input for a record's photo or a follow-up's evidence (filetypes.ACCEPT)."""
    return filetypes.ACCEPT


@register.simple_tag
def allowed_files() -> str:
    """The kinds of file an attachment or evidence may be, said beside the upload control (as the refusal says)."""
    return filetypes.allowed_text()


@register.filter
def required_widget(field: BoundField, required: bool = True) -> str:
    """The field's box marked ``aria-required`` as its red asterisk marks it: the record's fields are all optional
    to a draft (RecordForm), so the box would otherwise not say to a screen reader that submitting asks for it.
    ``required`` false: the asterisk is there but hidden (the site manager refused to sign), and so is this."""
    return field.as_widget(attrs={"aria-required": "true" if required else "false"})
