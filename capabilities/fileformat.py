"""The framework file format: read, validate and write a version as YAML.

One shape serves both directions: ``parse_framework`` turns a file into the plain dict that
``version_as_dict`` builds from the database, so an export followed by an import is exact.
Every problem is collected with where it is, so one run tells an editor everything to fix.
"""

import re
from dataclasses import dataclass, field

import yaml
from django.conf import settings

from .models import LEVELS, MAX_LEVEL, MIN_LEVEL

FORMAT = "mnr-framework/1"
STATUSES = ("draft", "published", "retired")


_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


class FrameworkFileError(Exception):
    def __init__(self, source, problems):
        self.source = source
        self.problems = problems
        listing = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{source}: the framework file was not loaded; nothing was changed.\n{listing}")


@dataclass
class _Checker:
    problems: list = field(default_factory=list)

    def fail(self, where, message):
        self.problems.append(f"{where}: {message}")

    def mapping(self, value, where):
        if not isinstance(value, dict):
            self.fail(where, f"expected a mapping of fields, found {type(value).__name__}")
            return None
        return value

    def items(self, parent, key, where):
        value = parent.get(key)
        if not isinstance(value, list) or not value:
            self.fail(where, f"'{key}' must be a non-empty list")
            return []
        return value

    def fields(self, entry, where, required, optional=()):
        """Check keys and return the entry with text fields stripped; None when unusable."""
        entry = self.mapping(entry, where)
        if entry is None:
            return None
        for key in required:
            if key not in entry or entry[key] is None or entry[key] == "":
                self.fail(where, f"missing field '{key}'")
        unknown = set(entry) - set(required) - set(optional)
        for key in sorted(unknown, key=str):
            self.fail(where, f"unknown field '{key}'")
        return entry

    def text(self, entry, key, where, required=True):
        value = entry.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return str(value)
            self.fail(where, f"'{key}' must be text")
            return ""
        value = value.strip()
        if required and not value:
            return ""
        return value

    def source(self, entry, key, where):
        """A ``source`` mark: ``mnr-2016`` (the default, left out of the dict) or ``portal``."""
        value = entry.get(key)
        if value is None or value == DEFAULT_SOURCE:
            return None
        if value not in SOURCES:
            self.fail(where, f"'{key}' must be one of {', '.join(SOURCES)}, found {value!r}")
            return None
        return value

    def tag_list(self, entry, where, known):
        """An entry's ``tags``: codes defined in the file's ``tags`` list, in that list's order."""
        value = entry.get("tags")
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(where, "'tags' must be a list of tag codes")
            return []
        for code in value:
            if code not in known:
                self.fail(where, f"unknown tag {code!r} (the file defines: {', '.join(known) or 'none'})")
        return sorted({code for code in value if code in known}, key=known.index)

    def integer(self, entry, key, where, low, high):
        value = entry.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            if value is not None:
                self.fail(where, f"'{key}' must be a whole number, found {value!r}")
            return None
        if not low <= value <= high:
            self.fail(where, f"'{key}' is {value}, outside {low}–{high}")
            return None
        return value


TRANSLATABLE = {
    "sector": ("name", "description"),
    "scale": ("name", "description"),
    "domain": ("name", "outcome"),
    "capability": ("title", "summary", "outcome"),
    "indicator": ("question", "guidance"),
    "enabler": ("name", "description"),
    "tag": ("name", "lens"),
    "metric": ("name", "definition"),
}
# A metric's unit, as the file writes it (Metric.Unit).
UNITS = ("count", "hours", "percentage", "currency")
SOURCES = ("mnr-2016", "portal")
DEFAULT_SOURCE = "mnr-2016"


def _translations(c, entry, kind, where, levels=False):
    """Check and normalise an entry's optional ``translations``: {lang: {field: text}}."""
    from .translation import other_languages

    raw = entry.get("translations")
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        c.fail(where, "'translations' must map a language code to translated fields")
        return {}
    allowed = TRANSLATABLE[kind] + (("levels",) if levels else ())
    result = {}
    for lang in other_languages():
        texts = raw.get(lang)
        if texts is None:
            continue
        if not isinstance(texts, dict):
            c.fail(where, f"translations for '{lang}' must map fields to text")
            continue
        clean = {}
        for name in allowed:
            value = texts.get(name)
            if name == "levels" and value is not None:
                if not isinstance(value, dict) or any(not isinstance(k, int) or k not in LEVELS for k in value):
                    c.fail(where, f"translated levels for '{lang}' must map levels 0–4 to text")
                    continue
                value = {k: str(v).strip() for k, v in sorted(value.items()) if v and str(v).strip()}
                if value:
                    clean[name] = value
            elif isinstance(value, str) and value.strip():
                clean[name] = value.strip()
        for name in sorted(set(texts) - set(allowed), key=str):
            c.fail(where, f"translations for '{lang}': unknown field '{name}'")
        if clean:
            result[lang] = clean
    for lang in sorted(set(raw) - set(other_languages()), key=str):
        c.fail(where, f"unknown translation language '{lang}' (known: {', '.join(other_languages())})")
    return result


def _with_marks(row, source=None, tags=None, **others):
    """Add the optional marks to a row only when set, so that files without them read unchanged."""
    if source:
        row["source"] = source
    for key, value in others.items():
        if value:
            row[key] = value
    if tags:
        row["tags"] = tags
    return row


def _with_translations(row, translations):
    if translations:
        row["translations"] = translations
    return row


def _label(entry, key, position):
    """How to name an entry in a message: its code when it has one, else its position."""
    value = entry.get(key) if isinstance(entry, dict) else None
    return value if isinstance(value, (str, int)) and value != "" else f"entry {position}"


def load_yaml(text, source):
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise FrameworkFileError(source, [f"{at}not valid YAML ({problem})"]) from exc
    return data


def parse_framework(text, source="<framework>"):
    """Validate a framework file and return its normalised dict, or raise FrameworkFileError."""
    data = load_yaml(text, source)
    c = _Checker()
    top = c.fields(
        data, "file", ["format", "version", "scale", "sectors", "domains", "capabilities", "enablers"], ["tags"]
    )
    if top is None:
        raise FrameworkFileError(source, c.problems)
    if top.get("format") != FORMAT:
        c.fail("file", f"'format' must be '{FORMAT}', found {top.get('format')!r}")

    result = {}
    v = c.fields(top.get("version"), "version", ["code", "title", "status"], ["description"]) or {}
    status = v.get("status")
    if status is not None and status not in STATUSES:
        c.fail("version", f"status {status!r} is not one of {', '.join(STATUSES)}")
    result["version"] = {
        "code": c.text(v, "code", "version"),
        "title": c.text(v, "title", "version"),
        "description": c.text(v, "description", "version", required=False),
        "status": status,
    }

    scale, seen_levels = [], set()
    for i, entry in enumerate(c.items(top, "scale", "file"), 1):
        where = f"scale entry {i}"
        entry = c.fields(entry, where, ["level", "name"], ["description", "source", "translations"])
        if entry is None:
            continue
        level = c.integer(entry, "level", where, MIN_LEVEL, MAX_LEVEL)
        if level in seen_levels:
            c.fail(where, f"duplicate level {level}")
        seen_levels.add(level)
        scale.append(
            _with_translations(
                _with_marks(
                    {
                        "level": level,
                        "name": c.text(entry, "name", where),
                        "description": c.text(entry, "description", where, required=False),
                    },
                    c.source(entry, "source", where),
                ),
                _translations(c, entry, "scale", where),
            )
        )
    if scale and seen_levels != set(LEVELS):
        c.fail("scale", f"must define every level {MIN_LEVEL}–{MAX_LEVEL} exactly once")
    result["scale"] = sorted(scale, key=lambda s: s["level"] if s["level"] is not None else -1)

    sectors, sector_codes = [], set()
    for i, entry in enumerate(c.items(top, "sectors", "file"), 1):
        where = f"sector {_label(entry, 'code', i)}"
        entry = c.fields(entry, where, ["code", "name"], ["description", "translations"])
        if entry is None:
            continue
        code = c.text(entry, "code", where)
        if code in sector_codes:
            c.fail(where, "duplicate code")
        sector_codes.add(code)
        sectors.append(
            _with_translations(
                {
                    "code": code,
                    "name": c.text(entry, "name", where),
                    "description": c.text(entry, "description", where, required=False),
                },
                _translations(c, entry, "sector", where),
            )
        )
    result["sectors"] = sectors

    domains, domain_codes = [], set()
    for i, entry in enumerate(c.items(top, "domains", "file"), 1):
        where = f"domain {_label(entry, 'code', i)}"
        entry = c.fields(entry, where, ["code", "name", "outcome"], ["translations"])
        if entry is None:
            continue
        code = c.text(entry, "code", where)
        if code in domain_codes:
            c.fail(where, "duplicate code")
        domain_codes.add(code)
        domains.append(
            _with_translations(
                {"code": code, "name": c.text(entry, "name", where), "outcome": c.text(entry, "outcome", where)},
                _translations(c, entry, "domain", where),
            )
        )
    result["domains"] = domains

    tags, tag_codes = [], []
    raw_tags = top.get("tags")
    if raw_tags is not None and not isinstance(raw_tags, list):
        c.fail("file", "'tags' must be a list")
        raw_tags = []
    for i, entry in enumerate(raw_tags or [], 1):
        where = f"tag {_label(entry, 'code', i)}"
        entry = c.fields(entry, where, ["code", "lens", "name"], ["translations"])
        if entry is None:
            continue
        code = c.text(entry, "code", where)
        if code in tag_codes:
            c.fail(where, "duplicate code")
        elif code and not _SLUG.fullmatch(code):
            c.fail(where, "a tag code has only lowercase letters, digits and hyphens, e.g. prevention-primary")
        tag_codes.append(code)
        tags.append(
            _with_translations(
                {"code": code, "lens": c.text(entry, "lens", where), "name": c.text(entry, "name", where)},
                _translations(c, entry, "tag", where),
            )
        )
    if tags:
        result["tags"] = tags

    capabilities, numbers, indicator_codes, metric_codes = [], set(), set(), set()
    for i, entry in enumerate(c.items(top, "capabilities", "file"), 1):
        where = f"capability {_label(entry, 'number', i)}"
        entry = c.fields(
            entry,
            where,
            ["number", "domain", "title", "summary", "outcome", "indicators"],
            ["tags", "metrics", "translations"],
        )
        if entry is None:
            continue
        number = c.integer(entry, "number", where, 1, 999)
        if number is not None and number in numbers:
            c.fail(where, "duplicate number")
        numbers.add(number)
        domain = c.text(entry, "domain", where)
        if domain and domain not in domain_codes:
            c.fail(where, f"unknown domain '{domain}' (the file defines: {', '.join(sorted(domain_codes))})")
        indicators = []
        for j, ind in enumerate(c.items(entry, "indicators", where), 1):
            iwhere = f"{where} › indicator {_label(ind, 'code', j)}"
            ind = c.fields(
                ind,
                iwhere,
                ["code", "question", "weight", "sectors", "levels"],
                ["guidance", "source", "tags", "translations"],
            )
            if ind is None:
                continue
            code = c.text(ind, "code", iwhere)
            if code and code in indicator_codes:
                c.fail(iwhere, "duplicate code (indicator codes are unique in a version)")
            indicator_codes.add(code)
            weight = c.integer(ind, "weight", iwhere, 1, 10)
            ind_sectors = ind.get("sectors") or []
            if not isinstance(ind_sectors, list) or not ind_sectors:
                c.fail(iwhere, "'sectors' must list at least one sector code")
                ind_sectors = []
            for s in ind_sectors:
                if s not in sector_codes:
                    c.fail(iwhere, f"unknown sector '{s}'")
            levels = ind.get("levels")
            descriptors = {}
            if not isinstance(levels, dict):
                c.fail(iwhere, "'levels' must map each level 0–4 to its descriptor")
            else:
                for level, text in levels.items():
                    if isinstance(level, bool) or not isinstance(level, int):
                        c.fail(iwhere, f"level {level!r} is not a whole number")
                    elif not MIN_LEVEL <= level <= MAX_LEVEL:
                        c.fail(iwhere, f"level {level} is outside the scale {MIN_LEVEL}–{MAX_LEVEL}")
                    elif not isinstance(text, str) or not text.strip():
                        c.fail(iwhere, f"level {level} has no descriptor text")
                    else:
                        descriptors[level] = text.strip()
                missing = [lv for lv in LEVELS if lv not in levels]
                if missing:
                    c.fail(iwhere, f"no descriptor for level(s) {', '.join(map(str, missing))}")
            row = {"code": code}
            _with_marks(row, c.source(ind, "source", iwhere))
            row |= {
                "question": c.text(ind, "question", iwhere),
                "guidance": c.text(ind, "guidance", iwhere, required=False),
                "weight": weight,
                "sectors": list(ind_sectors),
            }
            _with_marks(row, tags=c.tag_list(ind, iwhere, tag_codes))
            row["levels"] = dict(sorted(descriptors.items()))
            indicators.append(_with_translations(row, _translations(c, ind, "indicator", iwhere, levels=True)))
        metrics = _metrics(c, entry, where, sector_codes, metric_codes)
        capabilities.append(
            _with_translations(
                _with_marks(
                    {
                        "number": number,
                        "domain": domain,
                        "title": c.text(entry, "title", where),
                        "summary": c.text(entry, "summary", where),
                        "outcome": c.text(entry, "outcome", where),
                    },
                    tags=c.tag_list(entry, where, tag_codes),
                )
                | {"indicators": indicators}
                | ({"metrics": metrics} if metrics else {}),
                _translations(c, entry, "capability", where),
            )
        )
    # Sector lists follow the file's sector order, so that an export reproduces them exactly.
    position = {s["code"]: n for n, s in enumerate(sectors)}
    for cap in capabilities:
        for ind in cap["indicators"]:
            ind["sectors"] = sorted(set(ind["sectors"]), key=lambda code: position.get(code, len(position)))
        for metric in cap.get("metrics", []):
            metric["sectors"] = sorted(set(metric["sectors"]), key=lambda code: position.get(code, len(position)))
    result["capabilities"] = capabilities

    enablers, enabler_codes = [], set()
    for i, entry in enumerate(c.items(top, "enablers", "file"), 1):
        where = f"enabler {_label(entry, 'code', i)}"
        entry = c.fields(
            entry, where, ["code", "name", "description"], ["source", "capabilities", "links_source", "translations"]
        )
        if entry is None:
            continue
        code = c.text(entry, "code", where)
        if code in enabler_codes:
            c.fail(where, "duplicate code")
        enabler_codes.add(code)
        supports = entry.get("capabilities") or []
        if not isinstance(supports, list):
            c.fail(where, "'capabilities' must be a list of capability numbers")
            supports = []
        for n in supports:
            if n not in numbers:
                c.fail(where, f"unknown capability {n!r}")
        row = _with_marks({"code": code}, c.source(entry, "source", where))
        row |= {
            "name": c.text(entry, "name", where),
            "description": c.text(entry, "description", where),
            "capabilities": sorted(supports),
        }
        _with_marks(row, links_source=c.source(entry, "links_source", where))
        enablers.append(_with_translations(row, _translations(c, entry, "enabler", where)))
    result["enablers"] = enablers

    if c.problems:
        raise FrameworkFileError(source, c.problems)
    return result


def _metrics(c, entry, where, sector_codes, metric_codes):
    """A capability's optional ``metrics``: the outcome figures reported beside its maturity."""
    raw = entry.get("metrics")
    if raw is None:
        return []
    if not isinstance(raw, list):
        c.fail(where, "'metrics' must be a list")
        return []
    metrics = []
    for k, metric in enumerate(raw, 1):
        mwhere = f"{where} › metric {_label(metric, 'code', k)}"
        metric = c.fields(
            metric,
            mwhere,
            ["code", "name", "definition", "unit", "sectors", "higher_is_better"],
            ["translations"],
        )
        if metric is None:
            continue
        code = c.text(metric, "code", mwhere)
        if code and code in metric_codes:
            c.fail(mwhere, "duplicate code (metric codes are unique in a version)")
        metric_codes.add(code)
        unit = metric.get("unit")
        if unit is not None and unit not in UNITS:
            c.fail(mwhere, f"'unit' must be one of {', '.join(UNITS)}, found {unit!r}")
        higher = metric.get("higher_is_better")
        if higher is not None and not isinstance(higher, bool):
            c.fail(mwhere, f"'higher_is_better' must be true or false, found {higher!r}")
        metric_sectors = metric.get("sectors") or []
        if not isinstance(metric_sectors, list) or not metric_sectors:
            c.fail(mwhere, "'sectors' must list at least one sector code")
            metric_sectors = []
        for s in metric_sectors:
            if s not in sector_codes:
                c.fail(mwhere, f"unknown sector '{s}'")
        row = {
            "code": code,
            "name": c.text(metric, "name", mwhere),
            "definition": c.text(metric, "definition", mwhere),
            "unit": unit,
            "sectors": list(metric_sectors),
            "higher_is_better": higher,
        }
        metrics.append(_with_translations(row, _translations(c, metric, "metric", mwhere)))
    return metrics


def version_as_dict(version):
    """The normalised dict of a stored version, in file order (14 queries)."""
    from django.utils import translation

    from .models import Capability, Enabler, Sector, Tag
    from .translation import translations_of

    def texts(obj, kind, row, levels=None):
        extra = translations_of(obj, TRANSLATABLE[kind])
        if levels:
            for lang, by_level in levels.items():
                extra.setdefault(lang, {})["levels"] = by_level
        return _with_translations(row, extra)

    def level_translations(descriptors):
        from .translation import other_languages

        result = {}
        for lang in other_languages():
            by_level = {d.level: getattr(d, f"text_{lang}") for d in descriptors if getattr(d, f"text_{lang}")}
            if by_level:
                result[lang] = by_level
        return result

    def marked(obj):
        return None if obj.source == DEFAULT_SOURCE else obj.source

    def tag_codes(obj):
        return [t.code for t in sorted(obj.tags.all(), key=lambda t: (t.order, t.code))]

    with translation.override(settings.MODELTRANSLATION_DEFAULT_LANGUAGE):
        capabilities = (
            Capability.objects.filter(version=version)
            .select_related("domain")
            .prefetch_related(
                "tags", "indicators__sectors", "indicators__descriptors", "indicators__tags", "metrics__sectors"
            )
            .order_by("number")
        )
        tags = list(Tag.objects.filter(version=version).order_by("order", "code"))
        result = {
            "version": {
                "code": version.code,
                "title": version.title,
                "description": version.description,
                "status": version.status,
            },
            "scale": [
                texts(
                    m,
                    "scale",
                    _with_marks({"level": m.level, "name": m.name, "description": m.description}, marked(m)),
                )
                for m in version.levels.order_by("level")
            ],
            "sectors": [
                texts(s, "sector", {"code": s.code, "name": s.name, "description": s.description})
                for s in Sector.objects.all()
            ],
            "domains": [
                texts(d, "domain", {"code": d.code, "name": d.name, "outcome": d.outcome})
                for d in version.domains.order_by("order", "code")
            ],
        }
        if tags:
            result["tags"] = [texts(t, "tag", {"code": t.code, "lens": t.lens, "name": t.name}) for t in tags]
        result |= {
            "capabilities": [
                texts(
                    cap,
                    "capability",
                    _with_marks(
                        {
                            "number": cap.number,
                            "domain": cap.domain.code,
                            "title": cap.title,
                            "summary": cap.summary,
                            "outcome": cap.outcome,
                        },
                        tags=tag_codes(cap),
                    )
                    | {
                        "indicators": [
                            texts(
                                ind,
                                "indicator",
                                _with_marks({"code": ind.code}, marked(ind))
                                | {
                                    "question": ind.question,
                                    "guidance": ind.guidance,
                                    "weight": ind.weight,
                                    "sectors": [
                                        s.code for s in sorted(ind.sectors.all(), key=lambda s: (s.order, s.code))
                                    ],
                                }
                                | _with_marks({}, tags=tag_codes(ind))
                                | {
                                    "levels": {
                                        d.level: d.text for d in sorted(ind.descriptors.all(), key=lambda d: d.level)
                                    },
                                },
                                levels=level_translations(sorted(ind.descriptors.all(), key=lambda d: d.level)),
                            )
                            for ind in sorted(cap.indicators.all(), key=lambda i: (i.order, i.code))
                        ],
                    }
                    | _metrics_of(cap, texts),
                )
                for cap in capabilities
            ],
            "enablers": [
                texts(
                    e,
                    "enabler",
                    _with_marks({"code": e.code}, marked(e))
                    | {
                        "name": e.name,
                        "description": e.description,
                        "capabilities": sorted(c.number for c in e.capabilities.all()),
                    }
                    | _with_marks({}, links_source=None if e.links_source == DEFAULT_SOURCE else e.links_source),
                )
                for e in Enabler.objects.filter(version=version)
                .prefetch_related("capabilities")
                .order_by("order", "code")
            ],
        }
        return result


def _metrics_of(cap, texts):
    metrics = [
        texts(
            m,
            "metric",
            {
                "code": m.code,
                "name": m.name,
                "definition": m.definition,
                "unit": m.unit,
                "sectors": [s.code for s in sorted(m.sectors.all(), key=lambda s: (s.order, s.code))],
                "higher_is_better": m.higher_is_better,
            },
        )
        for m in sorted(cap.metrics.all(), key=lambda m: (m.order, m.code))
    ]
    return {"metrics": metrics} if metrics else {}


def without_languages(data, languages, *, sector_languages=None):
    """``data`` (a normalised version) without the ``translations`` of ``languages``.

    The translation columns of a language with a live translation pack belong to the pack, not to the
    framework file: comparing a file with the database, or exporting a version, leaves them out.
    Sectors are shared by all versions, so theirs are left out for ``sector_languages`` (default:
    ``languages``).
    """
    languages = set(languages)
    sector_languages = languages if sector_languages is None else set(sector_languages)
    if not languages and not sector_languages:
        return data

    def strip(value, langs):
        if isinstance(value, list):
            return [strip(v, langs) for v in value]
        if not isinstance(value, dict):
            return value
        result = {}
        for key, item in value.items():
            if key == "translations":
                kept = {lang: texts for lang, texts in item.items() if lang not in langs}
                if kept:
                    result[key] = kept
            else:
                result[key] = strip(item, langs)
        return result

    return {key: strip(value, sector_languages if key == "sectors" else languages) for key, value in data.items()}


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper, value):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump_framework(data):
    document = {"format": FORMAT, **data}
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
