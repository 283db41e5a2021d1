"""Report jobs survive a worker killed whole, a broker that lost its data, and data that can never render.

Everything runs for real: PostgreSQL, Redis (a database of its own, see ``conftest.py``) and
``celery worker`` processes. The row in ``ReportJob`` is the source of truth; these tests check that
whatever happens to the worker or the broker, each job ends done or failed exactly once, with no
second job, no second file and no message left going round.
"""

import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from reports import services
from reports.models import ReportJob
from tests.factories import make_cycle
from tests.reliability.conftest import worker_settings

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

TIMEOUT = 60
VISIBILITY = 5
# A killed worker's message is handed out again by a worker starting more than VISIBILITY seconds later.
FAST_RESTORE = {"CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY)}


def wait_until(predicate, worker=None, *, timeout=TIMEOUT, what="the job"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker is not None:
            worker.assert_alive()
        if result := predicate():
            return result
        time.sleep(0.1)
    pytest.fail(f"Waited {timeout} s for {what}." + (f" Worker log:\n{worker.log()}" if worker else ""))


def job_state(pk):
    return ReportJob.objects.filter(pk=pk).values("status", "progress", "attempts", "file", "error", "task_id").get()


def finished(pk):
    state = job_state(pk)
    return state if state["status"] in (ReportJob.Status.DONE, ReportJob.Status.FAILED) else None


def report_files():
    root = Path(settings.MEDIA_ROOT) / "reports"
    return sorted(str(p.relative_to(settings.MEDIA_ROOT)) for p in root.rglob("*") if p.is_file())


def test_the_worker_reads_a_short_visibility_timeout_from_its_environment():
    options = worker_settings(**FAST_RESTORE)

    assert options["visibility_timeout"] == VISIBILITY


def test_whole_worker_killed_during_render_finishes_exactly_once(
    start_worker, broker, seeded_cycle, coordinator, long_reports, capsys, fault_row
):
    """The job's heartbeat stops with the worker; once it is stale the reconciler (beat) gives the job a new
    message, whatever the visibility timeout. The dead worker's message, handed out later, is skipped."""
    first = start_worker(**FAST_RESTORE)
    job, created = services.report_job_request(cycle=seeded_cycle, by=coordinator)
    assert created

    # Progress 30: the HTML is built and WeasyPrint is laying out pages, the long part.
    wait_until(
        lambda: (s := job_state(job.pk))["status"] == ReportJob.Status.RUNNING and s["progress"] >= 30,
        first,
        what="the render to start",
    )
    first.kill_all()
    killed_at = time.monotonic()
    assert job_state(job.pk)["status"] == ReportJob.Status.RUNNING, "the render finished before the kill"
    # The dead worker's message is delivered but unacknowledged.
    assert broker.unacked() + broker.queued() == 1

    second = start_worker(**FAST_RESTORE)
    # Beat runs the reconciler every RECONCILE_EVERY seconds; here the test plays beat.
    requeued = wait_until(lambda: services.report_jobs_reconcile(), second, what="the heartbeat to go stale")
    assert requeued == [job.pk]
    state = wait_until(lambda: finished(job.pk), second, what="the job to finish after the kill")
    recovery = time.monotonic() - killed_at
    with capsys.disabled():
        print(f"\n[reliability] whole worker SIGKILLed mid-render: done {recovery:.1f} s after the kill")

    assert state["status"] == ReportJob.Status.DONE, f"{state['error']}\n{second.log()}"
    assert state["attempts"] == 2
    assert state["task_id"] != job.task_id
    assert recovery < TIMEOUT
    assert ReportJob.objects.filter(cycle=seeded_cycle).count() == 1
    assert report_files() == [state["file"]]
    assert (Path(settings.MEDIA_ROOT) / state["file"]).read_bytes().startswith(b"%PDF")
    # A worker starting later hands the dead worker's message out again: it is a stale duplicate.
    second.stop()
    third = start_worker(**FAST_RESTORE)
    wait_until(lambda: broker.queued() == 0 and broker.unacked() == 0, third, what="the stale message to be run")
    wait_until(lambda: f"render_report[{job.task_id}] succeeded" in third.log(), third, what="the stale message")
    assert "'skipped'" in third.log()
    assert job_state(job.pk) == state
    assert report_files() == [state["file"]]
    fault_row(
        "Whole worker SIGKILLed mid-render (any visibility timeout)",
        "'Rendering 30%' then, after 30 s without heartbeat, 'No sign of the worker … started again'; then Ready",
        f"Ready {recovery:.0f} s after the kill (heartbeat stale 30 s + reconciler + render)",
    )


def test_whole_worker_killed_with_the_production_visibility_timeout_the_reconciler_recovers_it(
    start_worker, broker, seeded_cycle, coordinator, long_reports
):
    """With the default hour-long visibility timeout the broker keeps the dead worker's message; the
    reconciler (beat runs it every minute) gives the job a new message once its heartbeat is older
    than the lease. When the broker finally hands the old message back, it is a stale duplicate."""
    first = start_worker()
    job, _created = services.report_job_request(cycle=seeded_cycle, by=coordinator)
    wait_until(
        lambda: (s := job_state(job.pk))["status"] == ReportJob.Status.RUNNING and s["progress"] >= 30,
        first,
        what="the render to start",
    )
    first.kill_all()
    second = start_worker()
    assert services.report_jobs_reconcile() == []  # the heartbeat is fresh: the job may still be rendering

    # A beat run once the lease has passed (time moved forward rather than waited for).
    later = timezone.now() + services.running_lease() + timedelta(seconds=1)
    assert services.report_jobs_reconcile(now=later) == [job.pk]
    state = wait_until(lambda: finished(job.pk), second, what="the requeued job")

    assert state["status"] == ReportJob.Status.DONE, f"{state['error']}\n{second.log()}"
    assert state["attempts"] == 2
    assert state["task_id"] != job.task_id
    assert broker.unacked() == 1  # the dead worker's message, which the broker will restore in an hour
    # An hour later: a worker whose sweep finds the old message past its visibility timeout.
    second.stop()
    third = start_worker(**FAST_RESTORE)
    wait_until(lambda: broker.queued() == 0 and broker.unacked() == 0, third, what="the stale message to be run")
    wait_until(lambda: f"render_report[{job.task_id}] succeeded" in third.log(), third, what="the stale message")
    assert f"render_report[{job.task_id}] succeeded in" in third.log() and "'skipped'" in third.log()
    assert job_state(job.pk) == state
    assert ReportJob.objects.filter(cycle=seeded_cycle).count() == 1
    assert report_files() == [state["file"]]


def test_redis_flushed_with_jobs_queued_the_reconciler_requeues_them(
    start_worker, broker, seeded_cycle, tiny_framework, country_a, organisation, coordinator
):
    cycles = [seeded_cycle] + [
        make_cycle(
            country=country_a, framework_version=tiny_framework, organisations=[organisation], by=coordinator, title=t
        )
        for t in ("Follow-up review 2026", "Sector review 2026")
    ]
    jobs = [services.report_job_request(cycle=cycle, by=coordinator)[0] for cycle in cycles]
    assert broker.queued() == 3

    broker.flush()  # Redis lost everything: the messages and kombu's queue bindings

    # Within the grace period a queued job is left alone; its message may still be on its way.
    assert services.report_jobs_reconcile() == []
    ReportJob.objects.update(enqueued_at=timezone.now() - services.QUEUE_GRACE - timedelta(seconds=1))
    assert sorted(services.report_jobs_reconcile()) == sorted(j.pk for j in jobs)
    assert services.report_jobs_reconcile() == []  # requeued once, not on every pass
    assert broker.queued() == 3

    worker = start_worker()
    states = {j.pk: wait_until(lambda j=j: finished(j.pk), worker, what=f"job {j.pk}") for j in jobs}

    assert {s["status"] for s in states.values()} == {ReportJob.Status.DONE}, worker.log()
    assert {s["attempts"] for s in states.values()} == {1}
    assert ReportJob.objects.count() == 3
    assert report_files() == sorted(s["file"] for s in states.values())
    wait_until(lambda: broker.queued() == 0 and broker.unacked() == 0, worker, what="the queue to empty")


def test_a_job_that_always_fails_stops_after_bounded_attempts(
    start_worker, broker, seeded_cycle, coordinator, monkeypatch
):
    real = services.with_chapters

    def broken(cycle, data):
        data = real(cycle, data)
        del data["capabilities"]  # what the job freezes: every render of it raises KeyError
        return data

    monkeypatch.setattr(services, "with_chapters", broken)
    worker = start_worker(**FAST_RESTORE)
    job, _created = services.report_job_request(cycle=seeded_cycle, by=coordinator)

    state = wait_until(lambda: finished(job.pk), worker)

    assert state["status"] == ReportJob.Status.FAILED
    assert state["error"] == "The report could not be rendered: KeyError: 'capabilities'"
    assert 1 <= state["attempts"] <= services.MAX_ATTEMPTS
    assert report_files() == []
    # The failure acknowledged the message: nothing is queued, nothing held, nothing comes back.
    wait_until(lambda: broker.queued() == 0 and broker.unacked() == 0, worker, what="the message to be acknowledged")
    time.sleep(VISIBILITY + 2)
    assert (broker.queued(), broker.unacked()) == (0, 0)
    assert job_state(job.pk) == state
    # The reconciler leaves a failed job alone: only a person retries it.
    assert services.report_jobs_reconcile(now=timezone.now() + timedelta(days=1)) == []
