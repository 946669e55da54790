"""Every /api/v1/ route; anything else under it answers 404 in the shared error shape, never an HTML page."""

from django.urls import include, path, re_path
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView


@extend_schema(exclude=True)
class ApiNotFound(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    def initial(self, request, *args, **kwargs):
        # Raised before method dispatch, so every method gets the same answer.
        raise NotFound(f"There is no API endpoint at {request.path}.")


urlpatterns = [
    path("", include("indicators.api.urls")),
    path("", include("forecasts.api.urls")),
    path("", include("alerts.api.urls")),
    path("", include("networks.api.urls")),
    path("", include("reports.api.urls")),
    # (?s): a path holding a newline (%0A) must land here too, not in Django's HTML 404.
    re_path(r"^[\s\S]*$", ApiNotFound.as_view()),
]
