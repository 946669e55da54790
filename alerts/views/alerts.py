"""The alerts list and an analyst's acknowledgement or dismissal of an alert."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from alerts import selectors, services
from alerts.forms import DismissForm
from alerts.models import Alert
from alerts.views.base import error_text
from core.roles import ALL_ROLES, Role, can_escalate, can_handle_alert, role_required


@role_required(*ALL_ROLES)
def alert_list(request):
    open_alerts = list(selectors.alerts_open())
    for alert in open_alerts:
        alert.may_handle = can_handle_alert(request.user, alert.country)
        alert.may_escalate = can_escalate(request.user, alert.country)
    context = {
        "open_alerts": open_alerts,
        "handled_alerts": selectors.alerts_recently_handled(),
        "rules": selectors.alert_rules_published(),
        "dismiss_form": DismissForm(),
    }
    return render(request, "alerts/alert_list.html", context)


def _alert_or_404(pk: int) -> Alert:
    try:
        return selectors.alert_get(pk=pk)
    except Alert.DoesNotExist as exc:
        raise Http404(f"No alert {pk}.") from exc


@role_required(Role.ANALYST, Role.FOCAL_POINT)
@require_http_methods(["POST"])
def alert_acknowledge(request, pk: int):
    alert = _alert_or_404(pk)
    try:
        services.alert_acknowledge(alert=alert, user=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"Alert for {alert.country.name} acknowledged.")
    return redirect("alerts:alert_list")


@role_required(Role.ANALYST, Role.FOCAL_POINT)
@require_http_methods(["POST"])
def alert_dismiss(request, pk: int):
    alert = _alert_or_404(pk)
    form = DismissForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why this alert is dismissed.")
        return redirect("alerts:alert_list")
    try:
        services.alert_dismiss(alert=alert, user=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"Alert for {alert.country.name} dismissed.")
    return redirect("alerts:alert_list")
