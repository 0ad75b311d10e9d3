"""An audit event as a reader says it: the action's label, and each change with its field's name and values.

Events store codes: the action (``target.update``), field names as the model has them (``category``,
``jurisdiction_id``) and values as ``audit.services.jsonable`` wrote them (``special``, ``true``, ISO dates,
primary keys). ``changes_of`` reads them back through the event's model — verbose names, choices, the
related row a key points at — and the tables of ``audit.labels`` for what the model cannot say.
"""

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.text import capfirst
from django.utils.translation import pgettext

from shuangsuiji.audit.labels import ACTIONS, ITEM_MODELS, KEYS, Action
from shuangsuiji.audit.models import Event
from shuangsuiji.punctuation import bracketed, semicolon, sep
from shuangsuiji.systemtext import system_text

EMPTY = "—"
ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")


@dataclass(frozen=True)
class Change:
    """One line of an event: "label: before → after", or "label: after" when nothing came before."""

    key: str
    label: str
    after: str
    before: str | None = None
    ref: tuple[str, int] | None = None
    """("app_label.Model", pk) of a row ``after`` numbers (``Key.numbered``): its page is linked for a reader who may
    open it (``url_for``)."""

    @property
    def pair(self) -> bool:
        return self.before is not None


@dataclass(frozen=True)
class _Reading:
    """How to say one key: its label, the names of its choices, the model its primary keys point into."""

    label: str
    choices: dict[str, Any] | None = None
    related: type[models.Model] | None = None
    places: int | None = None  # a decimal field's decimal places: "50000.00" and 80000 are read alike
    named: str | Promise = ""  # the value is an outsider's words: the line names where they stand (``Key.named``)
    numbered: str = ""  # the value is a row's primary key, said "#pk" (``Key.numbered``)
    coded: str = ""  # the value is a row's code, said with the row's name where the reader may read it (``Key.coded``)


_PLAIN = _Reading("")


def action_label(action: str) -> str:
    """The action in words; an action nobody labelled yet is shown as its code rather than hidden."""
    known = ACTIONS.get(action)
    return str(known.label) if known else action


def withheld() -> str:
    """What a reader sees in place of a value kept from him, in the reader's language (called per request: a
    constant would hold the language of the moment the module was imported)."""
    return pgettext("audit change", "（不向您显示）")


EVERY_FIELD = "*"
"""In ``hidden``: every value of the event is kept from the reader (an event about an object he may not read)."""


def field_of(action: str, key: str) -> str:
    """In ``hidden``: the value of ``key`` (or ``"reason"``, the event's reason) of the events of ``action`` is kept
    from the reader, whatever the action's other events say (an on-site request's reason, from a reader who reads
    the sealed record and not its draft, while the approval's result is shown)."""
    return f"{action}:{key}"


def every_field_of(action: str) -> str:
    """In ``hidden``: every value of the events of ``action`` is kept from the reader (a draft's saves, from a reader
    who reads sealed records only)."""
    return field_of(action, EVERY_FIELD)


def _all_hidden(event: Event, hidden: Collection[str]) -> bool:
    return EVERY_FIELD in hidden or every_field_of(event.action) in hidden


def _key_hidden(event: Event, key: str, hidden: Collection[str]) -> bool:
    return key in hidden or field_of(event.action, key) in hidden


def changes_of(event: Event, hidden: Collection[str] = ()) -> list[Change]:
    """The event's ``changes`` line by line, each key named and each value said as the page would say it.

    ``hidden``: fields the page keeps from this reader (an officer's phone number); their lines say that the
    field changed, never its values — the history must not show what the page above it withholds. ``EVERY_FIELD``
    (or ``every_field_of(action)`` for that action's events) keeps every value, ``field_of(action, key)`` one key of
    that action's events."""
    rows = _changes(event)
    if not hidden:
        return rows
    if _all_hidden(event, hidden):
        return [Change(row.key, row.label, withheld()) for row in rows]
    return [Change(row.key, row.label, withheld()) if _key_hidden(event, row.key, hidden) else row for row in rows]


def reason_of(event: Event, hidden: Collection[str] = ()) -> str:
    """The event's reason as this reader may read it: withheld where the page keeps ``"reason"`` from him and the
    action's reason is personal (``Action.private_reason``), where it keeps this action's reason
    (``field_of(action, "reason")``), or every value of the event (``EVERY_FIELD``)."""
    if event.reason and hidden and (_all_hidden(event, hidden) or field_of(event.action, "reason") in hidden):
        return withheld()
    action = ACTIONS.get(event.action)
    if event.reason and "reason" in hidden and action is not None and action.private_reason:
        if action.plain_reason and re.fullmatch(action.plain_reason, event.reason):
            return event.reason
        return withheld()
    return event.reason


def _changes(event: Event) -> list[Change]:
    return _name_outsiders(event, _said(event))


def _name_outsiders(event: Event, rows: list[Change]) -> list[Change]:
    """The lines of an outsider's words (``Key.named``) say where the words stand instead of quoting them; the
    lines of one event naming the same place are one line ("提出单位、异议内容：异议 YY…（2026-11-03 提出）")."""
    if event.action not in _NAMING_ACTIONS:
        return rows
    action = ACTIONS.get(event.action)
    model = _model_of(event)
    order = _field_order(model)
    said: list[Change] = []
    merged: dict[str, list[Change]] = {}  # a merged line's key: the lines it says
    for row in rows:
        named = _reading(model, event.action, action, row.key).named if row.key else ""
        if not named:
            said.append(row)
            continue
        text = str(named) % {"object": event.object_repr or f"#{event.object_id}",
                             "day": date_format(timezone.localtime(event.occurred_at), "Y-m-d")}
        last = said[-1] if said else None
        if last is not None and last.after == text and last.before is None:
            # in the model's field order: PostgreSQL's jsonb keeps a snapshot's keys in an order of its own
            keys = sorted([*merged.get(last.key, [last]), row], key=lambda c: order.get(c.key, len(order)))
            merged[last.key] = keys
            said[-1] = Change(last.key, sep().join(c.label for c in keys), text)
        else:
            said.append(Change(row.key, row.label, text))
    return said


_NAMING_ACTIONS = frozenset(code.partition(" ")[0] for code, key in KEYS.items() if key.named and " " in code)
"""The actions with a key of an outsider's words (``Key.named`` is declared per action): the others are not re-read."""


def _said(event: Event) -> list[Change]:
    changes = event.changes
    if not changes:
        return []
    if not isinstance(changes, dict):
        return [Change("", "", _text(changes, _PLAIN, {}))]
    action = ACTIONS.get(event.action)
    model = _model_of(event)
    # related rows named once per event; the coded rows' names the page read for its reader (``name_codes``)
    names: dict[tuple[Any, Any], str] = dict(getattr(event, "code_names", {}))

    def reading(key: str) -> _Reading:
        return _reading(model, event.action, action, key)

    snapshot = action.snapshot if action is not None else not all(_is_pair(v) for v in changes.values())
    if snapshot:
        # a step records every key it has, filled or not ("no warning", "no departments"): the empty ones say nothing
        return [Change(key, (r := reading(key)).label, _text(value, r, names), ref=_ref(r, value))
                for key, value in changes.items() if not _blank(value)]
    # PostgreSQL's jsonb keeps keys in its own order; the model's field order reads the same on both databases.
    order = _field_order(model)
    items = sorted(changes.items(), key=lambda item: order.get(item[0], len(order)))
    # Nothing before any of them: a creation (or a file attached, a record started) — its values are the news.
    created = all(not _is_pair(value) or value[0] is None for value in changes.values())
    rows = []
    for key, value in items:
        r = reading(key)
        if not _is_pair(value):
            rows.append(Change(key, r.label, _text(value, r, names), ref=_ref(r, value)))
        elif created:
            if not _blank(value[1]):
                rows.append(Change(key, r.label, _text(value[1], r, names), ref=_ref(r, value[1])))
        else:
            rows.append(Change(key, r.label, _text(value[1], r, names), _text(value[0], r, names),
                               ref=_ref(r, value[1])))
    return rows


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _is_pair(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2


def _model_of(event: Event) -> type[models.Model] | None:
    if not event.content_type_id:
        return None
    return ContentType.objects.get_for_id(event.content_type_id).model_class()


def _fields(model: type[models.Model] | None) -> list:
    return [*model._meta.concrete_fields, *model._meta.many_to_many] if model is not None else []


def _field_order(model: type[models.Model] | None) -> dict[str, int]:
    order: dict[str, int] = {}
    for n, field in enumerate(_fields(model)):
        order[field.name] = order[field.attname] = n
    return order


def _own_field(model: type[models.Model] | None, key: str):
    """The model's field recorded under ``key``: services record ``field_values`` by attname (``department_id``)
    and hand-written changes by name."""
    return next((f for f in _fields(model) if key in (f.name, f.attname)), None)


def _field_at(path: str):
    app_label, model_name, field_name = path.split(".")
    return apps.get_model(app_label, model_name)._meta.get_field(field_name)


def _declared(field) -> str:
    """The field's verbose name, or "" when it was given none (Django then makes one of the attribute name).
    Capitalised as a form labels it: Django's own fields are named in lower case ("username", "active")."""
    if field is None:
        return ""
    name = field.verbose_name
    return capfirst(str(name)) if isinstance(name, Promise) or name != field.name.replace("_", " ") else ""


def _choices_of(field) -> dict[str, Any] | None:
    if field is None or not field.choices:
        return None
    return {str(value): label for value, label in field.flatchoices}


def _choices_at(path: str) -> dict[str, Any]:
    found = import_string(path)
    pairs = found.choices if hasattr(found, "choices") else found.items()
    return {str(value): label for value, label in pairs}


def _reading(model: type[models.Model] | None, code: str, action: Action | None, key: str) -> _Reading:
    model_label = model._meta.label_lower if model is not None else ""
    spec = KEYS.get(f"{code} {key}") or KEYS.get(f"{model_label} {key}")
    own = _own_field(model, key)
    if spec is None and own is None:
        spec = KEYS.get(key)
        if spec is None:
            return _choice_key(action, key) or _item_key(model_label, key) or _Reading(key)
    source = _field_at(spec.field) if spec is not None and spec.field else None
    label = str(spec.label) if spec is not None and spec.label else _declared(own) or _declared(source) or key
    choices = _choices_at(spec.choices) if spec is not None and spec.choices else \
        _choices_of(own) or _choices_of(source)
    # A key that is a foreign key's attname, or its name holding a number, stores the related row's primary key.
    related = own.related_model if own is not None and (own.many_to_one or own.one_to_one) else None
    decimal = next((f for f in (own, source) if isinstance(f, models.DecimalField)), None)
    return _Reading(label, choices, related, decimal.decimal_places if decimal is not None else None,
                    spec.named if spec is not None else "", spec.numbered if spec is not None else "",
                    spec.coded if spec is not None else "")


def _choice_key(action: Action | None, key: str) -> _Reading | None:
    if action is None or not action.keys:
        return None
    label = (_choices_of(_field_at(action.keys)) or {}).get(key)
    return _Reading(str(label)) if label is not None else None


def _item_key(model_label: str, key: str) -> _Reading | None:
    prefix, dot, name = key.rpartition(".")
    if not dot or model_label not in ITEM_MODELS:
        return None
    field = _own_field(apps.get_model(ITEM_MODELS[model_label]), name)
    if field is None:
        return None
    return _Reading(f"{prefix} {_declared(field) or name}", _choices_of(field))


def _text(value: Any, reading: _Reading, names: dict[tuple[Any, Any], str]) -> str:
    if _blank(value):
        return EMPTY
    if isinstance(value, bool):
        return pgettext("audit change", "是") if value else pgettext("audit change", "否")
    if isinstance(value, list):
        return sep().join(_text(item, reading, names) for item in value)
    if isinstance(value, dict):
        return semicolon().join(f"{system_text(key)}: {_text(item, _PLAIN, names)}" for key, item in value.items())
    if reading.numbered and _is_pk(value):
        return f"#{value}"
    if reading.coded and isinstance(value, str):
        return value + bracketed(names.get((reading.coded, value), ""))
    if reading.choices is not None and str(value) in reading.choices:
        return str(reading.choices[str(value)])
    if reading.related is not None and isinstance(value, int):
        return _related_name(reading.related, value, names)
    if reading.places is not None and not isinstance(value, (dict, list)):
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            return str(value)
        return number_format(amount, decimal_pos=reading.places, force_grouping=True)
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value) if timezone.is_aware(value) else value, "Y-m-d H:i")
    if isinstance(value, date):
        return date_format(value, "Y-m-d")
    if isinstance(value, str) and ISO_DATETIME.fullmatch(value):
        try:
            return _text(datetime.fromisoformat(value), reading, names)
        except ValueError:
            return value
    # a text the system wrote in its own language ("2026年第4季度", a stratum, a warning) in the reader's
    return system_text(str(value))


def _is_pk(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _ref(reading: _Reading, value: Any) -> tuple[str, int] | None:
    return (reading.numbered, value) if reading.numbered and _is_pk(value) else None


def url_for(ref: tuple[str, int] | None, reader) -> str:
    """The page of the row ``ref`` numbers, when its model's scoping gate (``visible_to``) lets ``reader`` open it;
    else "" — the line then says the number unlinked rather than lead to a 404."""
    if ref is None or reader is None:
        return ""
    model = apps.get_model(ref[0])
    gate = getattr(model._default_manager, "visible_to", None)
    if gate is None or not hasattr(model, "get_absolute_url"):
        return ""
    row = gate(reader).filter(pk=ref[1]).first()
    return row.get_absolute_url() if row is not None else ""


def _related_name(model: type[models.Model], pk: int, names: dict[tuple[Any, Any], str]) -> str:
    if (model, pk) not in names:
        # the base manager: the event names the row it pointed at, which the reader's scope need not hold
        row = model._base_manager.filter(pk=pk).first()
        names[model, pk] = str(row) if row is not None else f"#{pk}"
    return names[model, pk]


def name_codes(events: Iterable[Event], reader) -> list[Event]:
    """``events``, each given the names of the rows its coded keys name (``Key.coded``: a substitution's inspectors
    by certificate number, its firms by credit code) that ``reader`` may read: one query per model for the whole
    page, through the model's ``visible_to`` — a row outside the reader's scope stays a bare code. The names are
    an attribute of the event objects read for this page; the stored, hash-chained event is not changed."""
    events = list(events)
    wanted: dict[str, set[str]] = {}
    for event in events:
        if not isinstance(event.changes, dict):
            continue
        model = ContentType.objects.get_for_id(event.content_type_id).model_class() if event.content_type_id else None
        model_label = model._meta.label_lower if model is not None else ""
        for key, value in event.changes.items():
            # looked up as ``_reading`` reads the key (a recusal's firm is the inspector's model key): the line
            # names the code wherever it says it
            spec = KEYS.get(f"{event.action} {key}") or KEYS.get(f"{model_label} {key}")
            if spec is not None and spec.coded:
                values = value if isinstance(value, list) else [value]
                wanted.setdefault(spec.coded, set()).update(v for v in values if isinstance(v, str) and v)
    names: dict[tuple[str, str], str] = {}
    for path, codes in wanted.items():
        app_label, model_name, field = path.split(".")
        rows = apps.get_model(app_label, model_name)._default_manager.visible_to(reader)
        for code, name in rows.filter(**{f"{field}__in": codes}).values_list(field, "name"):
            names[path, code] = name
    for event in events:
        event.code_names = names
    return events
