"""Settings for MNR Portal, read from the environment.

Development defaults are safe and need nothing installed: SQLite under ``var/`` and
Celery tasks run in-process. With ``DEBUG`` off, the secrets and services must be named.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name, default=False):
    """Read a boolean; an odd value such as ``DEBUG=maybe`` is an error, not False."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use one of 1/0, true/false, yes/no, on/off.")


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_secret(name, default=None):
    """Read ``NAME`` or, for container secrets, the file named by ``NAME_FILE``."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={path!r} cannot be read: {exc}") from exc
    return os.environ.get(name, default)


def _required_in_production(name, value):
    if not value and not DEBUG:
        raise ImproperlyConfigured(
            f"{name} must be set when DEBUG is off (see .env.example). "
            "There is no fallback: a production server never invents one."
        )
    return value


DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = _required_in_production("SECRET_KEY", env_secret("SECRET_KEY"))
if not SECRET_KEY:
    # Only reachable with DEBUG on: a fixed, obviously unsafe development key.
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production"  # noqa: S105  # nosec B105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Where people reach the portal: the links of e-mails sent without a request (scheduled tasks, commands).
SITE_URL = os.environ.get(
    "SITE_URL", "http://127.0.0.1:8000" if DEBUG else (f"https://{ALLOWED_HOSTS[0]}" if ALLOWED_HOSTS else "")
)

INSTALLED_APPS = [
    "modeltranslation",  # before the admin, so that translated fields appear there
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "template_partials",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "mnr_portal",
    "accounts",
    "capabilities",
    "assessments",
    "evidence",
    "reports",
    "plans",
    "api",
    "network",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "mnr_portal.language.UserLanguageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "mnr_portal.middleware.SessionTimeoutMiddleware",
    "mnr_portal.two_factor.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "csp.middleware.CSPMiddleware",
    "mnr_portal.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "mnr_portal.urls"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

WSGI_APPLICATION = "mnr_portal.wsgi.application"

_database_url = os.environ.get("DATABASE_URL")
_required_in_production("DATABASE_URL", _database_url)
DATABASES = {
    "default": dj_database_url.parse(
        _database_url or f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# PostgreSQL gives up on a row lock after DB_LOCK_TIMEOUT and on any statement after DB_STATEMENT_TIMEOUT
# (milliseconds, set on every connection), well below gunicorn's 60 s timeout: a request stuck behind
# another's lock fails fast with SQLSTATE 55P03 / 57014 (an answer save says "try again", keeping the
# text) instead of holding a worker thread until gunicorn kills it. The Celery worker inherits them;
# a render reads its frozen data in a single short query.
DB_LOCK_TIMEOUT_MS = int(os.environ.get("DB_LOCK_TIMEOUT_MS", "5000"))
DB_STATEMENT_TIMEOUT_MS = int(os.environ.get("DB_STATEMENT_TIMEOUT_MS", "20000"))
DB_CONNECT_TIMEOUT = int(os.environ.get("DB_CONNECT_TIMEOUT", "5"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "connect_timeout": DB_CONNECT_TIMEOUT,
            "options": f"-c lock_timeout={DB_LOCK_TIMEOUT_MS} -c statement_timeout={DB_STATEMENT_TIMEOUT_MS}",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): lock a username+address pair after repeated failures.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True

# Two-step verification (django-otp; enforced by mnr_portal.two_factor.TwoFactorMiddleware).
# A wrong code doubles the wait before the next try: 1, 2, 4, 8... seconds per device.
OTP_TOTP_ISSUER = "MNR Portal"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Sessions end after 30 minutes without activity and 8 hours after login, whichever comes first.
SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_TIMEOUT", str(30 * 60)))
SESSION_ABSOLUTE_TIMEOUT = int(os.environ.get("SESSION_ABSOLUTE_TIMEOUT", str(8 * 3600)))
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG and env_bool("SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = not DEBUG and env_bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", True) else None
SECURE_HSTS_SECONDS = 0 if DEBUG else int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("ar", _("Arabic")),
    ("pt", _("Portuguese")),
]
# Framework content (django-modeltranslation): one column per language, falling back to English.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# collectstatic writes here; with DEBUG off, WhiteNoise serves it (hashed names, gzip and brotli copies).
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Generated reports live here; they are served only through an authorising view.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
# Evidence documents and report PDFs: the "private" storage, never under a public URL (served only by
# authorising views). The local filesystem under MEDIA_ROOT by default; PRIVATE_STORAGE=s3 puts them in
# an S3-compatible object store, so that web and worker hosts share no disk (docs/operations.md).
PRIVATE_STORAGE = os.environ.get("PRIVATE_STORAGE", "filesystem")
if PRIVATE_STORAGE == "s3":
    if not os.environ.get("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured("PRIVATE_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME (see docs/operations.md).")
    STORAGES["private"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "access_key": env_secret("AWS_ACCESS_KEY_ID"),
            "secret_key": env_secret("AWS_SECRET_ACCESS_KEY"),
            "location": os.environ.get("AWS_LOCATION", ""),
            # Private objects: no public ACL, never overwritten, and no URL handed out (the views stream them).
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
elif PRIVATE_STORAGE == "filesystem":
    STORAGES["private"] = {"BACKEND": "mnr_portal.storage.AtomicFileSystemStorage"}
else:
    raise ImproperlyConfigured(f"PRIVATE_STORAGE must be 'filesystem' or 's3', not {PRIVATE_STORAGE!r}.")
# Evidence uploads (evidence.filetypes): the size of one file, the documents and links per answer, and the
# pictures an office document may hold (a logo, not photographs).
EVIDENCE_MAX_UPLOAD_BYTES = int(os.environ.get("EVIDENCE_MAX_UPLOAD_MB", "20")) * 1024 * 1024
EVIDENCE_MAX_PER_ANSWER = int(os.environ.get("EVIDENCE_MAX_PER_ANSWER", "10"))
EVIDENCE_MAX_EMBEDDED_MEDIA_BYTES = int(os.environ.get("EVIDENCE_MAX_EMBEDDED_MEDIA_KB", "512")) * 1024

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "MNR Portal <no-reply@localhost>")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Celery: with no broker the embedded default runs tasks in-process, so the same pages work.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL") or ""
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = int(os.environ.get("CELERY_TASK_SOFT_TIME_LIMIT", "300"))
CELERY_TASK_TIME_LIMIT = int(os.environ.get("CELERY_TASK_TIME_LIMIT", "360"))
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Seconds before an unacknowledged message is handed to another worker.
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600")),
    # kombu 5.6 (pinned, see pyproject.toml) sweeps for such messages when a worker starts and then about
    # every 100 s; recovery from a dead worker does not wait for it: the job's heartbeat goes stale after
    # 30 s and the reconciler gives the job a new message (see reports/services.py, docs/operations.md).
    # A hung or unreachable Redis must not hang a web request (issue 10.2): each socket operation gives up
    # after CELERY_BROKER_SOCKET_TIMEOUT seconds, and a publish is tried at most twice. A request that cannot
    # publish leaves its job queued in the database, where the reconciler (beat, every 15 s) finds it.
    "socket_timeout": float(os.environ.get("CELERY_BROKER_SOCKET_TIMEOUT", "1.5")),
    "socket_connect_timeout": float(os.environ.get("CELERY_BROKER_SOCKET_TIMEOUT", "1.5")),
    "socket_keepalive": True,
    "retry_on_timeout": False,
    # Read by kombu when a publisher (re)connects: no retry loop of its own; the publish retry policy
    # below bounds the whole publish to about three socket timeouts.
    "max_retries": 0,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = float(os.environ.get("CELERY_BROKER_SOCKET_TIMEOUT", "1.5"))
# A publish that fails is retried once after 0.2 s, then given up (the caller keeps the job queued).
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0.2, "interval_step": 0.2, "interval_max": 0.2}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Without a broker (the built-in mode) a report renders in a thread of the web process, so that the
# button answers at once and the page follows the job; tests set it off to render inline.
REPORT_JOBS_IN_THREAD = env_bool("REPORT_JOBS_IN_THREAD", default=True)
# The worker's own connection keeps trying for ever: a worker waits out a Redis outage rather than exiting.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django gives its "django" logger a console handler of its own (DEBUG only) that also propagates
        # to the root's: every line, runserver's start-up lines included, was printed twice. One handler.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "ERROR"},
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
AXES_VERBOSE = False

# Development serves static files straight from static/; production serves collectstatic's output.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
# The bundled TTF fonts are for the PDF renderer, which reads them from disk (reports/pdf.py); no page asks
# a browser to download them, and brotli-compressing their ~3 MB took most of collectstatic's time.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "ttf"]
# Content-Security-Policy (django-csp): scripts only from our own static files, never inline or eval.
# Inline *style attributes* stay allowed: progress bars set their width with them (see docs/security.md).
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
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

# Container health checks call /healthz over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Caches. The API's per-token rate limit (api.throttling) counts in "api-rate", which every worker must share:
# Redis when one is configured (API_RATE_LIMIT_REDIS_URL, else REDIS_URL, else a redis:// CELERY_BROKER_URL),
# the process's memory otherwise (the embedded default runs one process).
API_RATE_LIMIT_REDIS_URL = os.environ.get("API_RATE_LIMIT_REDIS_URL") or os.environ.get("REDIS_URL") or ""
if not API_RATE_LIMIT_REDIS_URL and CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    API_RATE_LIMIT_REDIS_URL = CELERY_BROKER_URL
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "api-rate": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": API_RATE_LIMIT_REDIS_URL,
            "KEY_PREFIX": "mnr-api-rate",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
        if API_RATE_LIMIT_REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api-rate"}
    ),
}

# The REST API (api/, docs/api.md): personal tokens only, problem details, per-token rate limit.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.TokenScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": os.environ.get("API_RATE_LIMIT", "600/hour")},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.problems.problem_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # OPTIONS would describe the writes by loading the object outside the scoping helpers: 405 instead.
    "DEFAULT_METADATA_CLASS": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MNR Portal API",
    "DESCRIPTION": "Read a country's assessment and write a focal point's answers. See docs/api.md.",
    "VERSION": "1.0.0",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "CycleStatusEnum": "assessments.models.Cycle.Status",
        "SubmissionStatusEnum": "assessments.models.Submission.Status",
        "ReportJobStatusEnum": "reports.models.ReportJob.Status",
        "ActionStatusEnum": "plans.models.Action.Status",
        "FrameworkVersionStatusEnum": "capabilities.models.FrameworkVersion.Status",
        "LanguageEnum": "mnr_portal.settings.LANGUAGES",
    },
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "api.schema.problem_responses"],
}
# Learning network (network/, docs/methodology.md "Network aggregates"): a figure is shown only when at
# least NETWORK_MIN_COUNTRIES countries contributed to it (k), and a cell of a distribution only when it
# holds no fewer than NETWORK_MIN_CELL countries (with complementary suppression).
NETWORK_MIN_COUNTRIES = int(os.environ.get("NETWORK_MIN_COUNTRIES", "5"))
NETWORK_MIN_CELL = int(os.environ.get("NETWORK_MIN_CELL", "2"))
