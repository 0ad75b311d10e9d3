"""The filters of the 审计日志 page (``audit.views.event_list``), laid out as every list's (``registry.filters``)."""

import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangsuiji.audit.labels import ACTIONS
from shuangsuiji.params import FIRST_DAY, LAST_DAY, storable_day
from shuangsuiji.registry.filters import FilterForm
from shuangsuiji.registry.forms import DateInput
from shuangsuiji.registry.models import Jurisdiction
from shuangsuiji.textsearch import every_word

ABOUT_NOTHING = "none"
ABOUT_OBJECT = "object"


def _actions_by_label() -> dict[str, list[str]]:
    """The actions by their label in the reader's language: two codes that read alike (a clue check arranged is
    recorded on the clue and on its plan) are one choice, which finds both."""
    grouped: dict[str, list[str]] = {}
    for code, action in ACTIONS.items():
        grouped.setdefault(str(action.label), []).append(code)
    return grouped


AREAS = {
    **dict.fromkeys(("target", "inspector", "checkitem", "department", "jurisdiction", "specialty", "workdayoverride",
                     "targets", "inspectors", "items", "recusals"), gettext_lazy("两库一单")),
    **dict.fromkeys(("user", "login", "apitoken"), gettext_lazy("账号与登录")),
    **dict.fromkeys(("penalty", "complaint", "exceedance", "keyunit", "positivelistentry", "clue", "monitoring",
                     "classification"), gettext_lazy("外部数据与分类")),
    "plan": gettext_lazy("抽查计划与抽取"),
    **dict.fromkeys(("task", "record", "followup"), gettext_lazy("现场检查")),
    "disclosure": gettext_lazy("一公开"),
}
"""The part of the system an action's code names (its part before the dot), to group the actions' list."""


def _action_choices() -> list:
    """The actions grouped by the part of the system they are of, as ``audit.labels`` lists them. Called each time
    a form is made, so the labels are in that request's language."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for label, codes in _actions_by_label().items():
        area = AREAS.get(codes[0].split(".", 1)[0])
        groups.setdefault(str(area) if area else _("其他"), []).append((codes[0], label))
    return [("", _("全部")), *groups.items()]


class EventFilterForm(FilterForm):
    q = forms.CharField(label=gettext_lazy("对象名称或编号"), required=False)
    action = forms.ChoiceField(label=gettext_lazy("操作"), required=False, choices=_action_choices)
    actor = forms.CharField(label=gettext_lazy("操作人（姓名或用户名）"), required=False)
    since = forms.DateField(label=gettext_lazy("起始日期"), required=False, widget=DateInput(),
                            error_messages={"invalid": gettext_lazy("日期格式应为 年-月-日，如 2026-03-01")})
    until = forms.DateField(label=gettext_lazy("截止日期"), required=False, widget=DateInput(),
                            error_messages={"invalid": gettext_lazy("日期格式应为 年-月-日，如 2026-03-01")})
    jurisdiction = forms.ModelChoiceField(label=gettext_lazy("行政区"), queryset=Jurisdiction.objects.none(),
                                          required=False)
    about = forms.ChoiceField(label=gettext_lazy("有无对象"), required=False, choices=[
        ("", gettext_lazy("全部")),
        (ABOUT_NOTHING, gettext_lazy("无对象的事件")),
        (ABOUT_OBJECT, gettext_lazy("有对象的事件")),
    ])

    def __init__(self, data=None, *, user=None):
        super().__init__(data, user=user)
        if not self.per_jurisdiction(user):
            del self.fields["jurisdiction"]  # a county reader's events are all of his one county

    @staticmethod
    def per_jurisdiction(user) -> bool:
        """Whether the reader's events span several jurisdictions (the city's), so that narrowing to one helps."""
        return user.is_superuser or (user.jurisdiction_id is not None and user.jurisdiction.level != "county")

    def jurisdictions(self, user) -> QuerySet[Jurisdiction]:
        # the reader's subtree: the city's events, each county's
        scope = Jurisdiction.objects.visible_to(user)
        return scope.filter(path__startswith=user.jurisdiction.path) if user.jurisdiction_id else scope

    def clean_since(self) -> datetime.date | None:
        return self._storable(self.cleaned_data.get("since"))

    def clean_until(self) -> datetime.date | None:
        return self._storable(self.cleaned_data.get("until"))

    @staticmethod
    def _storable(day: datetime.date | None) -> datetime.date | None:
        if not storable_day(day):
            raise ValidationError(_("日期应在 %(first)s 至 %(last)s 之间") % {
                "first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()})
        return day

    def clean(self) -> dict:
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("截止日期 %(until)s 早于起始日期 %(since)s") % {
                "until": until.isoformat(), "since": since.isoformat()})
        return cleaned

    def apply(self, queryset: QuerySet) -> QuerySet:
        q = (self.value("q") or "").strip()
        if q:
            queryset = queryset.filter(every_word(q, lambda word: Q(object_repr__icontains=word) | Q(object_id=word)
                                                  | _accounts_named(word)))
        if self.value("action"):
            label = str(ACTIONS[self.value("action")].label)
            queryset = queryset.filter(action__in=_actions_by_label()[label])
        actor = (self.value("actor") or "").strip()
        if actor:
            # the events of no one (classification, the demo, a lockout) show 系统 in the column: found by it too
            system = Q(actor_name="") if actor.casefold() in _system_words() else Q(pk__in=[])
            queryset = queryset.filter(Q(actor_name__icontains=actor) | Q(actor__username__icontains=actor) | system)
        # whole days of the system's time zone, as the page shows the times
        if self.value("since"):
            queryset = queryset.filter(occurred_at__gte=_midnight(self.value("since")))
        if self.value("until"):
            queryset = queryset.filter(occurred_at__lt=_midnight(self.value("until") + datetime.timedelta(days=1)))
        if "jurisdiction" in self.fields and self.value("jurisdiction"):
            queryset = queryset.filter(jurisdiction__path__startswith=self.value("jurisdiction").path)
        if self.value("about") == ABOUT_NOTHING:
            queryset = queryset.filter(content_type__isnull=True)
        elif self.value("about") == ABOUT_OBJECT:
            queryset = queryset.filter(content_type__isnull=False)
        return queryset


def _accounts_named(q: str) -> Q:
    """The events about the user accounts whose name holds ``q``: a user event names its account by its username
    ("wangwu"), while the user pages and the 操作人 column call him by his name (王五), which the admin types."""
    user = get_user_model()
    named = (user._base_manager.annotate(full_name=Concat("last_name", "first_name"))
             .filter(full_name__icontains=q).values_list("pk", flat=True)[:MAX_NAMED])
    pks = [str(pk) for pk in named]
    return Q(content_type=ContentType.objects.get_for_model(user), object_id__in=pks) if pks else Q(pk__in=[])


def _system_words() -> set[str]:
    """The word the 操作人 column shows for the events of no one, in either language."""
    return {"系统", _("系统").casefold()}


MAX_NAMED = 200
"""Accounts a name may match: a search for one person, not a list of the user table."""


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
