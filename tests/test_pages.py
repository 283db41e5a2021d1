import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_login_page_has_layout_landmarks_and_no_external_assets(client):
    body = client.get(reverse("login")).content.decode()
    assert '<html lang="en" dir="ltr">' in body
    assert 'href="#main"' in body and 'id="main"' in body
    assert "<footer" in body and "<nav" in body
    assert re.findall(r'(?:src|href)="(https?:)?//', body) == []
    assert "/static/vendor/bootstrap/bootstrap.min.css" in body
    assert "/static/vendor/htmx/htmx.min.js" in body


def test_vendored_assets_are_served_by_the_app(client):
    response = client.get("/static/vendor/htmx/htmx.min.js")
    assert response.status_code == 200
    assert b"htmx" in b"".join(response.streaming_content)[:2000]


def test_home_requires_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_home_shows_an_admin_the_framework_admin(client, django_user_model, tiny_framework):
    admin = django_user_model.objects.create_superuser("root", "r@example.org", "a-long-password-1")
    client.force_login(admin)
    body = client.get(reverse("home")).content.decode()
    assert "Open the framework admin" in body
    assert "TINY-1 — Tiny test framework (Published)" in body


def test_login_with_wrong_password_says_so(client, django_user_model):
    django_user_model.objects.create_user("ana", "ana@example.org", "a-long-password-1")
    response = client.post(reverse("login"), {"username": "ana", "password": "wrong"})
    assert "Please enter a correct username and password" in response.content.decode()


def test_healthz_reports_database_and_worker_state(client):
    assert client.get("/healthz").json() == {"status": "ok", "worker_seen_recently": False}
