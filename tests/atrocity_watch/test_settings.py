"""Settings come from the environment and fail loudly on bad values."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from atrocity_watch.settings import env_bool, env_int

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_KEY = "kq7-Zt2vR9wXy3LmN8pQ4sU6aB1cD5eF0gH7jK2lM9nO3pQ6rS8tU1vW4xY7zA0b"


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_env_bool_refuses_a_value_that_is_neither_true_nor_false(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG='maybe' is not a boolean"):
        env_bool("SOME_FLAG", False)


def test_env_bool_reads_common_spellings(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "Yes")
    assert env_bool("SOME_FLAG", False) is True
    monkeypatch.setenv("SOME_FLAG", "off")
    assert env_bool("SOME_FLAG", True) is False


def test_env_int_refuses_a_value_that_is_not_a_whole_number(monkeypatch):
    monkeypatch.setenv("SOME_NUMBER", "12a")
    with pytest.raises(ImproperlyConfigured, match="not a whole number"):
        env_int("SOME_NUMBER", 3)


def test_production_refuses_to_start_with_the_development_secret_key():
    result = run_manage("check", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_pass_the_deployment_checklist():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", DEBUG="false", SECRET_KEY=PRODUCTION_KEY)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_times_show_on_the_24_hour_clock_everywhere_the_admin_included():
    """The admin formats date-times as the app's pages do: 16:30, not 4:30 p.m."""
    import datetime as dt

    from django.utils import formats

    moment = dt.datetime(2026, 12, 6, 16, 30, tzinfo=dt.UTC)
    assert formats.date_format(moment, "DATETIME_FORMAT") == "6 Dec 2026, 16:30"
    assert formats.time_format(moment.time()) == "16:30"


@pytest.mark.parametrize(
    ("redis_url", "engine", "cached"),
    [
        ("", "django.contrib.sessions.backends.db", "False"),
        ("redis://127.0.0.1:1/0", "atrocity_watch.sessions", "True"),
    ],
    ids=["embedded default", "with Redis"],
)
def test_sessions_and_per_user_values_live_in_redis_only_when_it_is_there(redis_url, engine, cached):
    """Each process's own memory would never hear of a change made in another: without Redis they stay in the
    database."""
    shown = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SESSION_ENGINE, settings.USER_VALUES_CACHED)",
        REDIS_URL=redis_url,
    )
    assert shown.stdout.strip().splitlines()[-1].split() == [engine, cached], shown.stderr
