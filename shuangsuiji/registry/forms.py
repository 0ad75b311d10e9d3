"""Forms of 两库一单. Saving goes through ``registry.services``; these only collect and check input."""

import datetime
import re
import unicodedata
from dataclasses import dataclass

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shuangsuiji import params
from shuangsuiji.engine import creditcode
from shuangsuiji.punctuation import join_sep
from shuangsuiji.registry.excel import CheckItemImporter, InspectorImporter
from shuangsuiji.registry.filters import MAX_OPTIONS
from shuangsuiji.registry.industry import ScopeError, normalise_scope
from shuangsuiji.registry.models import (
    CheckItem,
    Department,
    Inspector,
    Jurisdiction,
    Specialty,
    Target,
    TargetHistory,
    departments_outside,
    industry_code_problem,
    scope_message,
)
from shuangsuiji.registry.services import TRACKED_TARGET_FIELDS
from shuangsuiji.systemtext import system_text
from shuangsuiji.validators import validate_past_day


class DateInput(forms.DateInput):
    """A browser date picker; it only takes ISO dates, whatever the interface language formats dates as."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class ReasonMixin(forms.Form):
    reason = forms.CharField(label=_("变更理由"), required=False, max_length=500,
                             help_text=_("记入变更记录；修改监管类别、正面清单或状态时必填"),
                             widget=forms.TextInput(attrs={"placeholder": _("如：列入2021年重点排污单位名录")}))
    # A change takes effect when saved (the draws read the category now): dated after today, or before
    # 1949-10-01, it made the history contradict itself (a change "of 2030", then one "of 1990").
    effective_date = forms.DateField(label=_("生效日期"), required=False, help_text=_("不填为今天"),
                                     widget=DateInput(), validators=[validate_past_day])

    def reason_is_optional(self, placeholder: str) -> None:
        """For rows without a dated history (inspectors, items, departments) the reason is only a note."""
        self.fields["reason"].help_text = _("记入变更记录")
        self.fields["reason"].widget.attrs["placeholder"] = placeholder
        del self.fields["effective_date"]

    def clean(self):
        cleaned = super().clean()
        instance = getattr(self, "instance", None)
        tracked = [f for f in TRACKED_TARGET_FIELDS if f in getattr(self, "changed_data", ())]
        # A change of category, positive-list flag or status is a legal fact: it must say why.
        if isinstance(instance, Target) and instance.pk and tracked and not (cleaned.get("reason") or "").strip():
            labels = join_sep(str(TargetHistory.Field(f).label) for f in tracked)
            self.add_error("reason", _("修改%(fields)s必须填写变更理由") % {"fields": labels})
        return cleaned


class ReasonAdminForm(ReasonMixin, forms.ModelForm):
    """The admin's forms: the model's fields plus the reason, checked like the pages' forms."""


def scoped_jurisdictions(user):
    return Jurisdiction.objects.editable_by(user).order_by("path")


def _posted_ids(data, name: str) -> list:
    """The ids posted for a choice field, leaving out what is not an id (the field's own validation says
    what is wrong with it; here it would only make the options' query fail)."""
    values = data.getlist(name) if hasattr(data, "getlist") else data.get(name)
    values = list(values) if isinstance(values, (list, tuple)) else [values]
    return [value for value in values if params.number(str(value)) is not None]


def offer_departments_of_jurisdiction(form: forms.ModelForm, *names: str, with_ancestors: bool = False) -> None:
    """Keep the department fields' validation over the whole scope, but when the scope holds more than
    ``MAX_OPTIONS`` departments offer only those of the form's jurisdiction (as posted, else the row's,
    else the user's) and the ones already chosen — a province has thousands, a select of them is unusable.
    Choosing another jurisdiction and saving shows that jurisdiction's departments.

    ``with_ancestors``: the fields take a department of the jurisdiction or of one above it (a check item's);
    those are offered, the jurisdiction's own first, whatever the scope's size — a city's list of the
    counties' 170 departments offered choices its clean refuses."""
    jurisdiction = None
    if form.is_bound:
        jurisdiction = form.fields["jurisdiction"].queryset.filter(
            pk=params.number(str(form.data.get("jurisdiction", "")))).first()
    if jurisdiction is None:
        jurisdiction = (form.instance.jurisdiction if form.instance.jurisdiction_id
                        else getattr(form.user, "jurisdiction", None))
    places = Q(jurisdiction=jurisdiction)
    if with_ancestors and jurisdiction is not None:
        places = Q(jurisdiction__code__in=[jurisdiction.code, *jurisdiction.ancestor_codes()])
    for name in names:
        field = form.fields[name]
        if (jurisdiction is None if with_ancestors else field.queryset.count() <= MAX_OPTIONS):
            continue
        chosen = _posted_ids(form.data, name) if form.is_bound else (
            [d.pk for d in getattr(form.instance, name).all()] if form.instance.pk and name == "cooperating_departments"
            else [getattr(form.instance, f"{name}_id", None)])
        shown = list(field.queryset.filter(places | Q(pk__in=[c for c in chosen if c])).order_by(
            "jurisdiction__path", "name"))
        if with_ancestors:  # the nearest first: an item is mostly its own jurisdiction's departments' work
            shown.sort(key=lambda d: -len(d.jurisdiction.path))
        empty = [] if isinstance(field, forms.ModelMultipleChoiceField) else [("", field.empty_label)]
        # labelled as the field labels its own (the user form's officers: "涞水县·张三"), however many there are
        field.widget.choices = [*empty, *((d.pk, field.label_from_instance(d)) for d in shown)]


def refuse_a_taken_key(form: forms.ModelForm, model, *, known, unknown, **key) -> None:
    """Refuse a key another record already holds, saying what to do: Django's own words ("具有 执法证号 的 执法人员
    已存在") say neither which record nor what next. The record is named where the user may open it (``known``,
    with its name and place); one of another jurisdiction is not, as its page would not exist for him."""
    existing = model.objects.filter(**key).exclude(pk=form.instance.pk).select_related("jurisdiction").first()
    if existing is None:
        return
    user = getattr(form, "user", None)
    if user is not None and model.objects.visible_to(user).filter(pk=existing.pk).exists():
        raise forms.ValidationError(known, params={"name": existing.name, "place": existing.jurisdiction.name})
    raise forms.ValidationError(unknown)


class TargetForm(ReasonMixin, forms.ModelForm):
    class Meta:
        model = Target
        fields = ["credit_code", "name", "address", "jurisdiction", "industry_code", "industry_name", "longitude",
                  "latitude", "legal_representative", "contact_name", "contact_phone", "permit_number", "category",
                  "positive_list"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["jurisdiction"].queryset = scoped_jurisdictions(user)
        if self.instance.pk:
            # The credit code is the key the draw hashes; a wrong one is corrected by a new target.
            self.fields["credit_code"].disabled = True

    def clean_credit_code(self):
        code = creditcode.normalize(self.cleaned_data["credit_code"])
        problem = creditcode.validate(code)
        if problem:
            raise forms.ValidationError(system_text(problem))
        if not self.instance.pk:
            refuse_a_taken_key(
                self, Target, credit_code=code,
                known=_("该代码已登记为“%(name)s”（%(place)s）：请在名录库中打开该对象修改，不要重复新增"),
                unknown=_("该代码已登记在其他行政区的名录库中；企业迁入本辖区的，请联系市局调整"))
        return code

    def clean_industry_code(self):
        code = unicodedata.normalize("NFKC", self.cleaned_data["industry_code"] or "").strip().upper()
        problem = industry_code_problem(code)
        if problem:
            raise forms.ValidationError(problem)
        return code


class DefunctForm(forms.Form):
    defunct_date = forms.DateField(label=_("注销/关停日期"), widget=DateInput(), validators=[validate_past_day],
                                   help_text=_("此后不再参与抽取；对象及其检查记录保留在名录库中"))
    reason = forms.CharField(label=_("注销/关停原因"), max_length=255,
                             widget=forms.TextInput(attrs={"placeholder": _("如：企业已注销（营业执照注销公告）")}))


class ReactivateForm(forms.Form):
    effective_date = forms.DateField(label=_("恢复日期"), widget=DateInput(), validators=[validate_past_day])
    reason = forms.CharField(label=_("恢复理由"), max_length=255,
                             widget=forms.TextInput(attrs={"placeholder": _("如：误标注销，企业仍在生产")}))


class InspectorForm(ReasonMixin, forms.ModelForm):
    class Meta:
        model = Inspector
        fields = ["name", "certificate_number", "certificate_expiry", "jurisdiction", "department", "qualifications",
                  "specialties", "status", "is_double_random", "is_external", "external_kind", "organisation", "phone"]
        field_classes = {"specialties": params.ModelMultipleChoiceField}
        widgets = {"certificate_expiry": DateInput(),
                   "specialties": forms.CheckboxSelectMultiple}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["jurisdiction"].queryset = scoped_jurisdictions(user)
        self.fields["department"].queryset = Department.objects.editable_by(user).select_related("jurisdiction")
        self.fields["specialties"].queryset = Specialty.objects.all()
        offer_departments_of_jurisdiction(self, "department")
        self.reason_is_optional(_("如：换发执法证"))

    def clean_certificate_number(self):
        number = self.cleaned_data["certificate_number"]
        refuse_a_taken_key(
            self, Inspector, certificate_number=number,
            known=_("该执法证号已登记为“%(name)s”（%(place)s）：请在检查人员名录库中打开该人员修改，不要重复新增"),
            unknown=InspectorImporter.taken_elsewhere)
        return number

    def clean(self):
        cleaned = super().clean()  # the department of another jurisdiction: Inspector.clean says so
        # a date that could not be read is already said to be invalid: "须填写" beside it contradicts what he typed
        if (not cleaned.get("is_external") and not cleaned.get("certificate_expiry")
                and "certificate_expiry" not in self.errors):
            self.add_error("certificate_expiry", _("执法人员须填写执法证有效期"))
        if cleaned.get("is_external") and not cleaned.get("external_kind"):
            self.add_error("external_kind", _("外部专家须选择专家类型"))
        return cleaned


class RecusalForm(forms.Form):
    credit_code = forms.CharField(label=_("回避对象统一社会信用代码"), max_length=18)
    reason = forms.CharField(label=_("回避理由"), max_length=255)

    def __init__(self, *args, inspector=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.inspector = inspector

    def clean_credit_code(self):
        code = creditcode.normalize(self.cleaned_data["credit_code"])
        target = Target.objects.filter(credit_code=code,
                                       jurisdiction__path__startswith=self.inspector.jurisdiction.path)
        if not target.exists():
            raise forms.ValidationError(_("本行政区名录库中没有该统一社会信用代码的检查对象"))
        self.target = target.get()
        return code


class CheckItemForm(ReasonMixin, forms.ModelForm):
    class Meta:
        model = CheckItem
        fields = ["code", "name", "legal_basis", "content", "jurisdiction", "list_level", "responsible_department",
                  "cooperating_departments", "applies_general", "applies_key", "applies_special", "industries",
                  "specialty", "check_method", "is_active"]
        field_classes = {"cooperating_departments": params.ModelMultipleChoiceField}
        widgets = {"legal_basis": forms.Textarea(attrs={"rows": 3}), "content": forms.Textarea(attrs={"rows": 3}),
                   "cooperating_departments": forms.CheckboxSelectMultiple}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["jurisdiction"].queryset = scoped_jurisdictions(user)
        own = getattr(user, "jurisdiction", None)
        if self.instance.pk is None and own is not None and self.fields["jurisdiction"].queryset.filter(
                pk=own.pk).exists():
            # a new item is mostly the admin's own list: its place and level filled in, still changeable
            self.initial.update(jurisdiction=own.pk, list_level=own.level)
        departments = Department.objects.visible_to(user).select_related("jurisdiction")
        self.fields["responsible_department"].queryset = departments
        self.fields["cooperating_departments"].queryset = departments
        offer_departments_of_jurisdiction(self, "responsible_department", "cooperating_departments",
                                          with_ancestors=True)
        self.reason_is_optional(_("如：依据2021年新修订的事项清单"))

    def clean_code(self):
        code = self.cleaned_data["code"]
        refuse_a_taken_key(
            self, CheckItem, code=code,
            known=_("该事项编码已用于“%(name)s”（%(place)s）：请在随机抽查事项清单中打开该事项修改，或换用其他编码"),
            unknown=CheckItemImporter.taken_elsewhere)
        return code

    def clean_industries(self) -> str:
        # normalised here too, so that a form shown again (another field wrong) shows what will be stored
        try:
            return normalise_scope(self.cleaned_data["industries"])
        except ScopeError as error:
            raise forms.ValidationError(scope_message(error)) from None

    def clean(self):
        cleaned = super().clean()  # the responsible department of another jurisdiction: CheckItem.clean says so
        responsible = cleaned.get("responsible_department")
        cooperating = cleaned.get("cooperating_departments") or ()
        if responsible and responsible in cooperating:
            self.add_error("cooperating_departments", _("配合科室不能包含责任科室"))
        elif cleaned.get("jurisdiction"):
            outside = departments_outside(cleaned["jurisdiction"], cooperating)
            if outside:
                self.add_error("cooperating_departments", outside)
        if not any(cleaned.get(f) for f in ("applies_general", "applies_key", "applies_special")):
            self.add_error("applies_general", _("至少适用一类监管对象"))
        return cleaned


class DepartmentForm(ReasonMixin, forms.ModelForm):
    class Meta:
        model = Department
        fields = ["jurisdiction", "name", "code", "has_enforcement_duty", "is_active"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = scoped_jurisdictions(user)
        self.reason_is_optional(_("如：机构改革后更名"))


_DAY = r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
_LINE = re.compile(rf"^\s*{_DAY}(?:\s*(?:至|到|~|～|—|–|-)\s*{_DAY})?\s*(.*?)\s*$")


@dataclass(frozen=True)
class DayLine:
    """One line of a schedule as typed: its number, its text, the days it gives and what it calls them."""

    number: int
    text: str
    first: datetime.date
    last: datetime.date
    note: str

    @property
    def days(self) -> list[datetime.date]:
        return [self.first + datetime.timedelta(days=offset) for offset in range((self.last - self.first).days + 1)]

    def problem(self, what: str) -> str:
        """``what`` is wrong with this line, said with its number and text as the user typed it."""
        return _("第 %(n)s 行“%(line)s”：%(what)s") % {"n": self.number, "line": self.text, "what": what}


def read_day_lines(text: str) -> tuple[list[DayLine], list[tuple[int, str]]]:
    """The lines of ``text`` that name days, one a line or a range ("2027-02-06 至 2027-02-12 春节"), each with
    what it says after its dates (the holiday's name); and every other non-blank line's number and problem."""
    lines: list[DayLine] = []
    problems: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _LINE.match(line)
        if match is None:
            problems.append((number, _("第 %(n)s 行“%(line)s”：应为一个日期（2027-02-06）或一段日期"
                                       "（2027-02-06 至 2027-02-12），后面可写节日名称") % {
                "n": number, "line": line.strip()}))
            continue
        parts = [int(p) for p in match.groups()[:6] if p is not None]
        try:
            first = datetime.date(*parts[:3])
            last = datetime.date(*parts[3:6]) if len(parts) == 6 else first
        except ValueError:
            problems.append((number, _("第 %(n)s 行“%(line)s”：日期不存在") % {"n": number, "line": line.strip()}))
            continue
        if last < first or (last - first).days > 31:
            problems.append((number, _("第 %(n)s 行“%(line)s”：结束日期应在开始日期之后，且一段不超过 31 天") % {
                "n": number, "line": line.strip()}))
            continue
        lines.append(DayLine(number, line.strip(), first, last, match.group(7)))
    return lines, problems


def parse_days(text: str) -> dict[datetime.date, str]:
    """The days of ``text`` (``read_day_lines``), each with its name; every bad line named with its number and
    the reason."""
    lines, problems = read_day_lines(text)
    if problems:
        raise forms.ValidationError([message for _number, message in problems])
    return {day: line.note for line in lines for day in line.days}


def _listed(days: list[datetime.date]) -> str:
    """Days as a line names them: the first few, then how many more (a month's range would fill the page)."""
    shown = [day.isoformat() for day in days[:3]]
    return join_sep(shown) + (_("等 %(n)s 天") % {"n": len(days)} if len(days) > 3 else "")


class WorkdayScheduleForm(forms.Form):
    """A year's schedule as the State Council's notice (国务院办公厅关于某年部分节假日安排的通知) gives it.

    Every bad line of either field is named at its field with its number, its text and what is wrong — its
    form, a day outside the year, a 调休 working day that is a weekday anyway, a day given as both — in one
    submission: the notice is long, and fixing one line to be told of the next one cost a round per line."""

    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    holidays = forms.CharField(label=_("放假日"), widget=forms.Textarea(attrs={"rows": 8}),
                               help_text=_("每行一个日期或一段日期，可写节日名称，如：2027-02-06 至 2027-02-12 春节。"
                                           "通知写的“放假调休，共 N 天”整段照录，周末包括在内"))
    workdays = forms.CharField(label=_("调休上班日"), widget=forms.Textarea(attrs={"rows": 4}), required=False,
                               help_text=_("通知中周末上班的日期，每行一个，如：2027-02-14 春节调休"))
    source = forms.CharField(label=_("依据"), max_length=200,
                             help_text=_("通知的文号或名称，如：国办发明电〔2026〕X号"))

    def clean_holidays(self) -> tuple[list[DayLine], list[tuple[int, str]]]:
        return read_day_lines(self.cleaned_data["holidays"])

    def clean_workdays(self) -> tuple[list[DayLine], list[tuple[int, str]]]:
        return read_day_lines(self.cleaned_data.get("workdays") or "")

    def clean(self) -> dict:
        cleaned = super().clean()
        year = cleaned.get("year")
        # each field's lines and problems, the lines of its form already in them (read_day_lines)
        holidays, holiday_problems = cleaned.get("holidays") or ([], [])
        workdays, workday_problems = cleaned.get("workdays") or ([], [])
        problems = {"holidays": list(holiday_problems), "workdays": list(workday_problems)}
        for field, lines in (("holidays", holidays), ("workdays", workdays)):
            for line in lines:
                outside = [day for day in line.days if year is not None and day.year != year]
                if outside:
                    problems[field].append((line.number, line.problem(_("%(days)s 不在 %(year)s 年") % {
                        "days": _listed(outside), "year": year})))
        holiday_lines = {day: line for line in holidays for day in line.days}
        for line in workdays:
            weekdays = [day for day in line.days if day.weekday() < 5]
            if weekdays:
                problems["workdays"].append((line.number, line.problem(_(
                    "%(days)s 是星期%(weekday)s，本来就是工作日；调休上班日应是周末") % {
                    "days": _listed(weekdays), "weekday": "、".join(dict.fromkeys(
                        "一二三四五"[day.weekday()] for day in weekdays))})))
            both = [day for day in line.days if day in holiday_lines]
            if both:
                problems["workdays"].append((line.number, line.problem(_("%(days)s 已在放假日第 %(n)s 行填为放假日") % {
                    "days": _listed(both), "n": join_sep(dict.fromkeys(
                        str(holiday_lines[day].number) for day in both))})))
        for field, found in problems.items():
            if found:
                # by line, as the user reads the box: a line's form and its days' problems side by side
                self.add_error(field, [message for _number, message in sorted(found, key=lambda p: p[0])])
        if not self.errors:
            # what the service takes: each day with its name
            cleaned["holidays"] = {day: line.note for line in holidays for day in line.days}
            cleaned["workdays"] = {day: line.note for line in workdays for day in line.days}
        return cleaned
