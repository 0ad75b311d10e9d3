"""Template helpers of intake, including the "why is this target what it is" section of the target page.

``{% load intake %}{% target_classification target %}`` renders the target's latest quarterly
classification with its reasons and the links to their evidence; ``intake/_target_classification.html``
does the same for a page that only wants to ``{% include %}`` it with ``target`` in its context.
"""

import re

from django import forms, template
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from shuangsuiji.intake.models import Classification, Clue
from shuangsuiji.registry.models import Category

register = template.Library()

EVIDENCE_ICONS = {
    "penalty": "bi-hammer",
    "complaint": "bi-megaphone",
    "exceedances": "bi-activity",
    "key_unit": "bi-star",
    "positive_list": "bi-shield-check",
    "clue": "bi-search",
}
CATEGORY_BADGES = {Category.SPECIAL: "text-bg-danger", Category.KEY: "text-bg-warning", Category.GENERAL:
                   "text-bg-secondary"}


@register.inclusion_tag("intake/_classification_card.html")
def target_classification(target) -> dict:
    latest = (Classification.objects.filter(target=target).order_by("-year", "-quarter").select_related("run")
              .first())
    return {"target": target, "classification": latest, "category_labels": dict(Category.choices)}


@register.simple_tag(takes_context=True)
def readable_evidence(context: template.Context, evidence: list[dict] | None) -> list[dict]:
    """``{% readable_evidence reason.evidence as items %}``: a reason's evidence as this reader may read it.

    A clue is named by its number and day, never by its text: a classification stored before this rule quoted the
    clue's first 40 characters — the reporter's words, which may name a complainant — and the firm's page is read by
    every role of the scope, while the clue itself only by those ``ClueQuerySet.visible_to`` lets in. Its link is
    kept for them only (no link to a 404)."""
    evidence = evidence or []
    clue_ids = [e.get("id") for e in evidence if e.get("kind") == "clue"]
    if not clue_ids:
        return evidence
    user = getattr(getattr(context, "request", None), "user", None)
    readable = set(Clue.objects.visible_to(user).filter(pk__in=clue_ids).values_list("pk", flat=True)) \
        if user is not None else set()
    return [{**e, "label": clue_label(e), "url": e.get("url", "") if e.get("id") in readable else ""}
            if e.get("kind") == "clue" else e for e in evidence]


def clue_label(evidence: dict) -> str:
    """"线索 #12（2026-05-03 发现）" from a clue's evidence, whatever its stored label says."""
    found = DAY.match(str(evidence.get("label", "")))
    if found:
        return _("线索 #%(id)s（%(day)s 发现）") % {"id": evidence.get("id"), "day": found.group(0)}
    return _("线索 #%(id)s") % {"id": evidence.get("id")}


DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@register.filter
def evidence_icon(kind: str) -> str:
    return EVIDENCE_ICONS.get(kind, "bi-link-45deg")


@register.filter
def category_badge(category: str) -> str:
    return CATEGORY_BADGES.get(category, "text-bg-light")


@register.filter
def category_label(category: str) -> str:
    return str(dict(Category.choices).get(category, category or ""))


@register.filter
def history_value(value: str, field: str) -> str:
    """A TargetHistory value as a reader says it: the category's name, 是/否 for the positive-list flag."""
    if field == "category":
        return category_label(value)
    if field == "positive_list" and value in ("True", "False"):
        return str(_("是") if value == "True" else _("否"))
    return value


@register.filter
def bootstrap(field: forms.BoundField) -> SafeString:
    """A form field's widget with Bootstrap's classes (and the invalid state after a failed submit)."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.RadioSelect):
        css = ""
    elif isinstance(widget, forms.Select):
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    existing = widget.attrs.get("class", "")
    return field.as_widget(attrs={"class": f"{existing} {css}".strip()} if css else None)
