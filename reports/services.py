"""Report jobs: request, run (idempotent, safe against a killed worker), reconcile; validated levels."""

import errno
import logging
import threading
import uuid
from datetime import timedelta
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import DatabaseError, IntegrityError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import AuditEvent, Cycle
from assessments.services import audit, cycle_lock_for_change

from .consolidation import ALL_SECTIONS, cycle_report_data, public_view, with_chapters
from .docx import render_report_docx
from .models import EnablerScore, ReportJob, ValidatedLevel, WorkerHeartbeat
from .pdf import render_report_pdf

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
QUEUE_GRACE = timedelta(minutes=2)  # a queued job nobody claimed by then is enqueued again
# While a job renders, a thread beside the render moves its heartbeat every HEARTBEAT_EVERY seconds
# (WeasyPrint's layout can run for minutes without reporting progress). A running job whose heartbeat
# is older than HEARTBEAT_STALE has lost its worker: only then may another message claim it.
HEARTBEAT_EVERY = 5
HEARTBEAT_STALE = timedelta(seconds=30)
NO_SPACE = (errno.ENOSPC, errno.EDQUOT)
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's lock_timeout
# One figure for "a worker was seen recently", used by /healthz and the report page alike: beat records
# a worker heartbeat every minute, so three minutes is three missed beats.
WORKER_FRESH = timedelta(minutes=3)


def worker_seen_recently(*, now=None):
    last = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    return last is not None and (now or timezone.now()) - last < WORKER_FRESH


def running_lease():
    """A running job whose heartbeat is older than this has lost its worker."""
    return HEARTBEAT_STALE


class JobBusy(Exception):
    """The job is rendering under a live heartbeat; this (duplicate) message must wait, not claim it."""

    def __init__(self, retry_in):
        super().__init__(f"the job is rendering elsewhere; look again in {retry_in:.0f} s")
        self.retry_in = retry_in


def _enqueue(job_id, task_id):
    """Publish the job's message. True when the broker took it; False leaves the job to the reconciler.

    In the built-in mode (no broker) the job is rendered in a thread of this process, so that the
    request that asked for it answers at once and the page follows the job's progress.
    """
    from .tasks import render_report

    if render_report.app.conf.task_always_eager and settings.REPORT_JOBS_IN_THREAD:
        thread = threading.Thread(
            target=_run_in_thread, args=(job_id, task_id), name=f"report-job-{job_id}", daemon=True
        )
        thread.start()
        return True
    try:
        render_report.apply_async(args=[job_id], task_id=task_id)
    except Exception:  # the broker is down or hung: the job stays queued and the reconciler retries
        log.exception("Could not enqueue report job %s; it stays queued for the reconciler.", job_id)
        return False
    return True


def _run_in_thread(job_id, task_id):
    from .tasks import render_report

    try:
        render_report.apply(args=[job_id], task_id=task_id)
    finally:
        connection.close()


def report_job_request(
    *,
    cycle,
    by,
    request=None,
    language=None,
    format=ReportJob.Format.PDF,  # noqa: A002 - the job's column
    variant=ReportJob.Variant.FULL,
    public_sections=(),
):
    """Freeze the cycle's report data in a new job and enqueue it after commit.

    ``format`` is PDF or DOCX; a public summary (``variant``) freezes ``public_view`` of the data with the
    ``public_sections`` the coordinator allowed (at least one), so nothing else is ever in its job.
    Returns ``(job, created)``. While a job for the cycle is queued or running, that job is
    returned instead: clicking twice never starts two renders (the database enforces it too).
    After commit ``job.published`` says whether the broker took the message (None: not tried).
    """
    if format not in ReportJob.Format.values:
        raise ValidationError(_("Choose PDF or Word as the report's format."))
    if variant not in ReportJob.Variant.values:
        raise ValidationError(_("Choose the full report or the public summary."))
    public_sections = [code for code in ALL_SECTIONS if code in set(public_sections)]
    if variant == ReportJob.Variant.PUBLIC and not public_sections:
        raise ValidationError(_("Choose at least one section that the public summary may show."))
    try:
        with transaction.atomic():
            Cycle.objects.select_for_update().filter(pk=cycle.pk).first()
            active = ReportJob.objects.active().filter(cycle=cycle).first()
            if active is not None:
                return active, False
            # The national data chapter and the sections of the apps above reports (plans, evidence, network).
            data = with_chapters(cycle, cycle_report_data(cycle, language=language))
            if variant == ReportJob.Variant.PUBLIC:
                data = public_view(data, public_sections)
            job = ReportJob.objects.create(
                cycle=cycle,
                requested_by=by,
                language=language or cycle.report_language,
                format=format,
                variant=variant,
                data=data,
                task_id=uuid.uuid4().hex,
                enqueued_at=timezone.now(),
            )
            job.published = None
            audit(
                user=by,
                action=AuditEvent.Action.REPORT_REQUESTED,
                country=cycle.country,
                cycle=cycle,
                request=request,
                # The full PDF reads as before; other kinds say what was asked for.
                detail=f"job {job.pk}"
                if (format, variant) == ("pdf", "full")
                else f"job {job.pk} ({format}, {variant})",
            )

            def publish():
                job.published = _enqueue(job.pk, job.task_id)

            transaction.on_commit(publish)
            return job, True
    except IntegrityError:
        # Another request created the active job between our check and insert.
        return ReportJob.objects.active().get(cycle=cycle), False
    except OperationalError as exc:
        # Another request holds the cycle's lock longer than lock_timeout while it freezes a large report:
        # it is creating the job this click asked for.
        if getattr(exc.__cause__, "pgcode", None) != LOCK_NOT_AVAILABLE:
            raise
        active = ReportJob.objects.active().filter(cycle=cycle).first()
        if active is None:
            raise ValidationError(_("A report for this cycle is being requested right now; reload in a moment."))
        return active, False


def report_path(job):
    return Path("reports") / f"cycle-{job.cycle_id}" / f"report-{job.pk}.{job.format}"


def render_job(job, *, on_progress=None):
    """The job's document from its frozen data: ``(bytes, pages)``; a Word document has no fixed page count."""
    if job.format == ReportJob.Format.DOCX:
        return render_report_docx(job.data, on_progress=on_progress), None
    return render_report_pdf(job.data, on_progress=on_progress)


def _current(job_id, task_id, attempt):
    """The job's row while this message's attempt still owns it."""
    return ReportJob.objects.filter(pk=job_id, task_id=task_id, status=ReportJob.Status.RUNNING, attempts=attempt)


def _fail(job_id, task_id, message, attempt=None):
    rows = ReportJob.objects.filter(pk=job_id, task_id=task_id).exclude(status=ReportJob.Status.DONE)
    if attempt is not None:
        rows = rows.filter(attempts=attempt)
    rows.update(status=ReportJob.Status.FAILED, error=message, finished_at=timezone.now())


def is_disk_full(exc):
    return isinstance(exc, OSError) and exc.errno in NO_SPACE


def disk_full_message():
    return _("The server has no space to store the report — an operator must free disk space, then try again.")


def _claim(job_id, task_id):
    """Claim the job for this message: a queued job, or a running one whose heartbeat is stale.

    Returns the claimed attempt number. Raises ``JobBusy`` when the job renders under a live heartbeat
    (a duplicate delivery of its message), and returns None when the message has nothing to do.
    """
    now = timezone.now()
    stale = Q(heartbeat_at__lt=now - HEARTBEAT_STALE) | Q(heartbeat_at__isnull=True)
    claimable = Q(status=ReportJob.Status.QUEUED) | (Q(status=ReportJob.Status.RUNNING) & stale)
    with transaction.atomic():
        claimed = ReportJob.objects.filter(claimable, pk=job_id, task_id=task_id).update(
            status=ReportJob.Status.RUNNING,
            started_at=now,
            heartbeat_at=now,
            attempts=F("attempts") + 1,
            progress=5,
        )
        if claimed:
            return ReportJob.objects.values_list("attempts", flat=True).get(pk=job_id)
    beat = (
        ReportJob.objects.filter(pk=job_id, task_id=task_id, status=ReportJob.Status.RUNNING)
        .values_list("heartbeat_at", flat=True)
        .first()
    )
    if beat is not None:
        raise JobBusy(max(1.0, (beat + HEARTBEAT_STALE - now).total_seconds() + 1))
    return None


class _Heartbeat(threading.Thread):
    """Moves the job's heartbeat while the render runs, as long as this attempt owns the job."""

    def __init__(self, job_id, task_id, attempt):
        super().__init__(name=f"report-heartbeat-{job_id}", daemon=True)
        self.rows = (job_id, task_id, attempt)
        self.stopped = threading.Event()

    def run(self):
        try:
            while not self.stopped.wait(HEARTBEAT_EVERY):
                try:
                    if not _current(*self.rows).update(heartbeat_at=timezone.now()):
                        return
                except DatabaseError:  # the database is away for a moment; the next beat tries again
                    log.warning("Report job %s: heartbeat not recorded", self.rows[0], exc_info=True)
                finally:
                    connection.close()
        finally:
            connection.close()

    def stop(self):
        self.stopped.set()
        self.join(timeout=HEARTBEAT_EVERY + 5)


def _unlink(path):
    try:
        path.unlink(missing_ok=True)
    except OSError:
        log.warning("Could not remove the partial report file %s", path, exc_info=True)


def report_job_run(*, job_id, task_id):
    """Render one job. Safe to run twice, concurrently, and after a killed worker.

    1. Claim the job for this broker message (its task id) if it is queued, or running with a stale
       heartbeat; a duplicate delivered while the job renders waits (``JobBusy``), any other is skipped.
    2. Give up after MAX_ATTEMPTS claims, so a job that kills its worker cannot loop for ever.
    3. Render from the frozen data; progress and heartbeat are written only while this attempt owns it.
    4. Write a temporary file, and under the job's row lock, if the attempt still owns the job, move
       it into place and mark the job done. Every failure removes the temporary file.
    Returns the job's final status, or "skipped".
    """
    attempt = _claim(job_id, task_id)
    if attempt is None:
        return "skipped"
    if attempt > MAX_ATTEMPTS:
        _fail(
            job_id,
            task_id,
            _(
                "Rendering was interrupted %(n)d times; gave up. Try again, or ask an administrator "
                "to check the report worker."
            )
            % {"n": attempt - 1},
            attempt,
        )
        return ReportJob.Status.FAILED
    job = ReportJob.objects.get(pk=job_id)

    def on_progress(percent):
        _current(job_id, task_id, attempt).update(progress=percent, heartbeat_at=timezone.now())

    heartbeat = _Heartbeat(job_id, task_id, attempt)
    heartbeat.start()
    temporary = None
    try:
        try:
            document, pages = render_job(job, on_progress=on_progress)
        except SoftTimeLimitExceeded:
            _fail(
                job_id,
                task_id,
                _("Rendering took longer than %(s)d seconds and was stopped.")
                % {"s": settings.CELERY_TASK_SOFT_TIME_LIMIT},
                attempt,
            )
            return ReportJob.Status.FAILED
        # The private storage (local disk or an S3-compatible store): a name of its own per attempt, so
        # that an attempt that lost the job never touches the file of the one that owns it.
        storage = storages["private"]
        try:
            name = storage.save(
                str(report_path(job).with_name(f"report-{job.pk}-{attempt}.{job.format}")), ContentFile(document)
            )
        except OSError as exc:
            if not is_disk_full(exc):
                raise
            log.error("Report job %s: no space left to write its PDF", job_id)
            _fail(job_id, task_id, disk_full_message(), attempt)
            return ReportJob.Status.FAILED
        temporary = name
        with transaction.atomic():
            if not _current(job_id, task_id, attempt).select_for_update().exists():
                return "skipped"  # another attempt owns the job now (or it was failed): never overwrite
            temporary = None
            _current(job_id, task_id, attempt).update(
                status=ReportJob.Status.DONE,
                progress=100,
                file=name,
                file_size=len(document),
                pages=pages,
                finished_at=timezone.now(),
                error="",
            )
        return ReportJob.Status.DONE
    except Exception as exc:
        exc.report_attempt = attempt  # the task records the failure against this attempt only
        raise
    finally:
        heartbeat.stop()
        if temporary is not None:
            storages["private"].delete(temporary)


def report_job_release(*, job_id, task_id, attempt):
    """Hand a job back to the queue after a transient error, so that the task's retry may claim it at once."""
    return _current(job_id, task_id, attempt).update(status=ReportJob.Status.QUEUED, enqueued_at=timezone.now())


def report_job_fail(*, job_id, task_id, error, attempt=None):
    """Record a failure the user can read; the task calls this when it stops retrying."""
    _fail(job_id, task_id, _("The report could not be rendered: %(error)s") % {"error": error}, attempt)


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
            heartbeat_at=None,
            finished_at=None,
        ):
            raise ValidationError(_("Only a failed report can be retried."))

        def publish():
            job.published = _enqueue(job.pk, task_id)

        transaction.on_commit(publish)
    job.refresh_from_db()
    job.published = getattr(job, "published", None)
    return job


def _remove_orphaned_partial_files(now):
    """Temporary files left by a worker killed while writing (older than any render can take)."""
    root = Path(settings.MEDIA_ROOT) / "reports"
    if not root.is_dir():
        return []
    cutoff = now.timestamp() - settings.CELERY_TASK_TIME_LIMIT - HEARTBEAT_STALE.total_seconds()
    removed = []
    for path in root.glob("cycle-*/*.tmp"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed.append(path)
        except OSError:
            continue
    return removed


def report_jobs_reconcile(*, now=None):
    """Enqueue again the jobs whose message was lost or whose worker died. Returns the job ids."""
    now = now or timezone.now()
    _remove_orphaned_partial_files(now)
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
