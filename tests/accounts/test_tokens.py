"""Personal API tokens: created on the account page, shown once, hashed at rest, expiring, revocable,
scoped, and for coordinators and admins only from a session verified with the second factor."""

import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken
from accounts.services import token_authenticate, token_create
from assessments.models import AuditEvent
from tests.factories import api_token, bearer

pytestmark = pytest.mark.django_db


def create(client, **data):
    return client.post(reverse("api_tokens"), {"name": "Ministry dashboard", "scope": "read", "days": "30", **data})


def test_a_token_is_shown_once_and_stored_as_a_hash_only(client, focal_point):
    client.force_login(focal_point)

    response = create(client)

    assert response.status_code == 200
    raw = response.context["new_token"]
    assert raw.startswith("mnr_") and raw in response.content.decode()
    token = ApiToken.objects.get(user=focal_point)
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(list(ApiToken.objects.values()))
    assert (token.name, token.scope) == ("Ministry dashboard", "read")
    assert abs(token.expires_at - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)
    # Never again: the page lists the token by its prefix only.
    again = client.get(reverse("api_tokens")).content.decode()
    assert raw not in again and f"mnr_{token.prefix}" in again
    event = AuditEvent.objects.get(action=AuditEvent.Action.API_TOKEN_CREATED)
    assert (event.user, event.api_token) == (focal_point, token)


def test_a_bad_token_form_is_refused_and_creates_nothing(client, focal_point):
    client.force_login(focal_point)

    response = create(client, name="", days="5")

    assert response.status_code == 400
    assert response.context["new_token"] is None
    assert not ApiToken.objects.exists()


def test_a_token_works_until_it_expires(client, focal_point, cycle):
    token, raw = api_token(focal_point)
    url = reverse("api:cycle-list")
    assert client.get(url, **bearer(raw)).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None

    past = timezone.now() - timedelta(days=31)
    ApiToken.objects.filter(pk=token.pk).update(created_at=past, expires_at=past + timedelta(days=30))

    response = client.get(url, **bearer(raw))
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_revoked_token_is_refused_and_only_its_owner_revokes_it(client, focal_point, coordinator, cycle):
    token, raw = api_token(focal_point)
    client.force_login(coordinator)
    assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 404
    assert client.get(reverse("api:cycle-list"), **bearer(raw)).status_code == 200

    client.force_login(focal_point)
    response = client.post(reverse("api_token_revoke", args=[token.pk]))

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get(reverse("api:cycle-list"), **bearer(raw)).status_code == 401
    assert AuditEvent.objects.filter(action=AuditEvent.Action.API_TOKEN_REVOKED, api_token=token).exists()


def test_a_tampered_or_unknown_token_is_refused(client, focal_point):
    token, raw = api_token(focal_point)

    assert token_authenticate(raw[:-1] + ("A" if raw[-1] != "A" else "B")) is None
    assert token_authenticate("mnr_00000000_nothing") is None
    assert token_authenticate("not-a-token") is None
    assert client.get(reverse("api:cycle-list"), HTTP_AUTHORIZATION="Bearer nope").status_code == 401
    assert client.get(reverse("api:cycle-list")).status_code == 401


def test_a_read_only_token_cannot_write(client, focal_point, answer):
    _token, raw = api_token(focal_point, scope="read")

    response = client.put(
        reverse("api:answer-detail", args=[answer.submission_id, answer.pk]),
        {"choice": "1"},
        content_type="application/json",
        HTTP_IF_MATCH='"0"',
        **bearer(raw),
    )

    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]
    answer.refresh_from_db()
    assert answer.version == 0


def test_a_token_of_an_inactive_user_is_refused(client, focal_point):
    _token, raw = api_token(focal_point)
    type(focal_point).objects.filter(pk=focal_point.pk).update(is_active=False)

    assert client.get(reverse("api:cycle-list"), **bearer(raw)).status_code == 401


def test_coordinators_create_tokens_only_from_a_verified_session(coordinator):
    with pytest.raises(PermissionDenied, match="second factor"):
        token_create(
            user=coordinator,
            name="Dashboard",
            scope="read",
            days=30,
            second_factor_required=True,
            second_factor_verified=False,
        )
    assert not ApiToken.objects.exists()


@pytest.mark.real_2fa
def test_an_unverified_coordinator_is_sent_to_the_second_step_before_the_token_page(client, coordinator):
    from tests.factories import TOTPDeviceFactory

    TOTPDeviceFactory(user=coordinator)
    client.force_login(coordinator)

    response = create(client)

    assert response.status_code == 302 and response.url.startswith(reverse("two_factor:verify"))
    assert not ApiToken.objects.exists()


def test_a_verified_coordinator_creates_a_token(client, coordinator):
    client.force_login(coordinator)  # verified with the second factor (see conftest)

    response = create(client, scope="write", days="7")

    assert response.status_code == 200 and response.context["new_token"]
    assert ApiToken.objects.get(user=coordinator).scope == "write"


def test_the_rate_limit_answers_429_with_retry_after(client, settings, focal_point, cycle):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": "3/minute"}}
    _token, raw = api_token(focal_point)
    _other, other_raw = api_token(focal_point)
    url = reverse("api:cycle-list")
    assert [client.get(url, **bearer(raw)).status_code for _ in range(3)] == [200, 200, 200]

    response = client.get(url, **bearer(raw))

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert response.json()["status"] == 429
    # Per token: another token of the same person is counted apart.
    assert client.get(url, **bearer(other_raw)).status_code == 200
