"""How the staff API signs clients in: the pages' session, HTTP Basic for a person, or a personal API token
(``Authorization: Bearer ssj_…``) for a platform's scheduled pulls."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, BasicAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS

from shuangsuiji.accounts import services
from shuangsuiji.accounts.models import ApiToken
from shuangsuiji.accounts.services import lockout_message, must_change_password
from shuangsuiji.params import client_address


class LockAwareBasicAuthentication(BasicAuthentication):
    """Basic auth that says a name is locked from the client's address (429, until when) instead of "wrong password".

    django-axes counts the failures and refuses a locked name inside ``authenticate``, but it marks the lockout
    on the request it was given — DRF's, which its middleware never sees — so without this the client would
    keep hearing "invalid credentials" and never learn why."""

    def authenticate_credentials(self, userid, password, request=None):
        if "\x00" in userid:  # no one's name (PostgreSQL refuses NUL in the look-up: it was a server error)
            raise exceptions.AuthenticationFailed()
        try:
            user, auth = super().authenticate_credentials(userid, password, request)
        except exceptions.AuthenticationFailed:
            if request is not None and getattr(request, "axes_locked_out", False):
                raise exceptions.Throttled(detail=lockout_message(userid, client_address(request))) from None
            raise
        # A password that must be changed first opens nothing, here as on the pages (SessionPolicyMiddleware, which
        # runs before DRF signs a Basic client in and so never saw him): its owner changes it on the web first.
        reason = must_change_password(user)
        if reason:
            raise exceptions.PermissionDenied(detail=reason)
        return user, auth


class LockAwareBasicScheme(OpenApiAuthenticationExtension):
    """The OpenAPI schema's name for it: plain HTTP Basic, as clients see it."""

    target_class = LockAwareBasicAuthentication
    name = "basicAuth"

    def get_security_definition(self, auto_schema) -> dict:
        return {"type": "http", "scheme": "basic"}


class TokenRefused(exceptions.AuthenticationFailed):
    """A Bearer token the API does not take (401). The challenge names the Bearer scheme and RFC 6750's
    ``invalid_token``: DRF would answer with the first scheme's (Basic), which invites a token client to send a
    password instead. ``errors.api_exception_handler`` puts ``challenge`` on the answer."""

    challenge = 'Bearer realm="api", error="invalid_token"'


class ApiTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer ssj_…``: a personal API token (``ApiToken``) signs its owner in, with exactly his
    scope and role, for reading only.

    The token is looked up by its SHA-256, so no secret is compared with another and no timing tells how much of
    one was right. It is not a password: its owner's password policy (a temporary or too old password) and a
    django-axes lock of his name do not stop it, which is what a nightly pull needs; a token is 32 random bytes,
    so there is nothing to guess that a lock would slow down. It signs in to the API only (DRF): the pages and
    their middleware never read the header."""

    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None  # Basic, or the session: the other classes'
        if len(parts) != 2:
            raise TokenRefused(_("Authorization 头格式不对：应为“Bearer ssj_…”，Bearer 后空一格，接完整的令牌"))
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raw = ""
        if not services.TOKEN_SHAPE.fullmatch(raw):
            raise TokenRefused(_("这不是本系统的 API 令牌：令牌以 ssj_ 开头，共 56 个字符；请完整复制创建时显示的令牌"))
        token = (ApiToken.objects.select_related("owner", "revoked_by")
                 .filter(secret_hash=services.token_hash(raw)).first())
        if token is None:
            raise TokenRefused(_("API 令牌无效：系统中没有这个令牌（复制时是否少了字符？）"))
        if not token.owner.is_active:
            raise TokenRefused(_("API 令牌“%(prefix)s”的所有者账号已停用，令牌不能再使用") % {"prefix": token.prefix})
        if token.revoked_at is not None:
            # when, not who or why: the holder may be a script's operator, not the owner; the owner reads the
            # rest on his 我的 API 令牌 page
            raise TokenRefused(_("API 令牌“%(prefix)s”已于%(when)s吊销，不能再使用；请令牌所有者登录系统另建一个") % {
                "prefix": token.prefix, "when": date_format(timezone.localtime(token.revoked_at), "Y-m-d H:i")})
        if token.is_expired:
            raise TokenRefused(_("API 令牌“%(prefix)s”已过期（有效期至%(day)s）；请令牌所有者登录系统另建一个") % {
                "prefix": token.prefix, "day": token.valid_through.isoformat()})
        if request.method not in SAFE_METHODS:
            raise exceptions.PermissionDenied(_("API 令牌只能读取数据（GET、HEAD、OPTIONS），不能用于修改"))
        services.touch_token(token, client_address(request))
        return token.owner, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The schema's name for it: HTTP Bearer with the system's own tokens."""

    target_class = ApiTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema) -> dict:
        return {"type": "http", "scheme": "bearer", "bearerFormat": "ssj_…",
                "description": gettext("个人 API 令牌（只读）：登录系统后在“我的 API 令牌”页创建，"
                                       "请求头 Authorization: Bearer ssj_…")}
