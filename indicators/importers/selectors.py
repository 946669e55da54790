"""Reads for the import pages."""

from __future__ import annotations

from django.db.models import QuerySet

from indicators.models import DatasetImport


def dataset_imports_list() -> QuerySet[DatasetImport]:
    return DatasetImport.objects.select_related("started_by").defer("errors", "summary").order_by("-created_at", "-id")


def dataset_import_get(*, pk: int) -> DatasetImport:
    return DatasetImport.objects.select_related("started_by").get(pk=pk)
