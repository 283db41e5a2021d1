"""Every admin changelist takes the same number of queries for 5 organisations as for 50.

One data set grows with the number of organisations (participants, role holders, answers, their
revisions, reminders, audit events, report figures); each registered model's changelist is read at
both sizes and the query counts must match, so a ``__str__`` or a column that reaches through a
foreign key without ``list_select_related`` fails here.
"""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import services
from capabilities.models import Capability, Enabler
from reports.models import EnablerScore, ReportJob, ValidatedLevel
from tests.factories import FocalPointRoleFactory, OrganisationFactory, SectorFactory, make_cycle

pytestmark = pytest.mark.django_db
SECTORS = ["ministry", "law_enforcement", "ngo"]


def grow(*, country, framework, coordinator, n):
    organisations = [
        OrganisationFactory(country=country, name=f"Organisation {n}.{i:02}", sector=SectorFactory(code=SECTORS[i % 3]))
        for i in range(n)
    ]
    roles = [FocalPointRoleFactory(organisation=o) for o in organisations]
    cycle = make_cycle(
        country=country, framework_version=framework, organisations=organisations, by=coordinator, title=f"Cycle {n}"
    )
    for role, submission in zip(roles, cycle.submissions.order_by("organisation__name"), strict=True):
        answer = submission.answers.select_related("submission__cycle").first()
        services.answer_save(answer=answer, choice="1", evidence="", comment="", base_version=0, by=role.user)
        services.submission_submit(submission=submission, by=role.user, confirm_unanswered=True)
        services.audit(
            user=coordinator, action="submission_viewed", country=country, cycle=cycle, submission=submission
        )
    services.reminders_send(cycle=cycle, by=coordinator, base_url="http://testserver")
    for capability in Capability.objects.filter(version=framework):
        ValidatedLevel.objects.create(cycle=cycle, capability=capability, level=2, rationale="r", set_by=coordinator)
    for enabler in Enabler.objects.filter(version=framework):
        EnablerScore.objects.create(cycle=cycle, enabler=enabler, level=2, rationale="r", set_by=coordinator)
    ReportJob.objects.create(cycle=cycle, requested_by=coordinator, data={}, task_id=f"job-{n}")


def changelist_queries(client, model):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_every_admin_changelist_is_constant_in_rows(client, superuser, tiny_framework, country_a, coordinator):
    client.force_login(superuser)
    models = list(admin.site._registry)
    grow(country=country_a, framework=tiny_framework, coordinator=coordinator, n=5)
    small = {model._meta.label: changelist_queries(client, model) for model in models}
    grow(country=country_a, framework=tiny_framework, coordinator=coordinator, n=45)
    large = {model._meta.label: changelist_queries(client, model) for model in models}

    assert large == small
