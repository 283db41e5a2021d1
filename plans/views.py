"""The national action plan pages.

Access: the country's coordinators change the plan; focal points of any organisation of the country
read it and report progress on the actions their organisation leads; observers read; anyone else 404.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import storages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from assessments.access import coordinates, is_focal_point, observes, roles_of
from assessments.models import AuditEvent, Cycle, Role
from assessments.services import audit
from capabilities.models import Indicator
from mnr_portal.language import isolate
from reports.consolidation import cycle_report_data

from . import drawing, exports, pdf, queries, services
from .forms import ActionForm, ActionQuickForm, EndorseForm, FundingForm, MilestoneForm, PlanCreateForm, ProgressForm
from .models import Action, Funding, Plan, PlanJob, PlanRevision


def reads_country(user, country_id):
    """Coordinators, observers and the focal points of any organisation of the country read its plan."""
    return (
        coordinates(user, country_id)
        or observes(user, country_id)
        or any(r.role == Role.FOCAL_POINT and r.organisation.country_id == country_id for r in roles_of(user))
    )


def get_plan_cycle(request, pk, manage=False):
    """The cycle whose plan is asked for: 404 when the country is not the user's, 403 to readers who write."""
    cycle = Cycle.objects.select_related("country", "framework_version").filter(pk=pk).first()
    if cycle is None or not reads_country(request.user, cycle.country_id):
        raise Http404("No such cycle.")
    if cycle.status == Cycle.Status.DRAFT and not coordinates(request.user, cycle.country_id):
        raise Http404("No such cycle.")
    if manage and not coordinates(request.user, cycle.country_id):
        raise PermissionDenied(_("Only the country's national coordinator can change the action plan."))
    return cycle


def _plan_or_404(cycle):
    plan = Plan.objects.filter(cycle=cycle).first()
    if plan is None:
        raise Http404("This cycle has no plan yet.")
    plan.cycle = cycle
    return plan


def get_action_for_user(request, pk, manage=False, progress=False):
    action = (
        Action.objects.select_related("plan__cycle__country", "plan__cycle__framework_version", "lead_organisation")
        .filter(pk=pk)
        .first()
    )
    if action is None or not reads_country(request.user, action.plan.cycle.country_id):
        raise Http404("No such action.")
    country_id = action.plan.cycle.country_id
    if manage and not coordinates(request.user, country_id):
        raise PermissionDenied(_("Only the country's national coordinator can change the action plan."))
    if progress and not (
        coordinates(request.user, country_id)
        or (action.lead_organisation_id and is_focal_point(request.user, action.lead_organisation_id))
    ):
        raise PermissionDenied(_("Only the focal points of the lead organisation can report progress on this action."))
    return action


def may_report(user, action):
    return coordinates(user, action.plan.cycle.country_id) or (
        action.lead_organisation_id is not None and is_focal_point(user, action.lead_organisation_id)
    )


def _errors(exc):
    if hasattr(exc, "error_dict"):
        return [m for messages_ in exc.message_dict.values() for m in messages_]
    return exc.messages


def _apply_errors(form, exc):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


FILTERS = ("status", "lead", "overdue", "unfunded")


@login_required
def plan_page(request, pk):
    cycle = get_plan_cycle(request, pk)
    manage = coordinates(request.user, cycle.country_id)
    plan = Plan.objects.filter(cycle=cycle).first()
    if plan is None:
        return render(
            request,
            "plans/plan_page.html",
            {
                "cycle": cycle,
                "plan": None,
                "manage": manage,
                "create_form": PlanCreateForm(initial={"currency": "EUR"}),
            },
        )
    plan.cycle = cycle
    actions = queries.plan_actions(plan)
    domains = queries.framework_domains(plan)
    chosen = {
        "status": request.GET.get("status", ""),
        "lead": request.GET.get("lead", ""),
        "overdue": request.GET.get("overdue") == "1",
        "unfunded": request.GET.get("unfunded") == "1",
    }
    shown = queries.filter_actions(actions, **chosen)
    context = {
        "cycle": cycle,
        "plan": plan,
        "manage": manage,
        "editable": manage and not _superseded(plan),
        "groups": queries.group_by_domain(shown, domains),
        "totals": queries.plan_totals(actions),
        "shown_totals": queries.plan_totals(shown),
        "filtered": any(chosen.values()),
        "chosen": chosen,
        "statuses": Action.Status.choices,
        "organisations": services.organisations_of(plan),
        "n_actions": len(actions),
        "n_shown": len(shown),
        "n_overdue": sum(1 for a in actions if a.overdue),
        "revision": queries.latest_revision(plan),
        "reporter_orgs": {r.organisation_id for r in roles_of(request.user) if r.role == Role.FOCAL_POINT},
        "jobs": list(PlanJob.objects.filter(plan=plan).select_related("requested_by").defer("data")[:5]),
        "languages": settings.LANGUAGES,
    }
    context.update(drawing.plan_charts(plan, actions, domains))
    if context["editable"]:
        data = cycle_report_data(cycle, language=request.LANGUAGE_CODE)
        context["suggestions"] = queries.with_capability_resources(queries.suggestions(plan, data, actions))
        context["n_dismissed"] = plan.dismissals.count()
        context["endorse_form"] = EndorseForm(initial={"endorsed_on": timezone.localdate()})
        context["previous_plan"], context["carry_candidates"] = queries.carry_over_candidates(plan)
        if context["previous_plan"] is not None:
            context["did_it_work"] = queries.did_it_work(queries.plan_actions(context["previous_plan"]), data)
    if context["revision"] is not None:
        context["changes"] = queries.changes_since(context["revision"].snapshot, queries.plan_snapshot(plan))
    return render(request, "plans/plan_page.html", context)


def _superseded(plan):
    return Plan.objects.filter(
        cycle__country_id=plan.cycle.country_id, cycle__opens_on__gt=plan.cycle.opens_on
    ).exists()


@login_required
@require_POST
def plan_create(request, pk):
    cycle = get_plan_cycle(request, pk, manage=True)
    form = PlanCreateForm(request.POST)
    if form.is_valid():
        try:
            services.plan_create(cycle=cycle, currency=form.cleaned_data["currency"], by=request.user, request=request)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request, _("The action plan is started. Choose actions from the suggestions or add your own.")
            )
            return redirect("plans:plan_page", pk=cycle.pk)
    return render(request, "plans/plan_page.html", {"cycle": cycle, "plan": None, "manage": True, "create_form": form})


@login_required
def action_create(request, pk):
    cycle = get_plan_cycle(request, pk, manage=True)
    plan = _plan_or_404(cycle)
    initial = {}
    code = request.GET.get("suggestion", "")
    suggestion = _suggestion(plan, code, request.LANGUAGE_CODE) if code else None
    if suggestion is not None:
        cap_row, step, priority = suggestion
        initial = {
            "title": queries.draft_title(step),
            "description": queries.draft_description(step),
            "expected_result": step["text"],
            "priority": priority,
            "capability": _capability(plan, cap_row["number"]),
            "indicators": [_indicator(plan, step["indicator"])],
        }
    form = ActionForm(request.POST or None, plan=plan, initial=initial)
    if request.method == "POST" and form.is_valid():
        suggested = Indicator.objects.filter(
            version_id=cycle.framework_version_id, code=request.POST.get("suggested_from", "")
        ).first()
        parts = form.service_values()
        try:
            action = services.action_create(
                plan=plan,
                by=request.user,
                other_capabilities=parts["other_capabilities"],
                indicators=parts["indicators"],
                supporting_organisations=parts["supporting_organisations"],
                suggested_from=suggested,
                request=request,
                **parts["values"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Added the action “%(title)s”.") % {"title": isolate(action.title)})
            return redirect(reverse("plans:plan_page", args=[cycle.pk]) + f"#action-{action.pk}")
    return render(
        request,
        "plans/action_form.html",
        {
            "cycle": cycle,
            "plan": plan,
            "form": form,
            "action": None,
            "suggested_from": request.POST.get("suggested_from") or (code if suggestion else ""),
        },
    )


def _capability(plan, number):
    return plan.cycle.framework_version.capabilities.filter(number=number).first()


def _indicator(plan, code):
    return Indicator.objects.filter(version_id=plan.cycle.framework_version_id, code=code).first()


def _suggestion(plan, code, language):
    """(capability row, step, priority) of the suggestion drawn from indicator ``code``, or None."""
    data = cycle_report_data(plan.cycle, language=language)
    for row in queries.suggestions(plan, data, queries.plan_actions(plan)):
        for step in row["steps"]:
            if step["indicator"] == code:
                return row["capability"], step, row["priority"]
    return None


@login_required
@require_POST
def suggestion_accept(request, pk):
    """Accept a suggestion as it is: the drafted action is added, to be completed (lead, dates, cost) after."""
    cycle = get_plan_cycle(request, pk, manage=True)
    plan = _plan_or_404(cycle)
    code = request.POST.get("indicator", "")
    suggestion = _suggestion(plan, code, request.LANGUAGE_CODE)
    if suggestion is None:
        messages.error(request, _("That suggestion is no longer offered: it was accepted or ignored already."))
        return redirect("plans:plan_page", pk=cycle.pk)
    cap_row, step, priority = suggestion
    indicator = _indicator(plan, code)
    try:
        action = services.action_create(
            plan=plan,
            by=request.user,
            title=queries.draft_title(step),
            description=queries.draft_description(step),
            expected_result=step["text"],
            capability=_capability(plan, cap_row["number"]),
            priority=priority,
            estimated_cost=services.ZERO,
            indicators=[indicator],
            suggested_from=indicator,
            request=request,
        )
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
        return redirect("plans:plan_page", pk=cycle.pk)
    messages.success(
        request,
        _("Added “%(title)s”. Assign the lead organisation, the dates and the cost.")
        % {"title": isolate(action.title)},
    )
    return redirect(reverse("plans:plan_page", args=[cycle.pk]) + f"#action-{action.pk}")


@login_required
@require_POST
def suggestion_dismiss(request, pk):
    cycle = get_plan_cycle(request, pk, manage=True)
    plan = _plan_or_404(cycle)
    indicator = get_object_or_404(
        Indicator, version_id=cycle.framework_version_id, code=request.POST.get("indicator", "")
    )
    try:
        services.suggestion_dismiss(plan=plan, indicator=indicator, by=request.user, request=request)
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    else:
        messages.info(request, _("Ignored the suggestion for %(code)s.") % {"code": indicator.code})
    return redirect(reverse("plans:plan_page", args=[cycle.pk]) + "#suggestions")


@login_required
@require_POST
def suggestion_restore(request, pk):
    cycle = get_plan_cycle(request, pk, manage=True)
    plan = _plan_or_404(cycle)
    try:
        services.suggestion_restore(plan=plan, by=request.user, request=request)
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    else:
        messages.info(request, _("The ignored suggestions are offered again."))
    return redirect(reverse("plans:plan_page", args=[cycle.pk]) + "#suggestions")


@login_required
@require_POST
def actions_carry_over(request, pk):
    cycle = get_plan_cycle(request, pk, manage=True)
    plan = _plan_or_404(cycle)
    ids = [int(v) for v in request.POST.getlist("action") if v.isdigit()]
    try:
        carried = services.actions_carry_over(plan=plan, action_ids=ids, by=request.user, request=request)
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    else:
        messages.success(
            request,
            ngettext(
                "Carried %(n)d action over; its history stays with it.",
                "Carried %(n)d actions over; their history stays with them.",
                len(carried),
            )
            % {"n": len(carried)},
        )
    return redirect(reverse("plans:plan_page", args=[cycle.pk]) + "#carry-over")


@login_required
@require_POST
def plan_endorse(request, pk):
    cycle = get_plan_cycle(request, pk, manage=True)
    plan = _plan_or_404(cycle)
    form = EndorseForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        revision = services.plan_endorse(plan=plan, by=request.user, request=request, **form.cleaned_data)
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Recorded revision %(n)d as endorsed by %(body)s. Later changes are shown against it.")
            % {"n": revision.number, "body": isolate(revision.endorsed_by)},
        )
    return redirect(reverse("plans:plan_page", args=[cycle.pk]) + "#endorsement")


@login_required
def plan_revision(request, pk, number):
    cycle = get_plan_cycle(request, pk)
    plan = _plan_or_404(cycle)
    revision = get_object_or_404(PlanRevision.objects.select_related("recorded_by"), plan=plan, number=number)
    return render(
        request,
        "plans/revision.html",
        {
            "cycle": cycle,
            "plan": plan,
            "revision": revision,
            "actions": revision.snapshot["actions"],
            "totals": revision.snapshot["totals"],
            "changes": queries.changes_since(revision.snapshot, queries.plan_snapshot(plan)),
            "statuses": dict(Action.Status.choices),
            "priorities": dict(Action.Priority.choices),
        },
    )


@login_required
def plan_export(request, pk):
    cycle = get_plan_cycle(request, pk)
    plan = _plan_or_404(cycle)
    audit(
        user=request.user,
        action=AuditEvent.Action.EXPORT_DOWNLOADED,
        country=cycle.country,
        cycle=cycle,
        request=request,
        detail="action plan xlsx",
    )
    response = HttpResponse(
        exports.plan_xlsx(plan), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="MNR-action-plan-{cycle.country.code}-{cycle.pk}.xlsx"'
    return response


def _row_context(request, action_pk, plan, **extra):
    action = queries.plan_actions(plan, pk=action_pk)[0]
    return {
        "a": action,
        "plan": plan,
        "cycle": plan.cycle,
        "editable": coordinates(request.user, plan.cycle.country_id) and not _superseded(plan),
        "reporter_orgs": {r.organisation_id for r in roles_of(request.user) if r.role == Role.FOCAL_POINT},
        **extra,
    }


@login_required
def action_detail(request, pk):
    action = get_action_for_user(request, pk)
    plan = action.plan
    context = _row_context(request, action.pk, plan)
    context["earlier"] = queries.earlier_updates(context["a"])
    if context["editable"]:
        context["funding_form"] = FundingForm()
        context["milestone_form"] = MilestoneForm()
    if may_report(request.user, action) and not _superseded(plan):
        context["progress_form"] = ProgressForm(action=action)
    return render(request, "plans/action_detail.html", context)


@login_required
def action_row(request, pk):
    action = get_action_for_user(request, pk)
    return render(request, "plans/plan_page.html#action-row", _row_context(request, action.pk, action.plan))


@login_required
def action_update(request, pk):
    """The full edit page, or (``quick=1``) the row edited in place on the plan page (htmx)."""
    action = get_action_for_user(request, pk, manage=True)
    plan = action.plan
    quick = request.GET.get("quick") == "1" or request.POST.get("quick") == "1"
    form_class = ActionQuickForm if quick else ActionForm
    form = form_class(request.POST or None, instance=action, plan=plan, prefix=f"a{action.pk}" if quick else None)
    conflict = None
    if request.method == "POST" and form.is_valid():
        parts = form.service_values()
        try:
            services.action_update(
                action=action,
                base_version=form.cleaned_data["version"] if form.cleaned_data.get("version") is not None else -1,
                by=request.user,
                request=request,
                **{k: v for k, v in parts.items() if k != "values"},
                **parts["values"],
            )
        except services.ActionConflict as exc:
            conflict = exc.current
            # The person's edit is kept in the form; saving again from here overwrites knowingly.
            data = request.POST.copy()
            data[form.add_prefix("version")] = str(conflict.version)
            form = form_class(data, instance=Action.objects.get(pk=action.pk), plan=plan, prefix=form.prefix)
            form.is_valid()
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            if quick:
                return render(
                    request, "plans/plan_page.html#action-row", _row_context(request, action.pk, plan, saved=True)
                )
            messages.success(request, _("Saved the action."))
            return redirect(reverse("plans:plan_page", args=[plan.cycle_id]) + f"#action-{action.pk}")
    context = {"cycle": plan.cycle, "plan": plan, "form": form, "action": action, "conflict": conflict}
    if quick:
        return render(
            request, "plans/plan_page.html#action-edit", {**_row_context(request, action.pk, plan), **context}
        )
    return render(request, "plans/action_form.html", context)


@login_required
@require_POST
def action_delete(request, pk):
    action = get_action_for_user(request, pk, manage=True)
    try:
        services.action_delete(action=action, by=request.user, request=request)
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
        return redirect("plans:action_detail", pk=action.pk)
    messages.success(request, _("Removed the action “%(title)s”.") % {"title": isolate(action.title)})
    return redirect("plans:plan_page", pk=action.plan.cycle_id)


@login_required
@require_POST
def funding_add(request, pk):
    action = get_action_for_user(request, pk, manage=True)
    form = FundingForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        services.funding_add(action=action, by=request.user, request=request, **form.cleaned_data)
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
        return _detail_with(request, action, funding_form=form)
    messages.success(request, _("Added the funding."))
    return redirect(reverse("plans:action_detail", args=[action.pk]) + "#funding")


@login_required
@require_POST
def funding_delete(request, pk, funding_pk):
    action = get_action_for_user(request, pk, manage=True)
    funding = get_object_or_404(Funding.objects.select_related("action"), pk=funding_pk, action=action)
    try:
        services.funding_delete(funding=funding, by=request.user, request=request)
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("Removed the funding from %(funder)s.") % {"funder": isolate(funding.funder)})
    return redirect(reverse("plans:action_detail", args=[action.pk]) + "#funding")


@login_required
@require_POST
def milestone_add(request, pk):
    action = get_action_for_user(request, pk, manage=True)
    form = MilestoneForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        services.milestone_add(action=action, by=request.user, request=request, **form.cleaned_data)
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
        return _detail_with(request, action, milestone_form=form)
    messages.success(request, _("Added the milestone."))
    return redirect(reverse("plans:action_detail", args=[action.pk]) + "#milestones")


@login_required
@require_POST
def progress_post(request, pk):
    action = get_action_for_user(request, pk, progress=True)
    form = ProgressForm(request.POST, action=action)
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        services.progress_post(action=action, by=request.user, request=request, **form.cleaned_data)
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
        return _detail_with(request, action, progress_form=form)
    messages.success(request, _("Your progress update is saved."))
    return redirect(reverse("plans:action_detail", args=[action.pk]) + "#updates")


def _detail_with(request, action, **forms):
    """The action page again with the refused form as it was typed, so nothing is lost (status 200)."""
    context = _row_context(request, action.pk, action.plan)
    if context["editable"]:
        context["funding_form"] = FundingForm()
        context["milestone_form"] = MilestoneForm()
    if may_report(request.user, action):
        context["progress_form"] = ProgressForm(action=action)
    context.update(forms)
    return render(request, "plans/action_detail.html", context)


@login_required
@require_POST
def plan_pdf_generate(request, pk):
    cycle = get_plan_cycle(request, pk, manage=True)
    plan = _plan_or_404(cycle)
    language = request.POST.get("language") or cycle.report_language
    if language not in dict(settings.LANGUAGES):
        language = cycle.report_language
    _job, created = pdf.plan_job_request(plan=plan, by=request.user, language=language, request=request)
    if created:
        messages.success(request, _("The plan PDF is being prepared; this page shows its progress."))
    else:
        messages.info(request, _("The plan PDF is already being prepared; here is its progress."))
    return redirect(reverse("plans:plan_page", args=[cycle.pk]) + "#plan-pdf")


def _job_for_user(request, job_pk, manage=False):
    job = get_object_or_404(PlanJob.objects.select_related("plan__cycle__country").defer("data"), pk=job_pk)
    get_plan_cycle(request, job.plan.cycle_id, manage=manage)
    return job


@login_required
def plan_job_status(request, job_pk):
    job = _job_for_user(request, job_pk, manage=True)
    return render(request, "plans/plan_page.html#job-row", {"job": job})


@login_required
def plan_pdf_download(request, job_pk):
    job = _job_for_user(request, job_pk)
    if job.status != PlanJob.Status.DONE:
        raise Http404("This PDF is not ready.")
    storage = storages["private"]  # the local disk or the S3-compatible store
    if not job.file or not storage.exists(job.file):
        raise Http404("The PDF file is missing; generate it again.")
    handle = storage.open(job.file, "rb")
    cycle = job.plan.cycle
    audit(
        user=request.user,
        action=AuditEvent.Action.REPORT_DOWNLOADED,
        country=cycle.country,
        cycle=cycle,
        request=request,
        detail=f"action plan job {job.pk}",
    )
    name = f"MNR-action-plan-{cycle.country.code}-{cycle.pk}.pdf"
    return FileResponse(handle, as_attachment=True, filename=name, content_type="application/pdf")
