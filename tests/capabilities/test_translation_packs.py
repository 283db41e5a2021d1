"""Translation packs: versioned apart from the framework, checked all or nothing, live through the columns."""

import io
from pathlib import Path

import pytest
import yaml
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.utils import translation

from capabilities.fileformat import parse_framework
from capabilities.models import Capability, FrameworkVersion, Indicator, LevelDescriptor, TranslationPack
from capabilities.queries import framework_tree
from capabilities.services import framework_load
from capabilities.translation import EnglishFallback, fw_text
from capabilities.translationfiles import dump_xlsx, parse_xlsx, parse_yaml
from capabilities.translationpacks import (
    DRAFT_NOTE,
    PackProblems,
    completeness,
    framework_texts,
    pack_import,
    pack_publish,
    pack_review,
)
from tests.conftest import FRAMEWORK_FILE, ROOT

pytestmark = pytest.mark.django_db

PACKS = ROOT / "fixtures" / "translations"
R2025_FILE = ROOT / "fixtures" / "mnr-2016-r2025.yaml"


def french(version, *, skip=()):
    """A complete French pack for ``version``: every text as 'FR <English>'."""
    return {
        key: (text.source, f"FR {text.source}") for key, text in framework_texts(version).items() if key not in skip
    }


def live_french(version, **kwargs):
    pack, _ = pack_import(version=version, language="fr", entries=french(version, **kwargs), translator="T")
    return pack_publish(pack=pack, provisional=True)


def test_every_text_of_the_tiny_version_has_a_stable_key(tiny_framework):
    keys = list(framework_texts(tiny_framework))
    assert keys[:3] == ["level:0:name", "level:0:description", "level:1:name"]
    assert "sector:ministry:name" in keys and "sector:ministry:description" not in keys  # empty English: no key
    assert "domain:B:outcome" in keys and "capability:4:summary" in keys
    assert "indicator:C01.1:question" in keys and "indicator:C01.1:guidance" in keys
    assert "descriptor:C01.1/3:text" in keys
    assert keys.index("capability:1:title") < keys.index("indicator:C01.1:question") < keys.index("capability:3:title")


def test_a_live_pack_writes_the_columns_and_english_stays_frozen(tiny_framework):
    pack = live_french(tiny_framework)
    assert pack.status == TranslationPack.Status.PROVISIONAL and pack.is_live
    indicator = Indicator.objects.get(version=tiny_framework, code="C01.1")
    with translation.override("fr"):
        assert indicator.question == "FR Is there a national body?"
        assert LevelDescriptor.objects.get(indicator=indicator, level=3).text == "FR Meets regularly."
    with translation.override("en"):
        assert indicator.question == "Is there a national body?"
    # The freeze triggers still refuse English, codes and weights of the published version.
    for change in ({"question": "Changed"}, {"question_en": "Changed"}, {"weight": 5}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Indicator.objects.filter(pk=indicator.pk).update(**change)
    assert FrameworkVersion.objects.get(pk=tiny_framework.pk).translations_revision == 1


def test_a_missing_text_falls_back_to_english_marked_lang_en(tiny_framework):
    live_french(tiny_framework, skip={"indicator:C01.1:guidance"})
    indicator = Indicator.objects.get(version=tiny_framework, code="C01.1")
    with translation.override("fr"):
        guidance = fw_text(indicator, "guidance")
        question = fw_text(indicator, "question")
    assert isinstance(guidance, EnglishFallback) and guidance == "Its founding decree."
    assert guidance.__html__() == '<span lang="en" dir="ltr" class="fw-fallback">Its founding decree.</span>'
    assert not isinstance(question, EnglishFallback)
    with translation.override("en"):
        assert not isinstance(fw_text(indicator, "guidance"), EnglishFallback)


def test_going_live_refreshes_the_cached_tree_and_supersedes_the_pack_before(tiny_framework):
    first = live_french(tiny_framework)
    tree = framework_tree(FrameworkVersion.objects.get(pk=tiny_framework.pk))
    with translation.override("fr"):
        assert next(iter(tree.indicators.values())).question.startswith("FR ")
    assert tree.provisional_languages == {"fr"}
    entries = {key: (source, text.replace("FR ", "FR2 ")) for key, (source, text) in french(tiny_framework).items()}
    second, _ = pack_import(version=tiny_framework, language="fr", entries=entries)
    pack_review(pack=second, reviewer="R. Reviewer")
    second = pack_publish(pack=second)
    first.refresh_from_db()
    assert (first.status, second.status) == ("superseded", "published")
    tree = framework_tree(FrameworkVersion.objects.get(pk=tiny_framework.pk))
    with translation.override("fr"):
        assert next(iter(tree.indicators.values())).question.startswith("FR2 ")
    assert tree.provisional_languages == frozenset()


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda e: e | {"indicator:C09.9:question": ("Nope", "Non")}, "unknown key"),
        (
            lambda e: e | {"indicator:C01.1:question": ("Is there a national body at all?", "Y a-t-il ?")},
            "the English text changed since this pack was exported",
        ),
        (
            lambda e: e | {"indicator:C01.1:question": ("Is there a national body?", "Y a-t-il {body} ?")},
            "placeholders differ from the English",
        ),
    ],
    ids=["unknown-key", "source-changed", "placeholder"],
)
def test_each_problem_refuses_the_whole_pack_and_writes_nothing(tiny_framework, change, message):
    entries = change(french(tiny_framework))
    with pytest.raises(PackProblems) as refused:
        pack_import(version=tiny_framework, language="fr", entries=entries)
    assert any(message in m for m in refused.value.messages)
    assert refused.value.messages[0].startswith("pack › indicator:")
    assert not TranslationPack.objects.exists()


def test_an_unknown_language_is_refused(tiny_framework):
    with pytest.raises(PackProblems, match="unknown language “de”"):
        pack_import(version=tiny_framework, language="de", entries={})


def test_empty_targets_load_as_incomplete_and_completeness_names_them(tiny_framework):
    entries = french(tiny_framework)
    entries["descriptor:C01.1/4:text"] = (entries["descriptor:C01.1/4:text"][0], "")
    del entries["capability:4:outcome"]
    pack, incomplete = pack_import(version=tiny_framework, language="fr", entries=entries)
    assert set(incomplete) == {"descriptor:C01.1/4:text", "capability:4:outcome"}
    figure = completeness(pack)
    total = len(framework_texts(tiny_framework))
    assert (figure["done"], figure["total"]) == (total - 2, total)
    rows = {row["kind"]: row for row in figure["rows"]}
    assert rows["descriptor"]["missing"] == ["descriptor:C01.1/4:text"]
    assert rows["capability"]["missing"] == ["capability:4:outcome"]
    assert rows["indicator"]["missing"] == []


def test_review_and_status_rules(tiny_framework):
    pack, _ = pack_import(version=tiny_framework, language="fr", entries=french(tiny_framework))
    with pytest.raises(ValidationError, match="not been reviewed"):
        pack_publish(pack=pack)
    with pytest.raises(ValidationError, match="Name the reviewer"):
        pack_review(pack=pack, reviewer="  ")
    reviewed = pack_review(pack=pack, reviewer="Dr A. Reviewer")
    assert reviewed.status == "reviewed" and reviewed.reviewed_at is not None
    # A new import resets the pack in work to draft: changed texts need a new review.
    again, _ = pack_import(version=tiny_framework, language="fr", entries=french(tiny_framework))
    assert again.pk == pack.pk and again.status == "draft" and again.reviewer == ""


def test_a_draft_version_cannot_have_a_live_pack(tiny_framework):
    draft = FrameworkVersion.objects.create(code="DRAFT-1", title="Draft")
    pack = TranslationPack.objects.create(version=draft, language="fr")
    with pytest.raises(ValidationError, match="Publish framework version DRAFT-1"):
        pack_publish(pack=pack, provisional=True)


def test_the_workbook_round_trip_is_exact_and_arabic_reads_right_to_left(tiny_framework):
    texts = framework_texts(tiny_framework)
    data = dump_xlsx(tiny_framework, "ar", texts, {"level:0:name": "غير موجود"})
    parsed = parse_xlsx(data, source="t.xlsx")
    assert (parsed.version, parsed.language) == ("TINY-1", "ar")
    assert {k: v[0] for k, v in parsed.entries.items()} == {k: t.source for k, t in texts.items()}
    assert parsed.entries["level:0:name"][1] == "غير موجود"
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(data))["Translation"]
    assert sheet["E2"].alignment.readingOrder == 2 and sheet.protection.sheet
    assert sheet["E2"].protection.locked is False and sheet["D2"].protection.locked is True


def test_a_broken_workbook_is_refused_with_its_row(tiny_framework, tmp_path):
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(dump_xlsx(tiny_framework, "fr", framework_texts(tiny_framework), {})))
    wb["Translation"]["A3"] = "level:0:name"  # a duplicate key
    buffer = io.BytesIO()
    wb.save(buffer)
    with pytest.raises(PackProblems, match=r"t.xlsx › Translation › row 3: key level:0:name appears twice"):
        parse_xlsx(buffer.getvalue(), source="t.xlsx")
    with pytest.raises(PackProblems, match="not an XLSX workbook"):
        parse_xlsx(b"PK\x03\x04 not really a zip", source="t.xlsx")


def test_export_and_import_commands(tiny_framework, tmp_path):
    path = tmp_path / "TINY-1.fr.xlsx"
    call_command("export_translation", "TINY-1", "fr", "-o", str(path), stderr=io.StringIO())
    from openpyxl import load_workbook

    wb = load_workbook(path)
    sheet = wb["Translation"]
    for row in range(2, sheet.max_row + 1):
        sheet[f"E{row}"] = f"FR {sheet[f'D{row}'].value}"
    sheet["E2"] = None
    wb.save(path)
    out = io.StringIO()
    call_command("import_translation", str(path), "--translator", "Marie T.", stdout=out)
    total = len(framework_texts(tiny_framework))
    assert f"{total - 1} of {total} texts translated" in out.getvalue()
    assert "Incomplete: 1 texts" in out.getvalue() and "level:0:name" in out.getvalue()
    pack = TranslationPack.objects.get()
    assert (pack.status, pack.translator) == ("draft", "Marie T.")

    sheet["D3"] = "Something else"  # the English changed under the translator's hand
    wb.save(path)
    with pytest.raises(CommandError, match="(?s)Nothing was imported:.*level:0:description: the English text changed"):
        call_command("import_translation", str(path), stdout=io.StringIO())
    assert TranslationPack.objects.get().texts.get(key="level:0:description").text.startswith("FR ")


def test_load_translations_is_all_or_nothing_and_idempotent(tiny_framework, tmp_path):
    doc = {
        "format": "mnr-translation/1",
        "version": "TINY-1",
        "language": "fr",
        "status": "provisional",
        "translator": "T",
        "reviewer": "",
        "note": DRAFT_NOTE,
        "texts": {k: {"source": s, "text": t} for k, (s, t) in french(tiny_framework).items()},
    }
    good = tmp_path / "TINY-1.fr.yaml"
    good.write_text(yaml.safe_dump(doc, allow_unicode=True))
    bad = tmp_path / "TINY-1.es.yaml"
    bad.write_text(yaml.safe_dump(doc | {"language": "es", "texts": {"level:9:name": {"source": "x", "text": "y"}}}))
    with pytest.raises(CommandError, match="TINY-1.es.yaml › level:9:name: unknown key"):
        call_command("load_translations", str(tmp_path), stdout=io.StringIO())
    assert not TranslationPack.objects.exists()
    bad.unlink()
    out = io.StringIO()
    call_command("load_translations", str(tmp_path), stdout=out)
    assert "TINY-1 (fr) provisional" in out.getvalue()
    out = io.StringIO()
    call_command("load_translations", str(tmp_path), stdout=out)
    assert "unchanged" in out.getvalue() and TranslationPack.objects.count() == 1


def test_load_framework_and_export_leave_a_pack_languages_columns_alone(tiny_framework, tmp_path):
    live_french(tiny_framework)
    path = Path(ROOT / "tests" / "data" / "tiny-framework.yaml")
    result = framework_load(data=parse_framework(path.read_text(), str(path)))
    assert not result.changed  # the file's (absent) French does not fight the pack's
    with translation.override("fr"):
        assert Capability.objects.get(version=tiny_framework, number=1).title == "FR Leadership"
    out = tmp_path / "export.yaml"
    call_command("export_framework", "TINY-1", "-o", str(out), stderr=io.StringIO())
    assert "FR Leadership" not in out.read_text()


def test_the_shipped_packs_are_complete_and_say_they_await_review():
    versions = {}
    for path in (FRAMEWORK_FILE, R2025_FILE):
        version = framework_load(data=parse_framework(path.read_text(), str(path))).version
        versions[version.code] = framework_texts(version)
    files = sorted(PACKS.glob("*.yaml"))
    assert [f.name for f in files] == [
        f"{v}.{lang}.yaml" for v in ("MNR-2016-R2025", "MNR-2016") for lang in ("ar", "es", "fr", "pt")
    ]
    from capabilities.translationpacks import check_texts

    for path in files:
        pack_file = parse_yaml(path.read_text(), source=path.name)
        assert (pack_file.status, pack_file.reviewer, pack_file.note) == ("provisional", "", DRAFT_NOTE)
        version = FrameworkVersion.objects.get(code=pack_file.version)
        clean, incomplete = check_texts(version, pack_file.language, pack_file.entries, where=path.name)
        assert incomplete == [], path.name
        assert len(clean) == len(versions[version.code])
        # Translated, not copied: no long text is left in English.
        same = [k for k, (s, t) in clean.items() if s == t and len(s.split()) > 3]
        assert same == [], (path.name, same[:3])
