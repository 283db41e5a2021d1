"""Actions on cycles, submissions and answers. Views call these; nothing else writes."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ApiToken
from capabilities.models import FrameworkVersion, Indicator

from . import carry
from .emails import Letter, mail_after_commit
from .models import (
    Answer,
    AnswerRevision,
    AuditEvent,
    Carry,
    Choice,
    Cycle,
    CycleTarget,
    Organisation,
    Reminder,
    ReviewComment,
    Role,
    RoleAssignment,
    Submission,
)

DEFAULT_TARGET_LEVEL = 3
EVIDENCE_REQUIRED_FROM = 3
# An organisation is reminded at most once in this interval, however often "send" is pressed.
REMINDER_INTERVAL = timedelta(hours=24)


class AnswerConflict(Exception):
    """A save based on a stale version; ``current`` is the answer as someone else left it."""

    def __init__(self, current):
        self.current = current
        super().__init__(f"Answer {current.pk} changed to version {current.version} meanwhile.")


def base_url_of(request):
    """``https://host`` of the request, for links in e-mails; ``SITE_URL`` without a request (tasks, commands)."""
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return settings.SITE_URL.rstrip("/")


def focal_points_of(organisation_ids):
    """The focal-point roles of these organisations whose holder has an e-mail address, with the user."""
    return (
        RoleAssignment.objects.filter(role=Role.FOCAL_POINT, organisation_id__in=list(organisation_ids))
        .exclude(user__email="")
        .select_related("user")
        .order_by("user__email")
    )


def audit(*, user, action, country=None, cycle=None, submission=None, detail="", request=None, api_token=None):
    """Record an event. A request of the API carries its token (``request.auth``): the event names it, so
    that a service called by the API is attributable to the token as well as to its person."""
    ip = request.META.get("REMOTE_ADDR") if request is not None else None
    if api_token is None and request is not None:
        token = getattr(request, "auth", None)
        api_token = token if isinstance(token, ApiToken) else None
    return AuditEvent.objects.create(
        user=user,
        action=action,
        country=country,
        cycle=cycle,
        submission=submission,
        detail=detail,
        ip_address=ip,
        api_token=api_token,
    )


@transaction.atomic
def cycle_create(*, country, framework_version, title, period, opens_on, closes_on, by, report_language="en") -> Cycle:
    """Create a cycle in preparation, with a target per capability (default level 3)."""
    if framework_version.status != FrameworkVersion.Status.PUBLISHED:
        raise ValidationError(_("A cycle must use a published framework version."))
    if closes_on < opens_on:
        raise ValidationError({"closes_on": _("The closing date must be on or after the opening date.")})
    cycle = Cycle.objects.create(
        country=country,
        framework_version=framework_version,
        title=title,
        period=period,
        opens_on=opens_on,
        closes_on=closes_on,
        report_language=report_language,
        created_by=by,
    )
    CycleTarget.objects.bulk_create(
        CycleTarget(cycle=cycle, capability=cap, target_level=DEFAULT_TARGET_LEVEL)
        for cap in framework_version.capabilities.all()
    )
    return cycle


@transaction.atomic
def cycle_add_organisation(*, cycle, organisation, by) -> Submission:
    if organisation.country_id != cycle.country_id:
        raise ValidationError(_("The organisation belongs to another country."))
    cycle = cycle_lock_for_change(cycle.pk)
    submission, created = Submission.objects.get_or_create(cycle=cycle, organisation=organisation)
    if not created:
        raise ValidationError(_("%(org)s already takes part in this cycle.") % {"org": organisation})
    if cycle.is_open:
        submissions_instantiate(cycle=cycle, submissions=[submission])
        carry.answers_carry_forward(cycle=cycle, submissions=[submission], by=by)
    audit(
        user=by,
        action=AuditEvent.Action.PARTICIPANT_ADDED,
        country=cycle.country,
        cycle=cycle,
        submission=submission,
        detail=str(organisation),
    )
    return submission


def submissions_instantiate(*, cycle, submissions):
    """Create the empty answers of each submission, one per indicator its sector is asked (2 queries).

    Safe to repeat: existing answers are left as they are.
    """
    sector_ids = {s.organisation.sector_id for s in submissions}
    links = Indicator.sectors.through.objects.filter(
        indicator__version_id=cycle.framework_version_id, sector_id__in=sector_ids
    ).values_list("sector_id", "indicator_id")
    by_sector = {}
    for sector_id, indicator_id in links:
        by_sector.setdefault(sector_id, []).append(indicator_id)
    Answer.objects.bulk_create(
        [
            Answer(submission=s, indicator_id=indicator_id)
            for s in submissions
            for indicator_id in by_sector.get(s.organisation.sector_id, [])
        ],
        ignore_conflicts=True,
        batch_size=2000,
    )


@transaction.atomic
def organisation_create(*, country, name, sector, by=None) -> Organisation:
    name = name.strip()
    if Organisation.objects.filter(country=country, name__iexact=name).exists():
        raise ValidationError(
            {"name": _("%(country)s already has an organisation with this name.") % {"country": country}}
        )
    organisation = Organisation.objects.create(country=country, name=name, sector=sector)
    audit(
        user=by,
        action=AuditEvent.Action.ORGANISATION_CREATED,
        country=country,
        detail=f"{organisation} ({sector.code})",
    )
    return organisation


@transaction.atomic
def cycle_open(*, cycle, by, request=None) -> Cycle:
    """1. Flip draft → open (once, even if clicked twice). 2. Create every submission's answers in bulk,
    carried forward from the country's previous cycle where the organisation took part (assessments.carry).
    3. After commit, tell every focal point that their questionnaire is open.
    """
    now = timezone.now()
    if not Cycle.objects.filter(pk=cycle.pk, status=Cycle.Status.DRAFT).update(status=Cycle.Status.OPEN, opened_at=now):
        raise ValidationError(_("Only a cycle in preparation can be opened."))
    cycle.refresh_from_db(fields=["status", "opened_at"])
    submissions = list(cycle.submissions.select_related("organisation"))
    if not submissions:
        raise ValidationError(_("Add at least one participating organisation before opening the cycle."))
    submissions_instantiate(cycle=cycle, submissions=submissions)
    carry.answers_carry_forward(cycle=cycle, submissions=submissions, by=by)
    audit(user=by, action=AuditEvent.Action.CYCLE_OPENED, country=cycle.country, cycle=cycle)
    base_url = base_url_of(request)
    by_organisation = {s.organisation_id: s for s in submissions}
    letters = [
        Letter(
            email=role.user.email,
            user=role.user,
            context={
                "cycle": cycle,
                "submission": by_organisation[role.organisation_id],
                "link": f"{base_url}{by_organisation[role.organisation_id].get_absolute_url()}",
            },
        )
        for role in focal_points_of(by_organisation)
    ]
    mail_after_commit("assessments/email/cycle_opened", letters, by=by, country=cycle.country, cycle=cycle)
    return cycle


@transaction.atomic
def cycle_close(*, cycle, by) -> Cycle:
    if not Cycle.objects.filter(pk=cycle.pk, status=Cycle.Status.OPEN).update(
        status=Cycle.Status.CLOSED, closed_at=timezone.now()
    ):
        raise ValidationError(_("Only an open cycle can be closed."))
    cycle.refresh_from_db(fields=["status", "closed_at"])
    audit(user=by, action=AuditEvent.Action.CYCLE_CLOSED, country=cycle.country, cycle=cycle)
    return cycle


def ensure_answerable(submission):
    """Refuse answers unless the cycle is open and the questionnaire a draft or returned."""
    if submission.cycle.status == Cycle.Status.CLOSED:
        raise PermissionDenied(_("This cycle is closed: its answers are final and can no longer be changed."))
    if submission.cycle.status != Cycle.Status.OPEN:
        raise PermissionDenied(_("This cycle is not open for answers."))
    if not submission.is_editable_status:
        raise PermissionDenied(
            _("This questionnaire is %(status)s and can no longer be changed.")
            % {"status": submission.get_status_display().lower()}
        )


def submission_lock(submission_id) -> Submission:
    """The questionnaire and its cycle as they are now, locked until the transaction ends.

    Every write to a questionnaire decides on these rows, never on a copy read earlier in the
    request: a cycle closed or a questionnaire accepted meanwhile is seen (PostgreSQL waits for the
    row locks; SQLite has a single writer, and the conditional updates below recheck). The country is
    read along, not locked: a lock on it would make every save in the country wait for the others.
    """
    return (
        Submission.objects.select_for_update(of=("self", "cycle"))
        .select_related("cycle__country")
        .get(pk=submission_id)
    )


def submission_lock_answerable(submission_id) -> Submission:
    current = submission_lock(submission_id)
    ensure_answerable(current)
    return current


def cycle_lock_for_change(cycle_id) -> Cycle:
    """The cycle as it is now, locked until the transaction ends; refused once it is closed.

    Every service that changes what a cycle reports (participants, invitations, reminders, targets,
    validated levels, enabler scores, reviews) calls this first, inside its transaction.
    """
    current = Cycle.objects.select_for_update(of=("self",)).select_related("country").get(pk=cycle_id)
    if current.status == Cycle.Status.CLOSED:
        raise ValidationError(
            _("The cycle “%(cycle)s” is closed: its answers, targets and national levels are final.")
            % {"cycle": current.title}
        )
    return current


def answer_validate(*, choice, evidence):
    if choice not in Choice.values and choice != "":
        raise ValidationError({"choice": _("Choose one of the levels, “don't know” or “not applicable”.")})
    if choice.isdigit() and int(choice) >= EVIDENCE_REQUIRED_FROM and not evidence.strip():
        raise ValidationError(
            {
                "evidence": _(
                    "Levels 3 and 4 say the arrangement is established and working. Describe what shows it "
                    "(a law, a unit, a protocol, a figure, with a source link) so that reviewers can confirm it."
                )
            }
        )


# How stale a submission's "last activity" may get while its answers are being saved.
ACTIVITY_RESOLUTION = timedelta(seconds=60)


@dataclass
class SaveResult:
    answer: Answer
    changed: bool


@transaction.atomic
def answer_save(*, answer, choice, evidence, comment, base_version, by, source=AnswerRevision.Source.WEB) -> SaveResult:
    """Save one answer if nobody else changed it since ``base_version``.

    1. Refuse writes to a closed cycle or a submitted/accepted questionnaire.
    2. Validate the answer (levels 3–4 need evidence).
    3. Conditional update on the version; 0 rows means someone saved first → AnswerConflict.
    4. Record the new state as a revision and touch the submission's last activity.
    """
    answer.submission = submission_lock_answerable(answer.submission_id)
    evidence, comment = evidence.strip(), comment.strip()
    answer_validate(choice=choice, evidence=evidence)
    if (answer.choice, answer.evidence, answer.comment) == (choice, evidence, comment):
        # Nothing would change, whoever saved last: not a conflict.
        return SaveResult(answer, changed=False)
    now = timezone.now()
    # Changing a carried answer (or answering beside a suggestion) confirms it: the answer is now this
    # cycle's, and counts.
    confirms = answer.carry in (Carry.PREFILLED, Carry.SUGGESTED)
    carried = {"carry": Carry.CONFIRMED, "confirmed_by": by, "confirmed_at": now} if confirms else {}
    updated = Answer.objects.filter(
        pk=answer.pk,
        version=base_version,
        submission__status__in=Submission.EDITABLE_STATUSES,
        submission__cycle__status=Cycle.Status.OPEN,
    ).update(
        choice=choice,
        evidence=evidence,
        comment=comment,
        version=F("version") + 1,
        updated_by=by,
        updated_at=now,
        **carried,
    )
    if not updated:
        ensure_answerable(submission_lock(answer.submission_id))
        raise AnswerConflict(Answer.objects.select_related("updated_by").get(pk=answer.pk))
    answer.choice, answer.evidence, answer.comment = choice, evidence, comment
    answer.version, answer.updated_by, answer.updated_at = base_version + 1, by, now
    for name, value in carried.items():
        setattr(answer, name, value)
    AnswerRevision.objects.create(
        answer=answer,
        country_id=answer.submission.cycle.country_id,
        version=answer.version,
        choice=choice,
        evidence=evidence,
        comment=comment,
        changed_by=by,
        changed_at=now,
        source=source,
    )
    last = answer.submission.last_activity_at
    if last is None or now - last >= ACTIVITY_RESOLUTION:
        # Read from the locked row; shown to the minute, so a burst of autosaves writes it once.
        Submission.objects.filter(pk=answer.submission_id).update(last_activity_at=now)
        answer.submission.last_activity_at = now
    return SaveResult(answer, changed=True)


@dataclass
class WorkbookConflict:
    """A workbook row not applied: its answer changed online since the download (``current``)."""

    row: object
    current: Answer


@dataclass
class WorkbookOutcome:
    applied: list = field(default_factory=list)
    unchanged: int = 0
    # Rows not edited in the file whose answer changed online meanwhile: the online answer stands.
    kept: list = field(default_factory=list)
    conflicts: list[WorkbookConflict] = field(default_factory=list)


@transaction.atomic
def workbook_apply(*, submission, workbook, by, request=None) -> WorkbookOutcome:
    """Save the answers of an uploaded workbook checked by ``assessments.workbook.workbook_read``.

    1. Refuse writes to a questionnaire that cannot be answered, and a workbook with problems:
       then nothing is applied.
    2. Re-read the answers. A row equal to its answer is unchanged. A row whose answer still has the
       version of the download is saved through ``answer_save`` (source: upload), all in this one
       transaction.
    3. A row whose answer changed online since the download is never saved over. If the row still
       holds what the answer held at the download (its revision of that version) it was not edited
       offline and the online answer stands; otherwise it is a conflict, reported with the current
       answer. Conflicts are not errors: the other rows are saved.
    4. Record the upload in the audit trail.
    """
    submission = submission_lock_answerable(submission.pk)
    if workbook.problems:
        raise ValidationError(_("The workbook has problems; nothing was saved."))
    current = {
        a.pk: a
        for a in Answer.objects.filter(
            submission=submission, pk__in=[r.answer.pk for r in workbook.rows]
        ).select_related("indicator__capability", "updated_by")
    }
    stale = [r for r in workbook.rows if current[r.answer.pk].version != r.version]
    at_download = {
        (answer_id, version): (choice, evidence, comment)
        for answer_id, version, choice, evidence, comment in AnswerRevision.objects.filter(
            answer_id__in=[r.answer.pk for r in stale], version__in={r.version for r in stale}
        ).values_list("answer_id", "version", "choice", "evidence", "comment")
    }
    outcome = WorkbookOutcome()
    for row in workbook.rows:
        answer = current[row.answer.pk]
        answer.submission = submission
        if row.matches(answer.choice, answer.evidence, answer.comment):
            outcome.unchanged += 1
            continue
        if answer.version != row.version:
            before = ("", "", "") if row.version == 0 else at_download.get((answer.pk, row.version))
            if before is not None and row.matches(*before):
                outcome.unchanged += 1
                outcome.kept.append(WorkbookConflict(row, answer))
            else:
                outcome.conflicts.append(WorkbookConflict(row, answer))
            continue
        try:
            answer_save(
                answer=answer,
                choice=row.choice,
                evidence=row.evidence,
                comment=row.comment,
                base_version=row.version,
                by=by,
                source=AnswerRevision.Source.UPLOAD,
            )
        except AnswerConflict as conflict:  # saved online between the re-read and now
            outcome.conflicts.append(WorkbookConflict(row, conflict.current))
        else:
            outcome.applied.append(row)
    audit(
        user=by,
        action=AuditEvent.Action.WORKBOOK_UPLOADED,
        country=submission.cycle.country,
        cycle=submission.cycle,
        submission=submission,
        request=request,
        detail=f"{len(outcome.applied)} applied, {outcome.unchanged} unchanged, {len(outcome.conflicts)} conflicts",
    )
    return outcome


@transaction.atomic
def submission_submit(*, submission, by, confirm_unanswered=False, request=None) -> Submission:
    """Submit for review. Unanswered indicators and carried answers nobody confirmed need the same
    explicit confirmation; the carried ones stay excluded from the report after submission (they are
    last cycle's picture, not this one's) and are listed as "carried, not confirmed"."""
    submission_lock_answerable(submission.pk)
    counts = submission.answers.aggregate(
        unanswered=Count("pk", filter=Q(choice="")), unconfirmed=Count("pk", filter=Q(carry=Carry.PREFILLED))
    )
    unanswered, unconfirmed = counts["unanswered"], counts["unconfirmed"]
    if unanswered and not confirm_unanswered:
        raise ValidationError(
            _(
                "%(n)d indicator(s) have no answer. Answer them, or confirm that you submit without them "
                "(they will be reported as data gaps, not as level 0)."
            )
            % {"n": unanswered}
        )
    if unconfirmed and not confirm_unanswered:
        raise ValidationError(
            _(
                "%(n)d answer(s) carried from the last cycle are not confirmed. Confirm or change them, or "
                "confirm that you submit without them (they will not be counted in the report)."
            )
            % {"n": unconfirmed}
        )
    now = timezone.now()
    if not Submission.objects.filter(
        pk=submission.pk, status__in=Submission.EDITABLE_STATUSES, cycle__status=Cycle.Status.OPEN
    ).update(status=Submission.Status.SUBMITTED, submitted_at=now, submitted_by=by, last_activity_at=now):
        raise ValidationError(_("This questionnaire was submitted already."))
    submission.refresh_from_db()
    audit(
        user=by,
        action=AuditEvent.Action.SUBMISSION_SUBMITTED,
        country=submission.cycle.country,
        cycle=submission.cycle,
        submission=submission,
        request=request,
        detail=", ".join(
            part
            for part in (
                f"{unanswered} unanswered" if unanswered else "",
                f"{unconfirmed} carried, not confirmed" if unconfirmed else "",
            )
            if part
        ),
    )
    link = f"{base_url_of(request)}{submission.get_absolute_url()}"
    coordinators = (
        RoleAssignment.objects.filter(role=Role.COORDINATOR, country_id=submission.cycle.country_id)
        .exclude(user__email="")
        .select_related("user")
    )
    mail_after_commit(
        "assessments/email/submitted",
        [
            Letter(
                email=role.user.email,
                user=role.user,
                context={"submission": submission, "by": by, "unanswered": unanswered, "link": link},
            )
            for role in coordinators
        ],
        by=by,
        country=submission.cycle.country,
        cycle=submission.cycle,
        submission=submission,
    )
    return submission


@transaction.atomic
def submission_return(*, submission, by, reason, request=None) -> Submission:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say what the organisation should change; they will see this text.")})
    if cycle_lock_for_change(submission.cycle_id).status != Cycle.Status.OPEN:
        raise ValidationError(_("The cycle is not open; submissions can no longer be returned."))
    now = timezone.now()
    if not Submission.objects.filter(
        pk=submission.pk, status=Submission.Status.SUBMITTED, cycle__status=Cycle.Status.OPEN
    ).update(status=Submission.Status.RETURNED, return_reason=reason, reviewed_at=now, reviewed_by=by):
        raise ValidationError(_("Only a submitted questionnaire can be returned."))
    # The review comments go with the return: the drafts are sent at the return's time and become read-only.
    # The conditional update above holds the submission's row, so no draft can be added or changed meanwhile.
    ReviewComment.objects.filter(answer__submission=submission, sent_at__isnull=True).update(sent_at=now)
    submission.refresh_from_db()
    audit(
        user=by,
        action=AuditEvent.Action.SUBMISSION_RETURNED,
        country=submission.cycle.country,
        cycle=submission.cycle,
        submission=submission,
        detail=reason,
        request=request,
    )
    comments = list(
        ReviewComment.objects.filter(answer__submission=submission, sent_at=now)
        .select_related("answer__indicator")
        .order_by("answer__indicator__capability__number", "answer__indicator__order")
    )
    _mail_focal_points(
        "assessments/email/returned", submission, by=by, request=request, reason=reason, comments=comments
    )
    return submission


# Review comments -----------------------------------------------------------------------------------

REVIEW_COMMENT_MAX_LENGTH = 5000


def _review_locked(*, submission, by) -> Submission:
    """Lock the submission and its cycle and check, against these current rows, that ``by`` may comment.

    ``submission_lock`` holds both rows to the end of the transaction, so a return, an accept or the
    cycle's closing waits for the comment (or the comment for them, and then sees the new status).
    """
    current = submission_lock(submission.pk)
    if not (
        by.is_superuser
        or RoleAssignment.objects.filter(user=by, role=Role.COORDINATOR, country_id=current.cycle.country_id).exists()
    ):
        raise PermissionDenied(_("Only the country's national coordinator can write review comments."))
    if current.cycle.status != Cycle.Status.OPEN:
        raise ValidationError(_("The cycle is closed; review comments can no longer be written."))
    if current.status != Submission.Status.SUBMITTED:
        raise ValidationError(
            _("This questionnaire is %(status)s; review comments can be written only while it is submitted.")
            % {"status": current.get_status_display().lower()}
        )
    return current


def review_comment_clean(text) -> str:
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write a comment, or delete it.")})
    if len(text) > REVIEW_COMMENT_MAX_LENGTH:
        raise ValidationError(
            {"text": _("A review comment holds at most %(n)d characters.") % {"n": REVIEW_COMMENT_MAX_LENGTH}}
        )
    return text


def _audit_review(*, by, submission, comment, what, request):
    audit(
        user=by,
        action=AuditEvent.Action.REVIEW_COMMENTED,
        country=submission.cycle.country,
        cycle=submission.cycle,
        submission=submission,
        detail=f"{comment.answer.indicator.code}: {what}",
        request=request,
    )


@transaction.atomic
def review_comment_add(*, answer, text, by, request=None) -> ReviewComment:
    """Leave a draft review comment on one answer of a submitted questionnaire.

    1. Lock and check the submission and cycle (coordinator of the country, submitted, cycle open).
    2. One draft per answer: when another coordinator (or a second click) left one meanwhile, the same
       text is that comment; a different one is refused, so that neither text is lost silently.
    3. Record it in the audit trail.
    """
    text = review_comment_clean(text)
    submission = _review_locked(submission=answer.submission, by=by)
    draft = ReviewComment.objects.filter(answer=answer, sent_at__isnull=True).select_related("author").first()
    if draft is not None:
        if draft.text == text:
            return draft
        raise ValidationError(
            _("%(who)s left a comment on %(code)s meanwhile; reload the page to see it. Your text is kept below.")
            % {
                "who": (draft.author.get_full_name() or draft.author.get_username()) if draft.author else "—",
                "code": answer.indicator.code,
            }
        )
    now = timezone.now()
    current_version = Answer.objects.filter(pk=answer.pk).values_list("version", flat=True).get()
    comment = ReviewComment.objects.create(
        answer=answer, text=text, answer_version=current_version, author=by, created_at=now, updated_at=now
    )
    _audit_review(by=by, submission=submission, comment=comment, what="comment added", request=request)
    return comment


def _draft_locked(*, comment, by):
    submission = _review_locked(submission=comment.answer.submission, by=by)
    current = ReviewComment.objects.select_for_update().filter(pk=comment.pk).first()
    if current is None:
        raise ValidationError(_("This comment was deleted meanwhile."))
    if not current.is_draft:
        raise ValidationError(_("This comment was sent with the return and can no longer be changed."))
    return submission


@transaction.atomic
def review_comment_update(*, comment, text, by, request=None) -> ReviewComment:
    """Change a draft review comment (any coordinator of the country may: they review together)."""
    text = review_comment_clean(text)
    submission = _draft_locked(comment=comment, by=by)
    if text == comment.text:
        return comment
    now = timezone.now()
    current_version = Answer.objects.filter(pk=comment.answer_id).values_list("version", flat=True).get()
    ReviewComment.objects.filter(pk=comment.pk, sent_at__isnull=True).update(
        text=text, answer_version=current_version, author=by, updated_at=now
    )
    comment.text, comment.answer_version, comment.author, comment.updated_at = text, current_version, by, now
    _audit_review(by=by, submission=submission, comment=comment, what="comment changed", request=request)
    return comment


@transaction.atomic
def review_comment_delete(*, comment, by, request=None) -> None:
    """Delete a draft review comment; a sent one is part of the return's record and stays."""
    submission = _draft_locked(comment=comment, by=by)
    ReviewComment.objects.filter(pk=comment.pk, sent_at__isnull=True).delete()
    _audit_review(by=by, submission=submission, comment=comment, what="comment deleted", request=request)


def _mail_focal_points(template_prefix, submission, *, by, request, **context):
    """After commit, e-mail the organisation's focal points about their questionnaire, each in their language."""
    link = f"{base_url_of(request)}{submission.get_absolute_url()}"
    mail_after_commit(
        template_prefix,
        [
            Letter(
                email=role.user.email,
                user=role.user,
                context={"submission": submission, "by": by, "link": link} | context,
            )
            for role in focal_points_of([submission.organisation_id])
        ],
        by=by,
        country=submission.cycle.country,
        cycle=submission.cycle,
        submission=submission,
    )


@transaction.atomic
def submission_accept(*, submission, by, request=None) -> Submission:
    if cycle_lock_for_change(submission.cycle_id).status != Cycle.Status.OPEN:
        raise ValidationError(_("The cycle is not open; submissions can no longer be accepted."))
    now = timezone.now()
    if not Submission.objects.filter(
        pk=submission.pk, status=Submission.Status.SUBMITTED, cycle__status=Cycle.Status.OPEN
    ).update(status=Submission.Status.ACCEPTED, reviewed_at=now, reviewed_by=by):
        raise ValidationError(_("Only a submitted questionnaire can be accepted."))
    submission.refresh_from_db()
    audit(
        user=by,
        action=AuditEvent.Action.SUBMISSION_ACCEPTED,
        country=submission.cycle.country,
        cycle=submission.cycle,
        submission=submission,
        request=request,
    )
    _mail_focal_points("assessments/email/accepted", submission, by=by, request=request)
    return submission


@transaction.atomic
def targets_update(*, cycle, levels, by, request=None):
    """``levels`` maps capability id → target level; the changes are recorded in the audit trail."""
    cycle = cycle_lock_for_change(cycle.pk)
    changes = []
    for target in cycle.targets.select_related("capability"):
        level = levels.get(target.capability_id)
        if level is not None and level != target.target_level:
            changes.append(f"capability {target.capability.number}: {target.target_level} → {level}")
            target.target_level = level
            target.save(update_fields=["target_level"])
    if changes:
        audit(
            user=by,
            action=AuditEvent.Action.TARGETS_CHANGED,
            country=cycle.country,
            cycle=cycle,
            request=request,
            detail="; ".join(changes),
        )
    return changes


@dataclass
class ReminderPlan:
    """Who a reminder would go to now: ``due`` (submission, e-mails), those reminded too recently, and
    the organisations without a focal point to write to."""

    due: list = field(default_factory=list)
    recent: list = field(default_factory=list)
    unreachable: list = field(default_factory=list)
    interval: timedelta = REMINDER_INTERVAL


def reminders_plan(cycle, *, now=None) -> ReminderPlan:
    """The questionnaires not submitted (draft or returned) and their focal points' addresses (2 queries)."""
    now = now or timezone.now()
    pending = list(
        cycle.submissions.filter(status__in=Submission.EDITABLE_STATUSES)
        .select_related("organisation")
        .order_by("organisation__name")
    )
    contacts = {}
    for role in focal_points_of(s.organisation_id for s in pending):
        contacts.setdefault(role.organisation_id, []).append(role.user)
    plan = ReminderPlan()
    for submission in pending:
        users = contacts.get(submission.organisation_id, [])
        if not users:
            plan.unreachable.append(submission)
        elif submission.last_reminded_at and submission.last_reminded_at > now - REMINDER_INTERVAL:
            plan.recent.append((submission, users))
        else:
            plan.due.append((submission, users))
    return plan


@transaction.atomic
def reminders_send(*, cycle, by, base_url, organisation_ids=None) -> list[Reminder]:
    """E-mail the focal points of every organisation that has not submitted, once per interval.

    1. Lock the cycle; refuse unless it is open.
    2. ``organisation_ids`` (the list the coordinator confirmed) narrows who is written to.
    3. Claim each organisation with a conditional update of its ``last_reminded_at``: a second click,
       or a second request racing this one, finds it claimed and sends nothing.
    4. Record each reminder (and the audit entry); the e-mails go after commit, one per person.
    """
    cycle = cycle_lock_for_change(cycle.pk)
    if not cycle.is_open:
        raise ValidationError(_("Reminders can only be sent while the cycle is open."))
    if organisation_ids is not None and not organisation_ids:
        raise ValidationError(_("Choose at least one organisation to remind."))
    now = timezone.now()
    plan = reminders_plan(cycle, now=now)
    reminders = []
    for submission, users in plan.due:
        if organisation_ids is not None and submission.organisation_id not in organisation_ids:
            continue
        claimed = (
            Submission.objects.filter(pk=submission.pk)
            .filter(Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lte=now - REMINDER_INTERVAL))
            .update(last_reminded_at=now)
        )
        if not claimed:
            continue
        emails = [u.email for u in users]
        reminders.append(
            Reminder(
                cycle=cycle, organisation=submission.organisation, recipients=", ".join(emails), sent_by=by, sent_at=now
            )
        )
        audit(
            user=by,
            action=AuditEvent.Action.REMINDER_SENT,
            country=cycle.country,
            cycle=cycle,
            submission=submission,
            detail=f"{submission.organisation}: {', '.join(emails)}",
        )
        context = {"cycle": cycle, "submission": submission, "link": f"{base_url}{submission.get_absolute_url()}"}
        mail_after_commit(
            "assessments/email/reminder",
            [Letter(email=u.email, user=u, context=context) for u in users],
            by=by,
            country=cycle.country,
            cycle=cycle,
            submission=submission,
        )
    Reminder.objects.bulk_create(reminders)
    return reminders
