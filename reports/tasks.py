"""Thin Celery adapters: load by id, call the service, return little.

Time limits are the worker's: no task here sets ``time_limit``/``soft_time_limit`` and messages are
published without them, so ``CELERY_TASK_SOFT_TIME_LIMIT``/``CELERY_TASK_TIME_LIMIT`` in the worker's
environment are the ones that hold, whoever published the job (tests/reliability/test_render_faults.py).
"""

import socket

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from . import services
from .models import WorkerHeartbeat

TRANSIENT = (OperationalError, InterfaceError, OSError)


@shared_task(name="reports.worker_heartbeat", ignore_result=True, soft_time_limit=20, time_limit=30)
def worker_heartbeat():
    """Record that a worker is alive; rerunning just moves the timestamp."""
    hostname = socket.gethostname()
    WorkerHeartbeat.objects.update_or_create(hostname=hostname, defaults={"seen_at": timezone.now()})
    return hostname


@shared_task(bind=True, name="reports.render_report", acks_late=True, reject_on_worker_lost=True, max_retries=3)
def render_report(self, job_id):
    """Render a report job. Late ack + reject on worker loss: a killed worker's job is delivered again."""
    try:
        return services.report_job_run(job_id=job_id, task_id=self.request.id)
    except services.JobBusy as busy:
        # A duplicate delivery while the job renders under a live heartbeat: look again once the
        # heartbeat could have gone stale. It never counts against the transient-error retries.
        raise self.retry(countdown=busy.retry_in, max_retries=self.request.retries + 1) from None
    except TRANSIENT as exc:
        attempt = getattr(exc, "report_attempt", None)
        if services.is_disk_full(exc):  # not transient: retrying cannot help until an operator frees space
            services.report_job_fail(
                job_id=job_id, task_id=self.request.id, error=services.disk_full_message(), attempt=attempt
            )
            return "failed"
        if self.request.retries < self.max_retries:
            if attempt is not None:  # give the job back, or the retry would find its heartbeat fresh and wait
                services.report_job_release(job_id=job_id, task_id=self.request.id, attempt=attempt)
            raise self.retry(exc=exc, countdown=min(120, 5 * 2**self.request.retries)) from exc
        services.report_job_fail(
            job_id=job_id, task_id=self.request.id, error=f"{type(exc).__name__}: {exc}", attempt=attempt
        )
        return "failed"
    except Exception as exc:  # a bug or bad data: record it for the user, never loop
        services.report_job_fail(
            job_id=job_id,
            task_id=self.request.id,
            error=f"{type(exc).__name__}: {exc}",
            attempt=getattr(exc, "report_attempt", None),
        )
        raise


@shared_task(name="reports.reconcile_report_jobs", ignore_result=True, soft_time_limit=50, time_limit=60)
def reconcile_report_jobs():
    return services.report_jobs_reconcile()
