"""What `make run`, the admin and collectstatic give without any service: issue 9 points 11 and 26."""

import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest
from django.core.management import call_command

from tests.conftest import ROOT, free_port


def make_dry_run(target, tmp_path):
    # A venv that does not exist yet, so make prints every install step it would take.
    result = subprocess.run(
        ["make", "-n", target, f"VENV={tmp_path / 'venv'}"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return [line for line in result.stdout.splitlines() if "pip install" in line]


def test_make_run_installs_only_what_running_needs(tmp_path):
    installs = make_dry_run("run", tmp_path)
    assert any(line.rstrip().endswith("pip install --quiet -e .") for line in installs), installs
    assert not any("[test]" in line for line in installs), installs


def test_make_test_installs_the_test_tools(tmp_path):
    assert any("-e '.[test]'" in line for line in make_dry_run("test", tmp_path))


def test_runserver_prints_its_start_up_lines_once(tmp_path):
    """The reloader's child logs "Watching for file changes"; with two handlers it came out twice."""
    port = free_port()
    env = os.environ | {"DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "CELERY_BROKER_URL": ""}
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip())
            if line.startswith("Quit the server with"):
                break
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
        proc.stdout.close()
    assert any(line.startswith("Quit the server with") for line in lines), lines
    for start_up_line in ("Watching for file changes with", "Starting development server at", "Performing system"):
        assert sum(line.startswith(start_up_line) for line in lines) == 1, (start_up_line, lines)


@pytest.mark.django_db
def test_the_admin_pages_have_the_portal_favicon(client, admin_user):
    login_page = client.get("/admin/login/")
    assert b'<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in login_page.content

    client.force_login(admin_user)
    for url in ("/admin/", "/admin/auth/user/", f"/admin/auth/user/{admin_user.pk}/change/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b'rel="icon" href="/static/favicon.svg"' in response.content, url
        assert b'id="site-name"' in response.content, url  # Django's own admin header is still there


def test_collectstatic_with_the_production_storage_writes_hashed_and_compressed_files(settings, tmp_path):
    """With DEBUG off the manifest storage refuses a file referencing one that is not shipped (a .map)."""
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = settings.STORAGES | {
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
    }
    call_command("collectstatic", "--noinput", verbosity=0)

    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]
    for name in ("vendor/bootstrap/bootstrap.min.css", "vendor/bootstrap/bootstrap.rtl.min.css", "js/portal.js"):
        hashed = manifest[name]
        assert hashed != name and hashed.split(".")[-2].isalnum(), hashed
        for suffix in ("", ".gz", ".br"):
            assert (tmp_path / "static" / f"{hashed}{suffix}").is_file(), f"{hashed}{suffix}"
    ours = [path for path in (ROOT / "static").rglob("*") if path.suffix in (".css", ".js")]
    assert ours and not [path for path in ours if "sourceMappingURL" in path.read_text(errors="ignore")]


def test_the_image_collects_static_files_with_debug_off():
    """With DEBUG=1, collectstatic uses the plain storage: no manifest, and every page then answers 500."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    # Instructions without comments, continuation lines joined.
    instructions = re.sub(r"\\\n\s*", " ", re.sub(r"(?m)^#.*\n", "", dockerfile)).splitlines()
    run = next(line.removeprefix("RUN ") for line in instructions if line.startswith("RUN") and "collectstatic" in line)
    assert run.lstrip().startswith("DEBUG=0 ") and "DEBUG=1" not in dockerfile
    assert "staticfiles.json" in run  # the build fails when no manifest was written
    assert '"gunicorn", "-c", "mnr_portal/gunicorn_conf.py"' in dockerfile
    conf = (ROOT / "mnr_portal" / "gunicorn_conf.py").read_text()
    assert 'worker_class = "gthread"' in conf and '"GUNICORN_THREADS", "8"' in conf
