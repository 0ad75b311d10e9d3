"""The list filters of 两库一单, shared by the pages and the Excel export (the same rows either way)."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shuangsuiji.registry.models import (
    Category,
    Department,
    ExternalKind,
    InspectorStatus,
    Jurisdiction,
    Level,
    Specialty,
    TargetStatus,
)

YES_NO = [("", _("全部")), ("1", _("是")), ("0", _("否"))]


def _choices(choices) -> list[tuple[str, str]]:
    return [("", _("全部")), *choices]


class FilterForm(forms.Form):
    """A GET form; every field optional. ``apply`` narrows an already scoped queryset."""

    q = forms.CharField(label=_("搜索"), required=False)

    def __init__(self, data=None, *, user=None):
        super().__init__(data or None)
        self.user = user
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                field.empty_label = _("全部")
        if "jurisdiction" in self.fields:
            self.fields["jurisdiction"].queryset = Jurisdiction.objects.visible_to(user).filter(
                path__startswith=user.jurisdiction.path if user.jurisdiction_id else "")
        self.is_valid()

    def value(self, name):
        return self.cleaned_data.get(name) if hasattr(self, "cleaned_data") else None

    @staticmethod
    def bool_value(raw):
        return {"1": True, "0": False}.get(raw)


class TargetFilterForm(FilterForm):
    jurisdiction = forms.ModelChoiceField(label=_("行政区"), queryset=Jurisdiction.objects.none(), required=False)
    category = forms.ChoiceField(label=_("监管类别"), choices=_choices(Category.choices), required=False)
    positive_list = forms.ChoiceField(label=_("正面清单"), choices=YES_NO, required=False)
    status = forms.ChoiceField(label=_("状态"), choices=_choices(TargetStatus.choices), required=False)
    industry = forms.CharField(label=_("行业代码"), required=False)

    def apply(self, queryset):
        q = (self.value("q") or "").strip()
        if q:
            code = q.upper()
            queryset = queryset.filter(credit_code=code) if len(code) == 18 and code.isalnum() else queryset.filter(
                Q(name__icontains=q) | Q(address__icontains=q))
        if self.value("jurisdiction"):
            queryset = queryset.filter(jurisdiction__path__startswith=self.value("jurisdiction").path)
        for name in ("category", "status"):
            if self.value(name):
                queryset = queryset.filter(**{name: self.value(name)})
        if self.bool_value(self.value("positive_list")) is not None:
            queryset = queryset.filter(positive_list=self.bool_value(self.value("positive_list")))
        if self.value("industry"):
            queryset = queryset.filter(industry_code__startswith=self.value("industry").strip().upper())
        return queryset


class InspectorFilterForm(FilterForm):
    jurisdiction = forms.ModelChoiceField(label=_("行政区"), queryset=Jurisdiction.objects.none(), required=False)
    department = forms.ModelChoiceField(label=_("科室"), queryset=Department.objects.none(), required=False)
    specialty = forms.ModelChoiceField(label=_("业务专长"), queryset=Specialty.objects.all(), required=False)
    status = forms.ChoiceField(label=_("状态"), choices=_choices(InspectorStatus.choices), required=False)
    is_external = forms.ChoiceField(label=_("外部专家"), choices=YES_NO, required=False)
    external_kind = forms.ChoiceField(label=_("专家类型"), choices=_choices(ExternalKind.choices), required=False)

    def __init__(self, data=None, *, user=None):
        super().__init__(data, user=user)
        self.fields["department"].queryset = Department.objects.visible_to(user).select_related("jurisdiction")

    def apply(self, queryset):
        q = (self.value("q") or "").strip()
        if q:
            queryset = queryset.filter(Q(name__icontains=q) | Q(certificate_number__icontains=q))
        if self.value("jurisdiction"):
            queryset = queryset.filter(jurisdiction__path__startswith=self.value("jurisdiction").path)
        for name in ("department", "status", "external_kind"):
            if self.value(name):
                queryset = queryset.filter(**{name: self.value(name)})
        if self.value("specialty"):
            queryset = queryset.filter(specialties=self.value("specialty"))
        if self.bool_value(self.value("is_external")) is not None:
            queryset = queryset.filter(is_external=self.bool_value(self.value("is_external")))
        return queryset


class CheckItemFilterForm(FilterForm):
    responsible_department = forms.ModelChoiceField(label=_("责任科室"), queryset=Department.objects.none(),
                                                    required=False)
    category = forms.ChoiceField(label=_("适用类别"), choices=_choices(Category.choices), required=False)
    list_level = forms.ChoiceField(label=_("清单层级"), choices=_choices(Level.choices), required=False)
    is_active = forms.ChoiceField(label=_("在用"), choices=YES_NO, required=False)

    def __init__(self, data=None, *, user=None):
        super().__init__(data, user=user)
        self.fields["responsible_department"].queryset = Department.objects.visible_to(user).select_related(
            "jurisdiction")

    def apply(self, queryset):
        q = (self.value("q") or "").strip()
        if q:
            queryset = queryset.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(legal_basis__icontains=q))
        for name in ("responsible_department", "list_level"):
            if self.value(name):
                queryset = queryset.filter(**{name: self.value(name)})
        if self.value("category"):
            queryset = queryset.filter(**{f"applies_{self.value('category')}": True})
        if self.bool_value(self.value("is_active")) is not None:
            queryset = queryset.filter(is_active=self.bool_value(self.value("is_active")))
        return queryset


class DepartmentFilterForm(FilterForm):
    jurisdiction = forms.ModelChoiceField(label=_("行政区"), queryset=Jurisdiction.objects.none(), required=False)
    has_enforcement_duty = forms.ChoiceField(label=_("具有行政执法职能"), choices=YES_NO, required=False)

    def apply(self, queryset):
        q = (self.value("q") or "").strip()
        if q:
            queryset = queryset.filter(name__icontains=q)
        if self.value("jurisdiction"):
            queryset = queryset.filter(jurisdiction=self.value("jurisdiction"))
        if self.bool_value(self.value("has_enforcement_duty")) is not None:
            queryset = queryset.filter(has_enforcement_duty=self.bool_value(self.value("has_enforcement_duty")))
        return queryset


class JurisdictionFilterForm(FilterForm):
    level = forms.ChoiceField(label=_("层级"), choices=_choices(Level.choices), required=False)

    def apply(self, queryset):
        q = (self.value("q") or "").strip()
        if q:
            queryset = queryset.filter(Q(name__icontains=q) | Q(code__startswith=q))
        if self.value("level"):
            queryset = queryset.filter(level=self.value("level"))
        return queryset
