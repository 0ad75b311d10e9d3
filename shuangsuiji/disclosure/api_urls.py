"""/api/public/: the read-only public API (namespace ``public-api``)."""

from django.urls import path

from shuangsuiji.disclosure import api

app_name = "public-api"

urlpatterns = [
    path("", api.ApiRoot.as_view(), name="root"),
    path("items/", api.CheckItemList.as_view(), name="items"),
    path("list/", api.ListedTargetList.as_view(), name="list"),
    path("plans/", api.PlanList.as_view(), name="plans"),
    path("plans/<id:pk>/", api.PlanDetail.as_view(), name="plan_detail"),
    path("plans/<id:plan_id>/draws/<id:number>/manifest.json", api.ManifestView.as_view(), name="manifest"),
    path("plans/<id:plan_id>/draws/<id:number>/manifest-sealed.json", api.SealedManifestView.as_view(),
         name="manifest_sealed"),
    path("results/", api.ResultList.as_view(), name="results"),
    path("results/<key:public_id>/", api.ResultDetail.as_view(), name="result_detail"),
    path("corrections/", api.CorrectionList.as_view(), name="corrections"),
    path("verification/", api.VerificationList.as_view(), name="verification"),
]
