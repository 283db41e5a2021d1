"""Login throttling, login audit and session settings."""

import pytest
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(django_user_model):
    return django_user_model.objects.create_user("ana", "ana@example.org", "a-long-password-1")


@pytest.mark.axes
def test_repeated_failed_logins_lock_the_account_and_say_so(client, ana):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "ana", "password": "wrong"})

    response = client.post(reverse("login"), {"username": "ana", "password": "a-long-password-1"})

    assert "Too many failed log-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.get(username="ana").failures_since_start >= settings.AXES_FAILURE_LIMIT


@pytest.mark.axes
def test_a_successful_login_is_recorded(client, ana):
    response = client.post(reverse("login"), {"username": "ana", "password": "a-long-password-1"})

    assert response.status_code == 302
    log = AccessLog.objects.get(username="ana")
    assert log.attempt_time is not None


def test_sessions_expire_and_cookies_are_http_only():
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_passwords_are_validated(client, ana):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="too short"):
        validate_password("short", ana)


def test_every_form_post_needs_a_csrf_token(ana):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(ana)
    response = strict.post(reverse("logout"))
    assert response.status_code == 403
