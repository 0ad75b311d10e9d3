"""Middleware of the accounts: the interface language, and the session and password rules.

Language: Chinese unless the user chose English with the switch in the navbar.

Django's LocaleMiddleware would follow the browser's Accept-Language, so a county officer whose
browser happens to be set to English would get a page half in English (dates, Django's own messages)
while the system's texts stay Chinese. The bureau's working language is Chinese; English is a choice.
"""

import time
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from shuangsuiji.accounts.services import must_change_password


class ChosenLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
        finally:
            # the activation is per thread: the next request served by this thread (or the next test)
            # must not inherit this reader's language
            translation.deactivate()
        response.headers.setdefault("Content-Language", language)
        return response


class SessionPolicyMiddleware:
    """Two rules for every signed-in request, and one answer for a signed-out fetch.

    - An idle session ends after ``SESSION_COOKIE_AGE``: every request slides its expiry, but the session is
      rewritten at most once a minute (not a database write per page view). A page's background poll
      (``X-Background: poll``) does not: it is no sign that anyone is there.
    - A password that must be changed (set by an admin, or too old) is changed before anything else: pages
      lead to the change form, the API and the pages' scripts get 403 with the reason. The public portal, the
      form itself, signing out and the language switch stay open.
    - A script's request (``Accept: application/json``, or htmx) whose session has ended gets 401 and the
      login address instead of being redirected to the login page, which a script would take for an answer:
      the phone's record form then keeps its draft on the phone and says to sign in again.
    """

    TOUCH_EVERY = 60
    SEEN = "accounts:seen"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            now = int(time.time())
            seen = request.session.get(self.SEEN)
            # A page's background poll (fieldwork's live.js) is no activity of its reader: a task list left open
            # on a desk would otherwise never be signed out.
            background = request.headers.get("X-Background") == "poll"
            if not background and (not isinstance(seen, int) or now - seen >= self.TOUCH_EVERY):
                request.session[self.SEEN] = now
            reason = must_change_password(user)
            if reason and not self._open_anyway(request):
                return self._to_password_form(request, reason)
        response = self.get_response(request)
        if response.status_code == 302 and not user.is_authenticated and is_script(request):
            login = resolve_url(settings.LOGIN_URL)
            if urlsplit(response["Location"]).path == login:
                return script_answer(request, _("登录已过期，请重新登录（未保存的内容仍在本机）"), 401,
                                      f"{login}?{urlencode({'next': page_of(request)})}")
        return response

    @staticmethod
    def _open_anyway(request: HttpRequest) -> bool:
        open_paths = (reverse("account"), reverse("logout"), reverse("set_language"), reverse("public:home"),
                      "/api/public/", settings.STATIC_URL if settings.STATIC_URL.startswith("/")
                      else "/" + settings.STATIC_URL)
        return request.path.startswith(open_paths)

    @staticmethod
    def _to_password_form(request: HttpRequest, reason: str) -> HttpResponse:
        account = reverse("account")
        if is_script(request) or request.path.startswith("/api/"):
            return script_answer(request, reason, 403, account)
        return redirect(f"{account}?{urlencode({'next': request.get_full_path()})}")


def is_script(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return bool(getattr(request, "htmx", False)) or ("application/json" in accept and "text/html" not in accept)


def page_of(request: HttpRequest) -> str:
    """The page to come back to after signing in: the page whose script made the request (htmx names it; a
    fetch sends it as the referrer), else the requested path."""
    for header in ("HX-Current-URL", "Referer"):
        parts = urlsplit(request.headers.get(header, ""))
        if parts.path and parts.netloc == request.get_host():
            return parts.path + (f"?{parts.query}" if parts.query else "")
    return request.get_full_path()


def script_answer(request: HttpRequest, message: str, status: int, url: str) -> HttpResponse:
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)  # htmx follows it as a page load
    return JsonResponse({"ok": False, "message": message, "detail": message, "url": url}, status=status,
                        json_dumps_params={"ensure_ascii": False})
