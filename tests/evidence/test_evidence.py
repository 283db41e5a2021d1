"""Evidence documents and links on answers: upload, refusals, caps, the authorising download, review, removal."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments import services
from assessments.models import AuditEvent
from evidence import services as evidence_services
from evidence.models import Attachment, Document
from tests.evidence import files
from tests.factories import FocalPointRoleFactory, OrganisationFactory, SectorFactory, UserFactory

pytestmark = pytest.mark.django_db


def upload_url(answer):
    return reverse("evidence:document_upload", args=[answer.submission_id, answer.pk])


def page_url(answer):
    return reverse("evidence:answer_evidence", args=[answer.submission_id, answer.pk])


def stored_files():
    root = Path(settings.MEDIA_ROOT) / "evidence"
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def attach(answer, by, data=files.PDF, name="act.pdf", title="Child Protection Act"):
    return evidence_services.document_upload(answer=answer, upload=SimpleUploadedFile(name, data), title=title, by=by)


def test_the_upload_page_states_the_rule_before_any_file_is_chosen(client, focal_point, answer):
    client.force_login(focal_point)

    body = client.get(page_url(answer)).content.decode()

    rule = body.index('id="evidence-rule"')
    assert rule < body.index('type="file"')
    assert "Never images, video or archives" in body
    assert "Material depicting children must never be uploaded to an assessment tool" in body
    assert "PDF, DOCX, XLSX, ODT, ODS, TXT, CSV" in body and "20 MB" in body


def test_a_focal_point_uploads_a_document_that_is_attached_and_audited(client, focal_point, answer):
    client.force_login(focal_point)

    response = client.post(upload_url(answer), {"file": SimpleUploadedFile("act.pdf", files.PDF), "title": "Act 2021"})

    assert response.status_code == 302
    document = Document.objects.get()
    assert (document.title, document.kind, document.size, document.organisation_id) == (
        "Act 2021",
        "pdf",
        len(files.PDF),
        answer.submission.organisation_id,
    )
    assert Attachment.objects.get().document == document
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EVIDENCE_UPLOADED).count() == 1
    assert len(stored_files()) == 1


def test_a_jpeg_renamed_pdf_is_refused_with_the_reason_and_nothing_is_stored(client, focal_point, answer):
    client.force_login(focal_point)

    response = client.post(
        upload_url(answer),
        {"file": SimpleUploadedFile("annual-report.pdf", files.JPEG, content_type="application/pdf"), "title": "x"},
    )

    assert response.status_code == 422
    body = response.content.decode()
    assert "This file is an image." in body and "must never be uploaded" in body
    assert not Document.objects.exists() and not Attachment.objects.exists()
    assert stored_files() == []


def test_a_file_above_the_size_cap_is_refused(client, focal_point, answer, settings):
    settings.EVIDENCE_MAX_UPLOAD_BYTES = 1024
    client.force_login(focal_point)

    response = client.post(upload_url(answer), {"file": SimpleUploadedFile("big.pdf", files.PDF + b" " * 2000)})

    assert response.status_code == 422
    assert "the largest accepted is 1 KB" in response.content.decode()
    assert not Document.objects.exists() and stored_files() == []


def test_an_answer_holds_at_most_the_configured_number_of_documents_and_links(client, focal_point, answer, settings):
    settings.EVIDENCE_MAX_PER_ANSWER = 2
    attach(answer, focal_point)
    evidence_services.link_add(answer=answer, url="https://laws.example.org/act", title="Act", by=focal_point)
    client.force_login(focal_point)

    response = client.post(upload_url(answer), {"file": SimpleUploadedFile("third.pdf", files.PDF)})

    assert response.status_code == 422
    assert "at most 2 documents and links" in response.content.decode()
    assert Document.objects.count() == 1 and len(stored_files()) == 1


def test_the_download_is_an_audited_attachment_with_nosniff(client, coordinator, focal_point, answer):
    document = attach(answer, focal_point).document
    client.force_login(coordinator)

    response = client.get(reverse("evidence:document_download", args=[document.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == files.PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    event = AuditEvent.objects.get(action=AuditEvent.Action.EVIDENCE_DOWNLOADED)
    assert event.user == coordinator and "Child Protection Act" in event.detail


def test_another_organisations_focal_point_gets_404_for_the_document(client, focal_point, answer, country_a):
    document = attach(answer, focal_point).document
    police = OrganisationFactory(country=country_a, name="National Police", sector=SectorFactory(code="ngo"))
    officer = UserFactory(username="pol")
    FocalPointRoleFactory(user=officer, organisation=police)
    client.force_login(officer)

    assert client.get(reverse("evidence:document_download", args=[document.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EVIDENCE_DOWNLOADED).exists()


def test_a_library_document_is_attached_to_a_second_answer(client, focal_point, answer, submission):
    document = attach(answer, focal_point).document
    other = submission.answers.get(indicator__code="C01.2")
    client.force_login(focal_point)

    response = client.post(
        reverse("evidence:document_attach", args=[submission.pk, other.pk]), {"document": document.pk}
    )

    assert response.status_code == 302
    assert set(document.attachments.values_list("answer__indicator__code", flat=True)) == {"C01.1", "C01.2"}


def test_a_document_of_a_submitted_answer_cannot_be_deleted_only_superseded(client, focal_point, answer, submission):
    document = attach(answer, focal_point).document
    services.submission_submit(submission=submission, by=focal_point, confirm_unanswered=True)
    client.force_login(focal_point)

    response = client.post(reverse("evidence:document_remove", args=[document.pk]), follow=True)

    assert "cannot be deleted" in response.content.decode()
    document.refresh_from_db()
    assert document.removed_at is None


def test_a_new_version_supersedes_the_old_which_stays_on_the_submitted_answer(focal_point, coordinator, submission):
    first, second = submission.answers.select_related("indicator").order_by("pk")[:2]
    old = attach(first, focal_point).document
    attach(second, focal_point, data=files.docx(), name="sop.docx", title="SOP")
    services.submission_submit(submission=submission, by=focal_point, confirm_unanswered=True)
    services.submission_return(submission=submission, by=coordinator, reason="Newer act?")

    new = evidence_services.document_upload(
        answer=first,
        upload=SimpleUploadedFile("act-2025.pdf", files.PDF),
        title="Act 2025",
        by=focal_point,
        replaces=old,
    ).document

    old.refresh_from_db()
    assert old.superseded_by == new
    assert list(Document.objects.current().values_list("title", flat=True)) == ["Act 2025", "SOP"]
    # The old version left this answer and stays in its history.
    assert Attachment.objects.get(document=old).removed_at is not None


def test_removing_evidence_keeps_it_in_the_answers_history(client, focal_point, answer):
    attachment = attach(answer, focal_point)
    client.force_login(focal_point)

    client.post(reverse("evidence:attachment_remove", args=[answer.submission_id, attachment.pk]))

    attachment.refresh_from_db()
    assert attachment.removed_at is not None and attachment.removed_by == focal_point
    body = client.get(page_url(answer)).content.decode()
    assert 'id="evidence-removed"' in body and "Child Protection Act" in body


def test_the_coordinators_review_is_shown_to_the_focal_point(client, coordinator, focal_point, answer):
    attachment = attach(answer, focal_point)
    client.force_login(coordinator)

    client.post(
        reverse("evidence:attachment_review", args=[answer.submission_id, attachment.pk]),
        {"review": "insufficient", "note": "Only the title page."},
    )
    client.force_login(focal_point)

    for url in (page_url(answer), reverse("assessments:questionnaire_capability", args=[answer.submission_id, 1])):
        body = client.get(url).content.decode()
        assert "Insufficient" in body and "Only the title page." in body


def test_insufficient_needs_a_note(coordinator, focal_point, answer):
    attachment = attach(answer, focal_point)
    attachment.answer.submission = answer.submission

    with pytest.raises(Exception, match="Say what is missing"):
        evidence_services.attachment_review(attachment=attachment, review="insufficient", note=" ", by=coordinator)


def test_the_capability_page_lists_the_answers_documents_and_links(client, focal_point, answer):
    attach(answer, focal_point)
    evidence_services.link_add(
        answer=answer, url="https://laws.example.org/act", title="Official gazette", by=focal_point
    )
    client.force_login(focal_point)

    body = client.get(reverse("assessments:questionnaire_capability", args=[answer.submission_id, 1])).content.decode()

    assert "Child Protection Act" in body and "Official gazette" in body
    assert reverse("evidence:answer_evidence", args=[answer.submission_id, answer.pk]) in body


def test_seed_demo_gives_demoland_a_few_documents_and_links_and_runs_twice(framework, settings):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    first = (Document.objects.count(), Attachment.objects.count())
    call_command("seed_demo", stdout=io.StringIO())

    assert (Document.objects.count(), Attachment.objects.count()) == first
    assert set(Document.objects.values_list("kind", flat=True)) == {"pdf", "csv", "docx"}
    assert Attachment.objects.filter(document__isnull=True).exists()  # a link
    assert Attachment.objects.filter(review="insufficient").exclude(review_note="").exists()
    assert (
        Attachment.objects.values("document").filter(document__isnull=False).distinct().count()
        < Attachment.objects.filter(document__isnull=False).count()
    )  # one document on two answers


def test_the_gap_report_lists_the_evidence_behind_each_capability_never_the_files(
    focal_point, coordinator, submission, answer
):
    from reports.consolidation import frozen_report_data
    from reports.pdf import render_report_pdf
    from tests.reports.conftest import pdf_text

    attachment = attach(answer, focal_point)
    evidence_services.link_add(
        answer=answer, url="https://laws.example.org/act", title="Official gazette", by=focal_point
    )
    services.submission_submit(submission=submission, by=focal_point, confirm_unanswered=True)
    attachment.answer.submission = submission
    evidence_services.attachment_review(attachment=attachment, review="accepted", note="", by=coordinator)

    data = frozen_report_data(submission.cycle)

    section = next(s for s in data["sections"] if s["template"] == "evidence/pdf/evidence_section.html")
    rows = section["data"]["capabilities"][0]["rows"]
    assert [(r["indicator"], r["title"], r["type"], r["supplied_by"], r["review"]) for r in rows] == [
        ("C01.1", "Child Protection Act", "PDF", "Farid Osei", "Accepted"),
        ("C01.1", "Official gazette", "Link", "Farid Osei", ""),
    ]
    text = pdf_text(render_report_pdf(data)[0])
    assert "Evidence behind each capability" in text and "Child Protection Act" in text


def test_documents_and_links_are_carried_forward_with_the_answers(focal_point, coordinator, submission, answer):
    from datetime import date, timedelta

    from tests.factories import make_cycle

    attach(answer, focal_point)
    evidence_services.link_add(
        answer=answer, url="https://laws.example.org/act", title="Official gazette", by=focal_point
    )
    services.submission_submit(submission=submission, by=focal_point, confirm_unanswered=True)
    services.submission_accept(submission=submission, by=coordinator)
    from assessments.models import Answer

    Answer.objects.filter(pk=answer.pk).update(choice="2")
    services.cycle_close(cycle=submission.cycle, by=coordinator)

    following = make_cycle(
        country=submission.cycle.country,
        framework_version=submission.cycle.framework_version,
        organisations=[submission.organisation],
        by=coordinator,
        title="Assessment 2027",
        period="2027",
        opens_on=date.today() + timedelta(days=1),
    )

    carried = Answer.objects.get(submission__cycle=following, indicator__code="C01.1")
    assert carried.carried_from_id == answer.pk
    titles = sorted(a.title for a in carried.evidence_attachments.all())
    assert titles == ["Child Protection Act", "Official gazette"]
    assert Document.objects.count() == 1  # the same library document, attached again
