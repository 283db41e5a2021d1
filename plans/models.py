"""The national action plan: costed, owned actions drawn from a cycle's gaps, tracked until the next cycle.

Money is ``Decimal`` with two places in the plan's one currency (ISO 4217); never a float.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.models import Cycle, Organisation
from capabilities.models import Capability, Indicator

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")


class Plan(models.Model):
    """A country's national action plan for one cycle. ``revision`` counts endorsements (0: never endorsed)."""

    cycle = models.OneToOneField(Cycle, on_delete=models.CASCADE, related_name="plan", verbose_name=_("cycle"))
    currency = models.CharField(_("currency"), max_length=3, help_text=_("ISO 4217 code, for example EUR or USD."))
    revision = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("national action plan")
        verbose_name_plural = _("national action plans")
        constraints = [models.CheckConstraint(condition=Q(currency__regex=r"^[A-Z]{3}$"), name="plan_currency_iso4217")]

    def __str__(self):
        return f"{self.cycle}"

    def get_absolute_url(self):
        return reverse("plans:plan_page", args=[self.cycle_id])


class Action(models.Model):
    """One step of the plan. ``version`` rises by one with every saved change (optimistic locking)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        BLOCKED = "blocked", _("Blocked")
        DROPPED = "dropped", _("Dropped")

    class Priority(models.IntegerChoices):
        HIGH = 1, _("High")
        MEDIUM = 2, _("Medium")
        LOW = 3, _("Low")

    # Statuses that need a written reason, and those that end the action.
    NEEDS_REASON = (Status.BLOCKED, Status.DROPPED)
    CLOSED_STATUSES = (Status.DONE, Status.DROPPED)

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="actions")
    capability = models.ForeignKey(
        Capability,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("capability"),
        help_text=_("The capability the action is filed under; its cost counts in this capability's domain."),
    )
    other_capabilities = models.ManyToManyField(Capability, blank=True, related_name="+", verbose_name=_("also serves"))
    indicators = models.ManyToManyField(Indicator, blank=True, related_name="+", verbose_name=_("indicators"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    expected_result = models.TextField(_("expected result"), blank=True)
    lead_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_actions",
        verbose_name=_("lead organisation"),
    )
    supporting_organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="supported_actions", verbose_name=_("supporting organisations")
    )
    starts_on = models.DateField(_("start"), null=True, blank=True)
    due_on = models.DateField(_("due"), null=True, blank=True)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.MEDIUM)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    status_reason = models.TextField(_("reason"), blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    estimated_cost = models.DecimalField(_("estimated cost"), default=ZERO, **MONEY)
    # The indicator whose next-level descriptor the action was drafted from (a suggestion accepted).
    suggested_from = models.ForeignKey(Indicator, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_to"
    )
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "capability__number", "priority", "due_on", "pk"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        constraints = [
            models.CheckConstraint(condition=Q(estimated_cost__gte=0), name="action_cost_not_negative"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="action_progress_percent"),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True) | Q(due_on__isnull=True) | Q(due_on__gte=models.F("starts_on")),
                name="action_due_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["blocked", "dropped"]) | ~Q(status_reason=""),
                name="action_blocked_or_dropped_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["planned", "in_progress", "done", "blocked", "dropped"]),
                name="action_status_valid",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("plans:action_detail", args=[self.pk])

    def is_overdue(self, today=None):
        today = today or timezone.localdate()
        return self.due_on is not None and self.due_on < today and self.status not in self.CLOSED_STATUSES


class Funding(models.Model):
    """Money committed to one action by one funder."""

    class Source(models.TextChoices):
        NATIONAL_BUDGET = "national_budget", _("National budget")
        DONOR = "donor", _("Donor")
        PRIVATE_SECTOR = "private_sector", _("Private sector")
        OTHER = "other", _("Other")

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="fundings")
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    funder = models.CharField(_("funder"), max_length=200, help_text=_("Who pays, for example a ministry or a donor."))
    amount = models.DecimalField(_("amount"), **MONEY)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["action", "pk"]
        verbose_name = _("funding")
        verbose_name_plural = _("funding")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="funding_amount_positive")]

    def __str__(self):
        return f"{self.funder}: {self.amount}"


class Milestone(models.Model):
    """A dated step of an action; ``reached_on`` is set by a progress update."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=200)
    due_on = models.DateField(_("due"))
    reached_on = models.DateField(_("reached on"), null=True, blank=True)

    class Meta:
        ordering = ["action", "due_on", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self):
        return self.title


class ProgressUpdate(models.Model):
    """What the lead organisation reported on an action: the history is the list of these."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(_("status"), max_length=12, choices=Action.Status.choices)
    progress = models.PositiveSmallIntegerField(_("progress (%)"))
    milestone = models.ForeignKey(
        Milestone, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("milestone")
    )
    note = models.TextField(_("note"))
    evidence = models.TextField(_("evidence"), blank=True)
    spent = models.DecimalField(_("spent so far"), null=True, blank=True, **MONEY)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["action", "-at", "-pk"]
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="update_progress_percent"),
            models.CheckConstraint(condition=~Q(note=""), name="update_has_note"),
        ]

    def __str__(self):
        return f"{self.action_id} @ {self.at:%Y-%m-%d}"


class SuggestionDismissal(models.Model):
    """The coordinator chose to ignore the suggestion drawn from one indicator's next step."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="dismissals")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "indicator"], name="dismissal_unique_per_indicator")]

    def __str__(self):
        return f"{self.plan_id} ✕ {self.indicator_id}"


class PlanRevision(models.Model):
    """An endorsed version of the plan, frozen: what was agreed, by whom and when."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    endorsed_on = models.DateField(_("endorsed on"))
    endorsed_by = models.CharField(
        _("endorsed by"), max_length=200, help_text=_("The body that approved the plan, e.g. the national committee.")
    )
    note = models.TextField(_("note"), blank=True)
    snapshot = models.JSONField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plan", "-number"]
        verbose_name = _("endorsed plan revision")
        verbose_name_plural = _("endorsed plan revisions")
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="plan_revision_unique_number")]

    def __str__(self):
        return f"{self.plan} r{self.number}"


class DigestSent(models.Model):
    """One overdue digest sent to one person for one period: the record that makes the beat task idempotent."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=10)  # ISO week, e.g. 2026-W49
    actions = models.TextField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "period"], name="digest_once_per_period")]

    def __str__(self):
        return f"{self.user_id} · {self.period}"


class PlanJobQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=[PlanJob.Status.QUEUED, PlanJob.Status.RUNNING])


class PlanJob(models.Model):
    """One request to render the plan PDF: the gap report's job machinery, in its own table.

    Its own model rather than a ``kind`` on ``reports.ReportJob``: reports must not depend on plans, and
    the plan's frozen data (actions, money, priorities) differs from the gap report's.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Rendering")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="jobs")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    task_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    data = models.JSONField()
    file = models.CharField(max_length=300, blank=True)
    pages = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = PlanJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan"], condition=Q(status__in=["queued", "running"]), name="one_active_plan_job_per_plan"
            ),
            models.CheckConstraint(condition=~Q(status="done") | ~Q(file=""), name="plan_job_done_has_file"),
        ]

    def __str__(self):
        return f"plan job {self.pk} · {self.plan_id} · {self.status}"

    @property
    def is_active(self):
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
