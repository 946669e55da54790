"""Response actions: the prevention tools a declaration of imminent risk sets in motion, and their progress."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from alerts.models import Department, Escalation, ResponseAction, Tool
from core.models import AuditEvent
from core.roles import Role, can_update_response_action, has_role
from core.services import audit_record


def _action_problems(raw: dict, today: dt.date) -> list[str]:
    """What is wrong with one declared action, in words for the Focal Point."""
    problems = []
    owner_account = raw.get("owner_account")
    if owner_account is not None and not (owner_account.is_active and has_role(owner_account, *Role)):
        problems.append("the owner's account must be an active user with a role")
    if raw.get("tool") not in Tool.values:
        problems.append("choose a tool from the toolkit")
    if raw.get("lead_department") not in Department.values:
        problems.append("choose a lead department")
    if not (raw.get("owner") or "").strip():
        problems.append("name an owner")
    due_on = raw.get("due_on")
    if not isinstance(due_on, dt.date):
        problems.append("give a due date")
    elif due_on < today:
        problems.append(f"the due date {due_on:%d %B %Y} is in the past")
    return problems


def response_actions_clean(actions: Sequence[dict]) -> list[dict]:
    """The declared actions, checked; every problem of every action is reported at once."""
    errors = []
    cleaned = []
    today = timezone.localdate()
    for number, raw in enumerate(actions, start=1):
        problems = _action_problems(raw, today)
        if problems:
            errors.append(f"Action {number}: {'; '.join(problems)}.")
            continue
        cleaned.append(
            {
                "tool": raw["tool"],
                "lead_department": raw["lead_department"],
                "owner": raw["owner"].strip(),
                "owner_account": raw.get("owner_account"),
                "due_on": raw["due_on"],
            }
        )
    if not actions:
        errors.append("Declaring imminent risk sets response actions in motion: add at least one.")
    if errors:
        raise ValidationError({"actions": errors})
    return cleaned


def response_actions_create(*, escalation: Escalation, user, actions: Sequence[dict]) -> list[ResponseAction]:
    """Inside the declaring transaction: create the cleaned actions (see response_actions_clean), each audited."""
    created = []
    for cleaned in actions:
        response_action = ResponseAction.objects.create(
            escalation=escalation, country=escalation.country, created_by=user, **cleaned
        )
        audit_record(
            kind=AuditEvent.Kind.ACTION_CREATED,
            actor=user,
            escalation=escalation,
            summary=(
                f"Response action: {response_action.get_tool_display()}, led by "
                f"{response_action.get_lead_department_display()} ({response_action.owner}), due "
                f"{response_action.due_on:%d %B %Y}."
            ),
            details={"action_id": response_action.pk},
        )
        created.append(response_action)
    return created


def response_action_set_status(*, action: ResponseAction, user, status: str, note: str) -> ResponseAction:
    """Move an action along planned -> in progress -> done or cancelled, with a note kept in the audit trail.

    Who may: core.roles.can_update_response_action, i.e. the Focal Point and the action's owner account,
    whatever its role. Owners from other departments often hold only the viewer role; updating their own action's
    status is deliberately allowed.
    """
    if not can_update_response_action(user, owner_account_id=action.owner_account_id):
        raise PermissionDenied("Only the action's owner and the R2P Focal Point update a response action.")
    labels = dict(ResponseAction.Status.choices)
    if status not in labels:
        raise ValidationError({"status": f"Status must be one of {', '.join(labels.values()).lower()}."})
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "Add a note on what changed: it is kept with the action."})
    with transaction.atomic():
        locked = (
            ResponseAction.objects.select_for_update(of=("self",))
            .select_related("escalation", "country")
            .get(pk=action.pk)
        )
        allowed = ResponseAction.NEXT_STATUSES[ResponseAction.Status(locked.status)]
        if status not in allowed:
            current = locked.get_status_display().lower()
            if not allowed:
                message = f"This action is {current}; its status can no longer change."
            else:
                names = [labels[value].lower() for value in allowed]
                choices = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
                message = f"This action is {current}; it can move only to {choices}."
            raise ValidationError({"status": message})
        previous, previous_label = locked.status, locked.get_status_display()
        locked.status = status
        locked.status_note = note
        locked.status_changed_by = user
        locked.updated_at = timezone.now()
        locked.save(update_fields=["status", "status_note", "status_changed_by", "updated_at"])
        audit_record(
            kind=AuditEvent.Kind.ACTION_STATUS,
            actor=user,
            escalation=locked.escalation,
            summary=f"{locked.get_tool_display()} ({locked.get_lead_department_display()}, {locked.owner}): "
            f"{previous_label} → {locked.get_status_display()}.",
            reason=note,
            details={"action_id": locked.pk, "from_status": previous, "to_status": status},
        )
    return locked
