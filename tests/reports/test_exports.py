"""All answers of a cycle as XLSX and CSV: one row per organisation × indicator, safe to open in a spreadsheet."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from assessments.models import AuditEvent
from reports.exports import HEADERS, RESULT_HEADERS, neutralise, neutralise_csv
from tests.reports.conftest import answer_set

pytestmark = pytest.mark.django_db

FORMULAS = {
    # organisation fixture, indicator: evidence a spreadsheet would otherwise run
    ("organisation", "C01.2"): "=cmd|' /C calc'!A0",
    ("police", "C04.1"): "+1",
    ("police", "C04.2"): "-2",
    ("ngo", "C04.2"): "@SUM(1)",
}


def xlsx_rows(content):
    sheet = load_workbook(io.BytesIO(content), read_only=True)["Answers"]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def csv_rows(content):
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def export(client, cycle, fmt):
    return client.get(reverse(f"reports:export_{fmt}", args=[cycle.pk]))


@pytest.fixture
def exported_cycle(seeded_cycle, organisation, police, ngo, focal_point, request):
    answer_set(
        seeded_cycle,
        organisation,
        "C03.1",
        "2",
        evidence="Penal code art. 201, in force since 2021.",
        comment="Grooming of under-16s only.",
        by=focal_point,
    )
    for (fixture, code), text in FORMULAS.items():
        org = request.getfixturevalue(fixture)
        choice = {"C01.2": "0", "C04.1": "1", "C04.2": "2" if fixture == "police" else "dk"}[code]
        answer_set(seeded_cycle, org, code, choice, evidence=text, comment=text, by=focal_point)
    return seeded_cycle


def test_xlsx_has_one_row_per_organisation_and_indicator_with_who_and_when(client, coordinator, exported_cycle):
    client.force_login(coordinator)

    response = export(client, exported_cycle, "xlsx")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == f'attachment; filename="MNR-answers-AA-{exported_cycle.pk}.xlsx"'
    header, *rows = xlsx_rows(response.content)
    assert header == HEADERS
    # 3 organisations × the 3 indicators each one's sector is asked.
    assert [(r[0], r[5]) for r in rows] == [
        ("Child Rights NGO", "C01.1"),
        ("Child Rights NGO", "C03.1"),
        ("Child Rights NGO", "C04.2"),
        ("Ministry of Interior", "C01.1"),
        ("Ministry of Interior", "C01.2"),
        ("Ministry of Interior", "C03.1"),
        ("National Police", "C03.1"),
        ("National Police", "C04.1"),
        ("National Police", "C04.2"),
    ]
    ministry_c03 = dict(zip(HEADERS, rows[5], strict=True))
    assert ministry_c03 == {
        "Organisation": "Ministry of Interior",
        "Sector": "Government ministry",
        "Questionnaire status": "Accepted",
        "Domain": "A. Policy and governance",
        "Capability": "3. Legislation",
        "Indicator": "C03.1",
        "Question": "Is online grooming an offence?",
        "Answer": "Level 2",
        "Level": 2,
        "Evidence": "Penal code art. 201, in force since 2021.",
        "Comment": "Grooming of under-16s only.",
        "Last changed by": "Farid Osei",
        "Last changed at (UTC)": "2026-03-04 10:15",
    }
    ngo_c04 = dict(zip(HEADERS, rows[2], strict=True))
    assert (ngo_c04["Answer"], ngo_c04["Level"]) == ("Don't know", None)


def test_csv_has_the_same_rows_as_text(client, coordinator, exported_cycle):
    client.force_login(coordinator)

    response = export(client, exported_cycle, "csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="MNR-answers-AA-{exported_cycle.pk}.csv"'
    assert response.content.startswith("\ufeff".encode())
    header, *rows = csv_rows(response.content)
    assert header == HEADERS
    assert len(rows) == 9
    ministry_c03 = dict(zip(HEADERS, rows[5], strict=True))
    assert (ministry_c03["Indicator"], ministry_c03["Level"], ministry_c03["Comment"]) == (
        "C03.1",
        "2",
        "Grooming of under-16s only.",
    )
    assert (ministry_c03["Last changed by"], ministry_c03["Last changed at (UTC)"]) == (
        "Farid Osei",
        "2026-03-04 10:15",
    )


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_cells_a_spreadsheet_would_run_as_formulas_start_with_an_apostrophe(client, coordinator, exported_cycle, fmt):
    client.force_login(coordinator)

    response = export(client, exported_cycle, fmt)

    rows = xlsx_rows(response.content) if fmt == "xlsx" else csv_rows(response.content)
    evidence, comment = HEADERS.index("Evidence"), HEADERS.index("Comment")
    written = {row[evidence] for row in rows[1:]} | {row[comment] for row in rows[1:]}
    for text in FORMULAS.values():
        assert "'" + text in written
        assert text not in written


def test_xlsx_stores_formula_like_text_as_text_not_formulas(client, coordinator, exported_cycle):
    client.force_login(coordinator)

    sheet = load_workbook(io.BytesIO(export(client, exported_cycle, "xlsx").content))["Answers"]

    types = {cell.data_type for row in sheet.iter_rows(min_row=2) for cell in row}
    assert "f" not in types
    assert types <= {"s", "inlineStr", "n"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("\t=1", "'\t=1"),
        ("A law of 2019", "A law of 2019"),
        ("", ""),
        (3, 3),
        (None, None),
    ],
)
def test_neutralise_prefixes_only_text_that_starts_like_a_formula(value, expected):
    assert neutralise(value) == expected


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_export_download_is_audited(client, coordinator, exported_cycle, fmt):
    client.force_login(coordinator)

    export(client, exported_cycle, fmt)

    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT_DOWNLOADED)
    assert (event.user, event.cycle_id, event.country_id, event.detail) == (
        coordinator,
        exported_cycle.pk,
        exported_cycle.country_id,
        fmt,
    )


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize(("persona", "status"), [("observer", 403), ("outsider", 404), ("focal_point", 403)])
def test_only_the_coordinator_can_export_answers(client, exported_cycle, persona, status, fmt, request):
    client.force_login(request.getfixturevalue(persona))

    assert export(client, exported_cycle, fmt).status_code == status
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT_DOWNLOADED).exists()


def test_export_reads_all_answers_in_one_query(exported_cycle, django_assert_num_queries):
    from reports.exports import answer_rows

    # One query: answers joined to submission, organisation, sector, indicator, capability, domain, updated_by.
    with django_assert_num_queries(1):
        rows = list(answer_rows(exported_cycle))
    assert len(rows) == 9


# Spreadsheets that split CSV on ";" (French and Spanish locales) --------------------------------------

SEMICOLON_TEXT = "see report;=1+1;"


def _formula_cells(rows):
    return [cell for row in rows for cell in row if cell.lstrip(" ").startswith(("=", "+", "-", "@"))]


def test_a_csv_value_with_semicolons_yields_no_formula_cell_whichever_separator_the_spreadsheet_uses(
    client, coordinator, exported_cycle, organisation, focal_point
):
    answer_set(exported_cycle, organisation, "C01.1", "3", evidence=SEMICOLON_TEXT, comment="a; -2; @x", by=focal_point)
    client.force_login(coordinator)

    text = export(client, exported_cycle, "csv").content.decode("utf-8-sig")

    by_comma = list(csv.reader(io.StringIO(text, newline="")))
    by_semicolon = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    naive = [line.split(";") for line in text.splitlines()]  # a program that ignores the quotes
    for rows in (by_comma, by_semicolon, naive):
        assert _formula_cells(rows) == [], rows
    # Split on commas, the text is kept whole (an apostrophe before the part a spreadsheet would run).
    ministry = next(r for r in by_comma if r[0] == "Ministry of Interior" and r[5] == "C01.1")
    assert ministry[HEADERS.index("Evidence")] == "see report;'=1+1;"
    assert ministry[HEADERS.index("Comment")] == "a; '-2; '@x"
    # Every field is quoted, so a ";" inside a value never starts a new cell where quotes are honoured.
    assert all(line.startswith('"') for line in text.splitlines() if line)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("see report;=1+1;", "see report;'=1+1;"),
        ("=1;+2", "'=1;'+2"),
        ("a;b", "a;b"),
        ("levels 1; 2", "levels 1; 2"),
        (2, 2),
    ],
)
def test_neutralise_csv_also_guards_what_follows_a_semicolon(value, expected):
    assert neutralise_csv(value) == expected


# The national results sheet -----------------------------------------------------------------------------


def result_rows(content):
    sheet = load_workbook(io.BytesIO(content), read_only=True)["National results"]
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    return header, [dict(zip(header, row, strict=True)) for row in rows]


def test_xlsx_has_a_national_results_sheet_beside_the_answers(client, coordinator, seeded_cycle):
    from capabilities.models import Capability
    from reports.services import validated_level_set

    validated_level_set(
        cycle=seeded_cycle,
        capability=Capability.objects.get(version=seeded_cycle.framework_version, number=3),
        level=3,
        rationale="=The 2025 amendment criminalised grooming.",
        by=coordinator,
    )
    client.force_login(coordinator)

    content = export(client, seeded_cycle, "xlsx").content

    assert load_workbook(io.BytesIO(content), read_only=True).sheetnames == [
        "Answers",
        "National results",
        "Reported figures",
        "National figures",
    ]
    header, rows = result_rows(content)
    assert header == RESULT_HEADERS
    assert [r["Capability"] for r in rows] == ["1. Leadership", "3. Legislation", "4. Dedicated law enforcement"]
    leadership, legislation, unit = rows
    assert leadership | {} == {
        "Domain": "A. Policy and governance",
        "Capability": "1. Leadership",
        "National level": 1.5,
        "Computed median": 1.5,
        "Target": 3,
        "Gap": 1.5,
        "Above target by": None,
        "Lowest organisation score": 1,
        "Highest organisation score": 2,
        "Spread": 1,
        "Organisations scoring": 2,
        "Coverage": 1,
        "Contested": "no",
        "Data gap": "no",
        "Validated level": None,
        "Validated by": None,
        "Rationale": None,
    }
    # Validated at 3 over a 0–2 disagreement: resolved, gap 0, with who and why (neutralised like every cell).
    assert (legislation["National level"], legislation["Computed median"], legislation["Gap"]) == (3, 1, 0)
    assert (legislation["Spread"], legislation["Contested"]) == (2, "resolved by the validated level")
    assert (legislation["Validated level"], legislation["Validated by"]) == (3, "Cora Mendes")
    assert legislation["Rationale"] == "'=The 2025 amendment criminalised grooming."
    # Level rounded once as the report prints it: 1.25 → 1.3, gap 1.7.
    assert (unit["National level"], unit["Computed median"], unit["Gap"], unit["Data gap"]) == (1.3, 1.3, 1.7, "yes")


def test_a_capability_above_target_has_no_negative_gap_in_the_results_sheet(client, coordinator, seeded_cycle):
    seeded_cycle.targets.update(target_level=1)
    client.force_login(coordinator)

    _header, rows = result_rows(export(client, seeded_cycle, "xlsx").content)

    unit = rows[2]
    assert (unit["Gap"], unit["Above target by"]) == (0, 0.3)
    assert all(r["Gap"] is None or r["Gap"] >= 0 for r in rows)
