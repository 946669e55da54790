from rest_framework.routers import SimpleRouter

from alerts.api import views

router = SimpleRouter()
router.register("alerts", views.AlertViewSet, basename="alert")
router.register("escalations", views.EscalationViewSet, basename="escalation")

urlpatterns = router.urls
