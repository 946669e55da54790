"""Lookups and error display shared by the alerts pages: a 404 for what the user may not see, service refusals
shown on the form."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404

from alerts import selectors
from alerts.models import Escalation
from core.roles import can_view_escalation
from indicators.models import Country
from indicators.selectors import country_get


def country_or_404(iso3: str) -> Country:
    try:
        return country_get(iso3=iso3)
    except Country.DoesNotExist as exc:
        raise Http404(f"No country with ISO-3 code {iso3!r}.") from exc


def escalation_or_404(request, pk: int) -> Escalation:
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


def error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def add_service_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
