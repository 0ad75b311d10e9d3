"""/public/: the public portal of 一公开 (namespace ``public``), no login."""

from django.urls import path

from shuangsuiji.disclosure import views_opendata
from shuangsuiji.disclosure import views_public as views

app_name = "public"

urlpatterns = [
    path("", views.home, name="home"),
    path("items/", views.items, name="items"),
    path("list/", views.annual_list, name="list"),
    path("plans/", views.plans, name="plans"),
    path("plans/<id:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<id:pk>/draws/<id:number>/manifest.json", views.manifest, name="manifest"),
    path("results/", views.results, name="results"),
    path("results/<key:public_id>/", views.result_detail, name="result_detail"),
    path("targets/<key:credit_code>/", views.target, name="target"),
    path("verify/", views.verify, name="verify"),
    path("verify/<key:name>", views.tool, name="tool"),
    path("verification/", views.verification, name="verification"),
    path("opendata/", views_opendata.opendata, name="opendata"),
]
