"""gunicorn.conf.py reads its worker numbers from the environment and refuses a bad one by name."""

import runpy
import types
from pathlib import Path

import pytest

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


def test_worker_numbers_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("GUNICORN_THREADS", "")
    conf = runpy.run_path(str(CONF))
    assert (conf["workers"], conf["threads"]) == (3, 4)


@pytest.mark.parametrize("value", ["abc", "0", "-2", "2.5"])
def test_a_bad_worker_number_stops_gunicorn_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv("GUNICORN_THREADS", value)
    with pytest.raises(SystemExit, match=f"GUNICORN_THREADS='{value}' is not a whole number"):
        runpy.run_path(str(CONF))


def test_workers_share_new_connections_evenly():
    conf = runpy.run_path(str(CONF))
    assert conf["worker_class"] == "atrocity_watch.gunicorn_worker.BalancedThreadWorker"
    assert "reuse_port" not in conf  # one shared socket: a restarting worker's waiting connections go to the others


def test_an_exited_worker_frees_its_slot_in_the_master():
    from atrocity_watch import gunicorn_worker

    conf = runpy.run_path(str(CONF))
    slot = gunicorn_worker.claim_slot()
    gunicorn_worker._HEARTBEATS[slot] = 1e12  # as if it had just published
    conf["child_exit"](None, types.SimpleNamespace(slot=slot))
    assert (gunicorn_worker._PIDS[slot], gunicorn_worker._HEARTBEATS[slot]) == (gunicorn_worker.FREE, 0.0)
