"""Gunicorn settings: gunicorn reads ./gunicorn.conf.py by default, and docker-compose's web service relies on it.

Worker model, measured with `manage.py bench_load` (50 users, PostgreSQL + Redis, real data) on the 2-core
machine: gthread with 2 workers x 8 threads answered the latest-scores API at 133 req/s (p95 0.8 s) and country
pages at 7 req/s, against 26 req/s and 4 req/s for 3 sync workers on the same (busy) machine in the same run.
Requests spend much of their time waiting on PostgreSQL and Redis, which threads overlap, and gthread keeps
connections alive where sync workers close each one; one worker per core keeps the GIL from being the bottleneck.
With pages and answers cached (user, roles, token and badge from Redis), one 30 s run each on the same machine loaded
9-19 by other work: gthread 2 x 8 answered 66 overview / 76 country / 181 scores-API req/s, gthread 3 x 4 108 / 98 /
306, sync x 4 127 / 114 / 312. The same 2 x 8 answered the overview at 137 req/s a few minutes earlier, so runs on
this busy machine cannot rank the three.
After the CPU per cached request was cut (one Redis client per pool, gzip kept with API answers, the timeline's
markup kept; bench_load now accepts gzip), five models alternated twice, 20 s per target, while other work loaded
the machine (load average 3.1 at round 1's start, 6.8-10.4 through round 2), req/s and p95 ms for overview,
country pages, scores API, round 1 | round 2:
  gthread 2 x 8  210/561, 130/655, 283/280  |  174/528, 140/679, 414/345
  gthread 2 x 4  188/356, 195/330, 606/118  |  212/687, 121/823, 379/243
  gthread 3 x 4  228/347, 213/600, 598/202  |  142/731, 115/1032, 372/493
  sync x 4        79/1141, 147/614, 638/109 |  113/956,  95/692, 348/198
  sync x 5       133/602, 110/541, 356/191  |   86/1028, 50/1356, 216/386
Sync workers answered the overview slowest in all four runs (79-133 req/s against 142-228 for every gthread run),
but the overview is each run's first target, when each of their 4-5 processes warms up (connections, templates, the
code fingerprint), so that may be start-up more than the model. Otherwise one configuration moved more from one
round to the next than the configurations differ: no ranking from that busy machine.
On the idle machine (7 December 2026, 01:31-01:46, nothing else running), gthread 2 x 8 (one 60 s and one 30 s run)
against 2 x 4 (two 30 s runs), req/s and p95 ms for overview, country pages, scores API:
  gthread 2 x 8  188/590, 132/764, 449/271  |  185/567, 129/602, 455/181
  gthread 2 x 4  183/451, 179/584, 507/142  |  275/434, 162/392, 444/159
Four threads had the lower p95 on all three targets in both of its runs, so it is the default: with cached pages a
request holds the GIL for most of its 2-8 ms, and eight threads per worker only queued more requests behind it.
With whole pages kept per session, the version query prepared, hiredis and gc.freeze() (idle machine, 04:25-04:37,
`bench_load --duration 20`, req/s and p95 ms for overview, country pages, scores API), before gc.freeze():
  gthread 2 x 4  471/260, 290/210, 472/153   |  3 x 4  557/203, 725/130, 618/183
  4 x 2 (country, API only) 786/133, 621/189  |  4 x 4  812/216, 692/229  |  3 x 8  649/230, 508/177
  6 x 2 (country, API only) 562/210, 561/232
and with it: 2 x 4  674/166, 779/147, 699/100  |  3 x 4  421/273, 542/200, 571/123.
More workers than cores answered more requests before the freeze (a full collection stalls a whole worker, so
others covered), but once frozen 2 x 4 had the lower p95 on every target: it stays the default.
Whatever the model, the 50 connections a benchmark (or a proxy, or an office of browsers) opens at once were split
unevenly between the workers (up to 45/5), and the p95 followed the split; the worker class below shares them
evenly, and with it 2 x 4 met every goal of issue 14 (docs/benchmarks.md, "Connections shared evenly between the
workers"). The environment overrides each value.
"""

import os

wsgi_app = "atrocity_watch.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# gthread, with new connections shared evenly between the workers (atrocity_watch/gunicorn_worker.py says why).
worker_class = "atrocity_watch.gunicorn_worker.BalancedThreadWorker"


def env_int(name: str, default: int) -> int:
    """A whole number from the environment; any other value stops gunicorn with a message naming the variable."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise SystemExit(f"{name}={raw!r} is not a whole number of at least 1.")
    return int(raw)


workers = env_int("WEB_CONCURRENCY", 2)
threads = env_int("GUNICORN_THREADS", 4)
# Keep-alive lets a browser or proxy reuse its connection for the page's follow-up requests.
keepalive = 5
# A request stuck longer than this is abandoned and its worker restarted.
timeout = 60
# Recycle workers now and then so no slow leak grows without bound; jitter keeps them from restarting together. A
# recycled worker drops its kept-alive connections and loads Django, the app and WeasyPrint again (seconds of CPU
# on a 2-core machine, while the other worker answers alone). With cached pages a worker answered 5,000 requests
# within a minute or two under load (bench_load counted 50 dropped connections at that limit), so the limit became
# 50,000; with kept API answers a worker answers 500 requests a second, so 50,000 recycled each worker every 90 s
# under load: a 60 s bench_load of the scores API alone gave 1,165 req/s and p95 97 ms, the same target after three
# minutes of pages 569 req/s and p95 113 ms. A worker is now recycled after about 500,000 requests: minutes at full
# load, days at an office's use.
max_requests = 500000
max_requests_jitter = 50000
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")


def child_exit(server, worker):
    """A worker has exited (run in the master): its slot among those sharing connections is free at once."""
    from atrocity_watch.gunicorn_worker import release_slot

    release_slot(worker)


def post_worker_init(worker):
    """Load WeasyPrint and the report fonts in each new worker, so the first country brief or report a user asks
    for takes the 1-2 s of rendering, not the 2-4 s of loading on top (`manage.py report_brief` prints both)."""
    import gc

    from reports.rendering import warm_up

    warm_up()
    # Everything loaded so far (Django, WeasyPrint, pandas, plotly: some 325,000 objects) lives as long as the worker.
    # Frozen, the collector no longer walks it: a full collection paused every thread of a worker for ~190 ms, every
    # 20 s or so under load, and 7 ms once frozen (measured in-process on the scores API and country pages).
    gc.freeze()
