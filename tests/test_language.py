"""The interface language: switcher, kept per user, right-to-left for Arabic."""

import pytest
from django.urls import reverse

from assessments.models import Profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(django_user_model):
    return django_user_model.objects.create_user("ana", "ana@example.org", "a-long-password-1")


def test_arabic_pages_are_right_to_left_with_the_rtl_stylesheet(client, ana):
    client.force_login(ana)
    client.post(reverse("language_set"), {"language": "ar", "next": "/"})

    body = client.get(reverse("home")).content.decode()

    assert '<html lang="ar" dir="rtl">' in body
    assert "bootstrap.rtl.min.css" in body


def test_the_chosen_language_is_kept_for_the_user_in_a_new_browser(client, ana):
    from django.test import Client

    client.force_login(ana)
    response = client.post(reverse("language_set"), {"language": "fr", "next": reverse("home")})
    assert response.status_code == 302 and response.url == reverse("home")
    assert Profile.objects.get(user=ana).language == "fr"

    other_browser = Client()
    other_browser.post(reverse("login"), {"username": "ana", "password": "a-long-password-1"})
    assert '<html lang="fr" dir="ltr">' in other_browser.get(reverse("home")).content.decode()


def test_an_unknown_language_or_foreign_next_url_is_ignored(client, ana):
    client.force_login(ana)
    response = client.post(reverse("language_set"), {"language": "xx", "next": "https://evil.example.org/"})
    assert response.url == "/"
    assert not Profile.objects.filter(user=ana).exists()


def test_anonymous_visitors_can_switch_on_the_login_page(client):
    response = client.post(reverse("language_set"), {"language": "es", "next": reverse("login")})
    assert response.cookies["django_language"].value == "es"
    assert '<html lang="es" dir="ltr">' in client.get(reverse("login")).content.decode()
