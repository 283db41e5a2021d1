"""The plan's actions as XLSX with their latest update; formula-looking text is neutralised."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from plans import services

from .conftest import add_action

pytestmark = pytest.mark.django_db


def test_the_export_lists_each_action_with_money_and_its_latest_update(client, plan, coordinator, action, focal_point):
    services.funding_add(
        action=action, source="donor", funder='=HYPERLINK("x")', amount=Decimal("2500.25"), by=coordinator
    )
    services.progress_post(action=action, by=focal_point, status="in_progress", progress=10, note="First step.")
    services.progress_post(action=action, by=focal_point, status="in_progress", progress=30, note="+Second step")
    add_action(plan, coordinator, number=3, title="@SUM(A1)")
    client.force_login(focal_point)  # focal points of the country read the plan

    response = client.get(reverse("plans:plan_export", args=[plan.cycle_id]))

    assert response.status_code == 200 and "MNR-action-plan-AA-" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    first = dict(zip(header, rows[1], strict=True))
    assert first["Action"] == "Fund the national council"
    assert first["Lead organisation"] == "Ministry of Interior"
    assert (first["Estimated cost (EUR)"], first["Funded (EUR)"], first["Funding gap (EUR)"]) == (
        10000,
        2500.25,
        7499.75,
    )
    assert first["Latest update"] == "'+Second step" and first["Progress (%)"] == 30
    assert first["Funding sources"] == 'Donor: =HYPERLINK("x") 2500.25'  # text in a cell, not a formula
    second = dict(zip(header, rows[2], strict=True))
    assert second["Action"] == "'@SUM(A1)"
    assert not any(isinstance(v, str) and v.startswith(("=", "+", "@")) for row in rows for v in row)
