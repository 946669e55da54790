from rest_framework.routers import SimpleRouter

from indicators.api import views

router = SimpleRouter()
router.register("countries", views.CountryViewSet, basename="country")
router.register("risk-factors", views.RiskFactorViewSet, basename="risk-factor")
router.register("indicators", views.IndicatorViewSet, basename="indicator")
router.register("methodologies", views.MethodologyViewSet, basename="methodology")
router.register("score-runs", views.ScoreRunViewSet, basename="score-run")
router.register("scores", views.LatestScoreViewSet, basename="score")
router.register("assessments", views.AssessmentViewSet, basename="assessment")

urlpatterns = router.urls
