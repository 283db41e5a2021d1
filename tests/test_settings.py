"""Production settings: refuse to start without secrets, pass Django's deployment checks."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from mnr_portal.settings import env_bool, env_list, env_secret
from tests.conftest import ROOT

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k7#Qz2!vR9@pL4$wX8^nB1&mT6*yH3(dF5)gJ0-cV-test-only-not-a-real-key-7f3a",
    "DATABASE_URL": "postgres://mnr:mnr@db:5432/mnr",
    "CELERY_BROKER_URL": "redis://redis:6379/0",
    "ALLOWED_HOSTS": "mnr.example.gov",
}


def manage(*args, env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEBUG", "SECRET_KEY", "DATABASE_URL", "CI", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean | env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_passes_with_production_values():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL"])
def test_production_without_a_secret_or_database_refuses_to_start(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert f"ImproperlyConfigured: {missing} must be set when DEBUG is off" in result.stderr


def test_env_bool_rejects_odd_values(monkeypatch):
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG='maybe' is not a boolean"):
        env_bool("FLAG")
    monkeypatch.setenv("FLAG", "Yes")
    assert env_bool("FLAG") is True
    monkeypatch.setenv("FLAG", "off")
    assert env_bool("FLAG") is False


def test_env_list_and_secret_file(monkeypatch, tmp_path):
    monkeypatch.setenv("HOSTS", " a.gov, b.gov ,")
    assert env_list("HOSTS") == ["a.gov", "b.gov"]
    secret = tmp_path / "key"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("TOKEN_FILE", str(secret))
    monkeypatch.setenv("TOKEN", "from-env")
    assert env_secret("TOKEN") == "from-a-file"
    monkeypatch.setenv("TOKEN_FILE", str(tmp_path / "absent"))
    with pytest.raises(ImproperlyConfigured, match="TOKEN_FILE=.*cannot be read"):
        env_secret("TOKEN")
