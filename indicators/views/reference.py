"""The reference pages: the methodology, the data sources, and the country search (page and type-ahead index)."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from core import extensions
from core.roles import ALL_ROLES, role_required
from indicators.country_search import aliases_of, countries_matching
from indicators.importers.mappings import dataset_mappings
from indicators.scoring.core import band_thresholds_of
from indicators.scoring.selectors import data_sources_summary
from indicators.selectors import (
    countries_for_search,
    methodologies_all,
    methodology_active,
    risk_factors_active,
)
from indicators.views.common import CRIME_GROUP_LABELS


@role_required(*ALL_ROLES)
@require_GET
def methodology(request):
    versions = list(methodologies_all())
    active = next((version for version in versions if version.is_active), None)
    parameters = active.parameters if active else {}
    factor_names = {factor.number: factor.name for factor in risk_factors_active()}
    crime_groups = [
        {
            "label": CRIME_GROUP_LABELS.get(group, group),
            "factors": [(number, factor_names.get(number, "")) for number in numbers],
        }
        for group, numbers in parameters.get("crime_groups", {}).items()
    ]
    context = {
        "active": active,
        "versions": versions,
        "parameters": parameters,
        "confidence_weights": sorted(parameters.get("confidence_weights", {}).items(), key=lambda item: -item[1]),
        "thresholds": band_thresholds_of(parameters),
        "common_factors": [(n, factor_names.get(n, "")) for n in parameters.get("common_factors", [])],
        "crime_groups": crime_groups,
        "factor_weights": sorted(
            (
                (int(number), factor_names.get(int(number), ""), weight)
                for number, weight in parameters.get("factor_weights", {}).items()
            )
        ),
        "uniform_weights": len(set(parameters.get("factor_weights", {}).values())) <= 1,
        "mappings": dataset_mappings(),
        "panels": extensions.panels_render_context(extensions.methodology_panels, request, None),
    }
    return render(request, "indicators/methodology.html", context)


@role_required(*ALL_ROLES)
@require_GET
def country_search(request):
    """The header search without JavaScript: one clear match opens the country's page, otherwise a list."""
    query = request.GET.get("q", "").strip()[:100]
    matches = countries_matching(query, countries_for_search()) if query else []
    if matches and (len(matches) == 1 or matches[0].rank <= 0):
        return redirect("indicators:country_detail", iso3=matches[0].iso3)
    return render(request, "indicators/search.html", {"query": query, "matches": matches})


@role_required(*ALL_ROLES)
@require_GET
def country_search_index(request):
    """Every country with its code, aliases and page, for the type-ahead script to filter as the user types."""
    url_template = reverse("indicators:country_detail", args=["ISO"])
    countries = [
        {"iso3": iso3, "name": name, "aliases": list(aliases_of(iso3)), "url": url_template.replace("ISO", iso3)}
        for iso3, name in countries_for_search()
    ]
    response = JsonResponse({"countries": countries})
    response["Cache-Control"] = "private, max-age=300"
    return response


@role_required(*ALL_ROLES)
@require_GET
def data_sources(request):
    """Every source of assessments: what it covers, how recent its data is, and when and how it was imported."""
    methodology = methodology_active()
    return render(
        request,
        "indicators/data_sources.html",
        {"sources": data_sources_summary(), "methodology": methodology, "today": timezone.localdate()},
    )
