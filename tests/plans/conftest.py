"""Plans are drawn from the reports' seeded cycle (tests/reports/conftest.py): priorities 3, 4, 1."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from capabilities.models import Capability
from plans import services
from tests.reports.conftest import ngo, police, previous_cycle, report_cycle, seeded_cycle  # noqa: F401


@pytest.fixture
def plan(seeded_cycle, coordinator):  # noqa: F811
    return services.plan_create(cycle=seeded_cycle, currency="EUR", by=coordinator)


def capability(plan, number):
    return Capability.objects.get(version=plan.cycle.framework_version, number=number)


def add_action(plan, by, *, number=1, cost="0", lead=None, title="Fund the national council", **extra):
    return services.action_create(
        plan=plan,
        by=by,
        title=title,
        capability=capability(plan, number),
        estimated_cost=Decimal(cost),
        lead_organisation=lead,
        **extra,
    )


@pytest.fixture
def action(plan, coordinator, organisation):
    """An action on capability 1 led by the ministry (whose focal point is ``focal_point``), due in 30 days."""
    return add_action(plan, coordinator, cost="10000.00", lead=organisation, due_on=date.today() + timedelta(days=30))
