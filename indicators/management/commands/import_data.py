"""manage.py import_data <source> <path> [--skip-invalid]: import one dataset file with a progress bar and a report."""

from __future__ import annotations

import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.interrupts import command_interrupted_message
from indicators.importers.extension_sources import source_label, source_names
from indicators.importers.services import dataset_import_run
from indicators.models import DatasetImport

BAR_WIDTH = 30
MAX_LISTED = 50


class Command(BaseCommand):
    help = "Import a dataset file as assessments through the documented mappings (all-or-nothing, or --skip-invalid)."

    def add_arguments(self, parser):
        parser.add_argument("source", choices=sorted(source_names()), help="Which dataset the file is.")
        parser.add_argument("path", help="Path of the CSV file.")
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Import the valid rows and list every skipped one, instead of importing nothing.",
        )
        parser.add_argument(
            "--default-country",
            default="",
            metavar="ISO3",
            help="For sources that take one (ftm): the country of records that name none.",
        )
        parser.add_argument("--all-errors", action="store_true", help=f"List every error, not the first {MAX_LISTED}.")

    def handle(self, *args, source: str, path: str, skip_invalid: bool, all_errors: bool, **options):
        started = time.perf_counter()
        # The service failed an unfinished import as interrupted.
        with command_interrupted_message(
            "Interrupted (Ctrl-C): an import that had not finished is failed, and nothing of it was imported."
        ):
            try:
                dataset_import = dataset_import_run(
                    source=source,
                    path_or_file=path,
                    skip_invalid=skip_invalid,
                    default_country=options.get("default_country") or "",
                    progress=self._progress,
                )
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
            except Exception as exc:  # recorded on the import by the service; a sentence, not a traceback
                raise CommandError(f"The import stopped: {type(exc).__name__}: {exc}") from exc
            finally:
                self._end_bar()
        elapsed = time.perf_counter() - started
        self._report(dataset_import, elapsed, all_errors)
        if dataset_import.status == DatasetImport.Status.FAILED:
            raise CommandError(f"Import #{dataset_import.pk} failed: {dataset_import.error_summary}")

    def _progress(self, done: int, total: int, stage: str) -> None:
        fraction = done / total if total else 1.0
        filled = int(fraction * BAR_WIDTH)
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        self.stderr.write(f"\r[{bar}] {fraction:4.0%} {stage:<10}", ending="")
        self.stderr.flush()
        self._bar_drawn = True

    def _end_bar(self) -> None:
        if getattr(self, "_bar_drawn", False):
            self.stderr.write("")
            self._bar_drawn = False

    def _report(self, dataset_import: DatasetImport, elapsed: float, all_errors: bool) -> None:
        write = self.stdout.write
        if getattr(dataset_import, "reused", False):
            write(self.style.WARNING("This file was already imported; nothing new was created."))
        write(f"Import #{dataset_import.pk}: {source_label(dataset_import.source)}")
        remaps = (dataset_import.summary or {}).get("remaps")
        if remaps:
            write(
                self.style.WARNING(
                    f"  Re-import under a newer mapping ({remaps['mapping_version']} -> "
                    f"{dataset_import.mapping_version}) of import #{remaps['import']}: "
                    + (
                        "its assessments no longer count."
                        if dataset_import.status == DatasetImport.Status.SUCCEEDED
                        else f"this re-import failed, so import #{remaps['import']} still counts."
                    )
                )
            )
        write(f"  file      {dataset_import.file_name} (sha256 {dataset_import.checksum[:12]}...)")
        write(f"  status    {dataset_import.status}   mapping version {dataset_import.mapping_version}")
        write(
            f"  rows      {dataset_import.rows_read} read, {dataset_import.rows_created} assessments created, "
            f"{dataset_import.rows_skipped} invalid rows skipped"
        )
        write(f"  time      {elapsed:.1f} s")
        summary = dataset_import.summary or {}
        if summary.get("records_by_indicator"):
            by_indicator = ", ".join(f"{code}: {count}" for code, count in summary["records_by_indicator"].items())
            write(f"  indicators {by_indicator}")
        if summary.get("unresolved_codes"):
            codes = ", ".join(f"{code} ({count} rows)" for code, count in summary["unresolved_codes"].items())
            write(f"  unresolved country codes: {codes}")
        if summary.get("untracked"):
            untracked = ", ".join(f"{name} ({count})" for name, count in summary["untracked"].items())
            write(f"  untracked entities (deliberately not imported): {untracked}")
        if summary.get("merged"):
            write(f"  merged historical codes: {len(summary['merged'])} rows (see the import page)")
        if summary.get("out_of_window"):
            write(f"  rows before the import window: {summary['out_of_window']}")
        style = self.style.SUCCESS if dataset_import.status == DatasetImport.Status.SUCCEEDED else self.style.ERROR
        write(style(dataset_import.error_summary))
        errors = dataset_import.errors or []
        shown = errors if all_errors else errors[:MAX_LISTED]
        for error in shown:
            where = ", ".join(
                part for part in (f"row {error['row']}" if error.get("row") else "", error.get("column") or "") if part
            )
            value = f" (value {error['value']!r})" if error.get("value") else ""
            write(f"  - {where}: {error['message']}{value}" if where else f"  - {error['message']}{value}")
        if len(errors) > len(shown):
            write(f"  ... and {len(errors) - len(shown)} more (use --all-errors, or see the import page)")
