from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from atrocity_watch import account_views
from atrocity_watch.forms import LoginForm
from atrocity_watch.views import healthz

# A database that is down or too slow answers 503 (JSON under /api/) instead of a 500; see atrocity_watch/database.py.
handler500 = "atrocity_watch.database.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=LoginForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("account/tokens/", account_views.tokens, name="account_tokens"),
    path("account/tokens/<int:token_id>/revoke/", account_views.token_revoke, name="account_token_revoke"),
    path("api/v1/", include("atrocity_watch.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
    path("", include("indicators.urls")),
    path("", include("alerts.urls")),
    path("", include("networks.urls")),
    path("", include("reports.urls")),
]
