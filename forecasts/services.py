"""Writes of the forecast app: outcome and structural imports, and training (backtest + published model).

Imports follow the rules of every importer (indicators.importers.services): one DatasetImport per file, checksum
de-duplication there, all-or-nothing with every error located by row and column, or `skip_invalid` to write the valid
rows and list the others. A newer import of a source replaces the years it covers: rows of earlier imports for those
years stay, marked `is_current=False`, so which import said what is never lost.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.template.defaultfilters import pluralize
from django.utils import timezone

from core.services import outbox_enqueue
from forecasts import selectors
from forecasts.backtest import HORIZONS, backtest_run, evaluate, forecast_year
from forecasts.features import FRAMEWORK_COLUMNS, TRANSFORM_MEANINGS, TRANSFORMED, feature_panel
from forecasts.modelling import LIBRARY_VERSIONS
from forecasts.models import Forecast, ForecastModel, ForecastRun, Outcome, StructuralRecord
from forecasts.parsers import (
    STRUCTURAL_VARIABLES,
    UCDP_ONE_SIDED_VARIABLES,
    ForecastParse,
    parse_ewp_basedata,
    parse_ewp_out_of_sample,
    parse_ewp_structural,
    parse_ucdp_one_sided,
)
from forecasts.signals import forecast_model_published
from indicators.crosswalk import CountryCrosswalk
from indicators.heartbeat import heartbeat, heartbeat_stale_before
from indicators.importers.base import ParserContext, RowError
from indicators.models import Country, DatasetImport, Indicator, RiskFactor

logger = logging.getLogger(__name__)

BATCH_SIZE = 2000
# EWP's fully out-of-sample forecasts, set beside ours in every backtest (ATROCITY_WATCH_DATA_DIR/this path).
EWP_OUT_OF_SAMPLE = Path("ewp") / "ewp_out_of_sample_forecasts_1994_2010.csv"
MAX_LISTED_ERRORS = 200
SEED = 0
FORECAST_TRAIN_TASK = "forecasts.tasks.forecast_train_task"
FORECAST_TRAIN_DEDUPE_KEY = "forecast-train"

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class ImportReport:
    """What a forecast import wrote: rows read and created, rows skipped, a one-line message and a JSON summary."""

    rows_read: int
    created: int
    message: str
    skipped: int = 0
    summary: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)


def _context() -> ParserContext:
    return ParserContext(crosswalk=CountryCrosswalk.default(), indicator_codes=frozenset(), today=timezone.localdate())


def _check(parse: ForecastParse, *, skip_invalid: bool) -> dict[str, Country]:
    """Every row's country must be in the country list; refuse the file unless skip_invalid and some rows are fine."""
    rows = parse.outcomes or parse.structural
    countries = Country.objects.in_bulk([row.iso3 for row in rows], field_name="iso3")
    for row in rows:
        if row.iso3 not in countries:
            parse.result.error(row.row, "ccode", "unknown country: not in the country list", row.iso3)
    errors = sorted(parse.result.errors, key=lambda error: (error.row or 0, error.column or ""))
    valid = [row for row in rows if row.row not in parse.result.invalid_rows]
    if parse.result.fatal or (errors and not skip_invalid) or not valid:
        raise ValidationError([_located(error) for error in errors[:MAX_LISTED_ERRORS]] or ["The file has no rows."])
    return countries


def _located(error: RowError) -> ValidationError:
    """A ValidationError that keeps the row, column and value, so the import page can list them."""
    return ValidationError(
        str(error), code="row", params={"row": error.row, "column": error.column, "value": error.value}
    )


def outcomes_import(*, raw: bytes, dataset_import: DatasetImport, progress: Progress | None = None) -> ImportReport:
    """Import an EWP base-data edition into Outcome; the edition replaces the outcomes of the years it covers."""
    parse = parse_ewp_basedata(raw, _context())
    countries = _check(parse, skip_invalid=dataset_import.skip_invalid)
    rows = [row for row in parse.outcomes if row.row not in parse.result.invalid_rows]
    years = sorted({row.year for row in rows})
    with transaction.atomic():
        replaced = Outcome.objects.filter(is_current=True, year__in=years).update(is_current=False)
        Outcome.objects.bulk_create(
            [
                Outcome(
                    country=countries[row.iso3],
                    year=row.year,
                    onset=row.onset,
                    ongoing=row.ongoing,
                    onset_count=row.onset_count,
                    episodes=row.episodes,
                    dataset_import=dataset_import,
                )
                for row in rows
            ],
            batch_size=BATCH_SIZE,
        )
        forecast_retrain_enqueue()
    skipped = len(parse.result.invalid_rows)
    onsets = sum(1 for row in rows if row.onset)
    message = (
        f"Imported {len(rows)} country-year outcome{pluralize(len(rows))} for {years[0]}-{years[-1]} "
        f"({onsets} onset{pluralize(onsets)}); {replaced} earlier outcome{pluralize(replaced)} of those years "
        "replaced."
    )
    if skipped:
        message += f" Skipped {skipped} invalid row{pluralize(skipped)}."
    return ImportReport(
        rows_read=parse.result.rows_read,
        created=len(rows),
        skipped=skipped,
        message=message,
        summary={**parse.result.summary(), "replaced": replaced, "years": [years[0], years[-1]]},
        errors=[error.as_dict() for error in parse.result.errors[:MAX_LISTED_ERRORS]],
    )


# Structural sources: the parser that maps each file's columns to documented predictor names (forecasts/parsers.py).
STRUCTURAL_PARSERS = {"ewp_structural": parse_ewp_structural, "ucdp_one_sided": parse_ucdp_one_sided}


def structural_import(
    *, raw: bytes, dataset_import: DatasetImport, progress: Progress | None = None, source: str = "ewp_structural"
) -> ImportReport:
    """Import a structural source (EWP's model matrix, or UCDP's one-sided violence) into StructuralRecord under the
    documented variable names; a newer import of the same source replaces the years it covers."""
    parse = STRUCTURAL_PARSERS[source](raw, _context())
    countries = _check(parse, skip_invalid=dataset_import.skip_invalid)
    rows = [row for row in parse.structural if row.row not in parse.result.invalid_rows]
    years = sorted({row.year for row in rows})
    with transaction.atomic():
        replaced = StructuralRecord.objects.filter(is_current=True, source=source, year__in=years).update(
            is_current=False
        )
        StructuralRecord.objects.bulk_create(
            [
                StructuralRecord(
                    country=countries[row.iso3],
                    year=row.year,
                    source=source,
                    values=row.values,
                    dataset_import=dataset_import,
                )
                for row in rows
            ],
            batch_size=BATCH_SIZE,
        )
    skipped = len(parse.result.invalid_rows)
    message = (
        f"Imported structural predictors for {len(rows)} country-year{pluralize(len(rows))} "
        f"({years[0]}-{years[-1]}); {replaced} earlier record{pluralize(replaced)} of those years replaced."
    )
    if skipped:
        message += f" Skipped {skipped} invalid row{pluralize(skipped)}."
    return ImportReport(
        rows_read=parse.result.rows_read,
        created=len(rows),
        skipped=skipped,
        message=message,
        summary={**parse.result.summary(), "replaced": replaced, "years": [years[0], years[-1]]},
        errors=[error.as_dict() for error in parse.result.errors[:MAX_LISTED_ERRORS]],
    )


def forecast_retrain_enqueue(*, requested_at: dt.datetime | None = None) -> None:
    """Ask for a retraining in the caller's transaction (after an outcomes import): an outbox row, sent after commit;
    a second request while one still waits is the same request. A training started after `requested_at` (default:
    now) settles it, so a request delivered late, or twice, trains once."""
    requested_at = requested_at or timezone.now()
    outbox_enqueue(
        FORECAST_TRAIN_TASK,
        kwargs={"trigger": ForecastRun.Trigger.IMPORT, "requested_at": requested_at.isoformat()},
        dedupe_key=FORECAST_TRAIN_DEDUPE_KEY,
        countdown=30,
    )


# --- training --------------------------------------------------------------------------------------------------------


@dataclass
class ModelInputs:
    """Everything a model is built from, read once: outcomes, structural predictors, Framework December scores and
    the indicator values the datasets gave."""

    outcomes: pd.DataFrame
    structural: pd.DataFrame
    framework: pd.DataFrame
    indicators: pd.DataFrame | None = None

    @classmethod
    def read(cls) -> ModelInputs:
        return cls(
            outcomes=selectors.outcomes_frame(),
            structural=selectors.structural_frame(),
            framework=selectors.framework_frame(),
            indicators=selectors.indicator_frame(),
        )

    def data_year(self, *, today_year: int) -> int | None:
        """The latest finished year with any feature: forecasts are made for the year after it."""
        years = [
            int(frame["year"].max()) for frame in (self.structural, self.framework) if len(frame) and "year" in frame
        ]
        return min(max(years), today_year - 1) if years else None

    def panel(self, *, last_forecast_year: int) -> pd.DataFrame:
        """Feature rows from the first year after the structural predictors start (the Framework's history alone
        when there are none): earlier rows would carry only a few Framework values and teach the model little."""
        source = self.structural if len(self.structural) else self.framework
        first = int(source["year"].min())
        return feature_panel(
            structural=self.structural,
            framework=self.framework,
            indicators=self.indicators,
            years=range(first + 1, last_forecast_year + 1),
        )


def feature_labels() -> dict[str, str]:
    """Plain-words names of every feature, for drivers, the methodology page and the model record."""
    labels = {
        variable.name: variable.meaning.capitalize() for variable in (*STRUCTURAL_VARIABLES, *UCDP_ONE_SIDED_VARIABLES)
    }
    labels.update(TRANSFORM_MEANINGS)
    framework = {
        "overall": "Framework overall score",
        "common": "Framework common risk factors score",
        "genocide": "Framework genocide score",
        "crimes_against_humanity": "Framework crimes-against-humanity score",
        "war_crimes": "Framework war-crimes score",
    }
    for column in FRAMEWORK_COLUMNS:
        labels[f"framework_{column}"] = framework[column] + " (December of the previous year)"
    for number, name in RiskFactor.objects.filter(framework__is_active=True).values_list("number", "name"):
        labels[f"framework_rf{number}"] = f"Framework risk factor {number} ({name}), December of the previous year"
    sources = sorted(set(DatasetImport.objects.values_list("source", flat=True)))
    for code, title in Indicator.objects.filter(framework__is_active=True).values_list("code", "short_title"):
        for source in sources:
            labels[selectors.indicator_feature_name(code, source)] = (
                f"Indicator {code} ({title}): severity 0-3 as the {source} dataset assessed it"
            )
    return labels


def feature_catalogue(columns: list[str]) -> list[dict]:
    labels = feature_labels()
    sources = {variable.name: variable.source_note for variable in STRUCTURAL_VARIABLES}
    return [
        {
            "name": column,
            "label": labels.get(column, column),
            "source": _feature_source(column, sources),
        }
        for column in columns
    ]


def _feature_source(column: str, structural_sources: dict[str, str]) -> str:
    if column.startswith("framework_"):
        return "Framework scores"
    if column.startswith("indicator_"):
        return "Framework indicator assessments imported from datasets"
    if column in {variable.name for variable in UCDP_ONE_SIDED_VARIABLES}:
        return "UCDP organised violence, country-year (organizedviolencecy), one-sided violence"
    if column in TRANSFORMED:
        source = TRANSFORMED[column]
        return f"EWP model matrix ({structural_sources.get(source, '')}), transformed across that year's countries"
    return f"EWP model matrix ({structural_sources.get(column, '')})"


FORECAST_INTERRUPTED = "Interrupted (Ctrl-C) before it finished; nothing was published, the previous model stands."


def forecast_train(
    *,
    trigger: str = ForecastRun.Trigger.MANUAL,
    requested_by=None,
    backtest_first_year: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> ForecastModel:
    """Backtest, then train on every known outcome and publish the forecasts for the year after the latest data, as
    one new ForecastModel version. A failure is recorded on the run and raised; earlier models stay published."""
    run = ForecastRun.objects.create(trigger=trigger, requested_by=requested_by, status=ForecastRun.Status.RUNNING)
    run.started_at = timezone.now()
    run.save(update_fields=["started_at"])
    started = time.perf_counter()
    try:
        # The heartbeat tells the reaper (forecast_runs_reap) this run's worker is alive.
        with heartbeat(ForecastRun, run.pk):
            model = _train(run, backtest_first_year or settings.FORECAST_BACKTEST_FIRST_YEAR, progress)
    except (Exception, KeyboardInterrupt) as exc:  # Ctrl-C in forecast_train fails the run now, not at the reaper
        if ForecastModel.objects.filter(run=run).exists():  # Ctrl-C after publishing (joining the heartbeat)
            _run_finish(run, started, ForecastRun.Status.SUCCEEDED)
        else:
            error = FORECAST_INTERRUPTED if isinstance(exc, KeyboardInterrupt) else str(exc)
            _run_finish(run, started, ForecastRun.Status.FAILED, error=error)
        raise
    _run_finish(run, started, ForecastRun.Status.SUCCEEDED)
    return model


def _run_finish(run: ForecastRun, started: float, status: str, *, error: str = "") -> None:
    run.status, run.error, run.finished_at = status, error, timezone.now()
    run.seconds = time.perf_counter() - started
    run.save(update_fields=["status", "error", "finished_at", "seconds"])


def forecast_runs_reap(*, now: dt.datetime | None = None) -> list[int]:
    """Fail every running forecast run whose heartbeat is older than RUN_STALE_SECONDS (its worker died: nothing was
    published, the previous model stands), with the reason, and ask once for a new training in its place (a run that
    was itself such a re-run is not asked for again). Returns the ids of the runs whose training was asked for again.
    The conditional update makes two reapers agree on one outcome."""
    now = now or timezone.now()
    cutoff = heartbeat_stale_before(now)
    stale = ForecastRun.objects.filter(status=ForecastRun.Status.RUNNING).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    )
    requeued = []
    for run in stale.order_by("pk"):
        again = run.trigger != ForecastRun.Trigger.RERUN
        last = timezone.localtime(run.heartbeat_at or run.started_at)
        reason = (
            "The process training this forecast (a worker, or forecast_train in a terminal) stopped without finishing "
            f"(no heartbeat since {last:%Y-%m-%d %H:%M:%S}); nothing was published, the previous model stands, and "
            + ("a new training was queued." if again else "no new training was queued (this run was itself one).")
        )
        with transaction.atomic():
            claimed = ForecastRun.objects.filter(
                pk=run.pk, status=ForecastRun.Status.RUNNING, heartbeat_at=run.heartbeat_at
            ).update(status=ForecastRun.Status.FAILED, finished_at=now, error=reason)
            if claimed and again:
                outbox_enqueue(
                    FORECAST_TRAIN_TASK,
                    kwargs={"trigger": ForecastRun.Trigger.RERUN},
                    dedupe_key=FORECAST_TRAIN_DEDUPE_KEY,
                )
                requeued.append(run.pk)
        if claimed:
            logger.warning("Forecast run %s lost its worker; marked failed", run.pk)
    return requeued


def _train(run: ForecastRun, backtest_first_year: int, progress) -> ForecastModel:
    inputs = ModelInputs.read()
    if inputs.outcomes.empty:
        raise ValidationError("No outcomes yet: import EWP's base data (import_data ewp_basedata <path>) first.")
    data_year = inputs.data_year(today_year=timezone.localdate().year)
    if data_year is None:
        raise ValidationError("No features yet: import structural predictors or compute Framework scores first.")
    target_year = data_year + 1
    panel = inputs.panel(last_forecast_year=target_year)
    last_outcome_year = int(inputs.outcomes["year"].max())
    backtest_last = min(last_outcome_year, target_year - 1)
    backtest: dict = {}
    live = None
    if backtest_first_year <= backtest_last:
        # The live fit runs in the backtest's processes (the largest window first), not alone after them.
        result = backtest_run(
            panel=panel,
            outcomes=inputs.outcomes,
            first_year=backtest_first_year,
            last_year=backtest_last,
            seed=SEED,
            n_jobs=settings.FORECAST_JOBS,
            progress=(lambda year: progress(f"backtest {year}")) if progress else None,
            live_year=target_year,
        )
        live = result.live
        comparison, ewp_note = _training_comparison(inputs)
        backtest = {
            "first_year": backtest_first_year,
            "last_year": backtest_last,
            "figures": evaluate(result.rows, comparison=comparison),
            "ewp_comparison": ewp_note,
            "chosen": {str(year): chosen for year, chosen in result.summary["chosen"].items()},
        }
    if live is None:
        if progress:
            progress(f"training for {target_year}")
        live = forecast_year(panel=panel, outcomes=inputs.outcomes, year=target_year, seed=SEED)
    feature_columns = [column for column in panel.columns if column not in ("iso3", "year")]
    version = (ForecastModel.objects.aggregate(latest=Max("version"))["latest"] or 0) + 1
    labels = feature_labels()
    rows = panel[panel["year"] == target_year].sort_values("iso3")
    features = rows.drop(columns=["iso3", "year"]).set_index(rows["iso3"])
    drivers = {h: live.models[h].drivers(features, labels) for h in HORIZONS}
    # A transform of a missing value is the same gap, not another one.
    missing = {
        iso3: [column for column in gaps if column not in TRANSFORMED]
        for iso3, gaps in live.models[1].policy.missing_in(features).items()
    }
    countries = Country.objects.in_bulk(live.table["iso3"].tolist(), field_name="iso3")
    with transaction.atomic():
        model = ForecastModel.objects.create(
            version=version,
            run=run,
            features=feature_catalogue(feature_columns),
            training_first_year=int(panel["year"].min()),
            trained_through=last_outcome_year,
            forecast_year=target_year,
            data_year=data_year,
            horizons={f"{h}y": live.models[h].describe() for h in HORIZONS},
            backtest=backtest,
            seed=SEED,
            library_versions=LIBRARY_VERSIONS,
        )
        table = live.table[live.table["iso3"].isin(countries)].reset_index(drop=True)
        ranked = len(table)
        order = {iso3: position for position, iso3 in enumerate(live.table["iso3"])}
        Forecast.objects.bulk_create(
            [
                Forecast(
                    model=model,
                    country=countries[row.iso3],
                    year=target_year,
                    probability_1y=float(row.probability_1y),
                    probability_2y=float(row.probability_2y),
                    rank_1y=int(row.rank_1y),
                    rank_2y=int(row.rank_2y),
                    countries_ranked=ranked,
                    drivers=drivers[1][order[row.iso3]],
                    missing_features=missing.get(row.iso3, []),
                )
                for row in table.itertuples(index=False)
            ],
            batch_size=BATCH_SIZE,
        )
        forecast_model_published.send(sender=ForecastModel, model=model)
    return model


def framework_comparison(inputs: ModelInputs) -> pd.DataFrame:
    """Our Framework overall score of December T-1 for every country-year T (the column set beside the forecast)."""
    if inputs.framework.empty:
        return pd.DataFrame(columns=["iso3", "year", "framework_overall", "ewp_risk", "ewp_rank"])
    frame = inputs.framework[["iso3", "year", "overall"]].rename(columns={"overall": "framework_overall"})
    frame = frame.assign(year=frame["year"] + 1, ewp_risk=float("nan"), ewp_rank=float("nan"))
    return frame


def ewp_out_of_sample_path() -> Path:
    return Path(settings.ATROCITY_WATCH_DATA_DIR) / EWP_OUT_OF_SAMPLE


def backtest_comparison(inputs: ModelInputs, ewp_path: Path | None) -> pd.DataFrame:
    """The columns set beside the forecast in a backtest, per country-year T: our Framework overall score of
    December T-1 and, when `ewp_path` is given, EWP's out-of-sample forecast of T (`ewp_risk`, `ewp_rank`).
    A file that cannot be read raises a ValidationError naming it."""
    frame = framework_comparison(inputs).drop(columns=["ewp_risk", "ewp_rank"])
    if ewp_path is None:
        return frame.assign(ewp_risk=float("nan"), ewp_rank=float("nan"))
    theirs, parsed = parse_ewp_out_of_sample(ewp_path.read_bytes(), _context())
    if parsed.fatal:
        raise ValidationError(f"Cannot read {ewp_path}: {parsed.errors[0]}")
    return theirs.merge(frame, on=["iso3", "year"], how="outer")


def _training_comparison(inputs: ModelInputs) -> tuple[pd.DataFrame, str]:
    """The backtest comparison a training run stores, and a note of where EWP's column came from. A missing or
    unreadable EWP file leaves only that column empty: a comparison never stops a retraining."""
    path = ewp_out_of_sample_path()
    if not path.is_file():
        return backtest_comparison(inputs, None), f"no EWP out-of-sample forecasts at {EWP_OUT_OF_SAMPLE}"
    try:
        return backtest_comparison(inputs, path), f"EWP out-of-sample forecasts from {EWP_OUT_OF_SAMPLE}"
    except ValidationError as exc:
        return backtest_comparison(inputs, None), "; ".join(exc.messages)
    except OSError as exc:  # a file that exists but cannot be read (permissions, a disk error)
        return backtest_comparison(inputs, None), f"cannot read {EWP_OUT_OF_SAMPLE}: {exc.strerror or exc}"
