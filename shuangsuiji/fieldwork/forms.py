"""Forms of fieldwork. They parse what a page sent (types, choices); whether a record is complete enough to
submit is decided by ``services.completeness_errors``, and every save goes through ``fieldwork.services``."""

from django import forms
from django.core.validators import MaxLengthValidator
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuangsuiji import params
from shuangsuiji.fieldwork import filetypes
from shuangsuiji.fieldwork.models import (
    Handling,
    InspectionRecord,
    ItemResult,
    Mode,
    OffSiteMeans,
    Outcome,
    outcome_choices,
)
from shuangsuiji.fieldwork.services import (
    ITEM_FIELDS,
    RECORD_FIELDS,
    inspection_day,
    rectification_deadline_problem,
)
from shuangsuiji.registry.models import Department, Target
from shuangsuiji.validators import REASON_LENGTH


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def format_value(self, value):
        if value in (None, ""):
            return ""
        if hasattr(value, "strftime"):
            if timezone.is_aware(value):
                value = timezone.localtime(value)
            return value.strftime("%Y-%m-%dT%H:%M")
        return value


class DateInput(forms.DateInput):
    input_type = "date"

    def format_value(self, value):
        return value.isoformat() if hasattr(value, "isoformat") else (value or "")


TEXT_LIMITS = {"findings": 5000, "site_manager_statement": 1000, "notes": 2000, "rectification": 2000}
"""Most characters a record's free-text boxes take. The columns are unbounded text, and a paste of 180,000
characters was stored: the sealed record's page then ran 300,000 pixels down a phone (its change log shows the
text) and the printed form ran to dozens of pages. 5000 characters is some pages of 检查情况."""


def limit_text(form: forms.BaseForm) -> None:
    """Refuse a free-text field longer than ``TEXT_LIMITS`` says, saying how long it is. No ``maxlength`` on the
    box: a browser cuts a paste short without a word, and the inspector would not know what was lost."""
    for name, limit in TEXT_LIMITS.items():
        if name in form.fields:
            form.fields[name].validators.append(MaxLengthValidator(
                limit, message=_("最多%(limit_value)d字，现有%(show_value)d字，请精简")))


class RecordForm(forms.ModelForm):
    """The record's own fields. Nothing is required here: a draft may be incomplete."""

    off_site_means = forms.MultipleChoiceField(label=_("非现场检查手段"), choices=OffSiteMeans.choices, required=False,
                                               widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = InspectionRecord
        fields = list(RECORD_FIELDS)
        field_classes = {"started_at": params.DateTimeField, "ended_at": params.DateTimeField}
        widgets = {
            "mode": forms.RadioSelect,
            "started_at": LocalDateTimeInput,
            "ended_at": LocalDateTimeInput,
            "findings": forms.Textarea(attrs={"rows": 4}),
            "site_manager_statement": forms.Textarea(attrs={"rows": 2}),
            "early_recheck_statement": forms.Textarea(attrs={"rows": 2}),
            "contact_phone": forms.TextInput(attrs={"inputmode": "tel"}),
            "site_manager_phone": forms.TextInput(attrs={"inputmode": "tel"}),
            "credit_code": forms.TextInput(attrs={"class": "font-monospace", "autocapitalize": "characters",
                                                  "spellcheck": "false"}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
        self.fields["mode"].choices = Mode.choices
        limit_text(self)

    def clean_mode(self) -> str:
        return self.cleaned_data.get("mode") or (self.instance.mode if self.instance else Mode.ON_SITE)

    def clean_credit_code(self) -> str:
        return (self.cleaned_data.get("credit_code") or "").strip().upper()

    def values(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in RECORD_FIELDS}


class ItemForm(forms.ModelForm):
    """One check item's result, prefixed ``item-<id>`` so the page can hold them all."""

    class Meta:
        model = ItemResult
        fields = list(ITEM_FIELDS)
        widgets = {
            "outcome": forms.RadioSelect,
            "notes": forms.Textarea(attrs={"rows": 2}),
            "rectification": forms.Textarea(attrs={"rows": 2}),
            "deadline": DateInput,
        }

    def __init__(self, *args, record_form: RecordForm | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.record_form = record_form
        for field in self.fields.values():
            field.required = False
        self.fields["outcome"].choices = outcome_choices(self.instance.record_id is not None
                                                        and self.instance.record.recheck_id is not None)
        self.fields["handling"].choices = [("", _("请选择")), *Handling.choices]
        limit_text(self)

    def clean(self) -> dict:
        """An order's 整改期限 beyond a year after the inspection (a typo, 2206 for 2026) is refused as it is typed,
        not only at 提交: the day is the one the same post gives (``record_form``), else the stored record's."""
        data = super().clean()
        deadline = data.get("deadline")
        if (deadline is not None and data.get("handling") == Handling.ORDER and data.get("outcome") == Outcome.PROBLEM
                and self.record_form is not None):
            self.record_form.is_valid()  # its validation writes the posted times into its instance
            day = inspection_day(self.record_form.instance)
            if deadline > day:  # one not after the day is said at 提交 (the times may not be typed yet)
                problem = rectification_deadline_problem(deadline, day)
                if problem:
                    self.add_error("deadline", problem)
        return data

    def values(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in ITEM_FIELDS}


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=REASON_LENGTH,
                             widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(forms.Form):
    approve = forms.TypedChoiceField(label=_("审批结果"), choices=[("1", _("批准")), ("0", _("不批准"))],
                                     coerce=lambda v: v == "1", widget=forms.RadioSelect)
    decision = forms.CharField(label=_("审批意见"), max_length=REASON_LENGTH,
                               widget=forms.Textarea(attrs={"rows": 2}))


class ReviewForm(forms.Form):
    passed = forms.TypedChoiceField(label=_("审核结果"), choices=[("1", _("通过")), ("0", _("退回"))],
                                    coerce=lambda v: v == "1", widget=forms.RadioSelect)
    reason = forms.CharField(label=_("审核意见"), required=False, max_length=REASON_LENGTH,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("退回时必填：写明需要更正的内容"))


class PlanVisitForm(forms.Form):
    planned_on = forms.DateField(label=_("计划检查日期"), widget=DateInput)


class CaseForm(forms.Form):
    case_number = forms.CharField(label=_("立案编号"), max_length=64)
    case_filed_on = forms.DateField(label=_("立案日期"), widget=DateInput)


class TransferForm(forms.Form):
    transfer_reference = forms.CharField(label=_("移交/移送文书编号"), max_length=64)
    transferred_on = forms.DateField(label=_("移交/移送日期"), widget=DateInput)


def penalty_departments(target: Target) -> QuerySet:
    """Departments that may decide a penalty on ``target``: enforcement units of its jurisdiction and above."""
    jurisdiction = target.jurisdiction
    return (Department.objects.filter(has_enforcement_duty=True, is_active=True)
            .filter(Q(jurisdiction=jurisdiction) | Q(jurisdiction__code__in=jurisdiction.ancestor_codes()))
            .select_related("jurisdiction").order_by("jurisdiction__path", "name"))


class PenaltyDecisionForm(forms.Form):
    decision_number = forms.CharField(label=_("处罚决定书文号"), max_length=64)
    decided_on = forms.DateField(label=_("处罚决定日期"), widget=DateInput)
    department = forms.ModelChoiceField(label=_("作出处罚的科室"), queryset=Department.objects.none())
    amount = forms.DecimalField(label=_("罚款金额（元）"), max_digits=14, decimal_places=2, min_value=0, required=False)
    violation = forms.CharField(label=_("违法行为"), required=False, max_length=2 * REASON_LENGTH,
                                widget=forms.Textarea(attrs={"rows": 2}),
                                help_text=_("不填则取检查记录中的问题描述"))
    # Recording the decision closes the problem for good: asked like 办结 (the dialog ticks and hides the box).
    confirm = forms.BooleanField(label=_("确认办结：已核对处罚决定，录入后问题即办结，不能撤销"), required=False)

    def __init__(self, *args, target: Target, **kwargs) -> None:
        # Ids of its own: the page's 办结 form has its box ``confirm`` too.
        kwargs.setdefault("auto_id", "id_penalty_%s")
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = penalty_departments(target)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class CloseForm(forms.Form):
    note = forms.CharField(label=_("办结情况"), max_length=REASON_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 3}))
    files = forms.FileField(label=_("佐证材料"), required=False,
                            widget=MultipleFileInput(attrs={"accept": filetypes.ACCEPT}))
    # 办结 cannot be undone. The page's dialog ticks this box (and hides it); without JavaScript it is ticked by
    # hand, and the view closes nothing until it is.
    confirm = forms.BooleanField(label=_("确认办结：已核对办结情况和佐证材料，办结后不能撤销"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = _("整改后照片、回执、决定书等，可选多个文件。可上传：%(allowed)s") % {
            "allowed": filetypes.allowed_text()}


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("佐证材料"))
    caption = forms.CharField(label=_("说明"), max_length=255, required=False)


class RecheckSubstitutionForm(forms.Form):
    """Who of the re-check's officers is replaced, by whom, and why (``services.do_substitute_recheck_officer``)."""

    member = forms.IntegerField(widget=forms.HiddenInput)
    newcomer = forms.IntegerField(label=_("接替的执法人员"))
    reason = forms.CharField(label=_("理由"), max_length=REASON_LENGTH, widget=forms.Textarea(attrs={"rows": 2}))
