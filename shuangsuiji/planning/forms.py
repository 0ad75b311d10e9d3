"""Forms of planning. They only collect input; the service functions decide and validate."""

from datetime import date

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shuangsuiji import params
from shuangsuiji.accounts.models import Role
from shuangsuiji.engine.workdays import quarter_of
from shuangsuiji.planning import gather
from shuangsuiji.planning.models import Plan, PlanKind, PlanStratum, PublicSource, quarter_text
from shuangsuiji.registry.models import CheckItem, Department, Jurisdiction, Level
from shuangsuiji.validators import REASON_LENGTH

QUARTERS = [(1, _("第一季度")), (2, _("第二季度")), (3, _("第三季度")), (4, _("第四季度"))]


def joint_items(jurisdiction: Jurisdiction, department_id: int | None) -> QuerySet:
    """The items a joint plan of ``jurisdiction`` initiated by the department may take (services._check_joint): of
    the jurisdiction's own list those the department is responsible for, and the lists above it, which it applies."""
    return gather.visible_items(jurisdiction).exclude(Q(jurisdiction_id=jurisdiction.pk)
                                                      & ~Q(responsible_department_id=department_id or 0))


def say_choices(form: forms.Form, **messages: str) -> None:
    """What a choice outside a field's offer says, by field name (a crafted POST, or a page left open while the lists
    changed): which field, and which choices it takes — never the id posted (``params.ModelMultipleChoiceField``)."""
    for name, text in messages.items():
        form.fields[name].error_messages = {**form.fields[name].error_messages, "invalid_choice": text}


class PlanForm(forms.Form):
    jurisdiction = forms.ModelChoiceField(Jurisdiction.objects.none(), label=_("行政区"), empty_label=_("请选择"))
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label=_("季度"), choices=QUARTERS, coerce=int)
    # A 线索核查 is opened from its approved clue (planning.services.do_open_clue_check), a 跨部门联合抽查 entered on
    # its own form (CrossCheckForm): neither is made here.
    kind = forms.ChoiceField(label=_("类型"), initial=PlanKind.REGULAR,
                             choices=[(k, label) for k, label in PlanKind.choices
                                      if k not in (PlanKind.CLUE, PlanKind.CROSS)])
    department = forms.ModelChoiceField(Department.objects.none(), label=_("发起科室"), required=False,
                                        empty_label=_("请选择"),
                                        help_text=_("仅内部联合抽查计划：负责所选事项的科室"))
    check_items = params.ModelMultipleChoiceField(
        CheckItem.objects.none(), label=pgettext_lazy("list", "抽查事项"), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选则用默认：双随机抽查计划为全部适用事项，联合抽查计划为发起科室负责的事项"))
    departments = params.ModelMultipleChoiceField(
        Department.objects.none(), label=_("参加科室"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("仅内部联合抽查计划：不选则为发起科室和事项清单列明的配合科室"))
    require_specialties = forms.BooleanField(label=_("检查组须具备事项所需专长"), required=False)
    # The bounds of the columns (and, for a drand round, of a round whose time is a date): a larger number was a
    # server error on PostgreSQL, or an overflow computing the round's time.
    max_load = forms.IntegerField(label=_("每人任务上限"), min_value=1, max_value=32767, required=False,
                                  help_text=_("不填则不设上限，抽取时取能完成分配的最小负荷并均衡分配"))

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        scope = Jurisdiction.objects.visible_to(user).filter(level__in=[Level.CITY, Level.COUNTY])
        if user.jurisdiction_id and not user.is_superuser:
            scope = scope.filter(path__startswith=user.jurisdiction.path)
        department_user = user.role == Role.DEPARTMENT and not user.is_superuser
        if department_user:
            # A department initiates joint plans of its own jurisdiction only (permissions.can_create): offered a
            # regular plan or a county below, it was refused after filling the whole form in.
            scope = scope.filter(departments=user.department_id)
            self.fields["kind"].choices = [(PlanKind.JOINT, PlanKind.JOINT.label)]
        self.fields["jurisdiction"].queryset = scope.order_by("path")
        departments = Department.objects.filter(jurisdiction__in=scope, has_enforcement_duty=True).select_related(
            "jurisdiction").order_by("jurisdiction__path", "name")
        if department_user:
            self.fields["kind"].initial = PlanKind.JOINT
            self.fields["department"].queryset = departments.filter(pk=user.department_id)
            self.fields["department"].initial = user.department_id
        else:
            self.fields["department"].queryset = departments
        if user.jurisdiction_id:
            # One's own jurisdiction's plan is the usual one (a county admin has no other to choose).
            self.fields["jurisdiction"].initial = user.jurisdiction_id
        self.fields["departments"].queryset = departments
        self.fields["departments"].label_from_instance = str
        self.fields["department"].label_from_instance = str
        if user.jurisdiction_id:
            # Of his own jurisdiction's list, a department user is offered only the items his department is
            # responsible for (services._check_joint): offered all of them, he was refused for another's item.
            self.fields["check_items"].queryset = (joint_items(user.jurisdiction, user.department_id)
                                                   if department_user else gather.visible_items(user.jurisdiction))
        place = user.jurisdiction.name if user.jurisdiction_id else ""
        if department_user:
            own = user.department.name if user.department_id else ""
            say_choices(
                self,
                jurisdiction=_("行政区：科室用户只能编制本科室所在行政区（%(place)s）的联合抽查计划") % {
                    "place": place},
                check_items=_("抽查事项：所选的有不能选的事项。只能选%(place)s适用的抽查事项清单中的事项，其中%(place)s本级"
                              "清单的事项只能选本科室（%(department)s）负责的；请按页面列出的事项重新勾选") % {
                    "place": place, "department": own},
                departments=_("参加科室：所选的有不能选的科室。只能选%(place)s具有执法职能的科室；"
                              "请按页面列出的科室重新勾选") % {"place": place},
                department=_("发起科室：科室用户只能以本科室（%(department)s）发起联合抽查") % {"department": own})
        else:
            say_choices(
                self,
                jurisdiction=_("行政区：只能选本辖区的市、县级行政区"),
                check_items=_("抽查事项：所选的有不能选的事项。只能选%(place)s适用的抽查事项清单中在用的事项；"
                              "请按页面列出的事项重新勾选") % {"place": place},
                departments=_("参加科室：所选的有不能选的科室。只能选本辖区具有执法职能的科室；"
                              "请按页面列出的科室重新勾选"),
                department=_("发起科室：只能选本辖区具有执法职能的科室"))
        today = timezone.localdate()
        year, quarter = today.year, quarter_of(today)
        # Once this quarter's plan exists, the plan to make is the next quarter's (drawn at this quarter's end).
        made = Plan.objects.filter(year=year, quarter=quarter)
        made = (made.filter(kind=PlanKind.JOINT, department_id=user.department_id) if user.role == Role.DEPARTMENT
                else made.filter(kind=PlanKind.REGULAR, jurisdiction_id=user.jurisdiction_id))
        if user.jurisdiction_id and made.exists():
            year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
        self.fields["year"].initial = year
        self.fields["quarter"].initial = quarter

    def clean(self) -> dict:
        from shuangsuiji.planning.services import cross_check_quarters  # services import this module

        data = super().clean()
        year, quarter = data.get("year"), data.get("quarter")
        # A plan of a quarter that is over could never be drawn, and a draft stays on the list for good.
        if year and quarter and gather.quarter_end(year, quarter) < timezone.localdate():
            self.add_error("quarter", _("%(year)s年第%(quarter)s季度已经结束，不能再编制抽查计划") % {
                "year": year, "quarter": quarter})
        elif year and quarter and (year, quarter) > cross_check_quarters()[-1]:
            # A quarter further ahead (a year mistyped, say) made a draft that cannot be withdrawn and stays on
            # the list, its quotas counted on registries a year stale; it is drawn at the end of the quarter
            # before it (实施方案 二(四)), so it is made then.
            following = cross_check_quarters()[-1]
            self.add_error("quarter", _(
                "%(year)s年第%(quarter)s季度的计划还不能编制：只能编制本季度或下一季度（%(next)s）的计划，"
                "抽取在上一季度末进行") % {"year": year, "quarter": quarter, "next": quarter_text(*following)})
        return data


class JointContentsForm(forms.Form):
    """A draft joint plan's items and participating departments, corrected (``services.do_correct_joint``): offered
    as the plan form offers them to its department, checked by the service as when the plan was made."""

    check_items = params.ModelMultipleChoiceField(
        CheckItem.objects.none(), label=pgettext_lazy("list", "抽查事项"), required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("发起科室负责的事项，以及上级清单中的事项"))
    departments = params.ModelMultipleChoiceField(
        Department.objects.none(), label=_("参加科室"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("至少两个，含发起科室；每个检查组须有每个参加科室的一名执法人员"))

    def __init__(self, *args, plan: Plan, **kwargs) -> None:
        kwargs.setdefault("initial", {"check_items": list(plan.check_items.values_list("pk", flat=True)),
                                      "departments": list(plan.departments.values_list("pk", flat=True))})
        super().__init__(*args, **kwargs)
        place = plan.jurisdiction
        self.fields["check_items"].queryset = joint_items(place, plan.department_id)
        self.fields["departments"].queryset = Department.objects.filter(
            jurisdiction=place, has_enforcement_duty=True).order_by("name")
        # all of the plan's jurisdiction: its name before each (as the plan form lists several) says nothing here
        self.fields["departments"].label_from_instance = lambda department: department.name
        say_choices(
            self,
            check_items=_("抽查事项：所选的有不能选的事项。只能选%(place)s适用的抽查事项清单中的事项，其中%(place)s本级清单的"
                    "事项只能选发起科室（%(department)s）负责的；请按页面列出的事项重新勾选") % {
                "place": place.name, "department": plan.department.name},
            departments=_("参加科室：所选的有不能选的科室。只能选%(place)s具有执法职能的科室；"
                          "请按页面列出的科室重新勾选") % {"place": place.name})


class RequestedForm(forms.Form):
    """One number (and, below the minimum, a reason) per drawn stratum of a draft plan."""

    def __init__(self, *args, strata: list[PlanStratum], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.strata = strata
        for row in strata:
            self.fields[f"requested_{row.stratum}"] = forms.IntegerField(
                label=row.get_stratum_display(), min_value=0, max_value=2**31 - 1, initial=row.requested)
            self.fields[f"reason_{row.stratum}"] = forms.CharField(
                label=_("少抽理由"), required=False, max_length=REASON_LENGTH, initial=row.shortfall_reason,
                widget=forms.Textarea(attrs={"rows": 2}))

    def values(self) -> tuple[dict[str, int], dict[str, str]]:
        requested = {row.stratum: self.cleaned_data[f"requested_{row.stratum}"] for row in self.strata}
        reasons = {row.stratum: self.cleaned_data[f"reason_{row.stratum}"] for row in self.strata}
        return requested, reasons


class DecisionForm(forms.Form):
    approve = forms.TypedChoiceField(choices=[("1", _("批准")), ("0", _("不批准"))], coerce=lambda v: v == "1")
    decision = forms.CharField(label=_("审批意见"), required=False, max_length=REASON_LENGTH,
                               widget=forms.Textarea(attrs={"rows": 2}))


class FreezeForm(forms.Form):
    draw_date = forms.DateField(label=_("公布的抽取日期"), widget=forms.DateInput(attrs={"type": "date"},
                                                                                 format="%Y-%m-%d"))

    def __init__(self, *args, today: date | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if today is not None:
            # the date picker offers no day already past; the service refuses one whatever the browser sends
            self.fields["draw_date"].widget.attrs["min"] = today.isoformat()


class PublicValueForm(forms.Form):
    source = forms.ChoiceField(label=_("来源"), choices=PublicSource.choices, initial=PublicSource.DICE)
    value = forms.CharField(label=_("公开随机数"), max_length=200)  # its help, per source, is on the plan page
    witnesses = forms.CharField(label=_("见证人"), required=False,
                                help_text=_("掷骰时至少两人，姓名以逗号或顿号分隔"))
    lottery_name = forms.CharField(label=_("彩票名称"), required=False, max_length=100)
    lottery_date = forms.DateField(label=_("开奖日期"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    drand_round = forms.IntegerField(label=_("drand 轮次"), required=False, min_value=1, max_value=10**9)

    def witness_names(self) -> list[str]:
        text = self.cleaned_data["witnesses"].replace("、", ",").replace("，", ",")
        return [name.strip() for name in text.split(",") if name.strip()]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=REASON_LENGTH, widget=forms.Textarea(attrs={"rows": 2}))


class InspectorSubstitutionForm(forms.Form):
    member = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("理由"), max_length=REASON_LENGTH, widget=forms.Textarea(attrs={"rows": 2}))


class CrossCheckForm(forms.Form):
    """A 跨部门联合抽查 entered by an admin: its facts and the targets the initiating department drew on the
    部门协同监管平台. The service (``do_create_cross_check``) checks each line of the credit codes."""

    jurisdiction = forms.ModelChoiceField(Jurisdiction.objects.none(), label=_("行政区"), empty_label=_("请选择"))
    period = forms.ChoiceField(label=_("季度"))
    initiator = forms.CharField(label=_("发起部门"), required=False, max_length=100,
                                help_text=_("不填为本局发起；其他部门发起时填写其名称，如 保定市市场监督管理局"))
    participants = forms.CharField(
        label=_("参与部门"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("本局以外参加检查的部门，每行一个；其他部门发起时，发起部门自动列入"))
    platform_ref = forms.CharField(label=_("协同监管平台任务编号"), required=False, max_length=64)
    deadline = forms.DateField(label=_("检查截止日期"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                               help_text=_("发起部门规定的日期，须在所选季度内；不填为季度末"))
    targets = forms.CharField(
        label=_("检查对象的统一社会信用代码"), required=False, max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 8, "class": "font-monospace", "spellcheck": "false"}),
        help_text=_("发起部门在协同监管平台抽取的对象，每行一个；可直接粘贴表格中的一列，空行和首尾空格会被忽略"))
    check_items = params.ModelMultipleChoiceField(
        CheckItem.objects.none(), label=pgettext_lazy("list", "抽查事项"), required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("不选则为适用于这些检查对象的全部事项"))
    require_specialties = forms.BooleanField(label=_("检查组须具备事项所需专长"), required=False)

    def __init__(self, *args, user, today: date | None = None, **kwargs) -> None:
        from shuangsuiji.planning.services import cross_check_quarters

        super().__init__(*args, **kwargs)
        scope = Jurisdiction.objects.visible_to(user).filter(level__in=[Level.CITY, Level.COUNTY])
        if user.jurisdiction_id and not user.is_superuser:
            scope = scope.filter(path__startswith=user.jurisdiction.path)
        self.fields["jurisdiction"].queryset = scope.order_by("path")
        items = CheckItem.objects.filter(is_active=True)
        if user.jurisdiction_id:
            self.fields["jurisdiction"].initial = user.jurisdiction_id
            # a city admin may enter a county's check: its own list's items are offered too (the service keeps
            # those of the chosen jurisdiction that apply to the targets)
            own = user.jurisdiction
            items = items.filter(Q(jurisdiction__path__startswith=own.path)
                                 | Q(jurisdiction__code__in=own.ancestor_codes()))
        self.fields["check_items"].queryset = items.order_by("code")
        self.fields["period"].choices = [(f"{year}-{quarter}", _("%(year)s年第%(quarter)s季度") % {
            "year": year, "quarter": quarter}) for year, quarter in cross_check_quarters(today)]

    def clean_period(self) -> tuple[int, int]:
        year, quarter = self.cleaned_data["period"].split("-")
        return int(year), int(quarter)

    def participant_names(self) -> list[str]:
        text = self.cleaned_data["participants"]
        for mark in ("、", "，", ",", "；", ";"):
            text = text.replace(mark, "\n")
        return [name.strip() for name in text.splitlines() if name.strip()]
