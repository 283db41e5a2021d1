"""Writes to the framework: load a file, publish, clone, retire."""

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .fileformat import DEFAULT_SOURCE, TRANSLATABLE, version_as_dict, without_languages
from .models import (
    LEVELS,
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
)
from .translation import all_language_values, other_languages, translation_columns


@dataclass
class LoadResult:
    version: FrameworkVersion
    created: bool
    changed: bool
    writes: int


class _Writes:
    """Counts rows written so the command can say "unchanged" truthfully."""

    def __init__(self):
        self.count = 0

    def sync(self, obj, values):
        """Set changed fields on ``obj`` and save only those; a no-op when nothing differs."""
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            obj.save(update_fields=changed)
            self.count += 1
        return obj

    def create(self, model, **values):
        self.count += 1
        return model.objects.create(**values)

    def delete_missing(self, queryset):
        deleted, _ = queryset.delete()
        self.count += deleted

    def set_m2m(self, manager, wanted):
        current = {obj.pk for obj in manager.all()}
        if current != {obj.pk for obj in wanted}:
            manager.set(wanted)
            self.count += 1


def _texts(kind, row):
    """A row's texts: the English ones (also in their ``_en`` columns) and every translation column."""
    fields = TRANSLATABLE[kind]
    english = {field: row[field] for field in fields}
    return (
        english | {f"{f}_en": v for f, v in english.items()} | translation_columns(fields, row.get("translations", {}))
    )


def _all_langs(row):
    """Every other language, with the row's translations where it has some (so absent ones are cleared)."""
    return {lang: row.get("translations", {}).get(lang, {}) for lang in other_languages()}


def _content(data):
    return {key: value for key, value in data.items() if key not in ("sectors", "version")} | {
        "version": {k: v for k, v in data["version"].items() if k != "status"}
    }


def framework_load(*, data) -> LoadResult:
    """Load a parsed framework file; see ``_framework_load``. English is active while it writes."""
    with translation.override(settings.MODELTRANSLATION_DEFAULT_LANGUAGE):
        return _framework_load(data=data)


@transaction.atomic
def _framework_load(*, data) -> LoadResult:
    """Create or update a framework version from a parsed file, idempotently.

    1. Upsert the sectors (shared by all versions) on their codes.
    2. If the version exists with the same content, apply at most an allowed status change.
    3. A published or retired version with different content is refused.
    4. Otherwise upsert every row on its stable key and delete rows the file no longer has.
    5. Publish when the file says so, after the publishing checks.
    """
    w = _Writes()
    from .translationpacks import languages_with_live_packs, live_languages

    # A language with a live translation pack has its texts from the pack, not from this file.
    pack_columns = {f"_{lang}" for lang in languages_with_live_packs()}
    for order, row in enumerate(data["sectors"]):
        sector = Sector.objects.filter(code=row["code"]).first()
        values = {
            column: value for column, value in _texts("sector", row).items() if column[-3:] not in pack_columns
        } | {"order": order}
        if sector is None:
            w.create(Sector, code=row["code"], **values)
        else:
            w.sync(sector, values)

    code = data["version"]["code"]
    version = FrameworkVersion.objects.filter(code=code).first()
    created = version is None
    wanted_status = data["version"]["status"]
    packs = live_languages(version.pk) if version is not None else set()
    if version is not None and _content(without_languages(version_as_dict(version), packs)) == _content(
        without_languages(data, packs)
    ):
        if version.status != wanted_status:
            _change_status(version, wanted_status)
            version.refresh_from_db()
            w.count += 1
        return LoadResult(version, created=False, changed=w.count > 0, writes=w.count)
    if version is not None and version.is_frozen:
        raise ValidationError(
            _(
                "Version %(code)s is %(status)s and cannot be changed. Load the file under a new version code, "
                "or clone the version into a draft in the admin."
            )
            % {"code": code, "status": version.get_status_display()}
        )
    if version is None:
        version = w.create(
            FrameworkVersion, code=code, title=data["version"]["title"], description=data["version"]["description"]
        )
    else:
        w.sync(version, {"title": data["version"]["title"], "description": data["version"]["description"]})

    _load_rows(version, data, w)
    if wanted_status != FrameworkVersion.Status.DRAFT:
        _change_status(version, wanted_status)
        version.refresh_from_db()
        w.count += 1
    return LoadResult(version, created=created, changed=w.count > 0, writes=w.count)


def _load_rows(version, data, w):
    levels = {m.level: m for m in version.levels.all()}
    for row in data["scale"]:
        values = _texts("scale", row) | {"source": row.get("source", DEFAULT_SOURCE)}
        if row["level"] in levels:
            w.sync(levels[row["level"]], values)
        else:
            w.create(MaturityLevel, version=version, level=row["level"], **values)

    domains = {d.code: d for d in version.domains.all()}
    for order, row in enumerate(data["domains"]):
        values = _texts("domain", row) | {"order": order}
        if row["code"] in domains:
            w.sync(domains[row["code"]], values)
        else:
            domains[row["code"]] = w.create(Domain, version=version, code=row["code"], **values)

    tags = {t.code: t for t in version.tags.all()}
    for order, row in enumerate(data.get("tags", [])):
        values = _texts("tag", row) | {"order": order}
        if row["code"] in tags:
            w.sync(tags[row["code"]], values)
        else:
            tags[row["code"]] = w.create(Tag, version=version, code=row["code"], **values)

    sectors = {s.code: s for s in Sector.objects.all()}
    capabilities = {c.number: c for c in version.capabilities.all()}
    indicators = {i.code: i for i in version.indicators.all()}
    metrics = {m.code: m for m in version.metrics.all()}
    for row in data["capabilities"]:
        values = _texts("capability", row) | {"domain": domains[row["domain"]]}
        if row["number"] in capabilities:
            cap = w.sync(capabilities[row["number"]], values)
        else:
            cap = capabilities[row["number"]] = w.create(Capability, version=version, number=row["number"], **values)
        w.set_m2m(cap.tags, [tags[code] for code in row.get("tags", [])])
        for order, ind_row in enumerate(row["indicators"]):
            values = _texts("indicator", ind_row) | {
                "capability": cap,
                "weight": ind_row["weight"],
                "order": order,
                "source": ind_row.get("source", DEFAULT_SOURCE),
            }
            if ind_row["code"] in indicators:
                indicator = w.sync(indicators[ind_row["code"]], values)
            else:
                indicator = indicators[ind_row["code"]] = w.create(
                    Indicator, version=version, code=ind_row["code"], **values
                )
            w.set_m2m(indicator.sectors, [sectors[code] for code in ind_row["sectors"]])
            w.set_m2m(indicator.tags, [tags[code] for code in ind_row.get("tags", [])])
            descriptors = {d.level: d for d in indicator.descriptors.all()}
            for level, text in ind_row["levels"].items():
                values = {"text": text, "text_en": text} | {
                    f"text_{lang}": (texts.get("levels") or {}).get(level) or None
                    for lang, texts in _all_langs(ind_row).items()
                }
                if level in descriptors:
                    w.sync(descriptors[level], values)
                else:
                    w.create(LevelDescriptor, indicator=indicator, level=level, **values)
        for order, metric_row in enumerate(row.get("metrics", [])):
            values = _texts("metric", metric_row) | {
                "capability": cap,
                "order": order,
                "unit": metric_row["unit"],
                "higher_is_better": metric_row["higher_is_better"],
            }
            if metric_row["code"] in metrics:
                metric = w.sync(metrics[metric_row["code"]], values)
            else:
                metric = metrics[metric_row["code"]] = w.create(
                    Metric, version=version, code=metric_row["code"], **values
                )
            w.set_m2m(metric.sectors, [sectors[code] for code in metric_row["sectors"]])

    wanted_codes = {i["code"] for c in data["capabilities"] for i in c["indicators"]}
    wanted_metrics = {m["code"] for c in data["capabilities"] for m in c.get("metrics", [])}
    w.delete_missing(version.metrics.exclude(code__in=wanted_metrics))
    w.delete_missing(version.indicators.exclude(code__in=wanted_codes))
    w.delete_missing(version.capabilities.exclude(number__in=[c["number"] for c in data["capabilities"]]))
    w.delete_missing(version.domains.exclude(code__in=[d["code"] for d in data["domains"]]))
    w.delete_missing(version.tags.exclude(code__in=[t["code"] for t in data.get("tags", [])]))

    enablers = {e.code: e for e in version.enablers.all()}
    for order, row in enumerate(data["enablers"]):
        values = _texts("enabler", row) | {
            "order": order,
            "source": row.get("source", DEFAULT_SOURCE),
            "links_source": row.get("links_source", DEFAULT_SOURCE),
        }
        if row["code"] in enablers:
            enabler = w.sync(enablers[row["code"]], values)
        else:
            enabler = w.create(Enabler, version=version, code=row["code"], **values)
        w.set_m2m(enabler.capabilities, [capabilities[n] for n in row["capabilities"]])
    w.delete_missing(version.enablers.exclude(code__in=[e["code"] for e in data["enablers"]]))


def _change_status(version, status):
    if status == FrameworkVersion.Status.PUBLISHED and version.is_draft:
        framework_publish(version=version)
    elif status == FrameworkVersion.Status.RETIRED:
        if version.is_draft:
            framework_publish(version=version)
        framework_retire(version=version)
    else:
        raise ValidationError(
            _("Version %(code)s cannot go from %(old)s back to %(new)s.")
            % {"code": version.code, "old": version.status, "new": status}
        )


def _draft_words():
    """The word "draft" in every interface language, as a status a version's name must not repeat."""
    words = {"draft"}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            words.add(str(FrameworkVersion.Status.DRAFT.label).casefold())
    return words


def version_name_problems(*, code, title, exclude_pk=None) -> dict[str, list[str]]:
    """Why a code and title cannot name a version, by field: the status is shown beside the name, so
    a name never says "draft" (coordinators would choose a "draft" framework once it is published)."""
    problems = {"code": [], "title": []}
    code, title = (code or "").strip(), (title or "").strip()
    if not code:
        problems["code"].append(_("Give the version a code, e.g. MNR-2026."))
    else:
        try:
            validate_slug(code)
        except ValidationError:
            problems["code"].append(_("A code has only letters, digits, hyphens and underscores, e.g. MNR-2026."))
        if len(code) > FrameworkVersion._meta.get_field("code").max_length:
            problems["code"].append(_("A code has at most 40 characters."))
        if FrameworkVersion.objects.filter(code=code).exclude(pk=exclude_pk).exists():
            problems["code"].append(_("A framework version with code %(code)s already exists.") % {"code": code})
    if not title:
        problems["title"].append(_("Give the version a title, e.g. Model National Response (2026 edition)."))
    elif len(title) > FrameworkVersion._meta.get_field("title").max_length:
        problems["title"].append(_("A title has at most 200 characters."))
    for field, value in (("code", code), ("title", title)):
        # As a word, digits aside: "draft-1", "draft2" and "Draft" say it, "drafting" does not.
        if any(re.search(rf"(?<![^\W\d_]){re.escape(word)}(?![^\W\d_])", value.casefold()) for word in _draft_words()):
            problems[field].append(
                _(
                    "The %(field)s is what coordinators will see once the version is published: leave out "
                    "“draft” (the status already says it) and give the final name."
                )
                % {"field": FrameworkVersion._meta.get_field(field).verbose_name}
            )
    return {field: messages for field, messages in problems.items() if messages}


def publishing_problems(version):
    """What stops a draft from being published, in words an editor can act on."""
    problems = [
        message
        for messages in version_name_problems(code=version.code, title=version.title, exclude_pk=version.pk).values()
        for message in messages
    ]
    levels = set(version.levels.values_list("level", flat=True))
    if levels != set(LEVELS):
        problems.append(_("The maturity scale must define levels 0–4."))
    if not version.domains.exists():
        problems.append(_("The version has no domains."))
    for cap in version.capabilities.filter(indicators__isnull=True):
        problems.append(_("Capability %(cap)s has no indicators.") % {"cap": cap})
    indicators = version.indicators.prefetch_related("descriptors", "sectors")
    for ind in indicators:
        missing = sorted(set(LEVELS) - {d.level for d in ind.descriptors.all() if d.text.strip()})
        if missing:
            problems.append(
                _("Indicator %(code)s has no descriptor for level(s) %(levels)s.")
                % {"code": ind.code, "levels": ", ".join(map(str, missing))}
            )
        if not ind.sectors.all():
            problems.append(_("Indicator %(code)s is asked of no sector.") % {"code": ind.code})
    return problems


@transaction.atomic
def framework_publish(*, version) -> FrameworkVersion:
    # Lock the row so two admins publishing at once cannot both pass the checks.
    # The code and title are read again too: the admin may have renamed the draft since it was loaded.
    version.status, version.code, version.title = (
        FrameworkVersion.objects.select_for_update().values_list("status", "code", "title").get(pk=version.pk)
    )
    if not version.is_draft:
        raise ValidationError(
            _("Only a draft can be published; %(code)s is %(status)s.")
            % {"code": version.code, "status": version.get_status_display()}
        )
    problems = publishing_problems(version)
    if problems:
        raise ValidationError(problems)
    version.status = FrameworkVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.save(update_fields=["status", "published_at"])
    return version


@transaction.atomic
def framework_retire(*, version) -> FrameworkVersion:
    updated = FrameworkVersion.objects.filter(pk=version.pk, status=FrameworkVersion.Status.PUBLISHED).update(
        status=FrameworkVersion.Status.RETIRED
    )
    if not updated:
        raise ValidationError(_("Only a published version can be retired."))
    version.refresh_from_db()
    return version


@transaction.atomic
def framework_clone(*, version, code, title, description=None) -> FrameworkVersion:
    """Copy a version and everything under it into a new, independent draft (bulk, 21 queries).

    The new version is named as it will be published (``version_name_problems``); the description
    is the original's unless another is given.
    """
    code, title = (code or "").strip(), (title or "").strip()
    problems = version_name_problems(code=code, title=title)
    if problems:
        raise ValidationError(problems)
    try:
        with transaction.atomic():  # two admins cloning under the same code at once: one gets the message
            clone = FrameworkVersion.objects.create(
                code=code,
                title=title,
                description=version.description if description is None else description.strip(),
                cloned_from=version,
            )
    except IntegrityError:
        raise ValidationError(
            {"code": _("A framework version with code %(code)s already exists.") % {"code": code}}
        ) from None
    MaturityLevel.objects.bulk_create(
        MaturityLevel(version=clone, level=m.level, source=m.source, **all_language_values(m))
        for m in version.levels.all()
    )
    old_tags = list(version.tags.all())
    new_tags = Tag.objects.bulk_create(
        Tag(version=clone, code=t.code, order=t.order, **all_language_values(t)) for t in old_tags
    )
    tag_map = {old.pk: new for old, new in zip(old_tags, new_tags, strict=True)}
    old_domains = list(version.domains.all())
    new_domains = Domain.objects.bulk_create(
        Domain(version=clone, code=d.code, order=d.order, **all_language_values(d)) for d in old_domains
    )
    domain_map = {old.pk: new for old, new in zip(old_domains, new_domains, strict=True)}
    old_caps = list(version.capabilities.prefetch_related("tags"))
    new_caps = Capability.objects.bulk_create(
        Capability(
            version=clone,
            domain=domain_map[c.domain_id],
            number=c.number,
            **all_language_values(c),
        )
        for c in old_caps
    )
    cap_map = {old.pk: new for old, new in zip(old_caps, new_caps, strict=True)}
    CapabilityTags = Capability.tags.through
    CapabilityTags.objects.bulk_create(
        CapabilityTags(capability_id=cap_map[old.pk].pk, tag_id=tag_map[t.pk].pk)
        for old in old_caps
        for t in old.tags.all()
    )
    old_inds = list(version.indicators.prefetch_related("descriptors", "sectors", "tags"))
    new_inds = Indicator.objects.bulk_create(
        Indicator(
            version=clone,
            capability=cap_map[i.capability_id],
            code=i.code,
            order=i.order,
            weight=i.weight,
            source=i.source,
            **all_language_values(i),
        )
        for i in old_inds
    )
    LevelDescriptor.objects.bulk_create(
        LevelDescriptor(indicator=new, level=d.level, **all_language_values(d))
        for old, new in zip(old_inds, new_inds, strict=True)
        for d in old.descriptors.all()
    )
    IndicatorSectors = Indicator.sectors.through
    IndicatorSectors.objects.bulk_create(
        IndicatorSectors(indicator_id=new.pk, sector_id=s.pk)
        for old, new in zip(old_inds, new_inds, strict=True)
        for s in old.sectors.all()
    )
    IndicatorTags = Indicator.tags.through
    IndicatorTags.objects.bulk_create(
        IndicatorTags(indicator_id=new.pk, tag_id=tag_map[t.pk].pk)
        for old, new in zip(old_inds, new_inds, strict=True)
        for t in old.tags.all()
    )
    old_metrics = list(version.metrics.prefetch_related("sectors"))
    new_metrics = Metric.objects.bulk_create(
        Metric(
            version=clone,
            capability=cap_map[m.capability_id],
            code=m.code,
            order=m.order,
            unit=m.unit,
            higher_is_better=m.higher_is_better,
            **all_language_values(m),
        )
        for m in old_metrics
    )
    MetricSectors = Metric.sectors.through
    MetricSectors.objects.bulk_create(
        MetricSectors(metric_id=new.pk, sector_id=s.pk)
        for old, new in zip(old_metrics, new_metrics, strict=True)
        for s in old.sectors.all()
    )
    old_enablers = list(version.enablers.prefetch_related("capabilities"))
    new_enablers = Enabler.objects.bulk_create(
        Enabler(
            version=clone,
            code=e.code,
            order=e.order,
            source=e.source,
            links_source=e.links_source,
            **all_language_values(e),
        )
        for e in old_enablers
    )
    EnablerCapabilities = Enabler.capabilities.through
    EnablerCapabilities.objects.bulk_create(
        EnablerCapabilities(enabler_id=new.pk, capability_id=cap_map[c.pk].pk)
        for old, new in zip(old_enablers, new_enablers, strict=True)
        for c in old.capabilities.all()
    )
    return clone
