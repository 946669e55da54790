"""Publishing alert rules: a new version of a kind replaces the previous one, and the change is audited."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max

from alerts import rules as rule_engine
from alerts.models import AlertRule
from core.models import AuditEvent
from core.roles import can_administer
from core.services import audit_record


def alert_rule_publish(*, kind: str, name: str, description: str, parameters: dict, actor=None) -> AlertRule:
    """Publish a new version of a rule; the previous version of the same kind stops firing."""
    if actor is not None and not can_administer(actor):
        raise PermissionDenied("Only administrators manage alert rules.")
    errors = rule_engine.rule_parameters_errors(kind, parameters)
    if not name.strip() or not description.strip():
        errors.append("A rule needs a name and a plain-words description for the methodology page.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        previous = (
            AlertRule.objects.select_for_update(of=("self",))
            .filter(kind=kind)
            .aggregate(Max("version"))["version__max"]
        )
        AlertRule.objects.filter(kind=kind, is_active=True).update(is_active=False)
        rule = AlertRule.objects.create(
            kind=kind,
            version=(previous or 0) + 1,
            name=name.strip(),
            description=description.strip(),
            parameters=parameters,
            is_active=True,
            created_by=actor,
        )
        audit_record(
            kind=AuditEvent.Kind.RULE_PUBLISHED,
            actor=actor,
            summary=f"Alert rule '{rule.name}' version {rule.version} published.",
            details={"rule_id": rule.pk, "parameters": parameters},
        )
    return rule
