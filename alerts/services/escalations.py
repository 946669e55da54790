"""Drafting and editing an escalation, before and between the Focal Point's reviews."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Required, TypedDict, Unpack

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from alerts.models import Alert, Escalation, Tool, Urgency
from alerts.services import workflow
from alerts.services.workflow import EscalationTransitionError
from core.models import AuditEvent
from core.roles import can_escalate
from core.services import audit_record
from indicators.models import Country

State = Escalation.State


class EscalationCase(TypedDict, total=False):
    """What the analyst writes in a case, the same when it is drafted and when it is edited."""

    summary: Required[str]
    risk_assessment: Required[str]
    evidence_links: Sequence[str]
    recommended_responses: Sequence[str]
    urgency: str


def _clean_escalation_fields(
    *,
    summary: str,
    risk_assessment: str,
    evidence_links: Sequence[str] = (),
    recommended_responses: Sequence[str] = (),
    urgency: str = Urgency.ROUTINE,
) -> dict:
    errors: dict[str, list[str]] = {}
    if not (summary or "").strip():
        errors["summary"] = ["Write a short summary of the case."]
    if not (risk_assessment or "").strip():
        errors["risk_assessment"] = ["Write the risk assessment: what is happening and why it points to atrocity risk."]
    links = [link.strip() for link in evidence_links if link and link.strip()]
    validate = URLValidator(schemes=["http", "https"])
    bad = []
    for link in links:
        try:
            validate(link)
        except ValidationError:
            bad.append(link)
    if bad:
        errors["evidence_links"] = [f"Not a web address (http:// or https://): {', '.join(bad)}."]
    unknown = [code for code in recommended_responses if code not in Tool.values]
    if unknown:
        errors["recommended_responses"] = [f"Not in the prevention toolkit: {', '.join(unknown)}."]
    if urgency not in Urgency.values:
        errors["urgency"] = [f"Urgency must be urgent, high or routine; got {urgency!r}."]
    if errors:
        raise ValidationError(errors)
    return {
        "summary": summary.strip(),
        "risk_assessment": risk_assessment.strip(),
        "evidence_links": links,
        "recommended_responses": list(dict.fromkeys(recommended_responses)),
        "urgency": urgency,
    }


def escalation_create(
    *,
    country: Country,
    user,
    alert: Alert | None = None,
    submit: bool = False,
    **case: Unpack[EscalationCase],
) -> Escalation:
    """Draft an escalation; only analysts of the country's desk may. An open alert it answers is linked to it and
    stays open until the case is submitted: a draft nobody submits must not bury the warning.

    With submit=True the draft goes straight to the Focal Point in the same transaction: if the submission is
    refused, nothing is kept (no orphan draft, the alert stays open) and the error reaches the caller.
    """
    if not can_escalate(user, country):
        raise PermissionDenied(f"Only analysts of the desk that owns {country.name} may escalate it.")
    fields = _clean_escalation_fields(**case)
    if alert is not None and alert.country_id != country.pk:
        raise ValidationError(f"That alert is about {alert.country.name}, not {country.name}.")
    with transaction.atomic():
        escalation = Escalation.objects.create(country=country, created_by=user, alert=alert, **fields)
        audit_record(
            kind=AuditEvent.Kind.ESCALATION_CREATED,
            actor=user,
            escalation=escalation,
            to_state=State.DRAFT,
            summary=f"Escalation drafted; urgency: {escalation.get_urgency_display().lower()}.",
        )
        if alert is not None:
            locked = Alert.objects.select_for_update(of=("self",)).get(pk=alert.pk)
            if not locked.is_open:
                raise ValidationError(f"This alert is already {locked.get_status_display().lower()}.")
        if submit:
            escalation = workflow.escalation_transition(escalation=escalation, action="submit", user=user)
    return escalation


EDITABLE_STATES = (State.DRAFT, State.MORE_INFORMATION_REQUESTED)


def escalation_update(
    *,
    escalation: Escalation,
    user,
    **case: Unpack[EscalationCase],
) -> Escalation:
    """Edit a draft, or a case the Focal Point returned for more information."""
    if not can_escalate(user, escalation.country):
        raise PermissionDenied(f"Only analysts of the desk that owns {escalation.country.name} may edit its cases.")
    fields = _clean_escalation_fields(**case)
    with transaction.atomic():
        locked = Escalation.objects.select_for_update(of=("self",)).get(pk=escalation.pk)
        if locked.state not in EDITABLE_STATES:
            raise EscalationTransitionError(
                f"Escalation {locked.pk} is {locked.get_state_display().lower()}; it can be edited only as a draft "
                "or when more information was requested."
            )
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(fields))
        audit_record(kind=AuditEvent.Kind.ESCALATION_EDITED, actor=user, escalation=locked, summary="Case edited.")
    return locked
