"""The plan through the real stack: suggestions, money, optimistic locking, endorsement, progress."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from assessments.models import AuditEvent
from plans import queries, services
from plans.models import Action, Funding, Plan, PlanRevision, ProgressUpdate
from reports.consolidation import cycle_report_data

from .conftest import add_action, capability

pytestmark = pytest.mark.django_db


def test_suggestions_follow_the_priorities_and_next_steps_of_the_real_cycle(plan):
    data = cycle_report_data(plan.cycle)

    rows = queries.suggestions(plan, data, [])

    assert [(r["rank"], r["capability"]["number"], r["priority"]) for r in rows] == [
        (1, 3, Action.Priority.HIGH),  # gap 2.0
        (2, 4, Action.Priority.MEDIUM),  # gap 1.75
        (3, 1, Action.Priority.MEDIUM),  # gap 1.5
    ]
    assert [(s["indicator"], s["level"], s["title"]) for s in rows[0]["steps"]] == [("C03.1", 2, "C03.1: Partly")]
    assert [s["indicator"] for s in rows[1]["steps"]] == ["C04.1", "C04.2"]
    assert [(s["indicator"], s["text"]) for s in rows[2]["steps"]] == [
        ("C01.2", "Ad hoc."),
        ("C01.1", "Meets regularly."),
    ]
    assert Action.objects.count() == 0, "suggestions are never added by themselves"


def test_an_accepted_or_ignored_suggestion_is_not_offered_again(client, plan, coordinator):
    client.force_login(coordinator)
    url = reverse("plans:plan_page", args=[plan.cycle_id])

    client.post(reverse("plans:suggestion_accept", args=[plan.cycle_id]), {"indicator": "C03.1"})
    client.post(reverse("plans:suggestion_dismiss", args=[plan.cycle_id]), {"indicator": "C04.1"})

    action = Action.objects.get()
    assert (action.capability.number, action.suggested_from.code, action.priority) == (3, "C03.1", 1)
    assert action.expected_result == "Partly." and list(action.indicators.values_list("code", flat=True)) == ["C03.1"]
    body = client.get(url).content.decode()
    assert 'data-indicator="C03.1"' not in body and 'data-indicator="C04.1"' not in body
    assert 'data-indicator="C04.2"' in body
    client.post(reverse("plans:suggestion_restore", args=[plan.cycle_id]))
    assert 'data-indicator="C04.1"' in client.get(url).content.decode()


def test_each_priority_offers_the_librarys_published_entries_on_its_capability(client, plan, coordinator):
    from django.utils import timezone

    from network.models import Practice

    def practice(title, status, number):
        entry = Practice.objects.create(
            title=title, summary="S.", what_was_done="W.", status=status, published_at=timezone.now(), author=coordinator
        )
        entry.capabilities.add(capability(plan, number))
        return entry

    helpline = practice("A national helpline for children", Practice.Status.PUBLISHED, 3)
    practice("An unpublished draft", Practice.Status.DRAFT, 3)
    client.force_login(coordinator)

    body = client.get(reverse("plans:plan_page", args=[plan.cycle_id])).content.decode()

    links = body.split('id="suggestions"')[1].split("</section>")[0]
    assert links.count('class="small mb-2 practice-links"') == 1, "only capability 3 has a published entry"
    assert f'<a href="{helpline.get_absolute_url()}" dir="auto">A national helpline for children</a>' in links
    assert "An unpublished draft" not in body
    priority_3 = links.split("Priority 1: 3.")[1].split("Priority 2:")[0]
    assert "A national helpline for children" in priority_3


def test_edit_first_opens_the_form_drafted_from_the_suggestion(client, plan, coordinator, organisation):
    client.force_login(coordinator)
    url = reverse("plans:action_create", args=[plan.cycle_id]) + "?suggestion=C01.2"

    body = client.get(url).content.decode()
    assert "C01.2: Ad hoc" in body and "Drafted from the next step of indicator C01.2" in body
    response = client.post(
        url,
        {
            "title": "Give the council an annual budget line",
            "capability": capability(plan, 1).pk,
            "lead_organisation": organisation.pk,
            "priority": "1",
            "status": "planned",
            "estimated_cost": "25000.50",
            "suggested_from": "C01.2",
        },
    )

    assert response.status_code == 302
    action = Action.objects.get()
    assert (action.title, action.estimated_cost, action.suggested_from.code) == (
        "Give the council an annual budget line",
        Decimal("25000.50"),
        "C01.2",
    )


def test_cost_totals_and_funding_gap_per_domain_are_exact_decimals(plan, coordinator, organisation):
    a1 = add_action(plan, coordinator, number=1, cost="1000.10")
    a3 = add_action(plan, coordinator, number=3, cost="0.20", title="Draft the grooming offence")
    a4 = add_action(plan, coordinator, number=4, cost="333.33", title="Set up the unit")
    dropped = add_action(plan, coordinator, number=4, cost="5000", title="Buy a building")
    services.funding_add(action=a1, source="national_budget", funder="Treasury", amount=Decimal("0.10"), by=coordinator)
    services.funding_add(action=a1, source="donor", funder="Fund X", amount=Decimal("500.00"), by=coordinator)
    services.funding_add(action=a3, source="other", funder="NGO", amount=Decimal("0.10"), by=coordinator)
    services.funding_add(action=a4, source="private_sector", funder="Telco", amount=Decimal("333.33"), by=coordinator)
    services.action_update(
        action=dropped, base_version=dropped.version, by=coordinator, status="dropped", status_reason="No budget."
    )

    actions = queries.plan_actions(plan)
    groups = {g["domain"].code: g["money"] for g in queries.group_by_domain(actions, queries.framework_domains(plan))}
    total = queries.plan_totals(actions)

    assert (groups["A"].cost, groups["A"].funded, groups["A"].gap) == (
        Decimal("1000.30"),
        Decimal("500.20"),
        Decimal("500.10"),
    )
    assert (groups["B"].cost, groups["B"].funded, groups["B"].gap) == (Decimal("333.33"), Decimal("333.33"), 0)
    assert (total.cost, total.funded, total.gap) == (Decimal("1333.63"), Decimal("833.53"), Decimal("500.10"))
    assert all(isinstance(v, Decimal) for v in (total.cost, total.funded, total.gap))
    unfunded = queries.filter_actions(actions, unfunded=True)
    assert {a.pk for a in unfunded} == {a1.pk, a3.pk}


def test_funding_beyond_the_cost_is_refused_with_the_amount_left(plan, coordinator):
    action = add_action(plan, coordinator, cost="100.00")
    services.funding_add(action=action, source="donor", funder="A", amount=Decimal("60"), by=coordinator)

    with pytest.raises(ValidationError, match="at most 40.00 can be added"):
        services.funding_add(action=action, source="donor", funder="B", amount=Decimal("40.01"), by=coordinator)
    action.refresh_from_db()
    with pytest.raises(ValidationError, match="cannot be lower"):
        services.action_update(
            action=action, base_version=action.version, by=coordinator, estimated_cost=Decimal("59.99")
        )
    assert Funding.objects.count() == 1


def test_a_stale_edit_is_refused_and_saves_nothing(plan, coordinator, action):
    base = action.version
    services.action_update(action=action, base_version=base, by=coordinator, status="in_progress")

    with pytest.raises(services.ActionConflict) as caught:
        services.action_update(
            action=action, base_version=base, by=coordinator, title="Mine", status="blocked", status_reason="x"
        )

    assert caught.value.current.status == "in_progress"
    action.refresh_from_db()
    assert (action.title, action.status, action.version) == ("Fund the national council", "in_progress", base + 1)


def test_the_inline_edit_keeps_the_stale_typing_and_shows_the_other_change(client, plan, coordinator, action):
    client.force_login(coordinator)
    url = reverse("plans:action_update", args=[action.pk])
    stale = action.version
    services.action_update(action=action, base_version=stale, by=coordinator, status="in_progress")
    p = f"a{action.pk}"

    response = client.post(
        url,
        {
            "quick": "1",
            f"{p}-version": stale,
            f"{p}-priority": "1",
            f"{p}-status": "blocked",
            f"{p}-status_reason": "Waiting for the decree",
            f"{p}-estimated_cost": "12000",
        },
        HTTP_HX_REQUEST="true",
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "after you started editing" in body and "Waiting for the decree" in body
    action.refresh_from_db()
    assert (action.status, action.estimated_cost) == ("in_progress", Decimal("10000.00"))
    assert f'name="{p}-version" value="{action.version}"' in body  # saving again overwrites knowingly


def test_the_inline_edit_saves_and_returns_the_row(client, plan, coordinator, action, organisation):
    client.force_login(coordinator)
    p = f"a{action.pk}"
    response = client.post(
        reverse("plans:action_update", args=[action.pk]),
        {
            "quick": "1",
            f"{p}-version": action.version,
            f"{p}-lead_organisation": organisation.pk,
            f"{p}-priority": "1",
            f"{p}-status": "in_progress",
            f"{p}-estimated_cost": "12000.00",
        },
    )

    assert response.status_code == 200 and f'id="action-{action.pk}"' in response.content.decode()
    action.refresh_from_db()
    assert (action.status, action.estimated_cost, action.priority) == ("in_progress", Decimal("12000.00"), 1)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("estimated_cost", "12,5", "Enter an amount such as 12500"),
        ("estimated_cost", "-3", "Enter an amount of zero or more"),
        ("estimated_cost", "1.234", "at most two decimals"),
        ("due_on", "2020-01-01", "on or after the start date"),
        ("status", "blocked", "Say why the action is blocked"),
    ],
)
def test_bad_input_on_the_action_form_is_refused_with_a_clear_message(client, plan, coordinator, field, value, message):
    client.force_login(coordinator)
    data = {
        "title": "Typed title stays",
        "capability": capability(plan, 1).pk,
        "priority": "2",
        "status": "planned",
        "estimated_cost": "100",
        "starts_on": "2026-01-01",
    } | {field: value}

    response = client.post(reverse("plans:action_create", args=[plan.cycle_id]), data)

    body = response.content.decode()
    assert response.status_code == 200 and message in body and "Typed title stays" in body
    assert not Action.objects.exists()


def test_endorsement_freezes_a_snapshot_and_later_changes_show_against_it(client, plan, coordinator, action):
    services.funding_add(action=action, source="donor", funder="Fund X", amount=Decimal("2500"), by=coordinator)
    revision = services.plan_endorse(
        plan=plan, endorsed_on=date.today(), endorsed_by="National Committee", note="", by=coordinator
    )
    action.refresh_from_db()
    services.action_update(
        action=action,
        base_version=action.version,
        by=coordinator,
        estimated_cost=Decimal("15000"),
        status="in_progress",
    )
    add_action(plan, coordinator, number=3, title="New after endorsement")

    revision.refresh_from_db()
    frozen = revision.snapshot["actions"]
    assert [(a["title"], a["estimated_cost"], a["funded"], a["status"]) for a in frozen] == [
        ("Fund the national council", "10000.00", "2500.00", "planned")
    ]
    assert revision.snapshot["totals"] == {"cost": "10000.00", "funded": "2500.00"}
    changes = queries.changes_since(revision.snapshot, queries.plan_snapshot(plan))
    assert [a["title"] for a in changes["added"]] == ["New after endorsement"]
    assert changes["changed"][0]["labels"] == ["status", "estimated cost"]
    assert Plan.objects.get().revision == 1
    services.plan_endorse(plan=plan, endorsed_on=date.today(), endorsed_by="Cabinet", note="", by=coordinator)
    assert list(PlanRevision.objects.values_list("number", flat=True)) == [2, 1]

    client.force_login(coordinator)
    body = client.get(reverse("plans:plan_revision", args=[plan.cycle_id, 1])).content.decode()
    assert "National Committee" in body and "New after endorsement" in body


def test_endorsement_needs_a_body_and_a_past_date(plan, coordinator, action):
    with pytest.raises(ValidationError, match="cannot be in the future"):
        services.plan_endorse(
            plan=plan, endorsed_on=date.today() + timedelta(days=1), endorsed_by="X", note="", by=coordinator
        )
    with pytest.raises(ValidationError, match="Say who endorsed"):
        services.plan_endorse(plan=plan, endorsed_on=date.today(), endorsed_by=" ", note="", by=coordinator)
    assert not PlanRevision.objects.exists()


def test_a_focal_point_of_the_lead_organisation_posts_an_update(client, plan, action, focal_point, coordinator):
    client.force_login(focal_point)

    response = client.post(
        reverse("plans:progress_post", args=[action.pk]),
        {"status": "in_progress", "progress": "40", "note": "Decree drafted.", "evidence": "Draft 3", "spent": "1200"},
    )

    assert response.status_code == 302
    action.refresh_from_db()
    update = ProgressUpdate.objects.get()
    assert (action.status, action.progress, update.by, update.spent) == (
        "in_progress",
        40,
        focal_point,
        Decimal("1200.00"),
    )
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PLAN_PROGRESS, user=focal_point).exists()
    client.force_login(coordinator)
    body = client.get(reverse("plans:plan_page", args=[plan.cycle_id])).content.decode()
    assert "Decree drafted." in body


def test_an_update_without_a_note_is_refused_and_the_typing_kept(client, plan, action, focal_point):
    client.force_login(focal_point)

    response = client.post(
        reverse("plans:progress_post", args=[action.pk]),
        {"status": "in_progress", "progress": "140", "note": "", "evidence": "Minutes of 3 May"},
    )

    body = response.content.decode()
    assert response.status_code == 200 and "Minutes of 3 May" in body
    assert "This field is required." in body or "What happened" in body
    assert not ProgressUpdate.objects.exists()


def test_a_focal_point_of_another_organisation_cannot_report_on_the_action(plan, action, police):
    from tests.factories import FocalPointRoleFactory

    other = FocalPointRoleFactory(organisation=police).user

    with pytest.raises(PermissionDenied):
        services.progress_post(action=action, by=other, status="done", progress=100, note="Done")


def test_an_overdue_action_is_flagged_until_it_is_done(plan, coordinator, action):
    Action.objects.filter(pk=action.pk).update(due_on=date.today() - timedelta(days=1))
    assert queries.plan_actions(plan)[0].overdue

    services.progress_post(action=action, by=coordinator, status="done", progress=80, note="Council funded.")

    done = queries.plan_actions(plan)[0]
    assert (done.overdue, done.progress) == (False, 100)


def test_the_plan_stays_editable_after_its_cycle_closes(plan, coordinator, action):
    from assessments import services as assessment_services

    assessment_services.cycle_close(cycle=plan.cycle, by=coordinator)

    services.action_update(action=action, base_version=action.version, by=coordinator, status="in_progress")
    action.refresh_from_db()
    assert action.status == "in_progress"


def test_a_plan_cannot_start_on_a_cycle_in_preparation_or_with_a_bad_currency(
    tiny_framework, country_a, organisation, coordinator, seeded_cycle
):
    from tests.factories import make_cycle

    draft = make_cycle(
        country=country_a, framework_version=tiny_framework, organisations=[], by=coordinator, open=False, title="Next"
    )
    with pytest.raises(ValidationError, match="Open the cycle first"):
        services.plan_create(cycle=draft, currency="EUR", by=coordinator)
    with pytest.raises(ValidationError, match="ISO 4217"):
        services.plan_create(cycle=seeded_cycle, currency="E1", by=coordinator)
    assert services.plan_create(cycle=seeded_cycle, currency="xof", by=coordinator).currency == "XOF"
