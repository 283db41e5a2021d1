"""The gap report as a Word document: opened with python-docx, its headings, tables, chart, language and direction.

The seeded cycle is tests/reports/conftest.py's: three organisations of Arcadia, capability 3 contested.
"""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn
from PIL import Image

from reports import services
from reports.consolidation import cycle_report_data
from reports.docx import domain_profile_png, render_report_docx
from reports.models import ReportJob

pytestmark = pytest.mark.django_db

ORGANISATIONS = ("Ministry of Interior", "National Police", "Child Rights NGO")


def open_docx(content):
    return Document(io.BytesIO(content))


def headings(doc):
    return [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]


def all_text(doc):
    parts = [p.text for p in doc.paragraphs]
    parts += [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    parts += [p.text for section in doc.sections for p in section.header.paragraphs]
    return "\n".join(parts)


def test_the_word_report_has_the_reports_headings_tables_chart_and_methodology_annex(seeded_cycle):
    doc = open_docx(render_report_docx(cycle_report_data(seeded_cycle)))

    titles = headings(doc)
    for expected in (
        "Executive summary",
        "Profile by domain",
        "Top priorities",
        "National profile",
        "Capability heat map by sector",
        "Enablers",
        "Data gaps",
        "Participating organisations",
        "Annex: methodology",
        "Maturity scale",
    ):
        assert expected in titles
    assert any(t.startswith("Capability 3: Legislation") and "contested" in t for t in titles)
    # The priorities table ranks 3, 4, 1 (conftest's hand computation).
    priorities = next(t for t in doc.tables if t.rows[0].cells[0].text == "#")
    assert [row.cells[1].text.split(".")[0] for row in priorities.rows[1:]] == ["3", "4", "1"]
    assert priorities.rows[1].cells[4].text == "2.0"
    # The coordinator's report lists the organisations and quotes the evidence.
    text = all_text(doc)
    assert all(name in text for name in ORGANISATIONS)
    assert "Penal code art. 201 covers grooming since 2021." in text
    # One picture, the domain profile, described for screen readers.
    assert len(doc.inline_shapes) == 1
    described = doc.inline_shapes[0]._inline.find(qn("wp:docPr")).get("descr")
    assert described == "National level of each capability, by domain"
    # Marked confidential in the header; the document says its language.
    assert doc.sections[0].header.paragraphs[0].text == "CONFIDENTIAL"
    assert doc.core_properties.language == "en-GB"
    assert "A capability is contested when organisations' scores differ by 2 levels or more." in text


def test_the_heat_map_cells_are_shaded_with_the_level_colours(seeded_cycle):
    doc = open_docx(render_report_docx(cycle_report_data(seeded_cycle)))

    shades = {shd.get(qn("w:fill")) for shd in doc.element.body.iter(qn("w:shd"))}
    assert {"F4B6B6", "F7E59B"} <= shades  # level 0 and level 2 fills (reports/charts.py)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_heat_map_has_fixed_columns_in_small_type_for_latin_and_arabic_script(seeded_cycle, language):
    """Eleven sector columns shared out by content broke "Capability" and sector names inside words; the heat
    map's columns are fixed (the capability's a wider one) and its type is 7 pt, for Arabic (w:szCs) too."""
    doc = open_docx(render_report_docx(cycle_report_data(seeded_cycle, language=language)))
    (heat_map,) = [
        t
        for t in doc.tables
        if any(c._tc.find(".//" + qn("w:shd")) is not None for c in t.rows[1].cells) and len(t.columns) > 3
    ]

    section = doc.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21, 29.7)  # A4, as the PDF
    widths = [column.width for column in heat_map.columns]
    assert widths[0] > widths[1] and len(set(widths[1:])) == 1
    assert sum(widths) <= 17 * 360000  # EMU in a cm: within the text width
    assert all(cell.width == widths[i] for row in heat_map.rows for i, cell in enumerate(row.cells))
    runs = [run for run in heat_map._tbl.iter(qn("w:r")) if run.xpath("string(.)")]
    assert len(runs) >= len(heat_map.columns) * len(heat_map.rows)
    for run in runs:
        props = run.find(qn("w:rPr"))
        assert (props.find(qn("w:sz")).get(qn("w:val")), props.find(qn("w:szCs")).get(qn("w:val"))) == ("14", "14")


def test_an_arabic_word_report_is_right_to_left_and_in_arabic_down_to_every_run(seeded_cycle):
    doc = open_docx(render_report_docx(cycle_report_data(seeded_cycle, language="ar")))

    assert "الملخص التنفيذي" in headings(doc)
    body = doc.element.body
    paragraphs = [p for p in body.iter(qn("w:p")) if p.findall(qn("w:r"))]
    assert paragraphs
    for p in paragraphs:
        assert p.find(qn("w:pPr")).find(qn("w:bidi")) is not None, p.xpath("string(.)")
    runs = list(body.iter(qn("w:r")))
    for run in runs:
        props = run.find(qn("w:rPr"))
        if run.find(qn("w:t")) is None:
            continue  # a picture's run
        assert props.find(qn("w:rtl")) is not None
        lang = props.find(qn("w:lang"))
        assert (lang.get(qn("w:val")), lang.get(qn("w:bidi"))) == ("ar-SA", "ar-SA")
    tables = list(body.iter(qn("w:tbl")))
    assert tables and all(t.find(qn("w:tblPr")).find(qn("w:bidiVisual")) is not None for t in tables)
    assert body.find(qn("w:sectPr")).find(qn("w:bidi")) is not None
    # The defaults too: text typed into the document later is Arabic, right to left.
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    assert defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:lang")).get(qn("w:val")) == "ar-SA"
    assert defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:bidi")) is not None
    header = doc.sections[0].header.paragraphs[0]
    assert header.text == "سري" and header._p.find(qn("w:pPr")).find(qn("w:bidi")) is not None
    assert doc.core_properties.language == "ar-SA"


def test_a_french_word_report_is_left_to_right_in_french(seeded_cycle):
    doc = open_docx(render_report_docx(cycle_report_data(seeded_cycle, language="fr")))

    assert "Synthèse" in headings(doc)
    body = doc.element.body
    assert not list(body.iter(qn("w:bidi"))) and not list(body.iter(qn("w:rtl")))
    langs = {lang.get(qn("w:val")) for lang in body.iter(qn("w:lang"))}
    assert langs == {"fr-FR"}


def test_the_chart_picture_is_a_png_whose_bars_grow_from_the_right_in_arabic(seeded_cycle):
    data = cycle_report_data(seeded_cycle)

    ltr = Image.open(io.BytesIO(domain_profile_png(data)))
    rtl = Image.open(io.BytesIO(domain_profile_png(data, rtl=True)))

    assert ltr.format == "PNG" and ltr.size == rtl.size
    assert ltr.tobytes() != rtl.tobytes()
    # Capability 1 at level 1.5: its bar's fill lies in the left half in English, the right half in Arabic.
    # It is the only capability painted in level 2's colour (1.5 rounds to 2; the others are at 1.0 and 1.3).
    fill = (0xF7, 0xE5, 0x9B)
    width, height = ltr.size
    left = [x for x in range(0, width, 2) for y in range(0, height, 4) if ltr.getpixel((x, y)) == fill]
    right = [x for x in range(0, width, 2) for y in range(0, height, 4) if rtl.getpixel((x, y)) == fill]
    assert left and right
    assert max(left) < width / 2 < min(right)


def test_generating_a_word_report_runs_the_same_job_and_the_page_offers_its_download(
    client, coordinator, seeded_cycle, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:report_generate", args=[seeded_cycle.pk]), {"format": "docx", "language": "fr"}
        )

    assert response.status_code == 302
    job = ReportJob.objects.get()
    assert (job.status, job.format, job.variant, job.language) == ("done", "docx", "full", "fr")
    assert job.file.endswith(f"report-{job.pk}-1.docx") and job.pages is None  # a name per attempt
    path = Path(settings.MEDIA_ROOT) / job.file
    assert job.file_size == path.stat().st_size
    page = client.get(reverse("reports:report_page", args=[seeded_cycle.pk])).content.decode()
    assert "Download Word" in page and reverse("reports:report_download", args=[job.pk]) in page
    download = client.get(reverse("reports:report_download", args=[job.pk]))
    assert download["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert download["Content-Disposition"].endswith('.docx"')
    assert "MNR-gap-report-AA-National-assessment-2026-fr-" in download["Content-Disposition"]
    doc = open_docx(b"".join(download.streaming_content))
    assert "Synthèse" in headings(doc)


def test_a_word_job_rendered_twice_gives_the_same_document_text(seeded_cycle, coordinator):
    job, _created = services.report_job_request(cycle=seeded_cycle, by=coordinator, format="docx")
    assert services.report_job_run(job_id=job.pk, task_id=job.task_id) == ReportJob.Status.DONE
    job.refresh_from_db()

    first = all_text(open_docx((Path(settings.MEDIA_ROOT) / job.file).read_bytes()))
    again, pages = services.render_job(job)

    assert pages is None and all_text(open_docx(again)) == first


def test_an_unknown_format_is_refused_with_a_clear_message_and_no_job(client, coordinator, seeded_cycle):
    client.force_login(coordinator)

    response = client.post(reverse("reports:report_generate", args=[seeded_cycle.pk]), {"format": "odt"}, follow=True)

    assert "Choose PDF or Word as the report&#x27;s format." in response.content.decode()
    assert not ReportJob.objects.exists()


def test_render_report_command_writes_a_word_file(tmp_path, seeded_cycle, capsys):
    output = tmp_path / "report.docx"

    call_command("render_report", seeded_cycle.pk, "-o", str(output))

    assert "Executive summary" in headings(open_docx(output.read_bytes()))
    assert f"Wrote {output}: " in capsys.readouterr().out


def test_the_word_report_carries_the_national_data_the_evidence_and_the_good_practice_chapters(seeded_cycle):
    """The chapters the PDF has beside the levels: national figures (reports), the evidence list (evidence) and
    the library links (network), the last two written by their own apps through ``report_section_docx``."""
    from evidence.report import TEMPLATE as EVIDENCE
    from network.report import TEMPLATE as LIBRARY

    data = cycle_report_data(seeded_cycle)
    data["national_data"] = {
        "capabilities": [
            {
                "number": 4,
                "title": "Dedicated law enforcement",
                "level": 2.3,
                "no_data": False,
                "diverges": True,
                "metrics": [
                    {
                        "code": "M04.1",
                        "name": "Investigations opened",
                        "unit_label": "Count",
                        "higher_is_better": True,
                        "points": [
                            {"year": 2024, "this_cycle": True, "rationale": "Police statistics."},
                            {"year": 2025, "this_cycle": True, "rationale": ""},
                        ],
                        "shown": ["355", "not collected"],
                    }
                ],
            }
        ],
        "no_data": [],
        "diverging": [4],
    }
    row = {
        "indicator": "C04.1",
        "organisation": "National Police",
        "title": "Unit decree",
        "type": "PDF",
        "url": "",
        "supplied_by": "Sam Okafor",
        "review": "Accepted",
        "review_note": "",
    }
    entry = {"title": "A specialist unit in two years", "url": "https://portal.example/network/library/3/"}
    data["sections"] = [
        {
            "template": EVIDENCE,
            "data": {"capabilities": [{"number": 4, "title": "Dedicated law enforcement", "rows": [row]}]},
        },
        {
            "template": LIBRARY,
            "data": {"library": [{"number": 4, "title": "Dedicated law enforcement", "entries": [entry]}]},
        },
    ]
    doc = open_docx(render_report_docx(data))
    names = headings(doc)
    for heading in ("National data", "Evidence behind each capability", "Good practice for the next steps"):
        assert heading in names, names
    text = all_text(doc)
    assert "Level and figures moved apart: 4" in text and "2024: Police statistics." in text
    cells = [cell.text for table in doc.tables for r in table.rows for cell in r.cells]
    assert "not collected" in cells and "Unit decree" in cells and "National Police" in cells
    assert any("A specialist unit in two years" in c for c in cells)
