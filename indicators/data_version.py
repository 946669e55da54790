"""The version of the data that pages and the score API show, read in one query, for cache keys and ETags.

Scores, rankings, maps, country figures and the counts beside them change only when a score run succeeds, the
active methodology changes, an assessment is recorded, or (through apps above this one) an alert or escalation
changes. Each of those leaves a newer row behind, so the newest row of each table is a version that no write can
skip, whichever process made it: no signal has to reach the cache, and the embedded default's per-process memory
cache stays correct while the Celery worker recomputes scores in another process.

Apps above `indicators` add their own tables with `data_version_source_register` (alerts adds its audit trail,
which records every alert and escalation change; forecasts its models). Django admin's log joins them, for the
countries, desks and reference data an administrator edits. Cached page pieces (indicators.page_cache) and API
answers (indicators.api.caching) are keyed on this version.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.staticfiles.storage import staticfiles_storage
from django.db import DatabaseError, connection
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date

from indicators.models import Assessment, Methodology, ScoreRun


@dataclass(frozen=True)
class _Source:
    newest_first: Callable[[], QuerySet]
    time_field: str | None


_SOURCES: dict[str, _Source] = {}


def data_version_source_register(name: str, newest_first: Callable[[], QuerySet], *, time_field: str | None) -> None:
    """Make a table part of the data version. `newest_first()` orders its rows so that every change the pages show
    puts a new row first (e.g. `order_by("-id")` of an append-only table); `time_field` dates that row, and a change
    of that time (a run's end) changes the version too."""
    _SOURCES[name] = _Source(newest_first=newest_first, time_field=time_field)
    _version_query.cache_clear()


@dataclass(frozen=True)
class DataVersion:
    """`token` changes with every change the pages show; `last_modified` is the newest of the rows' times."""

    token: str
    last_modified: dt.datetime | None

    def key(self, *parts: object) -> str:
        """A cache key for something built from this version of the data by this release of the code (parts must
        be short and printable)."""
        return ":".join(["aw", "data", self.token, code_release(), *(str(part) for part in parts)])

    def etag(self, *parts: object) -> str:
        """A strong ETag for an answer built from this version and the given request parts (path, format, user)."""
        digest = hashlib.sha256("|".join([self.token, *(str(part) for part in parts)]).encode()).hexdigest()
        return f'"{digest[:32]}"'


def data_version() -> DataVersion:
    """The current data version: one query, one or two indexed probes per registered table."""
    names, sql, params = _version_query()
    values = iter(_version_row(sql, params))
    ids, times = [], []
    for name in names:
        ids.append((name, next(values)))
        if _SOURCES[name].time_field:
            times.append(_aware(next(values)))
    # The times join the token: a row whose time is set later (a run's end) changes the version without a new row.
    token = hashlib.sha256(repr([ids, times]).encode()).hexdigest()[:20]
    known = [moment for moment in times if moment is not None]
    return DataVersion(token=token, last_modified=max(known) if known else None)


@functools.cache
def code_release() -> str:
    """A fingerprint of this release's code, templates and static files' manifest, read once per process: a
    shared cache (Redis) outlives a deployment, and a piece built by older code must not be served by newer."""
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    roots = [base / "templates"] + [Path(c.path) for c in apps.get_app_configs() if Path(c.path).parent == base]
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.suffix in (".py", ".html", ".txt") and path.is_file():
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    digest.update(str(getattr(staticfiles_storage, "manifest_hash", "")).encode())
    return digest.hexdigest()[:12]


@functools.cache
def _version_query() -> tuple[list[str], str, list]:
    """The version query's SQL, compiled once per process: compiling it costs more than running it."""
    names = sorted(_SOURCES)
    columns: list[str] = []
    params: list = []
    for name in names:
        source = _SOURCES[name]
        for field in ["pk"] + ([source.time_field] if source.time_field else []):
            sql, field_params = source.newest_first().values(field)[:1].query.sql_with_params()
            columns.append(f"({sql})")
            params.extend(field_params)
    return names, "SELECT " + ", ".join(columns), params


# The names of the statements prepared on each PostgreSQL connection (psycopg's; a reconnect makes a new one).
_PREPARED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _version_row(sql: str, params: list) -> tuple:
    """The version query's row. On PostgreSQL, outside a transaction (as pages and API reads run), it is prepared
    once per connection: every request asks it, and PostgreSQL planned its dozen-odd subqueries anew each time, about
    0.5 ms of the database's CPU per request against 0.07 ms to execute a kept plan (pgbench, this machine). Django's
    psycopg cursors bind on the client and never prepare, so it is prepared in SQL. A statement the server no longer
    holds (a connection pooler's reset, DEALLOCATE) fails in autocommit without harm: the query then runs as it is,
    and is prepared again next time. Only on connections kept between requests (`DATABASE_CONN_MAX_AGE`), and
    `DATABASE_PREPARED_VERSION_QUERY=false` turns it off (behind a pooler in transaction mode, whose connections
    change between statements)."""
    persistent = connection.settings_dict.get("CONN_MAX_AGE") != 0  # else each request's connection is new
    if connection.vendor == "postgresql" and persistent and settings.DATABASE_PREPARED_VERSION_QUERY:
        connection.ensure_connection()
        if not connection.in_atomic_block:
            try:
                return _prepared_row(sql, params)
            except DatabaseError:
                pass  # in autocommit nothing is left aborted: the plain query answers
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


# (sql, params) -> the statement as PostgreSQL is given it, and its name: composing it cost 0.1 ms a request.
_STATEMENTS: dict[tuple, tuple[str, str]] = {}


def _prepared_row(sql: str, params: list) -> tuple:
    from psycopg import errors

    statement = _STATEMENTS.get((sql, *params))
    if statement is None:
        literal = connection.ops.compose_sql(sql, params)
        statement = _STATEMENTS[(sql, *params)] = (
            literal,
            "aw_data_version_" + hashlib.sha256(literal.encode()).hexdigest()[:16],
        )
    literal, name = statement
    prepared = _PREPARED.setdefault(connection.connection, set())
    if name not in prepared:
        try:
            with connection.wrap_database_errors:  # sent to psycopg directly: not a query the pages are counted by
                connection.connection.execute(f"PREPARE {name} AS {literal}")
        except DatabaseError as exc:
            if not isinstance(exc.__cause__, errors.DuplicatePreparedStatement):
                raise
        prepared.add(name)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"EXECUTE {name}")
            return cursor.fetchone()
    except DatabaseError as exc:
        # Only a statement the server no longer holds is prepared again; any other failure (a statement timeout)
        # leaves it prepared, or every later read on this connection would fail to prepare it again.
        if isinstance(exc.__cause__, errors.InvalidSqlStatementName):
            prepared.discard(name)
        raise


def _aware(value) -> dt.datetime | None:
    """A raw cursor gives SQLite's datetimes as text and PostgreSQL's as aware datetimes."""
    if value is None:
        return None
    moment = parse_datetime(value) if isinstance(value, str) else value
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, dt.UTC)


# --- Conditional GET: validators for answers built from the data version -------------------------------------


def request_data_version(request) -> DataVersion:
    """The data version, read once per request however many parts of the answer ask for it."""
    django_request = getattr(request, "_request", request)
    version = getattr(django_request, "_data_version", None)
    if version is None:
        version = django_request._data_version = data_version()
    return version


def _etag(request, version: DataVersion, scope: str) -> str:
    """One ETag per data version, URL, format and user (lists may show each user a different selection). Last-Modified
    moves with score runs, assessments and audited changes; a methodology switch changes only the ETag, which a
    client's If-None-Match checks first."""
    renderer = getattr(request, "accepted_renderer", None)
    user_id = getattr(request.user, "pk", None) or 0
    return version.etag(scope, request.get_full_path(), getattr(renderer, "format", ""), user_id)


def _validators(request, scope: str) -> tuple[DataVersion, str, float | None]:
    version = request_data_version(request)
    modified = version.last_modified.timestamp() if version.last_modified else None
    return version, _etag(request, version, scope), modified


def _mark(response, etag: str, modified: float | None):
    """Validators on the answer, and tell browsers to revalidate each time (a stale risk picture is never fine)."""
    response["ETag"] = etag
    if modified is not None:
        response["Last-Modified"] = http_date(modified)
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ("Accept", "Authorization", "Cookie"))
    return response


def not_modified_or_none(request, *, scope: str) -> HttpResponse | None:
    """A 304 when the client already holds this version of the answer, else None."""
    _, etag, modified = _validators(request, scope)
    django_request = getattr(request, "_request", request)
    not_modified = get_conditional_response(django_request, etag=etag, last_modified=modified)
    return None if not_modified is None else _mark(not_modified, etag, modified)


def conditional_response(request, response, *, scope: str):
    """Put this version's validators on an answer built in full."""
    _, etag, modified = _validators(request, scope)
    return _mark(response, etag, modified)


data_version_source_register(
    "score_run",
    lambda: ScoreRun.objects.filter(status=ScoreRun.Status.SUCCEEDED).order_by("-id"),
    time_field="finished_at",
)
# The overview's status line names the newest run whatever its state: a run's start and its end (succeeded or failed,
# when finished_at is set) change the version too.
data_version_source_register("score_run_any", lambda: ScoreRun.objects.order_by("-id"), time_field="finished_at")
# Activating another version changes every score shown; its own times say nothing about when that happened.
data_version_source_register(
    "methodology", lambda: Methodology.objects.filter(is_active=True).order_by("-id"), time_field=None
)
data_version_source_register("assessment", lambda: Assessment.objects.order_by("-id"), time_field="recorded_at")
# An administrator's edit of a country (its name, region or desk), a desk or the framework shows on every page.
data_version_source_register("admin_change", lambda: LogEntry.objects.order_by("-id"), time_field="action_time")
