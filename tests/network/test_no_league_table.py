"""No page, export or API lists countries together with their levels, and every aggregate below k is hidden.

A client-level walk: every named URL of the project, as every role (anonymous, focal point, observer,
coordinator, secretariat of the whole network and of a region, superuser), over a network of countries
that consented to everything. A page that names two countries or more must not put any of them in the
same row (table row, list item, CSV line, spreadsheet row) as a level.
"""

import io
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch
from openpyxl import load_workbook

from assessments.models import Country
from capabilities.models import Capability
from network import services
from network.models import Practice, Region
from tests.factories import FocalPointRoleFactory, ObserverRoleFactory, UserFactory

pytestmark = pytest.mark.django_db

COUNTRY = re.compile(r"Nation \d{3}")
LEVEL = re.compile(r"\blevel\b|\b[0-4](?:[.,]\d)?\b", re.IGNORECASE)
ROW = re.compile(r"<tr\b|<li\b|\n")
TAG = re.compile(r"<[^>]*>|^[^<]*>")


def named_urls():
    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "admin":
                    continue
                yield from walk(p.url_patterns, f"{p.namespace}:" if p.namespace else prefix)
            elif isinstance(p, URLPattern) and p.name:
                yield prefix + p.name, list(p.pattern.converters)

    return sorted(set((name, tuple(args)) for name, args in walk(get_resolver().url_patterns)))


def rows_of(response):
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind:
        book = load_workbook(io.BytesIO(response.content), read_only=True)
        return [
            " ".join(str(v) for v in row if v is not None)
            for sheet in book
            for row in sheet.iter_rows(values_only=True)
        ]
    if kind.startswith(("text/", "application/json")):
        # The text of each row: tags (and their attributes, such as ids in links) are not what a reader sees.
        return [TAG.sub(" ", row) for row in ROW.split(response.content.decode())]
    return []


def assert_no_league_table(url, response):
    rows = rows_of(response)
    names = {name for row in rows for name in COUNTRY.findall(row)}
    if len(names) < 2:
        return
    for row in rows:
        if COUNTRY.search(row):
            assert not LEVEL.search(COUNTRY.sub("", row)), f"{url} lists a country with a level: {row[:200]}"


@pytest.fixture
def network_world(build_country, region, secretariat, regional_secretariat, tiny_framework, superuser):
    small = Region.objects.create(code="small", name="Small Region")
    countries = [
        build_country(
            n,
            levels={1: n % 5, 3: 2, 4: 1},
            regions=[region] if n < 7 else [small],
            consents=("aggregates", "secretariat", "exchange"),
            capabilities=(1, 3),
        )
        for n in range(10)
    ]
    me = countries[0]
    cap = Capability.objects.get(version=tiny_framework, number=1)
    exchange = services.exchange_request_create(
        country=me, capability=cap, region=None, message="Tell us", route="direct", by=me.coordinator
    )
    for reply in exchange.replies.select_related("country")[:2]:
        services.exchange_answer(reply=reply, accept=True, by=reply.country.roles.get().user)
    practice = services.practice_save(
        practice=Practice(title="Helpline", summary="S", what_was_done="W", show_country=True),
        by=me.coordinator,
        capabilities=[cap],
    )
    services.practice_submit(practice=practice, by=me.coordinator)
    services.practice_publish(practice=practice, by=secretariat)
    # Two countries the secretariat manages: one without a coordinator, one whose coordinator is invited.
    lone = Country.objects.create(code="ZZ", name="Nation 900")
    invited = Country.objects.create(code="ZY", name="Nation 901")
    region.countries.add(lone, invited)
    invitation = services.coordinator_invite(
        country=invited, email=countries[1].coordinator.email, by=secretariat, base_url="http://testserver"
    )
    observer = UserFactory(username="obs")
    ObserverRoleFactory(user=observer, country=me)
    focal = UserFactory(username="fp")
    FocalPointRoleFactory(user=focal, organisation=me.cycle.submissions.get().organisation)
    return {
        "countries": countries,
        "me": me,
        "practice": practice,
        "reply": exchange.replies.first(),
        "exchange": exchange,
        "invitation": invitation,
        "personas": {
            "anonymous": None,
            "focal_point": focal,
            "observer": observer,
            "coordinator": me.coordinator,
            "secretariat": secretariat,
            "regional_secretariat": regional_secretariat,
            "superuser": superuser,
        },
    }


def arguments(world, name, params):
    """Arguments that reach a real object where one exists: the consenting country's cycle and so on."""
    known = {
        "network:shared_report": [world["countries"][3].cycle.pk],
        "network:practice_detail": [world["practice"].pk],
        "network:practice_update": [world["practice"].pk],
        "network:exchange_answer": [world["reply"].pk, "accept"],
        "network:exchange_forward": [world["exchange"].pk],
        "network:country_update": [world["invitation"].country_id],
        "network:coordinator_invitation_resend": [world["invitation"].country_id, world["invitation"].pk],
        "network:consent_give": [world["me"].cycle.pk, "aggregates"],
        "network:consent_withdraw": [world["me"].cycle.pk, "aggregates"],
    }
    if name in known:
        return known[name]
    values = {"pk": world["me"].cycle.pk, "number": 1, "kind": "aggregates"}
    return [values.get(p, world["me"].cycle.pk) for p in params]


def test_no_page_lists_countries_with_levels_as_any_role(client, network_world):
    for persona, user in network_world["personas"].items():
        client.logout()
        if user is not None:
            client.force_login(user)
        for name, params in named_urls():
            try:
                url = reverse(name, args=arguments(network_world, name, params))
            except NoReverseMatch:
                continue
            response = client.get(url)
            assert_no_league_table(f"{persona} {url}", response)


def test_the_countries_page_names_countries_with_their_coordinators_but_never_a_level(client, network_world):
    client.force_login(network_world["personas"]["secretariat"])
    response = client.get(reverse("network:countries"))
    body = response.content.decode()
    assert len(set(COUNTRY.findall(body))) == 12
    assert "Invitation awaiting acceptance" in body and "No coordinator yet" in body
    assert_no_league_table("countries", response)


def test_the_secretariat_list_names_countries_but_never_beside_levels(client, network_world):
    client.force_login(network_world["personas"]["secretariat"])
    response = client.get(reverse("network:shared_list"))
    assert len(set(COUNTRY.findall(response.content.decode()))) == 10
    assert_no_league_table("shared list", response)


def test_every_aggregate_below_k_is_suppressed(client, network_world):
    client.force_login(network_world["personas"]["secretariat"])
    import csv

    rows = list(csv.DictReader(io.StringIO(client.get(reverse("network:aggregates_csv")).content.decode())))
    small = [r for r in rows if r["scope"] == "small"]
    assert small and all(r["contributors"] == "" and r["median"] == "" for r in small)
    assert all(r[f"level_{n}"] == "" for r in small for n in range(5))
    west = [r for r in rows if r["scope"] == "west" and r["kind"] == "capability" and r["code"] == "3"]
    assert west[0]["contributors"] == "7" and west[0]["level_2"] == "7"
