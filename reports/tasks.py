import socket

from celery import shared_task
from django.utils import timezone

from .models import WorkerHeartbeat


@shared_task(name="reports.worker_heartbeat", ignore_result=True, soft_time_limit=20, time_limit=30)
def worker_heartbeat():
    """Record that a worker is alive; rerunning just moves the timestamp."""
    hostname = socket.gethostname()
    WorkerHeartbeat.objects.update_or_create(hostname=hostname, defaults={"seen_at": timezone.now()})
    return hostname
