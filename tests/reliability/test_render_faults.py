"""A render meets a full disk, duplicate deliveries of its message, and the worker's time limits.

The row in ``ReportJob`` decides who may render: a message claims a queued job, or a running one whose
heartbeat went stale; progress and the file are written only while the claiming attempt owns the job.
"""

import errno
import os
import time
from pathlib import Path

import pytest
from django.conf import settings

from reports import services
from reports.models import ReportJob
from reports.tasks import render_report
from tests.reliability.test_report_jobs import finished, job_state, report_files, wait_until


def all_files():
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def disk_full(monkeypatch):
    """The disk fills up while the PDF is written: part of it lands in the file, then ENOSPC."""
    state = {"full": True}
    real_fsync = os.fsync

    def fsync(fd):
        if state["full"]:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)  # the private storage flushes every file it writes
    return state


@pytest.mark.django_db
def test_a_full_disk_fails_the_job_at_once_with_an_operator_message_and_leaves_no_partial_file(
    seeded_cycle, coordinator, disk_full, fault_row
):
    job, _created = services.report_job_request(cycle=seeded_cycle, by=coordinator)

    render_report.apply(args=[job.pk], task_id=job.task_id)  # the task itself, as the worker runs it

    state = job_state(job.pk)
    assert state["status"] == ReportJob.Status.FAILED
    assert state["attempts"] == 1  # not retried: another try cannot help until space is freed
    assert state["error"] == (
        "The server has no space to store the report — an operator must free disk space, then try again."
    )
    assert state["file"] == ""
    assert all_files() == []  # the partial .tmp file is gone

    disk_full["full"] = False  # an operator freed space: "Try again" works
    job.refresh_from_db()
    services.report_job_retry(job=job, by=coordinator)
    render_report.apply(args=[job.pk], task_id=ReportJob.objects.get(pk=job.pk).task_id)
    state = job_state(job.pk)
    assert state["status"] == ReportJob.Status.DONE
    assert all_files() == [state["file"]]
    fault_row(
        "Disk full while the PDF is written (ENOSPC)",
        "'Failed: the server has no space to store the report — an operator must free disk space'; no partial file",
        "Try again renders once space is freed (1 attempt, no retries)",
    )


@pytest.mark.django_db
def test_a_render_that_raises_while_writing_removes_its_partial_file(seeded_cycle, coordinator, monkeypatch):
    def broken(path, target):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "replace", broken)  # the private storage renames the written file into place
    job, _created = services.report_job_request(cycle=seeded_cycle, by=coordinator)

    with pytest.raises(OSError):
        services.report_job_run(job_id=job.pk, task_id=job.task_id)

    assert all_files() == []


@pytest.mark.django_db
def test_the_reconciler_removes_partial_files_left_by_a_killed_worker(seeded_cycle, settings):
    folder = Path(settings.MEDIA_ROOT) / "reports" / f"cycle-{seeded_cycle.pk}"
    folder.mkdir(parents=True)
    old, fresh = folder / "report-1.abc.tmp", folder / "report-2.def.tmp"
    old.write_bytes(b"%PDF-1.7 partial")
    fresh.write_bytes(b"%PDF-1.7 being written")
    long_ago = time.time() - settings.CELERY_TASK_TIME_LIMIT - 120
    os.utime(old, (long_ago, long_ago))

    services.report_jobs_reconcile()

    assert not old.exists() and fresh.exists()  # a render may still be writing the fresh one


@pytest.mark.django_db
def test_a_stale_attempt_can_neither_move_progress_nor_write_the_file(seeded_cycle, coordinator):
    job, _created = services.report_job_request(cycle=seeded_cycle, by=coordinator)
    real = services.render_report_pdf

    def overtaken(data, on_progress=None):
        # While this attempt renders, its heartbeat goes stale and another message claims the job.
        ReportJob.objects.filter(pk=job.pk).update(attempts=2, progress=40)
        return real(data, on_progress=on_progress)

    services.render_report_pdf = overtaken
    try:
        assert services.report_job_run(job_id=job.pk, task_id=job.task_id) == "skipped"
    finally:
        services.render_report_pdf = real

    state = job_state(job.pk)
    assert (state["status"], state["progress"], state["file"]) == (ReportJob.Status.RUNNING, 40, "")
    assert all_files() == []


@pytest.mark.django_db
def test_a_duplicate_delivery_while_the_job_renders_waits_instead_of_claiming(seeded_cycle, coordinator):
    job, _created = services.report_job_request(cycle=seeded_cycle, by=coordinator)
    ReportJob.objects.filter(pk=job.pk).update(status=ReportJob.Status.RUNNING, attempts=1, progress=30)
    ReportJob.objects.filter(pk=job.pk).update(heartbeat_at=ReportJob.objects.get(pk=job.pk).created_at)
    from django.utils import timezone

    ReportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())

    with pytest.raises(services.JobBusy) as busy:
        services.report_job_run(job_id=job.pk, task_id=job.task_id)

    assert 1 <= busy.value.retry_in <= services.HEARTBEAT_STALE.total_seconds() + 1
    assert job_state(job.pk)["attempts"] == 1  # not claimed again


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_duplicate_deliveries_with_a_short_visibility_timeout_and_two_workers_render_once(
    start_worker, broker, seeded_cycle, coordinator, long_reports, fault_row
):
    """Visibility timeout 2 s, a render of several seconds: a sweep for messages past their visibility timeout
    (a worker's start, or its periodic sweep) hands the same message (same task id) to a worker while the first
    still renders it. It must wait, not render it again.

    Both workers are up before the job is requested and the test sweeps itself, at a moment it knows the render
    is under way: the duplicate must not depend on how fast a worker starts on a busy machine."""
    short = {"CELERY_VISIBILITY_TIMEOUT": "2"}
    first = start_worker(concurrency=2, **short)
    second = start_worker(concurrency=2, **short)
    logs = lambda: first.log() + second.log()  # noqa: E731
    wait_until(lambda: first.log().count(" ready.") + second.log().count(" ready.") == 2, first, what="the workers")
    job, _created = services.report_job_request(cycle=seeded_cycle, by=coordinator)
    wait_until(
        lambda: (s := job_state(job.pk))["status"] == ReportJob.Status.RUNNING and s["progress"] >= 30,
        first,
        what="the render to start",
    )
    time.sleep(2.5)  # the message is now past its visibility timeout
    assert broker.unacked() == 1
    broker.sweep(visibility_timeout=2)

    # Back in the queue, the duplicate goes to either worker (each has a free process) at once, and waits.
    wait_until(lambda: "Retry in" in logs(), second, what="the duplicate to arrive and wait", timeout=30)
    assert job_state(job.pk)["status"] == ReportJob.Status.RUNNING, "the render ended before the duplicate came"
    state = wait_until(lambda: finished(job.pk), first, what="the job", timeout=90)
    assert state["status"] == ReportJob.Status.DONE, f"{state['error']}\n{first.log()}\n{second.log()}"
    assert state["attempts"] == 1  # the duplicate did not claim the job while it rendered
    # The duplicate looks again once the heartbeat could be stale, finds the job done, and is skipped.
    wait_until(lambda: "'skipped'" in logs(), second, what="the duplicate to be skipped", timeout=60)
    first.assert_alive()
    assert job_state(job.pk) == state
    assert report_files() == [state["file"]]
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.tmp"))
    fault_row(
        "Message delivered again mid-render (visibility timeout 2 s, two workers)",
        "one render (1 attempt), Ready once, the file written once; the duplicate waited, then was skipped",
        "no recovery needed",
    )


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_workers_time_limits_hold_for_jobs_published_elsewhere(
    start_worker, broker, seeded_cycle, coordinator, long_reports, fault_row
):
    """This process (the publisher, like the web) keeps the default 300/360 s; the worker says 1/30 s."""
    assert settings.CELERY_TASK_SOFT_TIME_LIMIT == 300
    worker = start_worker(CELERY_TASK_SOFT_TIME_LIMIT="1", CELERY_TASK_TIME_LIMIT="30")
    job, _created = services.report_job_request(cycle=seeded_cycle, by=coordinator)

    state = wait_until(lambda: finished(job.pk), worker, what="the time limit")

    assert state["status"] == ReportJob.Status.FAILED, worker.log()
    assert state["error"] == "Rendering took longer than 1 seconds and was stopped."
    assert all_files() == []
    fault_row(
        "Render longer than the worker's soft time limit (worker 1 s, publisher 300 s)",
        "'Failed: rendering took longer than 1 seconds and was stopped' (the worker's limit held)",
        "immediate; Try again available",
    )


@pytest.mark.django_db
def test_a_transient_error_gives_the_job_back_so_the_retry_claims_it_at_once(seeded_cycle, coordinator, monkeypatch):
    from django.db import OperationalError

    job, _created = services.report_job_request(cycle=seeded_cycle, by=coordinator)
    calls = []
    real = services.render_report_pdf

    def flaky(data, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(data, **kwargs)

    monkeypatch.setattr(services, "render_report_pdf", flaky)
    # Eagerly, Celery runs the retry at once: it must claim the job, not find a fresh heartbeat and wait.
    render_report.apply(args=[job.pk], task_id=job.task_id)

    state = job_state(job.pk)
    assert (state["status"], state["attempts"], len(calls)) == (ReportJob.Status.DONE, 2, 2)
