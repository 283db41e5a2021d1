"""Thin Celery adapters: load by id, call the plain function, return little."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import digest, pdf

TRANSIENT = (OperationalError, InterfaceError, OSError)


@shared_task(bind=True, name="plans.render_plan", acks_late=True, reject_on_worker_lost=True, max_retries=3)
def render_plan(self, job_id):
    try:
        return pdf.plan_job_run(job_id=job_id, task_id=self.request.id)
    except TRANSIENT as exc:
        if self.request.retries < self.max_retries:
            raise self.retry(exc=exc, countdown=min(120, 5 * 2**self.request.retries)) from exc
        pdf.plan_job_fail(job_id=job_id, task_id=self.request.id, error=f"{type(exc).__name__}: {exc}")
        return "failed"
    except Exception as exc:
        pdf.plan_job_fail(job_id=job_id, task_id=self.request.id, error=f"{type(exc).__name__}: {exc}")
        raise


@shared_task(name="plans.overdue_digest", ignore_result=True, soft_time_limit=240, time_limit=300)
def overdue_digest():
    """Beat sends this hourly; each person gets at most one digest per ISO week (see plans.digest)."""
    return digest.overdue_digest_send()


@shared_task(name="plans.reconcile_plan_jobs", ignore_result=True, soft_time_limit=50, time_limit=60)
def reconcile_plan_jobs():
    return pdf.plan_jobs_reconcile()
