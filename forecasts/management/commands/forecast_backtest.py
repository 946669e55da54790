"""manage.py forecast_backtest --first-year 1994 --last-year 2010 [--csv PATH] [--json]: rolling-origin backtest.

For each year T it trains only on outcomes of years before T and features dated up to the end of T-1, forecasts every
country for T, and prints ROC AUC, average precision, Brier score and onsets in each year's top 30 per horizon, with
EWP's out-of-sample forecasts and our Framework overall score of December T-1 on the same country-years beside ours.
"""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from forecasts.backtest import HORIZONS, backtest_run, evaluate
from forecasts.services import EWP_OUT_OF_SAMPLE, SEED, ModelInputs, backtest_comparison, ewp_out_of_sample_path
from indicators.crosswalk import CountryCrosswalk

CSV_COLUMNS = (
    "iso3",
    "gw_code",
    "year",
    "probability_1y",
    "probability_2y",
    "rank_1y",
    "trained_through",
    "model_version",
)


class Command(BaseCommand):
    help = "Backtest the onset forecast year by year, strictly out of sample, beside EWP and the Framework score."

    def add_arguments(self, parser):
        parser.add_argument("--first-year", type=int, default=1994)
        parser.add_argument("--last-year", type=int, default=2010)
        parser.add_argument("--csv", dest="csv_path", help="Write one row per country-year to this CSV file.")
        parser.add_argument("--json", action="store_true", help="Print the figures as JSON instead of a table.")
        parser.add_argument(
            "--ewp", help=f"EWP out-of-sample forecasts (default ATROCITY_WATCH_DATA_DIR/{EWP_OUT_OF_SAMPLE})."
        )

    def handle(self, *args, first_year: int, last_year: int, csv_path: str | None, json: bool, ewp: str | None, **o):
        started = time.perf_counter()
        inputs = ModelInputs.read()
        if inputs.outcomes.empty:
            raise CommandError("No outcomes yet: import EWP's base data first (import_data ewp_basedata <path>).")
        data_year = inputs.data_year(today_year=timezone.localdate().year)
        if data_year is None:
            raise CommandError("No features yet: import structural predictors or compute Framework scores first.")
        if first_year > last_year:
            raise CommandError(f"--first-year {first_year} is after --last-year {last_year}.")
        if last_year > data_year + 1:
            raise CommandError(f"--last-year {last_year} has no features: the latest data is from {data_year}.")
        first_known = int(inputs.outcomes["year"].min())
        if first_year <= first_known + 1:
            raise CommandError(f"--first-year must leave outcomes to learn from: outcomes start in {first_known}.")
        panel = inputs.panel(last_forecast_year=last_year)
        result = backtest_run(
            panel=panel,
            outcomes=inputs.outcomes,
            first_year=first_year,
            last_year=last_year,
            seed=SEED,
            n_jobs=settings.FORECAST_JOBS,
            progress=lambda year: self.stderr.write(f"  {year} done ({time.perf_counter() - started:.0f} s)"),
        )
        comparison = self._comparison(inputs, ewp)
        figures = evaluate(result.rows, comparison=comparison)
        elapsed = time.perf_counter() - started
        if csv_path:
            self._write_csv(Path(csv_path), result.rows)
        report = {
            "first_year": first_year,
            "last_year": last_year,
            "seconds": round(elapsed, 1),
            "figures": figures,
            "chosen": result.summary["chosen"],
            "cv_log_loss": result.summary["cv_log_loss"],
        }
        if json:
            self.stdout.write(_json_dumps(report))
        else:
            self._print(report)

    def _comparison(self, inputs: ModelInputs, ewp: str | None) -> pd.DataFrame:
        path = Path(ewp) if ewp else ewp_out_of_sample_path()
        if not path.is_file():
            if ewp:
                raise CommandError(f"No EWP out-of-sample forecasts at {path}.")
            self.stderr.write(f"No EWP out-of-sample forecasts at {path}; the EWP column stays empty.")
            return backtest_comparison(inputs, None)
        try:
            return backtest_comparison(inputs, path)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc

    def _write_csv(self, path: Path, rows: pd.DataFrame) -> None:
        crosswalk = CountryCrosswalk.default()
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(CSV_COLUMNS)
            for row in rows.sort_values(["year", "rank_1y"]).itertuples(index=False):
                record = crosswalk.country(row.iso3)
                writer.writerow(
                    [
                        row.iso3,
                        record.gw_code if record and record.gw_code is not None else "",
                        row.year,
                        f"{row.probability_1y:.6f}",
                        f"{row.probability_2y:.6f}",
                        row.rank_1y,
                        row.trained_through,
                        f"rolling-{row.trained_through}-seed{SEED}",
                    ]
                )

    def _print(self, report: dict) -> None:
        write = self.stdout.write
        write(
            f"Backtest {report['first_year']}-{report['last_year']}, rolling origin (each year trained only on "
            f"earlier outcomes), {report['seconds']} s."
        )
        for horizon in HORIZONS:
            entry = report["figures"][f"{horizon}y"]
            words = "onset in T" if horizon == 1 else "onset in T or T+1"
            write("")
            write(f"Horizon {horizon} year{'s' if horizon > 1 else ''} ({words}):")
            write(f"  {'':<34}{'rows':>6}{'onsets':>8}{'ROC AUC':>9}{'avg prec':>10}{'Brier':>9}{'top 30':>9}")
            lines = [("ours, all rows", entry["ours"])]
            if "same_rows_as_ewp" in entry:
                lines += [
                    ("ours, EWP's rows", entry["same_rows_as_ewp"]["ours"]),
                    ("EWP out-of-sample", entry["same_rows_as_ewp"]["ewp"]),
                ]
            if "same_rows_as_framework" in entry:
                lines += [
                    ("ours, Framework-scored rows", entry["same_rows_as_framework"]["ours"]),
                    ("Framework overall (Dec T-1)", entry["same_rows_as_framework"]["framework"]),
                ]
            for label, figures in lines:
                write(f"  {label:<34}{_row(figures)}")


def _row(figures: dict) -> str:
    def number(value, digits):
        return f"{value:.{digits}f}" if value is not None else "-"

    hits = f"{figures.get('top_hits', '-')}/{figures['onsets']}"
    return (
        f"{figures['rows']:>6}{figures['onsets']:>8}{number(figures['roc_auc'], 3):>9}"
        f"{number(figures['average_precision'], 3):>10}{number(figures['brier'], 5):>9}{hits:>9}"
    )


def _json_dumps(report: dict) -> str:
    return json.dumps(report, indent=2, default=float)
