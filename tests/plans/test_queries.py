"""The plan page, the action export and 'our actions' run a fixed number of queries, at 5 actions as at 50."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from plans import queries
from plans.models import Action, Funding, ProgressUpdate

from .conftest import capability

pytestmark = pytest.mark.django_db


def add_actions(plan, n, *, lead, by, police):
    """``n`` actions spread over the three capabilities, each funded twice, supported, with an update."""
    caps = [capability(plan, number) for number in (1, 3, 4)]
    start = Action.objects.count()
    actions = Action.objects.bulk_create(
        Action(
            plan=plan,
            capability=caps[i % 3],
            title=f"Action {start + i}",
            lead_organisation=lead,
            estimated_cost=Decimal("1000.00"),
            due_on=date.today() + timedelta(days=i - n // 2),
            version=1,
        )
        for i in range(n)
    )
    Funding.objects.bulk_create(
        Funding(action=a, source=source, funder="F", amount=Decimal("100.00"))
        for a in actions
        for source in ("donor", "national_budget")
    )
    ProgressUpdate.objects.bulk_create(
        ProgressUpdate(action=a, status="in_progress", progress=10, note="Started.", by=by, at=timezone.now())
        for a in actions
    )
    for a in actions:
        a.supporting_organisations.add(police)
        a.other_capabilities.add(caps[(actions.index(a) + 1) % 3])


def page_queries(client, url):
    client.get(url)  # the first request after logging in also touches the session
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response


def test_plan_actions_runs_six_queries_whatever_the_number_of_actions(
    plan, coordinator, organisation, police, django_assert_num_queries
):
    # actions (with capability, domain, lead, editor, suggestion, carried-from), then prefetches of
    # other capabilities, supporting organisations, funding, milestones, updates (with their authors).
    add_actions(plan, 5, lead=organisation, by=coordinator, police=police)
    with django_assert_num_queries(6):
        assert len(queries.plan_actions(plan)) == 5
    add_actions(plan, 45, lead=organisation, by=coordinator, police=police)
    with django_assert_num_queries(6):
        actions = queries.plan_actions(plan)
    assert len(actions) == 50 and actions[0].funded == Decimal("200.00")


@pytest.mark.parametrize("persona", ["coordinator", "focal_point", "observer"])
def test_the_plan_page_runs_the_same_queries_at_5_and_at_50_actions(
    client, plan, organisation, police, coordinator, focal_point, observer, persona
):
    people = {"coordinator": coordinator, "focal_point": focal_point, "observer": observer}
    client.force_login(people[persona])
    url = reverse("plans:plan_page", args=[plan.cycle_id])
    add_actions(plan, 5, lead=organisation, by=coordinator, police=police)
    five, response = page_queries(client, url)
    assert response.content.decode().count('<tr id="action-') == 5
    add_actions(plan, 45, lead=organisation, by=coordinator, police=police)
    fifty, response = page_queries(client, url)

    assert response.content.decode().count('<tr id="action-') == 50
    assert five == fifty, f"{persona}: {five} queries at 5 actions, {fifty} at 50"
    assert fifty == EXPECTED[persona], fifty


# Readers (15): session, user, roles, the cycle, the plan, the 6 of plan_actions, the framework's domains,
# the latest endorsed revision, the organisations for the filter, the last PDF jobs.
# The coordinator (35) adds: the second-factor device, the check that no later plan supersedes this one, the
# look-up of the previous plan (to offer carrying over),
# the 15 queries of cycle_report_data (13, and the version's tags and their links) for the suggestions, the dismissed suggestions and their count,
# and the good-practice library's entries on the suggested capabilities (network's capability_resources).
EXPECTED = {"coordinator": 36, "focal_point": 15, "observer": 15}


def test_our_actions_on_the_home_page_run_the_same_queries_at_5_and_at_50(
    client, plan, organisation, police, coordinator, focal_point
):
    client.force_login(focal_point)
    add_actions(plan, 5, lead=organisation, by=coordinator, police=police)
    five, response = page_queries(client, reverse("home"))
    assert "Our actions" in response.content.decode()
    add_actions(plan, 45, lead=organisation, by=coordinator, police=police)
    fifty, response = page_queries(client, reverse("home"))
    assert response.content.decode().count("/actions/") == 50
    assert five == fifty


def test_the_export_runs_the_same_queries_at_5_and_at_50_actions(client, plan, organisation, police, coordinator):
    client.force_login(coordinator)
    url = reverse("plans:plan_export", args=[plan.cycle_id])
    add_actions(plan, 5, lead=organisation, by=coordinator, police=police)
    five, _response = page_queries(client, url)
    add_actions(plan, 45, lead=organisation, by=coordinator, police=police)
    fifty, _response = page_queries(client, url)
    assert five == fifty
