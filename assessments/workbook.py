"""The offline questionnaire: an XLSX workbook to download, fill in and upload again.

The workbook (layout ``FORMAT``):

- "About": the organisation, cycle and framework version, instructions and the levels legend.
- One sheet per domain the organisation is asked about, one row per indicator. Columns A–L are
  for people (the answer, evidence and comment cells are the only editable ones); M–O are hidden:
  the answer's id, its version at download, and an HMAC of both bound to the submission, so a
  changed id or version is caught row by row.
- "_meta" (hidden): the questionnaire, cycle and framework version the workbook was made for, when,
  an HMAC over those, and the values of the answer drop-down.

Sheet and workbook protection have no password: they prevent slips, not attacks. The HMACs
(``salted_hmac`` with SECRET_KEY) are the real check.

Reading (``workbook_read``) changes nothing; ``services.workbook_apply`` saves a valid workbook.
"""

import io
import json
import logging
import math
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from xml.parsers import expat as pyexpat

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from capabilities.models import LEVELS, Indicator, LevelDescriptor

from .forms import AnswerForm
from .models import Choice
from .services import answer_validate

logger = logging.getLogger(__name__)

FORMAT = "mnr-questionnaire/1"
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# A real workbook unpacks to well under a megabyte; the cap keeps a zip bomb from being parsed.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
# Bounds checked before openpyxl reads anything (``_bounds_problems``), so that a small file cannot
# make the server work for long: a row numbered 100,000,000 would otherwise be reached by creating
# every empty row above it. A downloaded workbook has one row per indicator (about a hundred), a
# couple of thousand cells and as many texts, a dozen parts, and its About, domain and _meta sheets.
MAX_ROWS_PER_SHEET = 1000  # row numbers, blank rows included, below the header
MAX_CELLS = 50_000  # in all sheets together (a downloaded workbook has about 2,000; reading 50,000 takes ~1 s)
MAX_SHARED_STRINGS = MAX_CELLS
MAX_XML_ELEMENTS = 5 * MAX_CELLS  # in all parts: cells, their values, styles...
MAX_PARTS = 100  # files in the zip
MAX_SHEETS = 40  # before the exact check against the questionnaire's domains
MAX_PROBLEMS = 100  # listed; the others are counted
MAX_TEXT_CHARS = AnswerForm.base_fields["evidence"].max_length

META_SHEET = "_meta"
META_FIELDS = ("format", "submission", "cycle", "framework", "organisation", "questionnaire", "generated_at")
META_SIGNATURE = "signature"
CHOICES_COLUMN = "D"  # of _meta: the drop-down's values

# Domain sheet columns (1-based).
COL_CAPABILITY, COL_CODE, COL_QUESTION, COL_GUIDANCE = 1, 2, 3, 4
COL_LEVELS = {level: 5 + i for i, level in enumerate(LEVELS)}
COL_ANSWER, COL_EVIDENCE, COL_COMMENT = 10, 11, 12
COL_ANSWER_ID, COL_VERSION, COL_SIGNATURE = 13, 14, 15
N_COLUMNS = COL_SIGNATURE
# Machine names, not translated: a sheet is a domain sheet when its hidden header says so.
HIDDEN_HEADER = ("answer_id", "version", "signature")
INPUT_COLUMNS = (COL_ANSWER, COL_EVIDENCE, COL_COMMENT)
WIDTHS = {COL_CAPABILITY: 22, COL_CODE: 11, COL_QUESTION: 45, COL_GUIDANCE: 30, COL_ANSWER: 24}
WIDTHS |= {col: 28 for col in COL_LEVELS.values()} | {COL_EVIDENCE: 55, COL_COMMENT: 35}

HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
INPUT_HEADER_FILL = PatternFill("solid", fgColor="7F6000")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
THIN = Side(style="thin", color="BFBFBF")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
FORMULA_STARTS = ("=", "+", "-", "@")


# Shared by writing and reading ----------------------------------------------------------------------


def normal_text(value) -> str:
    """A cell's text as it is compared and saved: line breaks as \\n, no characters XLSX cannot hold, trimmed.

    Applied to both the stored answer and the uploaded cell, so a round trip through a spreadsheet
    (which turns \\r\\n into \\n) is not mistaken for an edit.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        text = str(value).upper()
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, datetime | date):
        text = value.isoformat()
    else:
        text = str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return ILLEGAL_CHARACTERS_RE.sub("", text).strip()


def answer_labels(levels) -> list[tuple[str, str]]:
    """(label, choice) of the drop-down, in its order: "0 – Not in place" … "Don't know", "Not applicable"."""
    pairs = [(f"{level.level} – {level.name}", str(level.level)) for level in levels]
    return pairs + [(_("Don't know"), Choice.DONT_KNOW), (_("Not applicable"), Choice.NOT_APPLICABLE)]


def _label_key(text: str) -> str:
    # Typed by hand, a label may have a hyphen for the dash, a curly apostrophe, odd spaces or case.
    for fancy, plain in (("–", "-"), ("—", "-"), ("’", "'")):
        text = text.replace(fancy, plain)
    return " ".join(text.split()).casefold()


def _sign(salt: str, value: str) -> str:
    return salted_hmac(f"assessments.workbook.{salt}", value, algorithm="sha256").hexdigest()


def _meta_signature(meta: dict) -> str:
    return _sign("meta", json.dumps([meta.get(key, "") for key in META_FIELDS]))


def _row_signature(submission_id, answer_id, version) -> str:
    return _sign("row", f"{submission_id}:{answer_id}:{version}")


def _questionnaire_name(submission) -> str:
    return f"{submission.organisation.name} — {submission.cycle.title}"


def sheet_title(domain) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\."""
    title = f"{domain.code}. {domain.name}"
    for char in "[]:*?/\\":
        title = title.replace(char, " ")
    return title[:31].strip()


# Download -----------------------------------------------------------------------------------------


def questionnaire_workbook(submission) -> bytes:
    """The submission's questionnaire as an XLSX workbook, with the current answers filled in (3 queries).

    1. Load the scale, then the answers with their indicator, capability, domain and descriptors.
    2. Write "About", one sheet per domain in framework order, and the hidden "_meta" sheet.
    3. Lock the structure so sheets are not renamed, added or unhidden by mistake.
    """
    cycle = submission.cycle
    levels = list(cycle.framework_version.levels.all())
    answers = list(
        submission.answers.select_related("indicator__capability__domain")
        .prefetch_related(Prefetch("indicator__descriptors", queryset=LevelDescriptor.objects.order_by("level")))
        .order_by(
            "indicator__capability__domain__order",
            "indicator__capability__domain__code",
            "indicator__capability__number",
            "indicator__order",
            "indicator__code",
        )
    )
    generated_at = timezone.now().replace(microsecond=0)
    labels = answer_labels(levels)

    book = Workbook()
    _write_about(book.active, submission, levels, generated_at)
    domains = {}
    for answer in answers:
        domains.setdefault(answer.indicator.capability.domain, []).append(answer)
    choices_ref = f"{quote_sheetname(META_SHEET)}!${CHOICES_COLUMN}$1:${CHOICES_COLUMN}${len(labels)}"
    for domain, domain_answers in domains.items():
        _write_domain(book.create_sheet(sheet_title(domain)), submission, levels, labels, choices_ref, domain_answers)
    _write_meta(book.create_sheet(META_SHEET), submission, labels, generated_at)
    book.security = WorkbookProtection(lockStructure=True)

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _write_text(cell, value):
    """Text goes in as text: a value starting with "=" is shown, never run as a formula."""
    cell.value = value
    if isinstance(value, str) and value:
        cell.data_type = "s"
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True


def _write_about(sheet, submission, levels, generated_at):
    cycle = submission.cycle
    sheet.title = _("About")[:31]
    sheet.sheet_view.rightToLeft = translation.get_language_bidi()
    sheet.column_dimensions["A"].width = 26
    sheet.column_dimensions["B"].width = 100
    sheet.sheet_view.showGridLines = False
    sheet["A1"] = _("MNR self-assessment questionnaire")
    sheet["A1"].font = Font(bold=True, size=16)
    facts = [
        (_("Organisation"), f"{submission.organisation.name} ({submission.organisation.sector.name})"),
        (_("Country"), cycle.country.name),
        (_("Assessment cycle"), f"{cycle.title} ({cycle.period})"),
        (_("Deadline"), date_format(cycle.closes_on, "DATE_FORMAT")),
        (_("Framework version"), f"{cycle.framework_version.code} · {cycle.framework_version.title}"),
        (_("Downloaded at"), date_format(timezone.localtime(generated_at), "DATETIME_FORMAT")),
    ]
    if not (cycle.is_open and submission.is_editable_status):
        facts.append(
            (_("Read-only copy"), _("This questionnaire can no longer be changed; an upload of this file is refused."))
        )
    instructions = [
        _(
            "Answer each indicator on the domain sheets: pick a value from the drop-down list in the yellow "
            "“Answer” column, then describe the evidence and add any comment."
        ),
        _(
            "Levels 3 and 4 need evidence: a law and article, a unit, a protocol or a figure, with links to "
            "public sources, so that reviewers can confirm it."
        ),
        _(
            "Never put illegal material in this workbook: no child sexual abuse material, no images of "
            "victims, no names or details that identify a victim. Describe the evidence and link to public "
            "sources instead."
        ),
        _("Do not rename or add sheets, move columns or add rows. Rows you delete are left unchanged online."),
        _(
            "Upload the file on the questionnaire's “Work offline” page. The whole file is checked first: if "
            "any row has a problem, nothing is saved and every problem is listed with its sheet and row."
        ),
        _(
            "Answers someone changed online after you downloaded this file are not overwritten: they are "
            "listed as conflicts for you to settle online. The other rows are saved."
        ),
        _("Keep this file safe: it holds your organisation's answers."),
    ]
    row = 3
    for label, value in facts:
        sheet.cell(row=row, column=1, value=label).font = Font(bold=True)
        _write_text(sheet.cell(row=row, column=2), value)
        row += 1
    row += 1
    sheet.cell(row=row, column=1, value=_("How to fill it in")).font = Font(bold=True, size=13)
    for number, text in enumerate(instructions, start=1):
        row += 1
        sheet.cell(row=row, column=1, value=f"{number}.").alignment = Alignment(horizontal="right", vertical="top")
        cell = sheet.cell(row=row, column=2, value=text)
        cell.alignment = WRAP
        if number == 3:
            cell.font = Font(bold=True, color="9C0006")
        sheet.row_dimensions[row].height = _height([(text, 100)], min_lines=1)
    row += 2
    sheet.cell(row=row, column=1, value=_("Levels")).font = Font(bold=True, size=13)
    legend = [(f"{level.level} – {level.name}", level.description) for level in levels]
    legend += [
        (_("Don't know"), _("The organisation cannot say; reported as a data gap, not as level 0.")),
        (_("Not applicable"), _("The indicator does not concern the organisation.")),
    ]
    for label, description in legend:
        row += 1
        sheet.cell(row=row, column=1, value=label).font = Font(bold=True)
        _write_text(sheet.cell(row=row, column=2), description)
        sheet.cell(row=row, column=2).alignment = WRAP
        sheet.row_dimensions[row].height = _height([(description, 100)], min_lines=1)
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.protection.sheet = True


def _write_domain(sheet, submission, levels, labels, choices_ref, answers):
    level_names = {level.level: level.name for level in levels}
    header = {
        COL_CAPABILITY: _("Capability"),
        COL_CODE: _("Indicator code"),
        COL_QUESTION: _("Question"),
        COL_GUIDANCE: _("Evidence guidance"),
        COL_ANSWER: _("Answer"),
        COL_EVIDENCE: _("Evidence"),
        COL_COMMENT: _("Comment"),
    }
    header |= {col: f"{_('Level')} {level} – {level_names.get(level, '')}" for level, col in COL_LEVELS.items()}
    header |= dict(zip((COL_ANSWER_ID, COL_VERSION, COL_SIGNATURE), HIDDEN_HEADER, strict=True))
    for col, title in header.items():
        cell = sheet.cell(row=1, column=col, value=title)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = INPUT_HEADER_FILL if col in INPUT_COLUMNS else HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        cell.border = BORDER
    sheet.row_dimensions[1].height = 32
    for col in range(1, N_COLUMNS + 1):
        sheet.column_dimensions[get_column_letter(col)].width = WIDTHS.get(col, 12)
    for col in (COL_ANSWER_ID, COL_VERSION, COL_SIGNATURE):
        sheet.column_dimensions[get_column_letter(col)].hidden = True

    label_of = {choice: label for label, choice in labels}
    for row, answer in enumerate(answers, start=2):
        indicator = answer.indicator
        descriptors = {d.level: d.text for d in indicator.descriptors.all()}
        values = {
            COL_CAPABILITY: f"{indicator.capability.number}. {indicator.capability.title}",
            COL_CODE: indicator.code,
            COL_QUESTION: indicator.question,
            COL_GUIDANCE: indicator.guidance,
            COL_ANSWER: label_of.get(answer.choice, ""),
            COL_EVIDENCE: normal_text(answer.evidence),
            COL_COMMENT: normal_text(answer.comment),
            COL_ANSWER_ID: answer.pk,
            COL_VERSION: answer.version,
            COL_SIGNATURE: _row_signature(submission.pk, answer.pk, answer.version),
        }
        values |= {col: descriptors.get(level, "") for level, col in COL_LEVELS.items()}
        for col, value in values.items():
            cell = sheet.cell(row=row, column=col)
            _write_text(cell, value)
            cell.alignment = WRAP
            cell.border = BORDER
            if col in INPUT_COLUMNS:
                cell.fill = INPUT_FILL
                cell.protection = Protection(locked=False)
        sheet.row_dimensions[row].height = _height(
            [(values[col], WIDTHS[col]) for col in (COL_QUESTION, COL_GUIDANCE, COL_EVIDENCE, COL_COMMENT)]
            + [(values[col], WIDTHS[col]) for col in COL_LEVELS.values()]
        )
    last = len(answers) + 1
    choices = DataValidation(
        type="list",
        formula1=choices_ref,
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        errorStyle="stop",
        # Excel refuses longer titles (32) and messages (255), whatever the language.
        errorTitle=_("Not an answer")[:32],
        error=_("Pick one of the values in the drop-down list.")[:255],
        promptTitle=_("Answer")[:32],
        prompt=_("Pick a level, “Don't know” or “Not applicable”.")[:255],
    )
    sheet.add_data_validation(choices)
    answer_col = get_column_letter(COL_ANSWER)
    choices.add(f"{answer_col}2:{answer_col}{last}")

    sheet.freeze_panes = sheet.cell(row=2, column=COL_QUESTION)
    sheet.sheet_view.rightToLeft = translation.get_language_bidi()
    sheet.auto_filter.ref = f"A1:{get_column_letter(COL_COMMENT)}{last}"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    # Locked cells (everything but the answer, evidence and comment) cannot be typed over; columns
    # and rows may still be resized and the filter used.
    protection = sheet.protection
    protection.sheet = True
    protection.formatColumns = protection.formatRows = protection.autoFilter = False


def _height(texts, min_lines=3) -> float:
    """A row height (points) that shows wrapped text whole, at about one character per width unit.

    Spreadsheets do not fit a row to wrapped text written by openpyxl; three lines leave room to type.
    """
    lines = min_lines
    for text, width in texts:
        text = str(text or "")
        lines = max(lines, sum(max(1, math.ceil(len(part) / (width * 1.1))) for part in text.split("\n")))
    return min(409, 15 * lines)


def _write_meta(sheet, submission, labels, generated_at):
    meta = {
        "format": FORMAT,
        "submission": str(submission.pk),
        "cycle": str(submission.cycle_id),
        "framework": submission.cycle.framework_version.code,
        "organisation": submission.organisation.name,
        "questionnaire": _questionnaire_name(submission),
        "generated_at": generated_at.isoformat(),
    }
    # Signed as it will be read back, so that no spreadsheet's normalising breaks the signature.
    meta = {key: normal_text(value) for key, value in meta.items()}
    meta[META_SIGNATURE] = _meta_signature(meta)
    for row, (key, value) in enumerate(meta.items(), start=1):
        sheet.cell(row=row, column=1, value=key)
        _write_text(sheet.cell(row=row, column=2), value)
    for row, (label, _choice) in enumerate(labels, start=1):
        _write_text(sheet[f"{CHOICES_COLUMN}{row}"], label)
    sheet.sheet_state = "hidden"
    sheet.protection.sheet = True


# Upload -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Why an uploaded workbook is refused. ``row`` is None for the file or a whole sheet."""

    sheet: str
    row: int | None
    reason: str
    indicator: str = ""


@dataclass
class WorkbookRow:
    """One valid row: what the file says an answer should become, based on the version downloaded."""

    sheet: str
    row: int
    answer: object
    version: int
    choice: str
    evidence: str
    comment: str

    def matches(self, choice, evidence, comment) -> bool:
        return (self.choice, self.evidence, self.comment) == (choice, normal_text(evidence), normal_text(comment))


@dataclass
class ParsedWorkbook:
    problems: list[Problem] = field(default_factory=list)  # the first MAX_PROBLEMS
    rows: list[WorkbookRow] = field(default_factory=list)
    more_problems: int = 0  # found but not listed

    @property
    def is_valid(self):
        return not self.problems


def _refused(reason, sheet="", row=None) -> ParsedWorkbook:
    return ParsedWorkbook(problems=[Problem(sheet, row, reason)])


def _not_xlsx():
    return _refused(_("This file is not an Excel workbook (.xlsx)."))


def workbook_read(submission, file) -> ParsedWorkbook:
    """Check an uploaded workbook against the questionnaire and read its rows; changes nothing (3 queries).

    1. Refuse a file that is too large, not an XLSX, or too large once unpacked, before parsing it;
       then stream its parts and refuse too many parts, sheets, cells, texts or a row numbered
       beyond ``MAX_ROWS_PER_SHEET`` (``_bounds_problems``), before openpyxl reads anything.
    2. Check the hidden "_meta" sheet: its HMAC, then that it was made for this questionnaire and
       for the cycle's framework version. Any failure here stops the reading.
    3. Refuse more sheets than the workbook was made with, then read every domain sheet row by row
       and collect every problem with its sheet and row (the first ``MAX_PROBLEMS`` are listed).
    """
    size = getattr(file, "size", None)
    if size is None:
        size = file.seek(0, io.SEEK_END)
    if size > MAX_UPLOAD_BYTES:
        return _refused(
            _("The file is larger than %(limit)d MB, the limit for a workbook. Upload the workbook downloaded here.")
            % {"limit": MAX_UPLOAD_BYTES // 1024 // 1024}
        )
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            parts = archive.infolist()
            unpacked = sum(info.file_size for info in parts)
            if unpacked > MAX_UNPACKED_BYTES or len(parts) > MAX_PARTS:
                return _refused(
                    _("The workbook is too large once unpacked. Upload the workbook downloaded from this page.")
                )
            problems = _bounds_problems(archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return _not_xlsx()
    if problems:
        return ParsedWorkbook(problems=problems)
    file.seek(0)
    # openpyxl raises many kinds of error on a damaged or foreign file, and read-only sheets are
    # parsed lazily, so a damaged sheet fails only while its rows are read.
    try:
        book = load_workbook(file, read_only=True, data_only=False, keep_links=False)
    except Exception:
        logger.info("Upload to submission %s is no workbook", submission.pk, exc_info=True)
        return _not_xlsx()
    try:
        return _read_book(submission, book)
    except DatabaseError:
        raise
    except Exception:
        logger.info("Upload to submission %s is a damaged workbook", submission.pk, exc_info=True)
        return _refused(_("This workbook is damaged and could not be read. Download it again."))
    finally:
        book.close()


WORKBOOK_RELATIONSHIPS = "xl/_rels/workbook.xml.rels"  # where every spreadsheet writes them


class _TooBig(Exception):
    def __init__(self, problem):
        self.problem = problem


class _PartScanner:
    """Counts what the XML parts of a workbook hold, without building them in memory (expat handlers).

    Raises ``_TooBig`` at the first bound passed. Spreadsheets write their namespaces in several
    ways, so names are compared without them.
    """

    VALUES = {"v", "is", "f"}

    def __init__(self):
        self.elements = self.cells = self.strings = 0
        self.sheets = []  # (title, relationship id) in the workbook part
        self.targets = {}  # relationship id -> part, from the workbook's relationships
        self.titles = {}  # part -> sheet title

    def scan(self, part, name):
        self.part, self.row, self.row_filled, self.in_value = name, 0, False, 0
        parser = pyexpat.ParserCreate(namespace_separator="}")
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.text
        parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = self.refuse_dtd
        while chunk := part.read(64 * 1024):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)

    def refuse_dtd(self, *args):
        raise _TooBig(_not_xlsx().problems[0])  # spreadsheets never declare a DTD or entities

    def start(self, name, attrs):
        tag = name.rsplit("}", 1)[-1]
        self.elements += 1
        if self.elements > MAX_XML_ELEMENTS:
            raise _TooBig(_too_many_cells())
        if tag == "row":
            try:
                self.row = int(attrs.get("r", ""))
            except ValueError:
                self.row += 1  # a row without its number follows the one before
            self.row_filled = False
        elif tag == "c":
            self.cells += 1
            if self.cells > MAX_CELLS:
                raise _TooBig(_too_many_cells())
        elif tag in self.VALUES:
            self.in_value += 1
        elif tag == "si":
            self.strings += 1
            if self.strings > MAX_SHARED_STRINGS:
                raise _TooBig(_too_many_texts())
        elif tag == "sheet":
            relationship = next((v for k, v in attrs.items() if k.rsplit("}", 1)[-1] == "id"), "")
            self.sheets.append((attrs.get("name", ""), relationship))
            if len(self.sheets) > MAX_SHEETS:
                raise _TooBig(_too_many_sheets(len(self.sheets), MAX_SHEETS))
        elif tag == "Relationship" and self.part == WORKBOOK_RELATIONSHIPS:  # not the package's own
            target = attrs.get("Target", "")
            self.targets[attrs.get("Id", "")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"

    def end(self, name):
        tag = name.rsplit("}", 1)[-1]
        if tag in self.VALUES:
            self.in_value -= 1
        elif tag == "row" and self.row_filled and self.row > MAX_ROWS_PER_SHEET + 1:
            if not self.titles:
                self.titles = {self.targets.get(rel, ""): title for title, rel in self.sheets}
            raise _TooBig(_row_too_far(self.titles.get(self.part, self.part), self.row))

    def text(self, data):
        if self.in_value and data.strip():
            self.row_filled = True


def _bounds_problems(archive) -> list[Problem]:
    """What makes a workbook too big to read, found by streaming every part once (``_PartScanner``).

    Every part is scanned whatever its name, as openpyxl follows the workbook's own relationships
    to find its sheets; the workbook and its relationships come first, to name a sheet in a problem.
    A part that is not well-formed XML is left to openpyxl, which refuses the file as damaged.
    """
    scanner = _PartScanner()
    first = (WORKBOOK_RELATIONSHIPS, "xl/workbook.xml")
    parts = sorted(
        (info for info in archive.infolist() if not info.is_dir()),
        key=lambda i: first.index(i.filename) if i.filename in first else len(first),
    )
    for info in parts:
        try:
            with archive.open(info) as part:
                scanner.scan(part, info.filename)
        except _TooBig as exc:
            return [exc.problem]
        except pyexpat.ExpatError:
            continue
    return []


def _row_too_far(sheet, row_number) -> Problem:
    return Problem(
        sheet,
        row_number,
        _(
            "Something was typed far below the questionnaire: a sheet of this workbook has at most %(n)d rows. "
            "Delete what is in this row and upload the file again."
        )
        % {"n": MAX_ROWS_PER_SHEET},
    )


def _too_many_cells() -> Problem:
    return Problem(
        "",
        None,
        _(
            "The workbook has more than %(n)d cells, far more than the questionnaire. Download the "
            "workbook again and copy your answers into it."
        )
        % {"n": MAX_CELLS},
    )


def _too_many_texts() -> Problem:
    return Problem(
        "",
        None,
        _(
            "The workbook holds more than %(n)d different texts, far more than the questionnaire. Download the "
            "workbook again and copy your answers into it."
        )
        % {"n": MAX_SHARED_STRINGS},
    )


def _too_many_sheets(found, expected) -> Problem:
    return Problem(
        "",
        None,
        _(
            "The workbook has %(found)d sheets; the one downloaded here has %(expected)d. Do not add sheets: "
            "download the workbook again and copy your answers into it."
        )
        % {"found": found, "expected": expected},
    )


def _read_book(submission, book) -> ParsedWorkbook:
    problem = _meta_problem(submission, book)
    if problem:
        return ParsedWorkbook(problems=[problem])
    cycle = submission.cycle
    answers = {a.pk: a for a in submission.answers.select_related("indicator__capability")}
    # "About", one sheet per domain asked, "_meta": what ``questionnaire_workbook`` made for these answers.
    made_with = len({a.indicator.capability.domain_id for a in answers.values()}) + 2
    if len(book.sheetnames) > made_with:
        return ParsedWorkbook(problems=[_too_many_sheets(len(book.sheetnames), made_with)])
    known_codes = set(Indicator.objects.filter(version_id=cycle.framework_version_id).values_list("code", flat=True))
    levels = list(cycle.framework_version.levels.all())
    labels = answer_labels(levels)
    # The workbook may have been downloaded in another language than the one of this request.
    choice_of = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            choice_of |= {_label_key(label): choice for label, choice in answer_labels(levels)}
    choice_of |= {choice: choice for _label, choice in labels if choice.isdigit()}
    reader = _RowReader(submission, answers, known_codes, choice_of, [label for label, _choice in labels])

    domain_sheets = 0
    for sheet in book.worksheets:
        if sheet.title == META_SHEET:
            continue
        # Bounded even if a part escaped ``_bounds_problems``: openpyxl fills in every missing row up to max_row.
        rows = sheet.iter_rows(max_row=MAX_ROWS_PER_SHEET + 1, max_col=N_COLUMNS, values_only=True)
        header = _padded(next(rows, ()))
        if tuple(normal_text(v) for v in header[COL_ANSWER_ID - 1 :]) != HIDDEN_HEADER:
            if any(normal_text(v) for v in header[COL_ANSWER_ID - 1 :]) or _looks_like_domain_sheet(header):
                reader.problem(
                    sheet.title, 1, _("The columns were moved, added or removed; keep the downloaded layout.")
                )
            continue  # "About" and any sheet of the person's own
        domain_sheets += 1
        for number, values in enumerate(rows, start=2):
            values = _padded(values)
            if not any(normal_text(v) for v in values):
                continue
            reader.read(sheet.title, number, values)
    if not domain_sheets and not reader.problems:
        reader.problem("", None, _("The workbook has no questionnaire sheets. Download it again."))
    return ParsedWorkbook(problems=reader.problems, rows=reader.rows, more_problems=reader.more_problems)


def _padded(values):
    values = tuple(values)
    return values + (None,) * (N_COLUMNS - len(values))


def _looks_like_domain_sheet(header):
    return bool(normal_text(header[COL_CODE - 1])) and bool(normal_text(header[COL_ANSWER - 1]))


def _meta_problem(submission, book) -> Problem | None:
    if META_SHEET not in book.sheetnames:
        meta = {}
    else:
        meta = {
            normal_text(key): normal_text(value)
            for key, value in book[META_SHEET].iter_rows(max_row=20, max_col=2, values_only=True)
            if key
        }
    signature = meta.get(META_SIGNATURE, "")
    if not signature or not constant_time_compare(signature, _meta_signature(meta)) or meta.get("format") != FORMAT:
        return Problem(
            META_SHEET,
            None,
            _(
                "This workbook was not downloaded from this portal, or its hidden “_meta” sheet was changed. "
                "Download the workbook again and copy your answers into it."
            ),
        )
    if meta["submission"] != str(submission.pk) or meta["cycle"] != str(submission.cycle_id):
        return Problem(
            META_SHEET,
            None,
            _(
                "This workbook belongs to another questionnaire (%(theirs)s). Upload it on that questionnaire's "
                "page, or download the workbook of this one (%(ours)s)."
            )
            % {"theirs": meta["questionnaire"], "ours": _questionnaire_name(submission)},
        )
    if meta["framework"] != submission.cycle.framework_version.code:
        return Problem(
            META_SHEET,
            None,
            _(
                "This workbook was made for framework version %(theirs)s; this questionnaire uses %(ours)s. "
                "Download the workbook again."
            )
            % {"theirs": meta["framework"], "ours": submission.cycle.framework_version.code},
        )
    return None


class _RowReader:
    """Checks one row after another and keeps every problem, so the person sees them all at once."""

    def __init__(self, submission, answers, known_codes, choice_of, labels):
        self.submission = submission
        self.answers = answers
        self.known_codes = known_codes
        self.choice_of = choice_of
        self.labels = labels
        self.framework = submission.cycle.framework_version.code
        self.seen = {}
        self.problems = []
        self.more_problems = 0
        self.rows = []

    def problem(self, sheet, row, reason, indicator=""):
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(sheet, row, reason, indicator))
        else:
            self.more_problems += 1

    def read(self, sheet, number, values):
        def cell(col):
            return values[col - 1]

        code = normal_text(cell(COL_CODE))
        if not code:
            self.problem(sheet, number, _("The indicator code is missing."))
            return
        if code not in self.known_codes:
            self.problem(
                sheet,
                number,
                _("Unknown indicator code “%(code)s”: framework %(framework)s has no such indicator.")
                % {"code": code, "framework": self.framework},
                code,
            )
            return
        answer = self._answer(sheet, number, code, cell(COL_ANSWER_ID), cell(COL_VERSION), cell(COL_SIGNATURE))
        if answer is None:
            return
        answer_id, version = answer
        answer = self.answers[answer_id]
        if answer.indicator.code != code:
            self.problem(
                sheet,
                number,
                _("The indicator code was changed from %(code)s; put it back.") % {"code": answer.indicator.code},
                code,
            )
            return
        if answer_id in self.seen:
            first_sheet, first_row = self.seen[answer_id]
            self.problem(
                sheet,
                number,
                _("%(code)s appears twice: also on sheet “%(sheet)s”, row %(row)d. Keep one row per indicator.")
                % {"code": code, "sheet": first_sheet, "row": first_row},
                code,
            )
            return
        self.seen[answer_id] = (sheet, number)

        typed = normal_text(cell(COL_ANSWER))  # a level typed as a number arrives as 3 or 3.0
        choice = self.choice_of.get(typed) or self.choice_of.get(_label_key(typed))
        if typed and choice is None:
            self.problem(
                sheet,
                number,
                _("“%(value)s” is not one of the answers in the drop-down list (%(allowed)s).")
                % {"value": typed, "allowed": "; ".join(self.labels)},
                code,
            )
            return
        choice = choice or ""
        evidence, comment = normal_text(cell(COL_EVIDENCE)), normal_text(cell(COL_COMMENT))
        too_long = [
            name for name, text in ((_("evidence"), evidence), (_("comment"), comment)) if len(text) > MAX_TEXT_CHARS
        ]
        for name in too_long:
            self.problem(
                sheet,
                number,
                _("The %(field)s is longer than %(n)d characters.") % {"field": name, "n": MAX_TEXT_CHARS},
                code,
            )
        try:
            answer_validate(choice=choice, evidence=evidence)
        except ValidationError as exc:
            for message in exc.messages:
                self.problem(sheet, number, message, code)
            return
        if not too_long:
            self.rows.append(WorkbookRow(sheet, number, answer, version, choice, evidence, comment))

    def _answer(self, sheet, number, code, raw_id, raw_version, raw_signature):
        """The (answer id, version at download) of a row whose hidden columns are intact, else None."""
        if not any(normal_text(v) for v in (raw_id, raw_version, raw_signature)):
            self.problem(
                sheet,
                number,
                _("This row was not in the downloaded workbook: answer %(code)s on its own row.") % {"code": code},
                code,
            )
            return None
        try:
            answer_id, version = int(normal_text(raw_id)), int(normal_text(raw_version))
        except ValueError:
            answer_id = version = None
        expected = _row_signature(self.submission.pk, answer_id, version) if answer_id is not None else ""
        if not expected or not constant_time_compare(normal_text(raw_signature), expected):
            self.problem(
                sheet,
                number,
                _(
                    "The hidden identification columns were changed. Download the workbook again and copy "
                    "your answers into it."
                ),
                code,
            )
            return None
        if answer_id not in self.answers:
            self.problem(sheet, number, _("%(code)s is no longer part of this questionnaire.") % {"code": code}, code)
            return None
        return answer_id, version
