"""The demo network for ``seed_demo``: a region of ten countries (Demoland and nine demo countries with
closed cycles that consented to the aggregates), a few open to peer exchange or sharing with the
secretariat, a secretariat login, two countries awaiting their first coordinator (one invited), and the
library's seed entries. Safe to run twice."""

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from assessments import services as assessment_services
from assessments.management.commands.seed_demo import DEMO_PASSWORD
from assessments.models import Country, Cycle, Invitation, Organisation, Role, RoleAssignment
from capabilities.models import Capability, Sector
from reports.models import ValidatedLevel

from . import services
from .library import library_load
from .models import Consent, Region

# ISO 3166 user-assigned codes (XM–XU): never a real country, and not Demoland's XD.
DEMO_COUNTRIES = [(f"X{letter}", f"Demo country {letter}") for letter in "MNOPQRSTU"]
# Two more for the secretariat's countries page: one without a coordinator, one whose coordinator is invited.
WAITING = [("XV", "Demo country V"), ("XW", "Demo country W")]


def _user(username, first, last):
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"first_name": first, "last_name": last, "email": f"{username}@demo.example.org"}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def _closed_cycle(country, coordinator, version, rng, index):
    cycle = Cycle.objects.filter(country=country, title="MNR self-assessment 2025").first()
    if cycle is not None:
        return cycle
    sector = Sector.objects.order_by("pk").first()
    org, _ = Organisation.objects.get_or_create(country=country, name="National committee", defaults={"sector": sector})
    opens = timezone.localdate() - timedelta(days=300)
    cycle = assessment_services.cycle_create(
        country=country,
        framework_version=version,
        title="MNR self-assessment 2025",
        period="2024–2025",
        opens_on=opens,
        closes_on=opens + timedelta(days=90),
        by=coordinator,
    )
    assessment_services.cycle_add_organisation(cycle=cycle, organisation=org, by=coordinator)
    assessment_services.cycle_open(cycle=cycle, by=coordinator)
    # Validated levels stand for the committee's agreed judgement: a spread around level 2, stronger in
    # some countries than others, so that the distributions have shape.
    strength = index % 3
    ValidatedLevel.objects.bulk_create(
        ValidatedLevel(
            cycle=cycle,
            capability=cap,
            level=max(0, min(4, rng.choice([1, 2, 2, 3]) + rng.choice([-1, 0, 0, 1]) * (strength > 0))),
            rationale="Agreed by the national committee.",
            set_by=coordinator,
        )
        for cap in Capability.objects.filter(version=version)
    )
    assessment_services.cycle_close(cycle=cycle, by=coordinator)
    return cycle


def _consent(cycle, kind, by, capabilities=()):
    if not Consent.objects.current().filter(cycle=cycle, kind=kind).exists():
        services.consent_give(cycle=cycle, kind=kind, by=by, capabilities=capabilities)


def seed_demo_network(*, country, coordinator):
    library_load()
    region, _ = Region.objects.get_or_create(code="demo-region", defaults={"name": "Demo region"})
    region.countries.add(country)
    earlier = Cycle.objects.filter(country=country, status=Cycle.Status.CLOSED).order_by("-closed_at").first()
    version = earlier.framework_version if earlier else None
    rng = random.Random(14)  # noqa: S311  # nosec B311
    if version is not None:
        _consent(earlier, Consent.Kind.AGGREGATES, coordinator)
        for index, (code, name) in enumerate(DEMO_COUNTRIES):
            demo_country, _ = Country.objects.get_or_create(code=code, defaults={"name": name})
            region.countries.add(demo_country)
            demo_coordinator = _user(f"coordinator.{code.lower()}", "Coordinator", name)
            RoleAssignment.objects.get_or_create(user=demo_coordinator, role=Role.COORDINATOR, country=demo_country)
            cycle = _closed_cycle(demo_country, demo_coordinator, version, rng, index)
            _consent(cycle, Consent.Kind.AGGREGATES, demo_coordinator)
            if index < 3:
                _consent(cycle, Consent.Kind.SECRETARIAT, demo_coordinator)
            if index % 2 == 0:
                numbers = [4, 11, 12] if index < 4 else [1, 13]
                _consent(
                    cycle,
                    Consent.Kind.EXCHANGE,
                    demo_coordinator,
                    Capability.objects.filter(version=version, number__in=numbers),
                )
    secretariat = _user("secretariat", "Selma", "Haddad")
    RoleAssignment.objects.get_or_create(user=secretariat, role=Role.SECRETARIAT)
    invited = _countries_awaiting_a_coordinator(region, secretariat)
    return [
        (secretariat.username, "network secretariat: countries, aggregates, exports, shared reports, moderation"),
        (invited.username, f"invited to coordinate {WAITING[1][1]}: accepts or declines on the home page"),
    ]


def _countries_awaiting_a_coordinator(region, secretariat):
    """The secretariat's countries page shows both states: a country with no coordinator yet, and one whose
    coordinator (an existing account) was invited and has not answered."""
    countries = []
    for code, name in WAITING:
        country, _ = Country.objects.get_or_create(code=code, defaults={"name": name})
        region.countries.add(country)
        countries.append(country)
    invited = _user("coordinator.xw", "Coordinator", WAITING[1][1])
    if not Invitation.objects.filter(country=countries[1], user=invited).exists():
        Invitation.objects.create(
            role=Invitation.Offered.COORDINATOR,
            country=countries[1],
            user=invited,
            email=invited.email,
            invited_by=secretariat,
            sent_at=timezone.now(),
        )
    return invited
