"""Across cycles: carrying unfinished actions over (history kept) and the "done but level unchanged" signal.

Two cycles of country A (tests/reports/conftest.py): last year capability 1 stood at 1.0 and capability 3
at 0; this year the coordinator validates capability 1 at 1 (unchanged) while capability 3 rose to 1.0.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from capabilities.models import Capability
from plans import queries, services
from plans.models import Action, Funding, Milestone
from reports.consolidation import cycle_report_data
from reports.models import ValidatedLevel

from .conftest import add_action

pytestmark = pytest.mark.django_db


@pytest.fixture
def last_years_plan(previous_cycle, coordinator, organisation, focal_point):
    plan = services.plan_create(cycle=previous_cycle, currency="EUR", by=coordinator)
    council = add_action(plan, coordinator, number=1, cost="5000", lead=organisation, title="Fund the council")
    law = add_action(plan, coordinator, number=3, cost="2000", lead=organisation, title="Draft the law")
    unit = add_action(plan, coordinator, number=4, cost="9000", lead=organisation, title="Set up the unit")
    services.funding_add(action=unit, source="donor", funder="Fund X", amount=Decimal("4000"), by=coordinator)
    services.milestone_add(action=unit, title="Head recruited", due_on=previous_cycle.closes_on, by=coordinator)
    services.progress_post(
        action=council, by=focal_point, status="done", progress=100, note="Budget voted.", spent=Decimal("5000")
    )
    services.progress_post(action=law, by=focal_point, status="done", progress=100, note="Law adopted.")
    services.progress_post(action=unit, by=focal_point, status="in_progress", progress=40, note="Two officers hired.")
    return plan


def test_unfinished_actions_are_offered_and_carried_over_with_their_history(
    client, last_years_plan, seeded_cycle, coordinator, focal_point
):
    plan = services.plan_create(cycle=seeded_cycle, currency="EUR", by=coordinator)
    previous, candidates = queries.carry_over_candidates(plan)
    assert previous == last_years_plan and [a.title for a in candidates] == ["Set up the unit"]  # done ones stay
    client.force_login(coordinator)
    assert "Unfinished actions of" in client.get(reverse("plans:plan_page", args=[seeded_cycle.pk])).content.decode()

    client.post(reverse("plans:actions_carry_over", args=[seeded_cycle.pk]), {"action": [candidates[0].pk]})

    carried = Action.objects.get(plan=plan)
    assert (carried.title, carried.status, carried.progress, carried.carried_from) == (
        "Set up the unit",
        "in_progress",
        40,
        candidates[0],
    )
    assert list(Funding.objects.filter(action=carried).values_list("funder", "amount")) == [("Fund X", Decimal("4000"))]
    assert Milestone.objects.filter(action=carried).count() == 1
    client.force_login(focal_point)
    body = client.get(reverse("plans:action_detail", args=[carried.pk])).content.decode()
    assert "Carried over from the plan of" in body and "Two officers hired." in body
    with pytest.raises(ValidationError, match="not been carried over yet"):
        services.actions_carry_over(plan=plan, action_ids=[candidates[0].pk], by=coordinator)
    # The earlier plan is final now: its actions are continued in the new plan.
    with pytest.raises(ValidationError, match="continues it"):
        services.action_update(action=candidates[0], base_version=candidates[0].version, by=coordinator, title="x")


def test_actions_done_and_level_unchanged_is_called_out(last_years_plan, seeded_cycle, coordinator):
    ValidatedLevel.objects.create(
        cycle=seeded_cycle,
        capability=Capability.objects.get(version=seeded_cycle.framework_version, number=1),
        level=1,
        rationale="The council still has no budget in practice.",
        set_by=coordinator,
    )
    data = cycle_report_data(seeded_cycle)

    rows = {r["number"]: r for r in queries.did_it_work(queries.plan_actions(last_years_plan), data)}

    assert (rows[1]["done"], rows[1]["previous"], rows[1]["level"], rows[1]["spent"], rows[1]["flag"]) == (
        1,
        1.0,
        1,
        Decimal("5000"),
        True,
    )
    assert (rows[3]["done"], rows[3]["delta"], rows[3]["flag"]) == (1, 1.0, False)  # level rose
    assert (rows[4]["done"], rows[4]["not_done"], rows[4]["flag"]) == (0, 1, False)  # nothing done yet


def test_the_signal_shows_on_the_next_cycles_plan_page(client, last_years_plan, seeded_cycle, coordinator):
    ValidatedLevel.objects.create(
        cycle=seeded_cycle,
        capability=Capability.objects.get(version=seeded_cycle.framework_version, number=1),
        level=1,
        rationale="Unchanged.",
        set_by=coordinator,
    )
    services.plan_create(cycle=seeded_cycle, currency="EUR", by=coordinator)
    client.force_login(coordinator)

    body = client.get(reverse("plans:plan_page", args=[seeded_cycle.pk])).content.decode()

    assert "Did it work?" in body and body.count("Actions done, level unchanged") == 1
