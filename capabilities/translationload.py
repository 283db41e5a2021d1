"""Loading translation pack files into the database: the shipped packs, and a translator's workbook."""

from django.db import transaction

from .models import FrameworkVersion, TranslationPack
from .translationpacks import PackProblems, check_texts, pack_import, pack_publish, pack_review


def version_of(pack_file, *, where):
    version = FrameworkVersion.objects.filter(code=pack_file.version).first()
    if version is None:
        known = ", ".join(FrameworkVersion.objects.values_list("code", flat=True)) or "none"
        raise PackProblems([(where, f"no framework version {pack_file.version} (known: {known})")])
    return version


def _same_as_live(version, pack_file, clean):
    live = TranslationPack.objects.filter(
        version=version, language=pack_file.language, status__in=TranslationPack.LIVE
    ).first()
    if live is None:
        return False
    stored = {t.key: (t.source, t.text) for t in live.texts.all()}
    wanted_status = {"provisional": "provisional", "published": "published"}.get(pack_file.status)
    return (
        stored == clean
        and live.status == wanted_status
        and (live.translator, live.reviewer, live.note) == (pack_file.translator, pack_file.reviewer, pack_file.note)
    )


@transaction.atomic
def load_pack_files(pack_files):
    """Load ``[(where, PackFile)]`` as their status says, all or nothing; returns ``[(where, pack, verb, incomplete)]``.

    Every file is checked before any is written. A file whose pack is live already with the same
    texts, names and status changes nothing (loading twice is a no-op).
    """
    checked = []
    problems = []
    for where, pack_file in pack_files:
        try:
            version = version_of(pack_file, where=where)
            clean, incomplete = check_texts(version, pack_file.language, pack_file.entries, where=where)
        except PackProblems as exc:
            problems += exc.problems
            continue
        checked.append((where, pack_file, version, clean, incomplete))
    if problems:
        raise PackProblems(problems)
    results = []
    for where, pack_file, version, clean, incomplete in checked:
        if pack_file.status in ("provisional", "published") and _same_as_live(version, pack_file, clean):
            results.append((where, None, "unchanged", incomplete))
            continue
        pack, incomplete = pack_import(
            version=version,
            language=pack_file.language,
            entries=pack_file.entries,
            translator=pack_file.translator,
            note=pack_file.note,
            where=where,
        )
        if pack_file.status == "provisional":
            pack = pack_publish(pack=pack, provisional=True)
        elif pack_file.status in ("reviewed", "published"):
            pack = pack_review(pack=pack, reviewer=pack_file.reviewer)
            if pack_file.status == "published":
                pack = pack_publish(pack=pack)
        results.append((where, pack, "loaded", incomplete))
    return results
