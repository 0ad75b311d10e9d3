"""Forms for entering outside data one record at a time; saving goes through ``intake.services``."""

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shuangsuiji import params
from shuangsuiji.engine import creditcode
from shuangsuiji.intake.importers import IMPORTERS
from shuangsuiji.intake.models import Clue, Complaint, Exceedance, KeyUnit, Penalty, PositiveListEntry
from shuangsuiji.registry.models import Department, Target
from shuangsuiji.systemtext import system_text
from shuangsuiji.validators import document_number


class TargetCodeField(forms.CharField):
    """A target entered by its 统一社会信用代码 (a select of 12,000 targets would be useless), looked up
    among the targets the user may act on."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label", _("统一社会信用代码"))
        kwargs.setdefault("max_length", 18)
        super().__init__(*args, **kwargs)
        self.queryset: QuerySet = Target.objects.none()
        self.widget.attrs.update({"autocomplete": "off", "spellcheck": "false", "class": "font-monospace"})

    def prepare_value(self, value):
        if isinstance(value, Target):
            return value.credit_code
        if isinstance(value, int):
            return Target.objects.filter(pk=value).values_list("credit_code", flat=True).first()
        return value

    def clean(self, value) -> Target:
        code = creditcode.normalize(super().clean(value) or "")
        problem = creditcode.validate(code)
        if problem:
            raise forms.ValidationError(system_text(problem))
        target = self.queryset.filter(credit_code=code).select_related("jurisdiction").first()
        if target is None:
            raise forms.ValidationError(_("检查对象名录库中没有该代码的对象，或该对象不在您的管辖范围内"))
        return target


class _TargetForm(forms.ModelForm):
    """A model form whose ``target`` is entered by credit code, within ``targets``."""

    target = TargetCodeField()

    def __init__(self, *args, targets: QuerySet, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = targets
        if self.instance.pk:
            self.initial["target"] = self.instance.target.credit_code
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                field.empty_label = _("请选择")
            elif isinstance(field, forms.ChoiceField) and field.choices and field.choices[0][0] == "":
                field.choices = [("", _("请选择")), *field.choices[1:]]


class ReasonMixin(forms.Form):
    reason = forms.CharField(label=_("修改理由"), max_length=255, required=False,
                             help_text=_("修改已有记录时请说明理由，将记入变更历史"))


class PenaltyForm(ReasonMixin, _TargetForm):
    class Meta:
        model = Penalty
        fields = ["decision_number", "decided_on", "target", "department", "violation", "amount", "source_reference"]
        widgets = {"decided_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "violation": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, departments: QuerySet, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments.select_related("jurisdiction")
        self.fields["department"].label_from_instance = lambda d: f"{d.jurisdiction.name}·{d.name}"

    def clean_decision_number(self) -> str:
        # in the stored spelling before the uniqueness check: 涞环罚[2021]1号 is 涞环罚〔2021〕1号, already recorded
        return document_number(self.cleaned_data["decision_number"])


class ComplaintForm(ReasonMixin, _TargetForm):
    class Meta:
        model = Complaint
        fields = ["reference", "received_on", "channel", "target", "content", "verified"]
        widgets = {"received_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "content": forms.Textarea(attrs={"rows": 3})}


class ExceedanceForm(_TargetForm):
    """One exceedance, its outlet named by the target's credit code and the outlet's code."""

    outlet_code = forms.CharField(label=_("排口编号"), max_length=32)

    class Meta:
        model = Exceedance
        fields = ["target", "outlet_code", "pollutant", "measured_at", "value", "limit", "unit"]
        field_classes = {"measured_at": params.DateTimeField}
        widgets = {"measured_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")}

    def clean(self) -> dict:
        data = super().clean()
        target, code = data.get("target"), (data.get("outlet_code") or "").strip()
        if target is not None and code:
            outlet = target.outlets.filter(code=code).first()
            if outlet is None:
                self.add_error("outlet_code", _("该对象没有这一排口（排口编号见名录库）"))
            self.instance.outlet = outlet
        return data


class KeyUnitForm(_TargetForm):
    class Meta:
        model = KeyUnit
        fields = ["year", "target", "directory", "kinds"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year  # Beijing's year, not the server clock's


class RemovalForm(forms.Form):
    reason = forms.CharField(label=_("移出理由"), max_length=255)


class DeletionForm(forms.Form):
    reason = forms.CharField(label=_("删除理由"), max_length=255, help_text=_("如：重复录入、对象录错"))


class PositiveListForm(ReasonMixin, _TargetForm):
    class Meta:
        model = PositiveListEntry
        fields = ["target", "start", "end", "document_number", "note"]
        widgets = {"start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class ClueForm(_TargetForm):
    complaint_reference = forms.CharField(label=_("举报编号"), max_length=64, required=False,
                                          help_text=_("线索来源为群众举报时填写已录入的举报编号"))

    class Meta:
        model = Clue
        fields = ["target", "source", "complaint_reference", "found_on", "description"]
        widgets = {"found_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "description": forms.Textarea(attrs={"rows": 4})}

    def clean(self) -> dict:
        data = super().clean()
        reference = (data.get("complaint_reference") or "").strip()
        target = data.get("target")
        if reference and target is not None:
            complaint = Complaint.objects.filter(reference=reference, target=target).first()
            if complaint is None:
                self.add_error("complaint_reference", _("没有针对该对象的这一编号的举报"))
            self.instance.complaint = complaint
        return data


class ClueDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("审批结果"), widget=forms.RadioSelect, choices=[
        ("approve", _("批准开展现场检查")), ("reject", _("不予现场检查"))])
    reason = forms.CharField(label=_("审批意见"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("文件（.xlsx 或 .csv）"))
    replace = forms.BooleanField(label=_("替换：移出文件中各年度、本辖区内文件未列出的名录条目"), required=False)

    def __init__(self, *args, kind: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind != "key_units":
            del self.fields["replace"]
        self.label = IMPORTERS[kind].label


class ClassifyForm(forms.Form):
    jurisdiction = forms.ModelChoiceField(label=_("行政区"), queryset=None)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label=_("季度"), coerce=int, choices=[(q, q) for q in (1, 2, 3, 4)])

    def __init__(self, *args, jurisdictions: QuerySet, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = jurisdictions
        # Named as the page's own quarter selector names them ("第1季度"), in the request's language.
        self.fields["quarter"].choices = [(q, gettext("第%(q)s季度") % {"q": q}) for q in (1, 2, 3, 4)]


def departments_for(user) -> QuerySet:
    """Departments that may have decided a penalty in the user's scope: his subtree's and his ancestors'."""
    jurisdiction = user.jurisdiction
    if user.is_superuser or jurisdiction is None:
        return Department.objects.all()
    return Department.objects.filter(Q(jurisdiction__path__startswith=jurisdiction.path)
                                     | Q(jurisdiction__code__in=jurisdiction.ancestor_codes()))
