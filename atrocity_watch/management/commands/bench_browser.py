"""Browser load of the overview: bytes transferred and load-event time, cold and with a warm cache, in Chromium.

Starts a production-like gunicorn (DEBUG off: hashed, compressed, immutable static files), signs one user in, and
loads the overview in headless Chromium once with an empty cache and then again N times in the same session, then
one country page. Prints per visit: load event, map or chart drawn, bytes transferred in all, and plotly.js bytes
transferred (0 when it came from the browser's cache). Needs Playwright (a dev dependency) and /usr/bin/chromium.
"""

from __future__ import annotations

import contextlib
import statistics

from django.core.management.base import BaseCommand, CommandError

from atrocity_watch.management.bench_server import (
    bench_user,
    collectstatic,
    free_port,
    gunicorn_serving,
    server_env,
    session_cookie,
)
from indicators.models import CountryScore

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
# What the page reports about itself once drawn: navigation timing and every resource's transferred bytes.
MEASURE = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const resources = performance.getEntriesByType("resource");
  const plotly = resources.filter((r) => r.name.includes("/vendor/plotly/"));
  return {
    load_ms: nav.loadEventEnd,
    drawn_ms: performance.now(),
    html_bytes: nav.transferSize,
    bytes: nav.transferSize + resources.reduce((sum, r) => sum + r.transferSize, 0),
    plotly_bytes: plotly.reduce((sum, r) => sum + r.transferSize, 0),
  };
}"""


class Command(BaseCommand):
    help = "Overview load in Chromium: load event and bytes, cold then warm cache (plotly.js fetched once?)."

    def add_arguments(self, parser):
        parser.add_argument("--visits", type=int, default=5, help="Warm-cache visits after the first (default 5).")
        parser.add_argument("--url", help="Use an already running server (sharing SECRET_KEY and the database).")
        parser.add_argument("--skip-collectstatic", action="store_true", help="Reuse STATIC_ROOT as it is.")

    def handle(self, *args, visits: int, url: str | None, skip_collectstatic: bool, **options):
        try:
            from playwright.sync_api import sync_playwright
        except ImportError as exc:
            raise CommandError("Playwright is a dev dependency: make install-dev.") from exc
        top = CountryScore.objects.order_by("-month", "-overall").select_related("country").first()
        if top is None:
            raise CommandError("No scores yet: import data and recompute scores first.")
        env = server_env()
        cookie = session_cookie(bench_user(0), secret_key=env["SECRET_KEY"])
        if url:
            base, serving = url.rstrip("/"), contextlib.nullcontext()
        else:
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            if not skip_collectstatic:
                collectstatic(env)
            serving = gunicorn_serving(port=port, env=env, extra_args=[])
        rows = []
        with serving, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.add_cookies([{"name": cookie[0], "value": cookie[1], "url": base}])
            page = context.new_page()
            plan = [("overview, cold cache", "/")]
            plan += [(f"overview, warm {number}", "/") for number in range(1, visits + 1)]
            plan += [(f"country page {top.country.iso3}, warm", f"/countries/{top.country.iso3}/")]
            for label, path in plan:
                page.goto(f"{base}{path}", wait_until="load")
                page.wait_for_selector(".chart-drawn", timeout=60_000)
                rows.append((label, page.evaluate(MEASURE)))
            browser.close()
        self.stdout.write(f"{'visit':<28}{'load ms':>9}{'drawn ms':>10}{'HTML KB':>9}{'all KB':>9}{'plotly KB':>11}")
        for label, figures in rows:
            self.stdout.write(
                f"{label:<28}{figures['load_ms']:>9.0f}{figures['drawn_ms']:>10.0f}{figures['html_bytes'] / 1024:>9.1f}"
                f"{figures['bytes'] / 1024:>9.1f}{figures['plotly_bytes'] / 1024:>11.1f}"
            )
        warm = [figures["load_ms"] for label, figures in rows if label.startswith("overview, warm")]
        fetched = sum(1 for _, figures in rows if figures["plotly_bytes"] > 0)
        self.stdout.write(
            f"warm overview load event median {statistics.median(warm):.0f} ms (target <= 500 ms); "
            f"plotly.js transferred on {fetched} of {len(rows)} visits (target: once)"
        )
