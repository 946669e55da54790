"""Load benchmark: gunicorn on this database, wrk from 127.0.0.1, many distinct signed-in users and API tokens.

Prints requests per second, p50, p95, p99 and errors for the overview, a filtered overview, country pages, the
latest scores API and one country's history API. Figures only: it asserts nothing (issue 14 sets the targets).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.middleware.csrf import CSRF_SECRET_LENGTH
from django.utils.crypto import get_random_string

from atrocity_watch.management.bench_server import (
    bench_user,
    collectstatic,
    free_port,
    gunicorn_serving,
    server_env,
    session_cookie,
)
from atrocity_watch.models import ApiToken
from atrocity_watch.services import api_token_create, api_token_revoke
from indicators.models import CountryScore
from indicators.selectors import methodology_active

BENCH_TOKEN_NAME = "bench_load"
TARGET_NAMES = ("overview", "overview-filtered", "country", "api-latest", "api-history")
# Issue 14's targets: p95 in ms and requests per second under 50 concurrent users.
GOALS = {
    "overview": (300.0, 150.0),
    "overview-filtered": (300.0, 150.0),
    "country": (300.0, 150.0),
    "api-latest": (100.0, 500.0),
    "api-history": (100.0, 500.0),
}

# Each request takes the next credential and the next path, so N users' sessions or tokens run concurrently. It
# accepts gzip as every browser and HTTP library does, so the server's compression is part of what is timed.
# wrk reports percentiles only through `done`; non-200 answers (a redirect to the login page included) are errors.
WRK_SCRIPT = r"""
local function lines(path)
  local items = {}
  for line in io.lines(path) do
    if line ~= "" then table.insert(items, line) end
  end
  return items
end

local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  credentials = lines(os.getenv("AW_CREDENTIALS"))
  paths = lines(os.getenv("AW_PATHS"))
  header = os.getenv("AW_HEADER")
  counter = id * 7919
  bad = 0
end

function request()
  counter = counter + 1
  local credential = credentials[(counter % #credentials) + 1]
  local path = paths[(counter % #paths) + 1]
  return wrk.format("GET", path, {[header] = credential, ["Accept-Encoding"] = "gzip"})
end

function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end

function done(summary, latency, requests)
  local bad_total = 0
  for _, thread in ipairs(threads) do bad_total = bad_total + thread:get("bad") end
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d seconds=%.3f p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f socket_errors=%d non200=%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, e.connect + e.read + e.write + e.timeout, bad_total))
end
"""


@dataclass(frozen=True)
class Target:
    name: str
    paths: list[str]
    api: bool


@dataclass(frozen=True)
class Credentials:
    cookies: list[str]
    tokens: list[str]


def wrk_figures(output: str) -> dict | None:
    """The figures of the RESULT line that WRK_SCRIPT's `done` prints, or None when wrk printed none."""
    match = re.search(r"^RESULT (.*)$", output, re.MULTILINE)
    if match is None:
        return None
    values = dict(item.split("=", 1) for item in match.group(1).split())
    seconds, requests = float(values["seconds"]), int(values["requests"])
    return {
        "requests": requests,
        "requests_per_s": round(requests / seconds, 1) if seconds else 0.0,
        "p50_ms": float(values["p50_ms"]),
        "p95_ms": float(values["p95_ms"]),
        "p99_ms": float(values["p99_ms"]),
        "errors": int(values["socket_errors"]) + int(values["non200"]),
    }


class Command(BaseCommand):
    help = "Load-test the main pages and score API under gunicorn with wrk and N distinct users (127.0.0.1 only)."

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=50, help="Distinct signed-in users and API tokens.")
        parser.add_argument("--connections", type=int, help="Concurrent wrk connections (default: --users).")
        parser.add_argument("--duration", type=int, default=60, help="Seconds per target (at most 600).")
        parser.add_argument(
            "--warmup", type=int, default=5, help="Untimed seconds of the same load before each target (0: none)."
        )
        parser.add_argument("--threads", type=int, default=2, help="wrk threads.")
        parser.add_argument("--countries", type=int, default=10, help="Country pages to rotate through.")
        parser.add_argument("--targets", default=",".join(TARGET_NAMES), help=f"Comma-separated: {TARGET_NAMES}.")
        parser.add_argument("--port", type=int, help="Port for gunicorn on 127.0.0.1 (default: a free port).")
        parser.add_argument(
            "--gunicorn-arg",
            action="append",
            default=[],
            dest="gunicorn_args",
            help="Extra gunicorn option, e.g. --gunicorn-arg=--workers=3 (repeatable); gunicorn.conf.py is read first.",
        )
        parser.add_argument(
            "--skip-collectstatic", action="store_true", help="Reuse STATIC_ROOT as it is (static files unchanged)."
        )
        parser.add_argument(
            "--url",
            help="Load an already running server instead (another checkout's, say); it must share this command's "
            "SECRET_KEY and database.",
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object instead of the table.")

    def handle(self, *args, **options):
        if shutil.which("wrk") is None:
            raise CommandError("wrk is not installed (Debian: apt-get install -y wrk).")
        users = options["users"]
        if not 1 <= users <= 1000:
            raise CommandError("--users must be between 1 and 1000.")
        connections = options["connections"] or users
        duration = max(1, min(options["duration"], 600))
        warmup = max(0, min(options["warmup"], 60))
        chosen = [name.strip() for name in options["targets"].split(",") if name.strip()]
        unknown = sorted(set(chosen) - set(TARGET_NAMES))
        if unknown:
            raise CommandError(f"Unknown targets {unknown}; choose from {TARGET_NAMES}.")
        targets = [target for target in self._targets(options["countries"]) if target.name in chosen]
        env = server_env()
        # Sessions are signed, and the server runs with DEBUG off, so they are made with the server's key.
        credentials = self.credentials(users, secret_key=env["SECRET_KEY"])
        if options["url"]:
            base = options["url"].rstrip("/")
            serving = contextlib.nullcontext()
        else:
            port = options["port"] or free_port()
            base = f"http://127.0.0.1:{port}"
            if not options["skip_collectstatic"]:
                collectstatic(env)
            serving = gunicorn_serving(port=port, env=env, extra_args=options["gunicorn_args"])
        results = []
        with serving, tempfile.TemporaryDirectory(prefix="bench_load_") as folder:
            for target in targets:
                results.append(
                    self._run_target(
                        target,
                        credentials=credentials,
                        base=base,
                        folder=Path(folder),
                        connections=connections,
                        threads=options["threads"],
                        duration=duration,
                        warmup=warmup,
                    )
                )
        header = {
            "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
            "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
            "users": users,
            "connections": connections,
            "duration_s": duration,
            "warmup_s": warmup,
            "gunicorn": options["url"] or " ".join(options["gunicorn_args"]) or "gunicorn.conf.py",
        }
        if options["json"]:
            self.stdout.write(json.dumps({**header, "targets": results}, indent=2))
            return
        self.stdout.write(
            f"wrk: {connections} connections, {users} distinct users and tokens, {duration} s per target after "
            f"{warmup} s untimed; "
            f"gunicorn: {header['gunicorn']}; database {header['database']}; cache {header['cache']}"
        )
        self.stdout.write(
            f"{'target':<19}{'req/s':>9}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'errors':>8}  goal (p95, req/s)"
        )
        for row in results:
            p95_goal, rate_goal = GOALS[row["target"]]
            met = row["p95_ms"] <= p95_goal and row["requests_per_s"] >= rate_goal and row["errors"] == 0
            self.stdout.write(
                f"{row['target']:<19}{row['requests_per_s']:>9.1f}{row['p50_ms']:>10.1f}{row['p95_ms']:>10.1f}"
                f"{row['p99_ms']:>10.1f}{row['errors']:>8}  <= {p95_goal:.0f} ms, >= {rate_goal:.0f}: "
                f"{'met' if met else 'NOT met'}"
            )

    # --- what to request --------------------------------------------------------------------------------------
    def _targets(self, country_count: int) -> list[Target]:
        methodology = methodology_active()
        if methodology is None or not CountryScore.objects.filter(methodology=methodology).exists():
            raise CommandError("No scores yet: run `manage.py import_data ...` and `manage.py recompute_scores` first.")
        # The countries with the longest histories: the heaviest pages and API answers there are.
        longest = list(
            CountryScore.objects.filter(methodology=methodology)
            .values("country__iso3")
            .annotate(months=Count("id"))
            .order_by("-months", "country__iso3")
            .values_list("country__iso3", flat=True)[: max(1, country_count)]
        )
        region = (
            CountryScore.objects.filter(methodology=methodology)
            .values_list("country__region", flat=True)
            .order_by("country__region")
            .first()
        )
        filtered = f"/?crime_group=genocide&sort=-change_3m&region={urllib.parse.quote(region or '')}"
        return [
            # With a filter: an analyst's bare visit redirects to their desks (?desk=mine), which would time a 302.
            Target("overview", ["/?crime_group=overall"], api=False),
            Target("overview-filtered", [filtered], api=False),
            Target("country", [f"/countries/{iso3}/" for iso3 in longest], api=False),
            Target("api-latest", ["/api/v1/scores/"], api=True),
            Target("api-history", [f"/api/v1/countries/{longest[0]}/scores/"], api=True),
        ]

    # --- who requests -----------------------------------------------------------------------------------------
    def credentials(self, count: int, *, secret_key: str | None = None) -> Credentials:
        """N bench users across the roles, each with a fresh session cookie and a fresh API token."""
        cookies, tokens = [], []
        for index in range(count):
            user = bench_user(index)
            for token in ApiToken.objects.filter(user=user, name=BENCH_TOKEN_NAME, revoked_at__isnull=True):
                api_token_revoke(token=token, user=user)
            tokens.append(f"Bearer {api_token_create(user=user, name=BENCH_TOKEN_NAME).secret}")
            name, value = session_cookie(user, secret_key=secret_key or settings.SECRET_KEY)
            # A browser holds the CSRF cookie its first page set; each user sends their own, as browsers do.
            cookies.append(f"{name}={value}; {settings.CSRF_COOKIE_NAME}={get_random_string(CSRF_SECRET_LENGTH)}")
        return Credentials(cookies=cookies, tokens=tokens)

    # --- one target -------------------------------------------------------------------------------------------
    def _run_target(
        self,
        target: Target,
        *,
        credentials: Credentials,
        base: str,
        folder: Path,
        connections: int,
        threads: int,
        duration: int,
        warmup: int = 0,
    ) -> dict:
        header, values = ("Authorization", credentials.tokens) if target.api else ("Cookie", credentials.cookies)
        self._check(base, target, header, values[0])
        credential_file = folder / f"{target.name}.credentials"
        credential_file.write_text("\n".join(values) + "\n")
        path_file = folder / f"{target.name}.paths"
        path_file.write_text("\n".join(target.paths) + "\n")
        script = folder / "bench.lua"
        script.write_text(WRK_SCRIPT)
        env = {
            **os.environ,
            "AW_CREDENTIALS": str(credential_file),
            "AW_PATHS": str(path_file),
            "AW_HEADER": header,
        }

        def wrk(seconds: int) -> subprocess.CompletedProcess:
            command = ["wrk", "-t", str(max(1, min(threads, connections))), "-c", str(connections)]
            command += ["-d", f"{seconds}s", "--timeout", "30s", "-s", str(script), f"{base}{target.paths[0]}"]
            return subprocess.run(command, capture_output=True, text=True, env=env, timeout=seconds + 120, check=False)

        if warmup:  # untimed: every worker thread connects, learns the target and settles its garbage first
            wrk(warmup)
        result = wrk(duration)
        figures = wrk_figures(result.stdout) if result.returncode == 0 else None
        if figures is None:
            raise CommandError(f"wrk failed on {target.name}: {result.stderr or result.stdout}")
        return {"target": target.name, "paths": target.paths, **figures}

    def _check(self, base: str, target: Target, header: str, value: str) -> None:
        """Every path answers 200 to a signed-in user before it is timed (a login redirect would time nothing)."""

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        opener = urllib.request.build_opener(NoRedirect)
        for path in target.paths:
            request = urllib.request.Request(f"{base}{path}", headers={header: value, "Accept-Encoding": "gzip"})
            try:
                with opener.open(request, timeout=120) as response:
                    response.read()
            except urllib.error.HTTPError as exc:
                raise CommandError(f"GET {path} answered {exc.code}, not 200; nothing to time.") from exc
