"""The framework tree of a version, read once per process for published versions.

A published (or retired) version never changes: the database refuses inserts and updates below it
(migration 0002's triggers). So its tree — maturity levels, domains, capabilities, indicators with
their level descriptors — is read once per process and shared, keyed by the version's id and
publication time and translations revision (a draft is read afresh on every call). Translated texts are modeltranslation
fields, resolved in the active language when they are read, so one tree serves every language.

The objects are shared between requests and threads: read them, never change them.
"""

import functools
import threading
from dataclasses import dataclass, field

from django.db.models import Prefetch

from .models import Capability, FrameworkVersion, Indicator, LevelDescriptor, MaturityLevel, TranslationPack

CACHED_VERSIONS = 16


@dataclass(frozen=True)
class FrameworkTree:
    version_id: int
    levels: tuple
    capabilities: tuple  # by number, each with its domain
    indicators: dict = field(repr=False)  # by id, each with its capability and prefetched descriptors
    by_number: dict = field(repr=False)
    indicator_ids: dict = field(repr=False)  # capability id -> its indicator ids in page order
    # Languages whose live translation pack is provisional (a draft awaiting review): pages say so.
    provisional_languages: frozenset = frozenset()

    def capability(self, number):
        return self.by_number.get(number)


def _read(version_id, *, packs=False) -> FrameworkTree:
    """4 queries: levels, capabilities with domains, indicators, their descriptors (5 with ``packs``: the
    live translation packs, which only a published version has)."""
    levels = tuple(MaturityLevel.objects.filter(version_id=version_id).order_by("level"))
    capabilities = tuple(Capability.objects.filter(version_id=version_id).select_related("domain").order_by("number"))
    by_id = {c.pk: c for c in capabilities}
    indicators = {}
    indicator_ids = {c.pk: [] for c in capabilities}
    for indicator in (
        Indicator.objects.filter(version_id=version_id)
        .prefetch_related(Prefetch("descriptors", queryset=LevelDescriptor.objects.order_by("level")))
        .order_by("capability__number", "order", "code")
    ):
        indicator.capability = by_id[indicator.capability_id]
        indicators[indicator.pk] = indicator
        indicator_ids[indicator.capability_id].append(indicator.pk)
    return FrameworkTree(
        version_id=version_id,
        levels=levels,
        capabilities=capabilities,
        indicators=indicators,
        by_number={c.number: c for c in capabilities},
        indicator_ids={k: tuple(v) for k, v in indicator_ids.items()},
        provisional_languages=frozenset(
            TranslationPack.objects.filter(
                version_id=version_id, status=TranslationPack.Status.PROVISIONAL
            ).values_list("language", flat=True)
        )
        if packs
        else frozenset(),
    )


_lock = threading.Lock()


@functools.lru_cache(maxsize=CACHED_VERSIONS)
def _published(version_id, published_at, translations_revision):
    # ``published_at`` is part of the key: ids can be reused (SQLite after a rollback, a restored
    # database) and a version is published once, so id and time together name one frozen tree.
    # ``translations_revision`` rises when a translation pack goes live, which writes the version's
    # translation columns: the next request of every process reads the tree with the new texts.
    return _read(version_id, packs=True)


def framework_tree(version: FrameworkVersion) -> FrameworkTree:
    """The tree of ``version`` (a loaded row: its status and publication time decide the caching)."""
    if not version.is_frozen or version.published_at is None:
        return _read(version.pk)
    with _lock:  # one read per version, even when several threads ask at once
        return _published(version.pk, version.published_at, version.translations_revision)


def framework_tree_forget():
    """Drop every cached tree (tests that rewrite a published version behind the triggers' back)."""
    _published.cache_clear()


def version_tags(version_id):
    """The tags of a version with the capabilities each one reaches, as plain data (2 queries).

    A capability carries a tag when it is tagged itself or through one of its indicators. Returns
    ``[{"code", "name", "lens", "capabilities": [numbers]}]`` in the file's order, names and lenses
    in the active language (falling back to English).
    """
    from .models import Capability, Indicator, Tag

    tags = list(Tag.objects.filter(version_id=version_id).order_by("order", "code"))
    direct = Capability.tags.through.objects.filter(tag__version_id=version_id).values_list(
        "tag_id", "capability__number"
    )
    through_indicators = Indicator.tags.through.objects.filter(tag__version_id=version_id).values_list(
        "tag_id", "indicator__capability__number"
    )
    numbers = {}
    for tag_id, number in direct.union(through_indicators):
        numbers.setdefault(tag_id, set()).add(number)
    return [
        {"code": t.code, "name": t.name, "lens": t.lens, "capabilities": sorted(numbers.get(t.pk, ()))} for t in tags
    ]
