"""Writing and checking the event chain. Callers are service functions, inside their transaction."""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from shuangsuiji.audit.models import ChainHead, Event

GENESIS = "0" * 64


def system_language() -> translation.override:
    """Text the system stores is in its own language (``LANGUAGE_CODE``), whatever the language of the user who
    acted: a note, a reason, a warning, an event's object and values are read later by others, and compared
    with text built again. ``with system_language(): note = _("…") % {…}``; a message the user is shown (an
    error, a page) stays in his language."""
    return translation.override(settings.LANGUAGE_CODE)


@dataclass
class PendingEvent:
    action: str
    obj: models.Model | None = None
    jurisdiction_id: int | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    reason: str = ""


def _event_hash(prev_hash: str, occurred_at: datetime, actor_id: int | None, action: str,
                content_type_id: int | None, object_id: str, changes: dict, reason: str) -> str:
    body = json.dumps(
        [prev_hash, occurred_at.isoformat(), actor_id, action, content_type_id, object_id, changes, reason],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str,
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _lock_head() -> ChainHead:
    head = ChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        ChainHead.objects.get_or_create(pk=1, defaults={"last_hash": GENESIS})
        head = ChainHead.objects.select_for_update().get(pk=1)
    return head


def jsonable(value: Any) -> Any:
    """Field values as they are stored in an event's ``changes``: plain JSON, dates as ISO text."""
    if isinstance(value, models.Model):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (list, tuple, set)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):  # e.g. a classification run's counts per category, read back as a mapping
        return {str(key): jsonable(item) for key, item in value.items()}
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return str(value)


def record_events(pending: Iterable[PendingEvent], *, actor=None) -> list[Event]:
    """Append events to the chain. Must run inside the caller's transaction (atomic block).

    Written in the system's language: a reason or value given as a lazy translation (``gettext_lazy``) is
    stored in it, as are the objects' names; text translated before the call must be built in it too."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_events must be called inside the transaction of the change it records")
    head = _lock_head()
    now = timezone.now()
    actor_id = actor.pk if actor is not None and actor.pk else None
    actor_name = (actor.get_full_name() or actor.get_username()) if actor_id else ""
    prev = head.last_hash
    events = []
    content_types: dict[type, ContentType] = {}
    with system_language():  # an object's name and a value's label, e.g. a plan's "…季度双随机抽查计划"
        for item in pending:
            ct_id = None
            object_id = ""
            object_repr = ""
            if item.obj is not None:
                model = type(item.obj)
                if model not in content_types:
                    content_types[model] = ContentType.objects.get_for_model(model)
                ct_id = content_types[model].pk
                object_id = str(item.obj.pk)
                object_repr = str(item.obj)[:255]
            changes = {key: jsonable(value) for key, value in item.changes.items()}
            reason = str(item.reason)
            digest = _event_hash(prev, now, actor_id, item.action, ct_id, object_id, changes, reason)
            events.append(Event(
                occurred_at=now, actor_id=actor_id, actor_name=actor_name, action=item.action,
                content_type_id=ct_id, object_id=object_id, object_repr=object_repr,
                jurisdiction_id=item.jurisdiction_id, changes=changes, reason=reason,
                prev_hash=prev, hash=digest,
            ))
            prev = digest
    Event.objects.bulk_create(events, batch_size=2000)
    ChainHead.objects.filter(pk=head.pk).update(last_hash=prev, count=models.F("count") + len(events))
    return events


def record_event(action: str, *, actor=None, obj: models.Model | None = None, jurisdiction_id: int | None = None,
                 changes: dict[str, Any] | None = None, reason: str = "") -> Event:
    return record_events(
        [PendingEvent(action, obj, jurisdiction_id, changes or {}, reason)], actor=actor
    )[0]


def verify_chain() -> list[str]:
    """Recompute every event's hash in order; return the problems found (empty when intact)."""
    problems = []
    prev = GENESIS
    count = 0
    for event in Event.objects.order_by("id").iterator(chunk_size=5000):
        count += 1
        if event.prev_hash != prev:
            # a deletion (or an insertion) between this event and the one before it
            problems.append(_("事件 %(pk)s：所记前一哈希 %(stored)s… 与前一事件的哈希 %(actual)s… 不符"
                              "（其前有事件被删除或插入）")
                            % {"pk": event.pk, "stored": event.prev_hash[:12], "actual": prev[:12]})
        expected = _event_hash(event.prev_hash, event.occurred_at, event.actor_id, event.action,
                               event.content_type_id, event.object_id, event.changes, event.reason)
        if expected != event.hash:
            problems.append(_("事件 %(pk)s：内容与其哈希不符（已被改动）") % {"pk": event.pk})
        prev = event.hash
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_hash != prev or head.count != count):
        # counts every deletion, and is the only witness when the newest events are the ones gone
        problems.append(ngettext("链头记录 %(head_count)s 个事件、末哈希 %(head_hash)s…，"
                                 "实际 %(count)s 个、末哈希 %(hash)s…（有事件被删除）",
                                 "链头记录 %(head_count)s 个事件、末哈希 %(head_hash)s…，"
                                 "实际 %(count)s 个、末哈希 %(hash)s…（有事件被删除）", head.count)
                        % {"head_count": head.count, "head_hash": head.last_hash[:12], "count": count,
                           "hash": prev[:12]})
    return problems


def history_for(obj: models.Model):
    ct = ContentType.objects.get_for_model(type(obj))
    return Event.objects.filter(content_type=ct, object_id=str(obj.pk)).order_by("-id")
