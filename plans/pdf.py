"""The plan PDF: frozen data, rendered by WeasyPrint with the gap report's fetcher (own static files only)."""

import logging
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from weasyprint import HTML

from assessments.models import AuditEvent
from assessments.services import audit
from reports.consolidation import cycle_report_data
from reports.pdf import STATIC_BASE, ReportURLFetcher

from . import charts
from .models import PlanJob
from .money import money
from .queries import latest_revision, plan_snapshot

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
QUEUE_GRACE = timedelta(minutes=2)


def plan_pdf_data(plan, *, language):
    """Everything the PDF prints, as JSON-ready data frozen at request time."""
    report = cycle_report_data(plan.cycle, language=language)
    with translation.override(language):
        snapshot = plan_snapshot(plan)
    revision = latest_revision(plan)
    from .queries import did_it_work, plan_actions
    from .services import previous_plan

    previous = previous_plan(plan)
    worked = did_it_work(plan_actions(previous), report) if previous else []
    return {
        "previous_plan": previous.cycle.title if previous else None,
        "did_it_work": [
            {k: (str(v) if isinstance(v, Decimal) else v) for k, v in row.items() if k != "actions"} for row in worked
        ],
        "meta": {**report["meta"], "currency": plan.currency, "today": timezone.localdate().isoformat()},
        "domains": [{"code": d["code"], "name": d["name"]} for d in report["domains"]],
        "priorities": [
            {"capability": p["capability"], "gap": p["gap"], "title": next(
                c["title"] for c in report["capabilities"] if c["number"] == p["capability"]
            )}
            for p in report["priorities"]
        ],
        "plan": snapshot,
        "revision": {"number": revision.number, "endorsed_on": revision.endorsed_on.isoformat(),
                     "endorsed_by": revision.endorsed_by} if revision else None,
    }  # fmt: skip


def _pdf_context(data):
    today = date.fromisoformat(data["meta"]["today"])
    actions = []
    for a in data["plan"]["actions"]:
        due = date.fromisoformat(a["due_on"]) if a["due_on"] else None
        actions.append(
            {
                **a,
                "starts_on": date.fromisoformat(a["starts_on"]) if a["starts_on"] else None,
                "due_on": due,
                "cost": Decimal(a["estimated_cost"]),
                "funded_d": Decimal(a["funded"]),
                "gap": Decimal(a["estimated_cost"]) - Decimal(a["funded"]),
                "overdue": due is not None and due < today and a["status"] not in ("done", "dropped"),
            }
        )
    counted = [a for a in actions if a["status"] != "dropped"]
    by_domain = []
    for d in data["domains"]:
        mine = [a for a in actions if a["domain"] == d["code"]]
        cost = sum((a["cost"] for a in mine if a["status"] != "dropped"), Decimal(0))
        funded = sum((a["funded_d"] for a in mine if a["status"] != "dropped"), Decimal(0))
        if mine:
            by_domain.append({**d, "actions": mine, "cost": cost, "funded": funded, "gap": cost - funded})
    by_cap = {}
    for a in actions:
        by_cap.setdefault(a["capability"], []).append(a)
    priorities = [
        {**p, "actions": by_cap.get(p["capability"], []),
         "cost": sum((a["cost"] for a in by_cap.get(p["capability"], []) if a["status"] != "dropped"), Decimal(0))}
        for p in data["priorities"]
    ]  # fmt: skip
    rtl = translation.get_language_bidi()
    currency = data["meta"]["currency"]
    cost = sum((a["cost"] for a in counted), Decimal(0))
    funded = sum((a["funded_d"] for a in counted), Decimal(0))
    return {
        "data": data,
        "meta": data["meta"],
        "generated": datetime.fromisoformat(data["meta"]["generated_at"]),
        "actions": actions,
        "domains": by_domain,
        "priorities": priorities,
        "totals": {"cost": cost, "funded": funded, "gap": cost - funded, "n": len(actions),
                   "overdue": sum(a["overdue"] for a in actions), "done": sum(a["status"] == "done" for a in actions)},
        "revision": data["revision"],
        "timeline_chart": charts.timeline(
            sorted(counted, key=lambda a: a["capability"]), today=today,
            title=_("Timeline of the actions by capability, with today's date"),
            today_label=_("today"), overdue_label=_("overdue"), rtl=rtl,
            month_format=lambda m: formats.date_format(m, "M Y"),
        ) if counted else "",
        "funding_chart": charts.funding(
            [(d["code"], d["name"], d["cost"], d["funded"]) for d in by_domain],
            currency=currency, title=_("Estimated cost and funded amount per domain"),
            cost_label=_("estimated cost"), funded_label=_("funded"), rtl=rtl, amount_format=money,
        ) if by_domain else "",
    }  # fmt: skip


def render_plan_html(data):
    with translation.override(data["meta"]["language"]):
        return render_to_string("plans/pdf/plan.html", _pdf_context(data))


def render_plan_pdf(data):
    html = render_plan_html(data)
    document = HTML(string=html, base_url=STATIC_BASE, url_fetcher=ReportURLFetcher(timeout=5)).render(pdf_tags=True)
    return document.write_pdf(pdf_tags=True), len(document.pages)


def _enqueue(job_id, task_id):
    from .tasks import render_plan

    try:
        render_plan.apply_async(args=[job_id], task_id=task_id)
    except Exception:  # the broker is down: the job stays queued and the reconciler retries
        log.exception("Could not enqueue plan job %s; it stays queued for the reconciler.", job_id)


def plan_job_request(*, plan, by, language, request=None):
    """Freeze the plan in a new job and enqueue it after commit; while one is active, return that one."""
    from .services import _require_coordinator

    try:
        with transaction.atomic():
            from .models import Plan

            plan = (
                Plan.objects.select_for_update(of=("self",))
                .select_related("cycle__country", "cycle__framework_version")
                .get(pk=plan.pk)
            )
            _require_coordinator(by, plan)
            active = PlanJob.objects.active().filter(plan=plan).first()
            if active is not None:
                return active, False
            job = PlanJob.objects.create(
                plan=plan,
                requested_by=by,
                data=plan_pdf_data(plan, language=language),
                task_id=uuid.uuid4().hex,
                enqueued_at=timezone.now(),
            )
            audit(user=by, action=AuditEvent.Action.REPORT_REQUESTED, country=plan.cycle.country,
                  cycle=plan.cycle, request=request, detail=f"action plan job {job.pk}")  # fmt: skip
            transaction.on_commit(lambda: _enqueue(job.pk, job.task_id))
            return job, True
    except IntegrityError:
        return PlanJob.objects.active().get(plan=plan), False


def plan_job_path(job):
    return Path("plans") / f"plan-{job.plan_id}" / f"plan-{job.pk}.pdf"


def plan_job_run(*, job_id, task_id):
    """Render one job; a stale or duplicate message does nothing. Returns the final status or "skipped"."""
    now = timezone.now()
    claimed = PlanJob.objects.filter(
        pk=job_id, task_id=task_id, status__in=[PlanJob.Status.QUEUED, PlanJob.Status.RUNNING]
    ).update(status=PlanJob.Status.RUNNING, started_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return "skipped"
    job = PlanJob.objects.get(pk=job_id)
    if job.attempts > MAX_ATTEMPTS:
        plan_job_fail(job_id=job_id, task_id=task_id, error=_("rendering was interrupted too often"))
        return PlanJob.Status.FAILED
    try:
        pdf, pages = render_plan_pdf(job.data)
    except SoftTimeLimitExceeded:
        plan_job_fail(job_id=job_id, task_id=task_id, error=_("rendering took too long"))
        return PlanJob.Status.FAILED
    # The private storage (local disk or an S3-compatible store, as the gap report): a name per attempt.
    storage = storages["private"]
    relative = plan_job_path(job)
    name = storage.save(str(relative.with_name(f"{relative.stem}-{job.attempts}.pdf")), ContentFile(pdf))
    done = PlanJob.objects.filter(pk=job_id, task_id=task_id, status=PlanJob.Status.RUNNING).update(
        status=PlanJob.Status.DONE, file=name, pages=pages, finished_at=timezone.now(), error=""
    )
    if not done:
        storage.delete(name)  # another attempt owns the job now
    return PlanJob.Status.DONE if done else "skipped"


def plan_job_fail(*, job_id, task_id, error):
    PlanJob.objects.filter(pk=job_id, task_id=task_id).exclude(status=PlanJob.Status.DONE).update(
        status=PlanJob.Status.FAILED,
        error=_("The plan could not be rendered: %(error)s") % {"error": error},
        finished_at=timezone.now(),
    )


def plan_jobs_reconcile(*, now=None):
    """Enqueue again the jobs whose message was lost or whose worker died (as reports do). Returns their ids."""
    from reports.services import running_lease

    now = now or timezone.now()
    stuck = PlanJob.objects.filter(
        Q(status=PlanJob.Status.QUEUED, enqueued_at__lt=now - QUEUE_GRACE)
        | Q(status=PlanJob.Status.RUNNING, started_at__lt=now - running_lease())
    ).values_list("pk", "status", "task_id")
    requeued = []
    for pk, status, old_task_id in list(stuck):
        task_id = uuid.uuid4().hex
        if PlanJob.objects.filter(pk=pk, status=status, task_id=old_task_id).update(
            status=PlanJob.Status.QUEUED, task_id=task_id, enqueued_at=now
        ):
            _enqueue(pk, task_id)
            requeued.append(pk)
    return requeued
