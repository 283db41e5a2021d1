"""Framework texts per language, with fallback to English, carried by load_framework and export_framework."""

import pytest
from django.core.management.base import CommandError
from django.utils import translation

from capabilities.models import Capability, Domain, Indicator
from capabilities.services import framework_clone
from tests.capabilities.test_load_framework import load
from tests.conftest import FRAMEWORK_FILE, TINY_FRAMEWORK_FILE

pytestmark = pytest.mark.django_db


def test_the_fixture_ships_french_spanish_and_arabic_titles_and_falls_back_to_english():
    load(FRAMEWORK_FILE)
    cap = Capability.objects.get(number=4)
    indicator = Indicator.objects.get(code="C04.1")

    with translation.override("fr"):
        assert cap.title == "Services répressifs spécialisés"
        assert Domain.objects.get(code="B").name == "Justice pénale"
        # No French question yet: the English one is shown.
        assert indicator.question.startswith("A law enforcement unit")
    with translation.override("ar"):
        assert cap.title == "جهات إنفاذ القانون المتخصصة"
    with translation.override("es"):
        assert cap.title == "Fuerzas del orden especializadas"
    with translation.override("en"):
        assert cap.title == "Dedicated law enforcement"
    for code in ("A", "B", "C", "D", "E", "F"):
        domain = Domain.objects.get(code=code)
        assert domain.name_fr and domain.name_es and domain.name_ar
    assert Capability.objects.filter(title_fr__isnull=True).count() == 0


def test_indicator_and_descriptor_translations_load_and_export(tmp_path, capsys):
    text = TINY_FRAMEWORK_FILE.read_text().replace(
        "    question: Is there a specialist unit?\n",
        "    question: Is there a specialist unit?\n"
        "    translations:\n"
        "      fr:\n"
        "        question: Existe-t-il une unité spécialisée ?\n"
        "        levels: {3: Unité nationale.}\n"
        "      ar:\n"
        "        question: هل توجد وحدة متخصصة؟\n",
    )
    path = tmp_path / "tiny.yaml"
    path.write_text(text)
    load(path)
    indicator = Indicator.objects.get(code="C04.1")

    with translation.override("fr"):
        assert indicator.question == "Existe-t-il une unité spécialisée ?"
        assert indicator.descriptors.get(level=3).text == "Unité nationale."
        assert indicator.descriptors.get(level=2).text == "Small unit."  # fallback
    from django.core.management import call_command

    call_command("export_framework", "TINY-1")
    exported = capsys.readouterr().out
    assert "question: Existe-t-il une unité spécialisée ?" in exported
    assert "question: هل توجد وحدة متخصصة؟" in exported


def test_an_unknown_translation_language_is_refused(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        TINY_FRAMEWORK_FILE.read_text().replace(
            "  title: Leadership\n", "  title: Leadership\n  translations: {de: {title: Führung}}\n"
        )
    )
    with pytest.raises(CommandError, match="capability 1: unknown translation language 'de'"):
        load(path)


def test_a_clone_keeps_every_translation(framework):
    clone = framework_clone(version=framework, code="MNR-2016-fr", title="Copy")
    with translation.override("ar"):
        assert Capability.objects.get(version=clone, number=1).title == "القيادة"
