"""The broker fails under a running system: Redis restarted mid-render, Redis hung.

Each test starts its own ``redis-server`` (``redis_server`` in ``conftest.py``) so that it can stop,
restart or SIGSTOP it; the shared Redis is never touched.
"""

import time

import pytest

from reports import services
from reports.models import ReportJob
from tests.factories import make_cycle
from tests.reliability.test_report_jobs import finished, job_state, wait_until

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_redis_restarted_during_a_render_the_worker_survives_and_runs_the_next_job(
    start_own_worker,
    redis_server,
    seeded_cycle,
    tiny_framework,
    country_a,
    organisation,
    coordinator,
    long_reports,
    tmp_path,
    fault_row,
):
    worker = start_own_worker(production=True, concurrency=2, extra=["--beat", f"--schedule={tmp_path}/beat"])
    job, _created = services.report_job_request(cycle=seeded_cycle, by=coordinator)
    wait_until(
        lambda: (s := job_state(job.pk))["status"] == ReportJob.Status.RUNNING and s["progress"] >= 30,
        worker,
        what="the render to start",
    )

    restarted_at = time.monotonic()
    redis_server.restart(down_for=1.0)  # no persistence: the restarted Redis is empty

    state = wait_until(lambda: finished(job.pk), worker, what="the render to finish after the restart")
    assert state["status"] == ReportJob.Status.DONE, f"{state['error']}\n{worker.log()}"
    # The worker reconnects rather than exiting ("Unrecoverable error: AttributeError ... 'hostname'").
    time.sleep(3)
    worker.assert_alive()
    assert "Unrecoverable error" not in worker.log()

    other = make_cycle(
        country=country_a, framework_version=tiny_framework, organisations=[organisation], by=coordinator, title="Next"
    )
    next_job, _created = services.report_job_request(cycle=other, by=coordinator)
    state = wait_until(lambda: finished(next_job.pk), worker, what="the next job after the restart")
    assert state["status"] == ReportJob.Status.DONE, worker.log()
    fault_row(
        "Redis restarted (1 s down, empty) during a render; production worker flags, concurrency 2",
        "the report in progress finished (Ready); the worker stayed up; the next report rendered",
        f"next report Ready {time.monotonic() - restarted_at:.0f} s after the restart",
    )


def test_a_hung_redis_does_not_hang_generate_report_and_the_reconciler_does_the_rest(
    client, own_broker, redis_server, seeded_cycle, coordinator, start_own_worker, fault_row
):
    """Redis SIGSTOPped: the kernel still accepts connections but nothing answers (60 s and a 500 before)."""
    from django.contrib.messages import get_messages
    from django.urls import reverse

    from reports.tasks import render_report

    render_report.apply_async(args=[0], task_id="warm-up")  # the web process holds a pooled connection
    client.force_login(coordinator)
    redis_server.pause()
    try:
        began = time.monotonic()
        response = client.post(reverse("reports:report_generate", args=[seeded_cycle.pk]), {"language": "en"})
        answered = time.monotonic() - began
    finally:
        redis_server.resume()

    assert response.status_code == 302
    assert answered < 8, f"the request took {answered:.1f} s"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "The report is queued; the worker will pick it up as soon as the message service answers again. "
        "This page shows its progress."
    ]
    job = ReportJob.objects.get()
    assert job.status == ReportJob.Status.QUEUED
    # The timed-out LPUSH may still have reached Redis (it was in the socket when Redis stopped): either
    # way the job's row, not the broker, decides; a message with an outdated task id is skipped.

    # A beat run after the grace period publishes it again; a worker renders it.
    ReportJob.objects.filter(pk=job.pk).update(enqueued_at=job.enqueued_at - services.QUEUE_GRACE * 2)
    assert services.report_jobs_reconcile() == [job.pk]
    worker = start_own_worker()
    state = wait_until(lambda: finished(job.pk), worker, what="the reconciled job")
    assert state["status"] == ReportJob.Status.DONE, worker.log()
    fault_row(
        "Redis hung (SIGSTOP) while a coordinator presses Generate report",
        f"the page answered in {answered:.1f} s: 'queued; the worker will pick it up as soon as the message "
        "service answers again'",
        "job re-sent by the reconciler after the 2-minute grace (+ up to 15 s for beat), then rendered",
    )
