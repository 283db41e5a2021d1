"""How report figures and dates are printed, in the active language, the same in tables, charts and exports.

Levels are rounded once (``scoring.shown``) and printed with the language's decimal separator.
Signed numbers are wrapped in a left-to-right isolate so that "+0.5" keeps its sign on the left
inside an Arabic (right-to-left) sentence instead of becoming "0.5+".
"""

from datetime import date, datetime

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from .scoring import shown

DASH = "–"
LRI, PDI = "\u2066", "\u2069"


def number(value):
    """A level, mean or gap with one decimal ("2.7", "2,7" in French); a dash when there is none."""
    if value is None or value == "":
        return DASH
    return number_format(shown(float(value)), 1)


def signed(value):
    """A change: "+0.5", "−0.3" (a real minus sign) or "0.0" — never "−0.0"."""
    if value is None or value == "":
        return DASH
    value = shown(float(value))
    text = number_format(abs(value), 1)
    if value > 0:
        text = "+" + text
    elif value < 0:
        text = "\u2212" + text
    return f"{LRI}{text}{PDI}"


def gap(value):
    """A gap as printed: the shortfall below target, or "meets target" (with the surplus above it)."""
    if value is None or value == "":
        return DASH
    value = shown(float(value))
    if value > 0:
        return number(value)
    if value == 0:
        return _("meets target")
    return _("meets target, %(surplus)s") % {"surplus": signed(-value)}


def day(value):
    """An ISO date ("2026-03-04") or a date in the language: "4 March 2026", "4 mars 2026", "4 مارس، 2026"."""
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return date_format(value, "DATE_FORMAT")


def moment(value):
    """A UTC date and time in the language, e.g. "4 March 2026, 10:15 UTC"."""
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return _("%(date)s, %(time)s UTC") % {"date": day(value.date()), "time": value.strftime("%H:%M")}
