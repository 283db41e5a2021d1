import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mnr_portal.settings")

app = Celery("mnr_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.conf.beat_schedule = {
    "worker-heartbeat": {"task": "reports.worker_heartbeat", "schedule": 60.0},
    "reconcile-report-jobs": {"task": "reports.reconcile_report_jobs", "schedule": 60.0},
    "reconcile-plan-jobs": {"task": "plans.reconcile_plan_jobs", "schedule": 60.0},
    # Hourly, but each person gets one action-plan digest per ISO week (plans.digest records what it sent).
    "plan-overdue-digest": {
        "task": "plans.overdue_digest",
        "schedule": float(os.environ.get("PLAN_DIGEST_EVERY_SECONDS", "3600")),
    },
}
