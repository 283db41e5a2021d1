"""Regions, per-cycle consents, the levels a consenting country contributes, the good-practice library
and peer exchange.

Nothing is shared by default: a country enters an aggregate, the secretariat's view or peer exchange
only through a current ``Consent`` row given by its coordinator for one closed cycle.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from assessments.models import Country, Cycle, RoleAssignment
from capabilities.models import MAX_LEVEL, MIN_LEVEL, Capability, FrameworkVersion, Indicator


class Region(models.Model):
    """A group of countries (a continent, a sub-region): data, edited in the admin. A country may be in several."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    countries = models.ManyToManyField(Country, blank=True, related_name="regions", verbose_name=_("countries"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return self.name


class SecretariatRegion(models.Model):
    """Narrows a secretariat role to one region. A secretariat role without any row covers the whole network."""

    assignment = models.ForeignKey(RoleAssignment, on_delete=models.CASCADE, related_name="secretariat_regions")
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("secretariat region")
        verbose_name_plural = _("secretariat regions")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "region"], name="secretariat_region_unique"),
        ]

    def __str__(self):
        return f"{self.assignment_id} → {self.region}"


class ConsentQuerySet(models.QuerySet):
    def current(self):
        """Consents in force: given and not withdrawn. Every aggregate and every shared page reads these only."""
        return self.filter(withdrawn_at__isnull=True)


class Consent(models.Model):
    """One choice of a coordinator for one closed cycle. Withdrawal stamps the row (it stays as a record);
    giving the consent again is a new row, so the history of who allowed what, and when, is kept."""

    class Kind(models.TextChoices):
        AGGREGATES = "aggregates", _("Contribute to anonymised aggregates")
        SECRETARIAT = "secretariat", _("Share our results with the secretariat")
        EXCHANGE = "exchange", _("Open to peer exchange")

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="network_consents")
    kind = models.CharField(_("consent"), max_length=12, choices=Kind.choices)
    # Peer exchange only: the capabilities the country offers to share its experience of.
    capabilities = models.ManyToManyField(Capability, blank=True, related_name="+", verbose_name=_("capabilities"))
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    given_at = models.DateTimeField(_("given at"))
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["cycle", "kind", "-given_at"]
        verbose_name = _("network consent")
        verbose_name_plural = _("network consents")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "kind"], condition=Q(withdrawn_at__isnull=True), name="consent_one_current_per_kind"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["aggregates", "secretariat", "exchange"]), name="consent_kind_valid"
            ),
        ]

    def __str__(self):
        return f"{self.cycle} · {self.kind}{' (withdrawn)' if self.withdrawn_at else ''}"

    @property
    def is_current(self):
        return self.withdrawn_at is None


class ContributedLevel(models.Model):
    """A capability's final national level as the cycle contributed it, copied when the aggregates consent
    is given (the cycle is closed, so the level is final): aggregates read these rows in one query instead
    of consolidating every country's answers."""

    consent = models.ForeignKey(Consent, on_delete=models.CASCADE, related_name="levels")
    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveSmallIntegerField(_("capability number"))
    domain = models.CharField(_("domain code"), max_length=4)
    level = models.DecimalField(_("national level"), max_digits=3, decimal_places=1)

    class Meta:
        ordering = ["consent", "number"]
        constraints = [
            models.UniqueConstraint(fields=["consent", "number"], name="contributed_level_unique_per_capability"),
            models.CheckConstraint(
                condition=Q(level__gte=MIN_LEVEL, level__lte=MAX_LEVEL), name="contributed_level_range"
            ),
        ]
        indexes = [models.Index(fields=["version", "number"], name="contributed_level_capability")]

    def __str__(self):
        return f"{self.consent_id} · {self.number} = {self.level}"


class PracticeQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Practice.Status.PUBLISHED)

    def visible_to(self, user):
        """Published entries for everyone signed in; an author also sees their own drafts; the secretariat
        (and superusers) every entry, since they moderate the library."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser or RoleAssignment.objects.held_by(user).filter(role="secretariat").exists():
            return self
        return self.filter(Q(status=Practice.Status.PUBLISHED) | Q(author=user))


class Practice(models.Model):
    """A good-practice entry of the library: what a country (or the secretariat) did for a capability."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for moderation")
        PUBLISHED = "published", _("Published")
        RETURNED = "returned", _("Returned to the author")

    # Who may move an entry where: the author submits a draft or returned entry; the secretariat
    # publishes or returns a submitted one.
    EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)

    code = models.SlugField(
        _("code"), max_length=60, unique=True, null=True, blank=True, help_text=_("Seeded entries only.")
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"))
    context = models.TextField(_("context"), blank=True)
    what_was_done = models.TextField(_("what was done"))
    results = models.TextField(_("results and evidence of effect"), blank=True)
    resources = models.TextField(_("resources"), blank=True, help_text=_("One link per line."))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    translation_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="translations",
        verbose_name=_("translation of"),
    )
    capabilities = models.ManyToManyField(Capability, related_name="+", verbose_name=_("capabilities"))
    indicators = models.ManyToManyField(Indicator, blank=True, related_name="+", verbose_name=_("indicators"))
    tags = models.CharField(_("tags"), max_length=200, blank=True, help_text=_("Keywords separated by commas."))
    country = models.ForeignKey(
        Country, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("country")
    )
    show_country = models.BooleanField(_("show our country's name"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    return_reason = models.TextField(_("reason for return"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = PracticeQuerySet.as_manager()

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("good-practice entry")
        verbose_name_plural = _("good-practice entries")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "submitted", "published", "returned"]), name="practice_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(return_reason=""), name="practice_returned_has_reason"
            ),
        ]
        indexes = [models.Index(fields=["status", "language"], name="practice_status_language")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("network:practice_detail", args=[self.pk])

    @property
    def is_editable_status(self):
        return self.status in self.EDITABLE_STATUSES

    @property
    def shown_country(self):
        return self.country if self.show_country else None

    @property
    def resource_links(self):
        return [line.strip() for line in self.resources.splitlines() if line.strip()]

    @property
    def tag_list(self):
        return [t.strip() for t in self.tags.split(",") if t.strip()]


class ExchangeRequest(models.Model):
    """A country's wish to learn from countries open to exchange on one capability, in one region or the
    whole network. The asking country sees only how many were asked until one accepts."""

    class Route(models.TextChoices):
        DIRECT = "direct", _("Directly to the open countries' coordinators")
        SECRETARIAT = "secretariat", _("Through the secretariat")

    capability = models.ForeignKey(Capability, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="+")
    message = models.TextField(_("message"))
    route = models.CharField(_("send"), max_length=12, choices=Route.choices, default=Route.DIRECT)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField()
    # Through the secretariat: set when the secretariat passes the request on to the open countries.
    forwarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    forwarded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("exchange request")
        verbose_name_plural = _("exchange requests")
        constraints = [
            models.CheckConstraint(condition=Q(route__in=["direct", "secretariat"]), name="exchange_route_valid"),
        ]

    def __str__(self):
        return f"{self.country} → capability {self.capability.number}"


class ExchangeReply(models.Model):
    """One open country's answer to an exchange request. Contacts are shown to either side only once accepted."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    request = models.ForeignKey(ExchangeRequest, on_delete=models.CASCADE, related_name="replies")
    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["request", "pk"]
        verbose_name = _("exchange reply")
        verbose_name_plural = _("exchange replies")
        constraints = [
            models.UniqueConstraint(fields=["request", "country"], name="exchange_reply_unique_per_country"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "accepted", "declined"]), name="exchange_reply_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.request_id} · {self.country_id} · {self.status}"
