"""Demoland's evidence for ``make run`` (called by assessments' seed_demo through EvidenceConfig). Safe to run twice.

The police unit (its questionnaire in progress) has a law, a figures table and a link on its first
answers; the welfare ministry (returned) has a procedure the coordinator found insufficient.
"""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from . import services
from .models import Attachment, Document


def demo_pdf(title, lines):
    """A small, valid one-page PDF with ``title`` and ``lines`` of text (Helvetica, WinAnsi)."""

    def escape(text):
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    text = [f"BT /F1 16 Tf 72 760 Td ({escape(title)}) Tj ET"]
    text += [f"BT /F1 11 Tf 72 {730 - 16 * i} Td ({escape(line)}) Tj ET" for i, line in enumerate(lines)]
    stream = "\n".join(text).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def demo_docx(paragraphs):
    """A minimal Word document (OOXML) with ``paragraphs``."""
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/'
        'document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        "</Types>",
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        "word/document.xml": '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats'
        f'.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>',
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _open_answers(country, slug_org):
    submission = (
        slug_org.submissions.filter(cycle__country=country, cycle__status="open")
        .select_related("cycle__country")
        .first()
    )
    if submission is None:
        return None, []
    return submission, list(submission.answers.select_related("indicator", "submission__cycle").order_by("pk")[:3])


def seed_demo_evidence(*, country, coordinator, orgs):
    police, welfare = orgs.get("police"), orgs.get("welfare")
    if police is None or Document.objects.filter(organisation__country=country).exists():
        return
    submission, answers = _open_answers(country, police)
    officer = police.roles.first().user if police.roles.exists() else None
    if submission is not None and answers and officer is not None and submission.is_editable_status:
        act = demo_pdf(
            "Demoland Child Protection (Online Harms) Act 2021",
            [
                "Article 4. The National Unit for Crimes against Children is established within the police.",
                "Article 9. Service providers report child sexual abuse material to the national hotline.",
                "Article 12. The Unit publishes annual figures of referrals and investigations.",
            ],
        )
        first = services.document_upload(
            answer=answers[0],
            upload=SimpleUploadedFile("child-protection-act-2021.pdf", act),
            title="Child Protection (Online Harms) Act 2021",
            by=officer,
        )
        if len(answers) > 1:
            services.document_attach(answer=answers[1], document=first.document, by=officer)
            services.document_upload(
                answer=answers[1],
                upload=SimpleUploadedFile(
                    "referrals-by-year.csv",
                    b"year,referrals,investigations\n2023,118,64\n2024,132,71\n2025,171,90\n",
                ),
                title="Referrals and investigations by year (National Unit)",
                by=officer,
            )
        services.link_add(
            answer=answers[0],
            url="https://gazette.demoland.example/acts/2021/14",
            title="Official Gazette: Act 14/2021",
            by=officer,
        )
    if welfare is None:
        return
    submission, answers = _open_answers(country, welfare)
    worker = welfare.roles.first().user if welfare.roles.exists() else None
    if submission is None or not answers or worker is None or not submission.is_editable_status:
        return
    sop = services.document_upload(
        answer=answers[0],
        upload=SimpleUploadedFile(
            "referral-sop.docx",
            demo_docx(
                [
                    "Standard operating procedure: referral of children at risk online",
                    "1. The social worker records the report and informs the child's guardian.",
                ]
            ),
        ),
        title="Referral SOP (draft)",
        by=worker,
    )
    sop.answer.submission = submission
    services.attachment_review(
        attachment=Attachment.objects.select_related("answer__indicator", "answer__submission", "document").get(
            pk=sop.pk
        ),
        review=Attachment.Review.INSUFFICIENT,
        note="Only the first page of a draft. Attach the signed SOP in force.",
        by=coordinator,
    )
