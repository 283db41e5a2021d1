"""The gap report's list of the evidence behind each capability: titles, types, who supplied them and
the coordinator's review, never the files' contents. Added through ``EvidenceConfig.report_sections``."""

from django.utils.translation import gettext as _

from assessments.models import Submission

from .models import Attachment

TEMPLATE = "evidence/pdf/evidence_section.html"
# The questionnaires the report counts (reports.consolidation.INCLUDED_STATUSES, read here by value:
# reports sits above this app).
COUNTED = (Submission.Status.SUBMITTED, Submission.Status.ACCEPTED)


def report_sections(*, cycle, data):
    """[] when no counted answer has evidence. One query: the attachments with their answer's indicator and
    capability, organisation, document and who attached them."""
    attachments = (
        Attachment.objects.filter(
            answer__submission__cycle=cycle, answer__submission__status__in=COUNTED, removed_at__isnull=True
        )
        .select_related("answer__indicator__capability", "answer__submission__organisation", "document", "attached_by")
        .order_by(
            "answer__indicator__capability__number",
            "answer__indicator__order",
            "answer__submission__organisation__name",
            "pk",
        )
    )
    capabilities = {}
    for a in attachments:
        capability = a.answer.indicator.capability
        entry = capabilities.setdefault(
            capability.number, {"number": capability.number, "title": data_title(data, capability), "rows": []}
        )
        entry["rows"].append(
            {
                "indicator": a.answer.indicator.code,
                "organisation": a.answer.submission.organisation.name,
                "title": a.title,
                "type": a.document.get_kind_display() if a.document_id else _("Link"),
                "url": a.url,
                "supplied_by": (a.attached_by.get_full_name() or a.attached_by.get_username()) if a.attached_by else "",
                "review": a.get_review_display() if a.review else "",
                "review_note": a.review_note,
            }
        )
    if not capabilities:
        return []
    return [{"template": TEMPLATE, "data": {"capabilities": list(capabilities.values())}}]


def data_title(data, capability):
    """The capability's title as the report already holds it (in the report's language), else the model's."""
    for item in data.get("capabilities", []):
        if isinstance(item, dict) and item.get("number") == capability.number and item.get("title"):
            return item["title"]
    return capability.title


def write_docx(document, section):
    """The chapter in the Word gap report: the rows of templates/evidence/pdf/evidence_section.html.

    ``document`` is reports.docx's ``ReportDocument`` (it writes in the report's language and direction).
    """
    document.heading(_("Evidence behind each capability"))
    document.paragraph(
        _(
            "The documents and links the organisations attached to their counted answers, with the national "
            "coordinator's review. The files themselves stay in the portal."
        )
    )
    for cap in section["capabilities"]:
        document.heading(f"{cap['number']}. {cap['title']}", 2)
        document.table(
            [_("Indicator"), _("Organisation"), _("Document or link"), _("Type"), _("Supplied by"), _("Review")],
            [
                [
                    row["indicator"],
                    row["organisation"],
                    row["title"] + (f"\n{row['url']}" if row["url"] else ""),
                    row["type"],
                    row["supplied_by"],
                    (row["review"] or "—") + (f"\n{row['review_note']}" if row["review_note"] else ""),
                ]
                for row in cap["rows"]
            ],
        )
