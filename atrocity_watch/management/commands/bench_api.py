"""Measure API latency under load: gunicorn on this database, wrk on 127.0.0.1, p50/p95 per endpoint.

Targets (issue 7): latest scores of all countries p95 <= 50 ms; one country's full history p95 <= 100 ms.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from atrocity_watch.services import api_token_create
from core.roles import Role
from indicators.models import CountryScore
from indicators.selectors import methodology_active

# wrk reports latency percentiles only through a Lua `done` hook.
WRK_SCRIPT = """
local token = os.getenv("AW_TOKEN")
wrk.headers["Authorization"] = "Bearer " .. token
done = function(summary, latency, requests)
  io.write(string.format("RESULT p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f requests=%d errors=%d non2xx=%d\\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
"""
TARGETS_MS = {"latest scores, all countries": 50.0, "one country's full history": 100.0}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Command(BaseCommand):
    help = "Benchmark GET latest scores and one country's history under gunicorn with wrk (127.0.0.1 only)."

    def add_arguments(self, parser):
        parser.add_argument("--duration", type=int, default=15, help="Seconds per endpoint (at most 120).")
        parser.add_argument("--connections", type=int, default=2, help="wrk connections (default: one per worker).")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes.")
        parser.add_argument("--country", help="ISO-3 of the history to fetch; default: the longest history.")

    def handle(self, *args, duration: int, connections: int, workers: int, country: str | None, **options):
        if shutil.which("wrk") is None:
            raise CommandError("wrk is not installed (Debian: apt-get install -y wrk).")
        duration = max(1, min(duration, 120))
        methodology = methodology_active()
        if methodology is None or not CountryScore.objects.filter(methodology=methodology).exists():
            raise CommandError("No scores yet: run `manage.py import_data ...` and `manage.py recompute_scores` first.")
        if country is None:
            longest = (
                CountryScore.objects.filter(methodology=methodology)
                .values("country__iso3")
                .annotate(months=Count("id"))
                .order_by("-months")
                .first()
            )
            country = longest["country__iso3"]
        months = CountryScore.objects.filter(methodology=methodology, country__iso3=country).count()
        scored = CountryScore.objects.filter(methodology=methodology).values("country").distinct().count()
        user = get_user_model().objects.filter(groups__name=Role.VIEWER.value, is_active=True).first()
        if user is None:
            raise CommandError("No active viewer account to own the benchmark token; run seed_demo or create one.")
        secret = api_token_create(user=user, name="bench_api").secret
        port = _free_port()
        env = {
            **os.environ,
            "DEBUG": "false",
            "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-" + "x" * 60),
            "SECURE_SSL_REDIRECT": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "API_THROTTLE_RATE": "100000000/min",
            "DATABASE_CONN_MAX_AGE": "60",
            "LOG_LEVEL": "WARNING",
            "AW_TOKEN": secret,
        }
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "atrocity_watch.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--log-level",
                "warning",
            ],
            cwd=settings.BASE_DIR,
            env=env,
        )
        try:
            self._wait_until_up(port, secret)
            endpoints = {
                "latest scores, all countries": f"/api/v1/scores/?page_size={settings.API_MAX_PAGE_SIZE}",
                "one country's full history": f"/api/v1/countries/{country}/scores/",
            }
            self.stdout.write(
                f"gunicorn {workers} workers, wrk {connections} connections x {duration}s per endpoint; "
                f"database {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}; {scored} countries scored; "
                f"history of {country}: {months} months"
            )
            with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
                script.write(WRK_SCRIPT)
            failed = False
            for label, path in endpoints.items():
                cold_ms = self._timed_get(port, path, secret)
                self.stdout.write(f"{label:32} first request (cache cold in one worker): {cold_ms:.0f} ms")
                for _ in range(workers * 2):
                    self._timed_get(port, path, secret)
                result = subprocess.run(
                    [
                        "wrk",
                        "-t",
                        "1",
                        "-c",
                        str(connections),
                        "-d",
                        f"{duration}s",
                        "--latency",
                        "-s",
                        script.name,
                        f"http://127.0.0.1:{port}{path}",
                    ],
                    capture_output=True,
                    text=True,
                    env=env,
                    timeout=duration + 60,
                    check=True,
                )
                match = re.search(r"RESULT (.*)", result.stdout)
                values = dict(item.split("=") for item in match.group(1).split())
                p95 = float(values["p95_ms"])
                verdict = "OK" if p95 <= TARGETS_MS[label] else "OVER TARGET"
                failed = failed or verdict != "OK" or values["non2xx"] != "0"
                self.stdout.write(
                    f"{label:32} GET {path}\n    p50 {values['p50_ms']} ms  p95 {values['p95_ms']} ms  "
                    f"p99 {values['p99_ms']} ms  requests {values['requests']}  non-2xx {values['non2xx']}  "
                    f"(target p95 <= {TARGETS_MS[label]:.0f} ms: {verdict})"
                )
            Path(script.name).unlink()
        finally:
            server.terminate()
            server.wait(timeout=30)
        if failed:
            raise CommandError("A latency target was missed or requests failed.")

    def _timed_get(self, port: int, path: str, secret: str) -> float:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {secret}"}
        )
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - fixed local URL
            response.read()
        return (time.perf_counter() - started) * 1000

    def _wait_until_up(self, port: int, secret: str) -> None:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/methodologies/", headers={"Authorization": f"Bearer {secret}"}
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310 - fixed local URL
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise CommandError("gunicorn did not answer within 30 seconds.")
