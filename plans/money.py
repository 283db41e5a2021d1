"""Money as the active language writes it: "USD 1,140,000.00", "1 140 000,00 USD", "1.140.000,00 USD" (Arabic).

Amounts are Decimal to the end; only this module turns them into text. Django's Arabic formats have no
digit grouping, so grouping by three is forced here with the language's own separator. The order of
code and amount is a translated pattern, so each language keeps its own; in Arabic both parts are
isolated so that the amount reads first (on the right) and the Latin code does not swallow it.
"""

from decimal import Decimal

from django.utils.formats import get_format
from django.utils.numberformat import format as numberformat
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _

LRI, PDI = "\u2066", "\u2069"


def amount(value, places=2):
    """The number alone, grouped by three: "1,140,000.00" / "1 140 000,00" / "1.140.000,00"."""
    if value is None or value == "":
        return "–"
    return numberformat(
        Decimal(value),
        get_format("DECIMAL_SEPARATOR"),
        places,
        get_format("NUMBER_GROUPING") or 3,
        get_format("THOUSAND_SEPARATOR"),
        force_grouping=True,
    )


def money(value, currency, places=2):
    """An amount with its ISO 4217 code, in the order the language writes it."""
    number, code = amount(value, places), currency or ""
    if not code:
        return number
    if get_language_bidi():
        number, code = f"{LRI}{number}{PDI}", f"{LRI}{code}{PDI}"
    # Translators: how an amount of money is written: the ISO 4217 code (USD, EUR) and the amount.
    return _("%(currency)s %(amount)s") % {"currency": code, "amount": number}
