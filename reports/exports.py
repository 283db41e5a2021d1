"""All answers of a cycle as XLSX or CSV, one row per organisation × indicator."""

import csv
import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from assessments.models import Answer

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
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(value):
    """Text a spreadsheet would run as a formula (=, +, -, @ …) is prefixed with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def answer_rows(cycle):
    """Rows in a fixed order (1 query)."""
    answers = (
        Answer.objects.filter(submission__cycle=cycle)
        .select_related("submission__organisation__sector", "indicator__capability__domain", "updated_by")
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
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    for row in answer_rows(cycle):
        writer.writerow([neutralise(v) for v in row])
    return buffer.getvalue().encode("utf-8")


def answers_xlsx(cycle):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Answers")
    sheet.freeze_panes = "A2"
    header_font = Font(bold=True)

    header = []
    for title in HEADERS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = header_font
        header.append(cell)
    sheet.append(header)
    for row in answer_rows(cycle):
        sheet.append([neutralise(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
