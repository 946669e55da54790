"""The alerts triage list, bulk acknowledgement, and an analyst's acknowledgement or dismissal of an alert."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from alerts import selectors, services, triage
from alerts.forms import AlertTriageForm, BulkAcknowledgeForm, DismissForm
from alerts.models import Alert
from alerts.views.base import error_text
from core.roles import ALL_ROLES, Role, can_escalate, can_handle_alert, role_required, user_desk_ids
from indicators.selectors import country_scores_latest, desks_all, methodology_active, view_state_filters
from indicators.services import view_state_filters_keep

ALERT_FILTERS = ("desk", "rule", "country", "severity", "age", "sort", "group")
# A refused dismissal returns to the list; the reason the user wrote waits here to be shown again, once.
UNSAVED_DISMISSAL = "alert_dismiss_unsaved_reason"
UNSAVED_BULK = "alerts_acknowledge_unsaved"


def _alert_filters_remembered(request) -> str | None:
    """A bare visit reopens the user's last alert filters ("my desks" for an analyst at first); a filtered visit
    is remembered."""
    if request.GET:
        kept = request.GET.copy()
        for name in list(kept):
            if name not in ALERT_FILTERS:
                del kept[name]
        view_state_filters_keep(user=request.user, page="alerts", query=kept.urlencode())
        return None
    saved = view_state_filters(user=request.user).get("alerts")
    if saved is None and user_desk_ids(request.user):
        return "desk=mine"
    return saved or None


@role_required(*ALL_ROLES)
def alert_list(request):
    if remembered := _alert_filters_remembered(request):
        return redirect(f"{reverse('alerts:alert_list')}?{remembered}")
    desk_ids = user_desk_ids(request.user)
    desks = desks_all()
    countries = selectors.countries_with_open_alerts()
    form = AlertTriageForm(request.GET or None, desks=desks, countries=countries, has_desk=bool(desk_ids))
    data = form.cleaned_data if form.is_valid() else {}
    desk = data.get("desk") or ""
    if desk == "mine":
        chosen_desks = desk_ids
    elif desk:
        chosen_desks = {d.pk for d in desks if d.slug == desk}
    else:
        chosen_desks = None
    raised_from, raised_before = triage.raised_window(data.get("age") or "", timezone.now())
    alerts = list(
        selectors.alerts_open_filtered(
            desk_ids=chosen_desks,
            rule_kind=data.get("rule") or "",
            iso3=data.get("country") or "",
            raised_from=raised_from,
            raised_before=raised_before,
        )
    )
    methodology = methodology_active()
    current = {
        score.country_id: score
        for score in country_scores_latest(methodology=methodology).filter(
            country_id__in={alert.country_id for alert in alerts}
        )
    }
    for alert in alerts:
        alert.severity = triage.alert_severity(alert.rule_kind, alert.details)
        alert.severity_label = dict(triage.SEVERITY_CHOICES)[alert.severity]
        alert.current = current.get(alert.country_id)
        alert.quotable = triage.quotes_current_score(
            alert.details,
            current_overall=alert.current.overall if alert.current else None,
            current_band=alert.current.band if alert.current else None,
        )
        alert.may_handle = can_handle_alert(request.user, alert.country)
        alert.may_escalate = can_escalate(request.user, alert.country)
    if data.get("severity"):
        alerts = [alert for alert in alerts if alert.severity == data["severity"]]
    alerts = triage.alerts_sorted(alerts, data.get("sort") or "severity")
    unsaved_dismissal = _unsaved_dismissal_shown(request, alerts)
    context = {
        "form": form,
        "open_alerts": alerts,
        "groups": triage.alerts_by_country(alerts) if data.get("group") else None,
        "may_bulk": any(alert.may_handle and alert.status == Alert.Status.OPEN for alert in alerts),
        "handled_alerts": selectors.alerts_recently_handled(),
        "rules": selectors.alert_rules_published(),
        "dismiss_form": DismissForm(),
        "unsaved_dismissal": unsaved_dismissal,
        "unsaved_bulk": request.session.pop(UNSAVED_BULK, None) or {"reason": "", "alerts": []},
        "filtered": any(request.GET.get(name) for name in ("desk", "rule", "country", "severity", "age")),
    }
    return render(request, "alerts/alert_list.html", context)


def _unsaved_dismissal_shown(request, alerts: list[Alert]) -> dict | None:
    """The reason of a refused dismissal goes back into that alert's form; when the alert has left the open list
    (someone else handled it first), it is returned to be shown on its own so the user can still copy it."""
    unsaved = request.session.pop(UNSAVED_DISMISSAL, None) or {}
    for alert in alerts:
        alert.unsaved_reason = unsaved.get("reason", "") if unsaved.get("alert_id") == alert.pk else ""
        if alert.unsaved_reason and alert.may_handle:
            return None
    return unsaved or None


@role_required(Role.ANALYST, Role.FOCAL_POINT)
@require_http_methods(["POST"])
def alerts_acknowledge(request):
    """Acknowledge the ticked alerts with one reason, then return to the same filtered list."""
    form = BulkAcknowledgeForm(request.POST, alert_ids=[int(v) for v in request.POST.getlist("alerts") if v.isdigit()])
    back = request.POST.get("next", "")
    target = back if back.startswith(reverse("alerts:alert_list")) else reverse("alerts:alert_list")
    if not form.is_valid():
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
        return _back_keeping_the_bulk_reason(request, target)
    acknowledged, refused = services.alerts_acknowledge(
        alert_ids=form.cleaned_data["alerts"], user=request.user, reason=form.cleaned_data["reason"]
    )
    if acknowledged:
        count = len(acknowledged)
        messages.success(request, f"{count} alert{'s' if count != 1 else ''} acknowledged.")
    for refusal in refused:
        messages.error(request, f"Not acknowledged: {refusal}")
    if not acknowledged:
        return _back_keeping_the_bulk_reason(request, target)
    return redirect(target)


def _back_keeping_the_bulk_reason(request, target: str):
    """Nothing was acknowledged: the list opens the bulk form again with the reason and the ticks the user gave
    (once; when some alerts were acknowledged the reason is stored with them and the form starts empty)."""
    reason = request.POST.get("reason", "")
    ticked = [int(v) for v in request.POST.getlist("alerts") if v.isdigit()]
    if reason.strip() or ticked:
        request.session[UNSAVED_BULK] = {"reason": reason, "alerts": ticked}
    return redirect(target)


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
        return _back_to_list_keeping_the_reason(request, alert)
    try:
        services.alert_dismiss(alert=alert, user=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, f"{alert.rule.name} for {alert.country.name} not dismissed: {error_text(exc)}")
        return _back_to_list_keeping_the_reason(request, alert)
    messages.success(request, f"Alert for {alert.country.name} dismissed.")
    return redirect("alerts:alert_list")


def _back_to_list_keeping_the_reason(request, alert: Alert):
    """A refused dismissal loses nothing the user wrote: the list opens the alert's form again with the reason."""
    reason = request.POST.get("reason", "")
    if reason.strip():
        request.session[UNSAVED_DISMISSAL] = {
            "alert_id": alert.pk,
            "reason": reason,
            "label": f"{alert.rule.name} alert for {alert.country.name}",
        }
    return redirect("alerts:alert_list")
