"""Pages for coordinators (cycles) and focal points (questionnaires).

Every view gets its object through ``assessments.access``: 404 for what the user may not see,
403 for what they may only read.
"""

from functools import reduce
from operator import or_

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from capabilities.models import LevelDescriptor, Sector, Source
from capabilities.queries import framework_tree
from mnr_portal.language import isolate

from . import carry, participants, services, workbook
from .access import (
    coordinated_country_ids,
    coordinates,
    get_answer_for_user,
    get_cycle_for_user,
    get_submission_for_user,
    is_focal_point,
    observes,
)
from .forms import (
    AnswerForm,
    CycleForm,
    InviteForm,
    OrganisationsImportForm,
    ParticipantForm,
    ReturnForm,
    ReviewCommentForm,
    SubmitForm,
    TargetsForm,
    WorkbookUploadForm,
)
from .models import (
    Answer,
    AnswerRevision,
    AuditEvent,
    Country,
    Cycle,
    Invitation,
    Reminder,
    ReviewComment,
    RoleAssignment,
    Submission,
)
from .queries import (
    cycle_submissions,
    organisation_contacts,
    submission_progress,
    unanswered_answers,
    unconfirmed_answers,
)


def _base_url(request):
    return f"{request.scheme}://{request.get_host()}"


def _flash_errors(request, exc):
    for message in exc.messages:
        messages.error(request, message)


# Coordinator: cycles ------------------------------------------------------------------------------


@login_required
def cycle_list(request):
    cycles = Cycle.objects.visible_to(request.user).select_related("country", "framework_version")
    return render(
        request,
        "assessments/cycle_list.html",
        {"cycles": cycles, "can_create": request.user.is_superuser or bool(coordinated_country_ids(request.user))},
    )


@login_required
def cycle_create(request):
    countries = (
        Country.objects.all()
        if request.user.is_superuser
        else Country.objects.filter(pk__in=coordinated_country_ids(request.user))
    )
    if not countries.exists():
        raise PermissionDenied(_("Only national coordinators can create cycles."))
    form = CycleForm(request.POST or None, countries=countries)
    if request.method == "POST" and form.is_valid():
        try:
            cycle = services.cycle_create(**form.cleaned_data, by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Cycle created. Add the participating organisations, then open it."))
            return redirect(cycle)
    return render(request, "assessments/cycle_form.html", {"form": form})


@login_required
def cycle_detail(request, pk):
    cycle = get_cycle_for_user(request, pk)
    manager = coordinates(request.user, cycle.country_id)
    context = {"cycle": cycle, "is_coordinator": manager, "is_observer": observes(request.user, cycle.country_id)}
    if manager:
        submissions = list(cycle_submissions(cycle))
        contacts = organisation_contacts(s.organisation_id for s in submissions)
        for submission in submissions:
            submission.contacts = contacts.get(submission.organisation_id, [])
        context |= {
            "submissions": submissions,
            "reminder_interval_hours": int(services.REMINDER_INTERVAL.total_seconds() // 3600),
            "participant_form": ParticipantForm(cycle=cycle),
            "invite_form": InviteForm(cycle=cycle),
            "reminders": Reminder.objects.filter(cycle=cycle).select_related("organisation", "sent_by")[:20],
        }
    else:
        # Observers and focal points see the cycle's status, never another organisation's answers.
        context["own_submissions"] = cycle.submissions.filter(
            organisation__roles__user=request.user, organisation__roles__role="focal_point"
        ).select_related("organisation")
    return render(request, "assessments/cycle_detail.html", context)


@login_required
@require_POST
def cycle_add_participant(request, pk):
    cycle = get_cycle_for_user(request, pk, manage=True)
    form = ParticipantForm(request.POST, cycle=cycle)
    if form.is_valid():
        try:
            with transaction.atomic():  # a new organisation is kept only if it joins the cycle
                organisation = form.cleaned_data["organisation"] or services.organisation_create(
                    country=cycle.country,
                    name=form.cleaned_data["name"],
                    sector=form.cleaned_data["sector"],
                    by=request.user,
                )
                services.cycle_add_organisation(cycle=cycle, organisation=organisation, by=request.user)
        except ValidationError as exc:
            _flash_errors(request, exc)
        else:
            messages.success(request, _("%(org)s takes part in the cycle.") % {"org": isolate(organisation)})
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(cycle)


@login_required
@require_POST
def cycle_invite(request, pk):
    cycle = get_cycle_for_user(request, pk, manage=True)
    form = InviteForm(request.POST, cycle=cycle)
    if cycle.status == Cycle.Status.CLOSED:
        messages.error(request, _("The cycle is closed; invite focal points to a new cycle."))
    elif form.is_valid():
        try:
            invitation = participants.focal_point_invite(
                cycle=cycle, **form.cleaned_data, by=request.user, base_url=_base_url(request)
            )
        except ValidationError as exc:
            _flash_errors(request, exc)
        else:
            values = {"email": isolate(invitation.email), "org": isolate(form.cleaned_data["organisation"])}
            if invitation.status == Invitation.Status.PENDING:
                messages.success(
                    request,
                    _(
                        "Invitation sent to %(email)s for %(org)s. They already have an account: they become a "
                        "focal point when they accept it."
                    )
                    % values,
                )
            else:
                messages.success(request, _("Invitation sent to %(email)s for %(org)s.") % values)
    else:
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{form.fields[field].label}: {error}" if field in form.fields else error)
    return redirect(cycle)


@login_required
@require_POST
def cycle_open(request, pk):
    cycle = get_cycle_for_user(request, pk, manage=True)
    try:
        services.cycle_open(cycle=cycle, by=request.user, request=request)
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, _("The cycle is open: focal points can now answer their questionnaires."))
    return redirect(cycle)


@login_required
@require_POST
def cycle_close(request, pk):
    cycle = get_cycle_for_user(request, pk, manage=True)
    try:
        services.cycle_close(cycle=cycle, by=request.user)
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, _("The cycle is closed: answers can no longer change."))
    return redirect(cycle)


@login_required
def cycle_remind(request, pk):
    """GET: who would be written to, for confirmation. POST: send to the confirmed organisations still due."""
    cycle = get_cycle_for_user(request, pk, manage=True)
    if request.method == "POST":
        try:
            chosen = {int(v) for v in request.POST.getlist("organisation") if v.isdigit()}
            sent = services.reminders_send(
                cycle=cycle, by=request.user, base_url=_base_url(request), organisation_ids=chosen
            )
        except ValidationError as exc:
            _flash_errors(request, exc)
        else:
            if sent:
                messages.success(
                    request,
                    _("Reminders sent to %(orgs)s.") % {"orgs": ", ".join(isolate(r.organisation.name) for r in sent)},
                )
            elif services.reminders_plan(cycle).recent:
                messages.info(
                    request,
                    _("No reminder sent: the organisations chosen were reminded less than %(hours)d hours ago.")
                    % {"hours": services.REMINDER_INTERVAL.total_seconds() // 3600},
                )
            else:
                messages.info(request, _("No reminder sent: every organisation with a focal point has submitted."))
            return redirect(cycle)
    plan = services.reminders_plan(cycle) if cycle.is_open else None
    return render(
        request,
        "assessments/cycle_remind.html",
        {
            "cycle": cycle,
            "plan": plan,
            "interval_hours": int(services.REMINDER_INTERVAL.total_seconds() // 3600),
        },
    )


@login_required
def cycle_organisations_import(request, pk):
    """Add many organisations at once (pasted lines or CSV), all or nothing, and invite their focal points."""
    cycle = get_cycle_for_user(request, pk, manage=True)
    form = OrganisationsImportForm(request.POST or None, request.FILES or None, cycle=cycle)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                added = participants.organisations_import(
                    cycle=cycle, rows=form.parsed, by=request.user, base_url=_base_url(request)
                )
            except ValidationError as exc:
                # Refused on the current rows (cycle closed, a name taken meanwhile): a conflict, not a typo.
                for message in exc.messages:
                    form.add_error(None, message)
                status = 409
            else:
                invited = sum(len(row.emails) for row in form.parsed)
                messages.success(
                    request,
                    _("%(n)d organisations added to the cycle; %(invited)d focal points invited.")
                    % {"n": len(added), "invited": invited},
                )
                return redirect(cycle)
        if status == 200 and form.errors:
            status = 422
    context = {
        "cycle": cycle,
        "form": form,
        "closed": cycle.status == Cycle.Status.CLOSED,
        "sectors": Sector.objects.order_by("order", "code"),
    }
    return render(request, "assessments/cycle_organisations_import.html", context, status=status)


@login_required
@require_POST
def invitation_resend(request, pk, invitation_pk):
    cycle = get_cycle_for_user(request, pk, manage=True)
    invitation = get_object_or_404(Invitation, pk=invitation_pk, organisation__country=cycle.country_id)
    try:
        invitation = participants.invitation_resend(
            cycle=cycle, invitation=invitation, by=request.user, base_url=_base_url(request)
        )
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, _("Invitation sent again to %(email)s.") % {"email": isolate(invitation.email)})
    return redirect(f"{cycle.get_absolute_url()}#participants")


def _own_invitation(request, pk):
    """An invitation is visible to the person it is addressed to only."""
    return get_object_or_404(
        Invitation.objects.select_related("organisation__country", "country"),
        pk=pk,
        user=request.user,
        status=Invitation.Status.PENDING,
    )


@login_required
@require_POST
def invitation_accept(request, pk):
    invitation = _own_invitation(request, pk)
    try:
        participants.invitation_accept(invitation=invitation, by=request.user, request=request)
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(
            request,
            _("You are now a national coordinator of %(country)s.") % {"country": isolate(invitation.country)}
            if invitation.is_coordinator
            else _("You are now a focal point of %(org)s (%(country)s).")
            % {"org": isolate(invitation.organisation), "country": isolate(invitation.organisation.country)},
        )
    return redirect("home")


@login_required
@require_POST
def invitation_decline(request, pk):
    invitation = _own_invitation(request, pk)
    try:
        participants.invitation_decline(invitation=invitation, by=request.user, request=request)
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.info(request, _("You declined the invitation of %(org)s.") % {"org": isolate(invitation.target)})
    return redirect("home")


@login_required
def cycle_targets(request, pk):
    cycle = get_cycle_for_user(request, pk, manage=request.method == "POST")
    targets = list(cycle.targets.select_related("capability__domain"))
    form = TargetsForm(request.POST or None, targets=targets)
    if request.method == "POST" and form.is_valid():
        try:
            services.targets_update(cycle=cycle, levels=form.levels(), by=request.user, request=request)
        except ValidationError as exc:
            _flash_errors(request, exc)
        else:
            messages.success(request, _("Targets saved."))
            return redirect(cycle)
    readonly = not coordinates(request.user, cycle.country_id) or cycle.status == Cycle.Status.CLOSED
    return render(request, "assessments/cycle_targets.html", {"cycle": cycle, "form": form, "readonly": readonly})


# Focal point: questionnaire -----------------------------------------------------------------------


def _audit_read(request, submission):
    """Reads by anyone other than the organisation's own focal points are recorded."""
    if not is_focal_point(request.user, submission.organisation_id):
        services.audit(
            user=request.user,
            action=AuditEvent.Action.SUBMISSION_VIEWED,
            country=submission.cycle.country,
            cycle=submission.cycle,
            submission=submission,
            request=request,
        )


def _can_answer(request, submission):
    return (
        is_focal_point(request.user, submission.organisation_id)
        and submission.cycle.is_open
        and submission.is_editable_status
    )


@login_required
def questionnaire(request, pk):
    submission = get_submission_for_user(request, pk)
    _audit_read(request, submission)
    progress = submission_progress(submission)
    return render(
        request,
        "assessments/questionnaire.html",
        {
            "submission": submission,
            "cycle": submission.cycle,
            "progress": progress,
            "unanswered": unanswered_answers(submission),
            "unconfirmed": unconfirmed_answers(submission),
            "can_answer": _can_answer(request, submission),
            "can_review": coordinates(request.user, submission.cycle.country_id),
            # The comments sent with the latest return, listed under its reason.
            "returned_comments": ReviewComment.objects.filter(
                answer__submission=submission, sent_at=submission.reviewed_at
            )
            .select_related("answer__indicator__capability")
            .order_by("answer__indicator__capability__number", "answer__indicator__order")
            if submission.status == Submission.Status.RETURNED
            else [],
            "submit_form": SubmitForm(),
            "return_form": ReturnForm(),
        },
    )


def _capability_answers(submission, tree, capability):
    """The capability's answers in page order (3 queries: the answers with who saved them, the review
    comments sent with a return, the evidence documents and links); indicators and their descriptors come
    from the version's cached tree."""
    order = {pk: i for i, pk in enumerate(tree.indicator_ids[capability.pk])}
    answers = list(
        Answer.objects.filter(submission=submission, indicator_id__in=order)
        .select_related("updated_by")
        .prefetch_related(
            # Only the comments sent with a return: drafts are the coordinators' own until then.
            Prefetch(
                "review_comments",
                queryset=ReviewComment.objects.filter(sent_at__isnull=False)
                .select_related("author")
                .order_by("sent_at", "pk"),
                to_attr="sent_review_comments",
            ),
            # The documents and links attached as evidence (the evidence app, above this one: its model is
            # reached through the relation so that this app imports nothing from it).
            Prefetch(
                "evidence_attachments",
                queryset=Answer.evidence_attachments.rel.related_model.objects.filter(removed_at__isnull=True)
                .select_related("document")
                .order_by("attached_at", "pk"),
                to_attr="current_evidence",
            ),
        )
    )
    for answer in answers:
        answer.indicator = tree.indicators[answer.indicator_id]
        answer.submission = submission
        for comment in answer.sent_review_comments:
            comment.answer = answer  # with its indicator: the comments name it
    answers.sort(key=lambda answer: order[answer.indicator_id])
    return answers


def _render_capability(request, submission, capability, bound=None, status=200):
    """The capability page; ``bound`` replaces one answer's form by a submitted one (with its errors)."""
    tree = framework_tree(submission.cycle.framework_version)
    items = []
    for answer in _capability_answers(submission, tree, capability):
        if bound is not None and bound["answer"].pk == answer.pk:
            bound["answer"].sent_review_comments = answer.sent_review_comments
            bound["answer"].current_evidence = answer.current_evidence
            items.append(bound)
        else:
            items.append({"answer": answer, "form": AnswerForm(answer=answer, levels=tree.levels), "state": None})
    if not items:
        raise Http404("This organisation is not asked about this capability.")
    progress = submission_progress(submission, tree)
    caps = progress.capabilities()
    position = next(i for i, c in enumerate(caps) if c.capability.pk == capability.pk)
    return render(
        request,
        "assessments/questionnaire_capability.html",
        {
            "submission": submission,
            "cycle": submission.cycle,
            "capability": capability,
            "items": items,
            "progress": progress,
            "previous": caps[position - 1].capability if position > 0 else None,
            "next": caps[position + 1].capability if position + 1 < len(caps) else None,
            "can_answer": _can_answer(request, submission),
            "review_comment_count": sum(len(item["answer"].sent_review_comments) for item in items),
            "carried_count": sum(1 for item in items if item["answer"].awaits_confirmation),
            "csrf_cookie_name": settings.CSRF_COOKIE_NAME,
            "portal_levels": [level for level in tree.levels if level.source == Source.PORTAL],
            "draft_translation": (get_language() or "").split("-")[0] in tree.provisional_languages,
        },
        status=status,
    )


@login_required
def questionnaire_capability(request, pk, number):
    submission = get_submission_for_user(request, pk)
    capability = framework_tree(submission.cycle.framework_version).capability(number)
    if capability is None:
        raise Http404("No such capability.")
    response = _render_capability(request, submission, capability)
    _audit_read(request, submission)
    return response


@login_required
@require_POST
def answer_update(request, pk, answer_pk):
    """Autosave (static/js/autosave.js) and plain form post of one answer.

    The autosave gets the answer's state fragment with a status code it acts on: 200 saved (with the
    side navigation's counts), 422 invalid, 409 conflict, 403 refused, 400 out of date, 503 database
    busy or down (retried). A session that ended gets 401 from the middleware. A plain post is
    redirected back, or gets the page again with the typed values and the error.
    """
    try:
        return _answer_update(request, pk, answer_pk)
    except (OperationalError, InterfaceError):
        # A lock or statement time-out (SQLSTATE 55P03, 57014) or a lost database: nothing was saved
        # (answer_save is one transaction) and the same request can simply be sent again.
        message = _("Not saved: the database is busy or unavailable. What you typed is kept; try again in a moment.")
        if request.headers.get("HX-Request"):
            response = render(
                request,
                "assessments/questionnaire_capability.html#answer-unavailable",
                {"answer_pk": answer_pk, "message": message},
                status=503,
            )
        else:
            response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = "5"
        return response


def _answer_update(request, pk, answer_pk):
    answer = get_answer_for_user(request, pk, answer_pk, write=True)
    submission = answer.submission
    tree = framework_tree(submission.cycle.framework_version)
    answer.indicator = tree.indicators[answer.indicator_id]
    levels = tree.levels
    was_counted, was_carry = answer.counts, answer.carry
    form = AnswerForm(request.POST, answer=answer, levels=levels)
    prefix = form.prefix
    state = {"kind": "saved"}
    status = 200
    try:
        base_version = int(request.POST.get(f"{prefix}-overwrite") or request.POST.get(f"{prefix}-version", ""))
    except ValueError:
        base_version = None
    if base_version is None:
        state, status = {"kind": "error", "message": _("The form is out of date; reload the page.")}, 400
    elif not form.is_valid():
        state, status = {"kind": "invalid", "message": _("Not saved: correct the answer below.")}, 422
    else:
        try:
            services.answer_save(
                answer=answer,
                choice=form.cleaned_data["choice"],
                evidence=form.cleaned_data["evidence"],
                comment=form.cleaned_data["comment"],
                base_version=base_version,
                by=request.user,
            )
        except PermissionDenied as exc:
            state, status = {"kind": "error", "message": str(exc)}, 403
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
            state, status = {"kind": "invalid", "message": _("Not saved: correct the answer below.")}, 422
        except services.AnswerConflict as conflict:
            # The form keeps the version the person edited: only "Save mine instead" overwrites, not
            # the next autosave.
            state, status = {"kind": "conflict", "current": conflict.current, "base_version": base_version}, 409
    if request.headers.get("HX-Request"):
        context = {"answer": answer, "form": form, "state": state, "submission": submission, "oob": True}
        # Changing a carried answer confirms it: its note beside the question follows.
        context["carry_changed"] = answer.carry != was_carry
        if status == 200 and answer.counts != was_counted:
            # The side navigation's counts follow the saved answer (they change only when it becomes
            # counted or stops being counted).
            context |= {"progress": submission_progress(submission, tree), "capability": answer.indicator.capability}
        return render(request, "assessments/questionnaire_capability.html#answer-state", context, status=status)
    if state["kind"] == "saved":
        messages.success(request, _("Answer to %(code)s saved.") % {"code": answer.indicator.code})
        url = reverse("assessments:questionnaire_capability", args=[submission.pk, answer.indicator.capability.number])
        return redirect(f"{url}#ind-{answer.indicator.code}")
    if status == 403:
        raise PermissionDenied(state["message"])
    bound = {"answer": answer, "form": form, "state": state}
    return _render_capability(request, submission, answer.indicator.capability, bound=bound, status=status)


def _back_to(submission, indicator):
    url = reverse("assessments:questionnaire_capability", args=[submission.pk, indicator.capability.number])
    return redirect(f"{url}#ind-{indicator.code}")


@login_required
@require_POST
def answer_confirm(request, pk, answer_pk):
    """Confirm one answer carried from the last cycle, or take over its suggestion.

    htmx (the "Confirm" button): the answer's carry note, with its state and the side navigation out of
    band. A refusal reloads the page (``HX-Refresh``) to show why. Without script: back to the answer.
    """
    answer = get_answer_for_user(request, pk, answer_pk, write=True)
    submission = answer.submission
    tree = framework_tree(submission.cycle.framework_version)
    answer.indicator = tree.indicators[answer.indicator_id]
    htmx = bool(request.headers.get("HX-Request"))
    try:
        answer = carry.answer_confirm(answer=answer, by=request.user, request=request)
    except (PermissionDenied, ValidationError) as exc:
        if not htmx:
            if isinstance(exc, PermissionDenied):
                raise
            _flash_errors(request, exc)
            return _back_to(submission, answer.indicator)
        if isinstance(exc, PermissionDenied):
            messages.error(request, str(exc))
        else:
            _flash_errors(request, exc)
        response = HttpResponse(status=403 if isinstance(exc, PermissionDenied) else 422)
        response["HX-Refresh"] = "true"
        return response
    answer.indicator = tree.indicators[answer.indicator_id]
    if not htmx:
        messages.success(request, _("Answer to %(code)s confirmed.") % {"code": answer.indicator.code})
        return _back_to(submission, answer.indicator)
    form = AnswerForm(answer=answer, levels=tree.levels)
    context = {
        "answer": answer,
        "form": form,
        "state": {"kind": "confirmed"},
        "submission": submission,
        "can_answer": True,
        "progress": submission_progress(submission, tree),
        "capability": answer.indicator.capability,
        "oob": True,
        "carry_changed": False,
    }
    return render(request, "assessments/questionnaire_capability.html#carry-response", context)


@login_required
@require_POST
def answers_confirm_all(request, pk, number):
    """Confirm every carried answer on one capability page, each recorded on its own."""
    submission = get_submission_for_user(request, pk, write=True)
    tree = framework_tree(submission.cycle.framework_version)
    capability = tree.capability(number)
    if capability is None:
        raise Http404("No such capability.")
    answers = _capability_answers(submission, tree, capability)
    try:
        confirmed = carry.answers_confirm_all(submission=submission, answers=answers, by=request.user, request=request)
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(
            request,
            ngettext("%(n)d carried answer confirmed.", "%(n)d carried answers confirmed.", len(confirmed))
            % {"n": len(confirmed)},
        )
    return redirect("assessments:questionnaire_capability", submission.pk, capability.number)


@login_required
@require_POST
def questionnaire_submit(request, pk):
    submission = get_submission_for_user(request, pk, write=True)
    form = SubmitForm(request.POST)
    form.is_valid()
    try:
        services.submission_submit(
            submission=submission,
            by=request.user,
            confirm_unanswered=form.cleaned_data.get("confirm_unanswered", False),
            request=request,
        )
    except PermissionDenied:
        raise
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, _("Submitted. The national coordinator will review your answers."))
    return redirect("assessments:questionnaire", pk=submission.pk)


@login_required
@require_POST
def submission_return(request, pk):
    """Return with the reason and the review's comments. From the review page a refusal shows that page
    again with the typed reason; from the summary page it is a message there."""
    submission = get_submission_for_user(request, pk, review=True)
    form = ReturnForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Say what the organisation should change; they will see this text."))
        services.submission_return(
            submission=submission, by=request.user, reason=form.cleaned_data["reason"], request=request
        )
    except ValidationError as exc:
        if request.POST.get("from") == "review":
            for message in exc.messages:
                form.add_error(None, message)
            return _render_review(request, submission, return_form=form, status=422)
        _flash_errors(request, exc)
    else:
        sent = ReviewComment.objects.filter(answer__submission=submission, sent_at=submission.reviewed_at).count()
        if sent:
            messages.success(
                request,
                ngettext(
                    "Returned to %(org)s with your request and %(n)d review comment.",
                    "Returned to %(org)s with your request and %(n)d review comments.",
                    sent,
                )
                % {"org": isolate(submission.organisation), "n": sent},
            )
        else:
            messages.success(
                request, _("Returned to %(org)s with your request.") % {"org": isolate(submission.organisation)}
            )
    return redirect("assessments:questionnaire", pk=submission.pk)


@login_required
@require_POST
def submission_accept(request, pk):
    submission = get_submission_for_user(request, pk, review=True)
    try:
        services.submission_accept(submission=submission, by=request.user, request=request)
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, _("Accepted the answers of %(org)s.") % {"org": isolate(submission.organisation)})
    return redirect("assessments:questionnaire", pk=submission.pk)


@login_required
def questionnaire_history(request, pk):
    submission = get_submission_for_user(request, pk)
    _audit_read(request, submission)
    revisions = (
        AnswerRevision.objects.filter(answer__submission=submission)
        .select_related("answer__indicator", "changed_by")
        .order_by("answer__indicator__capability__number", "answer__indicator__order", "version")
    )
    # Pair every revision with the one before it on the same answer: old → new.
    rows, previous = [], {}
    for revision in revisions:
        rows.append({"revision": revision, "before": previous.get(revision.answer_id)})
        previous[revision.answer_id] = revision
    rows.sort(key=lambda row: row["revision"].changed_at, reverse=True)
    return render(request, "assessments/questionnaire_history.html", {"submission": submission, "rows": rows})


# Coordinator: the review page -------------------------------------------------------------------


def _review_items(submission, bound=None):
    """The whole submission by domain and capability, each answer with its level text and review comments.

    ``bound`` maps an answer's pk to a submitted comment form (with its errors), which replaces the blank
    or draft form of that answer. 4 queries: answers, descriptors, comments, the version's levels.
    """
    bound = bound or {}
    answers = (
        Answer.objects.filter(submission=submission)
        .select_related("indicator__capability__domain", "updated_by")
        .prefetch_related(
            Prefetch("indicator__descriptors", queryset=LevelDescriptor.objects.order_by("level")),
            Prefetch(
                "review_comments",
                queryset=ReviewComment.objects.select_related("author", "answer").order_by("created_at", "pk"),
            ),
        )
        .order_by(
            "indicator__capability__domain__order",
            "indicator__capability__domain__code",
            "indicator__capability__number",
            "indicator__order",
            "indicator__code",
        )
    )
    level_names = {level.level: level.name for level in submission.cycle.framework_version.levels.all()}
    domains, drafts = [], 0
    for answer in answers:
        capability = answer.indicator.capability
        if not domains or domains[-1]["domain"].pk != capability.domain_id:
            domains.append({"domain": capability.domain, "capabilities": []})
        capabilities = domains[-1]["capabilities"]
        if not capabilities or capabilities[-1]["capability"].pk != capability.pk:
            capabilities.append({"capability": capability, "items": [], "comments": 0})
        comments = list(answer.review_comments.all())
        draft = next((c for c in comments if c.is_draft), None)
        drafts += draft is not None
        descriptor = next((d.text for d in answer.indicator.descriptors.all() if d.level == answer.level), "")
        form = bound.get(answer.pk) or ReviewCommentForm(answer=answer, initial={"text": draft.text} if draft else None)
        capabilities[-1]["items"].append(
            {
                "answer": answer,
                "level_name": level_names.get(answer.level, ""),
                "descriptor": descriptor,
                "sent": [c for c in comments if not c.is_draft],
                "draft": draft,
                "form": form,
            }
        )
        capabilities[-1]["comments"] += len(comments)
    return domains, drafts


def _render_review(request, submission, bound=None, return_form=None, status=200):
    domains, drafts = _review_items(submission, bound)
    can_comment = submission.status == Submission.Status.SUBMITTED and submission.cycle.is_open
    items = [item for d in domains for c in d["capabilities"] for item in c["items"]]
    return render(
        request,
        "assessments/review.html",
        {
            "submission": submission,
            "cycle": submission.cycle,
            "domains": domains,
            "n_total": len(items),
            "n_answered": sum(1 for item in items if item["answer"].is_answered),
            "drafts": drafts,
            "can_comment": can_comment,
            "return_form": return_form or ReturnForm(),
        },
        status=status,
    )


@login_required
def submission_review(request, pk):
    """The coordinator reads a whole submission on one page and leaves review comments on its answers."""
    submission = get_submission_for_user(request, pk, review=True)
    response = _render_review(request, submission)
    _audit_read(request, submission)
    return response


def _review_answer(submission, answer_pk):
    answer = get_object_or_404(Answer.objects.select_related("indicator"), pk=answer_pk, submission=submission)
    answer.submission = submission
    return answer


def _review_comment(submission, comment_pk):
    comment = get_object_or_404(
        ReviewComment.objects.select_related("answer__indicator"), pk=comment_pk, answer__submission=submission
    )
    comment.answer.submission = submission
    return comment


def _review_saved(request, submission, answer, message):
    messages.success(request, message)
    url = reverse("assessments:submission_review", args=[submission.pk])
    return redirect(f"{url}#ind-{answer.indicator.code}")


def _review_refused(request, submission, answer, form, exc):
    """The review page again, the typed comment kept in its form with the reason it was not saved."""
    if isinstance(exc, ValidationError):
        for field, errors in (exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}).items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    return _render_review(request, submission, bound={answer.pk: form}, status=422)


@login_required
@require_POST
def review_comment_add(request, pk, answer_pk):
    submission = get_submission_for_user(request, pk, review=True)
    answer = _review_answer(submission, answer_pk)
    form = ReviewCommentForm(request.POST, answer=answer)
    if not form.is_valid():
        return _review_refused(request, submission, answer, form, None)
    try:
        services.review_comment_add(answer=answer, text=form.cleaned_data["text"], by=request.user, request=request)
    except ValidationError as exc:
        return _review_refused(request, submission, answer, form, exc)
    return _review_saved(
        request, submission, answer, _("Review comment on %(code)s saved.") % {"code": answer.indicator.code}
    )


@login_required
@require_POST
def review_comment_update(request, pk, comment_pk):
    submission = get_submission_for_user(request, pk, review=True)
    comment = _review_comment(submission, comment_pk)
    answer = comment.answer
    form = ReviewCommentForm(request.POST, answer=answer)
    if not form.is_valid():
        return _review_refused(request, submission, answer, form, None)
    try:
        services.review_comment_update(
            comment=comment, text=form.cleaned_data["text"], by=request.user, request=request
        )
    except ValidationError as exc:
        return _review_refused(request, submission, answer, form, exc)
    return _review_saved(
        request, submission, answer, _("Review comment on %(code)s saved.") % {"code": answer.indicator.code}
    )


@login_required
@require_POST
def review_comment_delete(request, pk, comment_pk):
    submission = get_submission_for_user(request, pk, review=True)
    comment = _review_comment(submission, comment_pk)
    answer = comment.answer
    try:
        services.review_comment_delete(comment=comment, by=request.user, request=request)
    except ValidationError as exc:
        # The text the coordinator may have edited before pressing Delete stays in the form.
        form = ReviewCommentForm(request.POST, answer=answer)
        form.is_valid()
        return _review_refused(request, submission, answer, form, exc)
    return _review_saved(
        request, submission, answer, _("Review comment on %(code)s deleted.") % {"code": answer.indicator.code}
    )


# Focal point: the offline workbook ----------------------------------------------------------------


@login_required
def questionnaire_workbook_download(request, pk):
    """Everyone who may read the questionnaire gets the workbook; only focal points can upload it back."""
    submission = get_submission_for_user(request, pk)
    content = workbook.questionnaire_workbook(submission)
    services.audit(
        user=request.user,
        action=AuditEvent.Action.WORKBOOK_DOWNLOADED,
        country=submission.cycle.country,
        cycle=submission.cycle,
        submission=submission,
        request=request,
    )
    filename = f"MNR-{slugify(submission.organisation.name)}-{submission.cycle_id}-{submission.pk}.xlsx"
    response = HttpResponse(content, content_type=workbook.CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
def questionnaire_workbook_upload(request, pk):
    """Check an uploaded workbook as a whole; apply it only if every row is valid.

    A refused file changes nothing and lists every problem; an applied one lists what was saved,
    what was unchanged, and the conflicts (answers changed online since the download, kept).
    """
    submission = get_submission_for_user(request, pk, write=True)
    context = {
        "submission": submission,
        "cycle": submission.cycle,
        "max_mb": workbook.MAX_UPLOAD_BYTES // 1024 // 1024,
        "problems": None,
        "more_problems": 0,
        "outcome": None,
    }
    try:
        services.ensure_answerable(submission)
    except PermissionDenied as exc:
        return render(request, "assessments/questionnaire_workbook.html", context | {"refused": exc}, status=403)
    form = WorkbookUploadForm(request.POST, request.FILES) if request.method == "POST" else WorkbookUploadForm()
    if request.method == "POST" and form.is_valid():
        parsed = workbook.workbook_read(submission, form.cleaned_data["workbook"])
        if parsed.problems:
            context["problems"] = parsed.problems
            context["more_problems"] = parsed.more_problems
        else:
            try:
                context["outcome"] = services.workbook_apply(
                    submission=submission, workbook=parsed, by=request.user, request=request
                )
            except PermissionDenied as exc:
                return render(
                    request, "assessments/questionnaire_workbook.html", context | {"refused": exc}, status=403
                )
            form = WorkbookUploadForm()  # ready for the next file
    return render(request, "assessments/questionnaire_workbook.html", context | {"form": form})


# Coordinator: the country's audit trail ---------------------------------------------------------

AUDIT_PAGE_SIZE = 100


@login_required
def audit_trail(request):
    """Logins, failed logins, reads, workflow steps, exports and report downloads in the coordinator's countries."""
    from axes.models import AccessAttempt, AccessLog

    country_ids = coordinated_country_ids(request.user)
    if request.user.is_superuser:
        country_ids = set(Country.objects.values_list("pk", flat=True))
    if not country_ids:
        raise PermissionDenied(_("Only national coordinators can read the audit trail."))
    countries = Country.objects.filter(pk__in=country_ids).order_by("name")
    # No choice shows the first country; anything but the id of one of the user's countries is a 404,
    # as for every other object the user cannot see (ASCII digits only: int() would also take "٣").
    chosen = request.GET.get("country", "").strip()
    if not chosen:
        country = countries.first()
    elif chosen.isascii() and chosen.isdigit() and len(chosen) <= 18:
        country = get_object_or_404(countries, pk=int(chosen))
    else:
        raise Http404
    # The logins of everyone who holds a role in the country belong to its trail, but only from the
    # moment they joined it: what an account did before (in another country, say) is not its business.
    joined = {}
    for username, since in RoleAssignment.objects.filter(
        Q(country=country) | Q(organisation__country=country)
    ).values_list("user__username", "created_at"):
        joined[username] = min(since, joined.get(username, since))
    member_logins = reduce(or_, (Q(username=u, attempt_time__gte=t) for u, t in joined.items()), Q(pk__in=[]))
    events = [
        {
            "at": e.at,
            "who": e.user.get_username() if e.user else "—",
            "what": e.get_action_display(),
            "detail": e.detail or (str(e.submission.organisation) if e.submission else ""),
            "ip": e.ip_address,
        }
        for e in AuditEvent.objects.filter(country=country).select_related("user", "submission__organisation")[
            :AUDIT_PAGE_SIZE
        ]
    ]
    events += [
        {"at": log.attempt_time, "who": log.username, "what": _("Logged in"), "detail": "", "ip": log.ip_address}
        for log in AccessLog.objects.filter(member_logins).order_by("-attempt_time")[:AUDIT_PAGE_SIZE]
    ]
    events += [
        {
            "at": a.attempt_time,
            "who": a.username,
            "what": _("Failed log-in attempts: %(n)d") % {"n": a.failures_since_start},
            "detail": "",
            "ip": a.ip_address,
        }
        for a in AccessAttempt.objects.filter(member_logins).order_by("-attempt_time")[:AUDIT_PAGE_SIZE]
    ]
    events += [
        {
            "at": r.changed_at,
            "who": r.changed_by.get_username() if r.changed_by else "—",
            "what": _("Changed an answer"),
            "detail": f"{r.answer.submission.organisation} · {r.answer.indicator.code} → v{r.version}",
            "ip": None,
        }
        # The newest revisions straight from the (country, -changed_at) index: constant in history size.
        for r in AnswerRevision.objects.filter(country=country)
        .select_related("changed_by", "answer__indicator", "answer__submission__organisation")
        .only(
            "version",
            "changed_at",
            "changed_by__username",
            "answer__indicator__code",
            "answer__submission__organisation__name",
        )
        .order_by("-changed_at")[:AUDIT_PAGE_SIZE]
    ]
    events.sort(key=lambda e: e["at"], reverse=True)
    return render(
        request,
        "assessments/audit_trail.html",
        {"country": country, "countries": countries, "events": events[:AUDIT_PAGE_SIZE]},
    )
