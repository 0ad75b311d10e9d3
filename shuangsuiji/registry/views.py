"""Pages of 两库一单: one layout for every registry (list with search, filters and pagination; detail with
related rows and change history; create and edit forms), in plain function views.

Every queryset comes through the scoping gate: outside one's jurisdiction an object does not exist (404);
inside it, a role that only reads gets 403 on the edit pages. Saving goes through ``registry.services``.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from shuangsuiji import params
from shuangsuiji.audit.display import name_codes, withheld
from shuangsuiji.audit.services import history_for
from shuangsuiji.punctuation import join_sep
from shuangsuiji.registry import filters, forms
from shuangsuiji.registry.models import (
    CheckItem,
    Department,
    Inspector,
    Jurisdiction,
    Recusal,
    Target,
)
from shuangsuiji.registry.services import (
    do_mark_target_defunct,
    do_reactivate_target,
    do_remove_recusal,
    do_save,
    do_set_recusal,
)
from shuangsuiji.systemtext import system_text

PAGE_SIZE = 50
COUNT_LIMIT = 10_000
"""Lists count at most this many rows: a national list of 1,000,000 targets would otherwise spend most of
its time on an exact COUNT(*) nobody reads. Beyond it the page says "more than 10,000"; filters narrow."""


class CappedPaginator(params.Paginator):
    """Pages through at most ``limit`` rows of a list and says when there are more."""

    limit = COUNT_LIMIT

    @cached_property
    def _counted(self) -> int:
        # COUNT over a LIMITed, unordered subquery stops as soon as the cap is reached
        return self.object_list.order_by()[:self.limit + 1].count()

    @property
    def count(self) -> int:
        return min(self._counted, self.limit)

    @property
    def capped(self) -> bool:
        return self._counted > self.limit


@dataclass(frozen=True)
class Column:
    header: Any
    value: Callable[[Any], Any]
    link: bool = False
    indent: Callable[[Any], int] | None = None
    """Levels to indent the cell by: the jurisdictions list is their tree, in path order."""


@dataclass(frozen=True)
class Registry:
    """How one registry is listed, filtered, shown and edited."""

    model: type[models.Model]
    slug: str
    title: Any
    filter_form: type[filters.FilterForm]
    columns: tuple[Column, ...]
    form: type | None = None
    excel_kind: str = ""
    excel_related: tuple[tuple[str, Any], ...] = ()
    """Workbooks kept with this list besides its own: (kind, menu title), e.g. the inspectors' recusals."""
    related: tuple[str, ...] = ()
    m2m: tuple[str, ...] = ()
    order: tuple[str, ...] = ()
    detail_related: Callable[[Any, Any], list[dict]] = field(default=lambda obj, user: [])

    def url(self, name: str, *args) -> str:
        return reverse(f"registry:{self.slug}_{name}", args=args)


def plain_date(value: Any) -> Any:
    """A date as the rest of the system writes it (2026-04-01; a time 2026-12-04 22:20, local), anything else as it
    is: the locale's "April 1, 2026" and "Dec. 4, 2026, 10:20 p.m." wrapped in the English pages' narrow columns,
    beside the ISO dates of the change history on the same page."""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _target_related(target: Target, user) -> list[dict]:
    return [
        {"title": _("排口"), "headers": [_("排口编号"), _("名称"), _("类型"), _("在线监测")],
         "rows": [[o.code, o.name, o.get_kind_display(), _("是") if o.online_monitored else _("否")]
                  for o in target.outlets.all()]},
        {"title": _("类别与状态变更"), "headers": [_("生效日期"), _("项目"), _("原值"), _("新值"), _("理由")],
         "rows": [[plain_date(h.effective_date), h.get_field_display(), h.old_label, h.new_label, system_text(h.reason)]
                  for h in target.history.all()[:50]]},
        {"title": _("回避人员"), "headers": [pgettext("one", "执法人员"), _("回避理由")],
         "rows": _target_recusals(target, user)},
    ]


def _target_recusals(target: Target, user) -> list[list]:
    recusals = list(target.recusal_entries.filter(inspector__in=Inspector.objects.visible_to(user))
                    .select_related("inspector").order_by("inspector__name"))
    readable = set(officers_private_to(user).filter(pk__in=[r.inspector_id for r in recusals])
                   .values_list("pk", flat=True))
    return [[r.inspector, r.reason if r.inspector_id in readable else withheld()] for r in recusals]


def _department_related(department: Department, user) -> list[dict]:
    # A county reads the city's departments (its item list names them) but not the city's officers: only those
    # of the reader's inspector registry, as everywhere else.
    officers = Inspector.objects.visible_to(user).filter(department=department)
    return [{"title": _("执法人员"), "headers": [_("姓名"), _("执法证号"), _("状态")],
             "rows": [[i.name, i.certificate_number, i.get_status_display()] for i in officers[:200]]}]


def _jurisdiction_related(jurisdiction: Jurisdiction, user) -> list[dict]:
    return [{"title": _("下级行政区"), "headers": [_("代码"), _("名称"), _("层级")],
             "rows": [[j.code, j.name, j.get_level_display()] for j in jurisdiction.children.all()]}]


REGISTRIES = {
    "target": Registry(
        Target, "target", gettext_lazy("检查对象名录库"), filters.TargetFilterForm,
        (Column(gettext_lazy("单位名称"), lambda t: t.name, link=True),
         Column(gettext_lazy("统一社会信用代码"), lambda t: t.credit_code),
         Column(gettext_lazy("行政区"), lambda t: t.jurisdiction.name),
         Column(gettext_lazy("行业"), lambda t: f"{t.industry_code} {t.industry_name}".strip()),
         Column(gettext_lazy("监管类别"), lambda t: t.get_category_display()),
         Column(gettext_lazy("正面清单"), lambda t: _("是") if t.positive_list else ""),
         Column(gettext_lazy("状态"), lambda t: t.get_status_display())),
        form=forms.TargetForm, excel_kind="targets", related=("jurisdiction",),
        order=("jurisdiction__path", "name"), detail_related=_target_related,
    ),
    "inspector": Registry(
        Inspector, "inspector", gettext_lazy("检查人员名录库"), filters.InspectorFilterForm,
        (Column(gettext_lazy("姓名"), lambda i: i.name, link=True),
         Column(gettext_lazy("执法证号"), lambda i: i.certificate_number),
         Column(gettext_lazy("执法证有效期至"), lambda i: i.certificate_expiry or ""),
         Column(gettext_lazy("行政区"), lambda i: i.jurisdiction.name),
         Column(gettext_lazy("科室"), lambda i: i.department.name),
         Column(gettext_lazy("业务专长"), lambda i: join_sep(s.name for s in i.specialties.all())),
         Column(gettext_lazy("状态"), lambda i: i.get_status_display()),
         Column(gettext_lazy("外部专家"), lambda i: i.get_external_kind_display() if i.is_external else "")),
        form=forms.InspectorForm, excel_kind="inspectors",
        excel_related=(("recusals", gettext_lazy("回避名单")),), related=("jurisdiction", "department"),
        m2m=("specialties",), order=("jurisdiction__path", "department__name", "name"),
    ),
    "checkitem": Registry(
        CheckItem, "checkitem", gettext_lazy("随机抽查事项清单"), filters.CheckItemFilterForm,
        (Column(gettext_lazy("事项编码"), lambda c: c.code, link=True),
         Column(gettext_lazy("抽查事项"), lambda c: c.name, link=True),
         Column(gettext_lazy("责任科室"), lambda c: c.responsible_department.name),
         Column(gettext_lazy("清单层级"), lambda c: c.get_list_level_display()),
         Column(gettext_lazy("适用行业"), lambda c: c.industries_display),
         Column(gettext_lazy("所需专长"), lambda c: c.specialty or ""),
         Column(gettext_lazy("在用"), lambda c: _("是") if c.is_active else _("否"))),
        form=forms.CheckItemForm, excel_kind="items", related=("responsible_department", "specialty"),
        m2m=("cooperating_departments",), order=("code",),
    ),
    "department": Registry(
        Department, "department", gettext_lazy("科室"), filters.DepartmentFilterForm,
        (Column(gettext_lazy("名称"), lambda d: d.name, link=True),
         Column(gettext_lazy("行政区"), lambda d: d.jurisdiction.name),
         Column(gettext_lazy("具有行政执法职能"), lambda d: _("是") if d.has_enforcement_duty else _("否")),
         Column(gettext_lazy("在用"), lambda d: _("是") if d.is_active else _("否"))),
        form=forms.DepartmentForm, related=("jurisdiction",), order=("jurisdiction__path", "name"),
        detail_related=_department_related,
    ),
    "jurisdiction": Registry(
        Jurisdiction, "jurisdiction", gettext_lazy("行政区"), filters.JurisdictionFilterForm,
        (Column(gettext_lazy("名称"), lambda j: j.name, link=True, indent=lambda j: j.path.count(".") - 1),
         Column(gettext_lazy("行政区划代码"), lambda j: j.code),
         Column(gettext_lazy("层级"), lambda j: j.get_level_display()),
         Column(gettext_lazy("上级"), lambda j: j.parent.name if j.parent_id else "")),
        related=("parent",), order=("path",), detail_related=_jurisdiction_related,
    ),
}


def filtered(registry: Registry, request: HttpRequest):
    """The registry's rows the user may see, narrowed by the page's filters (also used by the export)."""
    form = registry.filter_form(request.GET, user=request.user)
    if form.out_of_scope():
        raise Http404
    queryset = registry.model.objects.visible_to(request.user).select_related(*registry.related)
    if registry.m2m and registry.model is Inspector:
        queryset = queryset.prefetch_related("specialties")
    return form, form.apply(queryset).order_by(*registry.order)


def can_create(user) -> bool:
    return user.can_edit_registry


def object_list(request: HttpRequest, slug: str) -> HttpResponse:
    registry = REGISTRIES[slug]
    form, queryset = filtered(registry, request)
    page = CappedPaginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    rows = [(obj, [(c, plain_date(c.value(obj)), 1.25 * c.indent(obj) if c.indent else 0) for c in registry.columns])
            for obj in page.object_list]
    return render(request, "registry/object_list.html", {
        "registry": registry, "filter_form": form, "page": page, "rows": rows, "query": query.urlencode(),
        "filters_active": any(value for name, value in query.items() if name != "q"),
        "can_create": can_create(request.user) and registry.form is not None,
        "create_url": registry.url("create") if registry.form else "",
    })


def object_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    registry = REGISTRIES[slug]
    obj = get_object_or_404(registry.model.objects.visible_to(request.user).select_related(*registry.related), pk=pk)
    editable = registry.form is not None and registry.model.objects.editable_by(request.user).filter(pk=pk).exists()
    return render(request, f"registry/{slug}_detail.html" if slug == "target" else "registry/object_detail.html", {
        "registry": registry, "object": obj, "fields": _field_rows(obj, registry, request.user, editable),
        "related": [dict(t, cells=[list(zip(t["headers"], row, strict=True)) for row in t["rows"]])
                    for t in registry.detail_related(obj, request.user)],
        "history": name_codes(history_for(obj)[:100], request.user),
        "history_hidden": _private_fields(obj, request.user, editable),
        "editable": editable, "edit_url": registry.url("edit", pk) if editable else "",
        "recusal_form": forms.RecusalForm(inspector=obj) if slug == "inspector" and editable else None,
        "recusals": obj.recusal_entries.select_related("target") if slug == "inspector" else (),
        "recusal_reasons_shown": slug == "inspector" and "reason" not in _private_fields(obj, request.user, editable),
    })


TIMESTAMP_LABELS = {"created_at": gettext_lazy("创建时间"), "updated_at": gettext_lazy("更新时间")}


def _hidden_fields(obj: models.Model, user, editable: bool) -> set[str]:
    """Fields that say nothing for this row, or that this reader should not see."""
    hidden = {"path", "id"}
    if isinstance(obj, Target) and obj.is_active:
        hidden |= {"defunct_date", "defunct_reason"}
    if isinstance(obj, Inspector) and not obj.is_external:
        hidden |= {"external_kind", "organisation"}
    return hidden | _private_fields(obj, user, editable)


INSPECTOR_PRIVATE = frozenset({"phone", "reason"})
"""An officer's own phone number, and why he recuses himself from a firm (a relative works there, he used to): for
those who keep the registry and for himself (``officers_private_to``), on his page, in his history and in the
审计日志."""


def _private_fields(obj: models.Model, user, editable: bool) -> set[str]:
    """Fields this reader may not see, on the page or in its change history."""
    if isinstance(obj, Inspector) and not editable and getattr(user, "inspector_id", None) != obj.pk:
        return set(INSPECTOR_PRIVATE)
    return set()


def officers_private_to(user) -> "models.QuerySet[Inspector]":
    """The officers whose private details (phone number, recusal reasons) this reader may read: those whose
    registry he keeps, and himself."""
    keeps = Inspector.objects.editable_by(user)
    if getattr(user, "inspector_id", None) is not None:
        keeps = keeps | Inspector.objects.filter(pk=user.inspector_id)
    return keeps


def _field_rows(obj: models.Model, registry: Registry, user, editable: bool) -> list[tuple[str, Any]]:
    rows = []
    hidden = _hidden_fields(obj, user, editable)
    for f in obj._meta.concrete_fields:
        if f.name in hidden:
            continue
        value = getattr(obj, f"get_{f.name}_display")() if f.choices else getattr(obj, f.name)
        if isinstance(value, bool):
            value = _("是") if value else _("否")
        value = plain_date(value)
        if isinstance(obj, CheckItem) and f.name == "industries":
            value = obj.industries_display
        if isinstance(obj, CheckItem) and f.name == "check_method":
            value = system_text(value)  # "现场检查" as the portal says it; a method someone typed stays as typed
        # a field declared without a label would show its English attribute name
        label = TIMESTAMP_LABELS.get(f.name, f.verbose_name) if f.verbose_name == f.name.replace("_", " ") \
            else f.verbose_name
        rows.append((label, "" if value is None else value))
    for name in registry.m2m:
        rows.append((obj._meta.get_field(name).verbose_name, join_sep(str(x) for x in getattr(obj, name).all())))
    return rows


def object_edit(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    registry = REGISTRIES[slug]
    if pk is None:
        if not can_create(request.user):
            raise PermissionDenied(_("您的角色只能查看名录库"))
        instance = registry.model()
    else:
        instance = get_object_or_404(registry.model.objects.visible_to(request.user), pk=pk)
        if not registry.model.objects.editable_by(request.user).filter(pk=pk).exists():
            raise PermissionDenied(_("您的角色只能查看名录库"))
    form = registry.form(request.POST or None, instance=instance, user=request.user)
    if request.method == "POST" and form.is_valid():
        obj = form.save(commit=False)
        try:
            do_save(obj, acting_user=request.user, reason=form.cleaned_data.get("reason", ""),
                    m2m={name: form.cleaned_data[name] for name in registry.m2m},
                    effective_date=form.cleaned_data.get("effective_date"))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("已保存：%(name)s") % {"name": obj})
            return redirect(registry.url("detail", obj.pk))
    return render(request, "registry/object_form.html", {
        "registry": registry, "form": form, "object": instance if pk else None,
        "cancel_url": registry.url("detail", pk) if pk else registry.url("list"),
    })


def _view(action: str, slug: str):
    handler = {"list": object_list, "detail": object_detail, "edit": object_edit, "create": object_edit}[action]

    @login_required
    def view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return handler(request, slug, *args, **kwargs)

    view.__name__ = f"{slug}_{action}"
    return view


target_list, target_detail, target_create, target_edit = (_view(a, "target") for a in
                                                          ("list", "detail", "create", "edit"))
inspector_list, inspector_detail, inspector_create, inspector_edit = (_view(a, "inspector") for a in
                                                                      ("list", "detail", "create", "edit"))
checkitem_list, checkitem_detail, checkitem_create, checkitem_edit = (_view(a, "checkitem") for a in
                                                                      ("list", "detail", "create", "edit"))
department_list, department_detail, department_create, department_edit = (_view(a, "department") for a in
                                                                           ("list", "detail", "create", "edit"))
jurisdiction_list, jurisdiction_detail = (_view(a, "jurisdiction") for a in ("list", "detail"))


def _target_action(request: HttpRequest, pk: int, form_class, act, title, done) -> HttpResponse:
    """A dated, reasoned change of a target's status on its own page: 消亡 and its reversal."""
    target = get_object_or_404(Target.objects.visible_to(request.user), pk=pk)
    if not Target.objects.editable_by(request.user).filter(pk=pk).exists():
        raise PermissionDenied(_("您的角色只能查看名录库"))
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            act(target, form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, done % {"name": target})
            return redirect(target.get_absolute_url())
    return render(request, "registry/object_form.html", {
        "registry": REGISTRIES["target"], "form": form, "object": target, "action_title": title,
        "cancel_url": target.get_absolute_url(),
    })


@login_required
def target_defunct(request: HttpRequest, pk: int) -> HttpResponse:
    """消亡: mark a target defunct with date and reason; it stays in the registry and leaves the draws."""
    return _target_action(
        request, pk, forms.DefunctForm,
        lambda target, data: do_mark_target_defunct(target, acting_user=request.user,
                                                     defunct_date=data["defunct_date"], reason=data["reason"]),
        _("标记注销/关停"), _("已标记为注销/关停：%(name)s"))


@login_required
def target_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo a defunct mark made in error (or a business that reopened): back in the draws from the date."""
    def reactivate(target: Target, data: dict) -> None:
        if target.is_active:
            raise ValidationError(_("该对象在营，无需恢复"))
        do_reactivate_target(target, acting_user=request.user, reason=data["reason"],
                             effective_date=data["effective_date"])

    return _target_action(request, pk, forms.ReactivateForm, reactivate, _("恢复在营"), _("已恢复在营：%(name)s"))


@login_required
def inspector_recusal(request: HttpRequest, pk: int) -> HttpResponse:
    """Add (POST credit_code + reason) or remove (POST remove=<recusal id> + reason) a recusal."""
    inspector = get_object_or_404(Inspector.objects.visible_to(request.user), pk=pk)
    if request.method != "POST" or not Inspector.objects.editable_by(request.user).filter(pk=pk).exists():
        raise PermissionDenied(_("您的角色只能查看名录库"))
    if request.POST.get("remove"):
        if params.number(request.POST["remove"]) is None:  # not an id: no such recusal, not a server error
            raise Http404(_("没有这条回避记录"))
        recusal = get_object_or_404(Recusal, pk=request.POST["remove"], inspector=inspector)
        try:
            reason = params.text(request.POST.get("reason") or "", _("理由")).strip()
            if not reason:
                # A recusal keeps an officer away from a target he has ties to: lifting it is a decision with
                # its reason, not one click (it was one button, and a blank reason stored "解除回避").
                raise ValidationError(_("解除回避须写明理由（如：亲属已离职）"))
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect(inspector.get_absolute_url())
        try:
            do_remove_recusal(recusal, acting_user=request.user, reason=reason)
        except ValidationError as error:  # lifted by another admin a moment ago
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("已解除回避"))
        return redirect(inspector.get_absolute_url())
    form = forms.RecusalForm(request.POST, inspector=inspector)
    if form.is_valid():
        do_set_recusal(inspector, form.target, acting_user=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("已添加回避对象"))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(inspector.get_absolute_url())
