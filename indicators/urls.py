from django.urls import include, path

import core.converters  # noqa: F401  (registers the <iso3:...> path converter)
from indicators import views

app_name = "indicators"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("export.csv", views.overview_export, name="overview_export"),
    path("methodology/", views.methodology, name="methodology"),
    path("search/", views.country_search, name="country_search"),
    path("search/countries.json", views.country_search_index, name="country_search_index"),
    path("sources/", views.data_sources, name="data_sources"),
    path("countries/<iso3:iso3>/", views.country_detail, name="country_detail"),
    path("countries/<iso3:iso3>/indicators/", views.country_indicators, name="country_indicators"),
    path("countries/<iso3:iso3>/assessments/new/", views.assessment_create, name="assessment_create"),
    path("countries/<iso3:iso3>/score-status/", views.score_status, name="score_status"),
    # Dataset imports: names are namespaced "indicators:imports:<name>".
    path("imports/", include("indicators.importers.urls")),
]
