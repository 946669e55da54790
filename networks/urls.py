"""Network pages; included at the site root."""

from django.urls import path

import core.converters  # noqa: F401  (registers the <iso3:...> path converter)
from networks import views

app_name = "networks"

urlpatterns = [
    path("countries/<iso3:iso3>/network/", views.network_country, name="country_network"),
    path(
        "countries/<iso3:iso3>/network/analysis/<int:pk>/",
        views.network_analysis_status,
        name="analysis_status",
    ),
    path("countries/<iso3:iso3>/network/actors/new/", views.actor_create, name="actor_create"),
    path(
        "countries/<iso3:iso3>/network/export/<str:kind>/",
        views.network_export,
        name="country_export",
    ),
    path("network/export/<str:kind>/", views.network_export, name="export"),
    path("network/import/", views.ftm_upload, name="import_upload"),
    path("network/imports/<int:pk>/", views.ftm_import_detail, name="import_detail"),
    path("actors/<int:pk>/", views.actor_detail, name="actor_detail"),
    path("actors/<int:pk>/edit/", views.actor_edit, name="actor_edit"),
    path("actors/<int:pk>/relationships/new/", views.relationship_create, name="relationship_create"),
    path("actors/<int:pk>/escalations/", views.actor_link_escalation, name="actor_link_escalation"),
    path("actors/<int:pk>/sanctions-actions/", views.actor_link_action, name="actor_link_action"),
    path("relationships/<int:pk>/edit/", views.relationship_edit, name="relationship_edit"),
    path(
        "escalations/<int:pk>/actors/<int:actor_pk>/remove/",
        views.escalation_actor_remove,
        name="escalation_actor_remove",
    ),
    path("actions/<int:pk>/targets/<int:actor_pk>/remove/", views.action_target_remove, name="action_target_remove"),
]
