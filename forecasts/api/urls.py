from rest_framework.routers import SimpleRouter

from forecasts.api import views

router = SimpleRouter()
router.register("forecasts", views.ForecastViewSet, basename="forecast")
router.register("forecast-models", views.ForecastModelViewSet, basename="forecast-model")

urlpatterns = router.urls
