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
):
    worker = start_own_worker(production=True, concurrency=2, extra=["--beat", f"--schedule={tmp_path}/beat"])
    job, _created = services.report_job_request(cycle=seeded_cycle, by=coordinator)
    wait_until(
        lambda: (s := job_state(job.pk))["status"] == ReportJob.Status.RUNNING and s["progress"] >= 30,
        worker,
        what="the render to start",
    )

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
