from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

from capabilities.models import FrameworkVersion
from reports.models import WorkerHeartbeat


@login_required
def home(request):
    versions = FrameworkVersion.objects.published() if request.user.is_staff else FrameworkVersion.objects.none()
    return render(request, "home.html", {"versions": versions})


def healthz(request):
    """Liveness for load balancers and compose: the database answers; worker freshness is reported."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    last = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    fresh = last is not None and timezone.now() - last < timedelta(minutes=5)
    return JsonResponse({"status": "ok", "worker_seen_recently": fresh})
