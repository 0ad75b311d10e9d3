"""The answer to an address that leads nowhere, in the frame of the part of the site it was asked of."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The public portal's visitors get its own page, with its navigation and a way back to it; the staff's
    page says "not in your jurisdiction" and leads to the staff home, which sends a visitor to sign in."""
    public = request.path.startswith(reverse("public:home"))
    return render(request, "disclosure/public/404.html" if public else "404.html", status=404)
