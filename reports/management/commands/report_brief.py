"""manage.py report_brief ISO3 [--out PATH] [--repeat N]: render a country brief and print how long it took."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from core.roles import Role
from indicators.models import Country
from reports.rendering import brief_render
from reports.selectors import country_brief


class Command(BaseCommand):
    help = (
        "Render a country's brief as the Focal Point sees it (PDF and HTML) and print the seconds taken to read "
        "the data and to render, per run; the first run includes loading WeasyPrint."
    )

    def add_arguments(self, parser):
        parser.add_argument("iso3")
        parser.add_argument("--out", help="Write the PDF here (and the HTML beside it, with .html)")
        parser.add_argument("--repeat", type=int, default=3, help="Runs to time (default 3)")

    def handle(self, *args, iso3: str, out: str | None, repeat: int, **options):
        country = Country.objects.select_related("desk").filter(iso3=iso3.upper()).first()
        if country is None:
            raise CommandError(f"No country with ISO-3 code {iso3!r}.")
        # The brief respects who reads it; the Focal Point reads every submitted case.
        viewer = get_user_model().objects.filter(groups__name=Role.FOCAL_POINT.value, is_active=True).first()
        if viewer is None:
            raise CommandError("No active Focal Point account to read the brief as; create one first.")
        totals = []
        rendered = None
        for run in range(1, max(1, repeat) + 1):
            started = time.perf_counter()
            content = country_brief(country=country, viewer=viewer)
            read = time.perf_counter() - started
            rendered = brief_render(content=content, with_pdf=True)
            total = time.perf_counter() - started
            totals.append(total)
            self.stdout.write(
                f"run={run} read_seconds={read:.3f} render_seconds={total - read:.3f} total_seconds={total:.3f} "
                f"pages={rendered.page_count}"
            )
        warm = totals[1:] or totals
        self.stdout.write(f"brief={country.iso3} median_warm_seconds={statistics.median(warm):.3f}")
        if out and rendered is not None:
            path = Path(out)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(rendered.pdf)
            path.with_suffix(".html").write_text(rendered.html, encoding="utf-8")
            self.stdout.write(f"Wrote {path} and {path.with_suffix('.html')}")
