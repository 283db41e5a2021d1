"""The gap report in the cycle's language: Arabic right to left with shaped text, French, fallback to English."""

import io
import re

import pytest
from pypdf import PdfReader

from assessments import services
from reports.consolidation import cycle_report_data
from reports.pdf import render_report_html, render_report_pdf
from tests.factories import OrganisationFactory, SectorFactory, make_cycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def national_cycle(framework, country_a, coordinator):
    org = OrganisationFactory(country=country_a, name="National Committee", sector=SectorFactory(code="ministry"))
    cycle = make_cycle(country=country_a, framework_version=framework, organisations=[org], by=coordinator)
    submission = cycle.submissions.get()
    for answer in submission.answers.all()[:5]:
        services.answer_save(answer=answer, choice="2", evidence="", comment="", base_version=0, by=coordinator)
    return cycle


def pdf_text(pdf):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_an_arabic_report_is_right_to_left_with_arabic_text_in_reading_order(national_cycle):
    national_cycle.report_language = "ar"
    national_cycle.save(update_fields=["report_language"])

    data = cycle_report_data(national_cycle)
    html = render_report_html(data)
    pdf, pages = render_report_pdf(data)
    text = pdf_text(pdf)

    assert data["meta"]["language"] == "ar"
    assert '<html lang="ar" dir="rtl">' in html
    # Logical (reading) order and joined letters, not reversed or isolated presentation forms.
    assert "القيادة" in text and "السياسات والحوكمة" in text
    assert "جهات إنفاذ القانون المتخصصة" in text
    assert not any("\ufe70" <= ch <= "\ufeff" for ch in text), "text extracted as presentation forms"
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.trailer["/Root"]["/Lang"] == "ar"
    assert pages > 10


def test_a_french_report_uses_the_french_framework_titles_and_falls_back_to_english(national_cycle):
    data = cycle_report_data(national_cycle, language="fr")
    text = pdf_text(render_report_pdf(data)[0])

    assert "Justice pénale" in text and "Services répressifs spécialisés" in text
    # Capability summaries have no French text yet: the English one is printed.
    assert "A trained police unit with a national remit" in text


@pytest.mark.parametrize(
    ("language", "cover", "collected"),
    [
        ("fr", "Date de gel des données", "mars 2026"),
        ("ar", "تاريخ تجميد بيانات التقرير", "مارس"),
    ],
)
def test_cover_dates_are_in_the_reports_language(national_cycle, language, cover, collected):
    from datetime import UTC, date, datetime

    national_cycle.opens_on, national_cycle.closes_on = date(2026, 3, 2), date(2026, 3, 30)
    national_cycle.save(update_fields=["opens_on", "closes_on"])
    data = cycle_report_data(national_cycle, language=language, now=datetime(2026, 3, 4, 10, 15, tzinfo=UTC))

    html = render_report_html(data)
    cover_text = re.sub(r"\s+", " ", PdfReader(io.BytesIO(render_report_pdf(data)[0])).pages[0].extract_text())

    assert cover in cover_text
    assert collected in cover_text
    # In logical order; the PDF's Arabic line was looked at as an image (text extraction reorders mixed runs).
    moment = "4 mars 2026, 10:15 UTC" if language == "fr" else "4 مارس، 2026، الساعة 10:15 بالتوقيت العالمي"
    assert f"<dd>{moment}</dd>" in html
    if language == "ar":  # no Latin "UTC" to pull the numbers around inside the right-to-left line
        assert "UTC" not in html.split('class="cover"', 1)[1].split("</section>", 1)[0]


def test_arabic_charts_use_the_arabic_decimal_comma_and_translated_sector_names(national_cycle):
    from assessments.models import Submission

    national_cycle.submissions.update(status=Submission.Status.SUBMITTED)
    data = cycle_report_data(national_cycle, language="ar")

    html = render_report_html(data)

    heat_map = html.split('class="chart heat-map"', 1)[1].split("</figure>", 1)[0]
    assert "وزارة حكومية" in heat_map  # "Government ministry"
    assert re.search(r">\d,\d</td>", heat_map)
    assert not re.search(r">\d\.\d</td>", heat_map)


def test_an_english_quote_in_an_arabic_report_is_a_left_to_right_block(national_cycle, coordinator):
    """The block takes its text's direction, so an English quote wraps and aligns as English does."""
    from assessments.models import Submission

    submission = national_cycle.submissions.get()
    answer = submission.answers.filter(indicator__capability__number=1).order_by("pk").first()
    services.answer_save(
        answer=answer,
        choice="3",
        evidence="Documented in the annual report of the National Committee, section 4.",
        comment="",
        base_version=answer.version,
        by=coordinator,
    )
    national_cycle.submissions.update(status=Submission.Status.SUBMITTED)
    html = render_report_html(cycle_report_data(national_cycle, language="ar"))
    assert '<blockquote dir="ltr"><span dir="ltr">Documented in the annual report' in html
