from django.urls import path

from indicators import views

app_name = "indicators"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("countries/<str:iso3>/", views.country_detail, name="country_detail"),
    path("countries/<str:iso3>/assessments/new/", views.assessment_create, name="assessment_create"),
]
