"""factory_boy factories with sensible defaults, and one helper that builds a cycle the way the app does.

Sectors are matched on their code, so an organisation made after a framework fixture uses that
framework's sector rather than a copy.
"""

from datetime import date, timedelta

import factory
from django.contrib.auth import get_user_model
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from factory.django import DjangoModelFactory, Password

from assessments import services
from assessments.models import Country, Cycle, Organisation, Role, RoleAssignment
from capabilities.models import Sector

PASSWORD = "a-long-password-1"


def _iso_code(n):
    # Q.. to Z..: clear of the codes the persona fixtures spell out (AA, BB).
    return chr(ord("Q") + n // 26 % 10) + chr(ord("A") + n % 26)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User {n}")
    password = Password(PASSWORD)


class CountryFactory(DjangoModelFactory):
    class Meta:
        model = Country
        django_get_or_create = ("code",)

    code = factory.Sequence(_iso_code)
    name = factory.LazyAttribute(lambda c: f"Country {c.code}")


class SectorFactory(DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ("code",)

    code = "ministry"
    name = factory.LazyAttribute(lambda s: s.code.replace("_", " ").capitalize())


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    country = factory.SubFactory(CountryFactory)
    name = factory.Sequence(lambda n: f"Organisation {n}")
    sector = factory.SubFactory(SectorFactory)


class CoordinatorRoleFactory(DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = Role.COORDINATOR
    country = factory.SubFactory(CountryFactory)
    organisation = None


class ObserverRoleFactory(CoordinatorRoleFactory):
    role = Role.OBSERVER


class FocalPointRoleFactory(DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = Role.FOCAL_POINT
    country = None
    organisation = factory.SubFactory(OrganisationFactory)


class TOTPDeviceFactory(DjangoModelFactory):
    """A confirmed authenticator app; its codes come from ``totp_code``."""

    class Meta:
        model = TOTPDevice

    user = factory.SubFactory(UserFactory)
    name = "Authenticator app"
    confirmed = True


def totp_code(key, *, step=None):
    """The 6-digit code an authenticator app shows for ``key`` (bytes), now or at time step ``step``."""
    totp = TOTP(key)
    if step is not None:
        totp.time = step * totp.step
    return f"{totp.token():06d}"


def make_cycle(*, country, framework_version, organisations, by, open=True, title="National assessment 2026") -> Cycle:
    """A cycle built through the services, as a coordinator would: targets, participants, then opened."""
    today = date.today()
    cycle = services.cycle_create(
        country=country,
        framework_version=framework_version,
        title=title,
        period="2025–2026",
        opens_on=today,
        closes_on=today + timedelta(days=60),
        by=by,
    )
    for organisation in organisations:
        services.cycle_add_organisation(cycle=cycle, organisation=organisation, by=by)
    if open:
        services.cycle_open(cycle=cycle, by=by)
    return cycle
