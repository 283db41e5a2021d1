"""Login throttling, login audit, security headers and session time-outs."""

import os
import re

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


# Headers -------------------------------------------------------------------------------------------


def test_every_page_carries_the_security_headers(client, ana):
    client.force_login(ana)
    response = client.get(reverse("home"))

    csp = response.headers["Content-Security-Policy"]
    script_src = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
    assert script_src.split() == ["script-src", "'self'"]
    assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp and "base-uri 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


def test_no_template_has_inline_script():
    from tests.conftest import ROOT

    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag:
                offenders.append(f"{path.name}: {tag}")
        if re.search(r"\son(click|submit|change|load|input)=", text):
            offenders.append(f"{path.name}: inline event handler")
    assert offenders == []


def test_production_cookies_are_secure_and_hsts_is_on():
    import subprocess
    import sys

    from tests.conftest import ROOT
    from tests.test_settings import PRODUCTION

    code = (
        "import django; from django.conf import settings as s; django.setup();"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SECURE_HSTS_SECONDS > 0,"
        " s.SESSION_COOKIE_SAMESITE, s.SECURE_SSL_REDIRECT)"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env |= PRODUCTION | {"DJANGO_SETTINGS_MODULE": "mnr_portal.settings"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True", "True", "True", "Lax", "True"]


# Session time-outs ---------------------------------------------------------------------------------


def _age_session(client, key, seconds):
    session = client.session
    session[key] = session[key] - seconds
    session.save()


def test_a_session_ends_after_the_idle_timeout(client, ana, settings):
    from mnr_portal.middleware import SessionTimeoutMiddleware

    client.force_login(ana)
    assert client.get(reverse("home")).status_code == 200
    _age_session(client, SessionTimeoutMiddleware.SEEN, settings.SESSION_IDLE_TIMEOUT + 5)

    response = client.get(reverse("home"), follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    assert "signed out after 30 minutes without activity" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_htmx_request_on_an_ended_session_gets_401(client, ana, settings):
    from mnr_portal.middleware import SessionTimeoutMiddleware

    client.force_login(ana)
    _age_session(client, SessionTimeoutMiddleware.SEEN, settings.SESSION_IDLE_TIMEOUT + 5)

    response = client.get(reverse("home"), headers={"HX-Request": "true"})

    assert response.status_code == 401


def test_a_session_ends_after_the_absolute_timeout_even_when_active(client, ana, settings):
    from mnr_portal.middleware import SessionTimeoutMiddleware

    client.force_login(ana)
    _age_session(client, SessionTimeoutMiddleware.STARTED, settings.SESSION_ABSOLUTE_TIMEOUT + 5)

    response = client.get(reverse("home"), follow=True)

    assert "Your session reached its maximum length" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_sessions_of_a_disabled_user_end_at_once(client, ana):
    client.force_login(ana)
    assert client.get(reverse("home")).status_code == 200
    ana.is_active = False
    ana.save(update_fields=["is_active"])

    response = client.get(reverse("home"))

    assert response.status_code == 302 and response.url.startswith(reverse("login"))
