"""The questionnaire's outcome figures page: what the organisation reports per metric and year."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import figures
from .access import get_submission_for_user, is_focal_point
from .forms import FigureForm
from .models import MetricValue


@login_required
def submission_figures(request, pk):
    """GET: the metrics of the organisation's sector and the figures reported; POST: save one figure."""
    submission = get_submission_for_user(request, pk, write=request.method == "POST")
    metrics = figures.metrics_for(submission)
    form = FigureForm(request.POST or None, metrics=metrics)
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise ValidationError([e for errors in form.errors.values() for e in errors])
            figure = figures.figure_input(
                metric=form.cleaned_data["metric"],
                year=form.cleaned_data["year"],
                value=form.cleaned_data["value"],
                not_collected=form.cleaned_data["not_collected"],
                source=form.cleaned_data["source"],
                confidence=form.cleaned_data["confidence"],
            )
            figures.figures_save(submission=submission, figures=[figure], by=request.user, request=request)
        except (ValidationError, PermissionDenied) as exc:
            for message in getattr(exc, "messages", [str(exc)]):
                messages.error(request, message)
        else:
            messages.success(
                request, _("Saved %(metric)s for %(year)s.") % {"metric": figure.metric.code, "year": figure.year}
            )
            return redirect(reverse("assessments:submission_figures", args=[submission.pk]))
    reported = list(
        MetricValue.objects.filter(submission=submission).select_related("metric").order_by("metric__code", "year")
    )
    by_metric = {}
    for value in reported:
        by_metric.setdefault(value.metric_id, []).append(value)
    return render(
        request,
        "assessments/submission_figures.html",
        {
            "submission": submission,
            "rows": [{"metric": m, "values": by_metric.get(m.pk, [])} for m in metrics],
            "form": form,
            "can_edit": is_focal_point(request.user, submission.organisation_id)
            and submission.is_editable_status
            and submission.cycle.is_open,
        },
    )


@login_required
@require_POST
def submission_figure_delete(request, pk, figure_pk):
    submission = get_submission_for_user(request, pk, write=True)
    try:
        figures.figure_delete(submission=submission, figure_pk=figure_pk, by=request.user, request=request)
    except (ValidationError, PermissionDenied) as exc:
        for message in getattr(exc, "messages", [str(exc)]):
            messages.error(request, message)
    else:
        messages.success(request, _("Removed the figure."))
    return redirect(reverse("assessments:submission_figures", args=[submission.pk]))
