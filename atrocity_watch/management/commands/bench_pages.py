"""Measure the server time of each main page with the data in the current database (not a test).

Renders each page with Django's test client as a signed-in analyst, N times, and prints p50/p95/max in
milliseconds with the number of queries, so the 300 ms budget can be checked against the real data.
"""

from __future__ import annotations

import statistics
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.roles import Role
from indicators.models import Country, CountryScore
from indicators.selectors import methodology_active

BUDGET_MS = 300


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


class Command(BaseCommand):
    help = "Render the overview, country, assessment-entry and methodology pages N times and report server time."

    def add_arguments(self, parser):
        parser.add_argument("--iterations", "-n", type=int, default=20, help="Timed renders per page (default 20).")
        parser.add_argument("--user", help="Username of the analyst to sign in as (default: the first desk analyst).")
        parser.add_argument("--country", help="ISO-3 code for the country pages (default: the top-scored country).")

    def handle(self, *args, iterations: int, user: str | None, country: str | None, **options):
        if iterations < 1:
            raise CommandError("--iterations must be at least 1.")
        analyst = self._analyst(user)
        target = self._country(country)
        others = list(
            Country.objects.exclude(pk=target.pk)
            .filter(scores__isnull=False)
            .distinct()
            .values_list("iso3", flat=True)[:3]
        )
        pages = [
            ("overview", reverse("indicators:overview"), {}),
            ("overview filtered", reverse("indicators:overview"), {"crime_group": "genocide", "sort": "-change_3m"}),
            ("overview CSV export", reverse("indicators:overview_export"), {}),
            ("country page", reverse("indicators:country_detail", args=[target.iso3]), {}),
            ("country page + compare", reverse("indicators:country_detail", args=[target.iso3]), {"compare": others}),
            ("assessment entry", reverse("indicators:assessment_create", args=[target.iso3]), {}),
            ("methodology", reverse("indicators:methodology"), {}),
        ]
        client = Client()
        client.force_login(analyst)
        self.stdout.write(
            f"Signed in as {analyst.username}; country {target.iso3} ({target.name}); {iterations} renders per page; "
            f"{CountryScore.objects.count()} country-score rows in the database."
        )
        self.stdout.write(f"{'page':<26}{'status':>7}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'queries':>9}  budget")
        for name, path, params in pages:
            response = client.get(path, params)  # warm caches, templates and the session
            timings = []
            for _ in range(iterations):
                with CaptureQueriesContext(connection) as queries:
                    start = time.perf_counter()
                    response = client.get(path, params)
                    timings.append((time.perf_counter() - start) * 1000)
            p95 = percentile(timings, 0.95)
            verdict = "ok" if p95 <= BUDGET_MS else f"OVER {BUDGET_MS} ms"
            self.stdout.write(
                f"{name:<26}{response.status_code:>7}{statistics.median(timings):>9.1f}{p95:>9.1f}"
                f"{max(timings):>9.1f}{len(queries):>9}  {verdict}"
            )

    def _analyst(self, username: str | None):
        users = get_user_model().objects.filter(is_active=True)
        if username:
            try:
                return users.get(username=username)
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"No active user {username!r}.") from exc
        analyst = users.filter(groups__name=Role.ANALYST.value, desks__isnull=False).order_by("pk").first()
        if analyst is None:
            raise CommandError("No analyst with a desk; create one (seed_demo does) or pass --user.")
        return analyst

    def _country(self, iso3: str | None) -> Country:
        if iso3:
            try:
                return Country.objects.get(iso3=iso3.upper())
            except Country.DoesNotExist as exc:
                raise CommandError(f"No country with ISO-3 code {iso3!r}.") from exc
        methodology = methodology_active()
        top = (
            CountryScore.objects.filter(methodology=methodology, overall__isnull=False)
            .order_by("-month", "-overall")
            .select_related("country")
            .first()
        )
        if top is None:
            raise CommandError("No scores in the database: import data and recompute scores first, or pass --country.")
        return top.country
