"""Attaching, removing and reviewing evidence. Views call these; nothing else writes evidence rows.

Every write to an answer's evidence decides on the questionnaire and its cycle as they are inside the
write's transaction (``assessments.services.submission_lock_answerable``): a cycle closed or a
questionnaire submitted meanwhile refuses it.
"""

import hashlib

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import AuditEvent, Cycle, Submission
from assessments.services import audit, cycle_lock_for_change, submission_lock, submission_lock_answerable

from .filetypes import Refused, identify, megabytes
from .models import Attachment, Document, private_storage


def _ensure_room(answer):
    """Refuse a new document or link once the answer holds ``EVIDENCE_MAX_PER_ANSWER`` of them."""
    limit = settings.EVIDENCE_MAX_PER_ANSWER
    if Attachment.objects.filter(answer=answer, removed_at__isnull=True).count() >= limit:
        raise ValidationError(
            _("An answer can have at most %(limit)s documents and links. Remove one before adding another.")
            % {"limit": limit}
        )


def upload_check(upload) -> tuple[bytes, str]:
    """The file's bytes and its kind's code, or ``ValidationError`` saying why the file is refused."""
    limit = settings.EVIDENCE_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("This file is %(size)s; the largest accepted is %(limit)s.")
            % {"size": megabytes(upload.size), "limit": megabytes(limit)}
        )
    data = upload.read(limit + 1)
    try:
        kind = identify(data, upload.name or "")
    except Refused as exc:
        raise ValidationError(str(exc))
    return data, kind.code


def document_upload(*, answer, upload, title, by, replaces=None, request=None) -> Attachment:
    """Add a document to the organisation's library and attach it to ``answer``.

    1. Check the file (type from its content, size) before anything is written.
    2. Store it in the private storage (never inside a transaction: it may be a network call).
    3. In one transaction, against the locked questionnaire: refuse a closed cycle or a submitted
       questionnaire and a full answer; create the document and the attachment; a document it
       ``replaces`` is marked superseded (its attachments to submitted answers stay as they were).
    4. Record the upload in the audit trail. A refusal after step 2 removes the stored file.
    """
    data, kind = upload_check(upload)
    storage = private_storage()
    name = storage.save(
        f"evidence/{timezone.now():%Y/%m}/{hashlib.sha256(data).hexdigest()[:16]}.{kind}", ContentFile(data)
    )
    try:
        with transaction.atomic():
            submission = submission_lock_answerable(answer.submission_id)
            _ensure_room(answer)
            now = timezone.now()
            document = Document.objects.create(
                organisation_id=submission.organisation_id,
                title=title.strip() or (upload.name or "")[:200],
                kind=kind,
                file=name,
                original_name=(upload.name or "")[:255],
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                uploaded_by=by,
                uploaded_at=now,
            )
            if replaces is not None:
                if replaces.organisation_id != submission.organisation_id:
                    raise PermissionDenied(_("That document belongs to another organisation."))
                Document.objects.filter(pk=replaces.pk).update(superseded_by=document)
                # The replaced version leaves this answer (it stays on answers already submitted).
                Attachment.objects.filter(answer=answer, document=replaces, removed_at__isnull=True).update(
                    removed_at=now, removed_by=by
                )
            attachment = Attachment.objects.create(answer=answer, document=document, attached_by=by, attached_at=now)
            audit(
                user=by,
                action=AuditEvent.Action.EVIDENCE_UPLOADED,
                country=submission.cycle.country,
                cycle=submission.cycle,
                submission=submission,
                detail=f"{answer.indicator.code}: {document.title} ({document.get_kind_display()}, {document.size} B)",
                request=request,
            )
    except BaseException:
        storage.delete(name)
        raise
    return attachment


@transaction.atomic
def document_attach(*, answer, document, by) -> Attachment:
    """Attach a document of the organisation's library to one more answer."""
    submission = submission_lock_answerable(answer.submission_id)
    if document.organisation_id != submission.organisation_id or document.removed_at or document.superseded_by_id:
        raise ValidationError(_("Choose a current document of your organisation's library."))
    if Attachment.objects.filter(answer=answer, document=document, removed_at__isnull=True).exists():
        raise ValidationError(_("This document is already attached to this answer."))
    _ensure_room(answer)
    return Attachment.objects.create(answer=answer, document=document, attached_by=by, attached_at=timezone.now())


@transaction.atomic
def link_add(*, answer, url, title, by) -> Attachment:
    submission_lock_answerable(answer.submission_id)
    _ensure_room(answer)
    return Attachment.objects.create(
        answer=answer, url=url, link_title=title.strip(), attached_by=by, attached_at=timezone.now()
    )


@transaction.atomic
def attachment_remove(*, attachment, by, request=None) -> Attachment:
    """Take a document or link off an answer still being answered; the row stays, marked removed."""
    submission = submission_lock_answerable(attachment.answer.submission_id)
    now = timezone.now()
    if not Attachment.objects.filter(pk=attachment.pk, removed_at__isnull=True).update(removed_at=now, removed_by=by):
        raise ValidationError(_("This evidence was already removed."))
    attachment.removed_at, attachment.removed_by = now, by
    audit(
        user=by,
        action=AuditEvent.Action.EVIDENCE_REMOVED,
        country=submission.cycle.country,
        cycle=submission.cycle,
        submission=submission,
        detail=f"{attachment.answer.indicator.code}: {attachment.title}",
        request=request,
    )
    return attachment


@transaction.atomic
def attachment_review(*, attachment, review, note, by, request=None) -> Attachment:
    """The coordinator's verdict on one document or link: accepted, or insufficient with a note saying why."""
    cycle_lock_for_change(attachment.answer.submission.cycle_id)
    submission = submission_lock(attachment.answer.submission_id)
    note = note.strip()
    if review not in (Attachment.Review.ACCEPTED, Attachment.Review.INSUFFICIENT):
        raise ValidationError({"review": _("Choose “accepted” or “insufficient”.")})
    if review == Attachment.Review.INSUFFICIENT and not note:
        raise ValidationError({"note": _("Say what is missing, so that the focal point can supply it.")})
    now = timezone.now()
    Attachment.objects.filter(pk=attachment.pk).update(review=review, review_note=note, reviewed_by=by, reviewed_at=now)
    attachment.review, attachment.review_note, attachment.reviewed_by, attachment.reviewed_at = review, note, by, now
    audit(
        user=by,
        action=AuditEvent.Action.EVIDENCE_REVIEWED,
        country=submission.cycle.country,
        cycle=submission.cycle,
        submission=submission,
        detail=f"{attachment.answer.indicator.code}: {attachment.title} → {review}",
        request=request,
    )
    return attachment


@transaction.atomic
def document_remove(*, document, by, request=None) -> Document:
    """Remove a document from the library, and from the answers still being answered.

    A document that is evidence for an answer of a submitted or accepted questionnaire, or of a closed
    cycle, cannot be removed: it can only be replaced by a new version (upload with "replaces"). The
    row and its file stay, marked removed, so the history still shows what was offered.
    """
    # The questionnaires whose answers use it, locked (PostgreSQL allows no FOR UPDATE with DISTINCT: by id).
    in_use = Attachment.objects.filter(document=document, removed_at__isnull=True).values("answer__submission_id")
    submissions = list(
        Submission.objects.select_for_update(of=("self", "cycle"))
        .select_related("cycle")
        .filter(pk__in=in_use)
        .order_by("pk")
    )
    if any(s.cycle.status != Cycle.Status.OPEN or not s.is_editable_status for s in submissions):
        raise ValidationError(
            _(
                "This document is evidence for an answer of a submitted questionnaire or of a closed cycle: it "
                "cannot be deleted. Upload a new version that replaces it instead."
            )
        )
    now = timezone.now()
    if not Document.objects.filter(pk=document.pk, removed_at__isnull=True).update(removed_at=now, removed_by=by):
        raise ValidationError(_("This document was already removed."))
    Attachment.objects.filter(document=document, removed_at__isnull=True).update(removed_at=now, removed_by=by)
    document.removed_at, document.removed_by = now, by
    audit(
        user=by,
        action=AuditEvent.Action.EVIDENCE_REMOVED,
        country=document.organisation.country,
        detail=f"{document.organisation.name}: {document.title}",
        request=request,
    )
    return document


def attachments_carry_forward(*, answers, by, now) -> list[Attachment]:
    """Attach to each answer carried from the last cycle the documents and links of the answer it came from.

    1 query, 2 when anything is carried: the previous answers' current attachments, then one bulk insert.
    A superseded document is carried as its newest version; a removed one is not carried; reviews are not
    (a new cycle is reviewed afresh). Runs inside the caller's transaction (``answers_carry_forward``).
    """
    by_source = {answer.carried_from_id: answer for answer in answers if answer.carried_from_id}
    rows = []
    seen = set()
    for old in (
        Attachment.objects.filter(answer_id__in=list(by_source), removed_at__isnull=True)
        .select_related("document__superseded_by")
        .order_by("attached_at", "pk")
    ):
        answer = by_source[old.answer_id]
        document = old.document
        if document is not None:
            if document.superseded_by_id:
                # Its next version, read along (a longer chain of versions is carried as its second step).
                document = document.superseded_by
            if document.removed_at is not None or (answer.pk, document.pk) in seen:
                continue
            seen.add((answer.pk, document.pk))
        rows.append(
            Attachment(
                answer=answer,
                document=document,
                url=old.url,
                link_title=old.link_title,
                attached_by_id=old.attached_by_id,
                attached_at=now,
            )
        )
    return Attachment.objects.bulk_create(rows) if rows else []
