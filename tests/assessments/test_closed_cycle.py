"""A closed cycle is frozen: every POST URL of the project is tried against one, and nothing changes.

The URLs and their payloads come from the permission matrix (``test_permissions.MATRIX``), so a URL
added there is tried here too. Each POST route is either sent, by the persona the matrix allows,
against country A's cycle after it was closed — and must change no row of the assessments and
reports apps, send no e-mail and say that the cycle is closed — or listed in ``NOT_ABOUT_A_CYCLE``
with the reason it cannot touch a closed cycle. The matrix itself proves that each payload does
change something while the cycle is open.
"""

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from assessments import services
from assessments.models import AuditEvent, Cycle
from capabilities.models import Capability
from reports.models import EnablerScore, NationalFigure, ReportJob, ValidatedLevel, WorkerHeartbeat
from tests.assessments.test_permissions import (  # noqa: F401 (world is a fixture)
    MATRIX,
    OK,
    pending_invitation,
    send,
    sign_in,
    world,
)

pytestmark = pytest.mark.django_db

# POST routes that never change a cycle's content, with the reason.
NOT_ABOUT_A_CYCLE = {
    "language_set": "writes the person's interface language only",
    "assessments:cycle_create": "creates a new cycle",
    "assessments:cycle_open": "acts on a cycle in preparation (a closed one: test_a_closed_cycle_cannot_be_reopened)",
    "reports:report_generate": "renders the frozen figures of the cycle: a report of a closed cycle is a read",
    "reports:report_job_retry": "renders a report job's frozen figures again",
    "assessments:invitation_accept": "the person's own answer to a role in an organisation; no cycle's content",
    "assessments:invitation_decline": "the person's own answer to a role in an organisation; no cycle's content",
    **{
        f"plans:{name}": "the action plan is tracked until the next cycle: it stays editable after its cycle closes "
        "(tests/plans/test_plan.py::test_the_plan_stays_editable_after_its_cycle_closes)"
        for name in (
            "plan_create",
            "plan_pdf_generate",
            "actions_carry_over",
            "action_create",
            "suggestion_accept",
            "suggestion_dismiss",
            "suggestion_restore",
            "plan_endorse",
            "action_update",
            "action_delete",
            "funding_add",
            "funding_delete",
            "milestone_add",
            "progress_post",
        )
    },
    "api:action-progress": "an action plan's progress: the plan is tracked until the next cycle (as plans:progress_post)",
    "api_tokens": "the person's own API token",
    "api_token_revoke": "the person's own API token",
    **{
        f"network:{name}": reason
        for name, reason in {
            "consent_give": "shares a closed cycle's final figures (tests/network): it changes none of them",
            "consent_withdraw": "stops sharing a closed cycle's figures: it changes none of them",
            "practice_create": "a library entry belongs to no cycle",
            "practice_update": "a library entry belongs to no cycle",
            "practice_submit": "a library entry belongs to no cycle",
            "practice_publish": "a library entry belongs to no cycle",
            "practice_return": "a library entry belongs to no cycle",
            "exchange_ask": "a peer exchange request between countries, about no cycle's content",
            "exchange_forward": "a peer exchange request between countries, about no cycle's content",
            "exchange_answer": "a peer exchange request between countries, about no cycle's content",
            "country_create": "a country's name and regions, about no cycle's content",
            "country_update": "a country's name and regions, about no cycle's content",
            "coordinator_invite": "a country's first coordinator, about no cycle's content",
            "coordinator_invitation_resend": "a country's first coordinator, about no cycle's content",
        }.items()
    },
    "two_factor:setup": "the person's own authenticator",
    "two_factor:verify": "the person's own login",
    "two_factor:regenerate": "the person's own backup codes",
    "two_factor:remove": "the person's own authenticator",
}
# Rows that a refused request may still add: the audit trail of reads, report jobs, worker pings.
NOT_FROZEN = {AuditEvent, ReportJob, WorkerHeartbeat}
# Extra payloads beyond the matrix's one per route: clearing is a change too.
EXTRA = {
    "reports:validated_level_set": [{"v1-level": "", "v1-rationale": ""}],
    "reports:enabler_score_set": [lambda w: {f"e{w.enabler.pk}-level": "", f"e{w.enabler.pk}-rationale": ""}],
    "reports:national_figure_set": [{"mM01.1-year": "2024", "mM01.1-value": "", "mM01.1-rationale": ""}],
    "assessments:submission_figures": [
        lambda w: {"metric": w.metric.pk, "year": "2024", "not_collected": "on", "source": "", "confidence": ""}
    ],
}


def post_routes():
    return {name: route for name, route in MATRIX.items() if route.post is not None}


def frozen_state():
    """Every row of the assessments and reports apps (and the accounts), as values; and the mailbox."""
    models = [
        model
        for label in ("assessments", "evidence", "reports")
        for model in apps.get_app_config(label).get_models()
        if model not in NOT_FROZEN
    ]
    rows = {model._meta.label: list(model.objects.order_by("pk").values()) for model in models}
    rows["users"] = list(get_user_model().objects.order_by("pk").values())
    for user in rows["users"]:
        user.pop("last_login")
    return rows, len(mail.outbox)


def closed_world(w, route):
    """Country A's cycle with every kind of content a closed cycle holds, then closed."""
    if route.prepare:
        route.prepare(w)
    coordinator = w.personas["coordinator"]
    ValidatedLevel.objects.create(
        cycle=w.cycle,
        capability=Capability.objects.get(version=w.cycle.framework_version, number=1),
        level=3,
        rationale="Agreed by the national body.",
        set_by=coordinator,
    )
    EnablerScore.objects.create(cycle=w.cycle, enabler=w.enabler, level=1, rationale="No budget.", set_by=coordinator)
    NationalFigure.objects.create(
        cycle=w.cycle, metric=w.metric, year=2024, value=100000, rationale="Budget law 2024.", set_by=coordinator
    )
    services.cycle_close(cycle=w.cycle, by=coordinator)


def poster(route):
    """The persona the matrix lets change this route: the coordinator, else the focal point."""
    for persona in ("coordinator", "focal_point"):
        if route.post[persona] == OK:
            return persona
    raise AssertionError("no persona may POST here")


CASES = [
    pytest.param(name, index, id=f"{name.split(':')[-1]}-{index}")
    for name in post_routes()
    if name not in NOT_ABOUT_A_CYCLE
    for index in range(1 + len(EXTRA.get(name, [])))
]


def test_every_post_url_is_tried_against_a_closed_cycle_or_says_why_not():
    tried = {name for name, _index in (case.values for case in CASES)}
    assert tried | set(NOT_ABOUT_A_CYCLE) == set(post_routes())
    assert not tried & set(NOT_ABOUT_A_CYCLE)


@pytest.mark.parametrize(("name", "index"), CASES)
def test_a_closed_cycle_refuses_every_change(client, world, name, index, django_capture_on_commit_callbacks):  # noqa: F811
    route = MATRIX[name]
    closed_world(world, route)
    payload = route.data if index == 0 else EXTRA[name][index - 1]
    data = payload(world) if callable(payload) else payload
    credentials = sign_in(client, world, name, poster(route))
    before = frozen_state()

    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, world, name, route, credentials, write=True, data=data)

    assert response.status_code in (200, 302, 403, 409, 422), response
    said = [str(m) for m in get_messages(response.wsgi_request)] if response.status_code == 302 else []
    said.append(response.content.decode())
    assert any("closed" in text for text in said), "the refusal should say that the cycle is closed"
    assert frozen_state() == before, "a closed cycle changed"


def test_a_closed_cycle_cannot_be_reopened(client, world):  # noqa: F811
    services.cycle_close(cycle=world.cycle, by=world.personas["coordinator"])
    client.force_login(world.personas["coordinator"])

    client.post(reverse("assessments:cycle_open", args=[world.cycle.pk]))

    world.cycle.refresh_from_db()
    assert world.cycle.status == Cycle.Status.CLOSED


def test_the_pages_of_a_closed_cycle_offer_no_forms_that_change_it(client, world):  # noqa: F811
    pending_invitation(world)  # an invitation that could be resent while the cycle was open
    closed_world(world, MATRIX["assessments:cycle_detail"])
    client.force_login(world.personas["coordinator"])
    pages = {
        "cycle": world.cycle.get_absolute_url(),
        "targets": reverse("assessments:cycle_targets", args=[world.cycle.pk]),
        "analysis": reverse("reports:cycle_analysis", args=[world.cycle.pk]),
        "national data": reverse("reports:national_data", args=[world.cycle.pk]),
        "reminders": reverse("assessments:cycle_remind", args=[world.cycle.pk]),
        "import": reverse("assessments:cycle_organisations_import", args=[world.cycle.pk]),
    }
    mutations = []
    for name in post_routes():
        if name in NOT_ABOUT_A_CYCLE or name == "assessments:cycle_close":
            continue
        try:
            mutations.append(reverse(name, args=MATRIX[name].args(world)))
        except AttributeError:  # its object (a review comment) is made by the route's own preparation
            continue
    for page, url in pages.items():
        body = client.get(url).content.decode()
        assert "final" in body, page
        for action in mutations:
            assert f'action="{action}"' not in body, (page, action)
    body = client.get(pages["analysis"]).content.decode()
    assert "Agreed by the national body." in body and "No budget." in body
