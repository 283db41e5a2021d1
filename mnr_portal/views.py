from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

from assessments.access import roles_of
from assessments.models import Cycle, Role, Submission
from assessments.queries import with_progress
from capabilities.models import FrameworkVersion
from reports.models import WorkerHeartbeat


@login_required
def home(request):
    """What this user can do: one section per role they hold."""
    user = request.user
    roles = roles_of(user)
    has = {r.role for r in roles}
    context = {
        "versions": FrameworkVersion.objects.exclude(status="retired") if user.is_staff else [],
        "is_coordinator": Role.COORDINATOR in has or user.is_superuser,
        "is_observer": Role.OBSERVER in has,
        "has_no_role": not roles and not user.is_staff,
    }
    if Role.FOCAL_POINT in has:
        context["questionnaires"] = with_progress(
            Submission.objects.filter(organisation__roles__user=user, organisation__roles__role=Role.FOCAL_POINT)
            .exclude(cycle__status=Cycle.Status.DRAFT)
            .select_related("cycle__country", "organisation")
            .order_by("-cycle__opens_on", "organisation__name")
        )
    if context["is_coordinator"] or context["is_observer"]:
        cycles = Cycle.objects.visible_to(user).select_related("country", "framework_version")
        if not user.is_superuser:
            cycles = cycles.filter(
                country__roles__user=user, country__roles__role__in=[Role.COORDINATOR, Role.OBSERVER]
            ).distinct()
        context["cycles"] = cycles
    return render(request, "home.html", context)


def healthz(request):
    """Liveness for load balancers and compose: the database answers; worker freshness is reported."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    last = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    fresh = last is not None and timezone.now() - last < timedelta(minutes=5)
    return JsonResponse({"status": "ok", "worker_seen_recently": fresh})
