"""The change history of a page: ``{% load audit %}`` then ``event.action|action_label`` and
``event|event_changes`` (see ``audit.display``). ``includes/history.html`` is the one table that uses them."""

from django import template

from shuangsuiji.audit import display
from shuangsuiji.audit.models import Event

register = template.Library()


@register.filter
def action_label(action: str) -> str:
    return display.action_label(action)


@register.filter
def event_changes(event: Event) -> list[display.Change]:
    return display.changes_of(event)
