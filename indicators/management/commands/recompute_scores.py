"""manage.py recompute_scores [--country ISO3 ...] [--since YYYY-MM]: recompute scores now and print the run."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.interrupts import command_interrupted_message
from indicators.models import ScoreRun
from indicators.scoring.services import countries_by_iso3, score_run_summary, scores_recompute


def month_parse(value: str) -> dt.date:
    """A YYYY-MM month as its first day; a clear error for anything else."""
    try:
        parsed = dt.datetime.strptime(value.strip(), "%Y-%m").date()  # noqa: DTZ007 (a calendar month, no time)
    except ValueError as exc:
        raise CommandError(f"--since {value!r} is not a month; write it as YYYY-MM, e.g. 2024-01.") from exc
    if parsed.year < 1900:
        raise CommandError(f"--since {value} is before 1900.")
    return parsed


class Command(BaseCommand):
    help = "Recompute monthly risk scores (all countries by default) with the active methodology."

    def add_arguments(self, parser):
        parser.add_argument(
            "--country", action="append", default=[], metavar="ISO3", help="A country's ISO-3 code; repeat for more"
        )
        parser.add_argument("--since", metavar="YYYY-MM", help="Recompute months from this one on only")

    def handle(self, *args, **options):
        since = month_parse(options["since"]) if options["since"] else None
        country_ids = None
        if options["country"]:
            codes = [code for value in options["country"] for code in value.split(",") if code.strip()]
            try:
                country_ids = [country.pk for country in countries_by_iso3(codes=codes)]
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
        # The service failed an unfinished run as interrupted.
        with command_interrupted_message(
            "Interrupted (Ctrl-C): a score run that had not finished is failed; previous scores are unchanged."
        ):
            try:
                run = scores_recompute(trigger=ScoreRun.Trigger.MANUAL, country_ids=country_ids, since=since)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
            except Exception as exc:
                failed = ScoreRun.objects.filter(status=ScoreRun.Status.FAILED).order_by("-pk").first()
                detail = f" (run {failed.pk})" if failed else ""
                raise CommandError(f"The score run failed{detail}; previous scores are unchanged. {exc}") from exc
        self.stdout.write(score_run_summary(run))
