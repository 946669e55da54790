"""manage.py compare_rankings: Spearman correlation between our latest overall ranking and EWP's 2025 ranking."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Max
from django.utils import timezone

from indicators.crosswalk import CountryCrosswalk
from indicators.importers.base import ParserContext
from indicators.importers.comparison import rankings_compare
from indicators.importers.ewp import ewp_reference_ranking
from indicators.models import CountryScore, Methodology

EWP_FORECASTS = Path("ewp") / "forecasts_2025_from_2024_data.csv"


class Command(BaseCommand):
    help = "Compare our latest overall ranking with the Early Warning Project's 2025-26 ranking (Spearman, top lists)."

    def add_arguments(self, parser):
        parser.add_argument("--ewp", help=f"EWP forecasts CSV (default: ATROCITY_WATCH_DATA_DIR/{EWP_FORECASTS}).")
        parser.add_argument("--top", type=int, default=20, help="How many countries each top list shows.")
        parser.add_argument("--month", help="Score month YYYY-MM (default: the latest month with scores).")

    def handle(self, *args, ewp: str | None, top: int, month: str | None, **options):
        path = Path(ewp) if ewp else Path(settings.ATROCITY_WATCH_DATA_DIR) / EWP_FORECASTS
        if not path.is_file():
            raise CommandError(f"No EWP forecasts file at {path}; pass --ewp PATH.")
        methodology, rows = self._our_ranking(month)
        context = ParserContext(
            crosswalk=CountryCrosswalk.default(), indicator_codes=frozenset(), today=timezone.localdate()
        )
        reference, result = ewp_reference_ranking(path.read_bytes(), context)
        if result.fatal:
            raise CommandError(f"Cannot read {path}: {result.errors[0]}")
        self._write_comparison(methodology, rows, reference, result)
        self._write_top_lists(rows, reference, top)

    def _our_ranking(self, month: str | None) -> tuple[Methodology, list[CountryScore]]:
        """The active methodology and its overall scores of the month (default: the latest), highest first."""
        methodology = Methodology.objects.filter(is_active=True).first()
        if methodology is None:
            raise CommandError("No active methodology, so there is no ranking of ours to compare.")
        scores = CountryScore.objects.filter(methodology=methodology, overall__isnull=False)
        if month:
            try:
                year, number = (int(part) for part in month.split("-"))
                scores = scores.filter(month__year=year, month__month=number)
            except ValueError as exc:
                raise CommandError(f"--month must look like 2025-12; got {month!r}.") from exc
        else:
            latest = scores.aggregate(latest=Max("month"))["latest"]
            if latest is None:
                raise CommandError("No scores yet: run recompute_scores after importing data.")
            scores = scores.filter(month=latest)
        rows = list(scores.select_related("country").order_by("-overall", "country__name"))
        if not rows:
            raise CommandError(f"No scores for {month} under methodology v{methodology.version}.")
        return methodology, rows

    def _write_comparison(self, methodology, rows, reference, result) -> None:
        comparison = rankings_compare(
            {row.country.iso3: row.overall for row in rows}, {entry.iso3: entry.risk for entry in reference}
        )
        write = self.stdout.write
        write(
            f"Our ranking: {rows[0].month:%B %Y}, methodology v{methodology.version}, {len(rows)} countries scored. "
            f"EWP: 2025-26 risk from 2024 data, {len(reference)} countries."
        )
        if comparison.spearman is None:
            write(f"Spearman correlation: not defined ({len(comparison.common)} common countries).")
        else:
            write(
                self.style.SUCCESS(
                    f"Spearman correlation: {comparison.spearman:.3f} over {len(comparison.common)} common countries."
                )
            )
        if comparison.only_ours:
            write(f"Scored by us only: {', '.join(comparison.only_ours)}")
        if comparison.only_reference:
            write(f"Ranked by EWP only: {', '.join(comparison.only_reference)}")
        if result.errors:
            write(f"EWP rows not matched to a country: {', '.join(str(error) for error in result.errors)}")

    def _write_top_lists(self, rows, reference, top: int) -> None:
        write = self.stdout.write
        write("")
        write(f"{'#':>3}  {'Ours (overall score, band)':<48}  {'EWP (2025-26 risk)':<40}")
        for index in range(top):
            left = right = ""
            if index < len(rows):
                row = rows[index]
                left = f"{row.country.name[:30]:<30} {row.overall:5.1f} {row.get_band_display()}"
            if index < len(reference):
                entry = reference[index]
                right = f"{entry.name[:30]:<30} {entry.risk:6.1%}"
            write(f"{index + 1:>3}  {left:<48}  {right}".rstrip())
