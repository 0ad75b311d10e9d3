"""What a browser or a proxy may keep of an answer.

Every answer to a signed-in user (a page, an export, a record's PDF, an attachment, the staff API's JSON) depends
on who asked: his jurisdiction's targets, officers' certificates, unpublished plans and draws, records and their
photos. Without a ``Cache-Control`` a caching proxy on the bureau's intranet could keep and hand out such an
answer, and a shared browser showed it again from its cache after sign-out (the back button, or the address typed
again). ``private, no-store``: nothing keeps it, not the browser either; the back button asks the server, which
sends a signed-out reader to the login page.

Not for the public portal (``/public/``, ``/api/public/``), which answers everyone alike from published data and
may be cached as any public site, nor for the static files (WhiteNoise answers them before this runs). The
inspector's phone keeps its draft, signatures and photos in localStorage and IndexedDB, not in the browser's
cache (docs/operations.md, "The phones in the field"): with no network, going back to the record page is the
browser's error page, as a reload already was, and the draft comes back with the page once the signal is.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

PRIVATE = "private, no-store"
PUBLIC_PATHS = ("/public/", "/api/public/")


class PrivateAnswersMiddleware:
    """``Cache-Control: private, no-store`` on every answer to a signed-in user outside the public portal.

    Signed in by the session or by the API's HTTP Basic (DRF sets the request's user when it authenticates), read
    after the view ran: the login form's post answers the user it signed in, the sign-out's answers nobody. A
    view's own header gives way unless it already says no-store (``never_cache``): "private, max-age" still lets
    the shared browser keep the answer after sign-out.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path_info.startswith(PUBLIC_PATHS):
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "no-store" not in response.get("Cache-Control", ""):
            response["Cache-Control"] = PRIVATE
        return response
