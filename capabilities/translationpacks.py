"""Translation packs: a framework version's texts in one language, versioned apart from the version.

Every translatable text of a version has a stable key, ``<kind>:<code>:<field>``:

    level:2:name                  sector:ngo:description        domain:B:outcome
    metric:M16.2:definition
    tag:prevention-primary:lens   capability:4:summary          enabler:E4:name
    indicator:C04.2:guidance      descriptor:C04.2/3:text

A pack stores, per key, the English it translates (``source``) and the translation (``text``).
Importing checks a whole pack before writing anything: unknown keys, English changed since the
export, placeholders lost or invented, and counts the empty texts as incomplete (the pack loads;
the missing texts fall back to English). A pack that goes live (provisional or published) writes
its texts into the version's translation columns (``question_fr`` ...), which every page and
report reads through django-modeltranslation, so a live pack costs no query. See
``docs/translations.md``.
"""

import re
from collections import Counter, namedtuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import (
    Capability,
    Domain,
    Enabler,
    FrameworkVersion,
    Indicator,
    LevelDescriptor,
    MaturityLevel,
    Metric,
    Sector,
    Tag,
    TranslationPack,
    TranslationText,
)
from .translation import other_languages

FORMAT = "mnr-translation/1"
DRAFT_NOTE = "Draft translation awaiting review by a native-speaking child-protection professional."

# Field kinds in the order a pack lists them, with their model and translated fields.
KINDS = {
    "level": (MaturityLevel, ("name", "description")),
    "sector": (Sector, ("name", "description")),
    "domain": (Domain, ("name", "outcome")),
    "tag": (Tag, ("lens", "name")),
    "capability": (Capability, ("title", "summary", "outcome")),
    "indicator": (Indicator, ("question", "guidance")),
    "descriptor": (LevelDescriptor, ("text",)),
    "metric": (Metric, ("name", "definition")),
    "enabler": (Enabler, ("name", "description")),
}
KIND_LABELS = {
    "level": "Maturity levels",
    "sector": "Sectors",
    "domain": "Domains",
    "tag": "Tags",
    "capability": "Capabilities",
    "indicator": "Indicators",
    "descriptor": "Level descriptors",
    "metric": "Metrics",
    "enabler": "Enablers",
}

# What must survive translation unchanged: {name} and %(name)s placeholders, %s, and web addresses.
PLACEHOLDER = re.compile(r"\{[^{}\s]*\}|%\([^)]+\)[sd]|%[sd]|https?://\S+[^\s.,;:)]")

Text = namedtuple("Text", "key kind field obj source")


def key_kind(key):
    return key.split(":", 1)[0]


def key_field(key):
    return key.rsplit(":", 1)[-1]


def framework_texts(version):
    """Every translatable English text of ``version``, by key, in pack order (9 queries).

    Empty English texts (an indicator without guidance) have nothing to translate and no key.
    """
    default = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
    rows = {
        "level": [(str(m.level), m) for m in MaturityLevel.objects.filter(version=version).order_by("level")],
        "sector": [(s.code, s) for s in Sector.objects.order_by("order", "code")],
        "domain": [(d.code, d) for d in Domain.objects.filter(version=version).order_by("order", "code")],
        "tag": [(t.code, t) for t in Tag.objects.filter(version=version).order_by("order", "code")],
        "enabler": [(e.code, e) for e in Enabler.objects.filter(version=version).order_by("order", "code")],
    }
    indicators = {}
    for i in Indicator.objects.filter(version=version).order_by("order", "code"):
        indicators.setdefault(i.capability_id, []).append(i)
    descriptors = {}
    for d in LevelDescriptor.objects.filter(indicator__version=version).select_related("indicator").order_by("level"):
        descriptors.setdefault(d.indicator_id, []).append(d)

    metrics = {}
    for m in Metric.objects.filter(version=version).order_by("order", "code"):
        metrics.setdefault(m.capability_id, []).append(m)

    texts = {}

    def add(kind, code, obj):
        for field in KINDS[kind][1]:
            with translation.override(default):  # the English column, or the original one a bulk insert left
                source = getattr(obj, field) or ""
            if source.strip():
                key = f"{kind}:{code}:{field}"
                texts[key] = Text(key, kind, field, obj, source)

    for kind in ("level", "sector", "domain", "tag"):
        for code, obj in rows[kind]:
            add(kind, code, obj)
    for capability in Capability.objects.filter(version=version).order_by("number"):
        add("capability", capability.number, capability)
        for indicator in indicators.get(capability.pk, ()):
            add("indicator", indicator.code, indicator)
            for d in descriptors.get(indicator.pk, ()):
                add("descriptor", f"{indicator.code}/{d.level}", d)
        for metric in metrics.get(capability.pk, ()):
            add("metric", metric.code, metric)
    for code, obj in rows["enabler"]:
        add("enabler", code, obj)
    return texts


class PackProblems(ValidationError):
    """A pack refused as a whole: ``problems`` are ``(where, message)`` pairs."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__([f"{where}: {message}" for where, message in problems])


def check_texts(version, language, entries, *, where="pack"):
    """Check ``entries`` ({key: (source, text)}) against ``version`` before anything is written.

    Returns ``(clean, incomplete)``: the texts to store ({key: (source, text)}) and the keys whose
    translation is empty or absent. Raises ``PackProblems`` naming each problem: an unknown
    language or key, English that changed since the pack was exported, placeholders that differ.
    """
    problems = []
    if language not in other_languages():
        problems.append(
            (
                where,
                _("unknown language “%(lang)s” (known: %(known)s)")
                % {"lang": language, "known": ", ".join(other_languages())},
            )
        )
        raise PackProblems(problems)
    current = framework_texts(version)
    clean = {}
    for key, (source, text) in entries.items():
        at = f"{where} › {key}"
        expected = current.get(key)
        if expected is None:
            problems.append((at, _("unknown key: version %(version)s has no such text") % {"version": version.code}))
            continue
        if _normalised(source) != _normalised(expected.source):
            problems.append(
                (
                    at,
                    _("the English text changed since this pack was exported; export again and translate the new text"),
                )
            )
            continue
        text = (text or "").strip()
        if text:
            wanted, found = Counter(PLACEHOLDER.findall(expected.source)), Counter(PLACEHOLDER.findall(text))
            if wanted != found:
                lost = ", ".join(sorted((wanted - found).elements())) or "—"
                extra = ", ".join(sorted((found - wanted).elements())) or "—"
                problems.append(
                    (
                        at,
                        _("placeholders differ from the English (missing: %(lost)s; not in the English: %(extra)s)")
                        % {"lost": lost, "extra": extra},
                    )
                )
                continue
        clean[key] = (expected.source, text)
    if problems:
        raise PackProblems(problems)
    incomplete = [key for key in current if not clean.get(key, ("", ""))[1]]
    return clean, incomplete


def _normalised(text):
    return " ".join((text or "").split())


def completeness(pack, current=None):
    """Per field kind: ``{"kind", "label", "total", "done", "missing": [keys]}``, plus the overall figure.

    Measured against the version's texts now, so a key the pack lacks counts as missing.
    """
    current = framework_texts(pack.version) if current is None else current
    done = {t.key for t in pack.texts.all() if t.text.strip()}
    by_kind = {kind: {"kind": kind, "label": KIND_LABELS[kind], "total": 0, "done": 0, "missing": []} for kind in KINDS}
    for key, text in current.items():
        row = by_kind[text.kind]
        row["total"] += 1
        if key in done:
            row["done"] += 1
        else:
            row["missing"].append(key)
    rows = [r for r in by_kind.values() if r["total"]]
    total = sum(r["total"] for r in rows)
    translated = sum(r["done"] for r in rows)
    return {"rows": rows, "total": total, "done": translated, "percent": (100 * translated // total) if total else 100}


@transaction.atomic
def pack_import(*, version, language, entries, translator="", note="", where="pack"):
    """Store ``entries`` as the pack in work (draft) for ``version`` and ``language``, all or nothing.

    Replaces the texts of the draft or reviewed pack in work (a changed text needs a new review, so
    a reviewed pack goes back to draft), or starts a new draft beside the live pack. Returns
    ``(pack, incomplete_keys)``.
    """
    clean, incomplete = check_texts(version, language, entries, where=where)
    pack = (
        TranslationPack.objects.select_for_update()
        .filter(version=version, language=language, status__in=TranslationPack.WORKING)
        .first()
    )
    if pack is None:
        pack = TranslationPack.objects.create(version=version, language=language)
    pack.status = TranslationPack.Status.DRAFT
    pack.reviewer, pack.reviewed_at = "", None
    if translator:
        pack.translator = translator
    if note:
        pack.note = note
    pack.save()
    pack.texts.all().delete()
    TranslationText.objects.bulk_create(
        TranslationText(pack=pack, key=key, source=source, text=text) for key, (source, text) in clean.items()
    )
    return pack, incomplete


@transaction.atomic
def pack_review(*, pack, reviewer):
    """A reviewer approves ``pack``: a draft becomes reviewed; a provisional pack, live already, becomes published."""
    pack = TranslationPack.objects.select_for_update().get(pk=pack.pk)
    reviewer = (reviewer or "").strip()
    if not reviewer:
        raise ValidationError({"reviewer": _("Name the reviewer who approved this translation.")})
    if pack.status not in (TranslationPack.Status.DRAFT, TranslationPack.Status.PROVISIONAL):
        raise ValidationError(
            _("Only a draft or provisional pack can be reviewed; this one is %(status)s.")
            % {"status": pack.get_status_display()}
        )
    pack.reviewer, pack.reviewed_at = reviewer, timezone.now()
    if pack.status == TranslationPack.Status.PROVISIONAL:
        pack.status = TranslationPack.Status.PUBLISHED
        if pack.note.strip() == DRAFT_NOTE:
            pack.note = ""
    else:
        pack.status = TranslationPack.Status.REVIEWED
    pack.save()
    return pack


@transaction.atomic
def pack_publish(*, pack, provisional=False):
    """Put ``pack`` live: its texts go into the version's columns, the pack live before is superseded.

    A reviewed pack is published; a draft goes live only as *provisional* (``provisional=True``), shown
    everywhere as a draft awaiting review. The version must be published: a draft version is still
    being written, its texts can change under the translation.
    """
    pack = TranslationPack.objects.select_for_update().select_related("version").get(pk=pack.pk)
    version = FrameworkVersion.objects.select_for_update().get(pk=pack.version_id)
    if not version.is_frozen:
        raise ValidationError(
            _("Publish framework version %(code)s before putting a translation of it live.") % {"code": version.code}
        )
    if pack.status == TranslationPack.Status.REVIEWED:
        pack.status = TranslationPack.Status.PUBLISHED
    elif pack.status == TranslationPack.Status.DRAFT and provisional:
        pack.status = TranslationPack.Status.PROVISIONAL
    elif pack.status == TranslationPack.Status.DRAFT:
        raise ValidationError(_("This pack has not been reviewed: review it first, or put it live as provisional."))
    else:
        raise ValidationError(
            _("This pack is %(status)s and cannot be put live again; import a new one.")
            % {"status": pack.get_status_display()}
        )
    current = framework_texts(version)
    stale = [
        t.key
        for t in pack.texts.all()
        if t.key in current and _normalised(t.source) != _normalised(current[t.key].source)
    ]
    if stale:
        raise PackProblems([(f"pack › {key}", _("the English text changed since this pack was made")) for key in stale])
    TranslationPack.objects.filter(version=version, language=pack.language, status__in=TranslationPack.LIVE).exclude(
        pk=pack.pk
    ).update(status=TranslationPack.Status.SUPERSEDED)
    pack.published_at = timezone.now()
    pack.save()
    _write_columns(pack, current)
    FrameworkVersion.objects.filter(pk=version.pk).update(translations_revision=F("translations_revision") + 1)
    return pack


def _write_columns(pack, current):
    """Each text of the version gets the pack's translation in its language column, or none (English shows)."""
    texts = {t.key: t.text.strip() for t in pack.texts.all()}
    changed = {}  # model -> ({pk: obj}, {column})
    for key, text in current.items():
        column = f"{text.field}_{pack.language}"
        value = texts.get(key) or None
        if getattr(text.obj, column) != value:
            setattr(text.obj, column, value)
            objs, columns = changed.setdefault(type(text.obj), ({}, set()))
            objs[text.obj.pk] = text.obj
            columns.add(column)
    # English active while it writes, as framework_load does: with another language active,
    # django-modeltranslation's queryset rewrites the written columns to that language's.
    with translation.override(settings.MODELTRANSLATION_DEFAULT_LANGUAGE):
        for model, (objs, columns) in changed.items():
            # Only the translation columns are written: the freeze triggers let exactly those through.
            model.objects.bulk_update(list(objs.values()), sorted(columns), batch_size=200)


def live_pack(version, language):
    return TranslationPack.objects.filter(version=version, language=language, status__in=TranslationPack.LIVE).first()


def live_languages(version_id):
    """The languages with a live pack for the version (their columns belong to the pack, not to the framework file)."""
    return set(
        TranslationPack.objects.filter(version_id=version_id, status__in=TranslationPack.LIVE).values_list(
            "language", flat=True
        )
    )


def languages_with_live_packs():
    return set(TranslationPack.objects.filter(status__in=TranslationPack.LIVE).values_list("language", flat=True))
