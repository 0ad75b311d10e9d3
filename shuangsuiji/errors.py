"""The answer to an address that leads nowhere, or to a request the server failed, in the frame of the part of
the site it was asked of: a page for people, JSON for the APIs' programs."""

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

from shuangsuiji.punctuation import join_sep


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The public portal's visitors get its own page, with its navigation and a way back to it; the staff's
    page says "not in your jurisdiction" and leads to the staff home, which sends a visitor to sign in. A
    client of the APIs gets JSON, as from every other answer there (an unknown path was an HTML page)."""
    if _is_api(request):
        return _detail(_("未找到。"), 404)
    public = request.path.startswith(reverse("public:home"))
    return render(request, "disclosure/public/404.html" if public else "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """A failure of the server: to an API client JSON, as every other answer of the APIs — Django's page was HTML,
    which a platform's nightly pull could only log as unreadable. The pages keep Django's own."""
    if _is_api(request):
        return _detail(_("服务器内部错误，请稍后重试；如一直出现，请联系系统管理员。"), 500)
    return defaults.server_error(request)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A request Django refuses before any view (too many query parameters, a Host not allowed): to an API client
    JSON in the APIs' shape, not Django's HTML "Bad Request (400)". The pages keep Django's own."""
    if _is_api(request):
        return _detail(_("请求无法处理：参数过多或请求头不合规范。"), 400)
    return defaults.bad_request(request, exception)


def _detail(message: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": message}, status=status, json_dumps_params={"ensure_ascii": False})


ANSWERED_BY_HANDLER = {400: lambda request: bad_request(request, Exception()),
                       404: lambda request: page_not_found(request, Http404()), 500: server_error}


class ApiErrorsAsJsonMiddleware:
    """With DEBUG on (``make run``, the developer's server an integrator tries the APIs against) Django answers an
    unknown address, a non-numeric id or a failure with its debugging page, in HTML, whatever the handlers above
    say: a client tried against it met HTML where production answers ``{"detail": …}``. Under /api/ such a page
    is replaced by the handler's JSON, DEBUG or not; the traceback still goes to the server's log (Django logs
    the error before it renders the page). DRF's own answers (its browsable pages included) pass untouched."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        answer = ANSWERED_BY_HANDLER.get(response.status_code)
        if (answer is None or not _is_api(request) or isinstance(response, Response)
                or response.get("Content-Type", "").startswith("application/json")):
            return response
        return answer(request)


def api_exception_handler(exc: Exception, context: dict) -> HttpResponse | None:
    """DRF's handler, with Django's "No Target matches the given query." (get_object_or_404's message, in English
    and naming an internal model) said as every other missing object of the APIs is: "未找到。". A message a view
    wrote itself (a published result that is not there) is kept. A refused API token is challenged with Bearer."""
    if isinstance(exc, Http404):
        refused = _unknown_format(context)
        if refused is not None:
            exc = refused
        elif str(exc).endswith("matches the given query."):
            exc = exceptions.NotFound(_("未找到。"))
    if isinstance(exc, exceptions.NotAcceptable):
        exc = _not_acceptable(context)
    challenge = getattr(exc, "challenge", None)
    if challenge and getattr(exc, "auth_header", None):
        # a refused API token: its own scheme's challenge, not the first scheme's (Basic) DRF put there
        exc.auth_header = challenge
    return exception_handler(exc, context)


def _unknown_format(context: dict) -> exceptions.ValidationError | None:
    """``?format=`` naming no renderer of the view: DRF's content negotiation answers 404, which reads as "no such
    list" (the paging's own reason for a 400); like every other parameter it cannot read, a 400 naming it."""
    request, view = context.get("request"), context.get("view")
    wanted = request.query_params.get("format") if request is not None else None
    if not wanted or view is None:
        return None
    formats = sorted({renderer.format for renderer in view.get_renderers()})
    if wanted in formats:
        return None
    return exceptions.ValidationError({"format": [_("未知格式“%(value)s”；可用格式：%(known)s") % {
        "value": wanted, "known": join_sep(formats)}]})


def _not_acceptable(context: dict) -> exceptions.NotAcceptable:
    """An Accept header naming no format the view gives: DRF's "无法满足Accept HTTP头的请求。" said neither what was
    asked nor what could be had; the answer names both (the header cut short, as a client may send a long one)."""
    request, view = context.get("request"), context.get("view")
    accept = request.META.get("HTTP_ACCEPT", "") if request is not None else ""
    shown = accept if len(accept) <= 80 else accept[:80] + "…"
    known = sorted({renderer.media_type for renderer in view.get_renderers()}) if view is not None else []
    message = _("请求头 Accept 中没有本接口能给出的格式，收到“%(accept)s”；可用格式：%(known)s")
    return exceptions.NotAcceptable(message % {"accept": shown, "known": join_sep(known)})
