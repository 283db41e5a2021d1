from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def percent_of(part, whole):
    """Whole percent of ``part`` in ``whole``; 0 when there is nothing to count."""
    try:
        return round(100 * int(part) / int(whole)) if whole else 0
    except (TypeError, ValueError):
        return 0


@register.filter
def person(user):
    """Who did something: full name, else username. The user foreign keys are SET_NULL, so a deleted
    account arrives as None; ``a.get_full_name|default:a.username`` would then fail the whole page
    (a filter argument that cannot be resolved raises instead of rendering empty)."""
    if user is None:
        return _("a deleted account")
    return user.get_full_name() or user.get_username()


@register.filter
def choice_label(choice):
    """How an answer reads in tables and history: 'Level 2', "Don't know", '—'."""
    if choice == "":
        return "—"
    if choice == "dk":
        return _("Don't know")
    if choice == "na":
        return _("Not applicable")
    return _("Level %(level)s") % {"level": choice}


@register.inclusion_tag("assessments/_progress.html")
def progress_bar(answered, total, label=""):
    percent = percent_of(answered, total)
    return {"answered": answered, "total": total, "percent": percent, "label": label}


@register.filter
def bdi(value):
    """``value`` isolated from the surrounding direction (a name or a date inside an Arabic sentence)."""
    if value in (None, ""):
        return value
    return format_html("<bdi>{}</bdi>", value)
