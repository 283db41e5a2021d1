"""The questionnaire's outcome figures page: what the organisation reports per metric and year."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import figure_workbook, figures
from .access import get_submission_for_user, is_focal_point
from .forms import FigureForm, FiguresWorkbookForm
from .models import AuditEvent, MetricValue
from .services import audit


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
            "upload_form": FiguresWorkbookForm(
                action=reverse("assessments:submission_figures_upload", args=[submission.pk])
            ),
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


@login_required
def submission_figures_workbook(request, pk):
    """The figures as an XLSX template, for everyone who may read the questionnaire."""
    submission = get_submission_for_user(request, pk)
    content = figure_workbook.figures_workbook(submission)
    audit(
        user=request.user,
        action=AuditEvent.Action.WORKBOOK_DOWNLOADED,
        country=submission.cycle.country,
        cycle=submission.cycle,
        submission=submission,
        request=request,
        detail="figures",
    )
    filename = f"MNR-figures-{slugify(submission.organisation.name)}-{submission.cycle_id}-{submission.pk}.xlsx"
    response = HttpResponse(content, content_type=figure_workbook.CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
@require_POST
def submission_figures_upload(request, pk):
    """Check an uploaded template as a whole; save its figures only if every row is valid."""
    submission = get_submission_for_user(request, pk, write=True)
    form = FiguresWorkbookForm(request.POST, request.FILES)
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        read = figure_workbook.figures_workbook_read(submission, form.cleaned_data["workbook"])
        changed = figures.figures_save(
            submission=submission, figures=read, by=request.user, request=request, source="workbook"
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _("The workbook was not saved; nothing was changed."))
        for message in getattr(exc, "messages", [str(exc)]):
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Saved the workbook: %(changed)d of %(n)d figures changed.") % {"changed": changed, "n": len(read)},
        )
    return redirect(reverse("assessments:submission_figures", args=[submission.pk]))
