"""API 令牌: every staff user keeps his own personal, read-only tokens for the staff API (list, create, revoke);
an admin sees and revokes the tokens of the accounts he manages on their 用户管理 page.

A token comes through ``ApiToken.objects.visible_to`` (one's own, and those of the accounts one manages): outside
it a token does not exist (404). Saving goes through ``accounts.services``, which checks again and writes the audit
event. The secret is in the answer to the create request only — never stored, never in a redirect or a message
(Django's messages may travel in a cookie) — and that answer is never cached.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from shuangsuiji.accounts.forms import ApiTokenCreateForm, ApiTokenRevokeForm
from shuangsuiji.accounts.models import ApiToken
from shuangsuiji.accounts.services import TOKEN_MAX_ACTIVE, do_create_token, do_revoke_token
from shuangsuiji.accounts.views_users import _add_errors


@never_cache
@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    """我的 API 令牌: the list, and the form for a new one. A new token's secret is shown in this very answer."""
    form = ApiTokenCreateForm(request.POST or None)
    created = secret = None
    if request.method == "POST" and form.is_valid():
        try:
            created, secret = do_create_token(request.user, acting_user=request.user,
                                              name=form.cleaned_data["name"],
                                              valid_through=form.cleaned_data["valid_through"])
        except (ValidationError, PermissionDenied) as error:
            _add_errors(form, error)
        else:
            form = ApiTokenCreateForm()
    tokens = ApiToken.objects.filter(owner=request.user).select_related("revoked_by")
    return render(request, "accounts/token_list.html", {
        "form": form, "tokens": tokens, "created": created, "secret": secret, "limit": TOKEN_MAX_ACTIVE,
        "active_count": sum(token.is_active for token in tokens),
        "api_url": request.build_absolute_uri(reverse("registry-api:target-list")),
    }, status=201 if created else 200)


@login_required
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """吊销: one's own token, or one of an account one manages, with a reason."""
    token = get_object_or_404(ApiToken.objects.visible_to(request.user).select_related("owner", "revoked_by"),
                              pk=pk)
    own = token.owner_id == request.user.pk
    back = reverse("accounts:token_list") if own else reverse("accounts:user_detail", args=[token.owner_id])
    form = ApiTokenRevokeForm(request.POST or None)
    if token.is_revoked:
        messages.info(request, _("该令牌已吊销"))
        return redirect(back)
    if request.method == "POST" and form.is_valid():
        try:
            do_revoke_token(token, acting_user=request.user, reason=form.cleaned_data["reason"])
        except (ValidationError, PermissionDenied) as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("已吊销 API 令牌：%(token)s。使用它的程序会收到 401。") % {"token": token})
            return redirect(back)
    return render(request, "accounts/token_revoke.html", {"token": token, "form": form, "own": own,
                                                          "cancel_url": back})
