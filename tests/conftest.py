"""Shared fixtures: personas for permission checks, Celery in eager mode, and browser launch settings.

Personas: alice and bob are analysts on different desks, fiona is the R2P Focal Point, victor a viewer from another
department, ada an administrator. Country QAA belongs to alice's desk, QBB to bob's.
"""

import os

import pytest

from atrocity_watch.celery import app as celery_app

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "1")

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(autouse=True, scope="session")
def celery_broker_in_memory_by_default():
    """Without a configured broker, tests use Celery's in-memory transport instead of the filesystem one."""
    if not os.environ.get("CELERY_BROKER_URL"):
        celery_app.conf.broker_url = "memory://"
        celery_app.conf.broker_transport_options = {}
    if not os.environ.get("CELERY_RESULT_BACKEND"):
        # Results let a test wait for a real worker; the memory cache is shared by the worker thread.
        celery_app.conf.result_backend = "cache+memory://"
    yield


@pytest.fixture(autouse=True)
def celery_eager():
    """Run tasks in-process unless a test starts a real worker."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def desk_a(db):
    from tests.factories import DeskFactory

    return DeskFactory(name="Great Lakes desk", slug="great-lakes")


@pytest.fixture
def desk_b(db):
    from tests.factories import DeskFactory

    return DeskFactory(name="Southeast Asia desk", slug="southeast-asia")


@pytest.fixture
def country_a(desk_a):
    from tests.factories import CountryFactory

    return CountryFactory(iso3="QAA", name="Alphaland", desk=desk_a)


@pytest.fixture
def country_b(desk_b):
    from tests.factories import CountryFactory

    return CountryFactory(iso3="QBB", name="Betaland", region="Asia", subregion="South-eastern Asia", desk=desk_b)


@pytest.fixture
def alice(desk_a):
    from tests.factories import UserFactory

    return UserFactory(username="alice", role="analyst", desks=[desk_a])


@pytest.fixture
def bob(desk_b):
    from tests.factories import UserFactory

    return UserFactory(username="bob", role="analyst", desks=[desk_b])


@pytest.fixture
def fiona(db):
    from tests.factories import UserFactory

    return UserFactory(username="fiona", role="focal_point")


@pytest.fixture
def victor(db):
    from tests.factories import UserFactory

    return UserFactory(username="victor", role="viewer")


@pytest.fixture
def ada(db):
    from tests.factories import UserFactory

    return UserFactory(username="ada", role="administrator")


@pytest.fixture
def nobody(db):
    """A signed-in account with no role at all, e.g. one whose role was withdrawn."""
    from tests.factories import UserFactory

    return UserFactory(username="nobody")


@pytest.fixture
def personas(alice, bob, fiona, victor, ada):
    return {"alice": alice, "bob": bob, "fiona": fiona, "victor": victor, "ada": ada}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}
