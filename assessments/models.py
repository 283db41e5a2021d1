"""Countries, organisations, roles, cycles, submissions and answers.

Tenancy: a country is the boundary. Every query for user-facing pages goes through the
``visible_to`` / ``writable_by`` querysets below (and ``assessments.access``), never a bare
``objects.get``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from capabilities.models import (
    MAX_LEVEL,
    MIN_LEVEL,
    Capability,
    CrosswalkEntry,
    FrameworkVersion,
    Indicator,
    Metric,
    Sector,
)


class Country(models.Model):
    code = models.CharField(_("ISO 3166 code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ["name"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        constraints = [models.CheckConstraint(condition=Q(code__regex=r"^[A-Z]{2}$"), name="country_code_iso2")]

    def __str__(self):
        return self.name


class Organisation(models.Model):
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="organisations", verbose_name=_("country")
    )
    name = models.CharField(_("name"), max_length=200)
    sector = models.ForeignKey(Sector, on_delete=models.PROTECT, related_name="organisations", verbose_name=_("sector"))

    class Meta:
        ordering = ["country", "name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [models.UniqueConstraint(fields=["country", "name"], name="organisation_name_unique_per_country")]

    def __str__(self):
        return self.name


class Profile(models.Model):
    """A user's own settings: the interface language, kept across sessions and devices."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self):
        return f"{self.user} · {self.language or '-'}"


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("National coordinator")
    FOCAL_POINT = "focal_point", _("Focal point")
    OBSERVER = "observer", _("Observer")
    # Of an alliance secretariat or a regional body: aggregates only, scoped to the whole network or to
    # regions (network.SecretariatRegion); no country and no organisation.
    SECRETARIAT = "secretariat", _("Network secretariat")


class RoleAssignmentQuerySet(models.QuerySet):
    def held_by(self, user):
        """The roles ``user`` holds. The one place that says which assignments count: ``roles_of`` (the
        per-request list every access decision reads) and the ``visible_to`` querysets both start here."""
        return self.filter(user=user)


class RoleAssignment(models.Model):
    """A role held by a user in one place: a country (coordinator, observer), an organisation (focal point),
    or the network (secretariat, narrowed to regions by ``network.SecretariatRegion`` rows)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    country = models.ForeignKey(Country, null=True, blank=True, on_delete=models.CASCADE, related_name="roles")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="roles"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(role__in=["coordinator", "observer"], country__isnull=False, organisation__isnull=True)
                    | Q(role="focal_point", country__isnull=True, organisation__isnull=False)
                    | Q(role="secretariat", country__isnull=True, organisation__isnull=True)
                ),
                name="role_scoped_to_its_place",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "country"], condition=Q(country__isnull=False), name="role_unique_per_country"
            ),
            models.UniqueConstraint(
                fields=["user", "role", "organisation"],
                condition=Q(organisation__isnull=False),
                name="role_unique_per_organisation",
            ),
            models.UniqueConstraint(
                fields=["user"], condition=Q(role="secretariat"), name="role_secretariat_unique_per_user"
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.organisation or self.country}"


def _role_places(user, roles, field):
    """Ids of the countries or organisations where ``user`` holds one of ``roles``, as a subquery.

    A subquery rather than a join through the roles: no DISTINCT, and a plan that stays cheap however
    many joins the caller adds with ``select_related``.
    """
    return RoleAssignment.objects.held_by(user).filter(role__in=roles).values(field)


class CycleQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Coordinators and observers see their countries' cycles; focal points the cycles they take part in."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(
            Q(country_id__in=_role_places(user, [Role.COORDINATOR, Role.OBSERVER], "country_id"))
            | (
                # Focal points meet a cycle once it opens.
                Q(
                    pk__in=Submission.objects.filter(
                        organisation_id__in=_role_places(user, [Role.FOCAL_POINT], "organisation_id")
                    ).values("cycle_id")
                )
                & ~Q(status="draft")
            )
        )

    def managed_by(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(country_id__in=_role_places(user, [Role.COORDINATOR], "country_id"))


class Cycle(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("In preparation")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="cycles", verbose_name=_("country"))
    framework_version = models.ForeignKey(
        FrameworkVersion, on_delete=models.PROTECT, related_name="cycles", verbose_name=_("framework version")
    )
    title = models.CharField(_("title"), max_length=200)
    period = models.CharField(_("period covered"), max_length=60, help_text=_("For example 2025–2026."))
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    report_language = models.CharField(
        _("report language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("The language of the national gap report (PDF)."),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = CycleQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_on", "-pk"]
        verbose_name = _("assessment cycle")
        verbose_name_plural = _("assessment cycles")
        constraints = [
            models.CheckConstraint(condition=Q(closes_on__gte=models.F("opens_on")), name="cycle_closes_after_opening"),
            models.CheckConstraint(condition=Q(status__in=["draft", "open", "closed"]), name="cycle_status_valid"),
        ]

    def __str__(self):
        return f"{self.country} · {self.title}"

    def get_absolute_url(self):
        return reverse("assessments:cycle_detail", args=[self.pk])

    @property
    def is_open(self):
        return self.status == self.Status.OPEN


class CycleTarget(models.Model):
    """The level a country aims at for one capability in one cycle."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="targets")
    capability = models.ForeignKey(Capability, on_delete=models.PROTECT, related_name="+")
    target_level = models.PositiveSmallIntegerField(_("target level"), default=3)

    class Meta:
        ordering = ["cycle", "capability__number"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "capability"], name="target_unique_per_capability"),
            models.CheckConstraint(
                condition=Q(target_level__gte=MIN_LEVEL, target_level__lte=MAX_LEVEL), name="target_level_range"
            ),
        ]

    def __str__(self):
        return f"{self.capability_id} → {self.target_level}"


class SubmissionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Organisation-level answers: the country's coordinators and the organisation's focal points only.

        ``assessments.access.may_see_submission`` is the same rule for one row already loaded.
        """
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(
            Q(cycle__country_id__in=_role_places(user, [Role.COORDINATOR], "country_id"))
            | (
                Q(organisation_id__in=_role_places(user, [Role.FOCAL_POINT], "organisation_id"))
                & ~Q(cycle__status="draft")
            )
        )


class Submission(models.Model):
    """One organisation's questionnaire in one cycle."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("In progress")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned for changes")
        ACCEPTED = "accepted", _("Accepted")

    # The statuses in which focal points may still change answers.
    EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="submissions")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="submissions")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    return_reason = models.TextField(_("reason for return"), blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_activity_at = models.DateTimeField(null=True, blank=True)
    # Claimed by a conditional update before a reminder goes out: two clicks cannot both send one.
    last_reminded_at = models.DateTimeField(_("last reminded"), null=True, blank=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["cycle", "organisation__name"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "organisation"], name="submission_unique_per_cycle"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "submitted", "returned", "accepted"]), name="submission_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.organisation} · {self.cycle.title}"

    def get_absolute_url(self):
        return reverse("assessments:questionnaire", args=[self.pk])

    @property
    def is_editable_status(self):
        return self.status in self.EDITABLE_STATUSES


class Choice(models.TextChoices):
    """An answer: a maturity level, or one of two answers that are not levels."""

    LEVEL_0 = "0", "0"
    LEVEL_1 = "1", "1"
    LEVEL_2 = "2", "2"
    LEVEL_3 = "3", "3"
    LEVEL_4 = "4", "4"
    DONT_KNOW = "dk", _("Don't know")
    NOT_APPLICABLE = "na", _("Not applicable")


class Carry(models.TextChoices):
    """Where an answer stands with respect to the organisation's answer in the previous cycle.

    ``prefilled``: set from the previous answer (an ``equal`` indicator) and not counted until someone
    confirms or changes it. ``suggested``: the previous answer is shown beside an empty answer (the
    indicator changed: ``subset``, ``superset``, ``split``, ``merged``). ``confirmed``: a carried answer
    someone confirmed, changed or took over. See docs/methodology.md, "Answers carried forward".
    """

    NONE = "", _("Not carried")
    PREFILLED = "prefilled", _("Carried, not confirmed")
    SUGGESTED = "suggested", _("Suggested from the last cycle")
    CONFIRMED = "confirmed", _("Carried and confirmed")


class Answer(models.Model):
    """One indicator's answer in a submission. ``version`` rises by one with every saved change."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="answers")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="answers")
    choice = models.CharField(_("answer"), max_length=2, choices=Choice.choices, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    comment = models.TextField(_("comment"), blank=True)
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)
    # Carried forward from the previous cycle (assessments.carry). The previous answer's level, evidence
    # and cycle period are copied, so the page shows them without reading the previous cycle.
    carry = models.CharField(_("carried forward"), max_length=10, choices=Carry.choices, blank=True, default="")
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("carried from")
    )
    carry_relation = models.CharField(
        _("crosswalk relation"), max_length=10, choices=CrosswalkEntry.Relation.choices, blank=True
    )
    carried_period = models.CharField(_("carried from period"), max_length=60, blank=True)
    carried_choice = models.CharField(_("carried answer"), max_length=2, choices=Choice.choices, blank=True)
    carried_evidence = models.TextField(_("carried evidence"), blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["submission", "indicator__capability__number", "indicator__order"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["submission", "indicator"], name="answer_unique_per_indicator"),
            models.CheckConstraint(
                condition=Q(choice__in=["", "0", "1", "2", "3", "4", "dk", "na"]), name="answer_choice_valid"
            ),
            models.CheckConstraint(
                condition=Q(carry__in=["", "prefilled", "suggested", "confirmed"]), name="answer_carry_valid"
            ),
        ]

    def __str__(self):
        return f"{self.indicator.code}: {self.choice or '—'}"

    @property
    def is_answered(self):
        return self.choice != ""

    @property
    def level(self):
        return int(self.choice) if self.choice.isdigit() else None

    @property
    def awaits_confirmation(self):
        """Carried from the previous cycle and not confirmed: shown, never counted."""
        return self.carry == Carry.PREFILLED

    @property
    def counts(self):
        """Answered and not awaiting confirmation: what progress and the report count."""
        return self.choice != "" and self.carry != Carry.PREFILLED

    @property
    def carried_level(self):
        return int(self.carried_choice) if self.carried_choice.isdigit() else None


class AnswerRevision(models.Model):
    """An answer as it stood after one saved change: the history is the list of these."""

    class Source(models.TextChoices):
        WEB = "web", _("Questionnaire")
        UPLOAD = "upload", _("Workbook upload")
        CARRIED = "carried", _("Carried forward from the last cycle")
        CONFIRMED = "confirmed", _("Carried answer confirmed")

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="revisions")
    # The answer's country, copied when the revision is written (a revision never moves): the audit
    # trail reads a country's newest revisions from one index instead of joining and sorting its history.
    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="+", db_index=False)
    version = models.PositiveIntegerField()
    choice = models.CharField(max_length=2, choices=Choice.choices, blank=True)
    evidence = models.TextField(blank=True)
    comment = models.TextField(blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField()
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WEB)

    class Meta:
        ordering = ["answer", "version"]
        constraints = [models.UniqueConstraint(fields=["answer", "version"], name="revision_unique_per_version")]
        indexes = [models.Index(fields=["country", "-changed_at"], name="revision_country_newest")]

    def __str__(self):
        return f"answer {self.answer_id} v{self.version}"


class ReviewComment(models.Model):
    """The national coordinator's remark on one answer, written while reviewing a submitted questionnaire.

    A draft (``sent_at`` empty) is seen by the country's coordinators only and may be changed or deleted.
    Returning the questionnaire sends every draft with it (``sent_at`` is the return's time); from then on
    the comment is a record that the organisation's focal points read beside the answer, and nobody edits it.
    """

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="review_comments")
    text = models.TextField(_("review comment"))
    # The answer's version the comment was written against: later versions mean the answer changed since.
    answer_version = models.PositiveIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["answer", "created_at", "pk"]
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")
        constraints = [
            models.UniqueConstraint(
                fields=["answer"], condition=Q(sent_at__isnull=True), name="review_comment_one_draft_per_answer"
            ),
            models.CheckConstraint(condition=~Q(text=""), name="review_comment_not_empty"),
        ]

    def __str__(self):
        return f"answer {self.answer_id}: {self.text[:40]}"

    @property
    def is_draft(self):
        return self.sent_at is None

    @property
    def answer_changed_since(self):
        """Whether the answer was saved again after the comment (reads the answer, so select it with the comment)."""
        return self.answer.version > self.answer_version


class Reminder(models.Model):
    """A reminder e-mail sent to one organisation's focal points, kept as a record of what was sent."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="reminders")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    recipients = models.TextField()
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self):
        return f"{self.organisation} · {self.sent_at:%Y-%m-%d}"


class Invitation(models.Model):
    """A role offered to one person by e-mail: the focal-point role of one organisation (offered by the
    country's coordinator), or the national-coordinator role of one country (offered by the network
    secretariat, for a country in its scope).

    An account created for the invitation holds the role at once: it has no history anywhere. An
    existing account gains the role only when its owner accepts, so that nobody is attached to a
    country (and shown in its audit trail) without knowing it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting acceptance")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    class Offered(models.TextChoices):
        FOCAL_POINT = Role.FOCAL_POINT.value, Role.FOCAL_POINT.label
        COORDINATOR = Role.COORDINATOR.value, Role.COORDINATOR.label

    role = models.CharField(_("role"), max_length=20, choices=Offered.choices, default=Offered.FOCAL_POINT)
    # A focal point's invitation names the organisation; a coordinator's the country (and no organisation).
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    country = models.ForeignKey(
        Country, null=True, blank=True, on_delete=models.CASCADE, related_name="coordinator_invitations"
    )
    cycle = models.ForeignKey(Cycle, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail"), max_length=254)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_account = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField()
    send_count = models.PositiveSmallIntegerField(default=1)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"], condition=Q(status="pending"), name="invitation_one_pending_per_person"
            ),
            models.UniqueConstraint(
                fields=["country", "user"],
                condition=Q(status="pending", role="coordinator"),
                name="invitation_one_pending_coordinator_per_person",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "accepted", "declined"]), name="invitation_status_valid"
            ),
            models.CheckConstraint(
                condition=(
                    Q(role="focal_point", organisation__isnull=False, country__isnull=True)
                    | Q(role="coordinator", country__isnull=False, organisation__isnull=True)
                ),
                name="invitation_scoped_to_its_role",
            ),
        ]

    def __str__(self):
        return f"{self.email} → {self.target} ({self.status})"

    @property
    def is_coordinator(self):
        return self.role == self.Offered.COORDINATOR

    @property
    def target(self):
        """The organisation or the country the role is offered in."""
        return self.country if self.is_coordinator else self.organisation

    @property
    def target_country(self):
        """The country whose trail records the invitation (select ``organisation__country`` with it)."""
        return self.country if self.is_coordinator else self.organisation.country


FIRST_FIGURE_YEAR = 2000


class MetricValue(models.Model):
    """An organisation's figure for one metric and year, reported with its questionnaire.

    Either a value or "not collected": a figure the organisation does not collect is a data gap, a
    finding of its own, and never a zero (``value`` stays empty; the constraint below holds it).
    Aggregate figures only: a metric never asks anything about a person.
    """

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="figures")
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="+", verbose_name=_("metric"))
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=2, null=True, blank=True)
    not_collected = models.BooleanField(_("not collected"), default=False)
    source = models.CharField(_("source"), max_length=300, blank=True)
    confidence = models.TextField(_("confidence note"), blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["submission", "metric__code", "year"]
        verbose_name = _("reported figure")
        verbose_name_plural = _("reported figures")
        constraints = [
            models.UniqueConstraint(fields=["submission", "metric", "year"], name="metric_value_unique_per_year"),
            models.CheckConstraint(
                condition=(Q(not_collected=True) & Q(value__isnull=True))
                | (Q(not_collected=False) & Q(value__isnull=False)),
                name="metric_value_or_not_collected",
            ),
            models.CheckConstraint(condition=Q(value__isnull=True) | Q(value__gte=0), name="metric_value_not_negative"),
            models.CheckConstraint(condition=Q(year__gte=FIRST_FIGURE_YEAR), name="metric_value_year_range"),
        ]

    def __str__(self):
        return f"{self.metric_id} {self.year} = {'—' if self.not_collected else self.value}"


class AuditEvent(models.Model):
    """Who did or read what. Logins are recorded by django-axes (AccessLog); this holds the rest."""

    class Action(models.TextChoices):
        SUBMISSION_VIEWED = "submission_viewed", _("Viewed a submission")
        SUBMISSION_SUBMITTED = "submission_submitted", _("Submitted a questionnaire")
        SUBMISSION_RETURNED = "submission_returned", _("Returned a submission")
        SUBMISSION_ACCEPTED = "submission_accepted", _("Accepted a submission")
        CYCLE_OPENED = "cycle_opened", _("Opened a cycle")
        CYCLE_CLOSED = "cycle_closed", _("Closed a cycle")
        USER_INVITED = "user_invited", _("Invited a focal point")
        REPORT_REQUESTED = "report_requested", _("Requested the gap report")
        REPORT_DOWNLOADED = "report_downloaded", _("Downloaded the gap report")
        EXPORT_DOWNLOADED = "export_downloaded", _("Downloaded the answers export")
        LEVEL_VALIDATED = "level_validated", _("Set a validated national level")
        TWO_FACTOR_CONFIRMED = "two_factor_confirmed", pgettext_lazy("audit event", "Set up two-step verification")
        TWO_FACTOR_FAILED = "two_factor_failed", _("Failed two-step verification")
        TWO_FACTOR_REMOVED = "two_factor_removed", _("Turned off two-step verification")
        BACKUP_CODES_REGENERATED = "backup_codes_regenerated", _("Created new backup codes")
        BACKUP_CODE_USED = "backup_code_used", _("Logged in with a backup code")
        WORKBOOK_DOWNLOADED = "workbook_downloaded", _("Downloaded the questionnaire workbook")
        WORKBOOK_UPLOADED = "workbook_uploaded", _("Uploaded the questionnaire workbook")
        TARGETS_CHANGED = "targets_changed", _("Changed target levels")
        LEVEL_CLEARED = "level_cleared", _("Cleared a validated national level")
        ENABLER_SCORED = "enabler_scored", _("Scored an enabler")
        PARTICIPANT_ADDED = "participant_added", _("Added a participating organisation")
        ORGANISATION_CREATED = "organisation_created", _("Created an organisation")
        INVITATION_RESENT = "invitation_resent", _("Resent an invitation")
        INVITATION_ACCEPTED = "invitation_accepted", _("Accepted an invitation")
        INVITATION_DECLINED = "invitation_declined", _("Declined an invitation")
        REMINDER_SENT = "reminder_sent", _("Sent a reminder")
        EMAIL_SENT = "email_sent", _("Sent an e-mail")
        REVIEW_COMMENTED = "review_commented", _("Left a review comment")
        PLAN_CHANGED = "plan_changed", _("Changed the action plan")
        PLAN_ENDORSED = "plan_endorsed", _("Recorded the endorsement of the action plan")
        PLAN_PROGRESS = "plan_progress", _("Reported progress on an action")
        ANSWERS_CARRIED = "answers_carried", _("Carried answers forward from the last cycle")
        ANSWER_CONFIRMED = "answer_confirmed", _("Confirmed a carried answer")
        API_WRITE = "api_write", _("Changed data through the API")
        API_TOKEN_CREATED = "api_token_created", _("Created an API token")
        API_TOKEN_REVOKED = "api_token_revoked", _("Revoked an API token")
        EVIDENCE_UPLOADED = "evidence_uploaded", _("Uploaded an evidence document")
        EVIDENCE_DOWNLOADED = "evidence_downloaded", _("Downloaded an evidence document")
        EVIDENCE_REMOVED = "evidence_removed", _("Removed evidence")
        EVIDENCE_REVIEWED = "evidence_reviewed", _("Reviewed evidence")
        CONSENT_GIVEN = "consent_given", _("Gave a network consent")
        CONSENT_WITHDRAWN = "consent_withdrawn", _("Withdrew a network consent")
        SHARED_REPORT_VIEWED = "shared_report_viewed", _("Viewed a report shared with the secretariat")
        AGGREGATES_EXPORTED = "aggregates_exported", _("Exported the network aggregates")
        LIBRARY_CHANGED = "library_changed", _("Changed a good-practice entry")
        EXCHANGE_REQUESTED = "exchange_requested", _("Asked for a peer exchange")
        EXCHANGE_ANSWERED = "exchange_answered", _("Answered a peer exchange request")
        FIGURE_REPORTED = "figure_reported", _("Reported an outcome figure")
        FIGURE_REMOVED = "figure_removed", _("Removed a reported outcome figure")
        FIGURE_VALIDATED = "figure_validated", _("Set a validated national figure")
        FIGURE_CLEARED = "figure_cleared", _("Cleared a validated national figure")
        COUNTRY_CREATED = "country_created", _("Created a country")
        COUNTRY_CHANGED = "country_changed", _("Changed a country")
        COORDINATOR_INVITED = "coordinator_invited", _("Invited a national coordinator")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=40, choices=Action.choices)
    country = models.ForeignKey(Country, null=True, on_delete=models.SET_NULL, related_name="+")
    cycle = models.ForeignKey(Cycle, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    submission = models.ForeignKey(Submission, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    detail = models.TextField(blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # The personal API token the event was done with (none for the web pages): every token use is attributable.
    api_token = models.ForeignKey(
        "accounts.ApiToken", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["country", "-at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action}"
