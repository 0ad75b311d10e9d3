from rest_framework.routers import DefaultRouter

from shuangsuiji.fieldwork import api

router = DefaultRouter()
router.register("records", api.RecordViewSet, basename="record")

urlpatterns = router.urls
