"""The offline questionnaire: download the workbook, fill it in, upload it (all or nothing, conflicts kept)."""

import html
import io
import re
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from assessments import services, workbook
from assessments.models import Answer, AnswerRevision, AuditEvent, Submission
from assessments.workbook import (
    COL_ANSWER,
    COL_ANSWER_ID,
    COL_CODE,
    COL_COMMENT,
    COL_EVIDENCE,
    COL_SIGNATURE,
    COL_VERSION,
    MAX_CELLS,
    MAX_PARTS,
    MAX_PROBLEMS,
    MAX_ROWS_PER_SHEET,
    MAX_SHARED_STRINGS,
    MAX_UPLOAD_BYTES,
    META_SHEET,
    questionnaire_workbook,
    workbook_read,
)
from tests.factories import FocalPointRoleFactory, OrganisationFactory, SectorFactory, UserFactory

pytestmark = pytest.mark.django_db

SHEET_A = "A. Policy and governance"
EVIDENCE_MESSAGE = "Levels 3 and 4 say the arrangement is established and working"


def download_url(submission):
    return reverse("assessments:questionnaire_workbook_download", args=[submission.pk])


def upload_url(submission):
    return reverse("assessments:questionnaire_workbook_upload", args=[submission.pk])


def download(client, submission):
    response = client.get(download_url(submission))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith("attachment;")
    return response.content


def fill(content, answers=None, cells=None):
    """The workbook with answers typed in: ``answers`` maps an indicator code to {"answer", "evidence",
    "comment"}; ``cells`` maps (code, column) to any value, for edits a person should not make."""
    book = load_workbook(io.BytesIO(content))
    columns = {"answer": COL_ANSWER, "evidence": COL_EVIDENCE, "comment": COL_COMMENT}
    for sheet in book.worksheets[1:]:
        if sheet.title == META_SHEET:
            continue
        for row in range(2, sheet.max_row + 1):
            code = sheet.cell(row=row, column=COL_CODE).value
            for key, value in (answers or {}).get(code, {}).items():
                sheet.cell(row=row, column=columns[key], value=value)
            for (cell_code, column), value in (cells or {}).items():
                if cell_code == code:
                    sheet.cell(row=row, column=column).value = value  # cell(value=None) would keep the value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, submission, content, name="answers.xlsx"):
    return client.post(upload_url(submission), {"workbook": SimpleUploadedFile(name, content)})


def text(response):
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def problems(response):
    """The refused upload's problems as (sheet, row, indicator, reason) rows."""
    body = response.content.decode()
    section = re.search(r'id="workbook-problems">(.*?)</section>', body, re.S)
    assert section, "no list of problems on the page"
    cells = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", section.group(1), re.S)
    return [tuple(html.unescape(c) for c in row) for row in cells]


def snapshot(submission):
    return (
        sorted(
            Answer.objects.filter(submission=submission).values_list("pk", "choice", "evidence", "comment", "version")
        ),
        AnswerRevision.objects.filter(answer__submission=submission).count(),
    )


def answer_of(submission, code):
    return Answer.objects.select_related("updated_by").get(submission=submission, indicator__code=code)


def loaded(submission):
    """The submission as the views fetch it (``access.get_submission_for_user``)."""
    return Submission.objects.select_related("cycle__country", "cycle__framework_version", "organisation__sector").get(
        pk=submission.pk
    )


@pytest.fixture
def ngo_submission(cycle, coordinator, country_a, focal_point):
    """An NGO in the same cycle, asked indicators of both domains; the ministry's focal point is its focal point too."""
    ngo = OrganisationFactory(country=country_a, name="Childhood First", sector=SectorFactory(code="ngo"))
    FocalPointRoleFactory(user=focal_point, organisation=ngo)
    return services.cycle_add_organisation(cycle=cycle, organisation=ngo, by=coordinator)


# The workbook ------------------------------------------------------------------------------------------


def test_the_workbook_has_an_about_sheet_a_sheet_per_domain_and_protected_hidden_identification(
    client, focal_point, ngo_submission
):
    client.force_login(focal_point)

    book = load_workbook(io.BytesIO(download(client, ngo_submission)))

    assert book.sheetnames == ["About", SHEET_A, "B. Criminal justice", META_SHEET]
    about = "\n".join(str(v) for row in book["About"].iter_rows(values_only=True) for v in row if v)
    assert "Childhood First" in about and "TINY-1" in about and "National assessment 2026" in about
    assert "Never put illegal material in this workbook" in about
    assert "3 – Established" in about
    sheet = book[SHEET_A]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["Capability", "Indicator code", "Question", "Evidence guidance"]
    assert header[4:12] == [
        "Level 0 – Not in place",
        "Level 1 – Building",
        "Level 2 – Developing",
        "Level 3 – Established",
        "Level 4 – Maturity",
        "Answer",
        "Evidence",
        "Comment",
    ]
    assert [c.value for c in sheet[2]][:9] == [
        "1. Leadership",
        "C01.1",
        "Is there a national body?",
        "Its founding decree.",
        "No body.",
        "Planned.",
        "Meets sometimes.",
        "Meets regularly.",
        "Evaluated yearly.",
    ]
    assert [sheet.cell(row=r, column=COL_CODE).value for r in range(2, sheet.max_row + 1)] == ["C01.1", "C03.1"]
    assert [book["B. Criminal justice"].cell(row=2, column=COL_CODE).value] == ["C04.2"]
    # The drop-down, the hidden and protected identification, the frozen header.
    (validation,) = sheet.data_validations.dataValidation
    assert validation.type == "list" and str(validation.sqref) == "J2:J3"
    choices = [c.value for c in book[META_SHEET]["D"] if c.value]
    assert choices == [
        "0 – Not in place",
        "1 – Building",
        "2 – Developing",
        "3 – Established",
        "4 – Maturity",
        "Don't know",
        "Not applicable",
    ]
    assert all(sheet.column_dimensions[col].hidden for col in "MNO")
    assert sheet.protection.sheet and book[META_SHEET].sheet_state == "hidden"
    assert not sheet.cell(row=2, column=COL_ANSWER).protection.locked
    assert sheet.cell(row=2, column=COL_ANSWER_ID).protection.locked
    assert sheet.freeze_panes == "C2"
    assert book.security.lockStructure


def test_the_workbook_holds_the_current_answers_and_text_that_looks_like_a_formula_stays_text(
    client, focal_point, submission
):
    services.answer_save(
        answer=answer_of(submission, "C01.1"),
        choice="3",
        evidence='=HYPERLINK("http://evil.example")\r\nsecond line',
        comment="",
        base_version=0,
        by=focal_point,
    )
    client.force_login(focal_point)

    content = download(client, submission)

    row = [c for c in load_workbook(io.BytesIO(content))[SHEET_A][2]]
    assert row[COL_ANSWER - 1].value == "3 – Established"
    assert row[COL_EVIDENCE - 1].value == '=HYPERLINK("http://evil.example")\nsecond line'
    assert row[COL_EVIDENCE - 1].data_type == "s"
    assert row[COL_VERSION - 1].value == 1
    # Uploaded back as it is, nothing changes: the spreadsheet's line breaks are not an edit.
    response = upload(client, submission, content)
    assert "Saved: 0 · unchanged: 3 · conflicts: 0." in text(response)
    assert answer_of(submission, "C01.1").version == 1


def test_the_workbook_is_built_in_three_queries_whatever_its_size(
    submission, ngo_submission, django_assert_num_queries
):
    # 1 maturity scale, 2 answers with indicator, capability and domain, 3 level descriptors.
    for each in (submission, ngo_submission):
        each = loaded(each)
        with django_assert_num_queries(3):
            questionnaire_workbook(each)


def test_reading_a_workbook_takes_three_queries(submission, django_assert_num_queries):
    # 1 the questionnaire's answers, 2 the framework's indicator codes, 3 the maturity scale.
    submission = loaded(submission)
    content = questionnaire_workbook(submission)

    with django_assert_num_queries(3):
        parsed = workbook_read(submission, io.BytesIO(content))

    assert parsed.is_valid and len(parsed.rows) == 3


# The round trip ----------------------------------------------------------------------------------------


def test_a_filled_in_workbook_is_applied_as_workbook_upload_revisions(client, focal_point, submission):
    client.force_login(focal_point)
    content = fill(
        download(client, submission),
        {
            "C01.1": {
                "answer": "3 – Established",
                "evidence": "Decree 12/2024 sets up the board.",
                "comment": "Monthly.",
            },
            "C01.2": {"answer": "Don't know"},
        },
    )

    response = upload(client, submission, content)

    assert response.status_code == 200
    assert "Saved: 2 · unchanged: 1 · conflicts: 0." in text(response)
    c011, c012, c031 = (answer_of(submission, code) for code in ("C01.1", "C01.2", "C03.1"))
    assert (c011.choice, c011.evidence, c011.comment, c011.version) == (
        "3",
        "Decree 12/2024 sets up the board.",
        "Monthly.",
        1,
    )
    assert (c012.choice, c012.version, c012.updated_by) == ("dk", 1, focal_point)
    assert (c031.choice, c031.version) == ("", 0)
    assert set(AnswerRevision.objects.filter(answer__submission=submission).values_list("source", flat=True)) == {
        AnswerRevision.Source.UPLOAD
    }
    history = client.get(reverse("assessments:questionnaire_history", args=[submission.pk]))
    assert text(history).count("Workbook upload") == 2
    event = AuditEvent.objects.get(action=AuditEvent.Action.WORKBOOK_UPLOADED)
    assert (event.user, event.submission_id, event.detail) == (
        focal_point,
        submission.pk,
        "2 applied, 1 unchanged, 0 conflicts",
    )


def test_levels_typed_by_hand_are_read_like_the_drop_down_values(client, focal_point, submission):
    client.force_login(focal_point)
    content = fill(
        download(client, submission),
        {"C01.1": {"answer": 2}, "C01.2": {"answer": " 1 - building "}, "C03.1": {"answer": "not applicable"}},
    )

    response = upload(client, submission, content)

    assert "Saved: 3" in text(response)
    assert [answer_of(submission, code).choice for code in ("C01.1", "C01.2", "C03.1")] == ["2", "1", "na"]


def test_a_workbook_downloaded_in_another_language_is_read_in_this_one(client, focal_point, submission):
    with translation.override("fr"):
        content = questionnaire_workbook(loaded(submission))
    choices = [c.value for c in load_workbook(io.BytesIO(content))[META_SHEET]["D"]]
    client.force_login(focal_point)

    response = upload(
        client, submission, fill(content, {"C01.1": {"answer": choices[2]}, "C01.2": {"answer": choices[5]}})
    )

    assert "Saved: 2" in text(response)
    assert [answer_of(submission, code).choice for code in ("C01.1", "C01.2")] == ["2", "dk"]


def test_the_download_and_the_upload_are_recorded_in_the_audit_trail(client, focal_point, coordinator, submission):
    client.force_login(coordinator)
    download(client, submission)
    client.force_login(focal_point)
    upload(client, submission, fill(download(client, submission), {"C01.1": {"answer": "1 – Building"}}))

    events = list(
        AuditEvent.objects.filter(submission=submission)
        .order_by("pk")
        .values_list("action", "user__username")
        .filter(action__startswith="workbook")
    )
    assert events == [("workbook_downloaded", "cora"), ("workbook_downloaded", "farid"), ("workbook_uploaded", "farid")]
    client.force_login(coordinator)
    assert "Uploaded the questionnaire workbook" in text(client.get(reverse("assessments:audit_trail")))


# Refused files: every problem named with its sheet and row, nothing applied --------------------------------


def _another_questionnaire(submission_b):
    return questionnaire_workbook(loaded(submission_b))


BAD_WORKBOOKS = {
    "wrong level": (
        lambda c, w: fill(c, {"C01.1": {"answer": "1 – Building"}, "C01.2": {"answer": "7 – Excellent"}}),
        (SHEET_A, "3", "C01.2", "“7 – Excellent” is not one of the answers in the drop-down list"),
    ),
    "unknown indicator code": (
        lambda c, w: fill(c, {"C01.1": {"answer": "1 – Building"}}, {("C03.1", COL_CODE): "C99.9"}),
        (SHEET_A, "4", "C99.9", "Unknown indicator code “C99.9”: framework TINY-1 has no such indicator."),
    ),
    "edited hidden version": (
        lambda c, w: fill(c, {"C01.1": {"answer": "1 – Building"}}, {("C01.2", COL_VERSION): 5}),
        (SHEET_A, "3", "C01.2", "The hidden identification columns were changed."),
    ),
    "edited hidden answer id": (
        lambda c, w: fill(c, {"C01.1": {"answer": "1 – Building"}}, {("C01.2", COL_ANSWER_ID): w.answer.pk}),
        (SHEET_A, "3", "C01.2", "The hidden identification columns were changed."),
    ),
    "emptied signature": (
        lambda c, w: fill(c, {"C01.1": {"answer": "1 – Building"}}, {("C01.2", COL_SIGNATURE): None}),
        (SHEET_A, "3", "C01.2", "The hidden identification columns were changed."),
    ),
    "level 3 without evidence": (
        lambda c, w: fill(c, {"C01.1": {"answer": "1 – Building"}, "C03.1": {"answer": "3 – Established"}}),
        (SHEET_A, "4", "C03.1", EVIDENCE_MESSAGE),
    ),
    "workbook of another questionnaire": (
        lambda c, w: _another_questionnaire(w.submission_b),
        (
            META_SHEET,
            "—",
            "—",
            "This workbook belongs to another questionnaire (Borduria Police — Borduria review 2026).",
        ),
    ),
    "not an xlsx file": (
        lambda c, w: b"Organisation;Answer\nMinistry;3\n",
        ("—", "—", "—", "This file is not an Excel workbook (.xlsx)."),
    ),
    "a zip that is no workbook": (
        lambda c, w: _zip({"content.xml": b"<office/>"}),
        ("—", "—", "—", "This file is not an Excel workbook (.xlsx)."),
    ),
    "a damaged file": (
        lambda c, w: _replaced(c, "xl/worksheets/sheet2.xml", b"<worksheet><sheetData><row"),
        ("—", "—", "—", "This file is not an Excel workbook (.xlsx)."),
    ),
    "a sheet damaged after its first rows": (
        lambda c, w: _replaced(
            c,
            "xl/worksheets/sheet2.xml",
            _sheet_xml(c).split(b"</row>", 2)[0] + b"</row><row r=",
        ),
        ("—", "—", "—", "This workbook is damaged and could not be read."),
    ),
    "a column inserted": (
        lambda c, w: _column_inserted(c),
        (SHEET_A, "1", "—", "The columns were moved, added or removed; keep the downloaded layout."),
    ),
    "oversized": (
        lambda c, w: c + b"\0" * MAX_UPLOAD_BYTES,
        ("—", "—", "—", "The file is larger than 5 MB"),
    ),
}


def _replaced(content, name, data):
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        files = {info.filename: archive.read(info) for info in archive.infolist()}
    assert name in files
    return _zip(files | {name: data})


def _sheet_xml(content):
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read("xl/worksheets/sheet2.xml")


def _column_inserted(content):
    book = load_workbook(io.BytesIO(content))
    book[SHEET_A].insert_cols(3)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _zip(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize("case", BAD_WORKBOOKS)
def test_a_bad_workbook_is_refused_with_its_sheet_row_and_reason_and_nothing_changes(
    client, focal_point, submission, answer, submission_b, case
):
    make, (sheet, row, indicator, reason) = BAD_WORKBOOKS[case]
    client.force_login(focal_point)
    content = make(download(client, submission), type("W", (), {"answer": answer, "submission_b": submission_b}))
    before = snapshot(submission)
    events = AuditEvent.objects.filter(action=AuditEvent.Action.WORKBOOK_UPLOADED).count()

    response = upload(client, submission, content)

    assert response.status_code == 200
    (problem,) = problems(response)
    assert problem[:3] == (sheet, row, indicator)
    assert reason in problem[3]
    assert "Nothing was saved" in text(response)
    assert snapshot(submission) == before
    assert AuditEvent.objects.filter(action=AuditEvent.Action.WORKBOOK_UPLOADED).count() == events


def test_every_problem_of_a_workbook_is_listed_at_once(client, focal_point, ngo_submission):
    client.force_login(focal_point)
    content = fill(
        download(client, ngo_submission),
        {"C01.1": {"answer": "4 – Maturity"}, "C03.1": {"answer": "five"}, "C04.2": {"answer": "Don't know"}},
        {("C04.2", COL_CODE): "C04.9"},
    )
    before = snapshot(ngo_submission)

    response = upload(client, ngo_submission, content)

    assert [p[:3] for p in problems(response)] == [
        (SHEET_A, "2", "C01.1"),
        (SHEET_A, "3", "C03.1"),
        ("B. Criminal justice", "2", "C04.9"),
    ]
    assert snapshot(ngo_submission) == before


def test_a_row_copied_twice_is_refused(client, focal_point, submission):
    client.force_login(focal_point)
    book = load_workbook(io.BytesIO(download(client, submission)))
    sheet = book[SHEET_A]
    sheet.protection.sheet = False
    for col in range(1, COL_SIGNATURE + 1):
        sheet.cell(row=5, column=col, value=sheet.cell(row=2, column=col).value)
    buffer = io.BytesIO()
    book.save(buffer)

    response = upload(client, submission, buffer.getvalue())

    ((sheet_title, row, indicator, reason),) = problems(response)
    assert (sheet_title, row, indicator) == (SHEET_A, "5", "C01.1")
    assert reason.startswith("C01.1 appears twice: also on sheet “A. Policy and governance”, row 2.")


def test_a_changed_meta_sheet_is_refused(client, focal_point, submission):
    client.force_login(focal_point)
    book = load_workbook(io.BytesIO(download(client, submission)))
    book[META_SHEET]["B2"] = str(submission.pk + 1)
    buffer = io.BytesIO()
    book.save(buffer)

    response = upload(client, submission, buffer.getvalue())

    ((sheet, row, _indicator, reason),) = problems(response)
    assert (sheet, row) == (META_SHEET, "—")
    assert "its hidden “_meta” sheet was changed" in reason


def test_an_upload_without_a_file_is_a_form_error(client, focal_point, submission):
    client.force_login(focal_point)
    before = snapshot(submission)

    response = client.post(upload_url(submission), {})

    assert response.status_code == 200
    assert "This field is required." in text(response)
    assert snapshot(submission) == before


# Bounds: a small file never makes the server work for long -----------------------------------------------

FAR_ROW = 100_000_000


@pytest.fixture
def rows_read(monkeypatch):
    """How many rows openpyxl hands out while an upload is read (it makes up every missing row up to max_row)."""
    counted = {"rows": 0}
    original = ReadOnlyWorksheet._cells_by_row

    def counting(self, *args, **kwargs):
        for row in original(self, *args, **kwargs):
            counted["rows"] += 1
            yield row

    monkeypatch.setattr(ReadOnlyWorksheet, "_cells_by_row", counting)
    return counted


def _typed_far_below(content):
    """The workbook with an answer in row 100,000,000 of its domain sheet, and a dimension that says so (37 KB)."""
    xml = _sheet_xml(content)
    far = f'<row r="{FAR_ROW}"><c r="J{FAR_ROW}" t="inlineStr"><is><t>3 – Established</t></is></c></row>'
    xml = xml.replace(b"</sheetData>", far.encode() + b"</sheetData>")
    xml = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="A1:O{FAR_ROW}"'.encode(), xml)
    return _replaced(content, "xl/worksheets/sheet2.xml", xml)


def _without_dimension(content):
    """The same file crafted to hide its size: no <dimension> element."""
    xml = re.sub(rb"<dimension [^>]*/>", b"", _sheet_xml(content))
    return _replaced(content, "xl/worksheets/sheet2.xml", xml)


def _in_excels_order(content):
    """The same file with its parts in the order Excel writes them: the package's relationships first."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        files = {info.filename: archive.read(info) for info in archive.infolist()}
    first = ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"]
    return _zip({name: files[name] for name in first} | files)


@pytest.mark.parametrize(
    "craft",
    [
        _typed_far_below,
        lambda c: _without_dimension(_typed_far_below(c)),
        lambda c: _in_excels_order(_typed_far_below(c)),
    ],
    ids=["as saved", "without its dimension", "parts in Excel's order"],
)
def test_a_row_numbered_100_000_000_is_refused_at_once_without_reading_the_rows(
    client, focal_point, submission, rows_read, craft
):
    client.force_login(focal_point)
    content = craft(download(client, submission))
    assert len(content) < 100_000
    before = snapshot(submission)

    started = time.monotonic()
    response = upload(client, submission, content)
    elapsed = time.monotonic() - started

    assert elapsed < 2, f"refusing took {elapsed:.1f} s"
    assert rows_read["rows"] == 0  # refused before openpyxl read a single row
    ((sheet, row, indicator, reason),) = problems(response)
    assert (sheet, row, indicator) == (SHEET_A, str(FAR_ROW), "—")
    assert reason.startswith(
        f"Something was typed far below the questionnaire: a sheet of this workbook has at most {MAX_ROWS_PER_SHEET} rows."
    )
    assert snapshot(submission) == before


def test_reading_rows_stops_at_the_row_cap_even_past_the_scan(client, focal_point, submission, rows_read, monkeypatch):
    """Defence in depth: were a part to escape the scan, openpyxl is never asked beyond the row cap."""
    monkeypatch.setattr(workbook, "_bounds_problems", lambda archive: [])
    client.force_login(focal_point)
    content = _typed_far_below(download(client, submission))

    started = time.monotonic()
    response = upload(client, submission, content)

    assert time.monotonic() - started < 2
    assert response.status_code == 200
    assert rows_read["rows"] <= 3 * (MAX_ROWS_PER_SHEET + 1)  # About, the domain sheet, _meta


def test_a_workbook_with_more_sheets_than_it_was_made_with_is_refused(client, focal_point, submission):
    client.force_login(focal_point)
    book = load_workbook(io.BytesIO(download(client, submission)))
    assert len(book.sheetnames) == 3  # About, the one domain the ministry is asked about, _meta
    book.create_sheet("My notes")["A1"] = "Ask the legal unit"
    buffer = io.BytesIO()
    book.save(buffer)
    before = snapshot(submission)

    response = upload(client, submission, buffer.getvalue())

    ((sheet, row, _indicator, reason),) = problems(response)
    assert (sheet, row) == ("—", "—")
    assert reason.startswith("The workbook has 4 sheets; the one downloaded here has 3. Do not add sheets")
    assert snapshot(submission) == before


def _many_cells(content):
    cells = "".join(
        f'<row r="{r}">' + "".join(f'<c r="{col}{r}"/>' for col in "PQRSTUVWXY") + "</row>"
        for r in range(2, MAX_CELLS // 10 + 3)
    )
    xml = _sheet_xml(content).replace(b"</sheetData>", cells.encode() + b"</sheetData>")
    return _replaced(content, "xl/worksheets/sheet2.xml", xml)


def _with_shared_strings(content, sst):
    """The workbook with a shared-strings part, as Excel and LibreOffice write one."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        files = {info.filename: archive.read(info) for info in archive.infolist()}
    override = (
        b'<Override PartName="/xl/sharedStrings.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml" /></Types>'
    )
    types = files["[Content_Types].xml"].replace(b"</Types>", override)
    return _zip(files | {"xl/sharedStrings.xml": sst, "[Content_Types].xml": types})


def _many_texts(content):
    strings = b"<si><t>x</t></si>" * (MAX_SHARED_STRINGS + 1)
    sst = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + strings + b"</sst>"
    return _with_shared_strings(content, sst)


def _many_parts(content):
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        files = {info.filename: archive.read(info) for info in archive.infolist()}
    return _zip(files | {f"customXml/item{n}.xml": b"<a/>" for n in range(MAX_PARTS)})


def _with_entities(content):
    bomb = b'<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><sst>&lol2;</sst>'
    return _with_shared_strings(content, bomb)


@pytest.mark.parametrize(
    ("craft", "reason"),
    [
        (_many_cells, f"The workbook has more than {MAX_CELLS} cells, far more than the questionnaire."),
        (_many_texts, f"The workbook holds more than {MAX_SHARED_STRINGS} different texts"),
        (_many_parts, "The workbook is too large once unpacked."),
        (_with_entities, "This file is not an Excel workbook (.xlsx)."),
    ],
    ids=["cells", "shared strings", "parts", "entities"],
)
def test_a_workbook_beyond_the_bounds_is_refused_fast(client, focal_point, submission, rows_read, craft, reason):
    client.force_login(focal_point)
    content = craft(download(client, submission))
    assert len(content) < MAX_UPLOAD_BYTES
    before = snapshot(submission)

    started = time.monotonic()
    response = upload(client, submission, content)

    assert time.monotonic() - started < 2
    assert rows_read["rows"] == 0
    ((_sheet, _row, _indicator, problem),) = problems(response)
    assert problem.startswith(reason)
    assert snapshot(submission) == before


def test_a_workbook_of_the_whole_mnr_framework_is_far_within_the_bounds(framework, country_a, coordinator):
    from capabilities.models import Sector
    from tests.factories import make_cycle

    ministry = OrganisationFactory(country=country_a, sector=Sector.objects.get(code="ministry"))
    cycle = make_cycle(country=country_a, framework_version=framework, organisations=[ministry], by=coordinator)
    submission = loaded(cycle.submissions.get())
    content = questionnaire_workbook(submission)
    scanner = workbook._PartScanner()
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for info in archive.infolist():
            with archive.open(info) as part:
                scanner.scan(part, info.filename)

    assert submission.answers.count() > 40
    assert scanner.cells * 10 < MAX_CELLS and scanner.elements * 10 < workbook.MAX_XML_ELEMENTS
    assert workbook_read(submission, io.BytesIO(content)).is_valid


def test_at_most_a_hundred_problems_are_listed_and_the_others_counted(client, focal_point, submission):
    client.force_login(focal_point)
    book = load_workbook(io.BytesIO(download(client, submission)))
    sheet = book[SHEET_A]
    for row in range(10, 160):  # 150 rows that were not in the downloaded workbook
        sheet.cell(row=row, column=COL_CODE, value="C01.1")
    buffer = io.BytesIO()
    book.save(buffer)

    response = upload(client, submission, buffer.getvalue())

    listed = problems(response)
    assert len(listed) == MAX_PROBLEMS
    assert listed[0][:3] == (SHEET_A, "10", "C01.1") and listed[-1][1] == "109"
    page = text(response)
    assert "Nothing was saved: the workbook has 150 problems." in page
    assert "… and 50 more problems, not listed: correct the ones above, then upload the file again" in page


# Conflicts --------------------------------------------------------------------------------------------------


def test_an_answer_changed_online_since_the_download_is_a_conflict_and_the_other_rows_are_saved(
    client, focal_point, second_focal_point, submission
):
    client.force_login(focal_point)
    content = download(client, submission)
    services.answer_save(
        answer=answer_of(submission, "C01.1"),
        choice="2",
        evidence="Board minutes 2025.",
        comment="",
        base_version=0,
        by=second_focal_point,
    )
    filled = fill(content, {"C01.1": {"answer": "0 – Not in place"}, "C01.2": {"answer": "1 – Building"}})

    response = upload(client, submission, filled)

    assert response.status_code == 200
    page = text(response)
    assert "Saved: 1 · unchanged: 1 · conflicts: 1." in page
    assert "Conflicts are not problems" in page
    conflicts = re.search(r'id="workbook-conflicts">(.*?)</table>', response.content.decode(), re.S).group(1)
    conflict_text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", conflicts)).split())
    assert f"{SHEET_A}, 2 C01.1 Level 0 Level 2 Board minutes 2025. saved by Sade Lindqvist" in conflict_text
    c011, c012 = answer_of(submission, "C01.1"), answer_of(submission, "C01.2")
    assert (c011.choice, c011.version, c011.updated_by) == ("2", 1, second_focal_point)
    assert (c012.choice, c012.version, c012.updated_by) == ("1", 1, focal_point)
    assert AnswerRevision.objects.get(answer=c012).source == AnswerRevision.Source.UPLOAD


def test_a_row_not_edited_in_the_file_leaves_an_answer_changed_online_as_it_is(
    client, focal_point, second_focal_point, submission
):
    client.force_login(focal_point)
    services.answer_save(
        answer=answer_of(submission, "C01.1"), choice="1", evidence="", comment="", base_version=0, by=focal_point
    )
    content = download(client, submission)
    services.answer_save(
        answer=answer_of(submission, "C01.1"),
        choice="2",
        evidence="Board minutes.",
        comment="",
        base_version=1,
        by=second_focal_point,
    )

    response = upload(client, submission, fill(content, {"C01.2": {"answer": "Not applicable"}}))

    assert "Saved: 1 · unchanged: 2 · conflicts: 0." in text(response)
    assert "1 answer was changed online after your download and not edited in your file" in text(response)
    c011 = answer_of(submission, "C01.1")
    assert (c011.choice, c011.version, c011.updated_by) == ("2", 2, second_focal_point)


# Who may, and when ------------------------------------------------------------------------------------


def test_the_questionnaire_links_to_the_offline_workbook(client, focal_point, coordinator, submission):
    client.force_login(focal_point)
    body = client.get(submission.get_absolute_url()).content.decode()
    assert download_url(submission) in body and upload_url(submission) in body

    client.force_login(coordinator)
    body = client.get(submission.get_absolute_url()).content.decode()
    assert download_url(submission) in body and upload_url(submission) not in body


def test_the_upload_page_explains_the_round_trip(client, focal_point, submission):
    client.force_login(focal_point)

    response = client.get(upload_url(submission))

    assert response.status_code == 200
    page = text(response)
    assert "if any row has a problem, nothing is saved" in page
    assert 'accept=".xlsx"' in response.content.decode()
    assert 'enctype="multipart/form-data"' in response.content.decode()


def test_a_closed_cycle_refuses_uploads_and_changes_nothing(client, focal_point, coordinator, submission, cycle):
    client.force_login(focal_point)
    content = fill(download(client, submission), {"C01.1": {"answer": "1 – Building"}})
    services.cycle_close(cycle=cycle, by=coordinator)
    before = snapshot(submission)

    response = upload(client, submission, content)

    assert response.status_code == 403
    assert "This cycle is closed: its answers are final and can no longer be changed." in text(response)
    assert client.get(upload_url(submission)).status_code == 403
    assert snapshot(submission) == before
    # A read-only copy can still be downloaded, and says so.
    about = load_workbook(io.BytesIO(download(client, submission)))["About"]
    assert "an upload of this file is refused" in " ".join(str(c.value) for row in about for c in row if c.value)


def test_a_submitted_questionnaire_refuses_uploads(client, focal_point, submission):
    client.force_login(focal_point)
    content = fill(download(client, submission), {"C01.1": {"answer": "1 – Building"}})
    services.submission_submit(submission=submission, by=focal_point, confirm_unanswered=True)
    before = snapshot(submission)

    response = upload(client, submission, content)

    assert response.status_code == 403
    assert "This questionnaire is submitted and can no longer be changed." in text(response)
    assert snapshot(submission) == before


@pytest.mark.parametrize("persona", ["observer", "outsider"])
def test_observers_and_outsiders_get_404_for_the_workbook(client, request, submission, persona):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(download_url(submission)).status_code == 404
    assert client.get(upload_url(submission)).status_code == 404
    assert upload(client, submission, b"anything").status_code == 404


def test_the_coordinator_downloads_a_copy_but_may_not_upload(client, focal_point, coordinator, submission):
    client.force_login(focal_point)
    content = fill(download(client, submission), {"C01.1": {"answer": "1 – Building"}})
    client.force_login(coordinator)
    before = snapshot(submission)

    assert client.get(download_url(submission)).status_code == 200
    assert client.get(upload_url(submission)).status_code == 403
    assert upload(client, submission, content).status_code == 403
    assert snapshot(submission) == before


def test_a_focal_point_of_another_organisation_cannot_upload_its_workbook_here(
    client, focal_point, coordinator, cycle, country_a, submission
):
    police = OrganisationFactory(country=country_a, name="National Police", sector=SectorFactory(code="ngo"))
    other = services.cycle_add_organisation(cycle=cycle, organisation=police, by=coordinator)
    officer = UserFactory(username="pia")
    FocalPointRoleFactory(user=officer, organisation=police)
    client.force_login(officer)

    assert client.get(download_url(submission)).status_code == 404
    assert upload(client, submission, questionnaire_workbook(loaded(other))).status_code == 404
