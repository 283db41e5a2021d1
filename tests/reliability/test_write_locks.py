"""Across two PostgreSQL connections: a save that starts while the cycle is being closed waits, then is refused.

The coordinator's connection closes the cycle and holds its transaction open; the focal point's
connection saves an answer from a page loaded while the cycle was open. The save must wait for the
close to commit (the row lock of ``submission_lock``) and then see the closed cycle, never write
behind it.
"""

import threading
import time

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction

from assessments import services
from assessments.models import Answer, AnswerRevision, Cycle, Submission
from tests.conftest import require_postgres

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

HOLD = 1.0  # seconds the close keeps its transaction open after the save has started


def run(target, errors):
    def wrapped():
        try:
            target()
        except Exception as exc:  # reported by the test thread
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=wrapped)
    thread.start()
    return thread


def test_a_save_racing_a_cycle_close_waits_for_it_and_is_refused(answer, focal_point, coordinator):
    require_postgres()
    stale = Answer.objects.select_related("submission__cycle").get(pk=answer.pk)
    locked, saving = threading.Event(), threading.Event()
    outcome, errors = {}, []

    def close():
        with transaction.atomic():
            services.cycle_close(cycle=Cycle.objects.get(pk=answer.submission.cycle_id), by=coordinator)
            locked.set()
            saving.wait(10)
            time.sleep(HOLD)

    def save():
        locked.wait(10)
        saving.set()
        started = time.monotonic()
        try:
            services.answer_save(
                answer=stale, choice="3", evidence="Act 1.", comment="", base_version=0, by=focal_point
            )
        except PermissionDenied as exc:
            outcome["refused"] = str(exc)
        outcome["waited"] = time.monotonic() - started

    threads = [run(close, errors), run(save, errors)]
    for thread in threads:
        thread.join(30)

    assert not errors, errors
    assert "This cycle is closed" in outcome.get("refused", ""), outcome
    assert outcome["waited"] >= HOLD * 0.8, "the save did not wait for the close's row lock"
    assert Answer.objects.get(pk=answer.pk).version == 0
    assert not AnswerRevision.objects.filter(answer=answer).exists()


def test_a_save_racing_a_submit_waits_for_it_and_is_refused(answer, focal_point, coordinator):
    """Submit holds the questionnaire's lock; a save from the same page waits and then meets "submitted"."""
    require_postgres()
    stale = Answer.objects.select_related("submission__cycle").get(pk=answer.pk)
    locked, saving = threading.Event(), threading.Event()
    outcome, errors = {}, []

    def submit():
        with transaction.atomic():
            services.submission_submit(
                submission=Submission.objects.get(pk=answer.submission_id), by=focal_point, confirm_unanswered=True
            )
            locked.set()
            saving.wait(10)
            time.sleep(HOLD)

    def save():
        locked.wait(10)
        saving.set()
        try:
            services.answer_save(answer=stale, choice="1", evidence="", comment="", base_version=0, by=focal_point)
        except PermissionDenied as exc:
            outcome["refused"] = str(exc)

    threads = [run(submit, errors), run(save, errors)]
    for thread in threads:
        thread.join(30)

    assert not errors, errors
    assert "submitted" in outcome.get("refused", ""), outcome
    assert Answer.objects.get(pk=answer.pk).version == 0
