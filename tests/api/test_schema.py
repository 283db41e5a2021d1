"""The checked-in OpenAPI schema (docs/openapi.yaml) is the one the code generates: a change to the API shows
in the diff of a commit, never by accident. After an intended change, regenerate it with

    DEBUG=1 .venv/bin/python manage.py spectacular --validate --file docs/openapi.yaml
"""

import difflib
from pathlib import Path

import pytest
from django.core.management import call_command

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
UPDATE = "DEBUG=1 .venv/bin/python manage.py spectacular --validate --file docs/openapi.yaml"


def test_the_checked_in_schema_is_the_generated_one(tmp_path):
    generated = tmp_path / "openapi.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(generated))

    checked_in = SCHEMA.read_text().splitlines(keepends=True)
    diff = "".join(difflib.unified_diff(checked_in, generated.read_text().splitlines(keepends=True), "docs", "code"))
    assert not diff, f"docs/openapi.yaml is out of date; if the change is intended, run: {UPDATE}\n{diff}"


def test_the_schema_is_openapi_3_1_and_says_how_to_sign_in():
    import yaml

    schema = yaml.safe_load(SCHEMA.read_text())

    assert schema["openapi"].startswith("3.1")
    assert schema["components"]["securitySchemes"]["token"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal API token (account page).",
    }
    assert all(path.startswith("/api/v1/") for path in schema["paths"])


@pytest.mark.parametrize("path", ["/api/v1/cycles/{id}/", "/api/v1/submissions/{id}/answers/{answer_pk}/"])
def test_every_operation_documents_its_problems(path):
    import yaml

    operations = yaml.safe_load(SCHEMA.read_text())["paths"][path]
    for operation in operations.values():
        for code in ("401", "403", "404", "429"):
            assert "application/problem+json" in operation["responses"][code]["content"], (path, code)
