"""Coordinator analysis, report jobs and exports.

Access: through ``assessments.access``. The country's coordinators (and superusers) see
everything here; observers see the national analysis without organisation-level detail;
focal points get 403; anyone else 404.
"""

import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import storages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments.access import coordinates, get_cycle_for_user, observes
from assessments.models import Answer, AuditEvent, Cycle
from assessments.services import audit
from capabilities.models import Capability, Enabler
from mnr_portal.language import isolate

from . import charts, exports, services
from .consolidation import INCLUDED_STATUSES, PUBLIC_SECTIONS, cycle_report_data, observer_report_data
from .forms import EnablerScoreForm, ValidatedLevelForm
from .models import EnablerScore, ReportJob, ValidatedLevel


def get_analysis_cycle(request, pk):
    """The cycle for its national analysis (coordinators and observers of the country): 404 when invisible,
    403 when the person sees it but is neither. The national-data pages and the API's national figures."""
    cycle = get_cycle_for_user(request, pk)
    if not (coordinates(request.user, cycle.country_id) or observes(request.user, cycle.country_id)):
        raise PermissionDenied(_("The national analysis is for the coordinator and observers of the country."))
    return cycle


_analysis_cycle = get_analysis_cycle


def _coordinator_cycle(request, pk):
    return get_cycle_for_user(request, pk, manage=True)


def _lenses(tags):
    """Tags grouped by lens, in file order: ``[(lens, [tag, ...]), ...]``."""
    groups = {}
    for t in tags:
        groups.setdefault(t["lens"], []).append(t)
    return list(groups.items())


@login_required
def cycle_analysis(request, pk):
    cycle = _analysis_cycle(request, pk)
    full = coordinates(request.user, cycle.country_id)
    # Figures in the page's language; observers get theirs through the one function that applies their rules.
    language = get_language()
    data = cycle_report_data(cycle, language=language) if full else observer_report_data(cycle, language=language)
    # A tag (a lens such as a prevention level) narrows the lists and charts to the capabilities it
    # reaches; the national figures themselves are computed as always.
    tag = next((t for t in data["tags"] if t["code"] == request.GET.get("tag")), None)
    if tag is not None:
        reached = set(tag["capabilities"])
        data = {
            **data,
            "capabilities": [c for c in data["capabilities"] if c["number"] in reached],
            "domains": [
                {**d, "capabilities": [n for n in d["capabilities"] if n in reached]}
                for d in data["domains"]
                if reached & set(d["capabilities"])
            ],
        }
    caps = {c["number"]: c for c in data["capabilities"]}
    context = {
        "cycle": cycle,
        "data": data,
        "full": full,
        "tag": tag,
        "lenses": _lenses(data["tags"]),
        "domain_profile": charts.domain_profile(data),
        "priorities": [{**p, "cap": caps[p["capability"]]} for p in data["priorities"] if p["capability"] in caps],
        "contested": [caps[n] for n in data["contested"] if n in caps],
        "resolved": [caps[n] for n in data["resolved"] if n in caps],
        "data_gaps": [caps[n] for n in data["data_gaps"] if n in caps],
        # A closed cycle's validated levels and enabler scores are final: shown, not offered as forms.
        "editable": full and cycle.status != Cycle.Status.CLOSED,
        "suppressed": [c for c in data["capabilities"] if c["suppressed"]],
        "carried_organisations": [o for o in data["organisations"] if o.get("carried_unconfirmed")],
    }
    if full:
        context["heat_map"] = charts.heat_map(data)
        validated = {v.capability_id: v for v in ValidatedLevel.objects.filter(cycle=cycle)}
        capabilities = list(Capability.objects.filter(version_id=cycle.framework_version_id).order_by("number"))
        context["validation_rows"] = [
            {
                "capability": cap,
                "data": caps[cap.number],
                "validated": validated.get(cap.pk),
                "form": ValidatedLevelForm(
                    prefix=f"v{cap.number}",
                    initial={"level": validated[cap.pk].level, "rationale": validated[cap.pk].rationale}
                    if cap.pk in validated
                    else None,
                ),
            }
            for cap in capabilities
            if cap.number in caps
        ]
        scores = {s.enabler_id: s for s in EnablerScore.objects.filter(cycle=cycle)}
        context["enabler_rows"] = [
            {
                "enabler": e,
                "score": scores.get(e.pk),
                "form": EnablerScoreForm(
                    prefix=f"e{e.pk}",
                    initial={"level": scores[e.pk].level, "rationale": scores[e.pk].rationale}
                    if e.pk in scores
                    else None,
                ),
            }
            for e in Enabler.objects.filter(version_id=cycle.framework_version_id).order_by("order", "code")
        ]
    return render(request, "reports/analysis.html", context)


@login_required
def contested_answers(request, pk, number):
    """Each organisation's answers and evidence on one capability, side by side.

    Loaded on demand from the analysis page (an htmx fragment, or a page of its own without
    JavaScript), so the page stays linear in organisations. Coordinators only: observers never see
    an organisation's answers. Queries: cycle, capability, answers (constant in organisations).
    """
    cycle = _analysis_cycle(request, pk)
    if not coordinates(request.user, cycle.country_id):
        raise PermissionDenied(_("Organisations' answers are for the country's national coordinator."))
    capability = get_object_or_404(Capability, version_id=cycle.framework_version_id, number=number)
    answers = (
        Answer.objects.filter(
            submission__cycle=cycle, submission__status__in=INCLUDED_STATUSES, indicator__capability=capability
        )
        .select_related("submission__organisation__sector", "indicator")
        .only(
            "choice",
            "evidence",
            "submission__organisation__name",
            "indicator__code",
            *exports.translated_columns("submission__organisation__sector__name"),
        )
        .order_by("submission__organisation__name", "submission__organisation_id", "indicator__order")
    )
    organisations = {}
    for answer in answers:
        organisations.setdefault(answer.submission.organisation, []).append(answer)
    context = {"cycle": cycle, "capability": capability, "organisations": list(organisations.items())}
    template = "reports/contested_answers.html"
    if request.headers.get("HX-Request"):
        template += "#answers"
    return render(request, template, context)


@login_required
@require_POST
def validated_level_set(request, pk, number):
    cycle = _coordinator_cycle(request, pk)
    capability = get_object_or_404(Capability, version_id=cycle.framework_version_id, number=number)
    form = ValidatedLevelForm(request.POST, prefix=f"v{number}")
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        services.validated_level_set(
            cycle=cycle,
            capability=capability,
            level=form.cleaned_data["level"],
            rationale=form.cleaned_data["rationale"],
            by=request.user,
            request=request,
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, f"{capability}: {message}")
    else:
        messages.success(request, _("Saved the validated level of %(cap)s.") % {"cap": isolate(capability)})
    return redirect(reverse("reports:cycle_analysis", args=[cycle.pk]) + f"#validate-{number}")


@login_required
@require_POST
def enabler_score_set(request, pk, enabler_pk):
    cycle = _coordinator_cycle(request, pk)
    enabler = get_object_or_404(Enabler, version_id=cycle.framework_version_id, pk=enabler_pk)
    form = EnablerScoreForm(request.POST, prefix=f"e{enabler.pk}")
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose a level from 0 to 4."))
        services.enabler_score_set(
            cycle=cycle,
            enabler=enabler,
            level=form.cleaned_data["level"],
            rationale=form.cleaned_data["rationale"],
            by=request.user,
            request=request,
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Saved the score of %(enabler)s.") % {"enabler": isolate(enabler)})
    return redirect(reverse("reports:cycle_analysis", args=[cycle.pk]) + "#enablers")


def _job_context(job, *, worker_down=None, oob=False):
    """A job row: its state, and for an active job how long since the worker was heard and what happens next."""
    now = timezone.now()
    context = {"job": job, "stalled": False, "silent_for": None, "oob": oob}
    if job.status == ReportJob.Status.QUEUED and job.enqueued_at:
        waiting = now - job.enqueued_at
        if waiting > services.QUEUE_GRACE:
            if worker_down is None:
                worker_down = not services.worker_seen_recently(now=now)
            context["stalled"] = worker_down
            context["waiting_minutes"] = max(1, int(waiting.total_seconds() // 60))
    elif job.status == ReportJob.Status.RUNNING and job.heartbeat_at:
        silent = now - job.heartbeat_at
        if silent > services.HEARTBEAT_STALE:
            context["silent_for"] = int(silent.total_seconds())
            context["attempts_left"] = max(0, services.MAX_ATTEMPTS - job.attempts)
    return context


def _generate_message(job, created):
    if not created:
        return messages.INFO, _("A report for this cycle is already being prepared; here is its progress.")
    if job.status == ReportJob.Status.DONE:
        return messages.SUCCESS, _("The report is ready to download.")
    if job.status == ReportJob.Status.FAILED:
        return messages.ERROR, _("The report could not be prepared; the reason is shown below.")
    if job.published is False:
        return messages.WARNING, _(
            "The report is queued; the worker will pick it up as soon as the message service answers again. "
            "This page shows its progress."
        )
    return messages.SUCCESS, _("The report is queued; the worker will pick it up. This page shows its progress.")


# What the public summary offers ticked until the coordinator has chosen once (the example).
DEFAULT_PUBLIC_SECTIONS = ["profile", "priorities", "method"]
CONTENT_TYPES = {
    ReportJob.Format.PDF: "application/pdf",
    ReportJob.Format.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@login_required
def report_page(request, pk):
    cycle = _coordinator_cycle(request, pk)
    jobs = list(ReportJob.objects.filter(cycle=cycle).select_related("requested_by").defer("data")[:10])
    active = any(j.is_active for j in jobs)
    worker_down = not services.worker_seen_recently() if active else False
    # The sections of the last public summary, offered again (they are frozen in its job's data).
    last_public = (
        ReportJob.objects.filter(cycle=cycle, variant=ReportJob.Variant.PUBLIC)
        .values_list("data__public_sections", flat=True)
        .first()
    )
    chosen = set(last_public or DEFAULT_PUBLIC_SECTIONS)
    return render(
        request,
        "reports/report_page.html",
        {
            "cycle": cycle,
            "jobs": [_job_context(j, worker_down=worker_down) for j in jobs],
            "active": active,
            "languages": settings.LANGUAGES,
            "formats": ReportJob.Format.choices,
            "public_sections": [(code, label, code in chosen) for code, label in PUBLIC_SECTIONS],
        },
    )


@login_required
@require_POST
def report_generate(request, pk):
    cycle = _coordinator_cycle(request, pk)
    language = request.POST.get("language") or cycle.report_language
    if language not in dict(settings.LANGUAGES):
        language = cycle.report_language
    try:
        job, created = services.report_job_request(
            cycle=cycle,
            by=request.user,
            request=request,
            language=language,
            format=request.POST.get("format") or ReportJob.Format.PDF,
            variant=request.POST.get("variant") or ReportJob.Variant.FULL,
            public_sections=request.POST.getlist("sections"),
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.info(request, message)
        return redirect("reports:report_page", pk=cycle.pk)
    if created:
        job.refresh_from_db(fields=["status"])  # rendered already in the built-in mode without a thread
    level, text = _generate_message(job, created)
    messages.add_message(request, level, text)
    return redirect("reports:report_page", pk=cycle.pk)


def download_filename(job):
    """``MNR-gap-report-AA-National-assessment-2026-fr-2026-03-04.pdf``: country, cycle, language, date.

    A public summary is ``MNR-public-summary-…``; a Word document ends in ``.docx``."""
    made = timezone.localdate(job.finished_at or job.created_at)
    stem = f"{job.cycle.country.code} {job.cycle.title} {job.language or 'en'} {made:%Y-%m-%d}"
    prefix = "MNR-public-summary-" if job.is_public else "MNR-gap-report-"
    return prefix + re.sub(r"[^A-Za-z0-9]+", "-", stem).strip("-") + f".{job.format}"


def _job_for_user(request, job_pk):
    job = get_object_or_404(ReportJob.objects.select_related("cycle__country").defer("data"), pk=job_pk)
    # Scope through the cycle: 404 when the cycle is invisible, 403 when the user may only read it.
    get_cycle_for_user(request, job.cycle_id, manage=True)
    return job


@login_required
def report_job_status(request, job_pk):
    """The row, polled while the job is active; once it ends, the generate button is swapped in usable again."""
    job = _job_for_user(request, job_pk)
    context = _job_context(job, oob=True)
    context["cycle"] = job.cycle
    context["active"] = job.is_active
    return render(request, "reports/report_page.html#job-row", context)


@login_required
@require_POST
def report_job_retry(request, job_pk):
    job = _job_for_user(request, job_pk)
    try:
        services.report_job_retry(job=job, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Trying again."))
    return redirect("reports:report_page", pk=job.cycle_id)


@login_required
def report_download(request, job_pk):
    job = _job_for_user(request, job_pk)
    if job.status != ReportJob.Status.DONE:
        raise Http404("This report is not ready.")
    # The private storage: the local disk, or the S3-compatible store shared by web and worker hosts.
    storage = storages["private"]
    if not job.file or not storage.exists(job.file):
        raise Http404("The report file is missing; generate the report again.")
    if job.file_size is not None and storage.size(job.file) != job.file_size:
        raise Http404("The report file is incomplete; generate the report again.")  # never a partial file
    try:
        handle = storage.open(job.file, "rb")
    except OSError as exc:
        raise Http404("The report file is missing; generate the report again.") from exc
    audit(
        user=request.user,
        action=AuditEvent.Action.REPORT_DOWNLOADED,
        country=job.cycle.country,
        cycle=job.cycle,
        request=request,
        detail=f"job {job.pk}",
    )
    return FileResponse(
        handle, as_attachment=True, filename=download_filename(job), content_type=CONTENT_TYPES[job.format]
    )


@login_required
def export_answers(request, pk, fmt):
    cycle = _coordinator_cycle(request, pk)
    audit(
        user=request.user,
        action=AuditEvent.Action.EXPORT_DOWNLOADED,
        country=cycle.country,
        cycle=cycle,
        request=request,
        detail=fmt,
    )
    stem = f"MNR-answers-{cycle.country.code}-{cycle.pk}"
    if fmt == "xlsx":
        response = HttpResponse(
            exports.answers_xlsx(cycle),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(exports.answers_csv(cycle), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response
