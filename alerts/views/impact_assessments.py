"""Recording a trigger event and filling in the Atrocity Impact Assessment it opens."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from alerts import selectors, services
from alerts.forms import ImpactAssessmentForm, TriggerEventForm
from alerts.models import AIA_AREAS, AtrocityImpactAssessment
from alerts.views.base import add_service_errors, country_or_404, error_text
from core.converters import is_iso3
from core.roles import (
    ALL_ROLES,
    Role,
    can_edit_impact_assessment,
    can_record_trigger_event,
    role_required,
    trigger_event_country_scope,
)
from indicators.models import Country


@role_required(Role.ANALYST, Role.FOCAL_POINT)
@require_http_methods(["GET", "POST"])
def trigger_event_create(request, iso3: str):
    country = country_or_404(iso3)
    if not can_record_trigger_event(request.user, country):
        raise PermissionDenied(f"Only analysts of {country.name}'s desk and the Focal Point record trigger events.")
    if request.method == "POST":
        form = TriggerEventForm(request.POST)
        if form.is_valid():
            try:
                aia = services.trigger_event_record(country=country, user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Trigger event recorded; an Atrocity Impact Assessment is open.")
                return redirect("alerts:impact_assessment_detail", pk=aia.pk)
        status = 400
    else:
        form = TriggerEventForm(initial={"owner": request.user.pk})
        status = 200
    return render(request, "alerts/trigger_event_form.html", {"country": country, "form": form}, status=status)


@role_required(*ALL_ROLES)
def impact_assessment_list(request):
    scope = trigger_event_country_scope(request.user)
    if scope == "all":
        trigger_countries = Country.objects.order_by("name")
    elif scope == "desk":
        trigger_countries = selectors.countries_of_desks(request.user)
    else:
        trigger_countries = []
    context = {"assessments": selectors.impact_assessments_list(), "trigger_countries": trigger_countries}
    return render(request, "alerts/impact_assessment_list.html", context)


@role_required(Role.ANALYST, Role.FOCAL_POINT)
def country_pick(request):
    """Send a country chosen from a list to its escalation or trigger-event page (those pages check permissions)."""
    iso3 = request.GET.get("iso3", "")
    target = {"escalate": "alerts:escalation_create", "trigger_event": "alerts:trigger_event_create"}.get(
        request.GET.get("then", "")
    )
    if target is None or not is_iso3(iso3) or not Country.objects.filter(iso3=iso3.upper()).exists():
        raise Http404("Choose a country from the list.")
    return redirect(target, iso3=iso3.upper())


@role_required(*ALL_ROLES)
@require_http_methods(["GET", "POST"])
def impact_assessment_detail(request, pk: int):
    try:
        aia = selectors.impact_assessment_get(pk=pk)
    except AtrocityImpactAssessment.DoesNotExist as exc:
        raise Http404(f"No Atrocity Impact Assessment {pk}.") from exc
    may_edit = aia.status == AtrocityImpactAssessment.Status.OPEN and can_edit_impact_assessment(
        request.user, country=aia.country, owner_id=aia.owner_id
    )
    status = 200
    if request.method == "POST":
        if not can_edit_impact_assessment(request.user, country=aia.country, owner_id=aia.owner_id):
            raise PermissionDenied(
                "Only the owner, the country's desk analysts and the Focal Point edit this assessment."
            )
        # An area absent from the POST (a stale page, a client sending only what it changed) is left as stored,
        # and shown as stored if the page comes back; only an area sent empty is emptied.
        sent = [field for field, _ in AIA_AREAS if field in request.POST]
        form = ImpactAssessmentForm({field: request.POST.get(field, getattr(aia, field)) for field, _ in AIA_AREAS})
        if form.is_valid():
            areas = {field: form.cleaned_data[field] for field in sent}
            try:
                aia = services.impact_assessment_update(aia=aia, user=request.user, areas=areas)
                if "complete" in request.POST:
                    aia = services.impact_assessment_complete(aia=aia, user=request.user)
                    messages.success(request, "Atrocity Impact Assessment completed.")
                else:
                    messages.success(request, "Saved. Complete it once every area is filled.")
            except ValidationError as exc:
                messages.error(request, error_text(exc))
                status = 400
            else:
                return redirect("alerts:impact_assessment_detail", pk=aia.pk)
    else:
        form = ImpactAssessmentForm(initial={field: getattr(aia, field) for field, _ in AIA_AREAS})
    context = {"aia": aia, "form": form, "may_edit": may_edit}
    return render(request, "alerts/impact_assessment_detail.html", context, status=status)
