"""Forms of the bureau's publication pages. They check the shape of what is typed; the services decide what is
allowed (who, which state, which fields) and their errors are put back on the form."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuangsuiji.disclosure import redaction, services
from shuangsuiji.disclosure.models import (
    MASKABLE_FIELDS,
    Outcome,
    PublicationKind,
    PublishedResult,
    RedactionAction,
    RedactionBasis,
)
from shuangsuiji.fieldwork.models import ItemResult
from shuangsuiji.punctuation import join_sep
from shuangsuiji.registry.models import Jurisdiction

INPUT = {"class": "form-control"}
SELECT = {"class": "form-select"}


def put_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's ValidationError on the form: on the field it names, otherwise above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


class JurisdictionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Jurisdiction) -> str:
        return obj.name


class PrepareForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=PublicationKind.choices, widget=forms.Select(attrs=SELECT))
    jurisdiction = JurisdictionChoice(label=_("行政区"), queryset=Jurisdiction.objects.none(),
                                      widget=forms.Select(attrs=SELECT))
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100, widget=forms.NumberInput(attrs=INPUT))
    month = forms.IntegerField(label=_("月份"), min_value=1, max_value=12, required=False,
                               widget=forms.NumberInput(attrs=INPUT))

    def __init__(self, *args, jurisdictions=None, **kwargs) -> None:
        # Its own ids: the page holds the case form beside it with the same fields, and a label (“隐去字段”,
        # “单位名称”) ticked the other form's box where the ids were the same.
        kwargs.setdefault("auto_id", "rule-%s")
        super().__init__(*args, **kwargs)
        if jurisdictions is not None:
            self.fields["jurisdiction"].queryset = jurisdictions

    def clean(self) -> dict:
        data = super().clean()
        if data.get("kind") == PublicationKind.RESULTS and not data.get("month"):
            self.add_error("month", _("月度抽查结果须选择月份"))
        return data


class NoteForm(forms.Form):
    note = forms.CharField(label=_("审核意见"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={**INPUT, "rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=2000, widget=forms.Textarea(attrs={**INPUT, "rows": 2}),
                             error_messages={"required": _("请填写理由")})


class RedactionFields(forms.Form):
    action = forms.ChoiceField(label=_("处理"), choices=RedactionAction.choices, widget=forms.RadioSelect)
    fields = forms.MultipleChoiceField(label=_("隐去的字段"), required=False, choices=list(MASKABLE_FIELDS.items()),
                                       widget=forms.CheckboxSelectMultiple,
                                       help_text=_("处理为“隐去字段”时选择；整条不予公开时不必选择"))
    basis = forms.ChoiceField(label=_("依据"), choices=RedactionBasis.choices, widget=forms.Select(attrs=SELECT))
    reason = forms.CharField(label=_("理由"), max_length=2000, widget=forms.Textarea(attrs={**INPUT, "rows": 2}),
                             error_messages={"required": _("请填写不予公开的理由")})


class RuleForm(RedactionFields):
    jurisdiction = JurisdictionChoice(label=_("适用行政区"), queryset=Jurisdiction.objects.none(),
                                      widget=forms.Select(attrs=SELECT))
    industry_prefix = forms.RegexField(label=_("行业代码前缀"), regex=r"^[0-9]{1,4}$", required=False,
                                       widget=forms.TextInput(attrs={**INPUT, "inputmode": "numeric"}),
                                       error_messages={"invalid": _("行业代码前缀应为 1–4 位数字，如 26 或 2614")})
    credit_code = forms.CharField(label=_("或：检查对象的统一社会信用代码"), required=False, max_length=18,
                                  widget=forms.TextInput(attrs={**INPUT, "class": "form-control font-monospace"}))

    field_order = ["jurisdiction", "industry_prefix", "credit_code", "action", "fields", "basis", "reason"]

    def __init__(self, *args, jurisdictions=None, **kwargs) -> None:
        # Its own ids: the page holds the case form beside it with the same fields, and a label (“隐去字段”,
        # “单位名称”) ticked the other form's box where the ids were the same.
        kwargs.setdefault("auto_id", "rule-%s")
        super().__init__(*args, **kwargs)
        if jurisdictions is not None:
            self.fields["jurisdiction"].queryset = jurisdictions

    def clean_credit_code(self) -> str:
        return self.cleaned_data["credit_code"].strip().upper()

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("industry_prefix") and not data.get("credit_code") and not self.errors:
            raise ValidationError(_("请填写行业代码前缀或检查对象的统一社会信用代码"))
        if data.get("industry_prefix") and data.get("credit_code"):
            raise ValidationError(_("行业代码前缀与检查对象只能填一项：一条规则只按一种方式匹配"))
        return data


class CaseForm(RedactionFields):
    record_number = forms.CharField(label=_("检查记录编号"), max_length=48,
                                    widget=forms.TextInput(attrs={**INPUT, "class": "form-control font-monospace"}),
                                    help_text=_("现场检查记录表右上角的编号，如 QY2026Q1-000123"))

    field_order = ["record_number", "action", "fields", "basis", "reason"]

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "case-%s")  # see RuleForm
        super().__init__(*args, **kwargs)

    def clean_record_number(self) -> str:
        return self.cleaned_data["record_number"].strip().upper()


SCRUBBED = _("以下内容涉及个人信息，公开时将以“%(mask)s”代替：%(removed)s。框中已是将公开的文字，请核对后再次保存。")


class CorrectionForm(forms.Form):
    """The fields of a published result that are corrected by hand. Each problem keeps its check item and its
    handling, but its description can be rewritten (wrong, or telling what it should not) and its penalty
    decision number filled in (decided after publication)."""

    target_name = forms.CharField(label=_("单位名称"), max_length=128, required=False,
                                  widget=forms.TextInput(attrs=INPUT))
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=18, required=False,
                                  widget=forms.TextInput(attrs={**INPUT, "class": "form-control font-monospace"}))
    industry_code = forms.CharField(label=_("行业代码"), max_length=5, required=False,
                                    widget=forms.TextInput(attrs=INPUT))
    industry_name = forms.CharField(label=_("行业名称"), max_length=64, required=False,
                                    widget=forms.TextInput(attrs=INPUT))
    inspected_on = forms.DateField(label=_("检查日期"), widget=forms.DateInput(attrs={**INPUT, "type": "date"},
                                                                               format="%Y-%m-%d"))
    outcome = forms.ChoiceField(label=_("检查结果"), choices=Outcome.choices, widget=forms.Select(attrs=SELECT))
    reason = forms.CharField(label=_("更正理由"), max_length=2000, widget=forms.Textarea(attrs={**INPUT, "rows": 2}),
                             help_text=_("门户上与更正一并公开"), error_messages={"required": _("请填写更正理由")})

    SIMPLE = ("target_name", "credit_code", "industry_code", "industry_name", "inspected_on", "outcome")

    def __init__(self, *args, result: PublishedResult, **kwargs) -> None:
        # A description masked by a redaction decision is not offered: rewriting it would publish what the
        # decision hides (the service refuses it too).
        self.masked = bool({n.get("field") for n in result.redactions} & {"problems", "*"})
        initial = {name: getattr(result, name) for name in self.SIMPLE}
        for n, problem in enumerate(result.problems):
            initial[f"description_{n}"] = problem.get("description", "")
            initial[f"decision_{n}"] = problem.get("decision_number", "")
        super().__init__(*args, initial=initial, **kwargs)
        self.result = result
        problem_fields = []
        for n, problem in enumerate(result.problems):
            label = {"n": n + 1, "item": problem.get("item", "")}
            if not self.masked:
                self.fields[f"description_{n}"] = forms.CharField(
                    label=_("问题%(n)s“%(item)s”的描述") % label,
                    # The length the record's own text may have (the published text is a copy of it).
                    max_length=ItemResult._meta.get_field("notes").max_length,
                    widget=forms.Textarea(attrs={**INPUT, "rows": 3}),
                    error_messages={"required": _("问题%(n)s的描述不能为空：请填写更正后的描述") % label})
                problem_fields.append(f"description_{n}")
            self.fields[f"decision_{n}"] = forms.CharField(
                label=_("问题%(n)s“%(item)s”的处罚决定书文号") % label,
                max_length=64, required=False, widget=forms.TextInput(attrs=INPUT))
            problem_fields.append(f"decision_{n}")
        self.order_fields([*self.SIMPLE, *problem_fields, "reason"])

    def simple_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.SIMPLE]

    def problems(self) -> list[dict]:
        """Each published problem with its fields, for the page to show the check item and handling (which
        are not corrected here) beside the description and decision number."""
        rows = []
        for n, problem in enumerate(self.result.problems):
            rows.append({"n": n + 1, "item": problem.get("item", ""), "handling": problem.get("handling", ""),
                         "deadline": problem.get("deadline", ""), "masked": self.masked,
                         "description": None if self.masked else self[f"description_{n}"],
                         "decision": self[f"decision_{n}"]})
        return rows

    def clean_inspected_on(self):
        day = self.cleaned_data["inspected_on"]
        if day > timezone.localdate():
            raise ValidationError(_("检查日期不能晚于今天"))
        return day

    def clean(self) -> dict:
        data = super().clean()
        # An edited description goes through the snapshot's scrubber before it is stored. When the scrubber
        # changes what was typed, nothing is saved yet: the field comes back holding the text as it will be
        # published, with what was taken out named, and saving again confirms it. Storing the scrubbed text
        # silently would leave the staff to find "＊＊＊" on the portal, where fixing a sentence the mask made
        # unreadable costs another public correction; asking them to re-read the exact text costs one click.
        if self.masked:
            return data
        for n, problem in enumerate(self.result.problems):
            name = f"description_{n}"
            typed = data.get(name)
            if not typed or services.same_text(typed, problem.get("description", "")):
                continue
            published, removed = services.scrub_description(self.result, typed.replace("\r\n", "\n"))
            if removed:
                self.data = self.data.copy()  # a bound form's QueryDict is immutable
                self.data[name] = published
                self.add_error(name, SCRUBBED % {"mask": redaction.MASK, "removed": join_sep(removed)})
        return data

    def changes(self) -> dict:
        """Only what differs from the published row, in the form the service takes."""
        values: dict = {}
        for name in self.SIMPLE:
            new = self.cleaned_data[name]
            new = new.isoformat() if name == "inspected_on" else new.strip()
            old = getattr(self.result, name)
            if new != (old.isoformat() if name == "inspected_on" else old):
                values[name] = new
        problems = []
        for n, problem in enumerate(self.result.problems):
            problem = dict(problem, decision_number=self.cleaned_data[f"decision_{n}"].strip())
            typed = self.cleaned_data.get(f"description_{n}")
            if typed is not None and not services.same_text(typed, problem.get("description", "")):
                problem["description"] = typed.replace("\r\n", "\n")
            problems.append(problem)
        if problems != self.result.problems:
            values["problems"] = problems
        return values


class ObjectionForm(forms.Form):
    """The enterprise's objection. Every field is checked by ``services.do_receive_objection``, which reports
    all that is wrong at once; the form only carries the text (and tells a phone's keyboard what to show)."""

    credit_code = forms.CharField(label=_("本单位统一社会信用代码"), required=False, max_length=40,
                                  widget=forms.TextInput(attrs={**INPUT, "autocomplete": "off",
                                                                "autocapitalize": "characters", "required": True}))
    organisation = forms.CharField(label=_("单位名称"), required=False, max_length=200,
                                   widget=forms.TextInput(attrs={**INPUT, "autocomplete": "organization",
                                                                 "required": True}))
    contact_name = forms.CharField(label=_("联系人"), required=False, max_length=60,
                                   widget=forms.TextInput(attrs={**INPUT, "autocomplete": "name", "required": True}))
    contact_phone = forms.CharField(label=_("联系电话"), required=False, max_length=60,
                                    widget=forms.TextInput(attrs={**INPUT, "autocomplete": "tel", "inputmode": "tel",
                                                                  "required": True}))
    content = forms.CharField(label=_("异议内容"), required=False, max_length=services.OBJECTION_TEXT_MAX + 200,
                              help_text=_("对哪一项内容有异议（检查日期、事项、发现的问题、处理……）、为什么、正确的应是什么；"
                                          "证明材料请在答复前按承办的生态环境部门来电提供"),
                              widget=forms.Textarea(attrs={**INPUT, "rows": 6, "required": True,
                                                           "maxlength": services.OBJECTION_TEXT_MAX}))


class ObjectionLookupForm(forms.Form):
    number = forms.CharField(label=_("异议编号"), max_length=40,
                             widget=forms.TextInput(attrs={**INPUT, "autocomplete": "off",
                                                           "autocapitalize": "characters"}))
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=40,
                                  widget=forms.TextInput(attrs={**INPUT, "autocomplete": "off",
                                                                "autocapitalize": "characters"}))


class ObjectionAnswerForm(forms.Form):
    accepted = forms.TypedChoiceField(label=_("答复结论"), coerce=lambda value: value == "yes",
                                      choices=[("yes", _("采纳")), ("no", _("不予采纳"))],
                                      error_messages={"required": _("请选择答复结论：采纳或不予采纳")},
                                      widget=forms.RadioSelect(attrs={"class": "form-check-input"}))
    reply = forms.CharField(label=_("答复"), required=False, max_length=services.OBJECTION_TEXT_MAX + 200,
                            help_text=_("企业凭异议编号在公开门户看到这段答复。采纳的，写明怎样更正（如已更正公开结果、"
                                        "已申请更正检查记录）；不予采纳的，写明理由和依据"),
                            widget=forms.Textarea(attrs={**INPUT, "rows": 5}))

    def clean(self):
        cleaned = super().clean()
        # A missing conclusion stopped the form before the service could say the reply was empty too: both at
        # once, in the service's words, so the second submit is the last.
        if "accepted" not in cleaned and not (cleaned.get("reply") or "").strip():
            self.add_error("reply", services.EMPTY_REPLY)
        return cleaned
