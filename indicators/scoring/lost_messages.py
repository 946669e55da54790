"""Score recomputes whose task message was lost (our Redis keeps nothing on disk): found from the database, not from
messages, and queued again by the runs reaper's beat task.

A recompute has no row before a worker takes it, so what is owed is derived from state: a country whose score inputs
last changed (an analyst's saved assessment, `recorded_at`; a successful import, `finished_at`, for the countries in
its `score_country_ids`) more than QUEUED_LOST_SECONDS ago, after the start of every score run of the active
methodology that covers it in full, and that has no recompute still waiting in the outbox or due to start less than
a period ago (a debounced trailing recompute is sent at once with its countdown), is owed one. All such countries are
queued in one batched task, whose `requested_at` lets a late first message do nothing twice.

No storms: a run of any outcome that started after the change settles it (a failed run is on the runs page with its
error, the task retries transient faults and the nightly recompute runs again), so a country recomputed with no
change, or whose recompute failed, is never picked again. A country no worker takes is queued again at most once per
QUEUED_LOST_SECONDS and only while its change is younger than QUEUED_REQUEUES_MAX + 1 such periods, so at most
QUEUED_REQUEUES_MAX times; then the nightly recompute makes it good.

Activating another methodology: only its runs count, and no activation time is kept to ignore older changes (the
Methodology row has none; the audit trail has one, but the migrations that activated versions 2 and 3 wrote none), so
each country changed in the window before the activation is recomputed once more, even if its run under the previous
version went fine: one batch at the next sweep, plus those changed in the last period as they age past it. Harmless:
it scores them under the new version, as the nightly recompute would.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from core.lost_messages import lost_window
from core.models import OutboxMessage
from core.services import outbox_enqueue
from indicators.models import Assessment, Country, DatasetImport, ScoreRun
from indicators.selectors import methodology_active
from indicators.services import SCORES_RECOMPUTE_COUNTRIES_TASK, SCORES_RECOMPUTE_COUNTRY_TASK

logger = logging.getLogger(__name__)

SCORES_RECOMPUTE_LOST_KEY = "scores-recompute-lost"


def score_inputs_changed(*, since: dt.datetime) -> dict[int, dt.datetime]:
    """When each country's score inputs last changed since then: analysts' assessments and successful imports."""
    changed = dict(
        Assessment.objects.filter(dataset_import__isnull=True, recorded_at__gte=since)
        .order_by()
        .values("country_id")
        .annotate(at=Max("recorded_at"))
        .values_list("country_id", "at")
    )
    imports = DatasetImport.objects.filter(status=DatasetImport.Status.SUCCEEDED, finished_at__gte=since)
    for finished_at, country_ids in imports.values_list("finished_at", "score_country_ids"):
        for country_id in country_ids:
            changed[country_id] = max(changed.get(country_id, finished_at), finished_at)
    return changed


def score_runs_since(*, methodology_id: int, since: dt.datetime) -> QuerySet:
    """The runs of the methodology over every month (any outcome) started since then; an index covers the filter."""
    return ScoreRun.objects.filter(methodology_id=methodology_id, since__isnull=True, started_at__gte=since).order_by()


def _recomputed_since(changed: dict[int, dt.datetime], methodology_id: int) -> set[int]:
    """The countries a run of the methodology (any outcome, every month) started at or after their change covers."""
    codes = dict(Country.objects.filter(pk__in=list(changed)).values_list("pk", "iso3"))
    runs = score_runs_since(methodology_id=methodology_id, since=min(changed.values())).values_list(
        "started_at", "country_scope"
    )
    covered: set[int] = set()
    for started_at, scope in runs:
        covered |= {pk for pk, at in changed.items() if started_at >= at and (not scope or codes.get(pk) in scope)}
    return covered


def _waiting_in_outbox(cutoff: dt.datetime) -> set[int]:
    """Countries with a recompute the outbox has not sent, or due to start less than a period ago: a debounced
    trailing request (sent at once, with a countdown of up to SCORES_RECOMPUTE_DEBOUNCE_SECONDS) or this sweep's."""
    requests = OutboxMessage.objects.filter(
        Q(status=OutboxMessage.Status.PENDING) | Q(not_before__gte=cutoff),
        task_name__in=(SCORES_RECOMPUTE_COUNTRY_TASK, SCORES_RECOMPUTE_COUNTRIES_TASK),
    )
    waiting: set[int] = set()
    for kwargs in requests.values_list("kwargs", flat=True):
        waiting |= set(kwargs.get("country_ids") or [kwargs.get("country_id")])
    return waiting


def scores_recompute_requeue_lost(*, now: dt.datetime | None = None) -> list[int]:
    """Queue one recompute of every country whose score inputs changed after its latest run and whose request was
    lost; returns their ids (logged with their codes)."""
    now = now or timezone.now()
    methodology = methodology_active()
    start, cutoff = lost_window(now)
    unsent = OutboxMessage.objects.filter(dedupe_key=SCORES_RECOMPUTE_LOST_KEY, status=OutboxMessage.Status.PENDING)
    if methodology is None or unsent.exists():
        return []  # nothing can be scored, or the broker still refuses this sweep's last request (the outbox has it)
    changed = score_inputs_changed(since=start)
    # A country changed again within the period has a request of its own on the way, which reads every change.
    owed = {pk: at for pk, at in changed.items() if at < cutoff}
    if not owed:
        return []
    country_ids = sorted(set(owed) - _recomputed_since(owed, methodology.pk) - _waiting_in_outbox(cutoff))
    if not country_ids:
        return []
    requested_at = max(owed[pk] for pk in country_ids)
    kwargs = {
        "country_ids": country_ids,
        "trigger": ScoreRun.Trigger.NEW_DATA,
        "requested_at": requested_at.isoformat(),
    }
    outbox_enqueue(SCORES_RECOMPUTE_COUNTRIES_TASK, kwargs=kwargs, dedupe_key=SCORES_RECOMPUTE_LOST_KEY)
    codes = Country.objects.filter(pk__in=country_ids).order_by("iso3").values_list("iso3", flat=True)
    logger.warning("Score recompute of %s never ran after their inputs changed; re-queued", ", ".join(codes))
    return country_ids
