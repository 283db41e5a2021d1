"""Report jobs: request, run (idempotent, safe against a killed worker), reconcile; validated levels."""

import logging
import os
import uuid
from datetime import timedelta
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import AuditEvent, Cycle
from assessments.services import audit, cycle_lock_for_change

from .consolidation import cycle_report_data
from .models import EnablerScore, ReportJob, ValidatedLevel
from .pdf import render_report_pdf

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
QUEUE_GRACE = timedelta(minutes=2)  # a queued job nobody claimed by then is enqueued again


def running_lease():
    """A running job whose heartbeat is older than this has lost its worker."""
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


def _enqueue(job_id, task_id):
    from .tasks import render_report

    try:
        render_report.apply_async(args=[job_id], task_id=task_id)
    except Exception:  # the broker is down: the job stays queued and the reconciler retries
        log.exception("Could not enqueue report job %s; it stays queued for the reconciler.", job_id)


def report_job_request(*, cycle, by, request=None, language=None):
    """Freeze the cycle's report data in a new job and enqueue it after commit.

    Returns ``(job, created)``. While a job for the cycle is queued or running, that job is
    returned instead: clicking twice never starts two renders (the database enforces it too).
    """
    try:
        with transaction.atomic():
            Cycle.objects.select_for_update().filter(pk=cycle.pk).first()
            active = ReportJob.objects.active().filter(cycle=cycle).first()
            if active is not None:
                return active, False
            job = ReportJob.objects.create(
                cycle=cycle,
                requested_by=by,
                data=cycle_report_data(cycle, language=language),
                task_id=uuid.uuid4().hex,
                enqueued_at=timezone.now(),
            )
            audit(
                user=by,
                action=AuditEvent.Action.REPORT_REQUESTED,
                country=cycle.country,
                cycle=cycle,
                request=request,
                detail=f"job {job.pk}",
            )
            transaction.on_commit(lambda: _enqueue(job.pk, job.task_id))
            return job, True
    except IntegrityError:
        # Another request created the active job between our check and insert.
        return ReportJob.objects.active().get(cycle=cycle), False


def report_path(job):
    return Path("reports") / f"cycle-{job.cycle_id}" / f"report-{job.pk}.pdf"


def _fail(job_id, task_id, message):
    ReportJob.objects.filter(pk=job_id, task_id=task_id).exclude(status=ReportJob.Status.DONE).update(
        status=ReportJob.Status.FAILED, error=message, finished_at=timezone.now()
    )


def report_job_run(*, job_id, task_id):
    """Render one job. Safe to run twice and after a killed worker.

    1. Claim the job for this broker message (its task id); any other message is a stale duplicate.
    2. Give up after MAX_ATTEMPTS claims, so a job that kills its worker cannot loop for ever.
    3. Render from the frozen data, reporting progress as a heartbeat.
    4. Write the file under a fixed name (a rerun replaces it), then mark the job done.
    Returns the job's final status, or "skipped".
    """
    now = timezone.now()
    claimed = ReportJob.objects.filter(
        pk=job_id, task_id=task_id, status__in=[ReportJob.Status.QUEUED, ReportJob.Status.RUNNING]
    ).update(status=ReportJob.Status.RUNNING, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1, progress=5)
    if not claimed:
        return "skipped"
    job = ReportJob.objects.get(pk=job_id)
    if job.attempts > MAX_ATTEMPTS:
        _fail(
            job_id,
            task_id,
            _(
                "Rendering was interrupted %(n)d times; gave up. Try again, or ask an administrator "
                "to check the report worker."
            )
            % {"n": job.attempts - 1},
        )
        return ReportJob.Status.FAILED

    def on_progress(percent):
        ReportJob.objects.filter(pk=job_id, task_id=task_id).update(progress=percent, heartbeat_at=timezone.now())

    try:
        pdf, pages = render_report_pdf(job.data, on_progress=on_progress)
    except SoftTimeLimitExceeded:
        _fail(
            job_id,
            task_id,
            _("Rendering took longer than %(s)d seconds and was stopped.")
            % {"s": settings.CELERY_TASK_SOFT_TIME_LIMIT},
        )
        return ReportJob.Status.FAILED
    relative = report_path(job)
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(f".{uuid.uuid4().hex}.tmp")
    temporary.write_bytes(pdf)
    os.replace(temporary, target)
    done = ReportJob.objects.filter(pk=job_id, task_id=task_id, status=ReportJob.Status.RUNNING).update(
        status=ReportJob.Status.DONE,
        progress=100,
        file=str(relative),
        file_size=len(pdf),
        pages=pages,
        finished_at=timezone.now(),
        error="",
    )
    return ReportJob.Status.DONE if done else "skipped"


def report_job_fail(*, job_id, task_id, error):
    """Record a failure the user can read; the task calls this when it stops retrying."""
    _fail(job_id, task_id, _("The report could not be rendered: %(error)s") % {"error": error})


def report_job_retry(*, job, by):
    """Start a failed job again with its frozen data."""
    task_id = uuid.uuid4().hex
    with transaction.atomic():
        if ReportJob.objects.active().filter(cycle_id=job.cycle_id).exists():
            raise ValidationError(_("A report for this cycle is already being prepared."))
        if not ReportJob.objects.filter(pk=job.pk, status=ReportJob.Status.FAILED).update(
            status=ReportJob.Status.QUEUED,
            task_id=task_id,
            attempts=0,
            progress=0,
            error="",
            enqueued_at=timezone.now(),
            started_at=None,
            finished_at=None,
        ):
            raise ValidationError(_("Only a failed report can be retried."))
        transaction.on_commit(lambda: _enqueue(job.pk, task_id))
    job.refresh_from_db()
    return job


def report_jobs_reconcile(*, now=None):
    """Enqueue again the jobs whose message was lost or whose worker died. Returns the job ids."""
    now = now or timezone.now()
    stuck = list(
        ReportJob.objects.filter(
            Q(status=ReportJob.Status.QUEUED, enqueued_at__lt=now - QUEUE_GRACE)
            | Q(status=ReportJob.Status.RUNNING, heartbeat_at__lt=now - running_lease())
        ).values_list("pk", "status", "task_id", "attempts")
    )
    requeued = []
    for pk, status, old_task_id, attempts in stuck:
        if attempts >= MAX_ATTEMPTS:
            _fail(
                pk, old_task_id, _("The report worker stopped %(n)d times while rendering; gave up.") % {"n": attempts}
            )
            continue
        task_id = uuid.uuid4().hex
        if ReportJob.objects.filter(pk=pk, status=status, task_id=old_task_id).update(
            status=ReportJob.Status.QUEUED, task_id=task_id, enqueued_at=now
        ):
            _enqueue(pk, task_id)
            requeued.append(pk)
    return requeued


@transaction.atomic
def validated_level_set(*, cycle, capability, level, rationale, by, request=None):
    """Set (or with ``level=None`` clear) the coordinator's validated national level; both are audited."""
    cycle = cycle_lock_for_change(cycle.pk)
    if cycle.status == Cycle.Status.DRAFT:
        raise ValidationError(_("Open the cycle before validating national levels."))
    if level is None:
        previous = ValidatedLevel.objects.filter(cycle=cycle, capability=capability).first()
        if previous is not None:
            previous.delete()
            audit(
                user=by,
                action=AuditEvent.Action.LEVEL_CLEARED,
                country=cycle.country,
                cycle=cycle,
                request=request,
                detail=f"capability {capability.number} (was {previous.level})",
            )
        return None
    rationale = rationale.strip()
    if not rationale:
        raise ValidationError({"rationale": _("Explain why: the report prints this rationale beside the level.")})
    validated, _created = ValidatedLevel.objects.update_or_create(
        cycle=cycle, capability=capability, defaults={"level": level, "rationale": rationale, "set_by": by}
    )
    audit(
        user=by,
        action=AuditEvent.Action.LEVEL_VALIDATED,
        country=cycle.country,
        cycle=cycle,
        request=request,
        detail=f"capability {capability.number} = {level}",
    )
    return validated


@transaction.atomic
def enabler_score_set(*, cycle, enabler, level, rationale, by, request=None):
    """Set (or with ``level=None`` clear) an enabler's score for the cycle; both are audited."""
    cycle = cycle_lock_for_change(cycle.pk)
    if level is None:
        deleted, _rows = EnablerScore.objects.filter(cycle=cycle, enabler=enabler).delete()
        if deleted:
            audit(
                user=by,
                action=AuditEvent.Action.ENABLER_SCORED,
                country=cycle.country,
                cycle=cycle,
                request=request,
                detail=f"{enabler.code}: cleared",
            )
        return None
    score, _created = EnablerScore.objects.update_or_create(
        cycle=cycle, enabler=enabler, defaults={"level": level, "rationale": rationale.strip(), "set_by": by}
    )
    audit(
        user=by,
        action=AuditEvent.Action.ENABLER_SCORED,
        country=cycle.country,
        cycle=cycle,
        request=request,
        detail=f"{enabler.code} = {level}",
    )
    return score
