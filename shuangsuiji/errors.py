"""The answer to an address that leads nowhere, in the frame of the part of the site it was asked of."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The public portal's visitors get its own page, with its navigation and a way back to it; the staff's
    page says "not in your jurisdiction" and leads to the staff home, which sends a visitor to sign in. A
    client of the APIs gets JSON, as from every other answer there (an unknown path was an HTML page)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("未找到。")}, status=404, json_dumps_params={"ensure_ascii": False})
    public = request.path.startswith(reverse("public:home"))
    return render(request, "disclosure/public/404.html" if public else "404.html", status=404)
