"""The secretariat manages countries of its scope and invites each one's first national coordinator.

It sees names, regions and coordinators, never a level (tests/network/test_no_league_table.py walks the
pages too); a regional secretariat reaches only its regions' countries, and anyone else is refused.
"""

import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from assessments import participants
from assessments.models import AuditEvent, Country, Invitation, RoleAssignment
from network import services
from network.models import Region
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def east(db):
    return Region.objects.create(code="east", name="East Region")


@pytest.fixture
def westland(region):
    country = Country.objects.create(code="WL", name="Westland")
    region.countries.add(country)
    return country


@pytest.fixture
def eastland(east):
    country = Country.objects.create(code="EL", name="Eastland")
    east.countries.add(country)
    return country


def invite(country, email, by, **kwargs):
    return services.coordinator_invite(country=country, email=email, by=by, base_url="http://testserver", **kwargs)


# The list ---------------------------------------------------------------------------------------------------


def test_the_list_shows_countries_by_name_with_regions_coordinators_and_pending_invitations(
    client, secretariat, westland, eastland, region
):
    region.countries.add(eastland)
    someone = UserFactory(username="kim", email="kim@example.org")
    invite(eastland, someone.email, secretariat)
    invite(westland, "new.coordinator@example.org", secretariat, first_name="Noor", last_name="Adel")
    client.force_login(secretariat)

    body = client.get(reverse("network:countries")).content.decode()

    assert body.index("Eastland") < body.index("Westland")
    assert "East Region, West Region" in body
    assert "Invitation awaiting acceptance</span> kim@example.org" in body
    assert "Noor Adel" in body and "new.coordinator@example.org" in body


def test_a_country_without_coordinator_offers_the_invitation(client, secretariat, westland):
    client.force_login(secretariat)
    body = client.get(reverse("network:countries")).content.decode()
    assert "No coordinator yet: invite one" in body


def test_a_regional_secretariat_lists_and_reaches_only_its_regions_countries(
    client, regional_secretariat, westland, eastland
):
    client.force_login(regional_secretariat)

    body = client.get(reverse("network:countries")).content.decode()

    assert "Westland" in body and "Eastland" not in body
    assert client.get(reverse("network:country_update", args=[westland.pk])).status_code == 200
    assert client.get(reverse("network:country_update", args=[eastland.pk])).status_code == 404
    response = client.post(reverse("network:coordinator_invite", args=[eastland.pk]), {"email": "x@example.org"})
    assert response.status_code == 404
    assert not Invitation.objects.exists()


def test_coordinators_focal_points_and_observers_are_refused(client, coordinator, focal_point, observer, country_a):
    for someone in (coordinator, focal_point, observer):
        client.force_login(someone)
        assert client.get(reverse("network:countries")).status_code == 403
        assert client.get(reverse("network:country_create")).status_code == 403
        assert client.get(reverse("network:country_update", args=[country_a.pk])).status_code == 403
        assert (
            client.post(reverse("network:coordinator_invite", args=[country_a.pk]), {"email": "a@b.org"}).status_code
            == 403
        )
    assert not Invitation.objects.exists()


def test_the_list_takes_a_fixed_number_of_queries(client, secretariat, django_assert_num_queries, region):
    client.force_login(secretariat)

    def add(n):
        for i in range(n):
            country = Country.objects.create(code=f"Q{chr(65 + Country.objects.count())}", name=f"Land {i}")
            region.countries.add(country)
            invite(country, f"c{country.code.lower()}@example.org", secretariat)

    add(1)
    client.get(reverse("network:countries"))  # the first request after the login checks the device, saves the session
    # session, user, roles, secretariat regions, countries, regions, coordinators, pending invitations
    with django_assert_num_queries(8):
        client.get(reverse("network:countries"))
    add(3)
    with django_assert_num_queries(8):
        client.get(reverse("network:countries"))


# Adding and editing ---------------------------------------------------------------------------------------


def test_the_secretariat_adds_a_country_and_the_event_is_audited(client, secretariat, region):
    client.force_login(secretariat)

    response = client.post(
        reverse("network:country_create"), {"name": "  New   Land ", "code": "nl", "regions": [region.pk]}
    )

    country = Country.objects.get(code="NL")
    assert response.status_code == 302 and response.url == reverse("network:country_update", args=[country.pk])
    assert country.name == "New Land"
    assert list(country.regions.all()) == [region]
    event = AuditEvent.objects.get(action=AuditEvent.Action.COUNTRY_CREATED)
    assert event.country == country and event.user == secretariat and event.detail == "NL New Land"


def test_a_bad_code_or_a_taken_one_is_refused_and_the_input_kept(client, secretariat, westland):
    client.force_login(secretariat)

    bad = client.post(reverse("network:country_create"), {"name": "Atlantis", "code": "A1"})
    taken = client.post(reverse("network:country_create"), {"name": "Atlantis", "code": "WL"})

    assert "Enter the two-letter ISO 3166 code" in bad.content.decode()
    assert 'value="Atlantis"' in bad.content.decode()
    assert "already exists" in taken.content.decode()
    assert not Country.objects.filter(name="Atlantis").exists()


def test_a_regional_secretariat_must_choose_one_of_its_regions(client, regional_secretariat, region, east):
    client.force_login(regional_secretariat)

    none = client.post(reverse("network:country_create"), {"name": "Atlantis", "code": "AT"})
    outside = client.post(reverse("network:country_create"), {"name": "Atlantis", "code": "AT", "regions": [east.pk]})

    assert none.status_code == 200 and "This field is required." in none.content.decode()
    assert outside.status_code == 200 and "Select a valid choice" in outside.content.decode()
    assert not Country.objects.filter(code="AT").exists()
    with pytest.raises(PermissionDenied):
        services.country_create(name="Atlantis", code="AT", regions=[east], by=regional_secretariat)
    with pytest.raises(ValidationError, match="at least one of your regions"):
        services.country_create(name="Atlantis", code="AT", regions=[], by=regional_secretariat)


def test_editing_keeps_the_regions_a_regional_secretariat_does_not_see(
    client, regional_secretariat, westland, east, region
):
    east.countries.add(westland)
    client.force_login(regional_secretariat)

    response = client.post(
        reverse("network:country_update", args=[westland.pk]),
        {"name": "West Land", "code": "WL", "regions": [region.pk]},
    )

    assert response.status_code == 302
    westland.refresh_from_db()
    assert westland.name == "West Land"
    assert set(westland.regions.all()) == {region, east}
    assert AuditEvent.objects.filter(action=AuditEvent.Action.COUNTRY_CHANGED, country=westland).count() == 1


def test_the_service_refuses_a_country_outside_the_scope(regional_secretariat, eastland, region):
    from django.http import Http404

    with pytest.raises(Http404):
        services.country_update(country=eastland, name="X", code="EL", regions=[region], by=regional_secretariat)


# The coordinator's invitation --------------------------------------------------------------------------


def test_a_new_address_gets_an_account_holding_the_coordinator_role_at_once(
    client, secretariat, westland, django_capture_on_commit_callbacks
):
    client.force_login(secretariat)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("network:coordinator_invite", args=[westland.pk]),
            {"email": "Noor@Example.org", "first_name": "Noor", "last_name": "Adel"},
        )

    assert messages_of(response) == ["Invitation sent to \u2068noor@example.org\u2069 for \u2068Westland\u2069."]
    invitation = Invitation.objects.get()
    assert (invitation.role, invitation.country, invitation.organisation) == ("coordinator", westland, None)
    assert invitation.status == "accepted" and invitation.created_account
    assert RoleAssignment.objects.filter(user=invitation.user, role="coordinator", country=westland).exists()
    (message,) = mail.outbox
    assert "national coordinator of Westland" in message.subject + message.body
    assert re.search(r"http://testserver/accounts/reset/\S+/", message.body)
    event = AuditEvent.objects.get(action=AuditEvent.Action.COORDINATOR_INVITED)
    assert event.country == westland and event.detail == "noor@example.org → Westland"


def test_an_existing_account_becomes_coordinator_only_on_acceptance(client, secretariat, westland, outsider):
    invitation = invite(westland, outsider.email, secretariat)
    assert invitation.status == "pending"
    assert not RoleAssignment.objects.filter(user=outsider, country=westland).exists()
    client.force_login(outsider)

    home = client.get(reverse("home")).content.decode()
    response = client.post(reverse("assessments:invitation_accept", args=[invitation.pk]))

    assert "invites you to be a national coordinator of <strong>Westland</strong>" in home
    assert messages_of(response) == ["You are now a national coordinator of \u2068Westland\u2069."]
    assert RoleAssignment.objects.filter(user=outsider, role="coordinator", country=westland).exists()
    invitation.refresh_from_db()
    assert invitation.status == "accepted" and invitation.responded_at is not None
    event = AuditEvent.objects.get(action=AuditEvent.Action.INVITATION_ACCEPTED)
    assert event.country == westland and event.detail == "coordinator · Westland"


def test_a_declined_coordinator_invitation_gives_no_role(client, secretariat, westland, outsider):
    invitation = invite(westland, outsider.email, secretariat)
    client.force_login(outsider)

    response = client.post(reverse("assessments:invitation_decline", args=[invitation.pk]))

    assert messages_of(response) == ["You declined the invitation of \u2068Westland\u2069."]
    assert not RoleAssignment.objects.filter(user=outsider, country=westland).exists()
    assert AuditEvent.objects.get(action=AuditEvent.Action.INVITATION_DECLINED).country == westland
    client.force_login(secretariat)
    assert "Declined</span>" in client.get(reverse("network:country_update", args=[westland.pk])).content.decode()


def test_nobody_else_can_accept_a_coordinator_invitation(client, secretariat, westland, outsider, coordinator):
    invitation = invite(westland, outsider.email, secretariat)
    for someone in (coordinator, secretariat):
        client.force_login(someone)
        assert client.post(reverse("assessments:invitation_accept", args=[invitation.pk])).status_code == 404
    with pytest.raises(PermissionDenied, match="someone else"):
        participants.invitation_accept(invitation=invitation, by=coordinator)
    assert not RoleAssignment.objects.filter(country=westland).exists()


def test_a_country_with_a_coordinator_or_a_pending_invitation_to_the_same_person_is_refused(
    client, secretariat, westland, outsider, country_a, coordinator
):
    invite(westland, outsider.email, secretariat)
    with pytest.raises(ValidationError, match="has not answered yet; resend the invitation instead"):
        invite(westland, outsider.email, secretariat)
    client.force_login(secretariat)
    response = client.post(reverse("network:coordinator_invite", args=[country_a.pk]), {"email": "z@example.org"})
    assert response.status_code == 200
    assert "Arcadia has a national coordinator already." in response.content.decode()
    assert 'value="z@example.org"' in response.content.decode()
    assert Invitation.objects.count() == 1


def test_an_invalid_address_is_refused_with_its_input(client, secretariat, westland):
    client.force_login(secretariat)
    response = client.post(reverse("network:coordinator_invite", args=[westland.pk]), {"email": "not-an-address"})
    assert response.status_code == 200 and "Enter a valid email address." in response.content.decode()
    assert 'value="not-an-address"' in response.content.decode()
    assert not Invitation.objects.exists()


def test_resending_counts_and_is_limited_to_once_per_interval(
    client, secretariat, westland, outsider, django_capture_on_commit_callbacks
):
    invitation = invite(westland, outsider.email, secretariat)
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now() - timedelta(hours=1))
    mail.outbox.clear()
    client.force_login(secretariat)
    url = reverse("network:coordinator_invitation_resend", args=[westland.pk, invitation.pk])

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url)
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(url)

    assert messages_of(first) == [f"Invitation sent again to \u2068{outsider.email}\u2069."]
    assert "it can be sent again from" in messages_of(second)[-1]
    assert len(mail.outbox) == 1
    invitation.refresh_from_db()
    assert invitation.send_count == 2
    event = AuditEvent.objects.get(action=AuditEvent.Action.INVITATION_RESENT)
    assert event.country == westland and event.detail.endswith("(#2)")
    page = client.get(reverse("network:country_update", args=[westland.pk])).content.decode()
    assert "Sent 2 times" in page


def test_a_regional_secretariat_cannot_resend_an_invitation_outside_its_scope(
    client, secretariat, regional_secretariat, eastland, outsider
):
    invitation = invite(eastland, outsider.email, secretariat)
    client.force_login(regional_secretariat)
    url = reverse("network:coordinator_invitation_resend", args=[eastland.pk, invitation.pk])
    assert client.post(url).status_code == 404


def test_a_focal_point_invitation_cannot_be_resent_as_a_coordinators(
    client, secretariat, cycle, organisation, outsider, coordinator
):
    invitation = participants.focal_point_invite(
        cycle=cycle, organisation=organisation, email=outsider.email, by=coordinator, base_url=""
    )
    client.force_login(secretariat)
    url = reverse("network:coordinator_invitation_resend", args=[cycle.country_id, invitation.pk])
    assert client.post(url).status_code == 404


def test_the_database_holds_a_coordinator_invitation_to_its_country(secretariat, westland, organisation, outsider):
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        Invitation.objects.create(
            role="coordinator", organisation=organisation, user=outsider, email="o@x.org", sent_at=now
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Invitation.objects.create(role="focal_point", country=westland, user=outsider, email="o@x.org", sent_at=now)
    Invitation.objects.create(role="coordinator", country=westland, user=outsider, email="o@x.org", sent_at=now)
    with pytest.raises(IntegrityError), transaction.atomic():
        Invitation.objects.create(role="coordinator", country=westland, user=outsider, email="o@x.org", sent_at=now)
