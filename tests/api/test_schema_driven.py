"""Every operation of the checked-in schema, called with input generated from it (schemathesis, through the
app's WSGI handler): no 500, and every response is one the schema documents, in its shape and media type.

Reads go with a coordinator's token (who sees the most), writes with a focal point's (who may answer);
country A holds an open cycle with answers, an action plan with an action, and a report job.
"""

from pathlib import Path

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import api_token

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
schema = schemathesis.openapi.from_path(SCHEMA)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def tokens(db, cycle, submission, coordinator, focal_point):
    from decimal import Decimal

    from capabilities.models import Capability
    from plans import services as plan_services
    from reports.models import ReportJob

    plan = plan_services.plan_create(cycle=cycle, currency="EUR", by=coordinator)
    plan_services.action_create(
        plan=plan,
        by=coordinator,
        title="Fund the council",
        capability=Capability.objects.get(version=cycle.framework_version, number=1),
        estimated_cost=Decimal("1000.00"),
        lead_organisation=submission.organisation,
    )
    ReportJob.objects.create(cycle=cycle, requested_by=coordinator, data={"capabilities": []})
    return {"read": api_token(coordinator)[1], "write": api_token(focal_point)[1]}


@pytest.fixture(scope="module")
def app():
    return get_wsgi_application()


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """As Django's test client does: the handler must not close the database connection after each request
    (request_started/finished), or on PostgreSQL the test's transaction goes with it."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@schema.parametrize()
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
def test_every_operation_answers_generated_input_as_its_schema_says(case, tokens, app):
    token = tokens["read" if case.method.upper() == "GET" else "write"]

    case.call_and_validate(
        app=app, base_url="http://localhost", headers={"Authorization": f"Bearer {token}"}, checks=CHECKS
    )
