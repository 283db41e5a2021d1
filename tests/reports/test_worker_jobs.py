"""Report jobs on a real Celery worker (prefork, one child) over Redis and PostgreSQL.

Nothing is patched inside the worker: it is another process. To have time to kill a render, the
test makes the job's frozen data large (every capability repeated in its domain chapter), which is
done on the requesting side, where the data is frozen.
"""

import os
import signal
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from reports import services
from reports.models import ReportJob
from tests.reports.conftest import pdf_text

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

TIMEOUT = 90
REPEAT = 30  # each capability printed 30 times: a render of several seconds


def wait_until(predicate, worker, *, timeout=TIMEOUT, what="the job"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        worker.assert_alive()
        if result := predicate():
            return result
        time.sleep(0.1)
    pytest.fail(f"Waited {timeout} s for {what}. Worker log:\n{worker.log()}")


def job_state(pk):
    return ReportJob.objects.filter(pk=pk).values("status", "progress", "attempts", "file", "error").get()


def finished(pk):
    state = job_state(pk)
    return state if state["status"] in (ReportJob.Status.DONE, ReportJob.Status.FAILED) else None


def test_a_requested_report_is_rendered_by_a_real_worker(celery_worker_process, seeded_cycle, coordinator):
    assert connection.vendor == "postgresql"

    job, created = services.report_job_request(cycle=seeded_cycle, by=coordinator)

    assert created
    state = wait_until(lambda: finished(job.pk), celery_worker_process)
    assert state["status"] == ReportJob.Status.DONE, f"{state['error']}\n{celery_worker_process.log()}"
    assert (state["progress"], state["attempts"]) == (100, 1)
    pdf = (Path(settings.MEDIA_ROOT) / state["file"]).read_bytes()
    assert pdf.startswith(b"%PDF")
    assert "3. Legislation" in pdf_text(pdf)


def test_a_render_whose_worker_child_is_killed_is_delivered_again_and_finishes_once(
    celery_worker_process, seeded_cycle, coordinator, monkeypatch
):
    real = services.cycle_report_data

    def large(cycle, **kwargs):
        data = real(cycle, **kwargs)
        for domain in data["domains"]:
            domain["capabilities"] = domain["capabilities"] * REPEAT
        return data

    monkeypatch.setattr(services, "cycle_report_data", large)
    job, _created = services.report_job_request(cycle=seeded_cycle, by=coordinator)

    # Progress 30: the HTML is built and WeasyPrint is laying out pages, the long part.
    wait_until(
        lambda: job_state(job.pk)["progress"] >= 30 and job_state(job.pk)["status"] == ReportJob.Status.RUNNING,
        celery_worker_process,
        what="the render to start",
    )
    children = celery_worker_process.children()
    assert len(children) == 1, children
    os.kill(children[0], signal.SIGKILL)
    assert job_state(job.pk)["status"] == ReportJob.Status.RUNNING, "the render finished before the kill"

    state = wait_until(lambda: finished(job.pk), celery_worker_process)

    assert state["status"] == ReportJob.Status.DONE, f"{state['error']}\n{celery_worker_process.log()}"
    assert state["attempts"] >= 2
    assert children[0] not in celery_worker_process.children()  # the pool replaced the killed child
    assert ReportJob.objects.count() == 1
    files = sorted(p.name for p in (Path(settings.MEDIA_ROOT) / "reports").rglob("*") if p.is_file())
    assert files == [Path(state["file"]).name]
    job.refresh_from_db()
    pdf = (Path(settings.MEDIA_ROOT) / job.file).read_bytes()
    assert pdf.startswith(b"%PDF")
    assert job.pages > 30  # the inflated report rendered in full (the plain one has 10 pages)
