"""How the staff API signs clients in: the pages' session, or HTTP Basic for a platform's scheduled pulls."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BasicAuthentication

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
