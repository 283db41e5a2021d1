import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from capabilities.models import FrameworkVersion, Sector
from tests.capabilities.test_load_framework import load, snapshot
from tests.conftest import FRAMEWORK_FILE

pytestmark = pytest.mark.django_db


def export(code):
    out = io.StringIO()
    call_command("export_framework", code, stdout=out)
    return out.getvalue()


def strip_header(text):
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith("#"))


def test_export_reproduces_the_shipped_file_byte_for_byte(capsys):
    load(FRAMEWORK_FILE)

    call_command("export_framework", "MNR-2016")

    assert capsys.readouterr().out == strip_header(FRAMEWORK_FILE.read_text())


def test_export_then_import_into_an_empty_database_reproduces_the_version_exactly(tmp_path, capsys):
    load(FRAMEWORK_FILE)
    call_command("export_framework", "MNR-2016", "-o", str(tmp_path / "out.yaml"))
    first = (tmp_path / "out.yaml").read_text()
    rows_before = {k: len(v) for k, v in snapshot().items()}

    # Empty the database: versions are deleted in code only (the triggers guard edits, not deletes).
    FrameworkVersion.objects.all().delete()
    Sector.objects.all().delete()
    assert FrameworkVersion.objects.count() == 0

    load(tmp_path / "out.yaml")
    call_command("export_framework", "MNR-2016", "-o", str(tmp_path / "again.yaml"))

    assert (tmp_path / "again.yaml").read_text() == first
    assert {k: len(v) for k, v in snapshot().items()} == rows_before


def test_export_of_an_unknown_code_names_the_known_ones():
    load(FRAMEWORK_FILE)
    with pytest.raises(CommandError, match=r"No framework version with code 'MNR-1999' \(known: MNR-2016\)"):
        export("MNR-1999")
