import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mnr_portal.settings")

# Beat runs as its own process in production (docker-compose.yml `beat`), never embedded in a worker:
# a worker that exits would take the reconciler with it and every later report would stay queued.
WORKER_HEARTBEAT_EVERY = 60.0  # /healthz and the report page call a worker fresh for 3 missed beats
RECONCILE_EVERY = 15.0  # a job whose heartbeat is 30 s stale is given a new message within 15 s more

app = Celery("mnr_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.conf.beat_schedule = {
    "worker-heartbeat": {"task": "reports.worker_heartbeat", "schedule": WORKER_HEARTBEAT_EVERY},
    "reconcile-report-jobs": {"task": "reports.reconcile_report_jobs", "schedule": RECONCILE_EVERY},
    "reconcile-plan-jobs": {"task": "plans.reconcile_plan_jobs", "schedule": 60.0},
    # Hourly, but each person gets one action-plan digest per ISO week (plans.digest records what it sent).
    "plan-overdue-digest": {
        "task": "plans.overdue_digest",
        "schedule": float(os.environ.get("PLAN_DIGEST_EVERY_SECONDS", "3600")),
    },
}
