"""Shared fixtures: fast test settings, framework fixtures, and guards for real services.

Tests marked ``services`` need PostgreSQL, Redis or a Celery worker. Locally they are skipped
with the reason when a service is missing; with ``CI`` set they fail, so CI never passes by
silently testing less.
"""

import os
import socket
import sys
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


S3_TEST_BUCKET = "mnr-test-private"


def require_s3():
    """The local S3-protocol server CI starts (``moto_server``), at ``MNR_TEST_S3_ENDPOINT``."""
    endpoint = os.environ.get("MNR_TEST_S3_ENDPOINT")
    if not endpoint:
        service_missing("needs an S3-protocol server: run `moto_server -p 5055`, set MNR_TEST_S3_ENDPOINT")
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    client = boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
    )
    try:
        client.create_bucket(Bucket=S3_TEST_BUCKET)
    except client.exceptions.BucketAlreadyOwnedByYou:
        pass
    except (BotoCoreError, ClientError) as exc:
        service_missing(f"the S3-protocol server at {endpoint} does not answer: {exc}")
    return endpoint, client


@pytest.fixture
def s3_private_storage(request, settings):
    """``STORAGES["private"]`` on the local S3-protocol server, as production configures it
    (PRIVATE_STORAGE=s3), under a prefix of the test's own; returns a function listing that prefix's
    objects (key → size)."""
    endpoint, client = require_s3()
    location = f"run-{os.getpid()}-{request.node.name}"[:120]
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": S3_TEST_BUCKET,
                "endpoint_url": endpoint,
                "region_name": "us-east-1",
                "access_key": "test",
                "secret_key": "test",
                "location": location,
                "default_acl": None,
                "file_overwrite": False,
                "querystring_auth": True,
            },
        },
    }

    def objects():
        listed = client.list_objects_v2(Bucket=S3_TEST_BUCKET, Prefix=f"{location}/").get("Contents", [])
        return {item["Key"]: item["Size"] for item in listed}

    return objects


@pytest.fixture(autouse=True)
def _test_settings(settings, request):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.AXES_ENABLED = "axes" in request.keywords
    settings.MEDIA_ROOT = str(Path(request.getfixturevalue("tmp_path")) / "media")
    settings.REPORT_JOBS_IN_THREAD = False  # the built-in mode renders inline in tests (see reports.services)
    # The API's rate limit counts in the "api-rate" cache: in the process's memory here (the shared Redis one is
    # tests/api/test_rate_limit.py's, marked services), and every test starts with none of its tokens' requests.
    from django.core.cache import cache, caches

    settings.CACHES = {**settings.CACHES, "api-rate": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    caches["api-rate"].clear()
    eager = "services" not in request.keywords
    previous = celery_app.conf.task_always_eager
    settings.CELERY_TASK_ALWAYS_EAGER = eager  # Celery reads the Django setting first when it is set
    celery_app.conf.task_always_eager = eager
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _two_factor_verified_logins(request, monkeypatch):
    """Test logins of admins and coordinators count as two-step verified, as after the real second step.

    ``client.force_login(user)`` and ``client.login(...)`` give such a user a confirmed authenticator
    (if they have none) and store it in the session the way ``django_otp.login`` does, so tests about
    anything else need not go through the code page. Tests marked ``real_2fa`` get plain logins and
    meet the enforcement as a person would; the browser tests go through the real pages (actions.log_in).
    """
    if "real_2fa" in request.keywords:
        return
    from django.contrib.auth import SESSION_KEY, get_user_model
    from django.test.client import ClientMixin

    force_login, login = ClientMixin.force_login, ClientMixin.login

    def verified_force_login(self, user, backend=None):
        force_login(self, user, backend)
        mark_two_factor_verified(self, user.pk)

    def verified_login(self, **credentials):
        logged_in = login(self, **credentials)
        if logged_in:
            mark_two_factor_verified(self, get_user_model()._meta.pk.to_python(self.session[SESSION_KEY]))
        return logged_in

    monkeypatch.setattr(ClientMixin, "force_login", verified_force_login)
    monkeypatch.setattr(ClientMixin, "login", verified_login)


def mark_two_factor_verified(client, user_pk):
    from django.contrib.auth import get_user_model
    from django_otp import DEVICE_ID_SESSION_KEY

    from mnr_portal.two_factor import confirmed_device, requires_two_factor
    from tests.factories import TOTPDeviceFactory

    # A fresh copy: the roles cached on the test's own user object must not be touched.
    user = get_user_model().objects.get(pk=user_pk)
    if not requires_two_factor(user):
        return
    device = confirmed_device(user) or TOTPDeviceFactory(user=user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


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


def celery_worker_command(name, *, heartbeat=True):
    """The command line of a one-process prefork Celery worker, as the tests start it."""
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "mnr_portal",
        "worker",
        "--pool=prefork",
        "--concurrency=1",
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
    ]
    if not heartbeat:
        command.append("--without-heartbeat")
    return [*command, "-n", name]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Assessment personas ------------------------------------------------------------------------------
# Country A ("Arcadia") runs an open cycle on the tiny framework with one ministry taking part; its
# coordinator, two focal points of that ministry and an observer. The outsider holds both roles in
# country B ("Borduria"), which runs its own cycle: everything of country A must be a 404 to them.


@pytest.fixture
def country_a(db):
    from tests.factories import CountryFactory

    return CountryFactory(code="AA", name="Arcadia")


@pytest.fixture
def country_b(db):
    from tests.factories import CountryFactory

    return CountryFactory(code="BB", name="Borduria")


@pytest.fixture
def organisation(country_a, tiny_framework):
    """A ministry of country A: asked C01.1, C01.2 and C03.1 of the tiny framework."""
    from tests.factories import OrganisationFactory, SectorFactory

    return OrganisationFactory(country=country_a, name="Ministry of Interior", sector=SectorFactory(code="ministry"))


@pytest.fixture
def coordinator(country_a):
    from tests.factories import CoordinatorRoleFactory, UserFactory

    user = UserFactory(username="cora", first_name="Cora", last_name="Mendes")
    CoordinatorRoleFactory(user=user, country=country_a)
    return user


@pytest.fixture
def focal_point(organisation):
    from tests.factories import FocalPointRoleFactory, UserFactory

    user = UserFactory(username="farid", first_name="Farid", last_name="Osei")
    FocalPointRoleFactory(user=user, organisation=organisation)
    return user


@pytest.fixture
def second_focal_point(organisation):
    from tests.factories import FocalPointRoleFactory, UserFactory

    user = UserFactory(username="sade", first_name="Sade", last_name="Lindqvist")
    FocalPointRoleFactory(user=user, organisation=organisation)
    return user


@pytest.fixture
def observer(country_a):
    from tests.factories import ObserverRoleFactory, UserFactory

    user = UserFactory(username="oli", first_name="Oli", last_name="Varga")
    ObserverRoleFactory(user=user, country=country_a)
    return user


@pytest.fixture
def superuser(db):
    from tests.factories import UserFactory

    return UserFactory(username="root", first_name="Root", last_name="Admin", is_staff=True, is_superuser=True)


@pytest.fixture
def cycle(tiny_framework, country_a, organisation, coordinator):
    """Country A's open cycle with the ministry taking part."""
    from tests.factories import make_cycle

    return make_cycle(country=country_a, framework_version=tiny_framework, organisations=[organisation], by=coordinator)


@pytest.fixture
def submission(cycle, organisation):
    return cycle.submissions.select_related("cycle", "organisation").get(organisation=organisation)


@pytest.fixture
def answer(submission):
    """The ministry's answer to C01.1, still empty."""
    return submission.answers.select_related("indicator").get(indicator__code="C01.1")


@pytest.fixture
def organisation_b(country_b, tiny_framework):
    from tests.factories import OrganisationFactory, SectorFactory

    return OrganisationFactory(country=country_b, name="Borduria Police", sector=SectorFactory(code="law_enforcement"))


@pytest.fixture
def outsider(country_b, organisation_b):
    """Coordinator of country B and focal point of its police: plenty of rights, none in country A."""
    from tests.factories import CoordinatorRoleFactory, FocalPointRoleFactory, UserFactory

    user = UserFactory(username="otto", first_name="Otto", last_name="Brandt")
    CoordinatorRoleFactory(user=user, country=country_b)
    FocalPointRoleFactory(user=user, organisation=organisation_b)
    return user


@pytest.fixture
def cycle_b(tiny_framework, country_b, organisation_b, outsider):
    from tests.factories import make_cycle

    return make_cycle(
        country=country_b,
        framework_version=tiny_framework,
        organisations=[organisation_b],
        by=outsider,
        title="Borduria review 2026",
    )


@pytest.fixture
def submission_b(cycle_b, organisation_b):
    return cycle_b.submissions.get(organisation=organisation_b)
