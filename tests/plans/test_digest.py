"""The overdue digest: once per period, in each person's language, to lead focal points and coordinators."""

import os
import re
import signal
import subprocess
import time
from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection

from assessments.models import Profile
from plans import digest, services
from plans.models import Action, DigestSent
from tests.conftest import ROOT, celery_worker_command, require_postgres, require_redis
from tests.reports.conftest import worker_env

from .conftest import add_action

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 11, 30)


@pytest.fixture
def due(plan, coordinator, organisation, police, action):
    """The ministry's action overdue, a police action due in a week, one far away, one done and overdue."""
    Action.objects.filter(pk=action.pk).update(due_on=MONDAY - timedelta(days=3))
    add_action(plan, coordinator, number=4, lead=police, title="Train officers", due_on=MONDAY + timedelta(days=7))
    add_action(plan, coordinator, number=3, lead=organisation, title="Later", due_on=MONDAY + timedelta(days=90))
    done = add_action(plan, coordinator, number=3, lead=organisation, title="Finished", due_on=MONDAY - timedelta(9))
    services.progress_post(action=done, by=coordinator, status="done", progress=100, note="Done.")


def test_the_digest_goes_to_lead_focal_points_and_coordinators_once_per_week(due, focal_point, coordinator, police):
    from tests.factories import FocalPointRoleFactory

    police_fp = FocalPointRoleFactory(organisation=police).user

    assert digest.overdue_digest_send(today=MONDAY, base_url="https://mnr.example") == 3
    assert digest.overdue_digest_send(today=MONDAY + timedelta(days=2), base_url="https://mnr.example") == 0

    by_person = {m.to[0]: m for m in mail.outbox}
    assert set(by_person) == {focal_point.email, coordinator.email, police_fp.email}
    ministry = by_person[focal_point.email]
    assert ministry.subject == "Action plan: 1 overdue action · 0 due soon"
    assert "Fund the national council" in ministry.body and "Train officers" not in ministry.body
    assert "Later" not in ministry.body and "Finished" not in ministry.body
    assert "https://mnr.example/actions/" in ministry.body
    assert by_person[coordinator.email].subject == "Action plan: 1 overdue action · 1 due soon"
    assert DigestSent.objects.filter(period="2026-W49").count() == 3

    mail.outbox.clear()
    assert digest.overdue_digest_send(today=MONDAY + timedelta(days=7)) == 3  # a new week, a new digest


def test_the_digest_is_written_in_each_persons_language(due, focal_point):
    Profile.objects.create(user=focal_point, language="fr")

    digest.overdue_digest_send(today=MONDAY)

    french = next(m for m in mail.outbox if m.to == [focal_point.email])
    assert "Plan d'action" in french.subject or "plan d’action" in french.subject.lower()


def test_a_failed_send_is_tried_again_next_run(due, focal_point, settings):
    settings.EMAIL_BACKEND = "tests.plans.test_digest.FailingBackend"
    assert digest.overdue_digest_send(today=MONDAY) == 0
    assert not DigestSent.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert digest.overdue_digest_send(today=MONDAY) == 2  # the ministry's focal point and the coordinator


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("SMTP server down")


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_beat_and_worker_send_the_digest_once_per_period(tmp_path, due, focal_point, coordinator):
    """``celery worker --beat`` with the digest every 2 s: several beats, one digest per person this week."""
    require_postgres()
    require_redis()
    assert connection.vendor == "postgresql"
    from mnr_portal.celery import app

    app.control.purge()
    log_path = tmp_path / "worker.log"
    env = worker_env(tmp_path / "media") | {
        "PLAN_DIGEST_EVERY_SECONDS": "2",
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
    }
    command = [*celery_worker_command(f"test-plans-{os.getpid()}@%h"), "--beat", "-s", str(tmp_path / "beat-schedule")]
    with open(log_path, "w") as log:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(SUCCEEDED.findall(log_path.read_text(errors="replace"))) < 3:
            assert proc.poll() is None, log_path.read_text(errors="replace")
            time.sleep(0.5)
        output = log_path.read_text(errors="replace")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        app.control.purge()
    period = digest.period_of(date.today())
    assert DigestSent.objects.filter(period=period).count() == 2  # the ministry's focal point and the coordinator
    runs = [int(n) for n in SUCCEEDED.findall(output)]
    assert len(runs) >= 3 and runs[0] == 2 and not any(runs[1:]), output  # two e-mails on the first beat, then none
    assert output.count("Subject: ") == 2, output


SUCCEEDED = re.compile(r"Task plans\.overdue_digest\[[^\]]+\] succeeded in [\d.]+s: (\d+)")
