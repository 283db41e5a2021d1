"""Shared fixtures: fast test settings, framework fixtures, and guards for real services.

Tests marked ``services`` need PostgreSQL, Redis or a Celery worker. Locally they are skipped
with the reason when a service is missing; with ``CI`` set they fail, so CI never passes by
silently testing less.
"""

import os
import socket
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from mnr_portal.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent
FRAMEWORK_FILE = ROOT / "fixtures" / "mnr-2016.yaml"
TINY_FRAMEWORK_FILE = ROOT / "tests" / "data" / "tiny-framework.yaml"


def service_missing(reason):
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but a required service is missing: {reason}")
    pytest.skip(reason)


def redis_url():
    return django_settings.CELERY_BROKER_URL


def require_postgres():
    if django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        service_missing("needs PostgreSQL: set DATABASE_URL=postgres://…")


def require_redis():
    url = redis_url()
    if not url.startswith("redis://"):
        service_missing("needs Redis: set CELERY_BROKER_URL=redis://…")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        service_missing(f"Redis at {url} does not answer: {exc}")


@pytest.fixture(autouse=True)
def _test_settings(settings, request):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.AXES_ENABLED = "axes" in request.keywords
    settings.MEDIA_ROOT = str(Path(request.getfixturevalue("tmp_path")) / "media")
    eager = "services" not in request.keywords
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = eager
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def framework(db):
    """The real MNR-2016 framework, loaded from the shipped fixture."""
    from capabilities.fileformat import parse_framework
    from capabilities.services import framework_load

    return framework_load(data=parse_framework(FRAMEWORK_FILE.read_text(), str(FRAMEWORK_FILE))).version


@pytest.fixture
def tiny_framework(db):
    """A published two-domain framework small enough to reason about in a test."""
    from capabilities.fileformat import parse_framework
    from capabilities.services import framework_load

    return framework_load(data=parse_framework(TINY_FRAMEWORK_FILE.read_text(), str(TINY_FRAMEWORK_FILE))).version


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
