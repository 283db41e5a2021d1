"""Translation packs as files: YAML (``mnr-translation/1``, shipped in ``fixtures/translations/``) and the
translator's XLSX workbook.

XLSX rather than XLIFF 2.0: the translators of a national review are child-protection professionals
and agency staff, not localisation vendors with a CAT tool; a workbook opens in what they have
(Excel, LibreOffice, Google Sheets), shows the English beside the translation with the right
direction for Arabic, and comes back as the same columns. Keys and English are locked in the
sheet and checked again on import, so an edit in the wrong column is refused, not loaded.

Both readers return a ``PackFile`` and refuse a malformed file as a whole, naming file › row or
key › problem; the content checks against the framework are ``translationpacks.check_texts``.
"""

import io
from dataclasses import dataclass, field

import yaml
from django.utils import timezone

from .translationpacks import DRAFT_NOTE, FORMAT, KIND_LABELS, PackProblems, key_field, key_kind

XLSX_FORMAT = "mnr-translation-xlsx/1"
SHEET = "Translation"
ABOUT = "About"
HEADERS = ["Key", "Kind", "Field", "English", "Translation"]
RTL_LANGUAGES = {"ar"}
MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 5000  # a version has about 900 texts; more rows is not a workbook of ours
STATUSES = ("draft", "provisional", "reviewed", "published")


@dataclass
class PackFile:
    version: str
    language: str
    entries: dict  # key -> (source, text)
    status: str = "draft"
    translator: str = ""
    reviewer: str = ""
    note: str = ""
    problems: list = field(default_factory=list)


def _text(value):
    return "" if value is None else str(value)


def parse_yaml(text, *, source="file"):
    """A ``mnr-translation/1`` document: version, language, status, translator, reviewer, note, texts."""
    problems = []
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PackProblems([(source, f"not valid YAML ({exc})")]) from exc
    if not isinstance(doc, dict):
        raise PackProblems([(source, "expected a mapping with format, version, language and texts")])
    if doc.get("format") != FORMAT:
        problems.append((source, f"format must be '{FORMAT}' (found {doc.get('format')!r})"))
    for name in ("version", "language"):
        if not isinstance(doc.get(name), str) or not doc.get(name):
            problems.append((source, f"'{name}' is required"))
    status = doc.get("status", "draft")
    if status not in STATUSES:
        problems.append((source, f"status must be one of {', '.join(STATUSES)} (found {status!r})"))
    unknown = sorted(set(doc) - {"format", "version", "language", "status", "translator", "reviewer", "note", "texts"})
    if unknown:
        problems.append((source, f"unknown field(s): {', '.join(map(str, unknown))}"))
    texts = doc.get("texts")
    entries = {}
    if not isinstance(texts, dict):
        problems.append((source, "'texts' must map keys to {source, text}"))
    else:
        for key, value in texts.items():
            if not isinstance(value, dict) or not isinstance(value.get("source"), str):
                problems.append((f"{source} › {key}", "expected {source: English, text: translation}"))
                continue
            extra = sorted(set(value) - {"source", "text"})
            if extra:
                problems.append((f"{source} › {key}", f"unknown field(s): {', '.join(map(str, extra))}"))
            if value.get("text") is not None and not isinstance(value.get("text"), str):
                problems.append((f"{source} › {key}", "the translation must be text"))
                continue
            entries[str(key)] = (value["source"], _text(value.get("text")))
    if status in ("reviewed", "published") and not str(doc.get("reviewer") or "").strip():
        problems.append((source, f"a {status} pack names its reviewer"))
    if problems:
        raise PackProblems(problems)
    return PackFile(
        version=doc["version"],
        language=doc["language"],
        entries=entries,
        status=status,
        translator=_text(doc.get("translator")).strip(),
        reviewer=_text(doc.get("reviewer")).strip(),
        note=_text(doc.get("note")).strip(),
    )


def dump_yaml(pack):
    """A pack as ``mnr-translation/1`` (keys in the framework's order, as stored)."""
    doc = {
        "format": FORMAT,
        "version": pack.version.code,
        "language": pack.language,
        "status": pack.status if pack.status in STATUSES else "draft",
        "translator": pack.translator,
        "reviewer": pack.reviewer,
        "note": pack.note,
        "texts": {t.key: {"source": t.source, "text": t.text} for t in pack.texts.order_by("id")},
    }
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100)


def dump_xlsx(version, language, texts, translations, *, translator=""):
    """The translator's workbook: one row per text, English locked, the translation column open.

    ``texts`` are ``framework_texts(version)``; ``translations`` ({key: text}) prefill the targets.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection

    rtl = language in RTL_LANGUAGES
    wb = Workbook()
    sheet = wb.active
    sheet.title = SHEET
    sheet.append(HEADERS[:4] + [f"Translation ({language})"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE3EA")
    wrap = Alignment(wrap_text=True, vertical="top")
    target = Alignment(
        wrap_text=True, vertical="top", readingOrder=2 if rtl else 1, horizontal="right" if rtl else None
    )
    for key, text in texts.items():
        sheet.append([key, KIND_LABELS[text.kind], text.field, text.source, translations.get(key, "")])
        row = sheet.max_row
        for column in "ABCD":
            sheet[f"{column}{row}"].alignment = wrap
        sheet[f"E{row}"].alignment = target
        sheet[f"E{row}"].protection = Protection(locked=False)
    for column, width in zip("ABCDE", (26, 16, 11, 70, 70), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "D2"
    sheet.protection.sheet = True  # keys and English locked; no password: a guard against slips, not a secret
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    sheet.auto_filter.ref = f"A1:E{sheet.max_row}"

    about = wb.create_sheet(ABOUT)
    for row in (
        ("format", XLSX_FORMAT),
        ("version", version.code),
        ("language", language),
        ("translator", translator),
        ("exported", timezone.now().strftime("%Y-%m-%d %H:%M UTC")),
        ("texts", len(texts)),
        ("", ""),
        ("How to", "Write the translation of each English text in column E of the Translation sheet. Leave a"),
        ("", "cell empty when you have not translated it yet: it shows in English meanwhile. Do not change"),
        ("", "columns A to D; keep placeholders such as {name} or %(name)s and web addresses as they are."),
        ("", "Send the file back to your framework administrator, who imports it with import_translation."),
    ):
        about.append(list(row))
    about.column_dimensions["A"].width = 14
    about.column_dimensions["B"].width = 100
    about.protection.sheet = True
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def parse_xlsx(data, *, source="workbook"):
    """A translator's workbook back: the About sheet names version and language, the rows the texts."""
    from openpyxl import load_workbook

    if len(data) > MAX_BYTES:
        raise PackProblems([(source, f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")])
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds (zip, XML, key errors) for a file that is not a workbook
        raise PackProblems([(source, f"not an XLSX workbook ({type(exc).__name__})")]) from exc
    try:
        if SHEET not in wb.sheetnames or ABOUT not in wb.sheetnames:
            raise PackProblems(
                [(source, f"expected the sheets '{SHEET}' and '{ABOUT}' of a workbook made by export_translation")]
            )
        about = {}
        for row in wb[ABOUT].iter_rows(max_col=2, values_only=True):
            if row and row[0]:
                about[str(row[0]).strip()] = _text(row[1] if len(row) > 1 else "").strip()
        problems = []
        if about.get("format") != XLSX_FORMAT:
            problems.append((f"{source} › {ABOUT}", f"format must be '{XLSX_FORMAT}' (found {about.get('format')!r})"))
        for name in ("version", "language"):
            if not about.get(name):
                problems.append((f"{source} › {ABOUT}", f"'{name}' is missing"))
        rows = wb[SHEET].iter_rows(values_only=True)
        header = next(rows, None)
        if not header or [_text(h).strip() for h in header[:4]] != HEADERS[:4]:
            problems.append((f"{source} › {SHEET} › row 1", f"expected the columns {', '.join(HEADERS)}"))
            raise PackProblems(problems)
        entries = {}
        for number, row in enumerate(rows, start=2):
            row = list(row) + [None] * 5
            key, _kind, field_name, english, text = (_text(v) for v in row[:5])
            key = key.strip()
            if not key and not english and not text:
                continue
            where = f"{source} › {SHEET} › row {number}"
            if number > MAX_ROWS:
                problems.append((where, f"more than {MAX_ROWS} rows: not a workbook made by export_translation"))
                break
            if not key:
                problems.append((where, "the key (column A) is empty"))
            elif key in entries:
                problems.append((where, f"key {key} appears twice"))
            elif key_field(key) != field_name.strip() or key_kind(key) not in KIND_LABELS:
                problems.append((where, f"key {key} does not match its field '{field_name}'"))
            else:
                entries[key] = (english, text)
        if problems:
            raise PackProblems(problems)
    finally:
        wb.close()
    return PackFile(
        version=about["version"],
        language=about["language"],
        entries=entries,
        translator=about.get("translator", ""),
        note=DRAFT_NOTE,
    )
