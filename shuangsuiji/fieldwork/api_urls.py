from rest_framework.routers import DefaultRouter

from shuangsuiji.fieldwork import api

app_name = "fieldwork-api"  # each API its own root and names (both routers called their root "api-root")

router = DefaultRouter()
router.register("records", api.RecordViewSet, basename="record")

urlpatterns = router.urls
