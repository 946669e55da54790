"""Score runs: read assessments, run the pure core, and replace the run's scope of stored scores atomically.

A run is a ScoreRun row (trigger, scope, status, timing, counts, error). Its scores replace the stored scores of its
countries (from `since` on) in one transaction, so readers never see half a run and a failed run leaves the previous
scores in place. Two runs that overlap on a country are serialised by a per-country lock taken before they compute,
and a run never overwrites scores written by a run that started after it (that run read fresher assessments).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from core.models import AuditEvent
from core.services import audit_record, outbox_enqueue
from indicators.heartbeat import heartbeat, heartbeat_stale_before
from indicators.models import (
    Country,
    CountryScore,
    Methodology,
    RiskFactorScore,
    ScoreRun,
)
from indicators.scoring.core import (
    LOOKBACK_MONTHS,
    MethodologyParameters,
    MethodologyParametersError,
    month_first_day,
    month_number,
    scores_compute,
)
from indicators.scoring.evidence import assessments_frame_read, indicator_frame
from indicators.scoring.evidence import first_months as first_months_of
from indicators.scoring.score_rows import score_rows_write, score_rows_writer
from indicators.selectors import methodology_active_required
from indicators.signals import score_run_finished

logger = logging.getLogger(__name__)

# Namespace of the PostgreSQL advisory locks that serialise score writes per country ("AWSC").
SCORE_LOCK_NAMESPACE = 0x41575343 & 0x7FFFFFFF
CRIME_GROUP_COLUMNS = ("genocide", "crimes_against_humanity", "war_crimes")
COUNTRY_SCORE_COLUMNS = (
    "country_id",
    "month",
    "methodology_id",
    "run_id",
    "overall",
    "band",
    "common",
    *CRIME_GROUP_COLUMNS,
    "coverage",
    "change_3m",
    "change_12m",
    "data_confidence",
    "data_confidence_level",
    "latest_evidence_on",
)
FACTOR_SCORE_COLUMNS = (
    "country_id",
    "month",
    "methodology_id",
    "run_id",
    "risk_factor_id",
    "score",
    "coverage",
    "indicators_assessed",
)


# ----------------------------------------------------------------------------------------------------------------
# Methodology versions


def methodology_in_use(*, methodology: Methodology) -> bool:
    """True once any score run or score names this methodology version; it is then immutable."""
    return (
        ScoreRun.objects.filter(methodology=methodology).exists()
        or CountryScore.objects.filter(methodology=methodology).exists()
    )


def methodology_publish(
    *,
    name: str,
    parameters: dict,
    description: str = "",
    created_by=None,
    activate: bool = True,
) -> Methodology:
    """Publish a new methodology version (the next number) after validating its parameters; optionally activate it."""
    try:
        MethodologyParameters.from_dict(parameters)
    except MethodologyParametersError as exc:
        raise ValidationError({"parameters": str(exc)}) from exc
    if not name or not name.strip():
        raise ValidationError({"name": "Give the methodology version a name."})
    with transaction.atomic():
        latest = Methodology.objects.select_for_update().aggregate(latest=Max("version"))["latest"] or 0
        if activate:
            Methodology.objects.filter(is_active=True).update(is_active=False)
        methodology = Methodology.objects.create(
            version=latest + 1,
            name=name.strip(),
            description=description.strip(),
            parameters=parameters,
            is_active=activate,
            published_at=timezone.now(),
            created_by=created_by,
        )
        audit_record(
            kind=AuditEvent.Kind.METHODOLOGY_PUBLISHED,
            actor=created_by,
            summary=f"Methodology version {methodology.version} ('{methodology.name}') published"
            + (" and made active." if activate else "."),
            details={"methodology_id": methodology.pk, "version": methodology.version, "parameters": parameters},
        )
    return methodology


def methodology_activate(*, methodology: Methodology, actor=None) -> Methodology:
    """Make this version the one new scores use; the previous active version stays stored, unchanged."""
    MethodologyParameters.from_dict(methodology.parameters)
    with transaction.atomic():
        previous = list(Methodology.objects.filter(is_active=True).exclude(pk=methodology.pk).values_list("version"))
        Methodology.objects.filter(is_active=True).exclude(pk=methodology.pk).update(is_active=False)
        Methodology.objects.filter(pk=methodology.pk).update(is_active=True)
        replaced = f", replacing version {previous[0][0]}" if previous else ""
        audit_record(
            kind=AuditEvent.Kind.METHODOLOGY_ACTIVATED,
            actor=actor,
            summary=f"Methodology version {methodology.version} ('{methodology.name}') made active{replaced}.",
            details={"methodology_id": methodology.pk, "version": methodology.version},
        )
    methodology.refresh_from_db()
    return methodology


# ----------------------------------------------------------------------------------------------------------------
# Writing

# A run computes and writes this many countries at a time: on PostgreSQL the rows of one batch travel to the server
# while the next batch is computed, and memory holds one batch of risk-factor rows, not the whole run's (the country
# rows, 14 times fewer, are kept for one COPY at the end).
RUN_BATCH_COUNTRIES = 16


def _scope_lock(run: ScoreRun, country_ids: Sequence[int]) -> None:
    """Serialise score writes per country until the transaction ends (in id order, so runs never deadlock)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, c) FROM unnest(%s::int[]) AS c ORDER BY c",
                [SCORE_LOCK_NAMESPACE, sorted(int(pk) for pk in country_ids)],
            )
    else:
        # SQLite has one writer at a time: writing first takes the database's write lock for the transaction.
        ScoreRun.objects.filter(pk=run.pk).update(status=ScoreRun.Status.RUNNING)


def _scope_claim(*, run: ScoreRun, country_ids: Sequence[int], since: dt.date | None) -> tuple[list[int], list[int]]:
    """Inside the run's transaction: lock the scope and delete its stored scores, except those of countries a newer
    run has already stored (it read fresher assessments). Returns (countries to write, countries left alone)."""
    _scope_lock(run, country_ids)
    newer = CountryScore.objects.filter(methodology_id=run.methodology_id, run_id__gt=run.pk)
    if len(country_ids) < 1000:
        newer = newer.filter(country_id__in=country_ids)
    superseded = set(newer.order_by().values_list("country_id", flat=True).distinct()) & set(country_ids)
    written = sorted(set(country_ids) - superseded)
    for model in (RiskFactorScore, CountryScore):
        stale = model.objects.filter(methodology_id=run.methodology_id, country_id__in=written)
        if since is not None:
            stale = stale.filter(month__gte=since)
        stale.delete()
    return written, sorted(superseded)


def _scores_compute_and_write(
    *,
    run: ScoreRun,
    assessments: pd.DataFrame,
    indicators: pd.DataFrame,
    parameters: MethodologyParameters,
    country_ids: Sequence[int],
    end_month: dt.date,
    first_months: dict[int, dt.date] | None,
    since: dt.date | None,
) -> int:
    """Score these countries a batch at a time, streaming each batch's rows to the database; returns how many
    countries got scores. `assessments` must be sorted by country. Runs inside the run's transaction, after
    `_scope_claim`."""
    assessment_countries = assessments["country_id"].to_numpy()
    if len(assessment_countries) and (np.diff(assessment_countries) < 0).any():
        raise ValueError("The assessment frame must be sorted by country_id.")
    country_frames = []
    scored = 0
    with score_rows_writer(RiskFactorScore._meta.db_table, FACTOR_SCORE_COLUMNS) as factor_rows_write:
        for begin in range(0, len(country_ids), RUN_BATCH_COUNTRIES):
            batch = country_ids[begin : begin + RUN_BATCH_COUNTRIES]
            low = np.searchsorted(assessment_countries, batch[0], side="left")
            high = np.searchsorted(assessment_countries, batch[-1], side="right")
            part = assessments.iloc[low:high]
            part = part[part["country_id"].isin(batch)]
            batch_first = None if first_months is None else {c: first_months[c] for c in batch if c in first_months}
            if part.empty and not batch_first:
                continue
            frames = scores_compute(
                part, indicators, parameters, end_month=end_month, country_first_months=batch_first, since=since
            )
            for frame in (frames.country_scores, frames.factor_scores):
                frame.insert(2, "methodology_id", run.methodology_id)
                frame.insert(3, "run_id", run.pk)
            factor_rows_write(frames.factor_scores)
            run.score_rows += len(frames.factor_scores)
            country_frames.append(frames.country_scores)
            scored += frames.country_scores["country_id"].nunique()
    if country_frames:
        country_frame = pd.concat(country_frames, ignore_index=True)
        score_rows_write(CountryScore._meta.db_table, COUNTRY_SCORE_COLUMNS, country_frame)
        run.score_rows += len(country_frame)
    return scored


# ----------------------------------------------------------------------------------------------------------------
# Runs


def countries_by_iso3(*, codes: Iterable[str]) -> list[Country]:
    """The countries with these ISO-3 codes; a ValidationError names every unknown code."""
    wanted = [code.strip().upper() for code in codes]
    found = {country.iso3: country for country in Country.objects.filter(iso3__in=wanted)}
    unknown = [code for code in wanted if code not in found]
    if unknown:
        raise ValidationError(f"Unknown country code(s): {', '.join(unknown)}. Use ISO-3 codes such as KEN.")
    return [found[code] for code in dict.fromkeys(wanted)]


def scores_recompute(
    *,
    trigger: str,
    country_ids: Sequence[int] | None = None,
    since: dt.date | None = None,
    requested_by=None,
    methodology: Methodology | None = None,
    celery_task_id: str = "",
    rerun_of: ScoreRun | None = None,
) -> ScoreRun:
    """Recompute monthly scores for some countries (default: all), from `since` (default: their first month).

    Records a ScoreRun, replaces the scope's stored scores in one transaction and sends `score_run_finished` after
    commit. A failure marks the run failed with its error, leaves the previous scores in place and re-raises.
    """
    triggers = [choice.value for choice in ScoreRun.Trigger]
    if trigger not in triggers:
        raise ValidationError(f"Unknown trigger {trigger!r}; use one of {', '.join(triggers)}.")
    if since is not None:
        if isinstance(since, dt.datetime) or not isinstance(since, dt.date):
            raise ValidationError(f"since must be a date; got {since!r}.")
        since = since.replace(day=1)
    methodology = methodology or methodology_active_required()
    parameters = MethodologyParameters.from_dict(methodology.parameters)
    scope: list[Country] | None = None
    if country_ids is not None:
        country_ids = list(country_ids)
        if not country_ids:
            raise ValidationError("No country given; leave the scope out to score every country.")
        scope = list(Country.objects.filter(pk__in=list(country_ids)).order_by("iso3"))
        unknown = sorted(set(map(int, country_ids)) - {country.pk for country in scope})
        if unknown:
            raise ValidationError(f"Unknown country id(s): {', '.join(map(str, unknown))}.")
    run = ScoreRun.objects.create(
        methodology=methodology,
        trigger=trigger,
        status=ScoreRun.Status.RUNNING,
        country_scope=[country.iso3 for country in scope] if scope is not None else [],
        since=since,
        requested_by=requested_by,
        celery_task_id=celery_task_id or "",
        started_at=timezone.now(),
        rerun_of=rerun_of,
    )
    # The heartbeat tells the reaper this run's worker is alive; see indicators/heartbeat.py.
    with heartbeat(ScoreRun, run.pk):
        return _score_run_execute(run=run, scope=scope, since=since, methodology=methodology, parameters=parameters)


def _score_run_execute(
    *,
    run: ScoreRun,
    scope: list[Country] | None,
    since: dt.date | None,
    methodology: Methodology,
    parameters: MethodologyParameters,
) -> ScoreRun:
    """Compute and store the run's scores; a failure marks the run failed with its error and re-raises."""
    try:
        scope_ids = [country.pk for country in scope] if scope is not None else None
        end_month = timezone.localdate().replace(day=1)
        observed_from = None
        first_months = None
        if since is not None:
            lookback = month_number(since) - LOOKBACK_MONTHS - parameters.max_age_months
            observed_from = month_first_day(lookback)
            first_months = first_months_of(scope_ids)
        assessments = assessments_frame_read(country_ids=scope_ids, observed_from=observed_from)
        # Rebinding the name frees the unsorted frame: one copy of the assessments in memory, not two.
        assessments = assessments.sort_values("country_id", kind="stable", ignore_index=True)
        run.observations_count = len(assessments)
        indicators = indicator_frame(methodology)
        all_ids = scope_ids if scope_ids is not None else list(Country.objects.values_list("pk", flat=True))
        with transaction.atomic():
            written, superseded = _scope_claim(run=run, country_ids=all_ids, since=since)
            run.countries_count = _scores_compute_and_write(
                run=run,
                assessments=assessments,
                indicators=indicators,
                parameters=parameters,
                country_ids=written,
                end_month=end_month,
                first_months=first_months,
                since=since,
            )
            # The run's success commits with its scores: a Ctrl-C landing after the commit cannot fail a run whose
            # scores stand, nor leave it running for the reaper to re-queue.
            run.status = ScoreRun.Status.SUCCEEDED
            if superseded:
                run.error = (
                    f"Left {len(superseded)} country(ies) to a newer run that had already stored fresher scores."
                )
            run.finished_at = timezone.now()
            run.save(
                update_fields=["status", "error", "finished_at", "observations_count", "countries_count", "score_rows"]
            )
            transaction.on_commit(lambda: _run_finished_announce(run), robust=True)
        del assessments
    except (Exception, KeyboardInterrupt) as exc:  # Ctrl-C in recompute_scores fails the run now, not at the reaper
        _failure_record(run, exc)
        raise
    return run


def _failure_record(run: ScoreRun, exc: BaseException) -> None:
    """Fail the run with the reason, unless its success already committed with its scores."""
    try:
        if ScoreRun.objects.filter(pk=run.pk, status=ScoreRun.Status.SUCCEEDED).exists():
            return
        run.status = ScoreRun.Status.FAILED
        run.error = _failure_reason(exc)
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "error", "finished_at", "observations_count"])
        transaction.on_commit(lambda: _run_finished_announce(run), robust=True)
    except Exception:  # the database itself may be what failed; the original error matters more
        logger.exception("Could not record the failure of score run %s", run.pk)


def _failure_reason(exc: BaseException) -> str:
    if isinstance(exc, KeyboardInterrupt):
        return "Interrupted (Ctrl-C) before it finished; nothing it computed was stored, the previous scores stand."
    return f"{type(exc).__name__}: {exc}"[:5000]


# ----------------------------------------------------------------------------------------------------------------
# Runs whose worker died


def _worker_lost_reason(run: ScoreRun, now: dt.datetime) -> str:
    last = timezone.localtime(run.heartbeat_at or run.started_at or now)
    again = "it was not re-queued again (it was itself a re-run)" if run.rerun_of_id else "it was re-queued once"
    return (
        "The process running this score run (a worker, or recompute_scores in a terminal) stopped without finishing "
        f"(no heartbeat since {last:%Y-%m-%d %H:%M:%S}); "
        f"nothing it computed was stored, the previous scores stand, and {again}."
    )


def score_run_mark_worker_lost(*, run: ScoreRun, now: dt.datetime | None = None, requeue: bool) -> bool:
    """Mark a running run whose heartbeat stopped as failed, with the reason; False if another process got there
    first (the conditional update makes the reaper and a redelivered task agree on one outcome)."""
    now = now or timezone.now()
    claimed = ScoreRun.objects.filter(pk=run.pk, status=ScoreRun.Status.RUNNING, heartbeat_at=run.heartbeat_at).update(
        status=ScoreRun.Status.FAILED,
        finished_at=now,
        error=_worker_lost_reason(run, now),
        requeued=requeue and run.rerun_of_id is None,
    )
    return bool(claimed)


def score_runs_reap(*, now: dt.datetime | None = None) -> list[int]:
    """Fail every running run whose heartbeat is older than RUN_STALE_SECONDS and re-queue its work once (a run that
    is itself a re-run is not re-queued again); returns the ids of the runs re-queued."""
    now = now or timezone.now()
    stale = ScoreRun.objects.filter(status=ScoreRun.Status.RUNNING, heartbeat_at__lt=heartbeat_stale_before(now))
    requeued: list[int] = []
    for run in stale.order_by("pk"):
        if not score_run_mark_worker_lost(run=run, now=now, requeue=True):
            continue
        logger.warning("Score run %s lost its worker; marked failed", run.pk)
        if run.rerun_of_id is None:
            requeued.append(run.pk)
            outbox_enqueue("indicators.tasks.scores_rerun_task", kwargs={"run_id": run.pk})
    return requeued


def score_run_redelivery_settled(
    *, celery_task_id: str, now: dt.datetime | None = None
) -> tuple[bool, ScoreRun | None]:
    """For a task message delivered again (the broker re-sends an unacknowledged task of a killed worker): (True,
    run) when an earlier delivery's run settles it (succeeded, still alive elsewhere, or already reaped and re-queued),
    else (False, the dead run this delivery re-runs, or None for a first delivery or a Celery retry)."""
    if not celery_task_id:
        return False, None
    now = now or timezone.now()
    earlier = ScoreRun.objects.filter(celery_task_id=celery_task_id).order_by("-pk").first()
    if earlier is None:
        return False, None
    if earlier.status == ScoreRun.Status.SUCCEEDED:
        return True, earlier
    if earlier.status == ScoreRun.Status.RUNNING:
        if earlier.heartbeat_at and earlier.heartbeat_at >= heartbeat_stale_before(now):
            return True, earlier
        # Its worker died and the reaper has not seen it yet: this delivery is the one re-run.
        if score_run_mark_worker_lost(run=earlier, now=now, requeue=True):
            return earlier.rerun_of_id is not None, earlier
        return True, earlier
    if earlier.requeued:
        return True, earlier
    return False, None


def score_run_rerun(*, run: ScoreRun) -> ScoreRun:
    """Run the work of a run whose worker died again: same trigger, scope, start month and methodology."""
    country_ids = [country.pk for country in countries_by_iso3(codes=run.country_scope)] if run.country_scope else None
    return scores_recompute(
        trigger=run.trigger,
        country_ids=country_ids,
        since=run.since,
        requested_by=run.requested_by,
        methodology=run.methodology,
        rerun_of=run,
    )


def _run_finished_announce(run: ScoreRun) -> None:
    """Send score_run_finished; a failing listener is logged, it does not turn a finished run into an error."""
    for receiver, response in score_run_finished.send_robust(sender=ScoreRun, run=run):
        if isinstance(response, Exception):
            logger.error("A score_run_finished listener (%r) failed for run %s", receiver, run.pk, exc_info=response)


def score_run_summary(run: ScoreRun) -> str:
    """One line a person can read: what ran, on what, how long, and what it wrote."""
    seconds = (run.finished_at - run.started_at).total_seconds() if run.finished_at and run.started_at else 0.0
    scope = ", ".join(run.country_scope) if run.country_scope else "all countries"
    since = f" since {run.since:%Y-%m}" if run.since else ""
    text = (
        f"Score run {run.pk} ({run.get_trigger_display().lower()}, methodology v{run.methodology.version}) "
        f"{run.status} in {seconds:.2f} s: {scope}{since}; {run.observations_count} assessments read, "
        f"{run.countries_count} countries scored, {run.score_rows} score rows written."
    )
    return f"{text} {run.error}" if run.error else text
