"""All answers of a cycle as XLSX or CSV, one row per organisation × indicator; the XLSX adds the national results."""

import csv
import io
import re

from django.utils import translation
from modeltranslation import settings as mt_settings
from modeltranslation.utils import get_language
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from assessments.figures import metrics_label
from assessments.models import Answer, MetricValue

from .consolidation import cycle_report_data
from .scoring import shown

HEADERS = [
    "Organisation",
    "Sector",
    "Questionnaire status",
    "Domain",
    "Capability",
    "Indicator",
    "Question",
    "Answer",
    "Level",
    "Evidence",
    "Comment",
    "Last changed by",
    "Last changed at (UTC)",
]
ANSWER_LABELS = {"": "", "dk": "Don't know", "na": "Not applicable"}
RESULT_HEADERS = [
    "Domain",
    "Capability",
    "National level",
    "Computed median",
    "Target",
    "Gap",
    "Above target by",
    "Lowest organisation score",
    "Highest organisation score",
    "Spread",
    "Organisations scoring",
    "Coverage",
    "Contested",
    "Data gap",
    "Validated level",
    "Validated by",
    "Rationale",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
# A ";" followed by what a spreadsheet would run: French and Spanish spreadsheets split CSV on ";".
SEMICOLON_FORMULA = re.compile(r"(;[ ]*)(?=[=+\-@])")


def neutralise(value):
    """Text a spreadsheet would run as a formula (=, +, -, @ …) is prefixed with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_csv(value):
    """``neutralise``, and the same after every ";" inside the text.

    Every CSV field is also quoted, so a spreadsheet that splits on ";" and honours quotes keeps
    "see report;=1+1;" in one cell; one that ignores the quotes still gets "'=1+1" as the new cell.
    """
    value = neutralise(value)
    if isinstance(value, str) and ";" in value:
        value = SEMICOLON_FORMULA.sub(r"\1'", value)
    return value


def translated_columns(*paths):
    """For ``only()`` across relations: each translated field's column in the active language and its fallback."""
    languages = sorted({get_language(), *mt_settings.FALLBACK_LANGUAGES["default"]})
    return [f"{path}_{code}" for path in paths for code in languages]


def answer_rows(cycle):
    """Rows in a fixed order (1 query).

    Only the columns printed: the framework's rows carry every language's texts (and guidance), and
    reading them all made each row about 4 KB and the sort spill to disk. ``only()`` on a translated
    field across a relation is not expanded by modeltranslation, so the columns of the page's language
    and of the English fallback are named here.
    """

    answers = (
        Answer.objects.filter(submission__cycle=cycle)
        .select_related("submission__organisation__sector", "indicator__capability__domain", "updated_by")
        .only(
            "choice",
            "evidence",
            "comment",
            "updated_at",
            "submission__status",
            "submission__organisation__name",
            "indicator__code",
            "indicator__capability__number",
            "indicator__capability__domain__code",
            "updated_by__username",
            "updated_by__first_name",
            "updated_by__last_name",
            *translated_columns(
                "submission__organisation__sector__name",
                "indicator__question",
                "indicator__capability__title",
                "indicator__capability__domain__name",
            ),
        )
        .order_by("submission__organisation__name", "indicator__capability__number", "indicator__order")
    )
    for a in answers.iterator(chunk_size=2000):
        cap = a.indicator.capability
        yield [
            a.submission.organisation.name,
            a.submission.organisation.sector.name,
            a.submission.get_status_display(),
            f"{cap.domain.code}. {cap.domain.name}",
            f"{cap.number}. {cap.title}",
            a.indicator.code,
            a.indicator.question,
            ANSWER_LABELS.get(a.choice, f"Level {a.choice}"),
            a.level,
            a.evidence,
            a.comment,
            (a.updated_by.get_full_name() or a.updated_by.get_username()) if a.updated_by else "",
            a.updated_at.strftime("%Y-%m-%d %H:%M") if a.updated_at else "",
        ]


def answers_csv(cycle):
    buffer = io.StringIO()
    buffer.write("\ufeff")  # lets spreadsheet programs read UTF-8
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    writer.writerow(HEADERS)
    for row in answer_rows(cycle):
        writer.writerow([neutralise_csv(v) for v in row])
    return buffer.getvalue().encode("utf-8")


def _yes(value):
    return "yes" if value else "no"


def result_rows(cycle):
    """The national results, one row per capability, as the report computes them (see cycle_report_data).

    Levels are rounded once, as printed in the report; a capability at or above its target has a
    gap of 0 and says by how much it is above. Framework texts are in the active language.
    """
    data = cycle_report_data(cycle, language=translation.get_language())
    domains = {d["code"]: d["name"] for d in data["domains"]}
    for c in data["capabilities"]:
        gap = c["gap"]
        if c["contested"]:
            contested = "yes"
        elif c["resolved"]:
            contested = "resolved by the validated level"
        else:
            contested = "no"
        yield [
            f"{c['domain']}. {domains.get(c['domain'], '')}",
            f"{c['number']}. {c['title']}",
            shown(c["level"]),
            shown(c["computed"]),
            c["target"],
            None if gap is None else max(gap, 0.0),
            shown(-gap) if gap is not None and gap < 0 else None,
            c["min"],
            c["max"],
            c["spread"],
            c["respondents"],
            c["coverage"],
            contested,
            _yes(c["data_gap"]),
            c["validated"],
            c["validated_by"],
            c["validated_rationale"],
        ]


REPORTED_HEADERS = [
    "Organisation",
    "Sector",
    "Metric",
    "Metric name",
    "Unit",
    "Year",
    "Value",
    "Not collected",
    "Source",
    "Confidence note",
]
NATIONAL_HEADERS = ["Metric", "Metric name", "Unit", "Year", "National figure", "Not collected", "Rationale"]


def _figure(value):
    """A figure as a number cell; None when not collected (never a zero)."""
    return None if value is None else float(value)


def reported_figure_rows(cycle):
    """Every figure the organisations reported in the cycle (1 query)."""
    for v in (
        MetricValue.objects.filter(submission__cycle=cycle)
        .select_related("metric", "submission__organisation__sector")
        .order_by("submission__organisation__name", "metric__code", "year")
    ):
        yield [
            v.submission.organisation.name,
            v.submission.organisation.sector.name,
            v.metric.code,
            metrics_label(v.metric),
            v.metric.unit,
            v.year,
            _figure(v.value),
            _yes(v.not_collected),
            v.source,
            v.confidence,
        ]


def national_figure_rows(cycle):
    """The validated national figures of the cycle (1 query)."""
    from .models import NationalFigure

    for f in NationalFigure.objects.filter(cycle=cycle).select_related("metric").order_by("metric__code", "year"):
        yield [
            f.metric.code,
            metrics_label(f.metric),
            f.metric.unit,
            f.year,
            _figure(f.value),
            _yes(f.not_collected),
            f.rationale,
        ]


def _header(sheet, titles):
    font = Font(bold=True)
    cells = []
    for title in titles:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = font
        cells.append(cell)
    return cells


def answers_xlsx(cycle):
    """Four sheets: "Answers" (the raw answers), "National results" (one row per capability), and the
    outcome figures: "Reported figures" (each organisation's) and "National figures" (the validated ones)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Answers")
    sheet.freeze_panes = "A2"
    sheet.append(_header(sheet, HEADERS))
    for row in answer_rows(cycle):
        sheet.append([neutralise(v) for v in row])

    results = workbook.create_sheet("National results")
    results.freeze_panes = "C2"
    results.append(_header(results, RESULT_HEADERS))
    coverage = RESULT_HEADERS.index("Coverage")
    for row in result_rows(cycle):
        cells = [neutralise(v) for v in row]
        cells[coverage] = WriteOnlyCell(results, value=row[coverage])
        cells[coverage].number_format = "0%"
        results.append(cells)
    for title, headers, rows in (
        ("Reported figures", REPORTED_HEADERS, reported_figure_rows(cycle)),
        ("National figures", NATIONAL_HEADERS, national_figure_rows(cycle)),
    ):
        sheet = workbook.create_sheet(title)
        sheet.freeze_panes = "A2"
        sheet.append(_header(sheet, headers))
        for row in rows:
            sheet.append([neutralise(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
