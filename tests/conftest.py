"""Shared fixtures: personas for permission checks, Celery in eager mode, and browser launch settings.

Personas: alice and bob are analysts on different desks, fiona is the R2P Focal Point, victor a viewer from another
department, ada an administrator. Country QAA belongs to alice's desk, QBB to bob's.
"""

import os

import pytest
from hypothesis import settings as hypothesis_settings

from atrocity_watch.celery import app as celery_app

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "1")
# No test asserts a time: hypothesis's per-example deadline failed properties on a loaded shared machine.
hypothesis_settings.register_profile("untimed", deadline=None)
hypothesis_settings.load_profile("untimed")

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
def cache_cleared():
    """Every test starts with an empty cache: an earlier test's recompute-coalescing keys name country ids the
    database hands out again, and would silently keep this test's recompute from being queued."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def exact_query_pins_count_the_database_path(request):
    """An exact query pin (django_assert_num_queries) counts what every request costs without Redis: the session, user,
    roles, desks, token and unread count read from the database. With Redis (the CI's second run) those come from the
    cache and the same page asks less, so such a test pins the database path (settings as without REDIS_URL) unless
    it chooses a mode itself; the cached path has pins of its own (tests/atrocity_watch/test_cached_identity.py, the
    `cached` cases of the view tests)."""
    if "django_assert_num_queries" in request.fixturenames:
        settings = request.getfixturevalue("settings")
        settings.USER_VALUES_CACHED = False
        settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    yield


@pytest.fixture(autouse=True)
def outbox_trusts_the_broker():
    """The outbox leaves a refusing broker alone for a few seconds in this process; no test inherits that pause."""
    yield
    from core import services

    services._broker_paused_until = None


@pytest.fixture(scope="session")
def reference_data_snapshot(django_db_setup, django_db_blocker) -> str:
    """The migrated reference data (roles, framework, countries, methodology, alert rules), serialised once."""
    from django.db import connection

    with django_db_blocker.unblock():
        return getattr(connection, "_test_serialized_contents", None) or connection.creation.serialize_db_to_string()


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return bool({"transactional_db", "live_server"} & set(request.fixturenames))


@pytest.fixture(autouse=True)
def reference_data(request):
    """Give every transactional test the migrations' reference data, even after an earlier one flushed it.

    A transactional test ends with a flush that empties every table, including the roles, framework, countries,
    methodology and alert rules the migrations load. Django's serialized_rollback would restore them, but it
    collides with content types re-created by an earlier flush on PostgreSQL and misses Playwright's connection, so
    the suite does not use it: this fixture restores the data for every transactional test that finds it gone.
    """
    if not _is_transactional(request):
        yield
        return
    request.getfixturevalue("transactional_db")
    snapshot = request.getfixturevalue("reference_data_snapshot")
    from django.contrib.auth.models import Group
    from django.core import serializers
    from django.db import connection, transaction

    if not Group.objects.exists():
        # The flush's post_migrate already re-created content types and permissions; restore everything else.
        with transaction.atomic(), connection.constraint_checks_disabled():
            for deserialized in serializers.deserialize("json", snapshot):
                if deserialized.object._meta.label not in {"contenttypes.ContentType", "auth.Permission"}:
                    deserialized.save()
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
