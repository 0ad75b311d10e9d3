"""URLs of bench/portal_bench.py only: the project's, and the trivial view the portal is compared with."""

from django.http import HttpResponse
from django.urls import path

from shuangsuiji.urls import urlpatterns as project_urlpatterns


def trivial(request):
    """The floor: a Django view through the same middleware and server, with no database query."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/trivial/", trivial), *project_urlpatterns]
