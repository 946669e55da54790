"""gunicorn's threaded worker, sharing new connections evenly between the workers (gunicorn.conf.py uses it).

All workers listen on one socket, and whichever wakes first accepts a new connection. Clients that open their
connections at once (a proxy's pool, 50 analysts' browsers after a restart, `bench_load`'s 50 keep-alive connections)
were split unevenly: splits of 43/7 and 45/5 between two workers were seen, and the worker holding most connections
answers each of them at a fraction of the rate. The score API's p95 was 185 ms at a 45/5 split, 114 ms at 36/14 and
100 ms at 13/37 (three 20 s runs on the same server, 10:45 UTC on 7 December 2026).

So a worker holding more connections than another live worker leaves a new connection to the others: every
listening worker is woken by it, the one holding the fewest takes it, and the others stop listening for
`PAUSE_SECONDS` before they look again. Each worker publishes its count and a heartbeat before and after each turn
of its event loop and at each connection it accepts, in memory shared by every worker the master forks; a worker
whose heartbeat is older than `STALE_SECONDS` (killed, hung, stopping or still starting) is left out, so no dead
worker's count holds the others back. The socket stays shared, so a connection waiting while a worker restarts is
accepted by another, as before. Per-worker `SO_REUSEPORT` sockets balanced as well, but reset what waited in a
restarting worker's queue: 23 resets in 13,000 requests with a worker restarting every 3,000, none with this worker.
"""

from __future__ import annotations

import multiprocessing
import os
import time

from gunicorn.workers.gthread import ThreadWorker

SLOTS = 128  # workers of one master at a time; a worker beyond them accepts as gthread does
STALE_SECONDS = 2.0  # an event loop turns at least once a second
PAUSE_SECONDS = 0.002  # how long a worker holding more connections than another leaves new ones to the others
FREE = 0

# Shared by the master (which imports this module to load the worker class) with every worker it forks.
_PIDS = multiprocessing.RawArray("i", SLOTS)  # the worker holding each slot (the master's pid until it starts)
_CONNECTIONS = multiprocessing.RawArray("i", SLOTS)
_HEARTBEATS = multiprocessing.RawArray("d", SLOTS)  # time.monotonic() of the slot's last publication
_USED = multiprocessing.RawValue("i", 0)  # slots below this have been used


def claim_slot(pids=_PIDS, heartbeats=_HEARTBEATS, used=_USED) -> int | None:
    """A slot for a worker about to be forked (called in the master): one never used, or one whose worker is gone."""
    for slot in range(len(pids)):
        pid = pids[slot]
        if pid == FREE or not _running(pid):
            pids[slot] = os.getpid()
            heartbeats[slot] = 0.0  # left out of comparisons until the worker publishes
            used.value = max(used.value, slot + 1)
            return slot
    return None


def release_slot(worker, pids=_PIDS, heartbeats=_HEARTBEATS) -> None:
    """Free an exited worker's slot (gunicorn.conf.py's `child_exit`, in the master): a worker killed outright (out of
    memory, its timeout) never withdrew, and its last count would otherwise hold the others back for `STALE_SECONDS`."""
    slot = getattr(worker, "slot", None)
    if slot is not None:
        heartbeats[slot] = 0.0
        pids[slot] = FREE


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def fewest(slot: int, mine: int, *, now: float, connections=_CONNECTIONS, heartbeats=_HEARTBEATS, used=_USED) -> bool:
    """Whether the worker in `slot`, holding `mine` connections, holds no more than any other live worker."""
    for other in range(used.value):
        if other != slot and now - heartbeats[other] < STALE_SECONDS and connections[other] < mine:
            return False
    return True


class BalancedThreadWorker(ThreadWorker):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.slot = claim_slot()
        self.accept_after = 0.0  # time.monotonic() before which this worker leaves new connections to the others

    def init_process(self):
        if self.slot is not None:
            _PIDS[self.slot] = os.getpid()
        super().init_process()

    def publish(self) -> None:
        """This worker's connection count and heartbeat for the others (a stopping worker withdraws)."""
        if self.slot is not None:
            _CONNECTIONS[self.slot] = self.nr_conns
            _HEARTBEATS[self.slot] = time.monotonic() if self.alive else 0.0

    def set_accept_enabled(self, enabled):
        super().set_accept_enabled(enabled and time.monotonic() >= self.accept_after)

    def accept(self, listener):
        # Every worker listening is woken by a new connection; one holding more connections than another live worker
        # leaves it to that worker (woken too) and listens again shortly, when the counts may have changed.
        if self.slot is not None and not fewest(self.slot, self.nr_conns, now=time.monotonic()):
            self.accept_after = time.monotonic() + PAUSE_SECONDS
            super().set_accept_enabled(False)
            return
        super().accept(listener)
        self.publish()

    def wait_for_and_dispatch_events(self, timeout):
        self.publish()
        pause = self.accept_after - time.monotonic()
        if pause > 0:  # wake when the pause ends: the loop's next turn listens again
            timeout = min(timeout, pause)
        super().wait_for_and_dispatch_events(timeout)
        self.publish()  # the connections this turn closed, before the next turn (which may wait for the GIL)
