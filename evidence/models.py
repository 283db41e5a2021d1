"""Evidence behind answers: an organisation's library of documents, and what is attached to which answer.

A document belongs to its organisation (the evidence library, reused across cycles) and is attached
to answers through ``Attachment`` rows; a link is an attachment with a URL instead of a document.
Nothing is deleted: removing an attachment or a document sets its ``removed_at``, and a new version
of a document ``supersedes`` the old one, which stays attached to the answers already submitted.
The files live in the ``private`` storage (``STORAGES["private"]``), never under a public URL.
"""

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from assessments.models import Answer, Organisation

from .filetypes import KINDS


def private_storage():
    return storages["private"]


class DocumentQuerySet(models.QuerySet):
    def current(self):
        """The library as shown: documents neither removed nor superseded."""
        return self.filter(removed_at__isnull=True, superseded_by__isnull=True)


class Document(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="documents", verbose_name=_("organisation")
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("type"), max_length=4, choices=[(code, kind.label) for code, kind in KINDS.items()])
    file = models.FileField(storage=private_storage, upload_to="evidence/%Y/%m/", max_length=300)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField()
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="supersedes"
    )
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "title", "-uploaded_at"]
        verbose_name = _("evidence document")
        verbose_name_plural = _("evidence documents")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=list(KINDS)), name="document_kind_accepted"),
        ]

    def __str__(self):
        return f"{self.title} ({self.get_kind_display()})"

    @property
    def download_name(self):
        return f"{self.title[:80]}.{KINDS[self.kind].extension}"


class Attachment(models.Model):
    """A document or a link offered as evidence for one answer, and the coordinator's review of it."""

    class Review(models.TextChoices):
        PENDING = "", _("Not reviewed")
        ACCEPTED = "accepted", _("Accepted")
        INSUFFICIENT = "insufficient", _("Insufficient")

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="evidence_attachments")
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments")
    url = models.URLField(_("link"), max_length=500, blank=True)
    link_title = models.CharField(_("title of the link"), max_length=200, blank=True)
    attached_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    attached_at = models.DateTimeField()
    review = models.CharField(_("review"), max_length=12, choices=Review.choices, blank=True, default="")
    review_note = models.TextField(_("review note"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["answer", "attached_at", "pk"]
        verbose_name = _("evidence attachment")
        verbose_name_plural = _("evidence attachments")
        constraints = [
            # Either a document or a link, never both, never neither.
            models.CheckConstraint(
                condition=(Q(document__isnull=False) & Q(url="")) | (Q(document__isnull=True) & ~Q(url="")),
                name="attachment_document_or_link",
            ),
            models.UniqueConstraint(
                fields=["answer", "document"],
                condition=Q(removed_at__isnull=True, document__isnull=False),
                name="attachment_document_once_per_answer",
            ),
            models.CheckConstraint(
                condition=Q(review__in=["", "accepted", "insufficient"]), name="attachment_review_valid"
            ),
        ]

    def __str__(self):
        return f"answer {self.answer_id}: {self.document_id or self.url}"

    @property
    def title(self):
        return self.document.title if self.document_id else (self.link_title or self.url)
