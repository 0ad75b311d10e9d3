"""用户管理: the pages on which city and county admins keep the accounts of their scope — list, detail with the
login state and history, create, edit, set a temporary password, lift a sign-in lock, deactivate and reactivate.

Laid out like the registry pages. Every account comes through ``User.objects.visible_to`` (an admin's subtree):
outside it an account does not exist (404); one of his scope that he does not keep (a county's admins and
leaders, to a county admin) is refused saying who keeps it (403); a role that manages no accounts gets 403 on every
page. Saving goes through ``accounts.services``, which checks scope again and writes the audit event. Users are
never deleted.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from shuangsuiji import params
from shuangsuiji.accounts.forms import (
    AccountStatusForm,
    AddressLockLiftForm,
    AdminSetPasswordForm,
    UserCreatePageForm,
    UserEditPageForm,
    UserFilterForm,
)
from shuangsuiji.accounts.models import ApiToken, User, UserQuerySet, county_refusal
from shuangsuiji.accounts.services import (
    address_lock,
    address_locks_for,
    canonical_address,
    do_create_user,
    do_lift_address_lock,
    do_set_password,
    do_unlock_login,
    do_update_user,
    ensure_can_manage,
    locked_addresses,
    locked_until_each,
    must_change_password,
    password_expires_at,
)
from shuangsuiji.audit.services import history_for
from shuangsuiji.punctuation import join_semicolon, join_sep
from shuangsuiji.registry.views import PAGE_SIZE, CappedPaginator

RELATED = ("jurisdiction", "department", "inspector")


def _accounts(request: HttpRequest) -> UserQuerySet:
    """The accounts the acting user keeps; refused outright for a role that keeps none."""
    if not request.user.manages_users:
        raise PermissionDenied(_("只有市局和分局管理员可以管理用户"))
    return User.objects.visible_to(request.user)


def _account(request: HttpRequest, pk: int) -> User:
    """The account, if the acting user keeps it. One of his scope that he does not keep — a county's admin or leader,
    to a county admin — is refused saying who keeps it (403): its name is on pages he reads (the 审计日志, the
    histories, the list's note), so a 404 would tell him a known account is not there. Outside his scope an account
    does not exist (404), and neither does a superuser's (the operator's, managed by superusers only)."""
    account = _accounts(request).select_related(*RELATED).filter(pk=pk).first()
    if account is not None:
        return account
    user = request.user
    if user.jurisdiction_id is not None:
        known = (User.objects.filter(pk=pk, is_superuser=False, jurisdiction__path__startswith=user.jurisdiction.path)
                 .select_related("jurisdiction").first())
        if known is not None:
            ensure_can_manage(user, known)  # raises PermissionDenied saying who keeps it (``county_refusal``)
    raise Http404


def _add_errors(form: Form, error: ValidationError | PermissionDenied, password_field: str = "") -> None:
    """Put what the service refused on the form: by field where it names one, else above the form (a scope
    that changed since the form was shown, say)."""
    if isinstance(error, PermissionDenied):
        form.add_error(None, str(error))
        return
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, messages_ in error.message_dict.items():
        field = password_field if name == "password" and password_field else name
        form.add_error(field if field in form.fields else None, messages_)


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    accounts = _accounts(request)
    form = UserFilterForm(request.GET, user=request.user)
    if form.out_of_scope():
        raise Http404
    queryset = form.apply(accounts.select_related(*RELATED)).order_by("jurisdiction__path", "username")
    page = CappedPaginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    members = list(page.object_list)
    locked = locked_until_each(account.username for account in members)  # one query for the page, not per row
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "accounts/user_list.html", {
        "filter_form": form, "page": page, "rows": [(account, locked.get(account.username)) for account in members],
        "query": query.urlencode(), "filters_active": any(value for name, value in query.items() if name != "q"),
        # a county admin's list lacks his county's admins and leaders (his own account too): said, not left a puzzle
        "kept_roles_note": county_refusal() if request.user.managed_roles is not None else "",
    })


@login_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    return render(request, "accounts/user_detail.html", {
        "account": account, "is_self": account.pk == request.user.pk,
        "locks": sorted(locked_addresses(account.username).items()), "expires_at": password_expires_at(account),
        "address_locks": sorted(address_locks_for(account.username).items()),
        "password_reason": must_change_password(account), "history": history_for(account)[:100],
        "tokens": ApiToken.objects.filter(owner=account).select_related("revoked_by"),
    })


@login_required
def user_create(request: HttpRequest) -> HttpResponse:
    _accounts(request)
    form = UserCreatePageForm(request.POST or None, acting_user=request.user,
                              initial={"jurisdiction": request.user.jurisdiction_id})
    if request.method == "POST" and form.is_valid():
        try:
            account = do_create_user(form.instance, acting_user=request.user,
                                     password=form.cleaned_data["password1"], reason=form.cleaned_data["reason"])
        except (ValidationError, PermissionDenied) as error:
            _add_errors(form, error, password_field="password2")
        else:
            messages.success(request, _("已新增用户“%(name)s”。请把临时密码告知本人：他首次登录时须先改为只有自己"
                                        "知道的密码。") % {"name": account.display_name})
            return redirect("accounts:user_detail", account.pk)
    return _form_page(request, form, None, _("新增用户"), choices_url=reverse("accounts:user_create_choices"))


@login_required
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    form = UserEditPageForm(request.POST or None, instance=account, acting_user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            do_update_user(form.instance, acting_user=request.user, reason=form.cleaned_data["reason"])
        except (ValidationError, PermissionDenied) as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("已保存：%(name)s") % {"name": account.display_name})
            return redirect("accounts:user_detail", account.pk)
    return _form_page(request, form, account, _("编辑"),
                      choices_url=reverse("accounts:user_edit_choices", args=[account.pk]))


CHOSEN_FIELDS = ("department", "inspector")
"""The fields whose choices follow the jurisdiction chosen on the form (``offer_departments_of_jurisdiction``)."""


@login_required
@require_safe
def user_choices(request: HttpRequest, pk: int | None = None) -> JsonResponse:
    """The 科室 and 执法人员档案 choices the create (or edit) form offers for the jurisdiction now chosen on it, with
    the department and officer chosen so far: ``js/follow_choices.js`` puts them in the selects when the admin picks
    another jurisdiction, so its officers are offered without a submit that empties the password boxes.

    They are the page's own form's choices, not a query of their own: the same scope (``editable_by`` the admin,
    officers without a login), the same narrowing to the jurisdiction when the scope holds more than
    ``MAX_OPTIONS``. A jurisdiction outside his scope does not exist (404), as on every page; a role that keeps no
    accounts is refused (403), and so is an account he does not keep (404)."""
    account = _account(request, pk) if pk is not None else None
    if account is None:
        _accounts(request)  # refuses a role that keeps no accounts (``_account`` did, for an edit)
    form = (UserEditPageForm(request.GET, instance=account, acting_user=request.user) if account is not None
            else UserCreatePageForm(request.GET, acting_user=request.user))
    chosen = request.GET.get("jurisdiction", "")
    # none chosen (the empty choice): the form offers the account's jurisdiction's, else the admin's own, as unsent
    if chosen and not form.fields["jurisdiction"].queryset.filter(pk=params.number(chosen)).exists():
        raise Http404
    return JsonResponse({name: [{"value": str(value), "label": str(label)}
                                for value, label in form.fields[name].widget.choices] for name in CHOSEN_FIELDS},
                        json_dumps_params={"ensure_ascii": False})


@login_required
def user_password(request: HttpRequest, pk: int) -> HttpResponse:
    """Set a temporary password for someone else; its owner must change it at his next sign-in."""
    account = _account(request, pk)
    if account.pk == request.user.pk:
        return redirect("account")  # one's own password is changed with the old one, on 账号与密码
    form = AdminSetPasswordForm(account, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            revoked = do_set_password(account, form.cleaned_data["new_password1"], acting_user=request.user)
        except (ValidationError, PermissionDenied) as error:
            _add_errors(form, error, password_field="new_password2")
        else:
            # one message a case, not sentences joined: Chinese joins them without the space English needs
            if revoked:
                done = ngettext("已为“%(name)s”设置临时密码。他下次登录时须先修改密码；已登录的会话已退出。"
                                "他的%(n)d个有效 API 令牌已吊销，使用它的程序须由他本人另建令牌。",
                                "已为“%(name)s”设置临时密码。他下次登录时须先修改密码；已登录的会话已退出。"
                                "他的%(n)d个有效 API 令牌已吊销，使用它们的程序须由他本人另建令牌。", revoked)
            else:
                done = _("已为“%(name)s”设置临时密码。他下次登录时须先修改密码；已登录的会话已退出。"
                         "他没有有效的 API 令牌，无需吊销。")
            messages.success(request, done % {"name": account.display_name, "n": revoked})
            return redirect("accounts:user_detail", account.pk)
    # a reset revokes the account's working tokens (services.do_set_password): the page says so first
    tokens = ApiToken.objects.active().filter(owner=account).count()
    return _form_page(request, form, account, _("重置密码"), password_page=True, revokes_tokens=tokens)


@login_required
@require_POST
def user_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    if do_unlock_login(account, acting_user=request.user):
        messages.success(request, _("已解除“%(name)s”的登录锁定") % {"name": account.display_name})
    else:
        messages.info(request, _("“%(name)s”没有登录失败记录，无需解除") % {"name": account.display_name})
    # An address capped for every name (too many failures from it, whatever the names) is no one user's lock: his
    # unlock does not lift it, and the admin hears so instead of the user finding out at the login page.
    for address, until in address_locks_for(account.username).items():
        if request.user.lifts_address_locks:
            told = _("但“%(name)s”最近使用的网络地址 %(address)s 因登录失败过多（不论用户名），从该地址登录任何用户名"
                     "都已锁定至%(until)s，解除个人锁定不能解除。请他从其他网络登录，或届时再试；核实该地址可以放开的，"
                     "在他的页面上点“解除地址锁定”。")
        else:
            told = _("但“%(name)s”最近使用的网络地址 %(address)s 因登录失败过多（不论用户名），从该地址登录任何用户名"
                     "都已锁定至%(until)s，解除个人锁定不能解除。请他从其他网络登录，或届时再试；如需提前解除，"
                     "请联系市局管理员。")
        messages.warning(request, told % {"name": account.display_name, "address": address, "until": _when(until)})
    return redirect("accounts:user_detail", account.pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def address_lock_lift(request: HttpRequest) -> HttpResponse:
    """解除地址登录锁定: the city office lifts the cap on an address (``services.do_lift_address_lock``), with a reason,
    from a lockout's row on the 审计日志 page or from the page of a user last seen at the address. The page says
    what the lift does before it is done: the lock's end, the failures it forgets, the accounts unlocked with it."""
    if not request.user.lifts_address_locks:
        raise PermissionDenied(_("只有市局管理员可以解除网络地址的登录锁定：一个地址的锁定涉及所有用户名，"
                                 "不只是本行政区的"))
    data = request.POST if request.method == "POST" else None
    form = AddressLockLiftForm(data, initial={"address": request.GET.get("address", "")})
    back = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        back = reverse("audit:event_list")
    given = (data or request.GET).get("address", "")
    address, problem = "", ""
    try:
        address = canonical_address(given)
    except ValidationError as error:
        problem = error.message_dict["address"][0]
    if address and request.method == "POST" and form.is_valid():
        try:
            lifted = do_lift_address_lock(address, acting_user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:  # lifted meanwhile (by another admin, or the lock ran out)
            problem = join_semicolon(error.message_dict.pop("address", []))
            for problems in error.message_dict.values():
                form.add_error("reason", problems)
        else:
            messages.success(request, _("已解除网络地址 %(address)s 的登录锁定，已记入审计日志。") % {
                "address": lifted.address})
            if lifted.locked_accounts:
                messages.info(request, _("账号 %(accounts)s 从该地址的登录锁定也一并解除。") % {
                    "accounts": join_sep(lifted.locked_accounts)})
            if lifted.kept_accounts:
                messages.warning(request, _("账号 %(accounts)s 从该地址的登录锁定未解除：您无权管理这些账号"
                                            "（超级管理员的账号只有超级管理员可以解除）。") % {
                    "accounts": join_sep(lifted.kept_accounts)})
            return redirect(back)
    return render(request, "accounts/address_lock_lift.html", {
        "form": form, "address": address or given[:64],
        "lock": address_lock(address, acting_user=request.user) if address else None,
        "problem": problem, "back": back, "cooloff_minutes": settings.AXES_COOLOFF_TIME // timedelta(minutes=1),
    }, status=400 if problem or form.errors else 200)


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "Y-m-d H:i")


def _set_active(request: HttpRequest, pk: int, active: bool) -> HttpResponse:
    """停用 / 启用: a reasoned change of ``is_active`` (a deactivated user cannot sign in; his sessions end)."""
    account = _account(request, pk)
    if account.is_active == active:
        return redirect("accounts:user_detail", account.pk)
    form = AccountStatusForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        account.is_active = active
        try:
            do_update_user(account, acting_user=request.user, reason=form.cleaned_data["reason"])
        except (ValidationError, PermissionDenied) as error:
            account.is_active = not active
            _add_errors(form, error)
        else:
            done = _("已启用账号：%(name)s") if active else _("已停用账号：%(name)s")
            messages.success(request, done % {"name": account.display_name})
            return redirect("accounts:user_detail", account.pk)
    # deactivating revokes the account's tokens for good (services.do_update_user): the page says so first
    tokens = 0 if active else ApiToken.objects.active().filter(owner=account).count()
    return _form_page(request, form, account, _("启用账号") if active else _("停用账号"), revokes_tokens=tokens)


@login_required
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, False)


@login_required
def user_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, True)


def _form_page(request: HttpRequest, form: Form, account: User | None, title: str, *,
               password_page: bool = False, revokes_tokens: int = 0, choices_url: str = "") -> HttpResponse:
    return render(request, "accounts/user_form.html", {
        "form": form, "account": account, "title": title, "password_page": password_page,
        "revokes_tokens": revokes_tokens, "choices_url": choices_url,
        "cancel_url": reverse("accounts:user_detail", args=[account.pk]) if account else reverse("accounts:user_list"),
    })
