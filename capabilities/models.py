"""The MNR framework as versioned data.

A framework version owns everything below it. Once published it never changes: the database
refuses inserts and updates into a published version (triggers installed by migration 0002),
and the admin shows it read-only. Changing the framework means cloning it into a new draft.
"""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

MIN_LEVEL = 0
MAX_LEVEL = 4
LEVELS = range(MIN_LEVEL, MAX_LEVEL + 1)


class Source(models.TextChoices):
    """Where a framework element comes from: the published MNR text, or the portal's own addition."""

    MNR_2016 = "mnr-2016", _("MNR 2016")
    PORTAL = "portal", _("Portal addition")


def _source_field(verbose_name=None, help_text=None):
    return models.CharField(
        verbose_name or _("source"),
        max_length=10,
        choices=Source.choices,
        default=Source.MNR_2016,
        help_text=help_text
        or _("MNR 2016 when the published MNR text has it; Portal addition when the portal added it."),
    )


class Sector(models.Model):
    """A kind of stakeholder organisation; shared by all framework versions."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self):
        return self.name


class FrameworkVersionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=FrameworkVersion.Status.PUBLISHED)


class FrameworkVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    code = models.SlugField(_("code"), max_length=40, unique=True, help_text=_("Stable code, e.g. MNR-2016."))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    cloned_from = models.ForeignKey(
        "self", verbose_name=_("cloned from"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Raised each time a translation pack of this version goes live: the cached framework tree of a
    # published version is keyed by it, so every process reads the new texts on its next request.
    translations_revision = models.PositiveIntegerField(_("translations revision"), default=0, editable=False)

    objects = FrameworkVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "code"]
        verbose_name = _("framework version")
        verbose_name_plural = _("framework versions")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published", "retired"]), name="version_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False), name="version_published_has_date"
            ),
        ]

    def __str__(self):
        return f"{self.code} · {self.title}"

    @property
    def is_draft(self):
        return self.status == self.Status.DRAFT

    @property
    def is_frozen(self):
        return self.status != self.Status.DRAFT


class Domain(models.Model):
    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="domains")
    code = models.CharField(_("code"), max_length=4)
    name = models.CharField(_("name"), max_length=120)
    outcome = models.TextField(_("outcome"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["version", "order", "code"]
        verbose_name = _("domain")
        verbose_name_plural = _("domains")
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="domain_code_unique_per_version")]

    def __str__(self):
        return f"{self.code}. {self.name}"


class Tag(models.Model):
    """A lens on the framework (e.g. the Prevention Framework's prevention levels), carried by capabilities
    and indicators so an analysis or report can be filtered by it."""

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="tags")
    code = models.SlugField(_("code"), max_length=40)
    lens = models.CharField(
        _("lens"), max_length=120, help_text=_("The group the tag belongs to, e.g. Prevention level.")
    )
    name = models.CharField(_("name"), max_length=120)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["version", "order", "code"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="tag_code_unique_per_version")]

    def __str__(self):
        return f"{self.lens}: {self.name}"


class Capability(models.Model):
    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="capabilities")
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="capabilities")
    number = models.PositiveSmallIntegerField(_("number"), help_text=_("MNR number, 1–21, unique in the version."))
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"))
    outcome = models.TextField(_("outcome"))
    tags = models.ManyToManyField(Tag, blank=True, related_name="capabilities", verbose_name=_("tags"))

    class Meta:
        ordering = ["version", "number"]
        verbose_name = _("capability")
        verbose_name_plural = _("capabilities")
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="capability_number_unique_per_version"),
            models.CheckConstraint(condition=Q(number__gte=1), name="capability_number_positive"),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"


class Enabler(models.Model):
    """A cross-cutting condition, scored once per country per cycle by the coordinator."""

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="enablers")
    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    capabilities = models.ManyToManyField(Capability, blank=True, related_name="enablers", verbose_name=_("supports"))
    source = _source_field()
    links_source = _source_field(
        _("source of the links"),
        _("Where the links to the capabilities it supports come from (the MNR text does not list them)."),
    )

    class Meta:
        ordering = ["version", "order", "code"]
        verbose_name = _("enabler")
        verbose_name_plural = _("enablers")
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="enabler_code_unique_per_version")]

    def __str__(self):
        return f"{self.code}. {self.name}"


class MaturityLevel(models.Model):
    """One step of a version's maturity scale (0 not in place, then the four MNR phases)."""

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="levels")
    level = models.PositiveSmallIntegerField(_("level"))
    name = models.CharField(_("name"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    source = _source_field()

    class Meta:
        ordering = ["version", "level"]
        verbose_name = _("maturity level")
        verbose_name_plural = _("maturity scale")
        constraints = [
            models.UniqueConstraint(fields=["version", "level"], name="maturity_level_unique_per_version"),
            models.CheckConstraint(
                condition=Q(level__gte=MIN_LEVEL, level__lte=MAX_LEVEL), name="maturity_level_range"
            ),
        ]

    def __str__(self):
        return f"{self.level} · {self.name}"


class Indicator(models.Model):
    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="indicators")
    capability = models.ForeignKey(Capability, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("code"), max_length=20, help_text=_("Stable code, e.g. C04.2; never reused."))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    question = models.TextField(_("question"))
    guidance = models.TextField(_("evidence guidance"), blank=True)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    sectors = models.ManyToManyField(Sector, related_name="indicators", verbose_name=_("sectors asked"))
    source = _source_field()
    tags = models.ManyToManyField(Tag, blank=True, related_name="indicators", verbose_name=_("tags"))

    class Meta:
        ordering = ["version", "capability__number", "order", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="indicator_code_unique_per_version"),
            models.CheckConstraint(condition=Q(weight__gte=1, weight__lte=10), name="indicator_weight_range"),
        ]

    def __str__(self):
        return f"{self.code} {self.question[:60]}"

    def get_absolute_url(self):
        return reverse("admin:capabilities_indicator_change", args=[self.pk])


class LevelDescriptor(models.Model):
    """What a given maturity level looks like for one indicator."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="descriptors")
    level = models.PositiveSmallIntegerField(_("level"))
    text = models.TextField(_("descriptor"))

    class Meta:
        ordering = ["indicator", "level"]
        verbose_name = _("level descriptor")
        verbose_name_plural = _("level descriptors")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "level"], name="descriptor_level_unique_per_indicator"),
            models.CheckConstraint(
                condition=Q(level__gte=MIN_LEVEL, level__lte=MAX_LEVEL), name="descriptor_level_range"
            ),
        ]

    def __str__(self):
        return f"{self.indicator.code} · {self.level}"


class Crosswalk(models.Model):
    """How one framework version maps onto another, entry by entry (capabilities and indicators).

    Stored by code, not by row: codes are stable and never reused within the framework, so a
    crosswalk reads the same in its file, in the admin and in the carry-forward of answers.
    """

    source = models.ForeignKey(
        FrameworkVersion, verbose_name=_("from version"), on_delete=models.CASCADE, related_name="crosswalks_out"
    )
    target = models.ForeignKey(
        FrameworkVersion, verbose_name=_("to version"), on_delete=models.CASCADE, related_name="crosswalks_in"
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["source__code", "target__code"]
        verbose_name = _("crosswalk")
        verbose_name_plural = _("crosswalks")
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="crosswalk_unique_per_pair"),
            models.CheckConstraint(condition=~Q(source=models.F("target")), name="crosswalk_between_two_versions"),
        ]

    def __str__(self):
        return f"{self.source.code} → {self.target.code}"


class CrosswalkEntry(models.Model):
    class Kind(models.TextChoices):
        CAPABILITY = "capability", _("Capability")
        INDICATOR = "indicator", _("Indicator")

    class Relation(models.TextChoices):
        EQUAL = "equal", _("Equal")
        SUBSET = "subset", _("Subset")
        SUPERSET = "superset", _("Superset")
        SPLIT = "split", _("Split")
        MERGED = "merged", _("Merged")
        REMOVED = "removed", _("Removed")
        NEW = "new", _("New")

    crosswalk = models.ForeignKey(Crosswalk, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    source_code = models.CharField(
        _("from code"), max_length=20, blank=True, help_text=_("Capability number or indicator code; empty for new.")
    )
    target_code = models.CharField(
        _("to code"), max_length=20, blank=True, help_text=_("Capability number or indicator code; empty for removed.")
    )
    relation = models.CharField(_("relation"), max_length=10, choices=Relation.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["crosswalk", "kind", "source_code", "target_code"]
        verbose_name = _("crosswalk entry")
        verbose_name_plural = _("crosswalk entries")
        constraints = [
            models.UniqueConstraint(
                fields=["crosswalk", "kind", "source_code", "target_code"], name="crosswalk_entry_unique"
            ),
            models.CheckConstraint(condition=Q(kind__in=["capability", "indicator"]), name="crosswalk_entry_kind"),
            models.CheckConstraint(
                condition=(
                    (Q(relation="new") & Q(source_code="") & ~Q(target_code=""))
                    | (Q(relation="removed") & ~Q(source_code="") & Q(target_code=""))
                    | (
                        Q(relation__in=["equal", "subset", "superset", "split", "merged"])
                        & ~Q(source_code="")
                        & ~Q(target_code="")
                    )
                ),
                name="crosswalk_entry_codes_match_relation",
            ),
        ]

    def __str__(self):
        return f"{self.source_code or '∅'} → {self.target_code or '∅'} ({self.relation})"


class TranslationPack(models.Model):
    """The translation of one framework version's texts into one language, versioned apart from it.

    A published version never changes in its source language, English; its translations live here so
    they can be added or corrected without cloning the framework. A pack moves from draft to reviewed
    to published; a pack may also go live before review as *provisional*, and says so wherever it is
    shown. At most one pack per version and language is live (provisional or published): going live
    writes its texts into the version's translation columns, which the questionnaire, the analysis and
    the reports read (falling back to English per field), and supersedes the pack that was live.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PROVISIONAL = "provisional", _("Provisional (live, awaiting review)")
        REVIEWED = "reviewed", _("Reviewed")
        PUBLISHED = "published", _("Published")
        SUPERSEDED = "superseded", _("Superseded")

    LIVE = (Status.PROVISIONAL, Status.PUBLISHED)
    WORKING = (Status.DRAFT, Status.REVIEWED)

    version = models.ForeignKey(
        FrameworkVersion,
        verbose_name=_("framework version"),
        on_delete=models.CASCADE,
        related_name="translation_packs",
    )
    language = models.CharField(_("language"), max_length=8)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    translator = models.CharField(_("translator"), max_length=200, blank=True)
    reviewer = models.CharField(_("reviewer"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    published_at = models.DateTimeField(_("live since"), null=True, blank=True)

    class Meta:
        ordering = ["version__code", "language", "-created_at"]
        verbose_name = _("translation pack")
        verbose_name_plural = _("translation packs")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "provisional", "reviewed", "published", "superseded"]),
                name="translation_pack_status_valid",
            ),
            models.UniqueConstraint(
                fields=["version", "language"],
                condition=Q(status__in=["provisional", "published"]),
                name="translation_pack_one_live",
            ),
            models.UniqueConstraint(
                fields=["version", "language"],
                condition=Q(status__in=["draft", "reviewed"]),
                name="translation_pack_one_in_work",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["reviewed", "published"]) | ~Q(reviewer=""),
                name="translation_pack_reviewed_has_reviewer",
            ),
        ]

    def __str__(self):
        return f"{self.version.code} · {self.language} · {self.get_status_display()}"

    @property
    def is_live(self):
        return self.status in self.LIVE

    @property
    def awaits_review(self):
        return self.status in (self.Status.DRAFT, self.Status.PROVISIONAL)


class TranslationText(models.Model):
    """One text of a pack: its key (e.g. ``indicator:C04.2:question``), the English it translates, and the
    translation (empty while not done)."""

    pack = models.ForeignKey(TranslationPack, on_delete=models.CASCADE, related_name="texts")
    key = models.CharField(_("key"), max_length=80)
    source = models.TextField(_("English"))
    text = models.TextField(_("translation"), blank=True)

    class Meta:
        ordering = ["pack", "id"]
        verbose_name = _("translated text")
        verbose_name_plural = _("translated texts")
        constraints = [models.UniqueConstraint(fields=["pack", "key"], name="translation_text_key_unique_per_pack")]

    def __str__(self):
        return self.key


class Metric(models.Model):
    """An outcome figure a country reports per year beside a capability's maturity, e.g. URLs removed.

    Aggregate figures only: a metric counts or measures the response, never anything about a person.
    Versioned with the framework (frozen with it once published) and keyed by a stable code.
    """

    class Unit(models.TextChoices):
        COUNT = "count", _("Count")
        HOURS = "hours", _("Hours")
        PERCENTAGE = "percentage", _("Percentage")
        CURRENCY = "currency", _("Currency")

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="metrics")
    capability = models.ForeignKey(Capability, on_delete=models.CASCADE, related_name="metrics")
    code = models.CharField(_("code"), max_length=20, help_text=_("Stable code, e.g. M16.2; never reused."))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=200)
    definition = models.TextField(_("definition"))
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    higher_is_better = models.BooleanField(_("higher is better"), default=True)
    sectors = models.ManyToManyField(Sector, related_name="metrics", verbose_name=_("sectors that report it"))

    class Meta:
        ordering = ["version", "capability__number", "order", "code"]
        verbose_name = _("metric")
        verbose_name_plural = _("metrics")
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="metric_code_unique_per_version"),
            models.CheckConstraint(
                condition=Q(unit__in=["count", "hours", "percentage", "currency"]), name="metric_unit_valid"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"
