from django import template

from plans.money import amount as _amount
from plans.money import money as _money

register = template.Library()


@register.filter
def money(value, currency):
    """``{{ amount|money:plan.currency }}``: "USD 1,140,000.00" in English, "1 140 000,00 USD" in French."""
    return _money(value, currency)


@register.filter
def amount(value):
    """A money amount without its code (in a table whose header names the currency), grouped by three."""
    return _amount(value)
