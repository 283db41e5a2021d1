"""Evidence pages: one answer's documents and links, uploads, and the authorising download.

Access is the answer's (``assessments.access``): the organisation's focal points and the country's
coordinators; observers and everyone else get a 404.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments.access import coordinates, get_answer_for_user, get_submission_for_user, is_focal_point
from assessments.models import AuditEvent
from assessments.services import audit, ensure_answerable
from capabilities.queries import framework_tree

from . import services
from .filetypes import ACCEPTED_LABELS, KINDS, megabytes
from .forms import DocumentAttachForm, DocumentUploadForm, LinkForm, ReviewForm
from .models import Attachment, Document, private_storage


def _library(submission):
    return Document.objects.current().filter(organisation_id=submission.organisation_id).select_related("uploaded_by")


def _page(request, answer, *, upload_form=None, attach_form=None, link_form=None, status=200):
    submission = answer.submission
    library = _library(submission)
    attachments = list(
        Attachment.objects.filter(answer=answer)
        .select_related("document__superseded_by", "attached_by", "reviewed_by", "removed_by")
        .order_by("removed_at", "attached_at", "pk")
    )
    try:
        ensure_answerable(submission)
        can_answer = is_focal_point(request.user, submission.organisation_id)
    except PermissionDenied:
        can_answer = False
    can_review = coordinates(request.user, submission.cycle.country_id) and submission.cycle.is_open
    return render(
        request,
        "evidence/answer_evidence.html",
        {
            "submission": submission,
            "cycle": submission.cycle,
            "answer": answer,
            "current": [a for a in attachments if a.removed_at is None],
            "removed": [a for a in attachments if a.removed_at is not None],
            "library": list(library),
            "can_answer": can_answer,
            "can_review": can_review,
            "upload_form": upload_form or DocumentUploadForm(library=library),
            "attach_form": attach_form or DocumentAttachForm(library=library),
            "link_form": link_form or LinkForm(),
            "review_form": ReviewForm(),
            "accepted_types": ACCEPTED_LABELS,
            "max_size": megabytes(settings.EVIDENCE_MAX_UPLOAD_BYTES),
            "max_count": settings.EVIDENCE_MAX_PER_ANSWER,
        },
        status=status,
    )


def _answer(request, pk, answer_pk, write=False):
    answer = get_answer_for_user(request, pk, answer_pk, write=write)
    if answer is None:
        raise Http404("No such answer.")
    answer.indicator = framework_tree(answer.submission.cycle.framework_version).indicators[answer.indicator_id]
    return answer


@login_required
def answer_evidence(request, pk, answer_pk):
    return _page(request, _answer(request, pk, answer_pk))


def _refused(request, answer, exc, **forms):
    """A refused write: the page again with the reason (a form error, or a message for a rule)."""
    if isinstance(exc, ValidationError):
        form = next(iter(forms.values()))
        for message in exc.messages:
            form.add_error(None, message)
    else:
        messages.error(request, str(exc))
    return _page(request, answer, status=422 if isinstance(exc, ValidationError) else 403, **forms)


@login_required
@require_POST
def document_upload(request, pk, answer_pk):
    answer = _answer(request, pk, answer_pk, write=True)
    form = DocumentUploadForm(request.POST, request.FILES, library=_library(answer.submission))
    if not form.is_valid():
        return _page(request, answer, upload_form=form, status=422)
    try:
        services.document_upload(
            answer=answer,
            upload=form.cleaned_data["file"],
            title=form.cleaned_data["title"],
            replaces=form.cleaned_data["replaces"],
            by=request.user,
            request=request,
        )
    except (ValidationError, PermissionDenied) as exc:
        return _refused(request, answer, exc, upload_form=form)
    messages.success(request, _("Document attached."))
    return redirect("evidence:answer_evidence", pk=pk, answer_pk=answer_pk)


@login_required
@require_POST
def document_attach(request, pk, answer_pk):
    answer = _answer(request, pk, answer_pk, write=True)
    form = DocumentAttachForm(request.POST, library=_library(answer.submission))
    if not form.is_valid():
        return _page(request, answer, attach_form=form, status=422)
    try:
        services.document_attach(answer=answer, document=form.cleaned_data["document"], by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        return _refused(request, answer, exc, attach_form=form)
    messages.success(request, _("Document attached."))
    return redirect("evidence:answer_evidence", pk=pk, answer_pk=answer_pk)


@login_required
@require_POST
def link_add(request, pk, answer_pk):
    answer = _answer(request, pk, answer_pk, write=True)
    form = LinkForm(request.POST)
    if not form.is_valid():
        return _page(request, answer, link_form=form, status=422)
    try:
        services.link_add(
            answer=answer, url=form.cleaned_data["url"], title=form.cleaned_data["title"], by=request.user
        )
    except (ValidationError, PermissionDenied) as exc:
        return _refused(request, answer, exc, link_form=form)
    messages.success(request, _("Link added."))
    return redirect("evidence:answer_evidence", pk=pk, answer_pk=answer_pk)


def _attachment(request, pk, attachment_pk, **access):
    submission = get_submission_for_user(request, pk, **access)
    attachment = get_object_or_404(
        Attachment.objects.select_related("document", "answer__indicator"),
        pk=attachment_pk,
        answer__submission=submission,
    )
    attachment.answer.submission = submission
    return attachment


def _back(attachment):
    return redirect("evidence:answer_evidence", pk=attachment.answer.submission_id, answer_pk=attachment.answer_id)


@login_required
@require_POST
def attachment_remove(request, pk, attachment_pk):
    attachment = _attachment(request, pk, attachment_pk, write=True)
    try:
        services.attachment_remove(attachment=attachment, by=request.user, request=request)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("Removed from this answer. It stays in the answer's history."))
    return _back(attachment)


@login_required
@require_POST
def attachment_review(request, pk, attachment_pk):
    attachment = _attachment(request, pk, attachment_pk, review=True)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose “accepted” or “insufficient”."))
        return _back(attachment)
    try:
        services.attachment_review(
            attachment=attachment,
            review=form.cleaned_data["review"],
            note=form.cleaned_data["note"],
            by=request.user,
            request=request,
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Review saved; the focal points see it beside the document."))
    return _back(attachment)


def _document_for_user(request, document_pk):
    """The document if the user may see its organisation's answers (focal point, or the country's coordinator)."""
    document = Document.objects.select_related("organisation__country").filter(pk=document_pk).first()
    if document is None or not (
        is_focal_point(request.user, document.organisation_id)
        or coordinates(request.user, document.organisation.country_id)
    ):
        raise Http404("No such document.")
    return document


@login_required
def document_download(request, document_pk):
    """Always an attachment with the type decided at upload and ``nosniff``: a browser never renders it."""
    document = _document_for_user(request, document_pk)
    try:
        # The storage as configured now (a FileField's storage is fixed when the model class loads).
        handle = private_storage().open(document.file.name, "rb")
    except OSError as exc:
        raise Http404("The file of this document is missing.") from exc
    audit(
        user=request.user,
        action=AuditEvent.Action.EVIDENCE_DOWNLOADED,
        country=document.organisation.country,
        detail=f"{document.organisation.name}: {document.title} (document {document.pk})",
        request=request,
    )
    response = FileResponse(
        handle, as_attachment=True, filename=document.download_name, content_type=KINDS[document.kind].content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def document_remove(request, document_pk):
    document = _document_for_user(request, document_pk)
    if not is_focal_point(request.user, document.organisation_id):
        raise PermissionDenied("Only the organisation's focal points can remove its documents.")
    try:
        services.document_remove(document=document, by=request.user, request=request)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Document removed from the library. It stays in the history of the answers."))
    # Back to the page the button was on (an evidence page), if it is one of this site's.
    back = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return redirect(back if safe else "home")
