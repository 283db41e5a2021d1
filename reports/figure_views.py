"""The national data page: each metric's reported figures, validated national figures and trend."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments.access import coordinates
from assessments.models import Cycle
from capabilities.models import Metric

from . import figures
from .consolidation import cycle_report_data, observer_report_data
from .forms import NationalFigureForm
from .views import _analysis_cycle, _coordinator_cycle


@login_required
def national_data(request, pk):
    """Coordinators: what each organisation reported, the validated figures and a form per metric.
    Observers: the validated national figures and trends only."""
    cycle = _analysis_cycle(request, pk)
    full = coordinates(request.user, cycle.country_id)
    language = get_language()
    data = cycle_report_data(cycle, language=language) if full else observer_report_data(cycle, language=language)
    national = figures.national_data(cycle, data)
    reported = figures.reported_figures(cycle) if full else {}
    editable = full and cycle.status == Cycle.Status.OPEN
    for cap in national["capabilities"]:
        for metric in cap["metrics"]:
            years = sorted({p["year"] for p in metric["points"]} | {y for (c, y) in reported if c == metric["code"]})
            metric["years"] = [
                {
                    "year": year,
                    "national": next((p for p in metric["points"] if p["year"] == year), None),
                    "reported": reported.get((metric["code"], year), []),
                }
                for year in years
            ]
            metric["form"] = NationalFigureForm(prefix=f"m{metric['code']}") if editable else None
    metric_ids = dict(Metric.objects.filter(version_id=cycle.framework_version_id).values_list("code", "pk"))
    return render(
        request,
        "reports/national_data.html",
        {"cycle": cycle, "national": national, "full": full, "editable": editable, "metric_ids": metric_ids},
    )


@login_required
@require_POST
def national_figure_set(request, pk, metric_pk):
    cycle = _coordinator_cycle(request, pk)
    metric = get_object_or_404(Metric, version_id=cycle.framework_version_id, pk=metric_pk)
    form = NationalFigureForm(request.POST, prefix=f"m{metric.code}")
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        figures.national_figure_set(
            cycle=cycle,
            metric=metric,
            year=form.cleaned_data["year"],
            value=form.cleaned_data["value"],
            not_collected=form.cleaned_data["not_collected"],
            rationale=form.cleaned_data["rationale"],
            by=request.user,
            request=request,
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, f"{metric.code}: {message}")
    else:
        messages.success(request, _("Saved the national figure of %(metric)s.") % {"metric": metric.code})
    return redirect(reverse("reports:national_data", args=[cycle.pk]) + f"#metric-{metric.code}")
