from django.urls import path
from rest_framework.routers import SimpleRouter

import core.converters  # noqa: F401  (registers the <iso3:...> path converter)
from networks.api import views

router = SimpleRouter()
router.register("actors", views.ActorViewSet, basename="actor")
router.register("relationships", views.RelationshipViewSet, basename="relationship")

urlpatterns = [
    path("countries/<iso3:iso3>/network/", views.CountryNetworkView.as_view(), name="country-network"),
    *router.urls,
]
