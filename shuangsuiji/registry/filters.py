"""The list filters of 两库一单, shared by the pages and the Excel export (the same rows either way)."""

import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from shuangsuiji import params
from shuangsuiji.registry.industry import (
    INDUSTRY,
    SCOPE_TOKEN,
    ScopeError,
    industry_filter,
    industry_in_scope,
    parse_scope,
)
from shuangsuiji.registry.models import (
    Category,
    Department,
    ExternalKind,
    InspectorStatus,
    Jurisdiction,
    Level,
    Specialty,
    TargetStatus,
    scope_message,
)
from shuangsuiji.textsearch import contains_piece, every_word

YES_NO = [("", _("全部")), ("1", _("是")), ("0", _("否"))]


def _choices(choices) -> list[tuple[str, str]]:
    return [("", _("全部")), *choices]


MAX_OPTIONS = 300
"""A select offers at most this many rows; beyond that it narrows to the chosen jurisdiction, so a national
scope (3,000 jurisdictions, 20,000 departments) renders a page, not a megabyte of options."""


class FilterForm(forms.Form):
    """A GET form; every field optional. ``apply`` narrows an already scoped queryset.

    Choice fields validate against everything in the user's scope but offer only a drill-down: the
    jurisdiction select shows the chosen jurisdiction with its ancestors and children, the department
    select that jurisdiction's departments.
    """

    q = forms.CharField(label=_("搜索"), required=False)

    def __init__(self, data=None, *, user=None):
        super().__init__(data or None)
        self.user = user
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                field.empty_label = _("全部")
        base = user.jurisdiction if user.jurisdiction_id else None
        if "jurisdiction" in self.fields:
            self.fields["jurisdiction"].queryset = self.jurisdictions(user)
        for name in self.department_fields:
            self.fields[name].queryset = Department.objects.visible_to(user).select_related("jurisdiction")
        self.is_valid()
        for name in self.errors:
            if name in self.fields:  # said under the field (includes/list_filter.html), as a form says it
                self.fields[name].widget.attrs["aria-describedby"] = f"id_{name}_error"
        focus = self.value("jurisdiction") or base
        if "jurisdiction" in self.fields:
            self._offer("jurisdiction", self._jurisdictions_around(focus), label=self._indented)
        for name in self.department_fields:
            self._offer(name, self._departments_of(focus, base))

    department_fields: tuple[str, ...] = ()

    def jurisdictions(self, user) -> QuerySet[Jurisdiction]:
        """The jurisdictions the list can be narrowed to."""
        # ancestors included: a county filters the check items by the city that issued them
        return Jurisdiction.objects.visible_to(user)

    def value(self, name):
        return self.cleaned_data.get(name) if hasattr(self, "cleaned_data") else None

    def out_of_scope(self) -> bool:
        """A chosen jurisdiction or department the user cannot see: to him it does not exist."""
        return any(error.code == "invalid_choice" for name, field in self.fields.items()
                   if isinstance(field, forms.ModelChoiceField) for error in self.errors.as_data().get(name, ()))

    @staticmethod
    def bool_value(raw):
        return {"1": True, "0": False}.get(raw)

    def _offer(self, name: str, shown, label=str) -> None:
        options = list(shown[:MAX_OPTIONS])
        selected = self.value(name)
        if selected is not None and selected not in options:
            options.insert(0, selected)
        self.fields[name].widget.choices = [("", _("全部")), *((obj.pk, label(obj)) for obj in options)]

    def _jurisdictions_around(self, focus):
        scope = self.fields["jurisdiction"].queryset
        if focus is None:
            return scope.filter(parent__isnull=True)
        return scope.filter(Q(code__in=[*focus.ancestor_codes(), focus.code]) | Q(parent=focus)).order_by("path")

    @staticmethod
    def _indented(jurisdiction) -> str:
        return "\u3000" * (jurisdiction.path.count(".") - 1) + jurisdiction.name

    def _departments_of(self, focus, base):
        visible = self.fields[self.department_fields[0]].queryset.order_by("jurisdiction__path", "name")
        if self.value("jurisdiction") is None and visible.count() <= MAX_OPTIONS:
            return visible
        if focus is None:
            return visible.none()
        return visible.filter(jurisdiction__code__in=[*focus.ancestor_codes(), focus.code]
                              if focus == base else [focus.code])


def _target_word(word: str) -> Q:
    """One word of the targets' search: a credit code, the start of one, or a piece of the name or address."""
    code = word.upper()
    if len(code) == 18 and code.isascii() and code.isalnum():
        return Q(credit_code=code)
    if code.isascii() and code.isalnum() and sum(c.isdigit() for c in code) >= 4:
        # the start of a credit code (e.g. "91130623"): a prefix match the code's index answers
        return Q(credit_code__startswith=code)
    # a piece of one or two characters by the index of the characters (registry migration 0004)
    return contains_piece("name", word) | contains_piece("address", word)


class TargetFilterForm(FilterForm):
    jurisdiction = forms.ModelChoiceField(label=_("行政区"), queryset=Jurisdiction.objects.none(), required=False)
    category = forms.ChoiceField(label=_("监管类别"), choices=_choices(Category.choices), required=False)
    positive_list = forms.ChoiceField(label=_("正面清单"), choices=YES_NO, required=False)
    status = forms.ChoiceField(label=_("状态"), choices=_choices(TargetStatus.choices), required=False)
    industry = forms.CharField(label=_("行业代码"), required=False)

    def apply(self, queryset):
        q = (self.value("q") or "").strip()
        if q:
            queryset = queryset.filter(every_word(q, _target_word))
        if self.value("jurisdiction"):
            queryset = queryset.filter(jurisdiction__path__startswith=self.value("jurisdiction").path)
        for name in ("category", "status"):
            if self.value(name):
                queryset = queryset.filter(**{name: self.value(name)})
        if self.bool_value(self.value("positive_list")) is not None:
            queryset = queryset.filter(positive_list=self.bool_value(self.value("positive_list")))
        typed = unicodedata.normalize("NFKC", self.value("industry") or "").strip().upper()  # "Ｃ２６" is C26
        if typed:
            # "26", "C26": codes stored with their section letter and without (as the portal's filter reads them)
            queryset = queryset.filter(industry_filter(typed) if INDUSTRY.fullmatch(typed)
                                       else Q(industry_code__startswith=typed))
        return queryset


class InspectorFilterForm(FilterForm):
    jurisdiction = forms.ModelChoiceField(label=_("行政区"), queryset=Jurisdiction.objects.none(), required=False)
    department = forms.ModelChoiceField(label=_("科室"), queryset=Department.objects.none(), required=False)
    specialty = forms.ModelChoiceField(label=_("业务专长"), queryset=Specialty.objects.all(), required=False)
    status = forms.ChoiceField(label=_("状态"), choices=_choices(InspectorStatus.choices), required=False)
    is_external = forms.ChoiceField(label=_("外部专家"), choices=YES_NO, required=False)
    external_kind = forms.ChoiceField(label=_("专家类型"), choices=_choices(ExternalKind.choices), required=False)

    department_fields = ("department",)

    def apply(self, queryset):
        q = (self.value("q") or "").strip()
        if q:
            queryset = queryset.filter(every_word(q, lambda w: Q(name__icontains=w)
                                                   | Q(certificate_number__icontains=w)))
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
    jurisdiction = forms.ModelChoiceField(label=_("制定机关所在行政区"), queryset=Jurisdiction.objects.none(),
                                          required=False)
    responsible_department = forms.ModelChoiceField(label=_("责任科室"), queryset=Department.objects.none(),
                                                    required=False)
    category = forms.ChoiceField(label=_("适用类别"), choices=_choices(Category.choices), required=False)
    list_level = forms.ChoiceField(label=_("清单层级"), choices=_choices(Level.choices), required=False)
    is_active = forms.ChoiceField(label=_("在用"), choices=YES_NO, required=False)
    # a firm's code, not a prefix: the items that firm's visit would get (blank-scope items too)
    for_industry = params.TextField(label=_("适用于行业代码"), required=False, max_length=16,
                                    widget=forms.TextInput(attrs={"placeholder": "C1910", "autocomplete": "off"}))

    department_fields = ("responsible_department",)

    def clean_for_industry(self) -> str:
        """A firm's industry code (GB/T 4754, as the target registry keeps it: C1910 or 1910), upper case. A code no
        section has would be within every scope (``industry_in_scope`` gives an unknown code every item), so it
        is refused rather than answered with the whole list."""
        typed = unicodedata.normalize("NFKC", self.cleaned_data.get("for_industry") or "").strip()  # "Ｃ１９１０"
        if not typed:
            return ""
        if not SCOPE_TOKEN.fullmatch(typed.upper()):
            raise ValidationError(_("“%(code)s”不是行业代码：应为GB/T 4754行业代码，如C1910或1910") % {"code": typed},
                                  code="format")
        try:
            parse_scope(typed)
        except ScopeError as error:
            raise ValidationError(scope_message(error, typed_alone=True), code=error.reason) from None
        return typed.upper()

    def apply(self, queryset):
        q = (self.value("q") or "").strip()
        if q:
            queryset = queryset.filter(every_word(q, lambda w: Q(name__icontains=w) | Q(code__icontains=w)
                                                   | Q(legal_basis__icontains=w)))
        if self.value("jurisdiction"):
            queryset = queryset.filter(jurisdiction=self.value("jurisdiction"))
        for name in ("responsible_department", "list_level"):
            if self.value(name):
                queryset = queryset.filter(**{name: self.value(name)})
        if self.value("category"):
            queryset = queryset.filter(**{f"applies_{self.value('category')}": True})
        if self.bool_value(self.value("is_active")) is not None:
            queryset = queryset.filter(is_active=self.bool_value(self.value("is_active")))
        if "for_industry" in self.errors:
            return queryset.none()  # nothing is found for what is no industry code; the field says why
        code = self.value("for_industry")
        if code:
            # the one rule of which items a target gets (CheckItem.applies_to), read in Python: a scope is a list
            # of codes and prefixes, compared with their section letters, which no lookup expresses
            scoped = queryset.exclude(industries="").values_list("pk", "industries")
            queryset = queryset.filter(Q(industries="") | Q(pk__in=[pk for pk, scope in scoped
                                                                     if industry_in_scope(scope, code)]))
        return queryset


class DepartmentFilterForm(FilterForm):
    jurisdiction = forms.ModelChoiceField(label=_("行政区"), queryset=Jurisdiction.objects.none(), required=False)
    has_enforcement_duty = forms.ChoiceField(label=_("具有行政执法职能"), choices=YES_NO, required=False)

    def apply(self, queryset):
        q = (self.value("q") or "").strip()
        if q:
            queryset = queryset.filter(every_word(q, lambda w: Q(name__icontains=w)))
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
            queryset = queryset.filter(every_word(q, lambda w: Q(name__icontains=w) | Q(code__startswith=w)))
        if self.value("level"):
            queryset = queryset.filter(level=self.value("level"))
        return queryset
