"""Receivers for the indicators app's signals: evaluate alert rules and keep the audit trail."""

from __future__ import annotations

from django.db import transaction
from django.dispatch import receiver

from alerts import services
from alerts.models import AlertRule, RuleKind
from indicators.models import Severity
from indicators.signals import assessment_recorded, assessments_imported, score_run_finished


@receiver(score_run_finished, dispatch_uid="alerts_evaluate_after_score_run")
def evaluate_after_score_run(sender, run, **kwargs):
    from alerts.tasks import alerts_evaluate_after_run

    transaction.on_commit(lambda: alerts_evaluate_after_run.delay(run.pk), robust=True)


def _serious_rule_factors() -> set[int]:
    rule = AlertRule.objects.filter(kind=RuleKind.SERIOUS_SPECIFIC_INDICATOR, is_active=True).first()
    return set(rule.parameters.get("factors", [])) if rule else set()


@receiver(assessment_recorded, dispatch_uid="alerts_on_assessment_recorded")
def on_assessment_recorded(sender, assessment, **kwargs):
    from alerts.tasks import alerts_evaluate_assessments

    services.assessment_audit(assessment=assessment)
    # Only a serious assessment can fire the rule; the run that follows every assessment evaluates the rest,
    # so a burst of ordinary assessments must not flood the queue with evaluations.
    if assessment.severity == Severity.SERIOUS and assessment.indicator.risk_factor.number in _serious_rule_factors():
        country_id = assessment.country_id
        transaction.on_commit(lambda: alerts_evaluate_assessments.delay([country_id]), robust=True)


@receiver(assessments_imported, dispatch_uid="alerts_on_assessments_imported")
def on_assessments_imported(sender, dataset_import, country_ids, **kwargs):
    from alerts.tasks import alerts_evaluate_assessments

    ids = sorted(set(country_ids))
    services.assessments_import_audit(dataset_import=dataset_import, country_ids=ids)
    if ids and _serious_rule_factors():
        transaction.on_commit(lambda: alerts_evaluate_assessments.delay(ids), robust=True)
