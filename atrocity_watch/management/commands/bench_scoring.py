"""Benchmark a full score recompute on synthetic assessments in a scratch database (never the user's data).

PostgreSQL: a temporary database `<name>_bench` is created and dropped afterwards. SQLite: a temporary file.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import platform
import resource
import sqlite3
import tempfile
import time
from contextlib import contextmanager

import numpy as np
import pandas as pd
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from indicators.signals import score_run_finished

CONFIDENCE_LEVELS = np.array(["low", "medium", "high"], dtype=object)
ASSESSMENT_COLUMNS = (
    "country_id",
    "indicator_id",
    "observed_on",
    "severity",
    "confidence",
    "evidence",
    "source",
    "dataset_import_id",
    "recorded_at",
)


class Command(BaseCommand):
    help = "Time a full score recompute on synthetic assessments in a scratch database and report it."

    def add_arguments(self, parser):
        parser.add_argument("--countries", type=int, default=195, help="Number of countries (default 195)")
        parser.add_argument("--years", type=int, default=20, help="Years of history (default 20)")
        parser.add_argument(
            "--per-indicator-year", type=int, default=4, help="Assessments per indicator per year (default 4)"
        )
        parser.add_argument("--seed", type=int, default=20141001, help="Random seed of the synthetic data")
        parser.add_argument("--json", action="store_true", help="Print one JSON object instead of prose")

    def handle(self, *args, **options):
        countries, years, per_year = options["countries"], options["years"], options["per_indicator_year"]
        if not 1 <= countries <= 1000:
            raise CommandError("--countries must be between 1 and 1000.")
        if not 1 <= years <= 100:
            raise CommandError("--years must be between 1 and 100.")
        if not 1 <= per_year <= 52:
            raise CommandError("--per-indicator-year must be between 1 and 52.")
        # Runs in the scratch database must not reach listeners (alerts) or the real broker.
        with scratch_database() as database, signal_muted(score_run_finished):
            result = benchmark_run(
                countries=countries, years=years, per_year=per_year, seed=options["seed"], log=self._log(options)
            )
        result["database"] = database
        if options["json"]:
            self.stdout.write(json.dumps(result))
        else:
            for key, value in result.items():
                self.stdout.write(f"{key}: {value}")

    def _log(self, options):
        def log(message: str) -> None:
            if not options["json"] and options["verbosity"] > 0:
                self.stderr.write(message)

        return log


@contextmanager
def signal_muted(signal):
    """Disconnect every receiver of a signal for the duration of the block."""
    saved = signal.receivers
    signal.receivers = []
    signal.sender_receivers_cache.clear()
    try:
        yield
    finally:
        signal.receivers = saved
        signal.sender_receivers_cache.clear()


@contextmanager
def scratch_database():
    """Point the default connection at a fresh, migrated scratch database; drop it afterwards."""
    settings_dict = connection.settings_dict
    original_name = settings_dict["NAME"]
    connection.close()
    if connection.vendor == "postgresql":
        scratch = f"{original_name}_bench"
        _postgres_admin(f'DROP DATABASE IF EXISTS "{scratch}"', f'CREATE DATABASE "{scratch}"')
        cleanup = [f'DROP DATABASE IF EXISTS "{scratch}"']
        tmp_path = None
    elif connection.vendor == "sqlite":
        handle, tmp_path = tempfile.mkstemp(prefix="aw_bench_", suffix=".sqlite3")
        os.close(handle)
        scratch = tmp_path
        cleanup = []
    else:
        raise CommandError(f"The benchmark supports PostgreSQL and SQLite, not {connection.vendor}.")
    settings_dict["NAME"] = scratch
    try:
        call_command("migrate", verbosity=0, interactive=False)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT version()")
                version = cursor.fetchone()[0].split(" on ")[0]
            else:
                version = f"SQLite {sqlite3.sqlite_version}"
        yield version
    finally:
        connection.close()
        settings_dict["NAME"] = original_name
        if cleanup:
            _postgres_admin(*cleanup)
        if tmp_path:
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(tmp_path + suffix):
                    os.remove(tmp_path + suffix)


def _postgres_admin(*statements: str) -> None:
    import psycopg

    params = connection.get_connection_params()
    params["dbname"] = "postgres"
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    params.pop("server_side_binding", None)
    with psycopg.connect(**params, autocommit=True) as admin:
        for statement in statements:
            admin.execute(statement)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def benchmark_run(*, countries: int, years: int, per_year: int, seed: int, log) -> dict:
    """Build the data, measure the I/O floor, then a full and a one-country recompute."""
    from indicators.models import DatasetImport, Indicator, ScoreRun
    from indicators.scoring.services import (
        COUNTRY_SCORE_COLUMNS,
        FACTOR_SCORE_COLUMNS,
        assessments_frame_read,
        score_rows_write,
        scores_recompute,
    )
    from indicators.selectors import methodology_active_required

    country_ids = _countries_ensure(countries)
    indicator_frame = pd.DataFrame(
        list(
            Indicator.objects.filter(framework__is_active=True, is_retired=False).values_list(
                "id", "risk_factor_id", "risk_factor__number"
            )
        ),
        columns=["indicator_id", "risk_factor_id", "factor_number"],
    )
    dataset_import = DatasetImport.objects.create(
        source="benchmark", file_name="synthetic", checksum="0" * 64, status=DatasetImport.Status.SUCCEEDED
    )
    started = time.perf_counter()
    observations, first_day = _assessments_generate(
        country_ids=country_ids,
        indicator_ids=indicator_frame["indicator_id"].to_numpy(),
        years=years,
        per_year=per_year,
        dataset_import_id=dataset_import.pk,
        seed=seed,
    )
    log(f"Generated {observations} assessments in {time.perf_counter() - started:.1f} s")

    # The I/O floor: read every assessment, and write as many score rows as the recompute will, by the fastest path.
    methodology = methodology_active_required()
    end = timezone.localdate().replace(day=1)
    first_month = first_day.replace(day=1)
    months = (end.year - first_month.year) * 12 + end.month - first_month.month + 1
    factors = indicator_frame[["risk_factor_id"]].drop_duplicates()["risk_factor_id"].to_numpy()
    floor_country, floor_factor = _floor_frames(country_ids, first_month, months, factors)
    floor_run = ScoreRun.objects.create(methodology=methodology, trigger=ScoreRun.Trigger.MANUAL, status="succeeded")
    for frame in (floor_country, floor_factor):
        frame.insert(2, "methodology_id", methodology.pk)
        frame.insert(3, "run_id", floor_run.pk)
    started = time.perf_counter()
    read = assessments_frame_read()
    read_seconds = time.perf_counter() - started
    assert len(read) == observations
    del read
    started = time.perf_counter()
    with transaction.atomic():
        score_rows_write("indicators_countryscore", COUNTRY_SCORE_COLUMNS, floor_country)
        score_rows_write("indicators_riskfactorscore", FACTOR_SCORE_COLUMNS, floor_factor)
    write_seconds = time.perf_counter() - started
    floor_rows = len(floor_country) + len(floor_factor)
    del floor_country, floor_factor
    log(f"I/O floor: read {read_seconds:.2f} s, write {floor_rows} rows {write_seconds:.2f} s")

    # The full recompute replaces the floor's rows, as a nightly run replaces yesterday's scores.
    started = time.perf_counter()
    run = scores_recompute(trigger=ScoreRun.Trigger.MANUAL)
    recompute_seconds = time.perf_counter() - started
    log(f"Full recompute: {recompute_seconds:.2f} s")

    started = time.perf_counter()
    scores_recompute(trigger=ScoreRun.Trigger.MANUAL, country_ids=[country_ids[len(country_ids) // 2]])
    single_seconds = time.perf_counter() - started

    io_floor = read_seconds + write_seconds
    return {
        "observations": observations,
        "score_rows": run.score_rows,
        "recompute_seconds": round(recompute_seconds, 3),
        "io_floor_seconds": round(io_floor, 3),
        "ratio": round(recompute_seconds / io_floor, 3),
        "peak_rss_mb": round(_rss_mb(), 1),
        "single_country_seconds": round(single_seconds, 3),
        "floor_read_seconds": round(read_seconds, 3),
        "floor_write_seconds": round(write_seconds, 3),
        "floor_score_rows": floor_rows,
        "countries": len(country_ids),
        "months": months,
        "machine": f"{os.cpu_count()} CPU, {platform.python_implementation()} {platform.python_version()}",
    }


def _countries_ensure(count: int) -> list[int]:
    """The first `count` countries of the scratch database, adding synthetic ones (codes X00...) when needed."""
    from indicators.models import Country

    existing = list(Country.objects.order_by("iso3").values_list("pk", flat=True)[:count])
    extra = count - len(existing)
    if extra > 0:
        Country.objects.bulk_create(
            Country(iso3=f"X{index:02d}"[:3], name=f"Benchmark country {index}", region="Synthetic", un_status="member")
            for index in range(extra)
        )
        existing = list(Country.objects.order_by("iso3").values_list("pk", flat=True)[:count])
    return existing


def _assessments_generate(
    *, country_ids: list[int], indicator_ids: np.ndarray, years: int, per_year: int, dataset_import_id: int, seed: int
) -> tuple[int, dt.date]:
    """Write countries x indicators x years x per_year assessments, a chunk of countries at a time."""
    rng = np.random.default_rng(seed)
    today = timezone.localdate()
    first_day = dt.date(today.year - years, today.month, 1) + dt.timedelta(days=31)
    first_day = first_day.replace(day=1)
    epoch = np.datetime64(first_day, "D")
    span_days = (today - first_day).days
    recorded_at = timezone.now().isoformat()
    total = 0
    chunk = 10
    for begin in range(0, len(country_ids), chunk):
        chunk_ids = np.asarray(country_ids[begin : begin + chunk])
        n_series = len(chunk_ids) * len(indicator_ids)
        per_series = years * per_year
        slots = np.arange(per_series)
        # Spread each series' observations evenly over the period, with some jitter inside each slot.
        slot_days = span_days / per_series
        offsets = (slots * slot_days)[None, :] + rng.uniform(0, slot_days, size=(n_series, per_series))
        days = np.minimum(offsets.astype(np.int64), span_days)
        country_level = rng.uniform(0, 3, size=len(chunk_ids))
        severity = np.clip(
            np.rint(
                np.repeat(country_level, len(indicator_ids) * per_series) + rng.normal(0, 0.8, n_series * per_series)
            ),
            0,
            3,
        ).astype(np.int8)
        frame = pd.DataFrame(
            {
                "country_id": np.repeat(chunk_ids, len(indicator_ids) * per_series),
                "indicator_id": np.tile(np.repeat(indicator_ids, per_series), len(chunk_ids)),
                "observed_on": pd.Series(epoch + days.reshape(-1)).dt.strftime("%Y-%m-%d").to_numpy(),
                "severity": severity,
                "confidence": CONFIDENCE_LEVELS[rng.integers(0, 3, size=n_series * per_series)],
                "evidence": "",
                "source": "Synthetic benchmark data",
                "dataset_import_id": dataset_import_id,
                "recorded_at": recorded_at,
            }
        )
        _assessments_write(frame)
        total += len(frame)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return total, first_day


def _assessments_write(frame: pd.DataFrame) -> None:
    table = "indicators_assessment"
    columns = ", ".join(ASSESSMENT_COLUMNS)
    if connection.vendor == "postgresql":
        buffer = io.StringIO()
        frame.to_csv(buffer, sep="\t", header=False, index=False)
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            copy.write(buffer.getvalue())
    else:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(ASSESSMENT_COLUMNS))})",
                frame.itertuples(index=False, name=None),
            )


def _floor_frames(country_ids: list[int], first_month: dt.date, months: int, factor_ids: np.ndarray):
    """Score-shaped rows (countries x months, and x factors) with plausible values, for the write floor."""
    rng = np.random.default_rng(0)
    month_dates = pd.date_range(first_month, periods=months, freq="MS").to_numpy()
    n_rows = len(country_ids) * months
    overall = rng.uniform(0, 100, n_rows)
    country = pd.DataFrame(
        {
            "country_id": np.repeat(country_ids, months),
            "month": np.tile(month_dates, len(country_ids)),
            "overall": overall,
            "band": np.where(overall < 50, "moderate", "high"),
            "common": rng.uniform(0, 100, n_rows),
            "genocide": rng.uniform(0, 100, n_rows),
            "crimes_against_humanity": rng.uniform(0, 100, n_rows),
            "war_crimes": rng.uniform(0, 100, n_rows),
            "coverage": rng.uniform(0, 1, n_rows),
            "change_3m": rng.normal(0, 5, n_rows),
            "change_12m": rng.normal(0, 5, n_rows),
            "data_confidence": rng.uniform(0, 100, n_rows),
            "data_confidence_level": np.where(overall < 20, "insufficient", "low"),
            "latest_evidence_on": np.tile(month_dates, len(country_ids)),
        }
    )
    n_factors = len(factor_ids)
    factor = pd.DataFrame(
        {
            "country_id": np.repeat(country_ids, months * n_factors),
            "month": np.tile(np.repeat(month_dates, n_factors), len(country_ids)),
            "risk_factor_id": np.tile(factor_ids, n_rows),
            "score": rng.uniform(0, 100, n_rows * n_factors),
            "coverage": rng.uniform(0, 1, n_rows * n_factors),
            "indicators_assessed": rng.integers(0, 12, n_rows * n_factors),
        }
    )
    return country, factor
