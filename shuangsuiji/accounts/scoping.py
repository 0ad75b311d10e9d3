"""The one scoping gate (DESIGN §5).

Every queryset that reaches a page, the API or an export goes through ``Model.objects.visible_to(user)``.
A model says where its jurisdiction is (``scope_field``); a user sees the objects of his jurisdiction's
subtree — a city admin every county of his city, a county admin only his county. Some reference data
(check items, departments, jurisdictions themselves) is also visible from below: a county sees the
city's item list it must apply (``scope_includes_ancestors``). Rows no county owns — an audit event about no
jurisdiction (an address locked out for every name, the shared reference data, the demo's load) or about one above
the reader — are the city office's (``scope_unplaced_above_county``). Outside one's scope an object does not exist:
views fetch with ``get_object_or_404(Model.objects.visible_to(user), ...)``.
"""

from django.db import models
from django.db.models import Q

COUNTY = "county"
"""``registry.models.Level.COUNTY``, spelt here: the registry builds on this module, not the other way round."""


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ScopedQuerySet":
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        jurisdiction = getattr(user, "jurisdiction", None)
        if jurisdiction is None:
            return self.none()
        field = self.model.scope_field
        prefix = f"{field}__" if field else ""
        condition = Q(**{f"{prefix}path__startswith": jurisdiction.path})
        if getattr(self.model, "scope_includes_ancestors", False):
            condition |= Q(**{f"{prefix}code__in": jurisdiction.ancestor_codes()})
        if getattr(self.model, "scope_unplaced_above_county", False) and jurisdiction.level != COUNTY:
            # A county reader sees only what is his county's: a row with no jurisdiction may name other counties'
            # accounts (the names an address tried), and one above him is the city's.
            condition |= Q(**{f"{field}__isnull": True}) | Q(**{f"{prefix}code__in": jurisdiction.ancestor_codes()})
        return self.filter(condition)

    def editable_by(self, user) -> "ScopedQuerySet":
        """What ``user`` may change: his own subtree, and only if his role edits registries."""
        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        if not user.can_edit_registry:
            return self.none()
        field = self.model.scope_field
        prefix = f"{field}__" if field else ""
        return self.filter(**{f"{prefix}path__startswith": user.jurisdiction.path})


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)
