"""Peer exchange reveals nothing before acceptance; every step is audited."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessments.models import AuditEvent
from capabilities.models import Capability
from network import services
from network.models import ExchangeReply

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_and_asking(build_country, region):
    """Two countries of the West region open to exchange on capability 1; a third country that asks."""
    open_one = build_country(1, levels={1: 3}, regions=[region], consents=("exchange",), capabilities=(1,))
    open_two = build_country(2, levels={1: 3}, regions=[region], consents=("exchange",), capabilities=(1,))
    asking = build_country(3, levels={1: 1}, consents=())
    return open_one, open_two, asking


def test_a_coordinator_sees_which_regions_are_open_not_which_countries(client, open_and_asking):
    open_one, open_two, asking = open_and_asking
    client.force_login(asking.coordinator)

    body = client.get(reverse("network:exchange")).content.decode()

    assert "West Region" in body
    assert open_one.name not in body and open_two.name not in body and "coord1@" not in body


def test_peer_exchange_reveals_nothing_before_acceptance_and_contacts_after(client, open_and_asking, tiny_framework):
    open_one, open_two, asking = open_and_asking
    capability = Capability.objects.get(version=tiny_framework, number=1)
    client.force_login(asking.coordinator)
    client.post(
        reverse("network:exchange_ask"),
        {"capability": capability.pk, "message": "How did you fund the council?", "route": "direct"},
    )
    replies = ExchangeReply.objects.filter(request__country=asking)
    assert sorted(r.country_id for r in replies) == sorted([open_one.pk, open_two.pk])

    # Before anyone accepts: the asker sees a count, the open side the question but not who asks.
    body = client.get(reverse("network:exchange")).content.decode()
    assert "2 countries asked" in body and open_one.name not in body and "coord1@" not in body
    client.force_login(open_one.coordinator)
    body = client.get(reverse("network:exchange")).content.decode()
    assert "How did you fund the council?" in body and asking.name not in body and "coord3@" not in body

    reply = replies.get(country=open_one)
    client.post(reverse("network:exchange_answer", args=[reply.pk, "accept"]))
    body = client.get(reverse("network:exchange")).content.decode()
    assert asking.name in body and "coord3@example.org" in body

    client.force_login(asking.coordinator)
    body = client.get(reverse("network:exchange")).content.decode()
    assert open_one.name in body and "coord1@example.org" in body
    assert open_two.name not in body and "coord2@" not in body
    assert AuditEvent.objects.filter(action="exchange_requested").count() == 1
    assert AuditEvent.objects.filter(action="exchange_answered").count() == 1


def test_a_request_through_the_secretariat_reaches_nobody_until_forwarded(open_and_asking, secretariat, tiny_framework):
    _one, _two, asking = open_and_asking
    capability = Capability.objects.get(version=tiny_framework, number=1)
    exchange = services.exchange_request_create(
        country=asking, capability=capability, region=None, message="Hello", route="secretariat", by=asking.coordinator
    )
    assert not exchange.replies.exists()

    services.exchange_forward(exchange=exchange, by=secretariat)
    assert exchange.replies.count() == 2
    with pytest.raises(ValidationError, match="already forwarded"):
        services.exchange_forward(exchange=exchange, by=secretariat)


def test_nobody_answers_for_another_country(client, open_and_asking, tiny_framework):
    open_one, open_two, asking = open_and_asking
    capability = Capability.objects.get(version=tiny_framework, number=1)
    services.exchange_request_create(
        country=asking, capability=capability, region=None, message="Hello", route="direct", by=asking.coordinator
    )
    reply = ExchangeReply.objects.get(country=open_one)
    client.force_login(open_two.coordinator)

    assert client.post(reverse("network:exchange_answer", args=[reply.pk, "accept"])).status_code == 404
    reply.refresh_from_db()
    assert reply.status == "pending"


def test_asking_where_nobody_is_open_is_refused(build_country, tiny_framework):
    asking = build_country(3, levels={1: 1}, consents=())
    with pytest.raises(ValidationError, match="No country is open"):
        services.exchange_request_create(
            country=asking,
            capability=Capability.objects.get(version=tiny_framework, number=3),
            region=None,
            message="Hello",
            route="direct",
            by=asking.coordinator,
        )


def test_a_regional_secretariat_forwards_requests_of_its_regions_within_them_only(
    client, build_country, region, regional_secretariat, tiny_framework
):
    from django.core.exceptions import PermissionDenied

    from network.models import Region

    east = Region.objects.create(code="east", name="East Region")
    inside = build_country(1, levels={1: 3}, regions=[region], consents=("exchange",), capabilities=(1,))
    outside = build_country(2, levels={1: 3}, regions=[east], consents=("exchange",), capabilities=(1,))
    asking_inside = build_country(3, levels={1: 1}, regions=[region], consents=())
    asking_outside = build_country(4, levels={1: 1}, regions=[east], consents=())
    capability = Capability.objects.get(version=tiny_framework, number=1)

    def ask(country):
        return services.exchange_request_create(
            country=country,
            capability=capability,
            region=None,
            message=f"From {country.name}",
            route="secretariat",
            by=country.coordinator,
        )

    ours, theirs = ask(asking_inside), ask(asking_outside)
    client.force_login(regional_secretariat)
    body = client.get(reverse("network:exchange")).content.decode()
    assert f"From {asking_inside.name}" in body and f"From {asking_outside.name}" not in body
    assert client.post(reverse("network:exchange_forward", args=[theirs.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        services.exchange_forward(exchange=theirs, by=regional_secretariat)
    assert not theirs.replies.exists(), "nothing forwarded"

    client.post(reverse("network:exchange_forward", args=[ours.pk]))
    assert [r.country_id for r in ours.replies.all()] == [inside.pk], f"not to {outside.name}, outside its regions"
