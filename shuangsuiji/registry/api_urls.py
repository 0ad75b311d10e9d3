from rest_framework.routers import DefaultRouter

from shuangsuiji.registry import api

app_name = "registry-api"  # each API its own root and names (both routers called their root "api-root")

router = DefaultRouter()
router.register("jurisdictions", api.JurisdictionViewSet)
router.register("departments", api.DepartmentViewSet)
router.register("targets", api.TargetViewSet)
router.register("inspectors", api.InspectorViewSet)
router.register("items", api.CheckItemViewSet)

urlpatterns = router.urls
