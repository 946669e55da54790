"""Heartbeats for long jobs (score runs, imports): a thread stamps the job's row every few seconds while it runs.

The stamp goes through the thread's own database connection, outside the job's transaction, so it is visible to the
reaper at once. Commands run in a terminal (`import_data`, `recompute_scores`, `forecast_train`) stamp it too. A
worker or command killed with SIGKILL stops stamping; `score_runs_reap` and `dataset_imports_reap` then find the row
still "running" with an old stamp, mark it failed with the reason and re-queue its work once (a terminal's import is
left to the user to run again: its file is on their disk).
On SQLite a run's write transaction holds the only write lock, so stamps wait until it commits; the reaper's
threshold (RUN_STALE_SECONDS) is therefore generous.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from contextlib import contextmanager

from django.conf import settings
from django.db import Error, connections
from django.db.models import Model
from django.utils import timezone

logger = logging.getLogger(__name__)


def heartbeat_stale_before(now: dt.datetime) -> dt.datetime:
    """A running job whose last stamp is older than this moment has lost its worker (RUN_STALE_SECONDS)."""
    return now - dt.timedelta(seconds=settings.RUN_STALE_SECONDS)


def heartbeat_stamp(model: type[Model], pk: int) -> None:
    """Stamp the row's heartbeat_at now (callers inside a long loop may call this directly)."""
    model.objects.filter(pk=pk).update(heartbeat_at=timezone.now())


@contextmanager
def heartbeat(model: type[Model], pk: int, *, every: float | None = None):
    """Stamp the row at once, then every `every` seconds (RUN_HEARTBEAT_SECONDS) until the block ends."""
    interval = settings.RUN_HEARTBEAT_SECONDS if every is None else every
    heartbeat_stamp(model, pk)
    stop = threading.Event()

    def beat():
        try:
            while not stop.wait(interval):
                try:
                    heartbeat_stamp(model, pk)
                # A locked SQLite file, or a connection the server closed (InterfaceError is not a DatabaseError).
                except Error as exc:
                    logger.debug("Heartbeat of %s %s not written: %s", model.__name__, pk, exc)
                    _reconnect_next_beat()
        finally:
            connections.close_all()

    thread = threading.Thread(target=beat, name=f"heartbeat-{model.__name__}-{pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _reconnect_next_beat() -> None:
    """Drop this thread's connections after a failed beat. One the server closed (a database restart,
    pg_terminate_backend) fails every query until it is closed, and a thread outside a request is never given a
    fresh one: the beats would fail for ever and the reaper fail the live job."""
    try:
        connections.close_all()
    except Error as exc:
        logger.debug("Heartbeat connection not closed cleanly: %s", exc)
