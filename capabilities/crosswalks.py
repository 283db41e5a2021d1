"""Crosswalks between framework versions: load one from its file, and read one for other apps.

``crosswalk_load`` writes a parsed ``mnr-crosswalk/1`` file (see ``crosswalkformat``) after checking
it against both versions, all or nothing; loading the same file again writes nothing.
``indicator_links`` and ``capability_links`` are the read API the higher apps (carry-forward of
answers, progress across versions) use.
"""

from dataclasses import dataclass

from django.db import transaction

from .crosswalkformat import CrosswalkFileError, crosswalk_as_dict, crosswalk_problems, version_codes
from .models import Crosswalk, CrosswalkEntry, FrameworkVersion


@dataclass
class CrosswalkLoadResult:
    crosswalk: Crosswalk
    created: bool
    changed: bool


def _rows(data):
    """The entries of a parsed crosswalk as (kind, source_code, target_code, relation, note) tuples."""
    rows = set()
    for section, kind in (
        ("capabilities", CrosswalkEntry.Kind.CAPABILITY),
        ("indicators", CrosswalkEntry.Kind.INDICATOR),
    ):
        for row in data[section]:
            rows.add(
                (kind, str(row.get("source", "")), str(row.get("target", "")), row["relation"], row.get("note", ""))
            )
    return rows


def crosswalk_load(*, data, source="<crosswalk>") -> CrosswalkLoadResult:
    """Create or replace the crosswalk described by ``data``; raise CrosswalkFileError, writing nothing.

    Both versions must exist; every code must exist in its version and every capability and
    indicator of both versions must be mapped. The entries are replaced as a whole, so the stored
    crosswalk is exactly the file; an unchanged file changes nothing.
    """
    with transaction.atomic():
        versions = {v.code: v for v in FrameworkVersion.objects.filter(code__in=[data["source"], data["target"]])}
        problems = [
            f"file: no framework version {data[key]!r} ({key}); load it first"
            for key in ("source", "target")
            if data[key] not in versions
        ]
        if problems:
            raise CrosswalkFileError(source, problems)
        src, tgt = versions[data["source"]], versions[data["target"]]
        problems = crosswalk_problems(data, version_codes(src), version_codes(tgt))
        if problems:
            raise CrosswalkFileError(source, problems)
        crosswalk = Crosswalk.objects.select_for_update().filter(source=src, target=tgt).first()
        created = crosswalk is None
        note = data.get("note", "")
        if created:
            crosswalk = Crosswalk.objects.create(source=src, target=tgt, note=note)
        elif crosswalk_as_dict(crosswalk) == data:
            return CrosswalkLoadResult(crosswalk, created=False, changed=False)
        elif crosswalk.note != note:
            crosswalk.note = note
            crosswalk.save(update_fields=["note"])
        crosswalk.entries.all().delete()
        CrosswalkEntry.objects.bulk_create(
            CrosswalkEntry(crosswalk=crosswalk, kind=k, source_code=s, target_code=t, relation=r, note=n)
            for k, s, t, r, n in sorted(_rows(data))
        )
        return CrosswalkLoadResult(crosswalk, created=created, changed=True)


def _links(source_version, target_version, kind):
    crosswalk = Crosswalk.objects.filter(source=source_version, target=target_version).first()
    if crosswalk is None:
        return None
    links = {}
    for source_code, target_code, relation in crosswalk.entries.filter(kind=kind).values_list(
        "source_code", "target_code", "relation"
    ):
        if not source_code:
            continue
        pairs = links.setdefault(source_code, [])
        if target_code:
            pairs.append((target_code, relation))
    for pairs in links.values():
        pairs.sort()
    return links


def indicator_links(source_version, target_version):
    """How the indicators of ``source_version`` map onto ``target_version`` (2 queries).

    Returns ``{source_code: [(target_code, relation), ...]}`` with every source indicator code of
    the crosswalk as a key; a ``removed`` indicator maps to ``[]``; ``new`` target indicators (no
    source) are not in the result. Target lists are sorted by code. Relations are the
    ``CrosswalkEntry.Relation`` values (``equal``, ``subset``, ``superset``, ``split``, ``merged``).

    Returns ``None`` when no crosswalk exists from ``source_version`` to ``target_version`` (the
    crosswalk is directional: the reverse one is a different crosswalk). For the same version on
    both sides there is no crosswalk either; callers compare such versions code by code.
    Accepts FrameworkVersion objects or their ids.
    """
    return _links(source_version, target_version, CrosswalkEntry.Kind.INDICATOR)


def capability_links(source_version, target_version):
    """Like ``indicator_links``, for capabilities: ``{number: [(number, relation), ...]}`` or ``None``.

    Capability numbers are ints here (they are stored as text in the entries).
    """
    links = _links(source_version, target_version, CrosswalkEntry.Kind.CAPABILITY)
    if links is None:
        return None
    return {int(s): [(int(t), r) for t, r in sorted(pairs, key=lambda p: int(p[0]))] for s, pairs in links.items()}


def relation_counts(crosswalk):
    """``{kind: {relation: count}}`` for a crosswalk's entries (1 query)."""
    from django.db.models import Count

    counts = {}
    for row in crosswalk.entries.values("kind", "relation").annotate(n=Count("id")).order_by("kind", "relation"):
        counts.setdefault(row["kind"], {})[row["relation"]] = row["n"]
    return counts
