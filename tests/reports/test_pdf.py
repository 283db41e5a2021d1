"""The gap report PDF: its content, its accessibility tags, and a URL fetcher that loads nothing foreign."""

import io
import re

import pytest
from pypdf import PdfReader
from weasyprint import HTML

from reports import pdf as report_pdf
from reports.consolidation import cycle_report_data
from reports.pdf import STATIC_BASE, ReportURLFetcher, render_report_html, render_report_pdf
from tests.reports.conftest import answer_set, pdf_text

pytestmark = pytest.mark.django_db

PASSWD_IMG = '<img src="file:///etc/passwd">'
LOOPBACK_IMG = '<img src="http://127.0.0.1:9/x.png">'


@pytest.fixture
def report_data(seeded_cycle):
    return cycle_report_data(seeded_cycle)


@pytest.fixture
def rendered(report_data):
    pdf, pages = render_report_pdf(report_data)
    return pdf, pages, pdf_text(pdf)


@pytest.fixture
def fetched(monkeypatch):
    """Every URL the renderer asks the report's fetcher for, and every one it refused."""
    log = {"urls": [], "refused": []}

    class RecordingFetcher(ReportURLFetcher):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.refused = log["refused"]

        def fetch(self, url, headers=None):
            log["urls"].append(url)
            return super().fetch(url, headers)

    monkeypatch.setattr(report_pdf, "ReportURLFetcher", RecordingFetcher)
    return log


# Content ----------------------------------------------------------------------------------------------


def test_report_names_the_country_cycle_and_framework_and_is_marked_confidential(rendered):
    pdf, pages, text = rendered

    assert pdf.startswith(b"%PDF-")
    assert "Arcadia" in text
    assert "National assessment 2026" in text
    assert "TINY-1 — Tiny test framework" in text
    assert "CONFIDENTIAL — for the national oversight committee" in text
    # The running header repeats the marking on every page after the cover.
    assert text.count("CONFIDENTIAL") >= pages


def test_report_puts_the_largest_weighted_gap_first_among_the_top_priorities(rendered):
    _pdf, _pages, text = rendered

    priorities = text.split("Top priorities", 1)[1].split("Strengths", 1)[0]
    rows = priorities.split("Priority score", 1)[1]
    # Row 1: capability 3, contested, national level 1.0, target 3, gap 2.0, score 3.00.
    assert rows.strip().startswith("1 3. Legislation contested 1.0 3 2.0 3.00")
    assert rows.index("3. Legislation") < rows.index("4. Dedicated law enforcement") < rows.index("1. Leadership")


def test_report_has_more_than_five_pages_and_says_how_many(rendered):
    pdf, pages, text = rendered

    assert pages > 5
    assert len(PdfReader(io.BytesIO(pdf)).pages) == pages
    assert f"{pages} / {pages}" in text


def test_report_metadata_title_names_country_and_cycle(rendered):
    pdf, _pages, _text = rendered

    metadata = PdfReader(io.BytesIO(pdf)).metadata
    assert metadata.title == "National gap report — Arcadia — National assessment 2026"
    assert metadata.author == "MNR Portal"


def test_report_is_a_tagged_pdf_with_its_language_set(rendered):
    pdf, _pages, _text = rendered

    catalog = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    marked = catalog.get("/MarkInfo", {}).get("/Marked") is True
    assert marked or "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "en"


def test_rendering_the_same_frozen_data_twice_gives_the_same_text(report_data, rendered):
    _pdf, pages, text = rendered

    again, again_pages = render_report_pdf(report_data)

    assert again_pages == pages
    assert pdf_text(again) == text


def test_render_reports_progress_as_it_goes(report_data):
    seen = []

    render_report_pdf(report_data, on_progress=seen.append)

    assert seen == [30, 80]


def test_report_filename_is_safe_and_names_country_and_cycle(report_data):
    assert report_pdf.report_filename(report_data) == "MNR-gap-report-AA-National-assessment-2026.pdf"


# Evidence never reaches the network or the file system ---------------------------------------------------


def test_markup_in_evidence_is_printed_as_text_and_nothing_is_fetched(seeded_cycle, police, ngo, fetched):
    answer_set(seeded_cycle, police, "C03.1", "1", evidence=PASSWD_IMG)
    answer_set(seeded_cycle, ngo, "C03.1", "0", evidence=LOOPBACK_IMG)
    data = cycle_report_data(seeded_cycle)

    html = render_report_html(data)
    pdf, _pages = render_report_pdf(data)

    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in html
    assert PASSWD_IMG not in html and LOOPBACK_IMG not in html
    text = pdf_text(pdf)
    assert PASSWD_IMG in text
    assert LOOPBACK_IMG in text
    assert fetched["urls"], "the stylesheet at least goes through the fetcher"
    assert all(url.startswith((STATIC_BASE, "data:")) for url in fetched["urls"])
    assert fetched["refused"] == []


def test_the_report_stylesheet_is_loaded_through_the_fetcher(report_data, fetched):
    render_report_pdf(report_data)

    assert STATIC_BASE + "reports/gap_report.css" in fetched["urls"]


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:9/",
        "http://127.0.0.1:9/x.png",
        "https://example.org/logo.png",
        "ftp://127.0.0.1/x",
        STATIC_BASE + "../../mnr_portal/settings.py",
        STATIC_BASE + "reports/../../mnr_portal/settings.py",
        STATIC_BASE + "/etc/passwd",
        STATIC_BASE + "reports/no-such-file.css",
    ],
)
def test_fetcher_refuses_anything_but_static_files_and_data_urls(url):
    fetcher = ReportURLFetcher()

    with pytest.raises(ValueError, match="Refused to fetch"):
        fetcher.fetch(url)

    assert fetcher.refused == [url]


def test_fetcher_serves_the_apps_own_static_files():
    response = ReportURLFetcher().fetch(STATIC_BASE + "reports/gap_report.css?v=1")

    assert response.read().startswith(b"/* Print stylesheet of the national gap report")
    assert response.content_type == "text/css"


def test_fetcher_serves_data_urls():
    response = ReportURLFetcher().fetch("data:text/plain;base64,aGVsbG8=")

    assert response.read() == b"hello"


def test_weasyprint_records_the_refusal_of_a_local_file_in_a_template():
    fetcher = ReportURLFetcher()
    html = '<html lang="en"><body><p>Logo</p><img src="file:///etc/hosts" alt="logo"></body></html>'

    pdf = HTML(string=html, base_url=STATIC_BASE, url_fetcher=fetcher).write_pdf()

    assert pdf.startswith(b"%PDF-")
    assert fetcher.refused == ["file:///etc/hosts"]
    assert "localhost" not in pdf_text(pdf)


# The report never contradicts itself -------------------------------------------------------------------


def test_a_validated_contested_capability_is_resolved_with_its_rationale_not_contested_and_a_strength(
    seeded_cycle, coordinator
):
    from capabilities.models import Capability
    from reports.services import validated_level_set

    validated_level_set(
        cycle=seeded_cycle,
        capability=Capability.objects.get(version=seeded_cycle.framework_version, number=3),
        level=3,
        rationale="The 2025 amendment criminalised grooming.",
        by=coordinator,
    )
    text = pdf_text(render_report_pdf(cycle_report_data(seeded_cycle))[0])

    summary = text.split("Executive summary", 2)[2].split("National profile", 1)[0]
    strengths = summary.split("Strengths", 1)[1].split("Contested areas", 1)[0]
    contested = summary.split("Contested areas", 1)[1].split("Resolved by a validated level", 1)[0]
    resolved = summary.split("Resolved by a validated level", 1)[1]
    assert "3. Legislation (3.0, validated; meets target)" in strengths
    assert "No capability remains contested." in contested and "Legislation" not in contested
    assert "3. Legislation: organisation scores 0.0–2.0, validated at 3 (computed median 1.0)." in resolved
    assert "The 2025 amendment criminalised grooming." in resolved
    chapter = text.split("Capability 3: Legislation", 1)[1].split("Capability 4:", 1)[0]
    assert "resolved" in chapter.split("National level", 1)[0]
    assert "contested" not in chapter.split("National level", 1)[0]


def test_printed_level_target_and_gap_agree_and_a_level_above_target_says_meets_target(seeded_cycle):
    from reports.models import ValidatedLevel  # noqa: F401 - the cycle's targets are lowered instead

    seeded_cycle.targets.update(target_level=1)
    text = pdf_text(render_report_pdf(cycle_report_data(seeded_cycle))[0])

    # Capability 4: median 1.25, printed 1.3 with target 1: "meets target, +0.3", never a negative gap.
    chapter = text.split("Capability 4: Dedicated law enforcement", 1)[1]
    assert "National level 1.3 Target 1 Gap meets target, +0.3" in chapter.replace("\u2066", "").replace("\u2069", "")
    assert "-0.3" not in text and "\u22120.3" not in text and "-0.0" not in text


def test_the_report_charts_have_a_legend_and_leave_out_sectors_without_answers(seeded_cycle, ngo):
    from assessments.models import Submission
    from tests.reports.conftest import submission_status_set

    submission_status_set(seeded_cycle, ngo, Submission.Status.DRAFT)
    text = pdf_text(render_report_pdf(cycle_report_data(seeded_cycle))[0])

    profile = text.split("National profile", 2)[2].split("A. Policy and governance Leaders commit", 1)[0]
    assert "0 Not in place 1 Building 2 Developing 3 Established 4 Maturity no level target" in profile
    assert "Sectors without a column (no included answer of theirs gives a level): NGO / civil society." in profile


def test_no_report_text_is_smaller_than_8pt():
    from django.contrib.staticfiles import finders

    for name in ("reports/gap_report.css", "reports/charts.css"):
        css = open(finders.find(name)).read()
        sizes = [float(s) for s in re.findall(r"font-size:\s*([\d.]+)pt", css)]
        assert sizes and min(sizes) >= 8, (name, sizes)
        assert not re.findall(r"font-size:\s*[\d.]+(px|em|rem|%)", css), name


def test_the_cycle_collector_is_paused_only_for_the_render_and_comes_back_after_a_failure():
    import gc

    from reports.pdf import cycle_collector_paused

    assert gc.isenabled()
    with cycle_collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), cycle_collector_paused():
        raise RuntimeError("the render failed")
    assert gc.isenabled()
    gc.disable()  # a caller that had it off keeps it off
    try:
        with cycle_collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
