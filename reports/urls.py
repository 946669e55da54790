"""Report and country-brief pages; included at the site root."""

from django.urls import path

import core.converters  # noqa: F401  (registers the <iso3:...> path converter)
from reports import views

app_name = "reports"

urlpatterns = [
    path("reports/", views.report_list, name="report_list"),
    path("reports/generate/", views.report_generate, name="report_generate"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/approve/", views.report_approve, name="report_approve"),
    path("reports/<int:pk>/publish/", views.report_publish, name="report_publish"),
    path("reports/<int:pk>/withdraw/", views.report_withdraw, name="report_withdraw"),
    path("reports/<int:pk>/correct/", views.report_correct, name="report_correct"),
    path("reports/<int:pk>/regenerate/", views.report_regenerate, name="report_regenerate"),
    path("reports/<int:pk>/report.pdf", views.report_pdf, name="report_pdf"),
    path("reports/<int:pk>/report.html", views.report_html, name="report_html"),
    path("countries/<iso3:iso3>/brief/", views.country_brief, name="country_brief"),
    path("countries/<iso3:iso3>/brief.pdf", views.country_brief_pdf, name="country_brief_pdf"),
]
