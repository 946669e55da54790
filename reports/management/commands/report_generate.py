"""manage.py report_generate --period 2026-Q3|2026 --edition public|internal [--out PATH]"""

from __future__ import annotations

import time
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from reports import services
from reports.editions import EDITIONS
from reports.models import Report


class Command(BaseCommand):
    help = (
        "Draft the report to Parliament for a quarter or a year from the database, store it as a new version "
        "(status draft, for the Focal Point's approval), and print how long each part took."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="A quarter such as 2026-Q3, or a year such as 2026")
        parser.add_argument("--edition", required=True, choices=list(EDITIONS))
        parser.add_argument("--out", help="Also write the PDF here (and the HTML beside it, with .html)")

    def handle(self, *args, period: str, edition: str, out: str | None, **options):
        started = time.perf_counter()
        try:
            report = services.report_generate(period=period, edition=edition, trigger=Report.Trigger.COMMAND)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        total = time.perf_counter() - started
        self.stdout.write(
            f"Report {report.pk}: {report.period} {report.get_edition_display().lower()} v{report.version}, "
            f"{report.get_status_display().lower()}"
        )
        self.stdout.write(f"pages={report.page_count} pdf_bytes={len(bytes(report.pdf))} sha256={report.pdf_sha256}")
        self.stdout.write(f"generation_seconds={report.generation_seconds:.2f} total_seconds={total:.2f}")
        if out:
            path = Path(out)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(bytes(report.pdf))
            path.with_suffix(".html").write_text(report.html, encoding="utf-8")
            self.stdout.write(f"Wrote {path} and {path.with_suffix('.html')}")
