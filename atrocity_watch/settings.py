"""Settings for Atrocity Watch, read from the environment with safe local defaults.

Every value that differs between machines is an environment variable. The defaults run the whole system on a
bare machine: SQLite, a filesystem Celery broker and the console email backend.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ATROCITY_WATCH_VAR_DIR", BASE_DIR / "var"))

DEVELOPMENT_SECRET_KEY = "development-only-secret-key-never-use-in-production"  # noqa: S105

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean environment variable; refuse anything that is not clearly true or false."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use true or false.")


def env_int(name: str, default: int) -> int:
    """Read an integer environment variable; refuse a value that is not a whole number."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated environment variable into a list of non-empty items."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set to a private value when DEBUG is off.")
if not DEBUG and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "atrocity_watch.apps.AtrocityWatchAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "core",
    "atrocity_watch",
    "indicators",
    "forecasts",
    "alerts",
    "networks",
    "reports",
]

MIDDLEWARE = [
    # Outermost: replays a kept score answer to an API token after the checks the stack would make (its docstring).
    "atrocity_watch.api.kept.KeptApiAnswerMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compress about tenfold; static files never reach it (whitenoise serves them precompressed, above).
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "atrocity_watch.identity.CachedAuthenticationMiddleware",
    "atrocity_watch.middleware.LoginRequiredForPagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "atrocity_watch.urls"
WSGI_APPLICATION = "atrocity_watch.wsgi.application"
ASGI_APPLICATION = "atrocity_watch.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "atrocity_watch.context_processors.roles",
                "atrocity_watch.context_processors.header_items",
                "indicators.context_processors.demonstration_data",
            ],
        },
    },
]

# SQLite is the embedded default; DATABASE_URL switches to PostgreSQL in production and CI.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web process, the worker and beat share one SQLite file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "atrocity_watch.auth_backends.AdministratorRoleBackend",
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
FORMAT_MODULE_PATH = ["atrocity_watch.formats"]  # 24-hour times in the admin too
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# plotly.js is a partial bundle vendored in static/vendor/plotly/ (its README says which and why), never a CDN.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Uploads above this size are refused before they reach an importer.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)
ASSESSMENT_UPLOAD_MAX_BYTES = env_int("ASSESSMENT_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)

# Where the real public datasets live; seed_demo imports them when the folder exists.
ATROCITY_WATCH_DATA_DIR = Path(os.environ.get("ATROCITY_WATCH_DATA_DIR", BASE_DIR.parent / "shared" / "data"))
FRAMEWORK_CSV = BASE_DIR / "indicators" / "reference" / "un_foa_2014.csv"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "atrocity-watch@localhost")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# Celery: the filesystem transport needs no server, so worker and beat run for real on a bare machine.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    # kombu expects the folders to exist; creating them here means any process can start a worker or send.
    for _folder in ("queue", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# A burst of assessments for one country leads to one score recompute this many seconds after the first.
SCORES_RECOMPUTE_DEBOUNCE_SECONDS = env_int("SCORES_RECOMPUTE_DEBOUNCE_SECONDS", 10)
# The onset forecast's stored backtest starts here (EWP's out-of-sample forecasts start in 1994).
FORECAST_BACKTEST_FIRST_YEAR = env_int("FORECAST_BACKTEST_FIRST_YEAR", 1994)
# Processes that fit the backtest's years side by side (the results do not depend on it).
FORECAST_JOBS = env_int("FORECAST_JOBS", 2)
if FORECAST_JOBS < 1:
    raise ImproperlyConfigured(f"FORECAST_JOBS={FORECAST_JOBS} must be at least 1.")

# Actor networks: our own jurisdiction (ISO-3), for "exposure" (ties to it) and "sanctioned by us"; and the largest
# network whose analysis a page computes at once (larger ones are queued for the worker).
NETWORK_HOME_JURISDICTION = os.environ.get("NETWORK_HOME_JURISDICTION", "GBR").strip().upper()
if len(NETWORK_HOME_JURISDICTION) != 3 or not NETWORK_HOME_JURISDICTION.isalpha():
    raise ImproperlyConfigured(f"NETWORK_HOME_JURISDICTION={NETWORK_HOME_JURISDICTION!r} is not an ISO-3 code.")
NETWORK_INLINE_ANALYSIS_MAX_ACTORS = env_int("NETWORK_INLINE_ANALYSIS_MAX_ACTORS", 1500)

REST_FRAMEWORK = {
    # The token class comes first so an unauthenticated request answers 401 with a WWW-Authenticate header.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "atrocity_watch.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["atrocity_watch.api.permissions.HasAnyRole"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "atrocity_watch.api.pagination.OrderedPageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.api.exceptions.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["atrocity_watch.api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api": os.environ.get("API_THROTTLE_RATE", "1200/min")},
    "NON_FIELD_ERRORS_KEY": "non_field_errors",
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": False,
}
API_MAX_PAGE_SIZE = env_int("API_MAX_PAGE_SIZE", 500)
API_BULK_MAX_ROWS = env_int("API_BULK_MAX_ROWS", 5000)

SPECTACULAR_SETTINGS = {
    "TITLE": "Atrocity Watch API",
    # The docs page shows this as Markdown: its links lead back into the app (there is no other way back).
    "DESCRIPTION": "Country risk scores, indicators, assessments and the escalation workflow.\n\n"
    "[Back to Atrocity Watch](/) · [Methodology](/methodology/) · [Your API tokens](/account/tokens/)",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Separate request and response components, so clients (and schemathesis) never send read-only fields.
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "ToolEnum": "alerts.models.Tool",
        "ActorKindEnum": "networks.models.ActorKind",
        "RelationshipKindEnum": "networks.models.RelationshipKind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "atrocity_watch.api.schema.add_error_responses",
        "atrocity_watch.api.schema.document_query_parameters",
    ],
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if env_bool("USE_X_FORWARDED_PROTO", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# ----------------------------------------------------------------------------------------------------------------
# Hardening (issue 13): grouped here so the rest of the file stays as it was.

# The API reads JSON (the bulk endpoint also CSV and uploads); bodies nested too deeply answer 400, not 500.
REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] = ["core.api.parsers.DepthLimitedJSONParser"]

# Hardening middleware sits right after SecurityMiddleware, so every later layer sees only requests it may serve.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "atrocity_watch.middleware.trace_refused"
)
_after_trace = MIDDLEWARE.index("atrocity_watch.middleware.trace_refused") + 1
MIDDLEWARE.insert(_after_trace, "atrocity_watch.middleware.api_query_parameters_once")

# Login lockout (django-axes): AXES_FAILURE_LIMIT wrong passwords for one username lock that account for
# AXES_COOLOFF_MINUTES, during which even the right password is refused with a page that says so. The same limit per
# client address stops one machine spraying passwords over many usernames; a successful sign-in resets the count.
INSTALLED_APPS.append("axes")
AUTHENTICATION_BACKENDS.insert(0, "axes.backends.AxesStandaloneBackend")
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "atrocity_watch.account_views.login_locked_out"
AXES_VERBOSE = False
# Failed API token authentications per client address and minute before further attempts answer 429.
API_TOKEN_FAILURES_PER_MINUTE = env_int("API_TOKEN_FAILURES_PER_MINUTE", 20)

# Content-Security-Policy (django-csp 4): no inline script, no eval, nothing from another origin. Chart data travels
# in <script type="application/json"> islands that static scripts read. Measured in Chromium
# (tests/browser/test_content_security_policy.py): plotly.js draws the map, trend and compare charts without
# 'unsafe-eval', but inserts <style> elements and style attributes (mode bar, hover labels), as does the Swagger UI at
# /api/docs/; without style-src 'unsafe-inline' Chromium reports style-src-elem and style-src-attr violations there.
# Styles cannot run code, so style-src allows 'unsafe-inline' and script-src stays strict.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
MIDDLEWARE.insert(MIDDLEWARE.index("atrocity_watch.middleware.trace_refused") + 1, "csp.middleware.CSPMiddleware")
# Powerful browser features this application never uses are switched off for it and anything it might embed.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=()"
MIDDLEWARE.insert(MIDDLEWARE.index("csp.middleware.CSPMiddleware") + 1, "atrocity_watch.middleware.permissions_policy")

# Redis as the cache, falling back to local memory while it is unreachable (the API keeps answering; /healthz says so).
if REDIS_URL:
    CACHES["default"]["BACKEND"] = "atrocity_watch.cache.FallbackRedisCache"
# Per-user values every page asks for (the user, roles, desks, API token, unread notifications) are kept in the cache
# only when it is shared by every process (core.user_cache); sessions then live in it too, written through to the
# database (atrocity_watch.sessions). The embedded default reads them from the database on every request.
USER_VALUES_CACHED = env_bool("USER_VALUES_CACHED", bool(REDIS_URL))
if USER_VALUES_CACHED:
    SESSION_ENGINE = "atrocity_watch.sessions"

# Database time limits (atrocity_watch/database.py): a short connect timeout everywhere; statement timeouts of a few
# seconds in web processes (set by wsgi.py/asgi.py) and sized to the longest task in Celery workers (set when the
# worker starts). A stuck database then answers 503 quickly instead of holding every gunicorn worker.
DATABASE_CONNECT_TIMEOUT = env_int("DATABASE_CONNECT_TIMEOUT", 3)
DATABASE_STATEMENT_TIMEOUTS = {
    "web": env_int("DATABASE_WEB_STATEMENT_TIMEOUT", 4),
    "worker": env_int("DATABASE_WORKER_STATEMENT_TIMEOUT", 30 * 60),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = DATABASE_CONNECT_TIMEOUT

# The data version's query (indicators/data_version.py) is prepared once per PostgreSQL connection; turn it off behind a
# connection pooler in transaction mode, whose server connections change between statements.
DATABASE_PREPARED_VERSION_QUERY = env_bool("DATABASE_PREPARED_VERSION_QUERY", True)

# Long jobs (score runs, imports), in a worker or a terminal, stamp a heartbeat every RUN_HEARTBEAT_SECONDS; the reaper
# (a beat task every minute) marks one whose stamp is older than RUN_STALE_SECONDS as failed, since its process died,
# and re-queues it once (not a terminal's import: its file is on that user's disk).
RUN_HEARTBEAT_SECONDS = env_int("RUN_HEARTBEAT_SECONDS", 20)
RUN_STALE_SECONDS = env_int("RUN_STALE_SECONDS", 180)
# A job still queued, never taken by a worker, QUEUED_LOST_SECONDS after its last hand-over lost its task message
# (Redis keeps nothing on disk): the reapers queue it again, at most QUEUED_REQUEUES_MAX times (core/lost_messages.py).
# The same two settings govern score recomputes and retrainings, which have no row: indicators/scoring/lost_messages.py.
QUEUED_LOST_SECONDS = env_int("QUEUED_LOST_SECONDS", 600)
QUEUED_REQUEUES_MAX = env_int("QUEUED_REQUEUES_MAX", 6)
# An unacknowledged task of a killed worker returns to the queue after this long (kombu's default is an hour); it is
# sized to the longest task, the hard time limit in atrocity_watch/celery.py, plus a margin.
TASK_TIME_LIMIT_SECONDS = 30 * 60  # task_time_limit in atrocity_watch/celery.py
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": TASK_TIME_LIMIT_SECONDS + 5 * 60}
