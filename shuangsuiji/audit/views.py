"""审计日志 (``/audit/``): the whole audit chain of the reader's scope, newest first, for its security administrator
(等保's 安全审计) — the events each object's page shows as its history, and those about no object (an address
locked out for every name, an import, the shared reference data), which no other page shows.

Read by the admins who keep the accounts of their scope (``User.reads_audit_log``); every event comes through the
scoping gate (``Event.objects.visible_to``): a county admin reads his county's, the city office every county's and
the events recorded with no jurisdiction. Each event is said as its object's history says it (``audit.display``, the
``includes/event_*.html`` pieces), with the same fields withheld. The page sits on top of the other apps, as every
page does; the audit app's models, services and labels stay at the bottom of the dependency order.
"""

import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from shuangsuiji.accounts.models import User
from shuangsuiji.accounts.services import address_locked_until
from shuangsuiji.audit.display import EVERY_FIELD, name_codes
from shuangsuiji.audit.forms import EventFilterForm
from shuangsuiji.audit.models import ChainHead, Event
from shuangsuiji.audit.services import verify_chain
from shuangsuiji.fieldwork.models import InspectionRecord, drafts_unread
from shuangsuiji.fieldwork.views import DRAFT_HISTORY_HIDDEN
from shuangsuiji.registry.models import Inspector
from shuangsuiji.registry.views import INSPECTOR_PRIVATE, PAGE_SIZE, CappedPaginator, officers_private_to

ADDRESS_LOCKOUT = "login.address_locked_out"


def _reader(request: HttpRequest) -> User:
    if not request.user.reads_audit_log:
        raise PermissionDenied(_("只有市局和分局管理员可以查看审计日志"))
    return request.user


@login_required
@require_safe
def event_list(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    form = EventFilterForm(request.GET, user=user)
    if form.out_of_scope():
        raise Http404
    events = Event.objects.visible_to(user).select_related("jurisdiction")
    # a filter that cannot be read lists nothing rather than everything: a list the reader takes for his dates,
    # but is not, would mislead him; the form says what is wrong and where
    invalid = form.is_bound and not form.is_valid()
    queryset = events.none() if invalid else form.apply(events).order_by("-id")
    page = CappedPaginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = name_codes(page.object_list, user)
    links = _object_links(rows, user)
    hidden = _withheld(rows, user)
    for pk, fields in _drafts_withheld(rows, user).items():
        hidden[pk] = hidden.get(pk, frozenset()) | fields
    for pk in _unreadable(rows, user):
        hidden[pk] = frozenset({EVERY_FIELD})
    locks = _address_locks(rows) if user.lifts_address_locks else {}
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("verify", None)
    return render(request, "audit/event_list.html", {
        "filter_form": form, "page": page, "query": query.urlencode(), "invalid": invalid,
        "filters_active": any(value for name, value in query.items() if name != "q"),
        "rows": [(event, links.get((event.content_type_id, event.object_id)), hidden.get(event.pk, ()),
                  _lock_of(event, locks)) for event in rows],
        "query_items": [(name, value) for name, values in query.lists() for value in values],
        "head": ChainHead.objects.filter(pk=1).first(), "chain": _verification(request, user),
        "verifies_chain": user.lifts_address_locks, "lift_url": reverse("accounts:address_lock_lift"),
        "back": request.get_full_path(),
    }, status=400 if invalid else 200)


def _verification(request: HttpRequest, user: User) -> dict | None:
    """The chain checked from its first event (``verify_chain``, as ``manage.py verify_audit`` does), when the page
    was asked to: it reads every event — a second or two for ten thousand on the project's machine (0.7–2.3 s for the
demo's 11,000), minutes for a million — too slow to repeat on every opening of the page."""
    if request.GET.get("verify") != "1" or not user.lifts_address_locks:
        return None
    started = time.monotonic()
    problems = verify_chain()
    return {"problems": problems, "seconds": time.monotonic() - started,
            "count": Event.objects.count()}


def _url_of(model: type[models.Model]) -> Callable[[models.Model], str] | None:
    if model is User:  # an account's page is on 用户管理; the model has no get_absolute_url of its own
        return lambda account: reverse("accounts:user_detail", args=[account.pk])
    if hasattr(model, "get_absolute_url"):
        return lambda obj: obj.get_absolute_url()
    return None


def _object_links(events: Iterable[Event], user: User) -> dict[tuple[int, str], str]:
    """{(content type, object id): the object's page} for the objects of ``events`` that have a page and that the
    reader may open: each model's own scoping gate decides (an account through the 用户管理 pages' gate), so a link
    never leads to a 404. An object deleted since (a withdrawn draft) or of a model without a gate keeps its name
    only."""
    wanted: dict[int, set[int]] = defaultdict(set)
    for event in events:
        if event.content_type_id and re.fullmatch(r"[0-9]{1,18}", event.object_id):
            wanted[event.content_type_id].add(int(event.object_id))
    links = {}
    for content_type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        url = _url_of(model) if model is not None else None
        gate = getattr(model._default_manager, "visible_to", None) if model is not None else None
        if url is None or gate is None:
            continue
        for obj in gate(user).filter(pk__in=ids):
            links[content_type_id, str(obj.pk)] = url(obj)
    return links


def _unreadable(events: Iterable[Event], user: User) -> set[int]:
    """The events about an object that exists but that the reader's gate for its model keeps from him: a
    superuser's account (``User.objects.visible_to``: managed by superusers only), an object of a scope or state he
    may not read. The event's jurisdiction is his, so it is listed — that the object changed, by whom and when — but
    its values and reason are not: the audit log must not show what the object's own page would not. An object
    deleted since (a withdrawn draft) or of a model without a gate is not judged here."""
    wanted: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for event in events:
        if event.content_type_id and re.fullmatch(r"[0-9]{1,18}", event.object_id):
            wanted[event.content_type_id][int(event.object_id)].append(event.pk)
    unreadable: set[int] = set()
    for content_type_id, about in wanted.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        gate = getattr(model._default_manager, "visible_to", None) if model is not None else None
        if gate is None:
            continue
        ids = set(about)
        existing = set(model._base_manager.filter(pk__in=ids).values_list("pk", flat=True))
        readable = set(gate(user).filter(pk__in=existing).values_list("pk", flat=True))
        for pk in existing - readable:
            unreadable.update(about[pk])
    return unreadable


def _withheld(events: Iterable[Event], user: User) -> dict[int, frozenset[str]]:
    """{event: the fields withheld from this reader}, as the object's own page withholds them from its history: an
    officer's phone number and recusal reasons from whoever does not keep his registry."""
    inspector_type = ContentType.objects.get_for_model(Inspector).pk
    about = {event.pk: int(event.object_id) for event in events
             if event.content_type_id == inspector_type and re.fullmatch(r"[0-9]{1,18}", event.object_id)}
    if not about:
        return {}
    readable = set(officers_private_to(user).filter(pk__in=set(about.values())).values_list("pk", flat=True))
    return {pk: INSPECTOR_PRIVATE for pk, inspector in about.items() if inspector not in readable}


def _drafts_withheld(events: Iterable[Event], user: User) -> dict[int, frozenset[str]]:
    """{event: the draft's values withheld}, for the events of the records whose draft this reader did not read, as
    the record's page withholds them (``fieldwork.models.drafts_unread``): a county admin reads the record of the
    city's own visit to his firm once sealed, and its history here showed what the city's team saved in its draft."""
    record_type = ContentType.objects.get_for_model(InspectionRecord).pk
    about: dict[int, list[int]] = defaultdict(list)
    for event in events:
        if event.content_type_id == record_type and re.fullmatch(r"[0-9]{1,18}", event.object_id):
            about[int(event.object_id)].append(event.pk)
    if not about:
        return {}
    unread = drafts_unread(user, InspectionRecord.objects.filter(pk__in=set(about))).values_list("pk", flat=True)
    return {pk: DRAFT_HISTORY_HIDDEN for record in unread for pk in about[record]}


def _address_of(event: Event) -> str:
    """The address an address lockout's event names (``changes["address"]``: [None, address])."""
    value = event.changes.get("address") if isinstance(event.changes, dict) else None
    address = value[-1] if isinstance(value, list) and value else value
    return address if isinstance(address, str) else ""


def _lock_of(event: Event, locks: dict[str, object]) -> tuple[str, object] | None:
    """(address, locked until) for a lockout event whose address is still capped: its row offers the lift."""
    address = _address_of(event) if event.action == ADDRESS_LOCKOUT else ""
    return (address, locks[address]) if address in locks else None


def _address_locks(events: Iterable[Event]) -> dict[str, object]:
    """{address: locked until} of the addresses the page's lockout events name that are still capped now: their
    rows offer the lift."""
    locks = {}
    for event in events:
        if event.action == ADDRESS_LOCKOUT and (address := _address_of(event)) and address not in locks:
            locks[address] = address_locked_until(address)  # as django-axes stored it, and the event with it
    return {address: until for address, until in locks.items() if until is not None}
