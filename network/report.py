"""The gap report's "good practice" section: for each capability with next steps, the published library
entries on it (titles and links, in the PDF too).

Called by reports through ``NetworkConfig.report_sections`` when a report job freezes its data: reports
never imports network (tests/test_layering.py), so the links come from here. JSON-ready.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language

from .models import Practice

TEMPLATE = "network/report_section.html"
PER_CAPABILITY = 3


def library_links(numbers, *, base_url="", language=None):
    """``{capability number: [{"title", "url"}]}`` of published entries, up to PER_CAPABILITY each. One query.

    An entry and its translations count once: the one in ``language`` (default: the active language, the
    reader's or the report's) where published, else the original.
    """
    language = (language or get_language() or "en").split("-")[0]
    rows = (
        Practice.capabilities.through.objects.filter(
            capability__number__in=numbers, practice__status=Practice.Status.PUBLISHED
        )
        .order_by("capability__number", "practice__title", "practice_id")
        .values_list(
            "capability__number", "practice_id", "practice__title", "practice__language", "practice__translation_of_id"
        )
        .distinct()
    )
    chosen = {n: {} for n in numbers}
    for number, pk, title, entry_language, original in rows:
        root = original or pk
        rank = 0 if entry_language == language else 1 if original is None else 2
        best = chosen[number].get(root)
        if best is None or rank < best[0]:
            chosen[number][root] = (rank, title, pk)
    links = {}
    for number, entries in chosen.items():
        ordered = sorted(entries.values(), key=lambda entry: (entry[1], entry[2]))[:PER_CAPABILITY]
        links[number] = [
            {"id": pk, "title": title, "url": base_url + reverse("network:practice_detail", args=[pk])}
            for _rank, title, pk in ordered
        ]
    return links


def report_sections(*, cycle, data):
    numbers = [c["number"] for c in data.get("capabilities", []) if c.get("next_steps")]
    if not numbers:
        return []
    titles = {c["number"]: c["title"] for c in data.get("capabilities", [])}
    links = library_links(numbers, base_url=settings.SITE_URL.rstrip("/"))
    rows = [{"number": n, "title": titles[n], "entries": links[n]} for n in numbers if links[n]]
    if not rows:
        return []
    return [{"template": TEMPLATE, "data": {"library": rows}}]


def write_docx(document, section):
    """The chapter in the Word gap report: the rows of templates/network/report_section.html."""
    from django.utils.translation import gettext as _

    document.heading(_("Good practice for the next steps"))
    document.paragraph(
        _(
            "For each capability with next steps, entries of the network's good-practice library: what other "
            "countries did to reach the next level."
        )
    )
    document.table(
        [_("Capability"), _("Library entries")],
        [
            [f"{row['number']}. {row['title']}", "\n".join(f"{e['title']} — {e['url']}" for e in row["entries"])]
            for row in section["library"]
        ],
    )
