"""/public/: the public portal of 一公开 (namespace ``public``), no login."""

from collections.abc import Callable

from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from shuangsuiji.disclosure import views_objections, views_opendata
from shuangsuiji.disclosure import views_public as views

app_name = "public"


def read(view: Callable) -> Callable:
    """The portal only reads: GET and HEAD, anything else 405. Without a form to protect, a POST got the CSRF
    check's 403 page first, which tells a client nothing about what it did wrong."""
    return csrf_exempt(require_safe(view))


urlpatterns = [
    path("", read(views.home), name="home"),
    path("items/", read(views.items), name="items"),
    path("list/", read(views.annual_list), name="list"),
    path("plans/", read(views.plans), name="plans"),
    path("plans/<id:pk>/", read(views.plan_detail), name="plan_detail"),
    path("plans/<id:pk>/draws/<id:number>/manifest.json", read(views.manifest), name="manifest"),
    path("plans/<id:pk>/draws/<id:number>/manifest-sealed.json", read(views.manifest_sealed), name="manifest_sealed"),
    path("results/", read(views.results), name="results"),
    path("results/<key:public_id>/", read(views.result_detail), name="result_detail"),
    path("targets/<key:credit_code>/", read(views.target), name="target"),
    path("verify/", read(views.verify), name="verify"),
    path("verify/<key:name>", read(views.tool), name="tool"),
    path("verification/", read(views.verification), name="verification"),
    path("opendata/", read(views_opendata.opendata), name="opendata"),
    # The portal's one way in (异议): a form with its CSRF check, and the objection's status by its number.
    path("results/<key:public_id>/objection/", views_objections.lodge, name="objection_new"),
    path("objections/", views_objections.status, name="objection_status"),
]
