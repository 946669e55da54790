from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from atrocity_watch.roles import ALL_ROLES, can_record_assessment, role_required
from indicators.forms import AssessmentForm
from indicators.models import Country
from indicators.selectors import assessments_for_country, countries_list, country_get, indicators_active
from indicators.services import assessment_record


def _country_or_404(iso3: str) -> Country:
    try:
        return country_get(iso3=iso3)
    except Country.DoesNotExist as exc:
        raise Http404(f"No country with ISO-3 code {iso3!r}.") from exc


@role_required(*ALL_ROLES)
def overview(request):
    return render(request, "indicators/overview.html", {"countries": countries_list()})


@role_required(*ALL_ROLES)
def country_detail(request, iso3: str):
    country = _country_or_404(iso3)
    may_assess = can_record_assessment(request.user, country)
    context = {
        "country": country,
        "assessments": assessments_for_country(country=country, limit=200),
        "may_assess": may_assess,
        "form": AssessmentForm(indicators=indicators_active()) if may_assess else None,
    }
    return render(request, "indicators/country_detail.html", context)


@role_required(*ALL_ROLES)
@require_http_methods(["POST"])
def assessment_create(request, iso3: str):
    country = _country_or_404(iso3)
    if not can_record_assessment(request.user, country):
        raise PermissionDenied(f"Only analysts of the desk that owns {country.name} may record assessments for it.")
    form = AssessmentForm(request.POST, indicators=indicators_active())
    if form.is_valid():
        try:
            assessment_record(country=country, author=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "Assessment recorded. Scores for this country are being recomputed.")
            return redirect("indicators:country_detail", iso3=country.iso3)
    context = {
        "country": country,
        "assessments": assessments_for_country(country=country, limit=200),
        "may_assess": True,
        "form": form,
    }
    return render(request, "indicators/country_detail.html", context, status=400)
