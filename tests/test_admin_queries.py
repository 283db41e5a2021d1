"""Every admin changelist takes the same number of queries for 5 organisations as for 50.

One data set grows with the number of organisations (participants, role holders, answers, their
revisions, reminders, invitations, audit events, report figures, API tokens and authenticators,
plan actions with their progress and revisions, library entries, regions and consents); each
registered model's changelist is read at both sizes and the query counts must match, so a
``__str__`` or a column that reaches through a foreign key without ``list_select_related`` fails
here. Every registered model must have rows by then (a changelist of no rows shows nothing).
"""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import ApiToken
from accounts.services import token_create
from assessments import services
from assessments.models import Reminder, RoleAssignment
from assessments.participants import focal_point_invite
from capabilities.models import Capability, Enabler
from network.models import Consent, Practice, Region, SecretariatRegion
from plans import services as plans
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
    grow_the_rest(cycle=cycle, organisations=organisations, roles=roles, coordinator=coordinator, n=n)


def grow_the_rest(*, cycle, organisations, roles, coordinator, n):
    """The rows of the apps added since: one of each per organisation (a plan, its endorsement and a consent per cycle)."""
    now = timezone.now()
    capability = Capability.objects.filter(version=cycle.framework_version).first()
    plan = plans.plan_create(cycle=cycle, currency="EUR", by=coordinator)
    Consent.objects.create(cycle=cycle, kind=Consent.Kind.values[0], given_by=coordinator, given_at=now)
    secretariat = RoleAssignment.objects.create(user=roles[0].user, role="secretariat")
    for i, (organisation, role) in enumerate(zip(organisations, roles, strict=True)):
        token_create(
            user=role.user,
            name=f"System {n}.{i}",
            scope=ApiToken.Scope.READ,
            days=30,
            second_factor_required=False,
            second_factor_verified=False,
        )
        TOTPDevice.objects.create(user=role.user, name="Authenticator app", confirmed=True)
        Reminder.objects.create(
            cycle=cycle, organisation=organisation, recipients=role.user.email, sent_by=coordinator, sent_at=now
        )
        focal_point_invite(
            cycle=cycle,
            organisation=organisation,
            email=f"colleague.{n}.{i}@example.org",
            by=coordinator,
            base_url="http://testserver",
        )
        action = plans.action_create(
            plan=plan,
            by=coordinator,
            title=f"Action {n}.{i}",
            capability=capability,
            lead_organisation=organisation,
            estimated_cost=Decimal("1000"),
        )
        plans.progress_post(action=action, by=coordinator, status="in_progress", progress=10, note="Begun.")
        Practice.objects.create(
            title=f"Practice {n}.{i}", summary="s", what_was_done="w", author=coordinator, country=cycle.country
        )
        region = Region.objects.create(code=f"region-{n}-{i}", name=f"Region {n}.{i}")
        region.countries.add(cycle.country)
        SecretariatRegion.objects.create(assignment=secretariat, region=region)
    plans.plan_endorse(
        plan=plan, endorsed_on=now.date(), endorsed_by="The national committee", note="Endorsed.", by=coordinator
    )


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
    empty = [model._meta.label for model in models if not model._default_manager.exists()]
    # Logins that never failed, groups and framework-wide rows do not grow with organisations.
    assert set(empty) <= {
        "auth.Group",
        "axes.AccessAttempt",
        "axes.AccessLog",
        "axes.AccessFailureLog",
        "otp_static.StaticDevice",
        "capabilities.Tag",
        "capabilities.Crosswalk",
        "capabilities.TranslationPack",
    }
