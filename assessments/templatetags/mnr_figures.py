"""Outcome figures as printed: ``{{ value|figure:metric.unit }}`` ("1,234", "87.5%", "12 h")."""

from django import template

from assessments.figures import shown_value

register = template.Library()


@register.filter
def figure(value, unit):
    return shown_value(value, unit)
