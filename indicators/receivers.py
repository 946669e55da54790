"""Receivers of the indicators app's own signals: every new assessment is audited, and asks for a recompute of its
country through the outbox."""

from __future__ import annotations

from django.db import transaction
from django.dispatch import receiver

from core.models import AuditEvent
from core.services import audit_record
from indicators.models import Country, ScoreRun
from indicators.services import assessment_audit, scores_recompute_request
from indicators.signals import assessment_recorded, assessments_imported


@receiver(assessment_recorded, dispatch_uid="assessment_audit_on_assessment_recorded")
def audit_on_assessment_recorded(sender, assessment, **kwargs):
    assessment_audit(assessment=assessment)


@receiver(assessments_imported, dispatch_uid="assessments_import_audit_on_assessments_imported")
def audit_on_assessments_imported(sender, dataset_import, country_ids, **kwargs):
    for country in Country.objects.filter(pk__in=list(country_ids)):
        audit_record(
            kind=AuditEvent.Kind.ASSESSMENTS_IMPORTED,
            actor=dataset_import.started_by,
            country=country,
            summary=f"Assessments imported from {dataset_import.source} ({dataset_import.file_name}).",
            details={"dataset_import_id": dataset_import.pk},
        )


@receiver(assessment_recorded, dispatch_uid="scores_recompute_on_assessment_recorded")
def scores_recompute_on_assessment_recorded(sender, assessment, **kwargs):
    scores_recompute_request(country_ids=[assessment.country_id], trigger=ScoreRun.Trigger.NEW_DATA)


@receiver(assessments_imported, dispatch_uid="scores_recompute_on_assessments_imported")
def scores_recompute_on_assessments_imported(sender, dataset_import, country_ids, **kwargs):
    scores_recompute_request(country_ids=country_ids, trigger=ScoreRun.Trigger.IMPORT)


@receiver(assessments_imported, dispatch_uid="real_data_flag_refresh_on_assessments_imported")
def real_data_flag_refresh_on_assessments_imported(sender, dataset_import, **kwargs):
    """The "demonstration data" banner goes as soon as a real dataset is in."""
    from django.core.cache import cache

    from indicators.selectors import REAL_DATA_CACHE_KEY

    transaction.on_commit(lambda: cache.delete(REAL_DATA_CACHE_KEY), robust=True)
