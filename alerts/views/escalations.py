"""The Focal Point's queue, an escalation's page, drafting and editing a case, and every workflow step.

Views stay thin: they check the role and desk via core.roles, call a service, and show its errors."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from alerts import selectors, services
from alerts.forms import DecisionForm, EscalationForm, ResubmitForm, response_action_formset
from alerts.models import Alert, Escalation
from alerts.views.base import add_service_errors, country_or_404, error_text, escalation_or_404
from core import extensions
from core.roles import ALL_ROLES, Role, can_decide, can_escalate, has_role, role_required


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
    escalation = escalation_or_404(request, pk)
    services.notifications_mark_case_read(escalation=escalation, user=request.user)
    return render(request, "alerts/escalation_detail.html", _detail_context(request, escalation))


@role_required(Role.ANALYST)
@require_http_methods(["GET", "POST"])
def escalation_create(request, iso3: str):
    country = country_or_404(iso3)
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
                add_service_errors(form, exc)
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
    escalation = escalation_or_404(request, pk)
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
                add_service_errors(form, exc)
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
    messages.error(request, error_text(exc))
    escalation.refresh_from_db()
    return render(
        request, "alerts/escalation_detail.html", _detail_context(request, escalation, **forms), status=status
    )


def _transition_or_refusal(request, escalation: Escalation, transition: Callable[[], object], *, done: str):
    """Run one workflow step; back to the case with `done`, or the case's page saying why the step was refused."""
    try:
        transition()
    except ValidationError as exc:
        return _transition_refused(request, escalation, exc)
    messages.success(request, done)
    return redirect("alerts:escalation_detail", pk=escalation.pk)


@role_required(Role.ANALYST)
@require_http_methods(["POST"])
def escalation_submit(request, pk: int):
    escalation = escalation_or_404(request, pk)
    return _transition_or_refusal(
        request,
        escalation,
        lambda: services.escalation_submit(escalation=escalation, user=request.user),
        done="Escalation submitted. The Focal Point has been notified.",
    )


@role_required(Role.ANALYST)
@require_http_methods(["POST"])
def escalation_resubmit(request, pk: int):
    escalation = escalation_or_404(request, pk)
    form = ResubmitForm(request.POST)
    if not form.is_valid():
        return _transition_refused(
            request,
            escalation,
            ValidationError("Say what you added or changed before resubmitting."),
            status=400,
            resubmit_form=form,
        )
    return _transition_or_refusal(
        request,
        escalation,
        lambda: services.escalation_resubmit(escalation=escalation, user=request.user, note=form.cleaned_data["note"]),
        done="Escalation resubmitted. The Focal Point has been notified.",
    )


@role_required(Role.FOCAL_POINT)
@require_http_methods(["POST"])
def escalation_claim(request, pk: int):
    escalation = escalation_or_404(request, pk)
    try:
        services.escalation_claim(escalation_id=escalation.pk, user=request.user)
    except services.EscalationAlreadyClaimed as exc:
        messages.error(request, error_text(exc))
        return redirect("alerts:escalation_list")
    except ValidationError as exc:
        return _transition_refused(request, escalation, exc)
    messages.success(request, "You have claimed this case. The decision is yours.")
    return redirect("alerts:escalation_detail", pk=escalation.pk)


@role_required(Role.FOCAL_POINT)
@require_http_methods(["POST"])
def escalation_decide(request, pk: int):
    escalation = escalation_or_404(request, pk)
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
