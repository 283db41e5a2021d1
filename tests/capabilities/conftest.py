"""Fixtures of the framework admin's tests."""

import pytest


@pytest.fixture
def admin_client_(client, django_user_model):
    """A client signed in as a superuser (second step verified, see tests/conftest.py)."""
    user = django_user_model.objects.create_superuser("root", "root@example.org", "a-long-password-1")
    client.force_login(user)
    return client
