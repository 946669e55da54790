"""The gunicorn worker shares new connections evenly between the workers and loses none when a worker restarts."""

import collections
import contextlib
import http.client
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import types
from pathlib import Path

from atrocity_watch.gunicorn_worker import FREE, STALE_SECONDS, claim_slot, fewest, release_slot
from atrocity_watch.management.bench_server import free_port

ROOT = Path(__file__).resolve().parents[2]
WORKER = "atrocity_watch.gunicorn_worker.BalancedThreadWorker"


def shared(slots=4):
    return (
        multiprocessing.RawArray("i", slots),
        multiprocessing.RawArray("i", slots),
        multiprocessing.RawArray("d", slots),
        multiprocessing.RawValue("i", 0),
    )


def gone_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_slot_is_one_never_used_or_one_whose_worker_is_gone():
    pids, _, heartbeats, used = shared(3)
    assert [claim_slot(pids, heartbeats, used) for _ in range(3)] == [0, 1, 2]
    assert used.value == 3
    assert claim_slot(pids, heartbeats, used) is None  # all held (by this process, standing in for the master)
    pids[1] = gone_pid()
    heartbeats[1] = time.monotonic()
    assert claim_slot(pids, heartbeats, used) == 1
    assert heartbeats[1] == 0.0 and pids[1] == os.getpid()


def test_an_exited_workers_slot_is_freed_at_once():
    pids, _, heartbeats, used = shared(2)
    slots = [claim_slot(pids, heartbeats, used) for _ in range(2)]
    heartbeats[1] = time.monotonic()  # killed outright: it never withdrew
    release_slot(types.SimpleNamespace(slot=slots[1]), pids, heartbeats)
    assert (pids[1], heartbeats[1]) == (FREE, 0.0)
    assert claim_slot(pids, heartbeats, used) == 1
    release_slot(types.SimpleNamespace(slot=None), pids, heartbeats)  # a worker beyond the slots: nothing to free


def test_a_worker_takes_a_connection_only_while_no_live_worker_holds_fewer():
    pids, connections, heartbeats, used = shared(3)
    for _ in range(3):
        claim_slot(pids, heartbeats, used)
    now = time.monotonic()
    connections[:] = [5, 4, 9]
    heartbeats[:] = [now, now, now]

    def takes(slot, mine):
        return fewest(slot, mine, now=now, connections=connections, heartbeats=heartbeats, used=used)

    assert not takes(0, 5)  # slot 1 holds 4
    assert takes(1, 4)
    assert takes(0, 4)  # equal counts: either may take it
    heartbeats[1] = now - STALE_SECONDS  # killed, hung or stopping: left out
    assert takes(0, 5)
    heartbeats[1] = 0.0  # claimed, not started
    assert takes(0, 5) and not takes(0, 10)


@contextlib.contextmanager
def gunicorn(*args):
    """gunicorn serving pid_app, started in an empty folder so it leaves the project's gunicorn.conf.py (which loads
    Django and WeasyPrint in each worker) unread."""
    port = free_port()
    folder = tempfile.TemporaryDirectory(prefix="gunicorn_worker_")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--threads",
            "4",
            *args,
            "tests.atrocity_watch.pid_app:app",
        ],
        cwd=folder.name,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(OSError):
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/")
                connection.getresponse().read()
                connection.close()
                break
            assert time.monotonic() < deadline and server.poll() is None, "gunicorn did not start"
            time.sleep(0.1)
        time.sleep(1.5)  # every worker up and publishing (the first answer came from one of them)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)
        folder.cleanup()


def open_at_once(port, count):
    """`count` keep-alive connections opened at the same moment, each asking once: how many each worker answered."""
    start, answers, lock = threading.Barrier(count), [], threading.Lock()
    connections = []

    def one():
        start.wait()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/")
        pid = connection.getresponse().read()
        with lock:
            answers.append(pid)
            connections.append(connection)

    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for connection in connections:
        connection.close()
    return collections.Counter(int(pid) for pid in answers)


def even(shares, workers=3) -> bool:
    return len(shares) == workers and max(shares.values()) - min(shares.values()) <= 1


def test_connections_opened_at_once_are_shared_evenly():
    # (The stock gthread worker split 45 such connections 9/9/27, 2/12/36 and 14/15/21.)
    with gunicorn("--worker-class", WORKER, "--workers", "3") as port:
        for _ in range(2):
            shares = open_at_once(port, 45)
            assert even(shares), shares
            time.sleep(2)  # the closed connections leave the counts
        # A worker restarted (its slot taken by the new one) shares as before.
        os.kill(min(shares), signal.SIGTERM)
        time.sleep(3)
        shares_after = open_at_once(port, 45)
        assert even(shares_after), shares_after
        assert min(shares) not in shares_after


def test_no_connection_is_lost_while_workers_restart():
    with gunicorn(
        "--worker-class", WORKER, "--workers", "2", "--max-requests", "40", "--max-requests-jitter", "0"
    ) as port:
        outcomes, lock = collections.Counter(), threading.Lock()

        def client():
            for _ in range(60):
                try:
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
                    connection.request("GET", "/")
                    outcome = connection.getresponse().status
                    connection.close()
                except OSError as error:
                    outcome = type(error).__name__
                with lock:
                    outcomes[outcome] += 1

        threads = [threading.Thread(target=client) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert outcomes == {200: 480}  # some dozen restarts on the way
