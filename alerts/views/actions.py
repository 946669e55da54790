"""The actions tracker: response actions by lead department, and their status updates."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from alerts import selectors, services
from alerts.forms import ActionStatusForm
from alerts.models import ResponseAction
from alerts.views.base import error_text
from core import extensions
from core.roles import ALL_ROLES, can_update_response_action, role_required

# A refused status change returns to the tracker; the note the user wrote waits here to be shown again in its form.
UNSAVED_NOTE = "action_status_unsaved_note"


@role_required(*ALL_ROLES)
def action_tracker(request):
    groups = selectors.response_actions_open_by_department()
    closed = list(selectors.response_actions_closed())
    labels = dict(ResponseAction.Status.choices)
    every_action = [action for _, actions in groups for action in actions] + closed
    # Every role sees the whole tracker, but a case links only for those who may open it (another desk's analyst
    # may not), so nobody follows a link into a 404.
    readable = selectors.escalation_ids_readable(request.user, {action.escalation_id for action in every_action})
    # What higher apps add to a row (e.g. the target actors of a targeted-sanctions action), asked once for all.
    details = extensions.row_details(extensions.action_tracker_details, request, every_action)
    for action in every_action:
        action.case_readable = action.escalation_id in readable
        action.details = details.get(action.pk, [])
    unsaved = request.session.pop(UNSAVED_NOTE, None) or {}
    for _, actions in groups:
        for action in actions:
            action.may_update = can_update_response_action(request.user, owner_account_id=action.owner_account_id)
            action.unsaved_note = unsaved.get("note", "") if unsaved.get("action_id") == action.pk else ""
            action.next_statuses = [
                (value, labels[value]) for value in ResponseAction.NEXT_STATUSES[ResponseAction.Status(action.status)]
            ]
    context = {"groups": groups, "open_count": sum(len(actions) for _, actions in groups), "closed": closed}
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
        return _back_to_tracker_keeping_the_note(request, action)
    try:
        updated = services.response_action_set_status(
            action=action, user=request.user, status=form.cleaned_data["status"], note=form.cleaned_data["note"]
        )
    except ValidationError as exc:
        messages.error(request, f"{action.get_tool_display()} for {action.country.name}: {error_text(exc)}")
        return _back_to_tracker_keeping_the_note(request, action)
    messages.success(
        request,
        f"{action.get_tool_display()} for {action.country.name} is now {updated.get_status_display().lower()}.",
    )
    return redirect("alerts:action_tracker")


def _back_to_tracker_keeping_the_note(request, action: ResponseAction):
    """A refused change loses nothing the user wrote: the tracker opens the action's form again with the note."""
    note = request.POST.get("note", "")
    if note.strip():
        request.session[UNSAVED_NOTE] = {"action_id": action.pk, "note": note}
    return redirect("alerts:action_tracker")
