"""Demoland's national action plan for ``make run`` (called by assessments' seed_demo). Safe to run twice."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from capabilities.crosswalks import indicator_links
from capabilities.models import Capability, Indicator

from . import services
from .models import Action, Plan

# (capability, indicator, title, lead slug, supporting slugs, start offset, due offset (days from today),
#  cost, [(source, funder, amount)], status, progress, note)
ACTIONS = [
    (
        1,
        "C01.2",
        "Give the National Committee a multi-year budget line",
        "ministry",
        ["committee"],
        -200,
        120,
        "180000",
        [("national_budget", "Ministry of Finance", "120000")],
        "in_progress",
        50,
        "Budget line approved for 2026; 2027–2028 in the medium-term framework.",
    ),
    (
        1,
        "C01.1",
        "Publish the committee's annual work plan and minutes",
        "committee",
        [],
        -150,
        -20,
        "8000",
        [("national_budget", "National Committee", "8000")],
        "in_progress",
        70,
        "Work plan published; minutes of two meetings still to upload.",
    ),
    (
        2,
        "C02.1",
        "Run the first national prevalence survey",
        "ministry",
        ["ngo", "helpline"],
        -90,
        300,
        "240000",
        [("donor", "Safe Online Fund", "150000")],
        "planned",
        0,
        "",
    ),
    (
        2,
        "C02.2",
        "Set up a shared data dashboard across agencies",
        "committee",
        ["police", "welfare"],
        -60,
        200,
        "65000",
        [],
        "planned",
        0,
        "",
    ),
    (
        3,
        "C03.1",
        "Criminalise online grooming in the penal code",
        "ministry",
        ["prosecutor"],
        -300,
        -30,
        "25000",
        [("national_budget", "Ministry of Justice", "25000")],
        "done",
        100,
        "Amendment adopted by Parliament and published in the Official Gazette.",
    ),
    (
        3,
        "C03.2",
        "Review the data-retention rules for investigations",
        "ministry",
        ["police", "telecom"],
        -40,
        240,
        "30000",
        [("national_budget", "Ministry of Interior", "10000")],
        "blocked",
        20,
        "Waiting for the data-protection authority's opinion.",
    ),
    (
        4,
        "C04.1",
        "Staff the cybercrime unit's CSEA team (6 investigators)",
        "police",
        [],
        -220,
        60,
        "410000",
        [("national_budget", "Ministry of Interior", "300000"), ("donor", "EU Internal Security Fund", "60000")],
        "in_progress",
        60,
        "Four of six investigators recruited and vetted.",
    ),
    (
        4,
        "C04.2",
        "Train all unit officers in victim identification",
        "police",
        ["hotline"],
        -120,
        -10,
        "45000",
        [("donor", "Safe Online Fund", "45000")],
        "in_progress",
        80,
        "Three of four training rounds done; the last one moved to next month.",
    ),
    (
        5,
        "C05.1",
        "Specialist training for prosecutors and judges",
        "prosecutor",
        [],
        -100,
        150,
        "60000",
        [("donor", "UNODC", "30000")],
        "planned",
        0,
        "",
    ),
    (
        6,
        "C06.1",
        "Draft the offender management protocol",
        "prosecutor",
        ["police", "welfare"],
        -80,
        -5,
        "15000",
        [],
        "planned",
        0,
        "",
    ),
    (
        7,
        "C07.1",
        "Connect the unit to the international image database",
        "police",
        [],
        -180,
        -60,
        "35000",
        [("donor", "Interpol capacity programme", "35000")],
        "done",
        100,
        "Connection live since March; 120 images submitted.",
    ),
    (
        8,
        "C08.1",
        "Open a child advocacy centre in the capital",
        "welfare",
        ["helpline", "ngo"],
        -30,
        400,
        "520000",
        [("national_budget", "Ministry of Social Affairs", "200000")],
        "planned",
        0,
        "",
    ),
    (
        9,
        "C09.2",
        "Train case workers on online abuse cases",
        "welfare",
        ["ngo"],
        -140,
        -40,
        "40000",
        [("national_budget", "Department of Social Welfare", "15000")],
        "in_progress",
        30,
        "Curriculum ready; the first cohort is delayed by recruitment.",
    ),
    (
        10,
        "C10.1",
        "Set up a compensation fund for child victims",
        "ministry",
        ["prosecutor"],
        -20,
        500,
        "150000",
        [],
        "planned",
        0,
        "",
    ),
    (
        11,
        "C11.1",
        "Extend the child helpline to 24/7 with chat",
        "helpline",
        [],
        -160,
        30,
        "90000",
        [("private_sector", "Demotel Communications", "50000"), ("donor", "UNICEF", "30000")],
        "in_progress",
        65,
        "Night shifts staffed; chat pilot running on weekends.",
    ),
    (
        12,
        "C12.1",
        "Give the hotline a legal mandate and notice-and-takedown protocol",
        "hotline",
        ["police"],
        -250,
        -90,
        "12000",
        [("donor", "INHOPE", "12000")],
        "done",
        100,
        "Memorandum signed with the police and the regulator.",
    ),
    (
        13,
        "C13.1",
        "Online safety lessons in every secondary school",
        "ngo",
        ["ministry"],
        -60,
        330,
        "130000",
        [("private_sector", "Demotel Communications", "40000")],
        "planned",
        0,
        "",
    ),
    (
        14,
        "C14.1",
        "Create a youth advisory panel to the committee",
        "committee",
        ["ngo"],
        -45,
        90,
        "6000",
        [("national_budget", "National Committee", "6000")],
        "in_progress",
        40,
        "Call for members published.",
    ),
    (
        16,
        "C16.1",
        "Agree takedown times with the main platforms",
        "telecom",
        ["hotline"],
        -100,
        -15,
        "5000",
        [],
        "dropped",
        0,
        "Superseded by the regional code of practice signed in May.",
    ),
    (
        20,
        "C20.1",
        "Publish media guidelines on reporting child abuse",
        "press",
        ["ngo"],
        -70,
        45,
        "9000",
        [("national_budget", "National Press Council", "4000")],
        "planned",
        0,
        "",
    ),
]


# The 2024 cycle's plan: what was done since, for the "did it work?" table and carrying over.
EARLIER = [
    (1, "Set up the National Committee's secretariat", "committee", "40000", "done"),
    (4, "Equip the cybercrime unit's forensic lab", "police", "150000", "done"),
    (11, "Train helpline counsellors on online abuse", "helpline", "20000", "done"),
    (9, "Write the joint child-protection protocol", "welfare", "15000", "in_progress"),
]


def seed_earlier_plan(*, country, coordinator, orgs):
    cycle = country.cycles.filter(title="National MNR self-assessment 2024").first()
    if cycle is None or Plan.objects.filter(cycle=cycle).exists():
        return None
    plan = services.plan_create(cycle=cycle, currency="USD", by=coordinator)
    caps = {c.number: c for c in Capability.objects.filter(version_id=cycle.framework_version_id)}
    for number, title, lead, cost, status in EARLIER:
        action = services.action_create(
            plan=plan,
            by=coordinator,
            title=title,
            capability=caps[number],
            lead_organisation=orgs[lead],
            starts_on=cycle.closes_on,
            due_on=cycle.closes_on + timedelta(days=365),
            estimated_cost=Decimal(cost),
        )
        services.funding_add(
            action=action, source="national_budget", funder="Ministry of Finance", amount=Decimal(cost), by=coordinator
        )
        services.progress_post(
            action=action,
            by=coordinator,
            status=status,
            progress=100 if status == "done" else 60,
            note="Completed and reported to the committee." if status == "done" else "Draft circulated to agencies.",
            spent=Decimal(cost) if status == "done" else Decimal(cost) / 2,
        )
    return plan


def seed_demo_plan(*, country, coordinator, orgs):
    """The open cycle's plan with 20 actions: costs, funding, some overdue, some done, one endorsement."""
    cycle = country.cycles.filter(title="National MNR self-assessment 2026").select_related("country").first()
    if cycle is None or Plan.objects.filter(cycle=cycle).exists():
        return None
    seed_earlier_plan(country=country, coordinator=coordinator, orgs=orgs)
    plan = services.plan_create(cycle=cycle, currency="USD", by=coordinator)
    today = timezone.localdate()
    caps = {c.number: c for c in Capability.objects.filter(version_id=cycle.framework_version_id)}
    indicators = {i.code: i for i in Indicator.objects.filter(version_id=cycle.framework_version_id)}
    # The actions name MNR-2016 indicators; on another version (the 2025 reference edition) an indicator
    # that changed is the first one it maps onto in the crosswalk.
    earlier = country.cycles.filter(title="National MNR self-assessment 2024").first()
    links = (
        indicator_links(earlier.framework_version_id, cycle.framework_version_id)
        if earlier is not None and earlier.framework_version_id != cycle.framework_version_id
        else None
    ) or {}
    for old_code, pairs in links.items():
        if old_code not in indicators and pairs:
            indicators[old_code] = indicators[pairs[0][0]]
    created = []
    for number, code, title, lead, supporting, start, due, cost, fundings, status, progress, note in ACTIONS:
        action = services.action_create(
            plan=plan,
            by=coordinator,
            title=title,
            capability=caps[number],
            indicators=[indicators[code]],
            lead_organisation=orgs[lead],
            supporting_organisations=[orgs[s] for s in supporting],
            starts_on=today + timedelta(days=start),
            due_on=today + timedelta(days=due),
            priority=Action.Priority.HIGH if number in (1, 3, 4, 9) else Action.Priority.MEDIUM,
            estimated_cost=Decimal(cost),
            suggested_from=indicators[code],
        )
        for source, funder, amount in fundings:
            services.funding_add(action=action, source=source, funder=funder, amount=Decimal(amount), by=coordinator)
        created.append((action, status, progress, note, lead))
    services.milestone_add(
        action=created[6][0], title="Team fully staffed", due_on=today + timedelta(days=30), by=coordinator
    )
    services.plan_endorse(
        plan=plan,
        endorsed_on=today - timedelta(days=10),
        endorsed_by="National Committee on Child Online Protection",
        note="Approved at the committee's plenary session.",
        by=coordinator,
    )
    for action, status, progress, note, lead in created:
        if status == "planned":
            continue
        focal = orgs[lead].roles.filter(role="focal_point").first()
        services.progress_post(
            action=action,
            by=focal.user if focal else coordinator,
            status=status,
            progress=progress,
            note=note,
            spent=Decimal(action.estimated_cost) * progress / 100 if status != "dropped" else None,
        )
    return plan
