"""Account pages: personal API tokens (created, secret shown once, revoked) and the sign-in lockout page."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from atrocity_watch.forms import ApiTokenForm
from atrocity_watch.models import ApiToken
from atrocity_watch.selectors import api_tokens_for_user
from atrocity_watch.services import api_token_create, api_token_revoke
from core.roles import ALL_ROLES, role_required


@role_required(*ALL_ROLES)
@require_http_methods(["GET", "POST"])
def tokens(request):
    form = ApiTokenForm(request.POST or None)
    created = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            expires_on = form.cleaned_data["expires_on"]
            expires_at = dt.datetime.combine(expires_on, dt.time.min, tzinfo=dt.UTC) if expires_on else None
            try:
                created = api_token_create(user=request.user, name=form.cleaned_data["name"], expires_at=expires_at)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error("expires_on" if field == "expires_at" else field, errors)
                status = 400
            else:
                form = ApiTokenForm()
        else:
            status = 400
    context = {"form": form, "created": created, "tokens": api_tokens_for_user(user=request.user)}
    # The secret is rendered into this one response and never stored, so it must not be cached anywhere.
    response = render(request, "account/tokens.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@role_required(*ALL_ROLES)
@require_http_methods(["POST"])
def token_revoke(request, token_id: int):
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    api_token_revoke(token=token, user=request.user)
    messages.success(request, f"Token “{token.name}” is revoked; it no longer works.")
    return redirect("account_tokens")


def login_locked_out(request, original_response=None, credentials=None):
    """django-axes' lockout answer: a 429 page naming the account, the limit and how many minutes remain."""
    from axes.helpers import get_client_username, get_cool_off, get_failure_limit

    cool_off = get_cool_off(request)
    context = {
        "username": get_client_username(request, credentials) or "",
        "failure_limit": get_failure_limit(request, credentials),
        "minutes": max(1, round(cool_off.total_seconds() / 60)) if cool_off else None,
    }
    return render(request, "registration/locked_out.html", context, status=429)
