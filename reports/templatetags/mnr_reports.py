from datetime import date

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from assessments.models import Submission

register = template.Library()


@register.filter
def level(value):
    """A level or gap with one decimal; a dash when there is none."""
    if value is None or value == "":
        return "–"
    return number_format(round(float(value), 1), 1)  # "2.7" in English, "2,7" in French (rounded first)


@register.filter
def signed(value):
    if value is None:
        return "–"
    value = float(value)
    return ("-" if value < 0 else "+") + number_format(round(abs(value), 1), 1)


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
    return date.fromisoformat(value).strftime("%d %b %Y") if value else ""


@register.filter
def status_label(value):
    return dict(Submission.Status.choices).get(value, value) if value else _("unknown")


@register.filter
def isolate(value):
    """Wrap text in Unicode first-strong isolates, so an English sentence keeps its own direction
    (full stop at its end) inside an Arabic paragraph, and the reverse. WeasyPrint has no <bdi>."""
    return f"\u2068{value}\u2069" if value else value
