"""The public summary: only the sections the coordinator allowed, marked as such, and nothing about any organisation.

Asserted on the text extracted from the PDF and the Word document, with the organisation names, the evidence
and a rationale that names an organisation from tests/reports/conftest.py's seeded cycle.
"""

import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse
from docx import Document

from assessments.models import AuditEvent, Cycle
from capabilities.models import Capability
from reports import services
from reports.consolidation import ALL_SECTIONS, cycle_report_data, public_view
from reports.docx import render_report_docx
from reports.models import ReportJob
from reports.pdf import render_report_pdf
from tests.reports.conftest import EVIDENCE, SEED, pdf_text

pytestmark = pytest.mark.django_db

ORGANISATIONS = tuple(SEED)
RATIONALE = "Agreed with the Ministry of Interior after the Child Rights NGO objected."


@pytest.fixture
def validated_cycle(seeded_cycle, coordinator):
    """Capability 3 validated, with a rationale that names two organisations."""
    capability = Capability.objects.get(version_id=seeded_cycle.framework_version_id, number=3)
    services.validated_level_set(
        cycle=seeded_cycle, capability=capability, level=1, rationale=RATIONALE, by=coordinator
    )
    return seeded_cycle


def docx_text(content):
    doc = Document(io.BytesIO(content))
    parts = [p.text for p in doc.paragraphs]
    parts += [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    parts += [p.text for p in doc.sections[0].header.paragraphs]
    return "\n".join(parts)


def assert_nothing_about_organisations(text):
    for name in ORGANISATIONS:
        assert name not in text
    for quote in EVIDENCE.values():
        assert quote not in text
    assert "Agreed with the" not in text
    assert "Evidence cited" not in text


def test_public_view_keeps_the_allowed_sections_and_no_organisation_level_content(validated_cycle):
    full = cycle_report_data(validated_cycle)

    public = public_view(full, ["priorities", "profile"])

    assert public["public_sections"] == ["profile", "priorities"]  # in the report's order
    assert public["meta"]["audience"] == "public"
    assert public["organisations"] == [] and public["sections"] == []
    frozen = json.dumps(public, ensure_ascii=False)
    assert_nothing_about_organisations(frozen)
    # The full data is left as it was.
    assert full["organisations"] and "public_sections" not in full


def test_public_view_refuses_an_unknown_section(seeded_cycle):
    with pytest.raises(ValueError, match="unknown public sections"):
        public_view(cycle_report_data(seeded_cycle), ["profile", "organisations"])


@pytest.mark.parametrize("render", ["pdf", "docx"])
def test_the_public_document_is_marked_and_names_no_organisation(validated_cycle, render):
    data = public_view(cycle_report_data(validated_cycle), list(ALL_SECTIONS))

    text = pdf_text(render_report_pdf(data)[0]) if render == "pdf" else docx_text(render_report_docx(data))

    assert "Public summary" in text and "PUBLIC SUMMARY" in text  # on the cover and in the header
    assert "CONFIDENTIAL" not in text
    assert "Legislation" in text and "Response rate by sector" in text and "Annex: methodology" in text
    assert_nothing_about_organisations(text)


def test_the_public_word_header_carries_the_marking(seeded_cycle):
    data = public_view(cycle_report_data(seeded_cycle), ["profile"])

    doc = Document(io.BytesIO(render_report_docx(data)))

    assert doc.sections[0].header.paragraphs[0].text == "PUBLIC SUMMARY"
    assert "Public summary" in [p.text for p in doc.paragraphs[:8]]


@pytest.mark.parametrize("render", ["pdf", "docx"])
def test_the_public_document_has_only_the_chosen_sections(seeded_cycle, render):
    data = public_view(cycle_report_data(seeded_cycle), ["profile", "priorities"])

    text = pdf_text(render_report_pdf(data)[0]) if render == "pdf" else docx_text(render_report_docx(data))

    assert "Profile by domain" in text and "Top priorities" in text
    for left_out in ("Annex: methodology", "Maturity scale", "Enablers", "Capability 3: Legislation", "Response rate"):
        assert left_out not in text


def test_the_coordinator_generates_a_public_word_summary_from_the_page(
    client, coordinator, validated_cycle, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    page = client.get(reverse("reports:report_page", args=[validated_cycle.pk])).content.decode()
    assert 'name="variant" value="public"' in page and 'name="sections" value="profile"' in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("reports:report_generate", args=[validated_cycle.pk]),
            {"format": "docx", "variant": "public", "sections": ["capabilities", "profile", "enablers"]},
        )

    job = ReportJob.objects.get()
    assert (job.status, job.format, job.variant) == ("done", "docx", "public")
    assert job.data["public_sections"] == ["profile", "capabilities", "enablers"]
    requested = AuditEvent.objects.get(action=AuditEvent.Action.REPORT_REQUESTED)
    assert requested.detail == f"job {job.pk} (docx, public)"
    assert_nothing_about_organisations(json.dumps(job.data, ensure_ascii=False))  # not even frozen in the job
    text = docx_text((Path(settings.MEDIA_ROOT) / job.file).read_bytes())
    assert_nothing_about_organisations(text)
    assert "PUBLIC SUMMARY" in text
    page = client.get(reverse("reports:report_page", args=[validated_cycle.pk])).content.decode()
    assert "Download public summary (Word)" in page
    # The last public summary's sections are offered ticked again.
    assert 'value="enablers" id="section-enablers" checked' in page
    assert 'value="method" id="section-method" checked' not in page
    download = client.get(reverse("reports:report_download", args=[job.pk]))
    assert "MNR-public-summary-AA-National-assessment-2026-en-" in download["Content-Disposition"]


def test_a_public_pdf_summary_goes_through_the_same_job(
    client, coordinator, seeded_cycle, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("reports:report_generate", args=[seeded_cycle.pk]),
            {"format": "pdf", "variant": "public", "sections": ["priorities"]},
        )

    job = ReportJob.objects.get()
    assert (job.status, job.format, job.variant, job.file[-4:]) == ("done", "pdf", "public", ".pdf")
    text = pdf_text((Path(settings.MEDIA_ROOT) / job.file).read_bytes())
    assert "PUBLIC SUMMARY" in text and "Top priorities" in text
    assert_nothing_about_organisations(text)
    page = client.get(reverse("reports:report_page", args=[seeded_cycle.pk])).content.decode()
    assert "Download public summary (PDF)" in page


def test_a_public_summary_without_any_section_is_refused_and_creates_no_job(client, coordinator, seeded_cycle):
    client.force_login(coordinator)

    response = client.post(
        reverse("reports:report_generate", args=[seeded_cycle.pk]), {"format": "docx", "variant": "public"}
    )

    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Choose at least one section that the public summary may show."
    ]
    assert not ReportJob.objects.exists()


def test_unknown_sections_are_ignored_and_a_bad_variant_refused(client, coordinator, seeded_cycle):
    client.force_login(coordinator)
    url = reverse("reports:report_generate", args=[seeded_cycle.pk])

    client.post(url, {"variant": "leaked"})
    assert not ReportJob.objects.exists()
    with pytest.raises(ValueError):
        public_view(cycle_report_data(seeded_cycle), ["organisations"])


def test_a_closed_cycle_still_gets_its_public_summary(
    client, coordinator, seeded_cycle, django_capture_on_commit_callbacks
):
    """As for the PDF: a report of a closed cycle renders its frozen figures, a read (test_closed_cycle)."""
    Cycle.objects.filter(pk=seeded_cycle.pk).update(status=Cycle.Status.CLOSED)
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("reports:report_generate", args=[seeded_cycle.pk]), {"variant": "public", "sections": ["profile"]}
        )

    assert ReportJob.objects.get().status == ReportJob.Status.DONE


@pytest.mark.parametrize("persona, status", [("observer", 403), ("focal_point", 403), ("outsider", 404)])
def test_only_the_cycles_coordinator_generates_a_public_summary(client, seeded_cycle, persona, status, request):
    client.force_login(request.getfixturevalue(persona))

    response = client.post(
        reverse("reports:report_generate", args=[seeded_cycle.pk]), {"variant": "public", "sections": ["profile"]}
    )

    assert response.status_code == status
    assert not ReportJob.objects.exists()


def test_a_public_summary_leaves_out_the_national_data_chapter_and_its_rationales(validated_cycle):
    from reports.consolidation import frozen_report_data

    full = frozen_report_data(validated_cycle)
    full["national_data"] = {"capabilities": [{"number": 1, "metrics": []}], "no_data": [], "diverging": []}

    public = public_view(full, ["profile", "priorities"])

    assert "national_data" not in public and "national_data" in full
