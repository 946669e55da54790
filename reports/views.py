"""Pages for reports to Parliament (list, generate, review, approve, publish, correct, download) and country briefs.

Thin: roles come from atrocity_watch.roles, reads from reports.selectors, writes from reports.services.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from core.roles import (
    ALL_ROLES,
    Role,
    can_approve_report,
    can_prepare_report,
    can_read_report,
    role_required,
)
from indicators.models import Country
from indicators.selectors import country_get
from reports import selectors, services
from reports.editions import PUBLIC_RULE
from reports.forms import CorrectionForm, GenerateForm, WithdrawForm
from reports.models import Report
from reports.rendering import brief_render

# A refused correction returns to the report's page; the note the user wrote waits here to be shown again, once.
UNSAVED_CORRECTION = "report_correct_unsaved_note"


def _report_or_404(request, pk: int) -> Report:
    try:
        report = selectors.report_get(pk=pk)
    except Report.DoesNotExist as exc:
        raise Http404(f"No report {pk}.") from exc
    if not can_read_report(request.user, published=report.status == Report.Status.PUBLISHED):
        # Drafts are not announced to those who may not review them.
        raise Http404(f"No report {pk}.")
    return report


@role_required(*ALL_ROLES)
@require_GET
def report_list(request):
    preparer = can_prepare_report(request.user)
    context = {
        "reports": selectors.reports_list(include_unpublished=preparer),
        "form": GenerateForm() if preparer else None,
        "may_prepare": preparer,
        "public_rule": PUBLIC_RULE,
    }
    return render(request, "reports/report_list.html", context)


@role_required(Role.FOCAL_POINT, Role.ADMINISTRATOR)
@require_POST
def report_generate(request):
    form = GenerateForm(request.POST)
    if form.is_valid():
        try:
            report = services.report_queue(
                period=form.cleaned_data["period"], edition=form.cleaned_data["edition"], user=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, f"Generating {report}. This page refreshes until it is ready.")
            return redirect("reports:report_detail", pk=report.pk)
    context = {
        "reports": selectors.reports_list(include_unpublished=True),
        "form": form,
        "may_prepare": True,
        "public_rule": PUBLIC_RULE,
    }
    return render(request, "reports/report_list.html", context, status=400)


@role_required(*ALL_ROLES)
@require_GET
def report_detail(request, pk: int):
    report = _report_or_404(request, pk)
    preparer = can_prepare_report(request.user)
    kept = request.session.get(UNSAVED_CORRECTION) or {}
    unsaved_note = request.session.pop(UNSAVED_CORRECTION)["note"] if kept.get("report_id") == report.pk else ""
    context = {
        "report": report,
        "content": report.content or {},
        "may_prepare": preparer,
        "may_approve": can_approve_report(request.user) and report.status == Report.Status.DRAFT,
        "may_publish": preparer and report.status == Report.Status.APPROVED,
        "may_withdraw": preparer and report.status in services.TRANSITIONS["withdraw"][0],
        "may_regenerate": preparer and report.status == Report.Status.FAILED,
        "may_correct": preparer
        and report.status == Report.Status.PUBLISHED
        and not report.corrections.filter(status=Report.Status.PUBLISHED).exists(),
        "correction_form": CorrectionForm(initial={"note": unsaved_note}),
        "unsaved_note": unsaved_note,
        "withdraw_form": WithdrawForm(),
        "corrections": report.corrections.defer("pdf", "html", "content").order_by("version"),
        "trail": selectors.report_audit_trail(report) if preparer else [],
        "pdf_intact": report.pdf_intact() if report.pdf_sha256 else None,
        "refresh": report.status == Report.Status.QUEUED,
    }
    return render(request, "reports/report_detail.html", context)


def _transition(request, pk: int, action) -> HttpResponse:
    report = _report_or_404(request, pk)
    try:
        action(report)
    except PermissionDenied:
        raise
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{report} saved.")
    return redirect("reports:report_detail", pk=report.pk)


@role_required(Role.FOCAL_POINT)
@require_POST
def report_approve(request, pk: int):
    return _transition(request, pk, lambda report: services.report_approve(report=report, user=request.user))


@role_required(Role.FOCAL_POINT, Role.ADMINISTRATOR)
@require_POST
def report_publish(request, pk: int):
    return _transition(request, pk, lambda report: services.report_publish(report=report, user=request.user))


@role_required(Role.FOCAL_POINT, Role.ADMINISTRATOR)
@require_POST
def report_withdraw(request, pk: int):
    form = WithdrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _transition(
        request, pk, lambda report: services.report_withdraw(report=report, user=request.user, reason=reason)
    )


@role_required(Role.FOCAL_POINT, Role.ADMINISTRATOR)
@require_POST
def report_regenerate(request, pk: int):
    """A report whose generation failed is asked for again as a new version (its page shows it being generated)."""
    failed = _report_or_404(request, pk)
    try:
        report = services.report_regenerate(report=failed, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("reports:report_detail", pk=failed.pk)
    messages.success(request, f"Generating {report}. This page refreshes until it is ready.")
    return redirect("reports:report_detail", pk=report.pk)


@role_required(Role.FOCAL_POINT, Role.ADMINISTRATOR)
@require_POST
def report_correct(request, pk: int):
    original = _report_or_404(request, pk)
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say what the correction changes: it is printed on the corrected report's cover.")
        return _back_to_report_keeping_the_note(request, original)
    try:
        correction = services.report_correct(original=original, user=request.user, note=form.cleaned_data["note"])
    except ValidationError as exc:
        messages.error(request, f"No correction issued: {' '.join(exc.messages)}")
        return _back_to_report_keeping_the_note(request, original)
    except IntegrityError:
        # report_request retries a version clash once; a second clash means others keep requesting this report.
        messages.error(
            request, "No correction issued: another version of this report was requested at the same moment."
        )
        return _back_to_report_keeping_the_note(request, original)
    messages.success(request, f"Generating {correction}, which corrects version {original.version}.")
    return redirect("reports:report_detail", pk=correction.pk)


def _back_to_report_keeping_the_note(request, report: Report):
    """A refused correction loses nothing the user wrote: the report's page gives the note back, once, in the
    correction form or, when the report may no longer be corrected, as text to copy (as the action tracker does)."""
    note = request.POST.get("note", "")
    if note.strip():
        request.session[UNSAVED_CORRECTION] = {"report_id": report.pk, "note": note}
    return redirect("reports:report_detail", pk=report.pk)


@role_required(*ALL_ROLES)
@require_GET
def report_pdf(request, pk: int):
    report = _report_or_404(request, pk)
    if not report.pdf_sha256:
        raise Http404(f"Report {pk} has no file yet.")
    if not report.pdf_intact():
        return HttpResponse(
            "The stored PDF does not match the checksum recorded when it was generated; it is not served.",
            status=409,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{report.file_name}.pdf"'
    response["X-Checksum-SHA256"] = report.pdf_sha256
    return response


@role_required(*ALL_ROLES)
@require_GET
def report_html(request, pk: int):
    report = _report_or_404(request, pk)
    if not report.html_sha256:
        raise Http404(f"Report {pk} has no file yet.")
    if not report.html_intact():
        return HttpResponse(
            "The stored HTML does not match its checksum; it is not served.",
            status=409,
            content_type="text/plain; charset=utf-8",
        )
    return HttpResponse(report.html, content_type="text/html; charset=utf-8")


# --------------------------------------------------------------------------------------------- country briefs


def _country_or_404(iso3: str) -> Country:
    try:
        return country_get(iso3=iso3)
    except Country.DoesNotExist as exc:
        raise Http404(f"No country with ISO-3 code {iso3!r}.") from exc


@role_required(*ALL_ROLES)
@require_GET
def country_brief(request, iso3: str):
    """The country brief as print-ready HTML (the browser's print gives A4 with the same layout)."""
    country = _country_or_404(iso3)
    toolbar = [
        (f"Back to {country.name}", reverse("indicators:country_detail", args=[country.iso3])),
        ("Open the PDF", reverse("reports:country_brief_pdf", args=[country.iso3])),
    ]
    content = selectors.country_brief(country=country, viewer=request.user)
    rendered = brief_render(content=content, with_pdf=False, toolbar=toolbar)
    return HttpResponse(rendered.html, content_type="text/html; charset=utf-8")


@role_required(*ALL_ROLES)
@require_GET
def country_brief_pdf(request, iso3: str):
    """The country brief as an A4 PDF."""
    country = _country_or_404(iso3)
    content = selectors.country_brief(country=country, viewer=request.user)
    rendered = brief_render(content=content, with_pdf=True)
    response = HttpResponse(rendered.pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="brief-{country.iso3}.pdf"'
    return response
