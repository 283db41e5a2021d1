"""Framework texts in the active language, with English fallback marked ``lang="en"``.

    {% load mnr_framework %}
    <bdi>{{ answer.indicator|fw:"question" }}</bdi>

Use it where the text is element content; in an attribute (``title="…"``) or ``<title>`` use the
plain attribute, which falls back the same way unmarked.
"""

from django import template

from capabilities.translation import fw_text

register = template.Library()


@register.filter
def fw(obj, field):
    if obj is None or obj == "":
        return ""
    return fw_text(obj, field)
