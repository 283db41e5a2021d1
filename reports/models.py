"""Coordinator judgements (validated levels, enabler scores) and report jobs."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from assessments.models import FIRST_FIGURE_YEAR, Cycle
from capabilities.models import MAX_LEVEL, MIN_LEVEL, Capability, Enabler, Metric

LEVEL_RANGE = Q(level__gte=MIN_LEVEL, level__lte=MAX_LEVEL)


class WorkerHeartbeat(models.Model):
    """The last time each Celery worker host answered; shown to operators by /healthz."""

    hostname = models.CharField(_("hostname"), max_length=200, unique=True)
    seen_at = models.DateTimeField(_("seen at"))

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self):
        return f"{self.hostname} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"


class ValidatedLevel(models.Model):
    """A national level set by the coordinator, with the reason, shown beside the computed one."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="validated_levels")
    capability = models.ForeignKey(Capability, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(_("validated level"))
    rationale = models.TextField(_("rationale"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "capability"], name="validated_level_unique_per_capability"),
            models.CheckConstraint(condition=LEVEL_RANGE, name="validated_level_range"),
            models.CheckConstraint(condition=~Q(rationale=""), name="validated_level_has_rationale"),
        ]

    def __str__(self):
        return f"{self.capability_id} = {self.level}"


class NationalFigure(models.Model):
    """The coordinator's validated national figure for one metric and year, with the reason.

    Like a validated level: chosen in the light of what the organisations reported, audited, and
    printed with its rationale. "Not collected" is a finding (a data gap), never a zero.
    """

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="national_figures")
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("national figure"), max_digits=16, decimal_places=2, null=True, blank=True)
    not_collected = models.BooleanField(_("not collected"), default=False)
    rationale = models.TextField(_("rationale"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["cycle", "metric__code", "year"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "metric", "year"], name="national_figure_unique_per_year"),
            models.CheckConstraint(
                condition=(Q(not_collected=True) & Q(value__isnull=True))
                | (Q(not_collected=False) & Q(value__isnull=False)),
                name="national_figure_value_or_not_collected",
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0), name="national_figure_not_negative"
            ),
            models.CheckConstraint(condition=Q(year__gte=FIRST_FIGURE_YEAR), name="national_figure_year_range"),
            models.CheckConstraint(condition=~Q(rationale=""), name="national_figure_has_rationale"),
        ]

    def __str__(self):
        return f"{self.metric_id} {self.year} = {'—' if self.not_collected else self.value}"


class EnablerScore(models.Model):
    """The coordinator's score of a cross-cutting enabler for the country in one cycle."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="enabler_scores")
    enabler = models.ForeignKey(Enabler, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(_("level"))
    rationale = models.TextField(_("rationale"), blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "enabler"], name="enabler_score_unique_per_enabler"),
            models.CheckConstraint(condition=LEVEL_RANGE, name="enabler_score_level_range"),
        ]

    def __str__(self):
        return f"{self.enabler_id} = {self.level}"


class ReportJobQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=[ReportJob.Status.QUEUED, ReportJob.Status.RUNNING])


class ReportJob(models.Model):
    """One request to render a cycle's gap report. The row, not the broker, is the source of truth.

    ``data`` is the report's content frozen when it was requested; the document is rendered from it
    alone, so a rerun produces the same document. ``task_id`` names the one broker message allowed
    to work on the job; the reconciler gives a stuck job a new one. ``format`` says what is rendered
    (PDF or Word); ``variant`` whether it is the full report or the public summary, whose frozen data
    carries only the sections the coordinator allowed (``data["public_sections"]``) and no
    organisation-level content at all (``consolidation.public_view``).
    """

    class Format(models.TextChoices):
        PDF = "pdf", _("PDF")
        DOCX = "docx", _("Word (DOCX)")

    class Variant(models.TextChoices):
        FULL = "full", _("Full report")
        PUBLIC = "public", _("Public summary")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Rendering")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="report_jobs")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    task_id = models.CharField(max_length=64, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)
    format = models.CharField(_("format"), max_length=4, choices=Format.choices, default=Format.PDF)
    variant = models.CharField(_("variant"), max_length=6, choices=Variant.choices, default=Variant.FULL)
    progress = models.PositiveSmallIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    data = models.JSONField()
    file = models.CharField(max_length=300, blank=True, help_text="Path under MEDIA_ROOT.")
    file_size = models.PositiveIntegerField(null=True, blank=True)
    pages = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ReportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Clicking twice cannot start two renders of one cycle.
            models.UniqueConstraint(
                fields=["cycle"], condition=Q(status__in=["queued", "running"]), name="one_active_report_job_per_cycle"
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_job_progress_percent"),
            models.CheckConstraint(condition=~Q(status="done") | ~Q(file=""), name="report_job_done_has_file"),
            models.CheckConstraint(condition=Q(format__in=["pdf", "docx"]), name="report_job_format_known"),
            models.CheckConstraint(condition=Q(variant__in=["full", "public"]), name="report_job_variant_known"),
        ]

    def __str__(self):
        return f"report {self.pk} · {self.cycle_id} · {self.status}"

    @property
    def is_public(self):
        return self.variant == self.Variant.PUBLIC

    @property
    def is_active(self):
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None
