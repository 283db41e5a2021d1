"""factory_boy factories with sensible defaults, and one helper that builds a cycle the way the app does.

Sectors are matched on their code, so an organisation made after a framework fixture uses that
framework's sector rather than a copy.
"""

from datetime import date, timedelta

import factory
import yaml
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


def make_cycle(
    *,
    country,
    framework_version,
    organisations,
    by,
    open=True,
    title="National assessment 2026",
    period="2025–2026",
    opens_on=None,
) -> Cycle:
    """A cycle built through the services, as a coordinator would: targets, participants, then opened."""
    opens_on = opens_on or date.today()
    cycle = services.cycle_create(
        country=country,
        framework_version=framework_version,
        title=title,
        period=period,
        opens_on=opens_on,
        closes_on=opens_on + timedelta(days=60),
        by=by,
    )
    for organisation in organisations:
        services.cycle_add_organisation(cycle=cycle, organisation=organisation, by=by)
    if open:
        services.cycle_open(cycle=cycle, by=by)
    return cycle


def make_framework(code, capabilities, *, sectors=("ministry", "law_enforcement", "ngo")):
    """A published framework version from ``{capability number: [indicator code, ...]}``, loaded through
    the framework file format. Every indicator is asked of every sector in ``sectors`` (weight 1)."""
    from capabilities.fileformat import parse_framework
    from capabilities.services import framework_load

    data = {
        "format": "mnr-framework/1",
        "version": {"code": code, "title": f"Framework {code}", "description": "Test.", "status": "published"},
        "scale": [{"level": n, "name": f"Level {n}", "description": "."} for n in range(5)],
        "sectors": [{"code": s, "name": s.replace("_", " ").capitalize(), "description": ""} for s in sectors],
        "domains": [{"code": "A", "name": "Policy", "outcome": "Leaders commit."}],
        "capabilities": [
            {
                "number": number,
                "domain": "A",
                "title": f"Capability {number}",
                "summary": "Summary.",
                "outcome": "Outcome.",
                "indicators": [
                    {
                        "code": ind,
                        "question": f"Question {ind}?",
                        "guidance": "",
                        "weight": 1,
                        "sectors": list(sectors),
                        "levels": {n: f"{ind} at level {n}." for n in range(5)},
                    }
                    for ind in indicators
                ],
            }
            for number, indicators in capabilities.items()
        ],
        "enablers": [{"code": "E1", "name": "Collaboration", "description": "Working together.", "capabilities": [1]}],
    }
    return framework_load(data=parse_framework(yaml.safe_dump(data, allow_unicode=True), f"{code}.yaml")).version


def make_crosswalk(source, target, entries):
    """A crosswalk from ``source`` to ``target`` with ``entries``: (kind, source code, target code, relation)."""
    from capabilities.models import Crosswalk, CrosswalkEntry

    crosswalk = Crosswalk.objects.create(source=source, target=target)
    CrosswalkEntry.objects.bulk_create(
        CrosswalkEntry(crosswalk=crosswalk, kind=kind, source_code=src, target_code=dst, relation=relation)
        for kind, src, dst, relation in entries
    )
    return crosswalk


def api_token(user, scope="write", days=30):
    """A personal API token of ``user`` and its text, as its owner would create it on the account page."""
    from accounts.services import token_create

    return token_create(
        user=user,
        name="Test client",
        scope=scope,
        days=days,
        second_factor_required=False,
        second_factor_verified=False,
    )


def bearer(raw):
    """The header a client sends with token ``raw`` (Django test client keyword)."""
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
