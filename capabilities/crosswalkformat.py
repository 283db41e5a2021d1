"""The crosswalk file format (``mnr-crosswalk/1``): read, validate and write a crosswalk as YAML.

A crosswalk maps a source framework version onto a target version, by code: capability numbers
and indicator codes, each entry with a relation and an optional note. ``parse_crosswalk`` checks
the file's own shape and returns the plain dict that ``crosswalk_as_dict`` builds from the
database (entries in one canonical order), so an export followed by an import is exact. Checks
that need the two versions (unknown codes, coverage) are made by ``crosswalk_problems``, which
the loader runs before writing anything.

    format: mnr-crosswalk/1
    source: MNR-2016
    target: MNR-2016-R2025
    note: Why the target version exists.
    capabilities:
    - {source: 1, target: 1, relation: equal}
    indicators:
    - {source: C04.2, target: C04.6, relation: split, note: Training, tenure and wellbeing asked apart.}
    - {source: C03.4, relation: removed, note: The same fact as C17.1.}
    - {target: C12.7, relation: new}

Relations say what the target asks compared with the source:

- ``equal``: the same fact; an answer carries over unchanged (wording or weight may differ).
- ``subset``: the target asks part of what the source asked (narrower).
- ``superset``: the target asks more than the source (broader).
- ``split``: the source was divided into two or more targets, each asking one part.
- ``merged``: two or more sources were combined into one target.
- ``removed``: the source has no counterpart (no target).
- ``new``: the target has no counterpart (no source).

Consistency: each source code has exactly one entry, except a ``split`` (two or more, all
``split``); each target code has exactly one entry, except a ``merged`` (two or more, all
``merged``). Every capability and indicator of both versions is covered.
"""

from collections import defaultdict

import yaml

from .fileformat import FrameworkFileError, _Dumper, load_yaml

FORMAT = "mnr-crosswalk/1"
RELATIONS = ("equal", "subset", "superset", "split", "merged", "removed", "new")
KINDS = {"capabilities": "capability", "indicators": "indicator"}
SINGULAR = {"capabilities": "capability", "indicators": "indicator"}


class CrosswalkFileError(FrameworkFileError):
    def __init__(self, source, problems):
        self.source = source
        self.problems = problems
        listing = "\n".join(f"  - {p}" for p in problems)
        Exception.__init__(self, f"{source}: the crosswalk file was not loaded; nothing was changed.\n{listing}")


def _entry_label(entry, position):
    if isinstance(entry, dict):
        src, tgt = entry.get("source"), entry.get("target")
        if src not in (None, "") or tgt not in (None, ""):
            return f"{'∅' if src in (None, '') else src} → {'∅' if tgt in (None, '') else tgt}"
    return f"entry {position}"


def sort_key(entry):
    """Canonical entry order: by the code it is about (source, else target), then by target."""
    code = entry.get("source", entry.get("target"))
    return (
        str(code).zfill(8) if isinstance(code, int) else str(code),
        "source" not in entry,
        str(entry.get("target", "")),
    )


def _code(value, section, where, problems, key):
    """A capability number (whole number ≥ 1) or an indicator code (non-empty text); None if absent."""
    if value is None or value == "":
        return None
    if section == "capabilities":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            problems.append(f"{where}: '{key}' must be a capability number, found {value!r}")
            return None
        return value
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: '{key}' must be an indicator code, found {value!r}")
        return None
    return value.strip()


def parse_crosswalk(text, source="<crosswalk>"):
    """Validate a crosswalk file's shape and return its normalised dict, or raise CrosswalkFileError."""
    try:
        data = load_yaml(text, source)
    except FrameworkFileError as exc:
        raise CrosswalkFileError(source, exc.problems) from exc
    problems = []
    if not isinstance(data, dict):
        raise CrosswalkFileError(source, [f"file: expected a mapping of fields, found {type(data).__name__}"])
    allowed = {"format", "source", "target", "note", "capabilities", "indicators"}
    for key in sorted(set(data) - allowed, key=str):
        problems.append(f"file: unknown field '{key}'")
    if data.get("format") != FORMAT:
        problems.append(f"file: 'format' must be '{FORMAT}', found {data.get('format')!r}")
    result = {}
    for key in ("source", "target"):
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            problems.append(f"file: '{key}' must be a framework version code")
            value = ""
        result[key] = value.strip() if isinstance(value, str) else ""
    if result["source"] and result["source"] == result["target"]:
        problems.append("file: 'source' and 'target' must be two different versions")
    note = data.get("note")
    if note not in (None, ""):
        if not isinstance(note, str):
            problems.append("file: 'note' must be text")
        else:
            result["note"] = note.strip()

    for section in ("capabilities", "indicators"):
        entries = data.get(section)
        if not isinstance(entries, list) or not entries:
            problems.append(f"file: '{section}' must be a non-empty list")
            entries = []
        rows, seen = [], set()
        for position, entry in enumerate(entries, 1):
            where = f"{SINGULAR[section]} {_entry_label(entry, position)}"
            if not isinstance(entry, dict):
                problems.append(f"{where}: expected a mapping of fields, found {type(entry).__name__}")
                continue
            for key in sorted(set(entry) - {"source", "target", "relation", "note"}, key=str):
                problems.append(f"{where}: unknown field '{key}'")
            src = _code(entry.get("source"), section, where, problems, "source")
            tgt = _code(entry.get("target"), section, where, problems, "target")
            relation = entry.get("relation")
            if relation not in RELATIONS:
                problems.append(f"{where}: relation {relation!r} is not one of {', '.join(RELATIONS)}")
            elif relation == "new" and (src is not None or tgt is None):
                problems.append(f"{where}: a 'new' entry has a target and no source")
            elif relation == "removed" and (tgt is not None or src is None):
                problems.append(f"{where}: a 'removed' entry has a source and no target")
            elif relation not in ("new", "removed") and (src is None or tgt is None):
                problems.append(f"{where}: an '{relation}' entry needs both a source and a target")
            if (src, tgt) in seen:
                problems.append(f"{where}: duplicate entry")
            seen.add((src, tgt))
            row = {}
            if src is not None:
                row["source"] = src
            if tgt is not None:
                row["target"] = tgt
            row["relation"] = relation
            entry_note = entry.get("note")
            if entry_note not in (None, ""):
                if not isinstance(entry_note, str):
                    problems.append(f"{where}: 'note' must be text")
                else:
                    row["note"] = entry_note.strip()
            rows.append(row)
        problems.extend(consistency_problems(section, rows))
        result[section] = sorted(rows, key=sort_key)

    if problems:
        raise CrosswalkFileError(source, problems)
    return result


def consistency_problems(section, rows):
    """Each source once (or a split), each target once (or a merge), relations agreeing."""
    problems = []
    by_source, by_target = defaultdict(list), defaultdict(list)
    for row in rows:
        if row.get("relation") not in RELATIONS:
            continue
        if "source" in row:
            by_source[row["source"]].append(row)
        if "target" in row:
            by_target[row["target"]].append(row)
    name = SINGULAR[section]
    # The two sides mirror each other: only a 'split' fans out from a source, only a 'merged' gathers into a target.
    sides = (
        ("source", by_source, "split", "targets", "subset", "to", "target"),
        ("target", by_target, "merged", "sources", "superset", "from", "source"),
    )
    for side, groups, many, others, instead, direction, other in sides:
        for code, group in groups.items():
            relations = sorted({r["relation"] for r in group})
            if len(relations) > 1:
                problems.append(f"{name} {code}: mapped inconsistently as {side} ({', '.join(relations)})")
            elif relations == [many] and len(group) < 2:
                problems.append(
                    f"{name} {code}: a '{many}' needs two or more {others} (use '{instead}' or 'equal' for one)"
                )
            elif relations != [many] and len(group) > 1:
                listed = ", ".join(str(r[other]) for r in group)
                problems.append(
                    f"{name} {code}: '{relations[0]}' {direction} several {others} ({listed}); only a '{many}' may"
                )
    return problems


def version_codes(version):
    """The codes a crosswalk can name in a version: capability numbers and indicator codes (2 queries)."""
    return {
        "capabilities": set(version.capabilities.values_list("number", flat=True)),
        "indicators": set(version.indicators.values_list("code", flat=True)),
    }


def crosswalk_problems(data, source_codes, target_codes):
    """Problems of a parsed crosswalk against its two versions' codes: unknown codes and coverage."""
    problems = []
    for section in ("capabilities", "indicators"):
        name = SINGULAR[section]
        mapped_sources, mapped_targets = set(), set()
        for row in data[section]:
            where = f"{name} {_entry_label(row, 0)}"
            if "source" in row:
                mapped_sources.add(row["source"])
                if row["source"] not in source_codes[section]:
                    problems.append(f"{where}: unknown {name} {row['source']!r} in {data['source']}")
            if "target" in row:
                mapped_targets.add(row["target"])
                if row["target"] not in target_codes[section]:
                    problems.append(f"{where}: unknown {name} {row['target']!r} in {data['target']}")
        for code in sorted(source_codes[section] - mapped_sources, key=str):
            problems.append(f"{name} {code}: in {data['source']} but not mapped (add an entry, 'removed' if it goes)")
        for code in sorted(target_codes[section] - mapped_targets, key=str):
            problems.append(f"{name} {code}: in {data['target']} but not mapped (add an entry, 'new' if it is new)")
    return problems


def crosswalk_as_dict(crosswalk):
    """The normalised dict of a stored crosswalk (1 query for the entries)."""
    result = {"source": crosswalk.source.code, "target": crosswalk.target.code}
    if crosswalk.note:
        result["note"] = crosswalk.note
    sections = {"capabilities": [], "indicators": []}
    for entry in crosswalk.entries.all():
        section = "capabilities" if entry.kind == "capability" else "indicators"
        row = {}
        if entry.source_code:
            row["source"] = int(entry.source_code) if section == "capabilities" else entry.source_code
        if entry.target_code:
            row["target"] = int(entry.target_code) if section == "capabilities" else entry.target_code
        row["relation"] = entry.relation
        if entry.note:
            row["note"] = entry.note
        sections[section].append(row)
    for section, rows in sections.items():
        result[section] = sorted(rows, key=sort_key)
    return result


def dump_crosswalk(data):
    document = {"format": FORMAT, **data}
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
