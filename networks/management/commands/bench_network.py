"""manage.py bench_network: server time of a country's graph API, the worker's analysis, and the page in Chromium.

1. A synthetic country network (default 5,000 actors, 20,000 relationships) is written inside a transaction that is
   rolled back at the end, so the database is left as it was (on SQLite the file stays locked while it runs). The
   graph API is called in-process: cold (cache emptied before each call) and warm, p50 and p95 (target <= 300 ms).
2. The worker's analysis (centrality, brokers, communities, exposure) runs on a larger synthetic graph in memory
   (default 50,000 actors, 200,000 relationships; target <= 30 s).
3. With --browser, Debian's Chromium opens the real network page, its script, cytoscape.js and the graph JSON
   (all served from memory through Playwright's routing, nothing leaves the machine) and the time until the graph is
   drawn and the filters answer is measured (target <= 2 s).
"""

from __future__ import annotations

import json
import random
import resource
import statistics
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test import Client
from django.utils import timezone

from indicators.models import Country, Desk
from networks import analysis
from networks.models import Actor, ActorKind, Relationship, RelationshipKind, RelationshipVersion

KINDS = list(ActorKind.values)
TIE_KINDS = [kind for kind in RelationshipKind.values if kind != RelationshipKind.SANCTION]
COMMUNITY_SIZE = 50
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def synthetic_graph(actors: int, relationships: int, *, seed: int = 7) -> tuple[list[dict], list[dict]]:
    """Actors in communities of 50 with 80% of ties inside their community; 5% of actors sanctioned."""
    rng = random.Random(seed)
    nodes = [
        {
            "id": index,
            "name": f"Synthetic actor {index}",
            "kind": rng.choice(KINDS),
            "countries": ["GBR"] if rng.random() < 0.02 else ["QQQ"],
            "sanctioned": rng.random() < 0.05,
            "sanctioned_home": False,
        }
        for index in range(actors)
    ]
    edges = []
    seen: set[tuple[int, int]] = set()
    while len(edges) < relationships:
        source = rng.randrange(actors)
        if rng.random() < 0.8:
            base = source - source % COMMUNITY_SIZE
            target = base + rng.randrange(min(COMMUNITY_SIZE, actors - base))
        else:
            target = rng.randrange(actors)
        if source == target or (source, target) in seen:
            continue
        seen.add((source, target))
        edges.append({"id": len(edges), "source": source, "target": target, "kind": rng.choice(TIE_KINDS)})
    return nodes, edges


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


class Command(BaseCommand):
    help = "Benchmark the network: graph API server time, worker analysis time, and (with --browser) the page."

    def add_arguments(self, parser):
        parser.add_argument("--actors", type=int, default=5000)
        parser.add_argument("--relationships", type=int, default=20000)
        parser.add_argument("--worker-actors", type=int, default=50000)
        parser.add_argument("--worker-relationships", type=int, default=200000)
        parser.add_argument("--requests", type=int, default=10, help="Graph API calls per measurement")
        parser.add_argument("--browser", action="store_true", help="Also time the page in Chromium")
        parser.add_argument("--skip-worker", action="store_true")
        parser.add_argument("--skip-api", action="store_true", help="Only the worker's analysis (no database)")
        parser.add_argument("--json", action="store_true", help="Print the figures as one JSON object")

    def handle(self, *args, **options):
        figures: dict = {}
        if not options["skip_api"]:
            self._api_and_page(options, figures)
        if not options["skip_worker"]:
            nodes, edges = synthetic_graph(options["worker_actors"], options["worker_relationships"])
            started = time.perf_counter()
            results = analysis.analyse(nodes, edges, home_iso3="GBR")
            figures["worker_actors"] = len(nodes)
            figures["worker_relationships"] = len(edges)
            figures["worker_analysis_seconds"] = round(time.perf_counter() - started, 2)
            figures["worker_method"] = results["method"]
            figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        if options["json"]:
            self.stdout.write(json.dumps(figures))
        else:
            for key, value in figures.items():
                self.stdout.write(f"{key:34} {value}")

    def _api_and_page(self, options, figures: dict) -> None:
        with transaction.atomic():
            user = User.objects.create_superuser(f"bench-{uuid.uuid4().hex[:8]}", password=uuid.uuid4().hex)
            country = self._write_country(options["actors"], options["relationships"], figures, user)
            client = Client()
            client.force_login(user)
            url = f"/api/v1/countries/{country.iso3}/network/"
            cold, warm = [], []
            for _ in range(options["requests"]):
                cache.clear()
                started = time.perf_counter()
                response = client.get(url)
                cold.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.content[:200]
                started = time.perf_counter()
                client.get(url)
                warm.append((time.perf_counter() - started) * 1000)
            body = response.content
            figures["graph_api_bytes"] = len(body)
            figures["graph_api_cold_ms_p50"] = round(statistics.median(cold), 1)
            figures["graph_api_cold_ms_p95"] = round(_percentile(cold, 0.95), 1)
            figures["graph_api_warm_ms_p50"] = round(statistics.median(warm), 1)
            if options["browser"]:
                page_html = client.get(f"/countries/{country.iso3}/network/").content
                figures["page_server_ms"] = self._time_page_server(client, country)
                figures["page_interactive_ms"] = self._time_in_chromium(page_html, body, country)
            transaction.set_rollback(True)
        cache.clear()

    def _time_page_server(self, client, country) -> float:
        started = time.perf_counter()
        client.get(f"/countries/{country.iso3}/network/")
        return round((time.perf_counter() - started) * 1000, 1)

    def _write_country(self, actors: int, relationships: int, figures: dict, author: User) -> Country:
        started = time.perf_counter()
        desk = Desk.objects.create(name=f"Bench desk {uuid.uuid4().hex[:6]}", slug=f"bench-{uuid.uuid4().hex[:8]}")
        country = Country.objects.create(iso3="QQQ", name="Benchland", region="Bench", desk=desk, un_status="member")
        nodes, edges = synthetic_graph(actors, relationships)
        now = timezone.now()
        Actor.objects.bulk_create(
            [
                Actor(
                    ftm_id=f"bench-a{node['id']}",
                    kind=node["kind"],
                    ftm_schema="Person",
                    name=node["name"],
                    properties={"name": [node["name"]]},
                    sources=["synthetic"],
                    updated_at=now,
                )
                for node in nodes
            ],
            batch_size=2000,
        )
        heads = list(Actor.objects.filter(ftm_id__startswith="bench-a").order_by("id"))
        by_index = {int(actor.ftm_id[7:]): actor for actor in heads}
        Actor.countries.through.objects.bulk_create(
            [Actor.countries.through(actor_id=actor.pk, country_id=country.pk) for actor in heads], batch_size=5000
        )
        rng = random.Random(3)
        rows = []
        for edge in edges:
            start = f"{rng.randint(2010, 2024)}-{rng.randint(1, 12):02d}-01" if rng.random() < 0.7 else None
            rows.append(
                Relationship(
                    ftm_id=f"bench-r{edge['id']}",
                    kind=edge["kind"],
                    ftm_schema="UnknownLink",
                    source=by_index[edge["source"]],
                    target=by_index[edge["target"]],
                    label="synthetic",
                    properties={},
                    sources=["synthetic"],
                    valid_from=start,
                    updated_at=now,
                )
            )
        Relationship.objects.bulk_create(rows, batch_size=2000)
        ids = Relationship.objects.filter(ftm_id__startswith="bench-r").values_list("id", flat=True)
        Relationship.countries.through.objects.bulk_create(
            [Relationship.countries.through(relationship_id=pk, country_id=country.pk) for pk in ids], batch_size=5000
        )
        # A version row moves the graph version, as a real edit would, so no earlier cached answer is reused.
        first = Relationship.objects.get(ftm_id="bench-r0")
        RelationshipVersion.objects.create(
            relationship=first,
            version=1,
            kind=first.kind,
            ftm_schema="UnknownLink",
            source=first.source,
            target=first.target,
            country_codes=["QQQ"],
            author=author,
        )
        figures["country_actors"] = actors
        figures["country_relationships"] = relationships
        figures["write_seconds"] = round(time.perf_counter() - started, 1)
        return country

    def _time_in_chromium(self, page_html: bytes, graph_json: bytes, country: Country) -> float | None:
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            self.stderr.write("Playwright is not installed (make install-dev); skipping the browser figure.")
            return None
        static_root = Path(settings.BASE_DIR) / "static"
        origin = "http://127.0.0.1:9"
        served = {
            f"/countries/{country.iso3}/network/": (page_html, "text/html; charset=utf-8"),
            f"/api/v1/countries/{country.iso3}/network/": (graph_json, "application/json"),
        }

        def route(route_request):
            path = route_request.request.url.removeprefix(origin).split("?")[0]
            if path in served:
                body, content_type = served[path]
            elif path.startswith(settings.STATIC_URL) and (static_root / path[len(settings.STATIC_URL) :]).is_file():
                file = static_root / path[len(settings.STATIC_URL) :]
                body = file.read_bytes()
                content_type = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}.get(
                    file.suffix, "application/octet-stream"
                )
            else:
                route_request.fulfill(status=404, body=b"")
                return
            route_request.fulfill(status=200, body=body, headers={"Content-Type": content_type})

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.route("**/*", route)
            started = time.perf_counter()
            page.goto(f"{origin}/countries/{country.iso3}/network/")
            page.wait_for_selector("#network-graph[data-ready='true']", timeout=60_000)
            page.check("#date-filter-on")
            page.wait_for_function("document.getElementById('graph-status').textContent.includes('valid on')")
            elapsed = (time.perf_counter() - started) * 1000
            marks = page.evaluate("performance.getEntriesByType('mark').map(m => [m.name, Math.round(m.startTime)])")
            self.stdout.write(f"browser marks (ms since navigation): {marks}")
            browser.close()
        return round(elapsed, 1)
