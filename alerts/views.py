"""Pages for alerts, the Focal Point queue, escalations, the actions tracker, trigger events and AIAs.

Views stay thin: they check the role and desk via core.roles, call a service, and show its errors.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from alerts import selectors, services
from alerts.forms import (
    ActionStatusForm,
    DecisionForm,
    DismissForm,
    EscalationForm,
    ImpactAssessmentForm,
    ResubmitForm,
    TriggerEventForm,
    response_action_formset,
)
from alerts.models import (
    AIA_AREAS,
    Alert,
    AtrocityImpactAssessment,
    Escalation,
    Notification,
    ResponseAction,
)
from core import extensions
from core.roles import (
    ALL_ROLES,
    Role,
    can_decide,
    can_edit_impact_assessment,
    can_escalate,
    can_handle_alert,
    can_record_trigger_event,
    can_update_response_action,
    can_view_escalation,
    has_role,
    role_required,
    trigger_event_country_scope,
)
from indicators.models import Country
from indicators.selectors import country_get


def _country_or_404(iso3: str) -> Country:
    try:
        return country_get(iso3=iso3)
    except Country.DoesNotExist as exc:
        raise Http404(f"No country with ISO-3 code {iso3!r}.") from exc


def _escalation_or_404(request, pk: int) -> Escalation:
    try:
        escalation = selectors.escalation_get(pk=pk)
    except Escalation.DoesNotExist as exc:
        raise Http404(f"No escalation {pk}.") from exc
    if not can_view_escalation(
        request.user, country=escalation.country, created_by_id=escalation.created_by_id, state=escalation.state
    ):
        # Not 403: whether someone else's draft or another desk's case exists is not given away either.
        raise Http404(f"No escalation {pk}.")
    return escalation


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _add_service_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# ---------------------------------------------------------------------------------------------------------- alerts


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
        messages.error(request, _error_text(exc))
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
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, f"Alert for {alert.country.name} dismissed.")
    return redirect("alerts:alert_list")


# ----------------------------------------------------------------------------------------------------- escalations


@role_required(*ALL_ROLES)
def escalation_list(request):
    now = timezone.now()
    queue = list(selectors.escalation_queue(request.user))
    for escalation in queue:
        escalation.overdue = escalation.is_overdue(now)
    context = {
        "queue": queue,
        "others": selectors.escalations_other(request.user),
        "notifications": selectors.notifications_unread(request.user),
        "may_claim": can_decide(request.user),
        "overdue_count": sum(1 for e in queue if e.overdue),
        "escalate_countries": selectors.countries_of_desks(request.user)
        if has_role(request.user, Role.ANALYST)
        else [],
    }
    return render(request, "alerts/escalation_list.html", context)


def _detail_context(request, escalation: Escalation, **forms) -> dict:
    available = {t.action for t in services.transitions_available(escalation, request.user)}
    decisions = [action for action in services.DECISIONS if action in available]
    may_edit = escalation.state in services.EDITABLE_STATES and can_escalate(request.user, escalation.country)
    timeline = list(selectors.escalation_timeline(escalation))
    decided_by = selectors.escalation_decided_by(timeline)
    return {
        "escalation": escalation,
        "timeline": timeline,
        "decided_by_name": (decided_by.get_full_name() or decided_by.username) if decided_by else "The Focal Point",
        "actions": escalation.actions.select_related("owner_account"),
        "snapshot": escalation.scores_snapshot,
        "may_submit": "submit" in available,
        "may_claim": "claim" in available,
        "may_resubmit": "resubmit" in available,
        "may_edit": may_edit,
        "decisions": decisions,
        "decision_form": forms.get("decision_form") or DecisionForm(allowed=decisions),
        "action_formset": (forms.get("action_formset") or response_action_formset()) if decisions else None,
        "resubmit_form": forms.get("resubmit_form") or ResubmitForm(),
        "overdue": escalation.is_overdue(),
        "panels": extensions.panels_render_context(extensions.escalation_detail_panels, request, escalation),
    }


@role_required(*ALL_ROLES)
def escalation_detail(request, pk: int):
    escalation = _escalation_or_404(request, pk)
    return render(request, "alerts/escalation_detail.html", _detail_context(request, escalation))


@role_required(Role.ANALYST)
@require_http_methods(["GET", "POST"])
def escalation_create(request, iso3: str):
    country = _country_or_404(iso3)
    if not can_escalate(request.user, country):
        raise PermissionDenied(f"Only analysts of the desk that owns {country.name} may escalate it.")
    alert = None
    alert_id = request.POST.get("alert") or request.GET.get("alert")
    if alert_id:
        try:
            alert = Alert.objects.select_related("country").get(pk=int(alert_id), country=country)
        except (ValueError, Alert.DoesNotExist) as exc:
            raise Http404(f"No open alert {alert_id} for {country.name}.") from exc
    if request.method == "POST":
        form = EscalationForm(request.POST)
        if form.is_valid():
            try:
                escalation = services.escalation_create(
                    country=country,
                    user=request.user,
                    alert=alert,
                    submit="submit_now" in request.POST,
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                _add_service_errors(form, exc)
            else:
                if escalation.state != Escalation.State.DRAFT:
                    messages.success(request, "Escalation submitted. The Focal Point has been notified.")
                else:
                    messages.success(request, "Draft saved. Submit it when it is ready.")
                return redirect("alerts:escalation_detail", pk=escalation.pk)
        status = 400
    else:
        initial = {}
        if alert is not None:
            initial["summary"] = f"Alert: {alert.message}"
        form = EscalationForm(initial=initial)
        status = 200
    context = {"country": country, "form": form, "alert": alert, "escalation": None}
    return render(request, "alerts/escalation_form.html", context, status=status)


@role_required(Role.ANALYST)
@require_http_methods(["GET", "POST"])
def escalation_edit(request, pk: int):
    escalation = _escalation_or_404(request, pk)
    if not can_escalate(request.user, escalation.country):
        raise PermissionDenied(f"Only analysts of the desk that owns {escalation.country.name} may edit its cases.")
    if escalation.state not in services.EDITABLE_STATES:
        messages.error(request, f"This case is {escalation.get_state_display().lower()}; it can no longer be edited.")
        return redirect("alerts:escalation_detail", pk=escalation.pk)
    if request.method == "POST":
        form = EscalationForm(request.POST)
        if form.is_valid():
            try:
                services.escalation_update(escalation=escalation, user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _add_service_errors(form, exc)
            else:
                messages.success(request, "Changes saved.")
                return redirect("alerts:escalation_detail", pk=escalation.pk)
        status = 400
    else:
        form = EscalationForm(initial=EscalationForm.initial_from(escalation))
        status = 200
    context = {"country": escalation.country, "form": form, "alert": escalation.alert, "escalation": escalation}
    return render(request, "alerts/escalation_form.html", context, status=status)


def _transition_refused(request, escalation: Escalation, exc: ValidationError, status: int = 409, **forms):
    messages.error(request, _error_text(exc))
    escalation.refresh_from_db()
    return render(
        request, "alerts/escalation_detail.html", _detail_context(request, escalation, **forms), status=status
    )


@role_required(Role.ANALYST)
@require_http_methods(["POST"])
def escalation_submit(request, pk: int):
    escalation = _escalation_or_404(request, pk)
    try:
        services.escalation_submit(escalation=escalation, user=request.user)
    except ValidationError as exc:
        return _transition_refused(request, escalation, exc)
    messages.success(request, "Escalation submitted. The Focal Point has been notified.")
    return redirect("alerts:escalation_detail", pk=escalation.pk)


@role_required(Role.ANALYST)
@require_http_methods(["POST"])
def escalation_resubmit(request, pk: int):
    escalation = _escalation_or_404(request, pk)
    form = ResubmitForm(request.POST)
    if not form.is_valid():
        return _transition_refused(
            request,
            escalation,
            ValidationError("Say what you added or changed before resubmitting."),
            status=400,
            resubmit_form=form,
        )
    try:
        services.escalation_resubmit(escalation=escalation, user=request.user, note=form.cleaned_data["note"])
    except ValidationError as exc:
        return _transition_refused(request, escalation, exc)
    messages.success(request, "Escalation resubmitted. The Focal Point has been notified.")
    return redirect("alerts:escalation_detail", pk=escalation.pk)


@role_required(Role.FOCAL_POINT)
@require_http_methods(["POST"])
def escalation_claim(request, pk: int):
    escalation = _escalation_or_404(request, pk)
    try:
        services.escalation_claim(escalation_id=escalation.pk, user=request.user)
    except services.EscalationAlreadyClaimed as exc:
        messages.error(request, _error_text(exc))
        return redirect("alerts:escalation_list")
    except ValidationError as exc:
        return _transition_refused(request, escalation, exc)
    messages.success(request, "You have claimed this case. The decision is yours.")
    return redirect("alerts:escalation_detail", pk=escalation.pk)


@role_required(Role.FOCAL_POINT)
@require_http_methods(["POST"])
def escalation_decide(request, pk: int):
    escalation = _escalation_or_404(request, pk)
    allowed = [t.action for t in services.transitions_available(escalation, request.user) if t.is_decision]
    form = DecisionForm(request.POST, allowed=list(services.DECISIONS))
    formset = response_action_formset(request.POST)
    if not form.is_valid():
        return _transition_refused(
            request,
            escalation,
            ValidationError("Choose a decision and write its rationale."),
            status=400,
            decision_form=form,
            action_formset=formset,
        )
    decision = form.cleaned_data["decision"]
    actions = []
    if decision == "declare_imminent_risk":
        if not formset.is_valid():
            return _transition_refused(
                request,
                escalation,
                ValidationError("Some response actions are incomplete; see the marked rows."),
                status=400,
                decision_form=form,
                action_formset=formset,
            )
        actions = [row for row in formset.cleaned_data if row]
    try:
        services.escalation_decide(
            escalation=escalation,
            user=request.user,
            decision=decision,
            rationale=form.cleaned_data["rationale"],
            actions=actions,
        )
    except ValidationError as exc:
        status = 409 if isinstance(exc, services.EscalationTransitionError) else 400
        return _transition_refused(
            request,
            escalation,
            exc,
            status=status,
            decision_form=DecisionForm(request.POST, allowed=allowed),
            action_formset=formset,
        )
    escalation.refresh_from_db()
    messages.success(request, f"Decision recorded: {escalation.get_state_display()}. The analysts have been notified.")
    return redirect("alerts:escalation_detail", pk=escalation.pk)


@role_required(*ALL_ROLES)
@require_http_methods(["POST"])
def notification_read(request, pk: int):
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.notification_mark_read(notification=notification, user=request.user)
    return redirect("alerts:escalation_detail", pk=notification.escalation_id)


# ------------------------------------------------------------------------------------------------ actions tracker


@role_required(*ALL_ROLES)
def action_tracker(request):
    groups = selectors.response_actions_open_by_department()
    closed = list(selectors.response_actions_closed())
    labels = dict(ResponseAction.Status.choices)
    every_action = [action for _, actions in groups for action in actions] + closed
    # Every role sees the whole tracker, but a case links only for those who may open it (another desk's analyst
    # may not), so nobody follows a link into a 404.
    readable = selectors.escalation_ids_readable(request.user, {action.escalation_id for action in every_action})
    for action in every_action:
        action.case_readable = action.escalation_id in readable
    for _, actions in groups:
        for action in actions:
            action.may_update = can_update_response_action(request.user, owner_account_id=action.owner_account_id)
            action.next_statuses = [
                (value, labels[value]) for value in ResponseAction.NEXT_STATUSES[ResponseAction.Status(action.status)]
            ]
    context = {
        "groups": groups,
        "open_count": sum(len(actions) for _, actions in groups),
        "closed": closed,
    }
    return render(request, "alerts/action_tracker.html", context)


@role_required(*ALL_ROLES)
@require_http_methods(["POST"])
def action_status(request, pk: int):
    action = get_object_or_404(ResponseAction.objects.select_related("country"), pk=pk)
    if not can_update_response_action(request.user, owner_account_id=action.owner_account_id):
        raise PermissionDenied("Only the action's owner and the R2P Focal Point update a response action.")
    form = ActionStatusForm(request.POST)
    if not form.is_valid():
        problems = []
        if "status" in form.errors:
            problems.append("Choose in progress, done or cancelled.")
        if "note" in form.errors:
            problems.append("Add a note on what changed.")
        messages.error(request, " ".join(problems))
        return redirect("alerts:action_tracker")
    try:
        updated = services.response_action_set_status(
            action=action, user=request.user, status=form.cleaned_data["status"], note=form.cleaned_data["note"]
        )
    except ValidationError as exc:
        messages.error(request, f"{action.get_tool_display()} for {action.country.name}: {_error_text(exc)}")
    else:
        messages.success(
            request,
            f"{action.get_tool_display()} for {action.country.name} is now {updated.get_status_display().lower()}.",
        )
    return redirect("alerts:action_tracker")


# ------------------------------------------------------------------------------------ trigger events and AIAs


@role_required(Role.ANALYST, Role.FOCAL_POINT)
@require_http_methods(["GET", "POST"])
def trigger_event_create(request, iso3: str):
    country = _country_or_404(iso3)
    if not can_record_trigger_event(request.user, country):
        raise PermissionDenied(f"Only analysts of {country.name}'s desk and the Focal Point record trigger events.")
    if request.method == "POST":
        form = TriggerEventForm(request.POST)
        if form.is_valid():
            try:
                aia = services.trigger_event_record(country=country, user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _add_service_errors(form, exc)
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
    if target is None or not Country.objects.filter(iso3=iso3.upper()).exists():
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
        form = ImpactAssessmentForm(request.POST)
        if form.is_valid():
            try:
                aia = services.impact_assessment_update(aia=aia, user=request.user, areas=form.cleaned_data)
                if "complete" in request.POST:
                    aia = services.impact_assessment_complete(aia=aia, user=request.user)
                    messages.success(request, "Atrocity Impact Assessment completed.")
                else:
                    messages.success(request, "Saved. Complete it once every area is filled.")
            except ValidationError as exc:
                messages.error(request, _error_text(exc))
                status = 400
            else:
                return redirect("alerts:impact_assessment_detail", pk=aia.pk)
    else:
        form = ImpactAssessmentForm(initial={field: getattr(aia, field) for field, _ in AIA_AREAS})
    context = {"aia": aia, "form": form, "may_edit": may_edit}
    return render(request, "alerts/impact_assessment_detail.html", context, status=status)
