"""The notification centre: the user's in-app notifications, marked read one by one or all at once."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from alerts import selectors, services
from alerts.models import Notification
from core.roles import ALL_ROLES, role_required


@role_required(*ALL_ROLES)
@require_GET
def notification_list(request):
    notifications = selectors.notifications_for_centre(request.user)
    return render(
        request,
        "alerts/notification_list.html",
        {"notifications": notifications, "unread": sum(1 for n in notifications if n.read_at is None)},
    )


def _back(request, default: str):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


@role_required(*ALL_ROLES)
@require_POST
def notification_read(request, pk: int):
    """Mark one of the user's own notifications read (another user's is a 404: it is not theirs to see)."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.notification_mark_read(notification=notification, user=request.user)
    if request.POST.get("next"):
        return _back(request, "alerts:notification_list")
    return redirect("alerts:escalation_detail", pk=notification.escalation_id)


@role_required(*ALL_ROLES)
@require_POST
def notifications_read_all(request):
    marked = services.notifications_mark_all_read(user=request.user)
    messages.success(request, f"{marked} notification{'s' if marked != 1 else ''} marked read.")
    return _back(request, "alerts:notification_list")
