"""Money as each language writes it, on the plan page; the XLSX export keeps numbers numeric."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from assessments.models import Profile
from plans.money import money

from .conftest import add_action

pytestmark = pytest.mark.django_db
LRI, PDI = "\u2066", "\u2069"


@pytest.mark.parametrize(
    "language, expected",
    [
        ("en", "USD 1,140,000.00"),
        ("fr", "1\xa0140\xa0000,00 USD"),
        ("es", "1\xa0140\xa0000,00 USD"),
        ("ar", f"{LRI}1.140.000,00{PDI} {LRI}USD{PDI}"),  # amount first (on the right), grouped
    ],
)
def test_an_amount_is_grouped_and_carries_its_currency_as_the_language_writes_it(language, expected):
    with translation.override(language):
        assert money(Decimal("1140000"), "USD") == expected


def test_small_and_negative_amounts_keep_two_decimals():
    with translation.override("en"):
        assert (money(Decimal("0"), "EUR"), money(Decimal("-5.5"), "EUR")) == ("EUR 0.00", "EUR -5.50")


@pytest.mark.parametrize(
    "language, total",
    [("en", "EUR 1,140,000.00"), ("fr", "1\xa0140\xa0000,00 EUR"), ("ar", f"{LRI}1.140.000,00{PDI} {LRI}EUR{PDI}")],
)
def test_the_plan_page_shows_money_in_the_users_language(client, plan, coordinator, organisation, language, total):
    add_action(plan, coordinator, number=3, cost="1140000", lead=organisation, title="Draft the law")
    Profile.objects.update_or_create(user=coordinator, defaults={"language": language})
    client.force_login(coordinator)

    body = client.get(reverse("plans:plan_page", args=[plan.cycle_id])).content.decode()

    assert f'<div class="fs-4 fw-semibold" id="total-gap">{total}</div>' in body
    assert body.count(total) >= 4  # cost and gap cards, the domain's totals


def test_the_xlsx_export_keeps_amounts_numeric(client, plan, coordinator):
    add_action(plan, coordinator, number=3, cost="1140000.50", title="Draft the law")
    client.force_login(coordinator)

    response = client.get(reverse("plans:plan_export", args=[plan.cycle_id]))

    sheet = load_workbook(
        io.BytesIO(b"".join(response.streaming_content if response.streaming else [response.content]))
    ).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert 1140000.5 in values and not any(isinstance(v, str) and "1,140,000" in v for v in values)
