"""The change history of a page: ``{% load audit %}`` then ``event.action|action_label`` and
``event|event_changes`` (see ``audit.display``). ``includes/history.html`` is the one table that uses them."""

from collections.abc import Collection

from django import template

from shuangsuiji.audit import display
from shuangsuiji.audit.models import Event

register = template.Library()


@register.filter
def action_label(action: str) -> str:
    return display.action_label(action)


@register.filter
def event_changes(event: Event, hidden: Collection[str] | str = ()) -> list[display.Change]:
    """``event|event_changes:history_hidden``: the fields the page withholds from this reader are masked; a
    page that sets no ``history_hidden`` passes "" (Django's value for a missing variable), which hides nothing."""
    return display.changes_of(event, () if isinstance(hidden, str) else hidden)


@register.simple_tag(takes_context=True)
def change_url(context: template.Context, change: display.Change) -> str:
    """``{% change_url change as url %}``: the page of the row a line numbers (``Key.numbered``), for a reader who may
    open it (``display.url_for``), else "" — the line says the number unlinked."""
    request = context.get("request")
    return display.url_for(change.ref, getattr(request, "user", None))


@register.filter
def event_reason(event: Event, hidden: Collection[str] | str = ()) -> str:
    """``event|event_reason:history_hidden``: the reason, unless it is personal and the page withholds it."""
    return display.reason_of(event, () if isinstance(hidden, str) else hidden)
