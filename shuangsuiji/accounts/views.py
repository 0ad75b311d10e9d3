from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import csrf

from shuangsuiji.accounts import completion, workbench
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
from shuangsuiji.engine.workdays import quarter_of
from shuangsuiji.params import client_address
from shuangsuiji.registry.models import (
    CheckItem,
    Inspector,
    InspectorStatus,
    Jurisdiction,
    Level,
    Target,
    TargetStatus,
)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The signed-in user's start page: first what he has to act on now (the workbench), then what his scope
    holds, county by county."""
    user = request.user
    by_category, by_county = registry_overview(user)
    context = {
        "bench": workbench.for_user(user),
        "first_day": workbench.first_day(user),
        "target_count": sum(by_category.values()),
        "by_category": by_category,
        "by_county": by_county,
        "inspector_count": Inspector.objects.visible_to(user).filter(status=InspectorStatus.ACTIVE).count(),
        "item_count": CheckItem.objects.visible_to(user).filter(is_active=True).count(),
    }
    return render(request, "accounts/home.html", context)


def registry_overview(user) -> tuple[dict[str, int], list[dict]]:
    """Active targets in ``user``'s scope by category, and by county (counties with any, in code order).

    One count grouped by the target's own columns — (jurisdiction, category), which the index on (jurisdiction,
    status, category) answers without reading the table — and the names from the jurisdictions: grouping by
    the joined names sorted every active target (two scans of a national registry, ~1 s each time the home page
    opened)."""
    counts = (Target.objects.visible_to(user).filter(status=TargetStatus.ACTIVE).order_by()
              .values_list("jurisdiction_id", "category").annotate(n=Count("*")))  # COUNT(id) would read the rows
    by_category: dict[str, int] = {}
    by_place: dict[int, int] = {}
    for place, category, n in counts:
        by_category[category] = by_category.get(category, 0) + n
        by_place[place] = by_place.get(place, 0) + n
    counties = (Jurisdiction.objects.filter(pk__in=list(by_place), level=Level.COUNTY).order_by("code")
                .values_list("pk", "name", "code"))
    by_county = [{"jurisdiction__id": pk, "jurisdiction__name": name, "jurisdiction__code": code,
                  "n": by_place[pk]} for pk, name, code in counties]
    return by_category, by_county


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
    """What django-axes answers a sign-in under a user name locked from the client's address: when it opens again
    and who can open it
    sooner. The login page for people, JSON for the API (whose clients sign in with Basic auth)."""
    username = ((credentials or {}).get("username") or request.POST.get("username") or "").strip()
    message = lockout_message(username, client_address(request))
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429, json_dumps_params={"ensure_ascii": False})
    return render(request, "registration/login.html", {"locked": message, "username": username}, status=429)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A refused form token. For a page's script (the record form's autosave, say), JSON that says to reload
    the page — its token is stale after signing in elsewhere — instead of an HTML error page it cannot show;
    for a person, Django's own page."""
    if is_script(request):
        return script_answer(request, _("页面已过期，请重新打开（未保存的内容仍在本机）"), 403, page_of(request))
    problem = setup_problem(request, reason)
    if problem:
        return render(request, "csrf_setup.html", {"problem": problem}, status=403)
    return csrf.csrf_failure(request, reason)


def setup_problem(request: HttpRequest, reason: str) -> str | None:
    """What a refused form says when the server's set-up, not the person, refused it: every form (signing in
    first) fails that way until the operator corrects the environment, and Django's own page blames the browser's
    cookies. Two mismatches between the environment and the proxy that a new deployment meets (docs/operations.md,
    "Running it for a bureau"); the operator reads the page's words in the variables' names."""
    if reason == REASON_NO_CSRF_COOKIE and settings.CSRF_COOKIE_SECURE and not request.is_secure():
        return _("本系统设置为只经 HTTPS 使用（环境变量 HTTPS=True），这个页面却是经 HTTP 打开的：浏览器不保存只限 "
                 "HTTPS 的 Cookie，表单因此无法提交。请改用 https:// 地址打开；如已是 https://，请运维人员让反向代理"
                 "发送 X-Forwarded-Proto: https；纯 HTTP 的内网则不设 HTTPS。")
    if reason.startswith("Origin checking failed"):
        return _("这个页面的来源 %(origin)s 不是本系统认可的地址，表单因此无法提交。请运维人员把它加入环境变量 "
                 "CSRF_TRUSTED_ORIGINS，并让反向代理转发原请求的 Host 和 X-Forwarded-Proto。") % {
            "origin": request.META.get("HTTP_ORIGIN", "")}
    return None


class QuarterForm(forms.Form):
    """The 完成情况 page's quarter (the current one when neither is given)."""

    year = forms.IntegerField(label=_lazy("年度"), min_value=2000, max_value=2100, required=False)
    quarter = forms.TypedChoiceField(label=_lazy("季度"), coerce=int, required=False,
                                     choices=[("", "—"), *((q, f"Q{q}") for q in range(1, 5))])


@login_required
def completion_view(request: HttpRequest) -> HttpResponse:
    """完成情况: each place's random-inspection work of a quarter against the policy, for the city's periodic
    assessment (``accounts.completion``). For those who oversee a jurisdiction: its admins and leaders."""
    if not request.user.oversees:
        raise PermissionDenied(_("完成情况仅供市、县管理员和局领导查阅"))
    today = timezone.localdate()
    form = QuarterForm(request.GET or None)
    year, quarter = today.year, quarter_of(today)
    if form.is_bound:
        if not form.is_valid():
            return render(request, "accounts/completion.html", {"form": form, "report": None}, status=400)
        year = form.cleaned_data["year"] or year
        quarter = form.cleaned_data["quarter"] or quarter
    else:
        form = QuarterForm(initial={"year": year, "quarter": quarter})
    report = completion.for_user(request.user, year, quarter, today)
    return render(request, "accounts/completion.html", {"form": form, "report": report, "today": today})
