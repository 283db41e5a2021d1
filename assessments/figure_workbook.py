"""The outcome figures as an XLSX template to download, fill in and upload again.

Same standards as the questionnaire workbook (``assessments.workbook``): the file's size, its size
unpacked and its parts, sheets and cells are bounded before anything parses it; a hidden "_meta"
sheet binds the template to the questionnaire with an HMAC; every row is checked and every problem
listed with its row; a workbook with any problem changes nothing. Blank rows are skipped: an empty
row is not filled in, never a zero; "not collected" is said in its own column.
"""

import io
import logging
import zipfile

from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from .figures import figure_input, metrics_for, metrics_label
from .models import MetricValue
from .workbook import CONTENT_TYPE, MAX_PROBLEMS, MAX_UNPACKED_BYTES, MAX_UPLOAD_BYTES, _bounds_problems

logger = logging.getLogger(__name__)

FORMAT = "mnr-figures/1"
SHEET = "Figures"
META = "_meta"
MAX_PARTS = 100
MAX_ROWS = 1000
COLUMNS = 8  # metric, name, unit, year, value, not collected, source, confidence note
YES = {"yes", "y", "x", "1", "true"}
NO = {"", "no", "n", "0", "false"}

__all__ = ["CONTENT_TYPE", "figures_workbook", "figures_workbook_read"]


def _signature(submission_id):
    return salted_hmac("mnr-figures-workbook", f"{FORMAT}:{submission_id}").hexdigest()


def figures_workbook(submission) -> bytes:
    """The template: one row per metric of the sector and year reported, and one for last year (2 queries)."""
    metrics = metrics_for(submission)
    reported = {}
    for v in MetricValue.objects.filter(submission=submission).order_by("year"):
        reported.setdefault(v.metric_id, []).append(v)
    last_year = timezone.localdate().year - 1
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    headers = [
        _("Metric"),
        _("Name"),
        _("Unit"),
        _("Year"),
        _("Value"),
        _("Not collected (yes/no)"),
        _("Source"),
        _("Confidence note"),
    ]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    yes_no = DataValidation(type="list", formula1=f'"{_("yes")},{_("no")}"', allow_blank=True)
    sheet.add_data_validation(yes_no)
    for metric in metrics:
        rows = reported.get(metric.pk, [])
        for v in rows:
            sheet.append(
                [
                    metric.code,
                    metrics_label(metric),
                    str(metric.get_unit_display()),
                    v.year,
                    None if v.value is None else float(v.value),
                    _("yes") if v.not_collected else _("no"),
                    v.source,
                    v.confidence,
                ]
            )
        if last_year not in {v.year for v in rows}:
            sheet.append([metric.code, metrics_label(metric), str(metric.get_unit_display()), last_year])
    yes_no.add(f"F2:F{max(sheet.max_row, 2) + 50}")
    for column, width in zip("ABCDEFGH", (10, 50, 12, 8, 14, 22, 30, 40), strict=True):
        sheet.column_dimensions[column].width = width
    meta = book.create_sheet(META)
    meta.append([FORMAT])
    meta.append([submission.pk])
    meta.append([_signature(submission.pk)])
    meta.sheet_state = "hidden"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _refuse(message):
    raise ValidationError([message])


def _not_xlsx():
    _refuse(_("This file is not an Excel workbook (.xlsx)."))


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _yes(value, row, problems):
    text = _text(value).casefold()
    if text in YES or text == _("yes").casefold():
        return True
    if text in NO or text == _("no").casefold():
        return False
    problems.append(_("Row %(row)d: write yes or no in “not collected”.") % {"row": row})
    return False


def figures_workbook_read(submission, file):
    """Check an uploaded template as a whole and return its figures (``figure_input``); changes nothing.

    Raises ValidationError listing every problem (the first ``MAX_PROBLEMS``) with its row.
    """
    size = getattr(file, "size", None)
    if size is None:
        size = file.seek(0, io.SEEK_END)
    if size > MAX_UPLOAD_BYTES:
        _refuse(
            _("The file is larger than %(limit)d MB, the limit for a workbook. Upload the workbook downloaded here.")
            % {"limit": MAX_UPLOAD_BYTES // 1024 // 1024}
        )
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            parts = archive.infolist()
            if sum(i.file_size for i in parts) > MAX_UNPACKED_BYTES or len(parts) > MAX_PARTS:
                _refuse(_("The workbook is too large once unpacked. Upload the workbook downloaded from this page."))
            bounds = _bounds_problems(archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError):
        _not_xlsx()
    if bounds:
        raise ValidationError([p.reason for p in bounds])
    file.seek(0)
    try:
        book = load_workbook(file, read_only=True, data_only=True, keep_links=False)
    except Exception:
        logger.info("Figures upload to submission %s is no workbook", submission.pk, exc_info=True)
        _not_xlsx()
    try:
        return _read(submission, book)
    except (ValidationError, DatabaseError):
        raise
    except Exception:
        logger.info("Figures upload to submission %s is a damaged workbook", submission.pk, exc_info=True)
        _refuse(_("This workbook is damaged and could not be read. Download it again."))
    finally:
        book.close()


def _read(submission, book):
    if META not in book.sheetnames or SHEET not in book.sheetnames:
        _refuse(_("This is not the figures workbook of this questionnaire: download it from this page."))
    meta = [_text(row[0]) if row else "" for row in book[META].iter_rows(min_row=1, max_row=3, values_only=True)]
    if (
        len(meta) != 3
        or meta[0] != FORMAT
        or meta[1] != str(submission.pk)
        or not constant_time_compare(meta[2], _signature(submission.pk))
    ):
        _refuse(_("This is not the figures workbook of this questionnaire: download it from this page."))
    metrics = {m.code: m for m in metrics_for(submission)}
    problems, result, seen = [], [], {}
    for number, row in enumerate(book[SHEET].iter_rows(min_row=2, max_col=COLUMNS, values_only=True), 2):
        if number > MAX_ROWS + 1:
            problems.append(_("The sheet has more than %(n)d rows.") % {"n": MAX_ROWS})
            break
        cells = list(row) + [None] * (COLUMNS - len(row))
        code, _name, _unit, year, value, not_collected, source, confidence = cells
        unmarked = _text(not_collected).casefold() in NO | {_("no").casefold()}
        if _text(value) == "" and unmarked and not _text(source) + _text(confidence):
            continue  # not filled in: neither a figure nor "not collected"
        metric = metrics.get(_text(code))
        if metric is None:
            problems.append(
                _("Row %(row)d: %(code)s is not a metric this organisation reports.")
                % {"row": number, "code": _text(code) or "—"}
            )
            continue
        try:
            year_number = int(_text(year))
        except ValueError:
            problems.append(_("Row %(row)d: the year is a whole year, e.g. 2025.") % {"row": number})
            continue
        if (metric.code, year_number) in seen:
            problems.append(
                _("Row %(row)d: %(code)s for %(year)d is already on row %(first)d.")
                % {"row": number, "code": metric.code, "year": year_number, "first": seen[(metric.code, year_number)]}
            )
            continue
        seen[(metric.code, year_number)] = number
        marked = _yes(not_collected, number, problems)
        try:
            result.append(
                figure_input(
                    metric=metric,
                    year=year_number,
                    value=None if _text(value) == "" else _text(value),
                    not_collected=marked,
                    source=_text(source),
                    confidence=_text(confidence),
                )
            )
        except ValidationError as exc:
            problems.extend(f"{_('Row %(row)d') % {'row': number}}: {m}" for m in exc.messages)
    if problems:
        raise ValidationError(problems[:MAX_PROBLEMS])
    if not result:
        _refuse(_("The workbook has no figure filled in."))
    return result
