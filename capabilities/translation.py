"""Framework texts translatable per field (django-modeltranslation), with fallback to English."""

from django.utils.html import format_html
from modeltranslation.translator import TranslationOptions, register

from .models import Capability, Domain, Enabler, Indicator, LevelDescriptor, MaturityLevel, Metric, Sector, Tag


@register(Sector)
class SectorTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Domain)
class DomainTranslation(TranslationOptions):
    fields = ("name", "outcome")


@register(Capability)
class CapabilityTranslation(TranslationOptions):
    fields = ("title", "summary", "outcome")


@register(Enabler)
class EnablerTranslation(TranslationOptions):
    fields = ("name", "description")


@register(MaturityLevel)
class MaturityLevelTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Indicator)
class IndicatorTranslation(TranslationOptions):
    fields = ("question", "guidance")


@register(Tag)
class TagTranslation(TranslationOptions):
    fields = ("name", "lens")


@register(Metric)
class MetricTranslation(TranslationOptions):
    fields = ("name", "definition")


@register(LevelDescriptor)
class LevelDescriptorTranslation(TranslationOptions):
    fields = ("text",)


def other_languages():
    """The languages framework texts can be translated into (all but the default, English)."""
    from django.conf import settings

    return [code for code, _name in settings.LANGUAGES if code != settings.MODELTRANSLATION_DEFAULT_LANGUAGE]


def translated_fields(model):
    from modeltranslation.translator import translator

    return list(translator.get_options_for_model(model).fields)


def all_language_values(obj):
    """Every language column of every translated field, e.g. for copying a row into a clone."""
    from django.conf import settings

    fields = translated_fields(type(obj))
    values = {
        f"{field}_{code}": getattr(obj, f"{field}_{code}") for field in fields for code, _name in settings.LANGUAGES
    }
    # The original column holds the default language's text.
    default = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
    return values | {field: values[f"{field}_{default}"] for field in fields}


def translations_of(obj, fields):
    """``{lang: {field: text}}`` for the non-default languages that have text; empty dict when none."""
    result = {}
    for lang in other_languages():
        texts = {field: getattr(obj, f"{field}_{lang}") for field in fields if getattr(obj, f"{field}_{lang}")}
        if texts:
            result[lang] = texts
    return result


def translation_columns(fields, translations):
    """Column values for a row from a file's ``translations`` (None clears a language not given)."""
    return {
        f"{field}_{lang}": (translations.get(lang) or {}).get(field) or None
        for field in fields
        for lang in other_languages()
    }


class EnglishFallback(str):
    """A framework text shown in English because the active language has no translation for it.

    It renders in HTML as ``<span lang="en" dir="ltr">…</span>``, so that screen readers, hyphenation
    and fonts treat it as English inside a French or Arabic page (and PDF), and a reviewer can find
    it. Anything that takes it as plain text (a CSV cell, ``truncatechars``) gets the text.
    """

    def __html__(self):
        return format_html('<span lang="en" dir="ltr" class="fw-fallback">{}</span>', str(self))


def fw_text(obj, field):
    """``obj.field`` in the active language; marked as English (``EnglishFallback``) when it falls back.

    Reads only the loaded row's columns: no query.
    """
    from django.conf import settings
    from django.utils.translation import get_language

    value = getattr(obj, field)
    language = (get_language() or settings.MODELTRANSLATION_DEFAULT_LANGUAGE).split("-")[0]
    if not value or language == settings.MODELTRANSLATION_DEFAULT_LANGUAGE:
        return value
    column = f"{field}_{language}"
    if hasattr(obj, column) and not getattr(obj, column):
        return EnglishFallback(value)
    return value
