"""Receivers that keep scores current: new assessments enqueue a recompute of their country after commit."""

from __future__ import annotations

from django.db import transaction
from django.dispatch import receiver

from indicators.models import ScoreRun
from indicators.signals import assessment_recorded, assessments_imported


@receiver(assessment_recorded, dispatch_uid="scores_recompute_on_assessment_recorded")
def scores_recompute_on_assessment_recorded(sender, assessment, **kwargs):
    from indicators.tasks import scores_recompute_enqueue

    country_id = assessment.country_id
    transaction.on_commit(
        lambda: scores_recompute_enqueue(country_ids=[country_id], trigger=ScoreRun.Trigger.NEW_DATA), robust=True
    )


@receiver(assessments_imported, dispatch_uid="scores_recompute_on_assessments_imported")
def scores_recompute_on_assessments_imported(sender, dataset_import, country_ids, **kwargs):
    from indicators.tasks import scores_recompute_enqueue

    ids = list(country_ids)
    transaction.on_commit(
        lambda: scores_recompute_enqueue(country_ids=ids, trigger=ScoreRun.Trigger.IMPORT), robust=True
    )
