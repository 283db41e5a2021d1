"""A real Celery worker process, on Redis, runs a task the app enqueues."""

import os
import subprocess
import time

import pytest
from django.conf import settings
from django.db import connection

from reports.models import WorkerHeartbeat
from reports.tasks import worker_heartbeat
from tests.conftest import ROOT, celery_worker_command, require_postgres, require_redis

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def worker_env():
    """The worker must use the test database the test process is using."""
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return os.environ | {"DATABASE_URL": url, "CELERY_BROKER_URL": settings.CELERY_BROKER_URL, "DEBUG": "1"}


@pytest.fixture
def celery_worker_process():
    require_postgres()
    require_redis()
    from mnr_portal.celery import app

    app.control.purge()
    proc = subprocess.Popen(
        celery_worker_command(f"test-{os.getpid()}@%h"),
        cwd=ROOT,
        env=worker_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_a_task_enqueued_by_the_app_runs_in_a_real_worker(celery_worker_process):
    assert connection.vendor == "postgresql"
    worker_heartbeat.delay()

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not WorkerHeartbeat.objects.exists():
        assert celery_worker_process.poll() is None, celery_worker_process.stdout.read()
        time.sleep(0.3)

    beat = WorkerHeartbeat.objects.get()
    assert beat.hostname
    assert (time.time() - beat.seen_at.timestamp()) < 120
