"""What the load and browser benchmarks share: a production-like gunicorn on 127.0.0.1 and signed-in users."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import CommandError
from django.test import Client, override_settings

from core.roles import Role
from indicators.models import Desk

BENCH_USER_PREFIX = "bench_load_"
# Signed-in users rotate through the roles, so per-user parts of the pages (buttons, desks) vary as in real use.
BENCH_ROLES = (Role.VIEWER, Role.ANALYST, Role.FOCAL_POINT)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env() -> dict[str, str]:
    """The environment of a production-like server on 127.0.0.1: DEBUG off, no HTTPS redirect, no throttling."""
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-load-" + "x" * 60),
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "API_THROTTLE_RATE": "100000000/min",
        "DATABASE_CONN_MAX_AGE": os.environ.get("DATABASE_CONN_MAX_AGE", "60"),
        "LOG_LEVEL": "WARNING",
    }


def bench_user(index: int):
    """The index-th benchmark user (0-based), created on first use, in its role (analysts on every desk)."""
    model = get_user_model()
    role = BENCH_ROLES[index % len(BENCH_ROLES)]
    username = f"{BENCH_USER_PREFIX}{index + 1:03d}"
    user = model.objects.filter(username=username).first()
    if user is None:
        user = model.objects.create_user(username=username, first_name="Bench", last_name=f"User {index + 1}")
    user.groups.set([Group.objects.get(name=role.value)])
    if role == Role.ANALYST:
        user.desks.set(Desk.objects.all())
    return user


def session_cookie(user, *, secret_key: str) -> tuple[str, str]:
    """A signed-in session for the user, signed with the server's key: (cookie name, value)."""
    logging.getLogger("axes").setLevel(logging.WARNING)  # one "successful login" line per benchmark user
    with override_settings(SECRET_KEY=secret_key):
        client = Client()
        client.force_login(user)
    return settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value


def collectstatic(env: dict[str, str]) -> None:
    """With DEBUG off, pages name hashed static files from the manifest, so it must exist first."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        timeout=600,
    )


@contextlib.contextmanager
def gunicorn_serving(*, port: int, env: dict[str, str], extra_args: list[str]) -> Iterator[None]:
    """gunicorn from gunicorn.conf.py on 127.0.0.1:port while the block runs; stopped even if this process is."""
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", *extra_args, "--bind", f"127.0.0.1:{port}"],
        cwd=settings.BASE_DIR,
        env=env,
    )
    # A `kill` of the benchmark still stops gunicorn: SystemExit runs the cleanup below.
    signal.signal(signal.SIGTERM, lambda *args: sys.exit(143))
    try:
        _wait_until_up(port, server)
        yield
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_until_up(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise CommandError(f"gunicorn stopped at start (exit {server.returncode}); is port {port} free?")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):  # noqa: S310 - local
                return
        except urllib.error.HTTPError:
            return  # answering at all is enough here; /healthz may report a stopped broker
        except OSError:
            time.sleep(0.3)
    raise CommandError("gunicorn did not answer within 60 seconds.")
