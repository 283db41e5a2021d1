"""The French, Spanish and Arabic catalogues cover every interface string, and the committed .mo match them.

A template or Python string added without its translations fails here: ``makemessages`` runs on a
copy of the project and every entry it writes must have a translation that is not fuzzy. The .mo
files are committed (so that ``make run`` needs no gettext); they must be what the .po compile to.
The gettext tools are needed: without them these tests are skipped locally and fail when ``CI`` is set.
"""

import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
SOURCES = [
    "manage.py",
    "mnr_portal",
    "accounts",
    "capabilities",
    "assessments",
    "reports",
    "plans",
    "api",
    "network",
    "templates",
    "locale",
]
GETTEXT_TOOLS = ["xgettext", "msgmerge", "msgfmt", "msgattrib"]


def require_gettext():
    missing = [tool for tool in GETTEXT_TOOLS if shutil.which(tool) is None]
    if missing:
        reason = f"needs the GNU gettext tools ({', '.join(missing)} not found): apt-get install gettext"
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {reason}")
        pytest.skip(reason)


def msgids(po_text):
    """The msgids of a .po text (joined when wrapped), without the header's empty one."""
    ids, current = [], None
    for line in po_text.splitlines():
        if line.startswith("msgid "):
            current = [line[len("msgid ") :]]
        elif current is not None and line.startswith('"'):
            current.append(line)
        elif current is not None:
            ids.append("".join(part.strip()[1:-1] for part in current))
            current = None
    if current is not None:
        ids.append("".join(part.strip()[1:-1] for part in current))
    return [i for i in ids if i]


def entries_with(option, po_file):
    result = subprocess.run(
        ["msgattrib", option, "--no-wrap", "--no-location", str(po_file)],
        capture_output=True,
        text=True,
        check=True,
    )
    return msgids(result.stdout)


@pytest.fixture(scope="module")
def project_copy(tmp_path_factory):
    """A copy of the project's sources and catalogues on which makemessages has just run."""
    require_gettext()
    copy = tmp_path_factory.mktemp("project")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=ignore)
        else:
            shutil.copy2(source, copy / name)
    env = {**os.environ, "DEBUG": "1", "PYTHONPATH": str(copy), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    # The settings must be the copy's, or the real catalogues under ROOT would be rewritten.
    base_dir = subprocess.run(
        [sys.executable, "-c", "import mnr_portal.settings as s; print(s.BASE_DIR)"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(base_dir).resolve() == copy.resolve(), f"settings imported from {base_dir}, not from the copy"
    command = [sys.executable, "manage.py", "makemessages", "--no-obsolete"]
    for code in LANGUAGES:
        command += ["-l", code]
    result = subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"makemessages failed:\n{result.stdout}\n{result.stderr}"
    return copy


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_interface_string_is_translated_and_not_fuzzy(project_copy, code):
    po_file = project_copy / "locale" / code / "LC_MESSAGES" / "django.po"
    assert po_file.exists(), f"makemessages wrote no catalogue for {code}"
    assert len(msgids(po_file.read_text())) > 500, "the catalogue is suspiciously small"

    untranslated = entries_with("--untranslated", po_file)
    fuzzy = entries_with("--only-fuzzy", po_file)

    assert not untranslated, (
        f"{len(untranslated)} string(s) have no {code} translation in locale/{code}/LC_MESSAGES/django.po "
        f"(run makemessages, translate, compilemessages): {untranslated[:20]}"
    )
    assert not fuzzy, f"{len(fuzzy)} fuzzy {code} translation(s) to review and unmark: {fuzzy[:20]}"


def test_every_language_has_a_committed_catalogue():
    for code in LANGUAGES:
        for suffix in ("po", "mo"):
            assert (ROOT / "locale" / code / "LC_MESSAGES" / f"django.{suffix}").exists(), (code, suffix)


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_committed_mo_is_the_compiled_po(tmp_path, code):
    require_gettext()
    catalogue = ROOT / "locale" / code / "LC_MESSAGES"
    compiled = tmp_path / "django.mo"
    # --check: placeholders (python-format), plural forms and the header are right.
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(compiled), str(catalogue / "django.po")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr

    def messages(path):
        with path.open("rb") as mo:
            return gettext.GNUTranslations(mo)._catalog

    # Compared as catalogues, not bytes: another msgfmt version may lay out the same file differently.
    assert messages(compiled) == messages(catalogue / "django.mo"), (
        f"locale/{code}/LC_MESSAGES/django.mo is out of date: run `make messages` and commit it"
    )


@pytest.mark.django_db
def test_the_interface_reads_in_arabic_right_to_left(client, focal_point, submission):
    client.force_login(focal_point)
    client.post(reverse("language_set"), {"language": "ar", "next": "/"})

    home = client.get(reverse("home")).content.decode()
    capability = client.get(reverse("assessments:questionnaire_capability", args=[submission.pk, 1])).content.decode()

    for body in (home, capability):
        assert '<html lang="ar" dir="rtl">' in body
        assert "تسجيل الخروج" in body and "Log out" not in body  # the navigation bar
        assert "التحقق بخطوتين" in body and "Two-step verification" not in body
    assert "استبياناتك" in home  # "Your questionnaires"
    assert "القدرة 1:" in capability  # "Capability 1: …"
    assert "لا أعرف" in capability and "لا ينطبق علينا" in capability  # the answer choices
    assert ">حفظ<" in capability and ">Save<" not in capability
