from rest_framework.routers import DefaultRouter

from shuangsuiji.planning import api

app_name = "planning-api"

router = DefaultRouter()
router.register("plans", api.PlanViewSet, basename="plan")
router.register("tasks", api.TaskViewSet, basename="task")

urlpatterns = router.urls
