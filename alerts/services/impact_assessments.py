"""Trigger events and Atrocity Impact Assessments: a court's, an inquiry's or the UN Special Advisers' finding opens
an assessment of the government's own leverage and exposure, filled in over several sittings and then completed."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from alerts.models import AIA_AREAS, AtrocityImpactAssessment, RuleKind, TriggerEvent
from alerts.services.alerts import alerts_evaluate
from core.models import AuditEvent
from core.roles import Role, can_edit_impact_assessment, can_record_trigger_event, has_role
from core.services import audit_record
from indicators.models import Country


def _trigger_event_problems(*, kind, title, occurred_on, owner, due_on, source_url) -> dict[str, list[str]]:
    """What is wrong with a trigger event to record, field by field (empty when nothing is)."""
    errors: dict[str, list[str]] = {}
    if kind not in TriggerEvent.Kind.values:
        errors["kind"] = ["Choose a court finding, a commission of inquiry or a UN Special Advisers notification."]
    if not (title or "").strip():
        errors["title"] = ["Name the finding or notification."]
    today = timezone.localdate()
    if not isinstance(occurred_on, dt.date):
        errors["occurred_on"] = ["Give the date of the finding."]
    elif occurred_on > today:
        errors["occurred_on"] = [f"The date {occurred_on:%d %B %Y} is in the future."]
    if not isinstance(due_on, dt.date):
        errors["due_on"] = ["Give a due date for the assessment."]
    elif due_on < today:
        errors["due_on"] = [f"The due date {due_on:%d %B %Y} is in the past."]
    link_limit = TriggerEvent._meta.get_field("source_url").max_length
    if len((source_url or "").strip()) > link_limit:
        errors["source_url"] = [f"The source link is longer than {link_limit} characters; link a shorter address."]
    if owner is None or not has_role(owner, Role.ANALYST, Role.FOCAL_POINT):
        errors["owner"] = ["The owner must be an analyst or the Focal Point."]
    return errors


def trigger_event_record(
    *,
    country: Country,
    user,
    kind: str,
    title: str,
    occurred_on: dt.date,
    owner,
    due_on: dt.date,
    source_url: str = "",
    description: str = "",
) -> AtrocityImpactAssessment:
    """Record a court finding, inquiry or UN notification and open an Atrocity Impact Assessment for it."""
    if not can_record_trigger_event(user, country):
        raise PermissionDenied(f"Only analysts of {country.name}'s desk and the Focal Point record trigger events.")
    errors = _trigger_event_problems(
        kind=kind, title=title, occurred_on=occurred_on, owner=owner, due_on=due_on, source_url=source_url
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        event = TriggerEvent.objects.create(
            country=country,
            kind=kind,
            title=title.strip(),
            occurred_on=occurred_on,
            source_url=source_url.strip(),
            description=description.strip(),
            recorded_by=user,
        )
        aia = AtrocityImpactAssessment.objects.create(country=country, trigger_event=event, owner=owner, due_on=due_on)
        audit_record(
            kind=AuditEvent.Kind.TRIGGER_EVENT,
            actor=user,
            country=country,
            summary=(
                f"{event.get_kind_display()}: {event.title}. Atrocity Impact Assessment opened, owner "
                f"{owner.get_full_name() or owner.username}, due {due_on:%d %B %Y}."
            ),
            details={"trigger_event_id": event.pk, "aia_id": aia.pk},
        )
        # The published trigger-event rule raises the country's alert in the same transaction: all or nothing.
        alerts_evaluate(country_ids=[country.pk], kinds=[RuleKind.TRIGGER_EVENT], today=timezone.localdate())
    return aia


def impact_assessment_update(*, aia: AtrocityImpactAssessment, user, areas: dict[str, str]) -> AtrocityImpactAssessment:
    """Save the areas written so far; an assessment may be filled in over several sittings."""
    if not can_edit_impact_assessment(user, country=aia.country, owner_id=aia.owner_id):
        raise PermissionDenied("Only the owner, the country's desk analysts and the Focal Point edit this assessment.")
    allowed = {field for field, _ in AIA_AREAS}
    unknown = sorted(set(areas) - allowed)
    if unknown:
        raise ValidationError(f"Unknown areas: {', '.join(unknown)}.")
    with transaction.atomic():
        refusal = "This assessment is completed; it can no longer be changed."
        locked = _impact_assessment_locked_open(aia, refusal=refusal)
        changed = [field for field, value in areas.items() if (value or "").strip() != getattr(locked, field)]
        for field in changed:
            setattr(locked, field, (areas[field] or "").strip())
        if changed:
            locked.save(update_fields=changed)
            labels = dict(AIA_AREAS)
            audit_record(
                kind=AuditEvent.Kind.AIA_UPDATED,
                actor=user,
                country=locked.country,
                summary=f"Atrocity Impact Assessment {locked.pk} updated: {', '.join(labels[f] for f in changed)}.",
                details={"aia_id": locked.pk},
            )
    return locked


def _impact_assessment_locked_open(aia: AtrocityImpactAssessment, *, refusal: str) -> AtrocityImpactAssessment:
    """Inside a transaction: the assessment, locked until the transaction ends; refused once it is completed."""
    locked = AtrocityImpactAssessment.objects.select_for_update(of=("self",)).select_related("country").get(pk=aia.pk)
    if locked.status == AtrocityImpactAssessment.Status.COMPLETED:
        raise ValidationError(refusal)
    return locked


def impact_assessment_complete(*, aia: AtrocityImpactAssessment, user) -> AtrocityImpactAssessment:
    """Complete the assessment; refused while any of the eight areas is empty."""
    if not can_edit_impact_assessment(user, country=aia.country, owner_id=aia.owner_id):
        raise PermissionDenied("Only the owner, the country's desk analysts and the Focal Point complete it.")
    with transaction.atomic():
        locked = _impact_assessment_locked_open(aia, refusal="This assessment is already completed.")
        missing = locked.missing_areas
        if missing:
            raise ValidationError(f"Fill every area before completing. Still empty: {', '.join(missing)}.")
        locked.status = AtrocityImpactAssessment.Status.COMPLETED
        locked.completed_at = timezone.now()
        locked.completed_by = user
        locked.save(update_fields=["status", "completed_at", "completed_by"])
        audit_record(
            kind=AuditEvent.Kind.AIA_COMPLETED,
            actor=user,
            country=locked.country,
            summary=f"Atrocity Impact Assessment {locked.pk} completed.",
            details={"aia_id": locked.pk},
        )
    return locked
