"""The secretariat sees aggregates only, and a country's report only with that country's sharing consent."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from assessments.models import AuditEvent
from network import services
from network.exports import HEADER

pytestmark = pytest.mark.django_db


def test_the_secretariat_gets_404_on_a_country_report_without_the_sharing_consent_and_200_with_it(
    client, build_country, secretariat
):
    country = build_country(1, levels={1: 2}, consents=("aggregates",))
    url = reverse("network:shared_report", args=[country.cycle.pk])
    client.force_login(secretariat)

    assert client.get(url).status_code == 404

    services.consent_give(cycle=country.cycle, kind="secretariat", by=country.coordinator)
    response = client.get(url)
    assert response.status_code == 200
    assert country.name in response.content.decode()
    assert AuditEvent.objects.filter(action="shared_report_viewed", cycle=country.cycle).exists()

    services.consent_withdraw(cycle=country.cycle, kind="secretariat", by=country.coordinator)
    assert client.get(url).status_code == 404


def test_the_secretariat_gets_404_on_every_country_level_page(client, build_country, secretariat):
    country = build_country(1, levels={1: 2}, consents=("aggregates", "secretariat"))
    client.force_login(secretariat)
    cycle = country.cycle
    for url in (
        cycle.get_absolute_url(),
        reverse("reports:cycle_analysis", args=[cycle.pk]),
        reverse("reports:report_page", args=[cycle.pk]),
        reverse("reports:export_csv", args=[cycle.pk]),
        reverse("plans:plan_page", args=[cycle.pk]),
        reverse("network:consent", args=[cycle.pk]),
        cycle.submissions.first().get_absolute_url(),
    ):
        assert client.get(url).status_code == 404, url


def test_a_regional_secretariat_sees_its_regions_countries_only(client, build_country, regional_secretariat, region):
    inside = build_country(1, levels={1: 2}, regions=[region], consents=("secretariat",))
    outside = build_country(2, levels={1: 2}, consents=("secretariat",))
    client.force_login(regional_secretariat)

    assert client.get(reverse("network:shared_report", args=[inside.cycle.pk])).status_code == 200
    assert client.get(reverse("network:shared_report", args=[outside.cycle.pk])).status_code == 404
    body = client.get(reverse("network:shared_list")).content.decode()
    assert inside.name in body and outside.name not in body


def test_coordinators_may_not_open_the_secretariat_pages(client, build_country):
    country = build_country(1, levels={1: 2}, consents=("secretariat",))
    other = build_country(2, levels={1: 2})
    client.force_login(other.coordinator)

    assert client.get(reverse("network:aggregates")).status_code == 403
    assert client.get(reverse("network:aggregates_csv")).status_code == 403
    assert client.get(reverse("network:shared_report", args=[country.cycle.pk])).status_code == 404


def test_the_export_has_the_documented_columns_and_no_country(client, build_country, secretariat, region):
    for n in range(6):
        build_country(n, levels={1: 2 if n < 5 else 0, 3: 1, 4: 3}, regions=[region])
    client.force_login(secretariat)

    response = client.get(reverse("network:aggregates_csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == HEADER
    network_cap1 = next(r for r in rows if r[1] == "network" and r[2] == "capability" and r[3] == "1")
    # 5 at level 2 and 1 at level 0: level 0 is hidden, and with it the next smallest (a zero).
    assert network_cap1[5:11] == ["6", "", "", "5", "0", "0"]
    assert network_cap1[11] == ""
    assert any(r[1] == "west" for r in rows)
    assert "Nation" not in response.content.decode()

    book = load_workbook(io.BytesIO(client.get(reverse("network:aggregates_xlsx")).content))
    assert [c.value for c in next(book.active.iter_rows(max_row=1))] == HEADER
    assert AuditEvent.objects.filter(action="aggregates_exported").count() == 2


def test_consents_are_given_for_a_closed_cycle_only_by_its_coordinator(client, cycle, coordinator, outsider):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(ValidationError, match="closed cycle"):
        services.consent_give(cycle=cycle, kind="aggregates", by=coordinator)
    from assessments import services as assessment_services

    assessment_services.cycle_close(cycle=cycle, by=coordinator)
    with pytest.raises(PermissionDenied):
        services.consent_give(cycle=cycle, kind="aggregates", by=outsider)
    consent = services.consent_give(cycle=cycle, kind="aggregates", by=coordinator)
    assert consent.given_by == coordinator and consent.given_at is not None
    with pytest.raises(ValidationError, match="already given"):
        services.consent_give(cycle=cycle, kind="aggregates", by=coordinator)


def test_the_consent_page_says_what_each_choice_shows_and_records_withdrawal(client, cycle, coordinator):
    from assessments import services as assessment_services

    assessment_services.cycle_close(cycle=cycle, by=coordinator)
    client.force_login(coordinator)
    page = reverse("network:consent", args=[cycle.pk])
    body = client.get(page).content.decode()
    assert "Nothing is shared unless you choose it here" in body
    assert "Nobody else sees them" in body

    client.post(reverse("network:consent_give", args=[cycle.pk, "secretariat"]))
    client.post(reverse("network:consent_withdraw", args=[cycle.pk, "secretariat"]))
    client.post(reverse("network:consent_give", args=[cycle.pk, "exchange"]), {})  # no capability: refused
    body = client.get(page).content.decode()
    assert "withdrawn by" in body
    from network.models import Consent

    assert Consent.objects.filter(cycle=cycle).count() == 1
    assert not Consent.objects.current().exists()
