"""Row-lock pile-ups: a few autosaves wait on a locked answer while the site keeps answering.

gunicorn runs here in the production shape (``mnr_portal/gunicorn_conf.py``: gthread, 2 workers x 8
threads, timeout 60) against the test database. The test holds a row lock from a connection of its own,
as a long transaction would; PostgreSQL's ``lock_timeout`` (set per connection by settings.py) ends
each waiting save after a few seconds.
"""

import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import psycopg2
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.conftest import ROOT, free_port, require_postgres
from tests.reports.conftest import worker_env

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

CSRF = "a" * 32


@pytest.fixture
def gunicorn(tmp_path):
    require_postgres()
    port = free_port()
    log_path = tmp_path / "gunicorn.log"
    env = worker_env(settings.MEDIA_ROOT) | {"GUNICORN_BIND": f"127.0.0.1:{port}", "CELERY_BROKER_URL": ""}
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "mnr_portal/gunicorn_conf.py", "mnr_portal.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        assert proc.poll() is None, log_path.read_text()
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)  # noqa: S310
            break
        except OSError:
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.2)
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def session_of(user):
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def request(base, path, session, data=None, timeout=90):
    headers = {"Cookie": f"sessionid={session}; csrftoken={CSRF}", "X-CSRFToken": CSRF, "HX-Request": "true"}
    body = None
    if data is not None:
        body = urllib.parse.urlencode(data).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Referer"] = base + "/"
    began = time.monotonic()
    try:
        req = urllib.request.Request(base + path, data=body, headers=headers)  # noqa: S310 - http to the test server
        with urllib.request.urlopen(req, timeout=timeout) as r:  # noqa: S310
            status = r.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    return status, time.monotonic() - began


def test_saves_waiting_on_a_row_lock_time_out_while_healthz_and_other_users_keep_answering(
    gunicorn, answer, focal_point, second_focal_point, coordinator, fault_row
):
    db = settings.DATABASES["default"]
    holder = psycopg2.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"],
        dbname=db["NAME"],
    )
    path = reverse("assessments:answer_update", args=[answer.submission_id, answer.pk])
    prefix = f"a{answer.pk}"
    save = {f"{prefix}-choice": "", f"{prefix}-evidence": "Typed while the row was locked", f"{prefix}-comment": ""}
    save[f"{prefix}-version"] = answer.version
    from tests.factories import FocalPointRoleFactory, UserFactory

    third = UserFactory(username="tariq")
    FocalPointRoleFactory(user=third, organisation=answer.submission.organisation)
    sessions = [session_of(u) for u in (focal_point, second_focal_point, third)]
    other = session_of(coordinator)
    results = []
    try:
        with holder.cursor() as cursor:  # a transaction that keeps the answer's row locked
            cursor.execute("SELECT id FROM assessments_answer WHERE id = %s FOR UPDATE", [answer.pk])
            savers = [
                threading.Thread(target=lambda s=s: results.append(request(gunicorn, path, s, save))) for s in sessions
            ]
            for t in savers:
                t.start()
            time.sleep(1)  # the three saves are now waiting on the lock
            assert not results
            health = [request(gunicorn, "/healthz", None) for _ in range(5)]
            home = request(gunicorn, "/", other)
            for t in savers:
                t.join(timeout=60)
    finally:
        holder.rollback()
        holder.close()

    assert all(status == 200 and took < 1.5 for status, took in health), health
    assert home[0] == 200 and home[1] < 3, home
    assert len(results) == 3
    lock_timeout = settings.DB_LOCK_TIMEOUT_MS / 1000
    for status, took in results:
        # The database gave up after its lock timeout (the view answers 503 "try again"); nothing hung for
        # 60 s. A save may wait twice (behind another save's lock on the submission, then on the answer).
        assert status >= 500 and took < 2 * lock_timeout + 3, results
    answer.refresh_from_db()
    assert answer.evidence == ""  # nothing half-saved
    acknowledged = sum(1 for status, _took in results if status == 200)
    fault_row(
        "Answer row locked by a long transaction; 3 autosaves wait (gthread 2x8)",
        f"/healthz answered in ≤ {max(t for _s, t in health):.2f} s, another user's page in {home[1]:.2f} s; "
        f"the saves got an error after {min(t for _s, t in results):.1f}–{max(t for _s, t in results):.1f} s "
        "(lock_timeout 5 s), the typed text kept in the page",
        "immediate once the lock is released",
        saves_acked=str(acknowledged),
        saves_lost="0",
    )


def test_a_second_click_waiting_on_the_cycle_lock_gets_the_job_the_first_click_is_creating(
    seeded_cycle, coordinator, monkeypatch
):
    """The first request freezes a large report under the cycle's lock; the second gives up after lock_timeout
    and is shown the active job instead of an error."""
    require_postgres()
    from reports import services

    monkeypatch.setattr(services, "_enqueue", lambda job_id, task_id: True)
    active, _created = services.report_job_request(cycle=seeded_cycle, by=coordinator)
    db = settings.DATABASES["default"]
    holder = psycopg2.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"],
        dbname=db["NAME"],
    )
    try:
        with holder.cursor() as cursor:
            cursor.execute("SELECT id FROM assessments_cycle WHERE id = %s FOR UPDATE", [seeded_cycle.pk])
            began = time.monotonic()
            job, created = services.report_job_request(cycle=seeded_cycle, by=coordinator)
            waited = time.monotonic() - began
    finally:
        holder.rollback()
        holder.close()

    assert (job.pk, created) == (active.pk, False)
    assert settings.DB_LOCK_TIMEOUT_MS / 1000 - 0.5 < waited < settings.DB_LOCK_TIMEOUT_MS / 1000 + 3
