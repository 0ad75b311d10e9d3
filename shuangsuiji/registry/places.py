"""A staff list narrowed to one place (``?jurisdiction=`` a jurisdiction's pk): the place, or why there is none.

The lists ignored a place outside the reader's area: they then showed his whole area under a filter that seemed to
hold (a link kept from another account, or an edited one, named another county). Every list resolves its filter
here: a place of his area narrows it; one outside it, or a value naming no place, is refused in words, the list
holds nothing and the page answers 404 (as the 报送材料 page answers a jurisdiction outside it). The place is
named: the places are public (the portal's filter lists them all), what the list would hold of them is not.
"""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from shuangsuiji import params
from shuangsuiji.registry.models import Jurisdiction


def readable_jurisdictions(user) -> QuerySet[Jurisdiction]:
    """The places a list of ``user`` may be narrowed to: his jurisdiction's subtree (every place for a superuser
    of no jurisdiction), as ``visible_to`` scopes the rows."""
    if user.is_superuser and user.jurisdiction is None:
        return Jurisdiction.objects.all()
    if user.jurisdiction is None:
        return Jurisdiction.objects.none()
    return Jurisdiction.objects.filter(path__startswith=user.jurisdiction.path)


@dataclass(frozen=True)
class PlaceFilter:
    """The place ``?key=`` names in the reader's area (None when not given or refused), or ``refused``, the words
    saying why it narrows to none; ``status`` is the page's answer."""

    place: Jurisdiction | None = None
    refused: str | None = None

    @property
    def status(self) -> int:
        return 404 if self.refused else 200

    def narrow(self, queryset: QuerySet, field: str) -> QuerySet:
        """``queryset`` narrowed to the place's subtree by ``field`` (a path to a jurisdiction), empty if refused."""
        if self.refused:
            return queryset.none()
        if self.place is None:
            return queryset
        return queryset.filter(**{f"{field}__path__startswith": self.place.path})

    def own(self, queryset: QuerySet, field: str) -> QuerySet:
        """``queryset`` narrowed to the place's own rows by ``field``, not its subtree's (the 审批 page: a workbench
        row counts the city's own requests, its counties' are on their rows), empty if refused."""
        if self.refused:
            return queryset.none()
        if self.place is None:
            return queryset
        return queryset.filter(**{field: self.place})


def place_filter(request: HttpRequest, key: str = "jurisdiction", *, refusal: str | Promise | None = None,
                 ) -> PlaceFilter:
    """Resolve ``?key=`` against the reader's places. ``refusal`` is the list's own words for a place outside his
    area, with ``%(name)s`` for the place (a gettext_lazy string of the list's app); by default
    "…不在您的管辖范围内"."""
    value = request.GET.get(key, "").strip()
    if not value:
        return PlaceFilter()
    chosen = params.number(value)
    if chosen is not None:
        place = readable_jurisdictions(request.user).filter(pk=chosen).first()
        if place is not None:
            return PlaceFilter(place=place)
        named = Jurisdiction.objects.filter(pk=chosen).only("name").first()
        if named is not None:
            return PlaceFilter(refused=str(refusal or _("%(name)s不在您的管辖范围内")) % {"name": named.name})
    return PlaceFilter(refused=_("没有这个行政区（%(key)s=%(value)s）") % {"key": key, "value": value[:20]})
