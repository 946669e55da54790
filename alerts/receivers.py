"""Receivers for the indicators and forecasts signals: ask for an evaluation of the alert rules through the outbox."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from alerts.models import AlertRule, Notification, RuleKind
from alerts.selectors import NOTIFICATIONS
from core.services import outbox_enqueue
from core.user_cache import generation_replace
from forecasts.signals import forecast_model_published
from indicators.models import Severity
from indicators.signals import assessment_recorded, assessments_imported, demonstration_retired, score_run_finished

ALERTS_EVALUATE_AFTER_RUN_TASK = "alerts.tasks.alerts_evaluate_after_run_task"
ALERTS_EVALUATE_ASSESSMENTS_TASK = "alerts.tasks.alerts_evaluate_assessments_task"
ALERTS_EVALUATE_FORECAST_TASK = "alerts.tasks.alerts_evaluate_forecast_task"


@receiver(score_run_finished, dispatch_uid="alerts_evaluate_after_score_run")
def evaluate_after_score_run(sender, run, **kwargs):
    outbox_enqueue(ALERTS_EVALUATE_AFTER_RUN_TASK, kwargs={"run_id": run.pk})


def _serious_rule_factors() -> set[int]:
    rule = AlertRule.objects.filter(kind=RuleKind.SERIOUS_SPECIFIC_INDICATOR, is_active=True).first()
    return set(rule.parameters.get("factors", [])) if rule else set()


@receiver(assessment_recorded, dispatch_uid="alerts_on_assessment_recorded")
def on_assessment_recorded(sender, assessment, **kwargs):
    # Only a serious assessment can fire the rule; the run that follows every assessment evaluates the rest,
    # so a burst of ordinary assessments must not flood the queue with evaluations.
    if assessment.severity == Severity.SERIOUS and assessment.indicator.risk_factor.number in _serious_rule_factors():
        outbox_enqueue(ALERTS_EVALUATE_ASSESSMENTS_TASK, kwargs={"country_ids": [assessment.country_id]})


@receiver(assessments_imported, dispatch_uid="alerts_on_assessments_imported")
def on_assessments_imported(sender, dataset_import, country_ids, **kwargs):
    ids = sorted(set(country_ids))
    if ids and _serious_rule_factors():
        outbox_enqueue(ALERTS_EVALUATE_ASSESSMENTS_TASK, kwargs={"country_ids": ids})


@receiver(demonstration_retired, dispatch_uid="alerts_resolve_on_demonstration_retired")
def resolve_on_demonstration_retired(sender, dataset_import, country_ids, **kwargs):
    """Alerts raised on invented data are resolved in the real import's transaction (a demo country the real data
    does not cover gets no score, so no score run would ever clear them)."""
    from alerts.services import alerts_resolve_demonstration

    alerts_resolve_demonstration(country_ids=country_ids, dataset_import_id=dataset_import.pk)


@receiver(forecast_model_published, dispatch_uid="alerts_evaluate_after_forecast_model")
def evaluate_after_forecast_model(sender, model, **kwargs):
    outbox_enqueue(ALERTS_EVALUATE_FORECAST_TASK, kwargs={"model_id": model.pk}, dedupe_key="alerts-evaluate-forecast")


@receiver(post_save, sender=Notification, dispatch_uid="notifications_generation_on_save")
@receiver(post_delete, sender=Notification, dispatch_uid="notifications_generation_on_delete")
def unread_counts_stale(sender, **kwargs):
    """A notification recorded, changed or deleted: the kept unread counts are stale (reads by queryset update
    replace the generation in alerts.services.notifications)."""
    generation_replace(NOTIFICATIONS)
