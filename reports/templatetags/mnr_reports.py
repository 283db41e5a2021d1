import unicodedata

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from assessments.models import Submission
from capabilities.models import CrosswalkEntry
from reports import formatting

register = template.Library()


@register.filter
def level(value):
    """A level with one decimal in the language ("2.7", "2,7"); a dash when there is none."""
    return formatting.number(value)


@register.filter
def signed(value):
    """A change since the last cycle: "+0.5", "−0.3", "0.0"."""
    return formatting.signed(value)


@register.filter
def gap(value):
    """A gap below target, or "meets target, +0.2" above it."""
    return formatting.gap(value)


@register.filter
def percent(value):
    if value is None:
        return "–"
    return f"{round(float(value) * 100)} %"


@register.filter
def ratio(part, whole):
    return f"{round(100 * part / whole)} %" if whole else "–"


@register.filter
def get(mapping, key):
    return mapping.get(key, "") if mapping else ""


@register.filter
def isodate(value):
    """An ISO date in the language: "4 March 2026", "4 mars 2026"."""
    return formatting.day(value)


@register.filter
def moment(value):
    """An ISO date and time (UTC) in the language."""
    return formatting.moment(value)


@register.filter
def status_label(value):
    return dict(Submission.Status.choices).get(value, value) if value else _("unknown")


@register.filter
def relation_label(value):
    """A crosswalk relation as it reads in the report: "Split", "Merged"... or "indicators changed"
    (``reports.consolidation.INDICATORS_CHANGED``: an equal capability whose indicators changed)."""
    if value == "indicators":
        return _("indicators changed")
    return dict(CrosswalkEntry.Relation.choices).get(value, value) if value else ""


@register.filter
def isolate(value):
    """Text in its own direction: a span whose ``dir`` is that of its first strong letter.

    An English sentence inside an Arabic paragraph keeps its full stop at its end, on every wrapped line,
    and the reverse. WeasyPrint has no ``<bdi>`` or ``dir="auto"``, and its line breaking loses Unicode
    isolates (U+2068/U+2069) across lines, but it honours ``dir`` on an inline element.
    """
    if not value:
        return value
    direction = text_direction(str(value))
    return format_html('<span dir="{}">{}</span>', direction, value) if direction else value


@register.filter
def direction_of(value):
    """``dir="ltr"`` or ``dir="rtl"`` (an attribute) after the text's first strong letter; empty when it has none.

    For a block whose content is one text in another direction than the page (an English evidence quote in
    an Arabic report): the block takes the text's direction, so its lines wrap and align as that text reads.
    """
    direction = text_direction(str(value or ""))
    return format_html(' dir="{}"', direction) if direction else ""


def text_direction(text):
    """ "ltr" or "rtl" after the first strongly directional letter (the rule of ``dir="auto"``), else None."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return "ltr"
        if kind in ("R", "AL"):
            return "rtl"
    return None


@register.simple_tag
def trend_chart(metric):
    """A metric's trend (a ``reports.figures.national_data`` row) as a small line chart."""
    from reports.figures import trend_chart as chart

    return chart(metric)
