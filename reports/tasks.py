"""Thin Celery adapters: load by id, call the service, return little."""

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
    except TRANSIENT as exc:
        if self.request.retries < self.max_retries:
            raise self.retry(exc=exc, countdown=min(120, 5 * 2**self.request.retries)) from exc
        services.report_job_fail(job_id=job_id, task_id=self.request.id, error=f"{type(exc).__name__}: {exc}")
        return "failed"
    except Exception as exc:  # a bug or bad data: record it for the user, never loop
        services.report_job_fail(job_id=job_id, task_id=self.request.id, error=f"{type(exc).__name__}: {exc}")
        raise


@shared_task(name="reports.reconcile_report_jobs", ignore_result=True, soft_time_limit=50, time_limit=60)
def reconcile_report_jobs():
    return services.report_jobs_reconcile()
