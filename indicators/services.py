"""Writes for the indicators app: every state change to assessments goes through here, and the requests for a
score recompute that follow them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core.models import AuditEvent
from core.roles import can_record_assessment
from core.services import audit_record, outbox_enqueue
from core.user_cache import user_value_lookup, user_value_put
from indicators.models import (
    Assessment,
    Confidence,
    Country,
    DatasetImport,
    Indicator,
    ScoreRun,
    Severity,
    UserViewState,
)
from indicators.selectors import VIEW_STATE
from indicators.signals import assessment_recorded

EARLIEST_OBSERVATION = dt.date(1900, 1, 1)


def assessment_validate(
    *,
    country: Country,
    indicator: Indicator,
    observed_on: dt.date,
    severity: int,
    confidence: str,
    source: str,
) -> None:
    """Raise ValidationError naming every field that is wrong, without touching the database."""
    errors: dict[str, str] = {}
    if isinstance(severity, bool) or not isinstance(severity, int) or severity not in Severity.values:
        errors["severity"] = f"Severity must be 0, 1, 2 or 3 (none, low, moderate, serious); got {severity!r}."
    if confidence not in Confidence.values:
        errors["confidence"] = f"Confidence must be low, medium or high; got {confidence!r}."
    if not isinstance(observed_on, dt.date) or isinstance(observed_on, dt.datetime):
        errors["observed_on"] = f"The observation date must be a date; got {observed_on!r}."
    elif observed_on > timezone.localdate():
        errors["observed_on"] = f"The observation date {observed_on:%Y-%m-%d} is in the future."
    elif observed_on < EARLIEST_OBSERVATION:
        errors["observed_on"] = f"The observation date {observed_on:%Y-%m-%d} is before 1900."
    if indicator.is_retired:
        errors["indicator"] = f"Indicator {indicator.code} is retired; assess its replacement instead."
    elif not indicator.framework.is_active:
        errors["indicator"] = f"Indicator {indicator.code} belongs to an inactive framework version."
    if not source or not source.strip():
        errors["source"] = "Name the source of this assessment."
    if errors:
        raise ValidationError(errors)


def assessment_record(
    *,
    country: Country,
    indicator: Indicator,
    observed_on: dt.date,
    severity: int,
    confidence: str,
    source: str,
    evidence: str = "",
    author=None,
    dataset_import: DatasetImport | None = None,
) -> Assessment:
    """Record one assessment by a desk analyst or an import; history is never rewritten."""
    if author is None and dataset_import is None:
        raise ValidationError("An assessment needs an author or the dataset import that produced it.")
    if author is not None and not can_record_assessment(author, country):
        raise PermissionDenied(f"Only analysts of the desk that owns {country.name} may record assessments for it.")
    assessment_validate(
        country=country,
        indicator=indicator,
        observed_on=observed_on,
        severity=severity,
        confidence=confidence,
        source=source,
    )
    with transaction.atomic():
        assessment = Assessment.objects.create(
            country=country,
            indicator=indicator,
            observed_on=observed_on,
            severity=severity,
            confidence=confidence,
            source=source.strip(),
            evidence=evidence.strip(),
            author=author,
            dataset_import=dataset_import,
        )
        # Inside the transaction: the receivers' audit entry and outbox rows commit with the assessment or not at all.
        assessment_recorded.send(sender=Assessment, assessment=assessment)
    return assessment


def assessment_audit(*, assessment: Assessment) -> AuditEvent:
    return audit_record(
        kind=AuditEvent.Kind.ASSESSMENT_RECORDED,
        actor=assessment.author,
        country=assessment.country,
        summary=(
            f"Indicator {assessment.indicator.code} assessed {assessment.get_severity_display().lower()} "
            f"({assessment.get_confidence_display().lower()} confidence) for {assessment.observed_on:%d %B %Y}."
        ),
        details={"assessment_id": assessment.pk, "source": assessment.source},
    )


SCORES_RECOMPUTE_COUNTRY_TASK = "indicators.tasks.scores_recompute_country_task"
SCORES_RECOMPUTE_COUNTRIES_TASK = "indicators.tasks.scores_recompute_countries_task"


def _pending_key(country_id: int) -> str:
    return f"indicators:scores-recompute-pending:{country_id}"


def _trailing_key(country_id: int) -> str:
    return f"indicators:scores-recompute-trailing:{country_id}"


def scores_recompute_request(*, country_ids, trigger: str = ScoreRun.Trigger.NEW_DATA) -> list[int]:
    """Ask for a recompute of these countries in the caller's transaction, coalescing bursts; returns the ids a new
    task was enqueued for (through the outbox, so it is sent once the transaction commits).

    A country with no recompute requested in the last window (SCORES_RECOMPUTE_DEBOUNCE_SECONDS) is recomputed
    now. Within the window, the first further request queues one trailing recompute for the window's end and later
    ones are left to it: its cache key lives exactly as long as its countdown, so every request it absorbs was
    committed before it reads, and it counts as requested at the window's end so an earlier run never excuses it.
    (A key set by a transaction that then rolls back only folds the next request into the trailing recompute.)
    """
    from celery import current_app

    delay = settings.SCORES_RECOMPUTE_DEBOUNCE_SECONDS
    now = timezone.now()
    ids = sorted({int(pk) for pk in country_ids})
    if not ids:
        return []
    if current_app.conf.task_always_eager or delay <= 0:
        _recompute_enqueue(ids, trigger=trigger, requested_at=now, countdown=0)
        return ids
    leading = [pk for pk in ids if cache.add(_pending_key(pk), now.isoformat(), timeout=delay)]
    trailing = [pk for pk in ids if pk not in leading and cache.add(_trailing_key(pk), now.isoformat(), timeout=delay)]
    _recompute_enqueue(leading, trigger=trigger, requested_at=now, countdown=0)
    _recompute_enqueue(trailing, trigger=trigger, requested_at=now + dt.timedelta(seconds=delay), countdown=delay)
    return leading + trailing


def _recompute_enqueue(ids: list[int], *, trigger: str, requested_at: dt.datetime, countdown: int) -> None:
    if len(ids) == 1:
        kwargs = {"country_id": ids[0], "trigger": trigger, "requested_at": requested_at.isoformat()}
        outbox_enqueue(SCORES_RECOMPUTE_COUNTRY_TASK, kwargs=kwargs, countdown=countdown)
    elif ids:
        kwargs = {"country_ids": ids, "trigger": trigger, "requested_at": requested_at.isoformat()}
        outbox_enqueue(SCORES_RECOMPUTE_COUNTRIES_TASK, kwargs=kwargs, countdown=countdown)


BATCH_REQUIRED_FIELDS = ("indicator", "observed_on", "severity", "confidence", "source")


class AssessmentBatchInvalid(ValidationError):
    """A batch of assessments was refused; `row_errors` maps each bad row's index to its field errors and
    `forbidden_rows` holds the indexes refused only because the author's desk does not own the row's country."""

    def __init__(
        self,
        row_errors: dict[int, dict[str, list[str]]],
        *,
        forbidden_rows: frozenset[int] = frozenset(),
        row_numbers: Sequence[int] | None = None,
    ):
        self.row_errors = row_errors
        self.forbidden_rows = forbidden_rows
        number = (lambda index: row_numbers[index]) if row_numbers is not None else (lambda index: index + 1)
        messages = [
            f"Row {number(index)}, {field.replace('_', ' ')}: {message}"
            for index, fields in sorted(row_errors.items())
            for field, field_messages in fields.items()
            for message in field_messages
        ]
        super().__init__(messages)


def assessments_batch_check(
    *, author, rows: list[dict], country: Country | None = None, row_numbers: Sequence[int] | None = None
) -> None:
    """Raise AssessmentBatchInvalid naming every wrong row of a batch, without writing anything.

    Each row names its `country`, or `country` gives it for every row. `row_numbers` are the rows' numbers as
    the sender counts them (e.g. a CSV file's line numbers), used in messages; 1, 2, ... when absent."""
    number = (lambda index: row_numbers[index]) if row_numbers is not None else (lambda index: index + 1)
    required = BATCH_REQUIRED_FIELDS if country is not None else ("country", *BATCH_REQUIRED_FIELDS)
    row_errors: dict[int, dict[str, list[str]]] = {}
    forbidden: set[int] = set()
    seen: dict[tuple, int] = {}
    for index, row in enumerate(rows):
        missing = [name for name in required if row.get(name) in (None, "")]
        if missing:
            row_errors[index] = {name: ["This field is required."] for name in missing}
            continue
        row_country = country if country is not None else row["country"]
        if country is None and not can_record_assessment(author, row_country):
            message = f"Only analysts of the desk that owns {row_country.name} may record assessments for it."
            row_errors[index] = {"country": [message]}
            forbidden.add(index)
            continue
        try:
            assessment_validate(country=row_country, **{name: row[name] for name in BATCH_REQUIRED_FIELDS})
        except ValidationError as exc:
            row_errors[index] = exc.message_dict
            continue
        key = (row_country.pk, row["indicator"].pk, row["observed_on"])
        if key in seen:
            row_errors[index] = {
                "indicator": [
                    f"Indicator {row['indicator'].code} on {row['observed_on']:%Y-%m-%d} for {row_country.name} is "
                    f"already in row {number(seen[key])} of this batch."
                ]
            }
        else:
            seen[key] = index
    if row_errors:
        raise AssessmentBatchInvalid(row_errors, forbidden_rows=frozenset(forbidden), row_numbers=row_numbers)


def assessments_record_batch(
    *, author, rows: list[dict], country: Country | None = None, row_numbers: Sequence[int] | None = None
) -> list[Assessment]:
    """Record several assessments by one author: all of them, or none if any row is wrong.

    With `country`, every row is for that country and the whole batch is refused (PermissionDenied) unless the
    author's desk owns it; without it, each row names its own country and a row for another desk is a row error."""
    if country is not None and not can_record_assessment(author, country):
        raise PermissionDenied(f"Only analysts of the desk that owns {country.name} may record assessments for it.")
    if not rows:
        raise ValidationError("The batch is empty: give at least one assessment.")
    assessments_batch_check(author=author, rows=rows, country=country, row_numbers=row_numbers)
    with transaction.atomic():
        return [
            assessment_record(
                country=country if country is not None else row["country"],
                author=author,
                evidence=row.get("evidence") or "",
                **{name: row[name] for name in BATCH_REQUIRED_FIELDS},
            )
            for row in rows
        ]


VISIT_GAP = dt.timedelta(minutes=30)  # a pause longer than this ends a visit
SEEN_PRECISION = dt.timedelta(minutes=1)  # the last view is noted to within this, so visits end to within it too


def _view_state(user) -> tuple[UserViewState, str | None]:
    """The user's view state, with where the shared cache keeps it (core.user_cache; None when it does not): only
    these services write it, and each puts what it saved back, so the overview reads no row per visit."""
    return user_value_lookup(VIEW_STATE, "state", user.pk, lambda: UserViewState.objects.get_or_create(user=user)[0])


def view_state_filters_keep(*, user, page: str, query: str) -> None:
    """Keep a page's filter query for the user, so returning to the bare page restores it."""
    state, key = _view_state(user)
    if state.filters.get(page) != query:
        state.filters = {**state.filters, page: query}
        state.save(update_fields=["filters"])
        user_value_put(key, state)


def view_state_page_seen(*, user, page: str, query: str | None, now: dt.datetime | None = None) -> dt.datetime | None:
    """Note a view of a page with its filter query (kept so returning restores it; None keeps the saved one), and
    return when the user's previous visit ended (None on a first visit). Two queries, one when the same filters were
    noted less than SEEN_PRECISION ago.

    A visit is a run of views with no pause longer than VISIT_GAP: reloading the overview during the same visit keeps
    "since your last visit" anchored to the visit before, instead of emptying it.
    """
    now = now or timezone.now()
    state, key = _view_state(user)
    filters = {**state.filters, page: query} if query is not None else state.filters
    since_last = now - state.last_seen_at if state.last_seen_at is not None else None
    if filters == state.filters and since_last is not None and dt.timedelta(0) <= since_last < SEEN_PRECISION:
        # Reloads seconds apart change nothing a visit boundary needs: skipping the write spares a busy page a commit.
        return state.previous_visit_at
    state.filters = filters
    if state.last_seen_at is not None and now - state.last_seen_at > VISIT_GAP:
        state.previous_visit_at = state.last_seen_at
    state.last_seen_at = now
    state.save(update_fields=["filters", "last_seen_at", "previous_visit_at"])
    user_value_put(key, state)
    return state.previous_visit_at
