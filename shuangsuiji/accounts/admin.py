"""Users in the admin: scoped like everything else, saved through ``accounts.services`` so every creation,
role change and password change is checked against the admin's own scope and lands in the audit chain."""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from shuangsuiji.accounts.forms import UserAddForm, UserEditForm
from shuangsuiji.accounts.models import User
from shuangsuiji.accounts.services import (
    address_locks_for,
    do_create_user,
    do_set_admin_permissions,
    do_set_password,
    do_unlock_login,
    do_update_user,
    ensure_can_manage,
    locked_addresses,
)
from shuangsuiji.punctuation import join_sep
from shuangsuiji.registry.models import Department, Inspector, Jurisdiction

SCOPE_FIELDSET = (gettext_lazy("角色与范围"), {"fields": ("role", "jurisdiction", "department", "inspector",
                                                       "reason")})
PROFILE_FIELDSET = (gettext_lazy("姓名与联系方式"), {"fields": ("last_name", "first_name", "phone", "email")})


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserEditForm
    add_form = UserAddForm
    list_display = ("username", "last_name", "first_name", "role", "jurisdiction", "department", "is_active")
    list_filter = ("role", "is_active", "is_staff")
    list_select_related = ("jurisdiction", "department")
    search_fields = ("username", "last_name", "first_name", "phone")
    autocomplete_fields = ("inspector",)
    actions = ["unlock_logins"]
    add_fieldsets = (
        (None, {"fields": ("username", "usable_password", "password1", "password2")}),
        PROFILE_FIELDSET,
        SCOPE_FIELDSET,
    )

    def get_fieldsets(self, request: HttpRequest, obj=None):
        if obj is None:
            return self.add_fieldsets
        access = ["is_active"]
        if request.user.is_superuser:
            # groups and Django permissions open the admin beyond the roles: a superuser's matter only
            access += ["is_staff", "is_superuser", "groups", "user_permissions"]
        return (
            (None, {"fields": ("username", "password")}),
            PROFILE_FIELDSET,
            SCOPE_FIELDSET,
            (gettext_lazy("账号状态"), {"fields": [*access, "login_lock", "must_change_password"]}),
            (gettext_lazy("重要日期"), {"fields": ("last_login", "date_joined", "password_changed_at")}),
        )

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        if obj is None:
            return ()
        return ("last_login", "date_joined", "password_changed_at", "must_change_password", "login_lock")

    @admin.display(description=gettext_lazy("登录锁定"))
    def login_lock(self, user: User) -> str:
        locks = locked_addresses(user.username)
        if not locks:
            return _("未锁定")
        return _("连续登录失败，从 %(addresses)s 登录锁定至%(until)s（可用列表页的“解除登录锁定”提前解除）") % {
            "addresses": join_sep(sorted(locks)),
            "until": date_format(timezone.localtime(max(locks.values())), "Y-m-d H:i")}

    @admin.action(description=gettext_lazy("解除登录锁定"))
    def unlock_logins(self, request: HttpRequest, queryset) -> None:
        """Forget the failed sign-ins of the chosen users (each through the service, which checks scope and
        writes the event)."""
        unlocked = [user.display_name for user in queryset if do_unlock_login(user, acting_user=request.user)]
        if unlocked:
            messages.success(request, ngettext("已解除%(n)d个用户的登录锁定：%(names)s",
                                               "已解除%(n)d个用户的登录锁定：%(names)s", len(unlocked))
                             % {"n": len(unlocked), "names": join_sep(unlocked)})
        else:
            messages.info(request, _("所选用户没有登录失败记录，无需解除"))
        # an address capped for every name is no one user's lock: say which stay closed (as the user pages do)
        capped = {address: until for user in queryset for address, until in address_locks_for(user.username).items()}
        for address, until in sorted(capped.items()):
            messages.warning(request, _("网络地址 %(address)s 因登录失败过多（不论用户名）仍锁定至%(until)s，"
                                        "解除个人锁定不能解除") % {
                "address": address, "until": date_format(timezone.localtime(until), "Y-m-d H:i")})

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        # a subclass per request carries the acting user to the service's checks (no shared state)
        return type(form.__name__, (form,), {"acting_user": request.user})

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        scoped = {"jurisdiction": Jurisdiction, "department": Department, "inspector": Inspector}
        if db_field.name in scoped:
            kwargs["queryset"] = scoped[db_field.name].objects.editable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request: HttpRequest):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        if not request.user.jurisdiction_id:
            return queryset.none()
        return queryset.filter(jurisdiction__path__startswith=request.user.jurisdiction.path)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is not None and not self._manages(request.user, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # users are the actors of the audit chain: deactivate, never delete

    @staticmethod
    def _manages(acting_user: User, user: User) -> bool:
        try:
            ensure_can_manage(acting_user, user)
        except PermissionDenied:
            return False
        return True

    def save_model(self, request: HttpRequest, obj: User, form, change: bool) -> None:
        reason = form.cleaned_data.get("reason") or ""
        if change:
            do_update_user(obj, acting_user=request.user, reason=reason)
        else:
            password = form.cleaned_data.get("password1") if form.cleaned_data.get("set_usable_password") else None
            do_create_user(obj, acting_user=request.user, password=password, reason=reason)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        if "groups" in form.cleaned_data:  # only a superuser's form has them (get_fieldsets)
            do_set_admin_permissions(form.instance, acting_user=request.user, groups=form.cleaned_data["groups"],
                                     permissions=form.cleaned_data["user_permissions"],
                                     reason=form.cleaned_data.get("reason") or "")
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        """A valid password form is saved through ``do_set_password``; everything else (the form, its
        errors, the permission checks) is Django's own view."""
        user = self.get_object(request, unquote(id))
        if request.method == "POST" and user is not None and self.has_change_permission(request, user):
            form = self.change_password_form(user, request.POST)
            if form.is_valid() and (form.cleaned_data["set_usable_password"] or "unset-password" in request.POST):
                password = form.cleaned_data["password1"] if form.cleaned_data["set_usable_password"] else None
                revoked = do_set_password(user, password, acting_user=request.user)
                messages.success(request, _("密码已设置") if password else _("已停用该用户的密码登录"))
                if revoked:  # someone else's password: his working tokens went with it (do_set_password)
                    messages.warning(request, ngettext("该用户的%(n)d个有效 API 令牌已吊销",
                                                       "该用户的%(n)d个有效 API 令牌已吊销", revoked) % {"n": revoked})
                update_session_auth_hash(request, user)
                return redirect("admin:accounts_user_change", user.pk)
        return super().user_change_password(request, id, form_url)


# --- 登录记录: django-axes's records, shown but not deleted ----------------------------------------------------------
# A lock is lifted on the user's page (解除锁定, ``do_unlock_login``, an audited event); deleting its attempt here
# would lift it with no trace, and deleting the access or failure log would erase the record of who signed in or
# tried to. Old rows go by the scheduled commands (docs/operations.md), not by hand. Expired attempts may still be
# cleaned up by axes's own action: they lock nobody.


class SignInRecordsMixin:
    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(AccessAttempt)
class AccessAttemptRecordAdmin(SignInRecordsMixin, AccessAttemptAdmin):
    pass


@admin.register(AccessLog)
class AccessLogRecordAdmin(SignInRecordsMixin, AccessLogAdmin):
    pass


@admin.register(AccessFailureLog)
class AccessFailureLogRecordAdmin(SignInRecordsMixin, AccessFailureLogAdmin):
    pass
