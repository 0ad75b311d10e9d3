"""Forms for managing users. They only collect input; ``accounts.services`` checks and saves it.

The forms run the service's own checks (``validate_user``) before they are valid, so a role that does not
fit its jurisdiction, a user outside the acting admin's scope or a missing reason shows up next to the
field instead of as an error page.
"""

from datetime import timedelta

from django import forms
from django.contrib.auth.forms import (
    AdminUserCreationForm,
    SetPasswordForm,
    UserChangeForm,
    UserCreationForm,
    UsernameField,
)
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.db.models.fields import BLANK_CHOICE_LABEL
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from shuangsuiji.accounts.models import Role, User, county_refusal
from shuangsuiji.accounts.services import (
    TOKEN_DEFAULT_DAYS,
    TOKEN_MAX_DAYS,
    check_binding,
    check_token_request,
    validate_user,
)
from shuangsuiji.registry.filters import FilterForm
from shuangsuiji.registry.forms import DateInput, offer_departments_of_jurisdiction
from shuangsuiji.registry.models import Department, Inspector, InspectorStatus, Jurisdiction
from shuangsuiji.textsearch import every_word


def reason_field() -> forms.CharField:
    return forms.CharField(label=_("变更理由"), required=False, max_length=500,
                           help_text=_("修改角色、所属行政区、科室、执法人员档案或账号状态时必填"))


class ServiceCheckedMixin:
    """Runs ``validate_user`` once the instance carries the form's values (forms using it declare
    ``reason = reason_field()``)."""

    acting_user: User | None = None
    """Set per request: by the admin (``UserAdmin.get_form``), by the pages' forms when they are made."""

    def _post_clean(self) -> None:
        super()._post_clean()
        if self.errors:
            # The service's checks read the instance, which is only whole when every field is. The binding of
            # role, jurisdiction, department and officer record reads those four alone: when they are whole, say
            # now what is wrong with them too, rather than after the other fields are mended and sent again.
            if not any(name in self.errors for name in BINDING_FIELDS):
                try:
                    check_binding(self.instance)
                except ValidationError as error:
                    for field, messages in error.message_dict.items():
                        if field not in self.errors:
                            self.add_error(field if field in self.fields else None, messages)
            return
        try:
            validate_user(self.instance, acting_user=self.acting_user,
                          reason=self.cleaned_data.get("reason") or "")
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        except PermissionDenied as error:
            self.add_error(None, str(error))


class UserAddForm(ServiceCheckedMixin, AdminUserCreationForm):
    reason = reason_field()

    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "last_name", "first_name", "phone", "email", "role", "jurisdiction", "department",
                  "inspector")


class UserEditForm(ServiceCheckedMixin, UserChangeForm):
    reason = reason_field()

    class Meta(UserChangeForm.Meta):
        model = User


# ------------------------------------------------------------------------------ the 用户管理 pages

PAGE_FIELDS = ("username", "last_name", "first_name", "phone", "email", "role", "jurisdiction", "department",
               "inspector")
BINDING_FIELDS = ("role", "jurisdiction", "department", "inspector")


class ScopedUserFieldsMixin:
    """The page forms' choices: only the acting admin's jurisdictions, departments and officers.

    The service refuses anything outside his scope anyway; offering it would only lead to that error. An
    officer's record is offered once: a record already bound to another login cannot be bound again.
    """

    def scope_choices(self, acting_user: User) -> None:
        self.acting_user = acting_user
        self.user = acting_user  # offer_departments_of_jurisdiction narrows around the admin's jurisdiction
        self.fields["jurisdiction"].queryset = Jurisdiction.objects.editable_by(acting_user).order_by("path")
        # nobody but a superuser goes without (check_binding); superusers are made in the admin, not here
        self.fields["jurisdiction"].required = not self.instance.is_superuser
        self.fields["department"].queryset = (
            Department.objects.editable_by(acting_user)
            .filter(Q(is_active=True) | Q(pk=self.instance.department_id)).select_related("jurisdiction"))
        current = self.instance.inspector_id
        self.fields["inspector"].queryset = (
            Inspector.objects.editable_by(acting_user)
            .filter(Q(user__isnull=True) & ~Q(status=InspectorStatus.LEFT) | Q(pk=current))
            .select_related("jurisdiction").order_by("jurisdiction__path", "name"))
        self.fields["inspector"].label_from_instance = lambda inspector: f"{inspector.jurisdiction.name}·{inspector}"
        self.fields["department"].help_text = _("科室用户必选")
        self.fields["inspector"].help_text = _("执法人员用户必选：本行政区检查人员名录库中尚未开通账号的执法人员")
        offer_departments_of_jurisdiction(self, "department", "inspector")
        roles = acting_user.managed_roles
        if roles is not None:
            # a county admin keeps his county's working accounts only: the service refuses any other role
            # (his own account's role stays among them: its field is shown, disabled, on his own edit page)
            own = self.instance.role if self.instance.pk == acting_user.pk else None
            self.fields["role"].choices = [c for c in self.fields["role"].choices if c[0] in roles or c[0] == own]
            self.fields["role"].error_messages["invalid_choice"] = county_refusal()


class UserCreatePageForm(ScopedUserFieldsMixin, ServiceCheckedMixin, UserCreationForm):
    """A new account with a temporary password, which its owner must change at his first sign-in."""

    reason = forms.CharField(label=_("备注"), required=False, max_length=500,
                             help_text=_("记入变更记录，如：新入职执法人员；不填为“新增用户”"))

    field_order = (*PAGE_FIELDS, "password1", "password2", "reason")

    class Meta(UserCreationForm.Meta):
        model = User
        fields = PAGE_FIELDS

    def __init__(self, *args, acting_user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.scope_choices(acting_user)
        # no role preselected (the model's default is 局领导): a wrong default would be saved by whoever does not look
        self.fields["role"].choices = [("", BLANK_CHOICE_LABEL), *self.fields["role"].choices]
        self.initial["role"] = ""
        self.fields["password1"].label = _("临时密码")
        self.fields["password2"].label = _("确认临时密码")
        self.fields["password2"].help_text = _("告知本人；他首次登录时须改为只有自己知道的密码")


class UserEditPageForm(ScopedUserFieldsMixin, ServiceCheckedMixin, forms.ModelForm):
    reason = reason_field()

    class Meta:
        model = User
        fields = PAGE_FIELDS
        field_classes = {"username": UsernameField}

    def __init__(self, *args, acting_user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.scope_choices(acting_user)
        if self.instance.pk == acting_user.pk:
            # the service refuses anyone his own role or scope; say so before he tries
            for name in BINDING_FIELDS:
                self.fields[name].disabled = True
            self.fields["role"].help_text = _("自己的角色和范围须由上级管理员修改")


class AdminSetPasswordForm(SetPasswordForm):
    """An admin sets a temporary password for someone else (the Django form's checks, the service's save)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("临时密码")
        self.fields["new_password2"].label = _("确认临时密码")


class AccountStatusForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=500,
                             widget=forms.TextInput(attrs={"placeholder": _("如：调离本单位")}))


class AddressLockLiftForm(forms.Form):
    """解除地址登录锁定: the address (carried from the lockout's row or the user's page) and why."""

    address = forms.CharField(widget=forms.HiddenInput, max_length=64)
    reason = forms.CharField(label=_("解除理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("记入审计日志，如：经核实为本单位办公网出口，培训时多人输错密码"),
                             error_messages={"required": _("请填写解除理由")})


class UserFilterForm(FilterForm):
    q = forms.CharField(label=_("姓名或用户名"), required=False)
    role = forms.ChoiceField(label=_("角色"), choices=[("", _("全部")), *Role.choices], required=False)
    jurisdiction = forms.ModelChoiceField(label=_("行政区"), queryset=Jurisdiction.objects.none(), required=False)
    is_active = forms.ChoiceField(label=_("账号状态"), required=False, choices=[
        ("", _("全部")),
        ("1", pgettext_lazy("account status", "启用")),
        ("0", pgettext_lazy("account status", "停用")),
    ])

    def jurisdictions(self, user: User) -> QuerySet[Jurisdiction]:
        # the accounts an admin keeps are below him; the city above a county admin holds none of them
        return Jurisdiction.objects.editable_by(user)

    def apply(self, queryset: QuerySet[User]) -> QuerySet[User]:
        q = (self.value("q") or "").strip()
        if q:
            # a Chinese name is written family name first, without a space: "张三" is last_name + first_name
            queryset = queryset.annotate(full_name=Concat("last_name", "first_name")).filter(
                every_word(q, lambda word: Q(username__icontains=word) | Q(full_name__icontains=word)))
        if self.value("role"):
            queryset = queryset.filter(role=self.value("role"))
        if self.value("jurisdiction"):
            queryset = queryset.filter(jurisdiction__path__startswith=self.value("jurisdiction").path)
        if self.bool_value(self.value("is_active")) is not None:
            queryset = queryset.filter(is_active=self.bool_value(self.value("is_active")))
        return queryset


# ------------------------------------------------------------------------------ API tokens

class ApiTokenCreateForm(forms.Form):
    """A new token: what it is for, and the last day it works. ``services.check_token_request`` judges both, so
    the page says at the field what the service would refuse."""

    name = forms.CharField(label=_("用途"), max_length=100, required=False,
                           widget=forms.TextInput(attrs={"placeholder": _("如：省平台夜间同步")}),
                           help_text=_("说明令牌给谁、做什么用；列表和变更记录中据此认出它"))
    valid_through = forms.DateField(label=_("有效期至"), widget=DateInput(),
                                    error_messages={"required": _("请填写有效期至哪一天"),
                                                    "invalid": _("日期格式应为 年-月-日，如 2026-03-01")})

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["valid_through"].initial = today + timedelta(days=TOKEN_DEFAULT_DAYS)
        self.fields["valid_through"].help_text = gettext("默认%(default)d天，最长%(max)d天（至%(latest)s）；"
                                                         "到期后令牌失效，须另建") % {
            "default": TOKEN_DEFAULT_DAYS, "max": TOKEN_MAX_DAYS,
            "latest": (today + timedelta(days=TOKEN_MAX_DAYS)).isoformat()}
        self.fields["valid_through"].widget.attrs.update(
            min=today.isoformat(), max=(today + timedelta(days=TOKEN_MAX_DAYS)).isoformat())

    def clean(self) -> dict:
        cleaned = super().clean()
        if "valid_through" in self.errors:
            return cleaned
        try:
            check_token_request(cleaned.get("name", ""), cleaned.get("valid_through"))
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field, messages)
        return cleaned


class ApiTokenRevokeForm(forms.Form):
    reason = forms.CharField(label=_("吊销理由"), max_length=500,
                             widget=forms.TextInput(attrs={"placeholder": _("如：脚本停用、令牌可能泄露")}),
                             error_messages={"required": _("请填写吊销理由，如：脚本停用、令牌可能泄露")})
