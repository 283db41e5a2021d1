"""seed_demo gives Demoland a plausible plan: 15–25 actions, costs, some overdue, some done, endorsed."""

import io

import pytest
from django.core.management import call_command

from plans import queries
from plans.models import Action, Plan, ProgressUpdate

pytestmark = pytest.mark.django_db


def test_seed_demo_gives_demoland_a_plan_and_running_it_twice_adds_nothing(framework, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())

    plan = Plan.objects.select_related("cycle__country").get(cycle__status="open")
    actions = queries.plan_actions(plan)
    totals = queries.plan_totals(actions)
    assert plan.cycle.country.name == "Demoland" and plan.cycle.status == "open" and plan.revision == 1
    assert 15 <= len(actions) <= 25
    assert sum(a.overdue for a in actions) >= 3
    assert sum(a.status == Action.Status.DONE for a in actions) >= 3
    assert 0 < totals.funded < totals.cost
    assert all(a.lead_organisation for a in actions)
    assert ProgressUpdate.objects.filter(by__username__startswith="fp.").exists()
    # The 2024 plan: done actions for "did it work?", an unfinished one offered for carrying over.
    previous, candidates = queries.carry_over_candidates(plan)
    assert previous.cycle.status == "closed" and [a.capability.number for a in candidates] == [9]
