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


def without_integer_bounds(text):
    """The schema with the bounds of integer fields left out: Django takes them from the database backend
    (SQLite's are 64-bit for every integer column, PostgreSQL's follow the column type), so the schema
    generated on the README's SQLite and in CI's PostgreSQL differ there and nowhere else."""
    import yaml

    def bound(key, value):
        return (key in ("minimum", "maximum") and isinstance(value, int)) or (key == "format" and value == "int64")

    def strip(node):
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if not bound(k, v)}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    return yaml.safe_dump(strip(yaml.safe_load(text)), sort_keys=False, allow_unicode=True).splitlines(keepends=True)


def test_the_checked_in_schema_is_the_generated_one(tmp_path):
    generated = tmp_path / "openapi.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(generated))

    checked_in = without_integer_bounds(SCHEMA.read_text())
    diff = "".join(difflib.unified_diff(checked_in, without_integer_bounds(generated.read_text()), "docs", "code"))
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
