"""Upload page (analysts: generic CSV for their desk; administrators: any source) and the import list and detail."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render

from core import extensions
from core.roles import Role, can_administer, role_required
from indicators.importers.extension_sources import analyst_may_upload, source_names
from indicators.importers.forms import DatasetUploadForm
from indicators.importers.generic_csv import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, TEMPLATE_HEADER
from indicators.importers.mappings import SOURCES
from indicators.importers.selectors import dataset_import_get, dataset_imports_list
from indicators.importers.services import dataset_import_enqueue
from indicators.models import DatasetImport

PAGE_SIZE = 50


def _sources_for(user) -> list[str]:
    if can_administer(user):
        return source_names()
    return [name for name in source_names() if analyst_may_upload(name)]


@role_required(Role.ANALYST, Role.ADMINISTRATOR)
def import_list(request):
    page = Paginator(dataset_imports_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "indicators/imports/list.html", {"page": page, "sources": SOURCES})


@role_required(Role.ANALYST, Role.ADMINISTRATOR)
def import_detail(request, pk: int):
    try:
        dataset_import = dataset_import_get(pk=pk)
    except DatasetImport.DoesNotExist as exc:
        raise Http404(f"No import #{pk}.") from exc
    summary = dataset_import.summary or {}
    context = {
        "item": dataset_import,
        "source": SOURCES.get(dataset_import.source) or extensions.importer_sources.get(dataset_import.source),
        "summary": summary,
        "in_progress": dataset_import.status in (DatasetImport.Status.QUEUED, DatasetImport.Status.RUNNING),
    }
    return render(request, "indicators/imports/detail.html", context)


def _field_errors(exc: ValidationError) -> list[tuple[str, list[str]]]:
    """A service's refusal beside the field it names (the default country), otherwise beside the file."""
    if hasattr(exc, "error_dict") and set(exc.message_dict) <= {"default_country"}:
        return list(exc.message_dict.items())
    return [("file", exc.messages)]


def _iso3(country) -> str:
    return country.iso3 if country is not None else ""


@role_required(Role.ANALYST, Role.ADMINISTRATOR)
def import_upload(request):
    sources = _sources_for(request.user)
    form = DatasetUploadForm(request.POST or None, request.FILES or None, sources=sources)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                dataset_import, queued = dataset_import_enqueue(
                    source=form.cleaned_data["source"],
                    path_or_file=form.cleaned_data["file"],
                    started_by=request.user,
                    skip_invalid=form.cleaned_data["skip_invalid"],
                    default_country=_iso3(form.cleaned_data.get("default_country")),
                )
            except ValidationError as exc:
                for field, errors in _field_errors(exc):
                    for message in errors:
                        form.add_error(field, message)
            else:
                if queued:
                    messages.success(request, "The file is queued for import; this page shows its progress.")
                else:
                    messages.info(request, "This file was already imported; nothing new was created.")
                return redirect("indicators:imports:detail", pk=dataset_import.pk)
        status = 400
    context = {
        "form": form,
        "is_administrator_upload": can_administer(request.user),
        "required_columns": REQUIRED_COLUMNS,
        "optional_columns": OPTIONAL_COLUMNS,
        "template_header": TEMPLATE_HEADER,
    }
    return render(request, "indicators/imports/upload.html", context, status=status)
