"""All answers of a cycle as XLSX and CSV: one row per organisation × indicator, safe to open in a spreadsheet."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from assessments.models import AuditEvent
from reports.exports import HEADERS, neutralise
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
