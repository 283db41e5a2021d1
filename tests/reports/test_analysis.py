"""The analysis page: what the coordinator and an observer see (see tests/reports/conftest.py for the figures)."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from assessments.models import Submission
from capabilities.models import Capability
from reports.services import validated_level_set
from tests.reports.conftest import submission_status_set

pytestmark = pytest.mark.django_db

TOO_FEW = "too few answers to show"


def analysis(client, user, cycle, language=None):
    client.force_login(user)
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    response = client.get(reverse("reports:cycle_analysis", args=[cycle.pk]), **headers)
    assert response.status_code == 200
    return response.content.decode()


def chart_row(body, title):
    profile = body.split('class="chart domain-profile"', 1)[1].split("</figure>", 1)[0]
    # By its text: an English fallback title sits in a <span lang="en"> of its own.
    return next(row for row in profile.split("<tr>") if title in re.sub(r"<[^>]+>", "", row))


def test_with_one_included_organisation_an_observer_sees_no_level_and_the_coordinator_does(
    client, observer, coordinator, seeded_cycle, police, ngo
):
    submission_status_set(seeded_cycle, police, Submission.Status.DRAFT)
    submission_status_set(seeded_cycle, ngo, Submission.Status.DRAFT)

    observed = analysis(client, observer, seeded_cycle)
    coordinated = analysis(client, coordinator, seeded_cycle)

    # The ministry alone: capability 3 at 2.0 (its own score) for the coordinator only.
    assert TOO_FEW in chart_row(observed, "3. Legislation")
    assert 'class="value">2.0<' not in chart_row(observed, "3. Legislation")
    assert 'class="value">2.0<' in chart_row(coordinated, "3. Legislation")
    assert TOO_FEW not in coordinated
    # No ranked gap or contested range gives a level away, and the page says why the lists are empty.
    assert "No capability shown here is below its target." in observed
    assert "No capability shown here is contested." in observed
    assert observed.count("3 capabilities are left out here: too few answers to show.") == 2
    assert 'id="small-numbers"' in observed and 'id="small-numbers"' not in coordinated


def test_an_observer_sees_levels_three_organisations_carry_and_too_few_answers_for_the_others(
    client, observer, seeded_cycle
):
    body = analysis(client, observer, seeded_cycle)

    assert 'class="value">1.0<' in chart_row(body, "3. Legislation")
    assert TOO_FEW in chart_row(body, "1. Leadership")  # two organisations
    assert TOO_FEW in chart_row(body, "4. Dedicated law enforcement")  # one
    table = body.split('id="chart-data"', 1)[1].split("</details>", 1)[0]
    assert table.count(TOO_FEW) == 2
    ranked = body.split('id="ranked-gaps"', 1)[1].split("</table>", 1)[0]
    assert "3. Legislation" in ranked and "1. Leadership" not in ranked


def test_a_validated_disagreement_shows_as_resolved_with_its_rationale(client, coordinator, seeded_cycle):
    validated_level_set(
        cycle=seeded_cycle,
        capability=Capability.objects.get(version=seeded_cycle.framework_version, number=3),
        level=2,
        rationale="Agreed at the national meeting of 3 March.",
        by=coordinator,
    )

    body = analysis(client, coordinator, seeded_cycle)

    contested = body.split('id="h-contested"', 1)[1].split('id="h-datagaps"', 1)[0]
    assert "No capability remains contested" in contested
    assert "3. Legislation: organisation scores 0.0–2.0, validated at 2 (computed median 1.0)." in contested
    assert "Agreed at the national meeting of 3 March." in contested
    ranked = body.split('id="ranked-gaps"', 1)[1].split("</table>", 1)[0]
    legislation = next(row for row in ranked.split("<tr>") if "3. Legislation" in row)
    assert "resolved" in legislation and "contested" not in legislation


def test_the_analysis_page_is_in_the_users_language_with_its_decimal_comma(client, coordinator, seeded_cycle):
    try:
        body = analysis(client, coordinator, seeded_cycle, language="fr")
    finally:
        translation.activate("en")  # the request left French active in this thread

    assert 'class="value">1,5<' in chart_row(body, "1. Leadership")
    assert "Légende" in body
