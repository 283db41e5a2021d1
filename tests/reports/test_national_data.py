"""National data: metrics in the framework file, figures reported per year, validated national figures,
their trends, and the gap report's national data chapter."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from assessments import figures, services
from assessments.models import AuditEvent, MetricValue
from capabilities.fileformat import FrameworkFileError, dump_framework, parse_framework, version_as_dict
from capabilities.models import Metric
from capabilities.services import framework_clone
from reports.consolidation import cycle_report_data, frozen_report_data
from reports.figures import national_data, national_figure_set, trend_chart
from reports.models import NationalFigure
from reports.pdf import render_report_pdf
from tests.conftest import TINY_FRAMEWORK_FILE
from tests.factories import make_cycle
from tests.reports.conftest import answer_set, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages and figures in English, whatever an earlier test left active."""
    with translation.override("en"):
        yield


@pytest.fixture
def budget(tiny_framework):
    return Metric.objects.get(version=tiny_framework, code="M01.1")


@pytest.fixture
def cases(tiny_framework):
    return Metric.objects.get(version=tiny_framework, code="M01.2")


def report(submission, metric, year, value=None, *, not_collected=False, by):
    figure = figures.figure_input(metric=metric, year=year, value=value, not_collected=not_collected, source="Registry")
    return figures.figures_save(submission=submission, figures=[figure], by=by)


def validate(cycle, metric, year, value, *, by, not_collected=False, rationale="Checked with the ministry."):
    return national_figure_set(
        cycle=cycle, metric=metric, year=year, value=value, not_collected=not_collected, rationale=rationale, by=by
    )


# The framework file ---------------------------------------------------------------------------------


def test_metrics_round_trip_through_the_framework_file(tiny_framework):
    parsed = parse_framework(TINY_FRAMEWORK_FILE.read_text())
    exported = version_as_dict(tiny_framework)

    assert exported == parsed
    assert exported["capabilities"][0]["metrics"][0] == {
        "code": "M01.1",
        "name": "Budget of the national body",
        "definition": "Public funds allocated to the national body in the year.",
        "unit": "currency",
        "sectors": ["ministry"],
        "higher_is_better": True,
    }
    assert parse_framework(dump_framework(exported)) == exported


def test_the_shipped_framework_has_the_mnr_metrics(framework):
    metrics = {m.code: m for m in Metric.objects.filter(version=framework).prefetch_related("sectors")}

    assert len(metrics) == 13
    assert metrics["M16.2"].unit == "hours" and not metrics["M16.2"].higher_is_better
    assert metrics["M13.1"].unit == "percentage"
    assert [s.code for s in metrics["M12.1"].sectors.all()] == ["hotline"]
    assert metrics["M12.1"].capability.number == 12


def test_a_bad_metric_is_refused_with_where_it_is():
    text = (
        TINY_FRAMEWORK_FILE.read_text()
        .replace("unit: currency", "unit: euros")
        .replace(
            "sectors: [ministry, ngo]\n    higher_is_better: true",
            "sectors: [police]\n    higher_is_better: yes please",
        )
    )
    with pytest.raises(FrameworkFileError) as raised:
        parse_framework(text)
    problems = "\n".join(raised.value.problems)
    assert "capability 1 › metric M01.1: 'unit' must be one of count, hours, percentage, currency" in problems
    assert "capability 1 › metric M01.2: unknown sector 'police'" in problems
    assert "'higher_is_better' must be true or false" in problems


def test_a_published_versions_metrics_are_frozen_and_a_clone_copies_them(tiny_framework, budget):
    budget.name = "Changed"
    with pytest.raises(IntegrityError), transaction.atomic():
        budget.save()

    clone = framework_clone(version=tiny_framework, code="TINY-2", title="Tiny, second edition")

    copied = Metric.objects.get(version=clone, code="M01.1")
    assert (copied.name, copied.unit, [s.code for s in copied.sectors.all()]) == (
        "Budget of the national body",
        "currency",
        ["ministry"],
    )
    assert copied.capability.version_id == clone.pk


# Reported figures -----------------------------------------------------------------------------------


def test_not_collected_is_stored_without_a_value_never_as_zero(submission, focal_point, budget):
    report(submission, budget, 2024, not_collected=True, by=focal_point)

    figure = MetricValue.objects.get(submission=submission, metric=budget, year=2024)
    assert (figure.not_collected, figure.value) == (True, None)
    with pytest.raises(IntegrityError), transaction.atomic():
        MetricValue.objects.filter(pk=figure.pk).update(value=0)


def test_a_figure_is_checked_against_its_unit(cases, budget):
    with pytest.raises(ValidationError, match="A count is a whole number"):
        figures.figure_input(metric=cases, year=2024, value="12.5", not_collected=False)
    with pytest.raises(ValidationError, match="never a zero"):
        figures.figure_input(metric=cases, year=2024, value="", not_collected=False)
    with pytest.raises(ValidationError, match="leave the value empty"):
        figures.figure_input(metric=cases, year=2024, value="0", not_collected=True)
    with pytest.raises(ValidationError, match="whole year from 2000"):
        figures.figure_input(metric=cases, year=1999, value="3", not_collected=False)
    assert figures.figure_input(metric=budget, year=2024, value="1 250,50", not_collected=False).value == Decimal(
        "1250.50"
    )


def test_a_focal_point_reports_a_figure_on_the_page_and_the_audit_trail_records_it(
    client, submission, focal_point, budget
):
    client.force_login(focal_point)
    url = reverse("assessments:submission_figures", args=[submission.pk])

    response = client.post(url, {"metric": budget.pk, "year": "2025", "value": "120000", "source": "Budget law"})

    assert response.status_code == 302
    figure = MetricValue.objects.get(submission=submission)
    assert (figure.year, figure.value, figure.source, figure.updated_by) == (
        2025,
        Decimal("120000"),
        "Budget law",
        focal_point,
    )
    event = AuditEvent.objects.get(action=AuditEvent.Action.FIGURE_REPORTED)
    assert "M01.1 2025 = 120000.00" in event.detail
    page = client.get(url).content.decode()
    assert "120,000" in page and "Budget law" in page


def test_figures_are_refused_once_the_questionnaire_is_submitted(submission, focal_point, budget):
    services.submission_submit(submission=submission, by=focal_point, confirm_unanswered=True)
    with pytest.raises(PermissionDenied):
        report(submission, budget, 2024, "10", by=focal_point)
    assert not MetricValue.objects.exists()


# Validated national figures -------------------------------------------------------------------------


def test_the_coordinator_validates_one_national_figure_per_metric_and_year(cycle, coordinator, budget):
    validate(cycle, budget, 2024, "100000", by=coordinator)
    validate(cycle, budget, 2024, "110000", by=coordinator, rationale="Corrected after the audit.")
    validate(cycle, budget, 2025, None, not_collected=True, by=coordinator)

    rows = list(NationalFigure.objects.order_by("year").values_list("year", "value", "not_collected", "rationale"))
    assert rows == [
        (2024, Decimal("110000.00"), False, "Corrected after the audit."),
        (2025, None, True, "Checked with the ministry."),
    ]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.FIGURE_VALIDATED).count() == 3
    with pytest.raises(ValidationError, match="rationale"):
        validate(cycle, budget, 2023, "5", by=coordinator, rationale=" ")

    validate(cycle, budget, 2024, None, by=coordinator)  # no value, not "not collected": cleared
    assert list(NationalFigure.objects.values_list("year", flat=True)) == [2025]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.FIGURE_CLEARED).count() == 1


def test_a_closed_cycle_refuses_national_figures(cycle, coordinator, budget):
    services.cycle_close(cycle=cycle, by=coordinator)
    with pytest.raises(ValidationError, match="closed"):
        validate(cycle, budget, 2024, "1", by=coordinator)
    assert not NationalFigure.objects.exists()


# Trends and the national data section ----------------------------------------------------------------


@pytest.fixture
def three_years(cycle, coordinator, budget, cases):
    validate(cycle, budget, 2023, "100000", by=coordinator)
    validate(cycle, budget, 2024, None, not_collected=True, by=coordinator)
    validate(cycle, budget, 2025, "90000", by=coordinator)
    return cycle


def test_a_trend_skips_not_collected_years_and_never_plots_them_as_zero(three_years):
    data = national_data(three_years, cycle_report_data(three_years))

    cap = data["capabilities"][0]
    budget = cap["metrics"][0]
    assert [(p["year"], p["value"], p["not_collected"]) for p in budget["points"]] == [
        (2023, "100000.00", False),
        (2024, None, True),
        (2025, "90000.00", False),
    ]
    assert budget["direction"] == -1  # 100,000 then 90,000, higher is better: worse
    assert budget["shown"] == ["100,000", "not collected", "90,000"]
    chart = str(trend_chart(budget))
    # Two dots (not three): the year not collected is a hollow mark on the axis and breaks the line.
    assert chart.count('fill="#1f4e79"') == 2
    assert "stroke-dasharray" in chart and "<polyline" not in chart
    # The other metric has no figure; the capability still has data.
    assert cap["metrics"][1]["points"] == [] and cap["no_data"] is False
    assert data["no_data"] == []


def test_a_trend_continues_across_cycles_and_the_level_and_figures_diverging_is_flagged(
    cycle, coordinator, organisation, focal_point, budget
):
    validate(cycle, budget, 2023, "100000", by=coordinator)
    services.cycle_close(cycle=cycle, by=coordinator)
    later = make_cycle(
        country=cycle.country,
        framework_version=cycle.framework_version,
        organisations=[organisation],
        by=coordinator,
        title="National assessment 2027",
        opens_on=cycle.opens_on + timedelta(days=1),  # after the first one: the first is the previous cycle
    )
    validate(later, budget, 2024, "80000", by=coordinator)
    data = cycle_report_data(later)
    data["capabilities"][0]["delta"] = 1.0  # the level of capability 1 rose since the previous cycle

    result = national_data(later, data)

    points = result["capabilities"][0]["metrics"][0]["points"]
    assert [(p["year"], p["this_cycle"]) for p in points] == [(2023, False), (2024, True)]
    assert result["diverging"] == [1]


def test_the_gap_report_pdf_has_the_national_data_chapter_with_the_trend(three_years, organisation, focal_point):
    answer_set(three_years, organisation, "C01.1", "2", evidence="Decree.")
    data = frozen_report_data(three_years)

    text = pdf_text(render_report_pdf(data)[0])

    chapter = text.split("National data", 2)[2]
    assert "M01.1 Budget of the national body" in chapter
    assert "2023 100,000" in chapter and "2024 not collected" in chapter and "2025 90,000" in chapter
    assert "Checked with the ministry." in chapter


def test_a_requested_report_job_freezes_the_national_data_chapter(three_years, organisation, focal_point, coordinator):
    """The job a coordinator requests on the report page (or through the API) holds what render_report holds."""
    from reports.services import report_job_request

    answer_set(three_years, organisation, "C01.1", "2", evidence="Decree.")
    job, _created = report_job_request(cycle=three_years, by=coordinator)

    expected = frozen_report_data(three_years)
    assert job.data["national_data"] == expected["national_data"]
    assert [m["code"] for m in job.data["national_data"]["capabilities"][0]["metrics"]][:1] == ["M01.1"]
    assert job.data["sections"] == expected["sections"]


def test_the_arabic_trend_runs_from_right_to_left(three_years):
    data = national_data(three_years, cycle_report_data(three_years))
    budget = data["capabilities"][0]["metrics"][0]
    english = str(trend_chart(budget))
    with translation.override("ar"):
        arabic = str(trend_chart(budget))
    # The first year sits at the left in English and at the right in Arabic.
    assert 'cx="8.0"' in english.split("<circle", 2)[1]
    assert 'cx="232.0"' in arabic.split("<circle", 2)[1]


def test_the_national_data_page_shows_reported_and_validated_figures(
    client, three_years, coordinator, submission, focal_point, budget
):
    report(submission, budget, 2025, "95000", by=focal_point)
    client.force_login(coordinator)

    page = client.get(reverse("reports:national_data", args=[three_years.pk])).content.decode()

    assert "Ministry of Interior: 95,000" in page
    assert "90,000" in page and "not collected" in page
    assert 'class="trend-svg"' in page


def test_the_national_data_builder_reads_in_two_queries(three_years, django_assert_num_queries):
    data = cycle_report_data(three_years)
    # The version's metrics with their capabilities; the country's national figures of those codes.
    with django_assert_num_queries(2):
        national_data(three_years, data)


# The figures workbook --------------------------------------------------------------------------------


def _filled(submission, rows):
    """The downloaded template with ``rows`` ({(code, year): (value, not collected)}) written into it."""
    import io

    from openpyxl import load_workbook

    from assessments.figure_workbook import figures_workbook

    book = load_workbook(io.BytesIO(figures_workbook(submission)))
    sheet = book["Figures"]
    for n, ((code, year), (value, not_collected)) in enumerate(rows.items()):
        r = sheet.max_row + 1 if n else 2
        sheet.cell(r, 1).value, sheet.cell(r, 4).value = code, year
        sheet.cell(r, 5).value, sheet.cell(r, 6).value = value, not_collected
        sheet.cell(r, 7).value = "Annual report"
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def test_the_figures_workbook_round_trips_and_a_blank_row_is_never_a_zero(submission, focal_point, budget):
    from assessments.figure_workbook import figures_workbook_read

    read = figures_workbook_read(
        submission, _filled(submission, {("M01.1", 2024): (150000, "no"), ("M01.2", 2024): (None, "yes")})
    )

    # The template's own blank row for M01.2 (last year, nothing written) is skipped, not read as 0.
    assert sorted((f.metric.code, f.year, f.value, f.not_collected) for f in read) == [
        ("M01.1", 2024, Decimal("150000.00"), False),
        ("M01.2", 2024, None, True),
    ]
    figures.figures_save(submission=submission, figures=read, by=focal_point, source="workbook")
    assert MetricValue.objects.count() == 2


def test_a_figures_workbook_with_a_bad_row_changes_nothing_and_names_the_rows(client, submission, focal_point):
    client.force_login(focal_point)
    upload = _filled(submission, {("M01.2", 2024): ("12.5", "no"), ("M99.9", 2024): (3, "no")})
    upload.name = "figures.xlsx"

    response = client.post(reverse("assessments:submission_figures_upload", args=[submission.pk]), {"workbook": upload})

    said = [str(m) for m in response.wsgi_request._messages]
    assert "The workbook was not saved; nothing was changed." in said
    assert "Row 2: A count is a whole number." in said
    assert any("M99.9 is not a metric this organisation reports" in m for m in said)
    assert not MetricValue.objects.exists()


def test_a_figures_workbook_of_another_questionnaire_or_no_workbook_is_refused(submission, submission_b):
    import io

    from assessments.figure_workbook import figures_workbook_read

    with pytest.raises(ValidationError, match="not the figures workbook of this questionnaire"):
        figures_workbook_read(submission, _filled(submission_b, {("M01.1", 2024): (1, "no")}))
    with pytest.raises(ValidationError, match="not an Excel workbook"):
        figures_workbook_read(submission, io.BytesIO(b"M01.1;2024;1"))


def test_the_figures_page_takes_six_queries_however_many_figures(
    client, submission, focal_point, budget, cases, django_assert_num_queries
):
    report(submission, budget, 2024, "100", by=focal_point)
    report(submission, cases, 2024, None, not_collected=True, by=focal_point)
    client.force_login(focal_point)
    url = reverse("assessments:submission_figures", args=[submission.pk])
    client.get(url)  # the first request of a session also reads the profile and the second factor
    # session, user, roles, the questionnaire (with cycle, country, version, organisation), the sector's
    # metrics (with their capabilities), the figures reported (with their metrics).
    with django_assert_num_queries(6):
        assert client.get(url).status_code == 200
