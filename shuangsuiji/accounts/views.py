from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import csrf

from shuangsuiji.accounts import workbench
from shuangsuiji.accounts.middleware import is_script, page_of, script_answer
from shuangsuiji.accounts.models import User
from shuangsuiji.accounts.services import (
    do_set_password,
    lockout_message,
    must_change_password,
    password_expires_at,
    previous_sign_in,
    recent_sign_ins,
)
from shuangsuiji.registry.models import CheckItem, Inspector, InspectorStatus, Level, Target, TargetStatus


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The signed-in user's start page: first what he has to act on now (the workbench), then what his scope
    holds, county by county."""
    user = request.user
    active_targets = Target.objects.visible_to(user).filter(status=TargetStatus.ACTIVE)
    by_category = dict(active_targets.values_list("category").annotate(n=Count("id")))
    by_county = (
        active_targets.filter(jurisdiction__level=Level.COUNTY)
        .values("jurisdiction__id", "jurisdiction__name", "jurisdiction__code")
        .annotate(n=Count("id"))
        .order_by("jurisdiction__code")
    )
    context = {
        "bench": workbench.for_user(user),
        "target_count": sum(by_category.values()),
        "by_category": by_category,
        "by_county": by_county,
        "inspector_count": Inspector.objects.visible_to(user).filter(status=InspectorStatus.ACTIVE).count(),
        "item_count": CheckItem.objects.visible_to(user).filter(is_active=True).count(),
    }
    return render(request, "accounts/home.html", context)


@login_required
def account(request: HttpRequest) -> HttpResponse:
    """账号与密码: who the system takes the user for, and his password, which he changes here — first thing after
    an admin set it or when it is too old (the session middleware sends him here)."""
    user = User.objects.select_related("jurisdiction", "department").get(pk=request.user.pk)  # not the lazy proxy
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        next_url = ""
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        do_set_password(user, form.cleaned_data["new_password1"], acting_user=user)
        update_session_auth_hash(request, user)  # this session stays; the others with the old password end
        messages.success(request, _("密码已修改。用旧密码登录的其他会话已退出。"))
        return redirect(next_url or "home")
    return render(request, "accounts/account.html", {
        "form": form, "next": next_url, "reason": must_change_password(user),
        "expires_at": password_expires_at(user), "idle_minutes": settings.SESSION_COOKIE_AGE // 60,
        "previous": previous_sign_in(user), "recent": recent_sign_ins(user),
    })


@login_required
def alive(request: HttpRequest) -> HttpResponse:
    """Nothing but a request: the session middleware slides the session's expiry (static/js/session.js asks
    while its user works on a page). Signed out, a script gets 401 from the middleware."""
    return HttpResponse(status=204)


def locked_out(request: HttpRequest, original_response: HttpResponse | None = None,
               credentials: dict | None = None) -> HttpResponse:
    """What django-axes answers a sign-in under a locked user name: when it opens again and who can open it
    sooner. The login page for people, JSON for the API (whose clients sign in with Basic auth)."""
    username = ((credentials or {}).get("username") or request.POST.get("username") or "").strip()
    message = lockout_message(username)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429, json_dumps_params={"ensure_ascii": False})
    return render(request, "registration/login.html", {"locked": message, "username": username}, status=429)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A refused form token. For a page's script (the record form's autosave, say), JSON that says to reload
    the page — its token is stale after signing in elsewhere — instead of an HTML error page it cannot show;
    for a person, Django's own page."""
    if is_script(request):
        return script_answer(request, _("页面已过期，请重新打开（未保存的内容仍在本机）"), 403, page_of(request))
    return csrf.csrf_failure(request, reason)
