import pytest

from assessments.models import Country, RoleAssignment
from capabilities.models import Capability
from network import services
from network.models import Region, SecretariatRegion
from reports.models import ValidatedLevel
from tests.factories import CoordinatorRoleFactory, OrganisationFactory, SectorFactory, UserFactory, make_cycle


def _code(n):
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return letters[n // 26 % 26] + letters[n % 26]


@pytest.fixture
def build_country(tiny_framework):
    """``build_country(n, levels={1: 2, 3: 1, 4: 3}, regions=[...], consents=("aggregates",))``: country ``N<n>``
    with its coordinator and a closed cycle whose validated levels are ``levels``, consenting as asked."""
    sector = SectorFactory(code="ministry")

    def build(n, *, levels, regions=(), consents=("aggregates",), capabilities=(1,)):
        country = Country.objects.create(code=_code(n + 100), name=f"Nation {n:03d}")
        for region in regions:
            region.countries.add(country)
        user = UserFactory(username=f"coord{n}", first_name="Alex", last_name="Morgan", email=f"coord{n}@example.org")
        CoordinatorRoleFactory(user=user, country=country)
        org = OrganisationFactory(country=country, name=f"Ministry {n}", sector=sector)
        cycle = make_cycle(country=country, framework_version=tiny_framework, organisations=[org], by=user)
        for number, level in levels.items():
            ValidatedLevel.objects.create(
                cycle=cycle,
                capability=Capability.objects.get(version=tiny_framework, number=number),
                level=level,
                rationale="Agreed.",
                set_by=user,
            )
        services_close(cycle, user)
        for kind in consents:
            caps = Capability.objects.filter(version=tiny_framework, number__in=capabilities)
            services.consent_give(cycle=cycle, kind=kind, by=user, capabilities=caps if kind == "exchange" else ())
        country.coordinator, country.cycle = user, cycle
        return country

    return build


def services_close(cycle, user):
    from assessments import services as assessment_services

    assessment_services.cycle_close(cycle=cycle, by=user)


@pytest.fixture
def region(db):
    return Region.objects.create(code="west", name="West Region")


@pytest.fixture
def secretariat(db):
    user = UserFactory(username="sec", first_name="Sam", last_name="Secretariat", email="sec@example.org")
    RoleAssignment.objects.create(user=user, role="secretariat")
    return user


@pytest.fixture
def regional_secretariat(region):
    user = UserFactory(username="regsec", email="regsec@example.org")
    role = RoleAssignment.objects.create(user=user, role="secretariat")
    SecretariatRegion.objects.create(assignment=role, region=region)
    return user
