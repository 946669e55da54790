"""Gunicorn settings: gunicorn reads ./gunicorn.conf.py by default, and docker-compose's web service relies on it.

Worker model, measured with `manage.py bench_load` (50 users, PostgreSQL + Redis, real data) on the 2-core
machine: gthread with 2 workers x 8 threads answered the latest-scores API at 133 req/s (p95 0.8 s) and country
pages at 7 req/s, against 26 req/s and 4 req/s for 3 sync workers on the same (busy) machine in the same run.
Requests spend much of their time waiting on PostgreSQL and Redis, which threads overlap, and gthread keeps
connections alive where sync workers close each one; one worker per core keeps the GIL from being the bottleneck.
With pages and answers cached (user, roles, token and badge from Redis), one 30 s run each on the same machine loaded
9-19 by other work: gthread 2 x 8 answered 66 overview / 76 country / 181 scores-API req/s, gthread 3 x 4 108 / 98 /
306, sync x 4 127 / 114 / 312. The same 2 x 8 answered the overview at 137 req/s a few minutes earlier, so runs on
this busy machine cannot rank the three; the default stays until a quiet machine can.
The environment overrides each value.
"""

import os

wsgi_app = "atrocity_watch.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# Keep-alive lets a browser or proxy reuse its connection for the page's follow-up requests.
keepalive = 5
# A request stuck longer than this is abandoned and its worker restarted.
timeout = 60
# Recycle workers now and then so no slow leak grows without bound; jitter keeps them from restarting together. A
# recycled worker drops its kept-alive connections and loads WeasyPrint again: with cached pages a worker answers
# 5,000 requests within a minute or two under load (bench_load counted 50 dropped connections at that limit), so
# recycle after 50,000.
max_requests = 50000
max_requests_jitter = 5000
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")


def post_worker_init(worker):
    """Load WeasyPrint and the report fonts in each new worker, so the first country brief or report a user asks
    for takes the 1-2 s of rendering, not the 2-4 s of loading on top (`manage.py report_brief` prints both)."""
    from reports.rendering import warm_up

    warm_up()
