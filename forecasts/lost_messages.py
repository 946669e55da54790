"""A retraining whose task message was lost (our Redis keeps nothing on disk): found from the database and asked for
again by a beat task every minute.

A training has no row before a worker takes it, so what is owed is derived from state: an outcomes import that
succeeded after the latest successful forecast run was created, more than QUEUED_LOST_SECONDS ago, while no run is
running and no retraining waits in the outbox or was asked for less than that period ago. A run that failed settles
nothing: it published nothing and forecast_train_task does not retry, so the retraining is asked for again (one that
failed for want of features, which the run's error alone tells, fails again, at most QUEUED_REQUEUES_MAX times).
The request goes through `forecast_retrain_enqueue` (its dedupe key, its `requested_at`), so a late first message
trains once. Only outcomes imports ask for a retraining (structural predictors are imported before them and wait
for it), so only they owe one. As for score recomputes (indicators/scoring/lost_messages.py), an import is owed a
retraining only while it is younger than QUEUED_REQUEUES_MAX + 1 periods: at most QUEUED_REQUEUES_MAX requests again,
then the next import or the yearly retraining.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db.models import Max, Q
from django.utils import timezone

from core.lost_messages import lost_window
from core.models import OutboxMessage
from forecasts.models import ForecastRun
from forecasts.services import FORECAST_TRAIN_DEDUPE_KEY, forecast_retrain_enqueue
from indicators.models import DatasetImport

# The sources whose import asks for a retraining (forecasts.services.outcomes_import).
RETRAINING_SOURCES = ("ewp_basedata",)

logger = logging.getLogger(__name__)

# The runs that settle a retraining asked for before they were created: only these published, or may yet publish.
SETTLING_STATUSES = (ForecastRun.Status.SUCCEEDED, ForecastRun.Status.RUNNING)


def training_settles(requested_at: dt.datetime) -> bool:
    """Whether a training created at or after this request succeeded or still runs, so the request is settled."""
    return ForecastRun.objects.filter(status__in=SETTLING_STATUSES, created_at__gte=requested_at).exists()


def forecast_retrain_requeue_lost(*, now: dt.datetime | None = None) -> list[int]:
    """Ask again for the retraining owed to the outcomes imports whose request was lost; returns their ids."""
    now = now or timezone.now()
    start, cutoff = lost_window(now)
    if ForecastRun.objects.filter(status=ForecastRun.Status.RUNNING).exists():
        return []  # the reaper looks after a running one whose worker died (no code leaves a run queued)
    owed = DatasetImport.objects.filter(
        source__in=RETRAINING_SOURCES, status=DatasetImport.Status.SUCCEEDED, finished_at__gte=start
    )
    latest_run = ForecastRun.objects.filter(status__in=SETTLING_STATUSES).aggregate(latest=Max("created_at"))["latest"]
    if latest_run is not None:
        owed = owed.filter(finished_at__gt=latest_run)
    imports = list(owed.order_by("finished_at").values_list("pk", "finished_at"))
    if not imports or imports[-1][1] >= cutoff:
        return []  # nothing owed, or the latest import's own request is still on its way
    asked = OutboxMessage.objects.filter(dedupe_key=FORECAST_TRAIN_DEDUPE_KEY).filter(
        Q(status=OutboxMessage.Status.PENDING) | Q(not_before__gte=cutoff)
    )
    if asked.exists():
        return []
    forecast_retrain_enqueue(requested_at=imports[-1][1])
    import_ids = [pk for pk, _ in imports]
    logger.warning("No forecast training ran after outcomes import(s) %s; a retraining was asked for again", import_ids)
    return import_ids
