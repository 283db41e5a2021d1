"""Outcome figures an organisation reports with its questionnaire: one value, or "not collected", per
metric and year, with its source and a confidence note.

Written like answers: only while the questionnaire can be changed (``submission_lock_answerable``:
the cycle open, the questionnaire a draft or returned), by its focal points, inside the transaction.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from capabilities.models import Metric

from .models import FIRST_FIGURE_YEAR, AuditEvent, MetricValue
from .services import audit, submission_lock_answerable

MAX_VALUE = Decimal("99999999999999.99")
UNIT_SUFFIX = {"percentage": "%", "hours": " h"}


def shown_value(value, unit):
    """A figure as printed, in the active language: "1,234", "87.5%", "12 h"; a dash when there is none."""
    if value is None or value == "":
        return "–"
    value = Decimal(str(value))
    places = 0 if value == value.to_integral_value() else 1 if unit in ("percentage", "hours") else 2
    return number_format(value, places, force_grouping=True) + UNIT_SUFFIX.get(unit, "")


def metrics_label(metric):
    """A metric's name in the active language, as plain text (exports)."""
    from capabilities.translation import fw_text

    return str(fw_text(metric, "name"))


def metrics_for(submission):
    """The metrics of the cycle's framework that the organisation's sector reports, in framework order."""
    return list(
        Metric.objects.filter(
            version_id=submission.cycle.framework_version_id, sectors=submission.organisation.sector_id
        )
        .select_related("capability")
        .order_by("capability__number", "order", "code")
    )


def year_problems(year):
    """Why ``year`` cannot carry a figure (a whole year from 2000 to this year), or an empty list."""
    this_year = timezone.localdate().year
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_FIGURE_YEAR <= year <= this_year:
        return [
            _("The year is a whole year from %(first)s to %(last)s.") % {"first": FIRST_FIGURE_YEAR, "last": this_year}
        ]
    return []


def clean_value(metric, raw):
    """``raw`` (text or number) as the metric's value, or ValidationError saying what is expected.

    Counts are whole numbers, a percentage is 0–100, hours and amounts are numbers of 0 or more.
    """
    text = str(raw).strip().replace(" ", "").replace("\u00a0", "") if raw is not None else ""
    if not text:
        raise ValidationError(
            _("Give the figure, or tick “not collected”: a figure that is not collected is never a zero.")
        )
    try:
        value = Decimal(text.replace(",", "")) if text.count(",") and "." in text else Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise ValidationError(_("“%(value)s” is not a number.") % {"value": raw}) from None
    if not value.is_finite() or value < 0:
        raise ValidationError(_("A figure is a number of 0 or more."))
    if value > MAX_VALUE:
        raise ValidationError(_("The figure is too large."))
    if metric.unit == Metric.Unit.COUNT and value != value.to_integral_value():
        raise ValidationError(_("A count is a whole number."))
    if metric.unit == Metric.Unit.PERCENTAGE and value > 100:
        raise ValidationError(_("A percentage is between 0 and 100."))
    return value.quantize(Decimal("0.01"))


@dataclass
class FigureInput:
    metric: Metric
    year: int
    value: Decimal | None
    not_collected: bool
    source: str = ""
    confidence: str = ""


def figure_input(*, metric, year, value, not_collected, source="", confidence=""):
    """Check one figure as a whole and return it normalised; ValidationError lists every problem."""
    problems = year_problems(year)
    cleaned = None
    if not_collected:
        if value not in (None, ""):
            problems.append(_("A figure marked “not collected” has no value: leave the value empty."))
    else:
        try:
            cleaned = clean_value(metric, value)
        except ValidationError as exc:
            problems.extend(exc.messages)
    source, confidence = (source or "").strip(), (confidence or "").strip()
    if len(source) > MetricValue._meta.get_field("source").max_length:
        problems.append(_("The source has at most 300 characters."))
    if problems:
        raise ValidationError(problems)
    return FigureInput(metric, year, cleaned, bool(not_collected), source, confidence)


def _write(submission, figure, by):
    """Create or update one figure; True when something changed."""
    current = MetricValue.objects.filter(submission=submission, metric=figure.metric, year=figure.year).first()
    values = {
        "value": figure.value,
        "not_collected": figure.not_collected,
        "source": figure.source,
        "confidence": figure.confidence,
    }
    if current is None:
        MetricValue.objects.create(
            submission=submission, metric=figure.metric, year=figure.year, updated_by=by, **values
        )
        return True
    changed = [name for name, value in values.items() if getattr(current, name) != value]
    if changed:
        for name in changed:
            setattr(current, name, values[name])
        current.updated_by = by
        current.save(update_fields=[*changed, "updated_by", "updated_at"])
    return bool(changed)


def _check_metrics(submission, figures):
    allowed = {m.pk for m in metrics_for(submission)}
    for figure in figures:
        if figure.metric.pk not in allowed:
            raise ValidationError(
                _("%(metric)s is not reported by this organisation's sector.") % {"metric": figure.metric.code}
            )


@transaction.atomic
def figures_save(*, submission, figures, by, request=None, source="web") -> int:
    """Save checked figures (``figure_input``) of a questionnaire; returns how many changed.

    Refused as a whole when the questionnaire can no longer be changed or a metric is not its
    sector's. Audited once, naming the figures.
    """
    submission = submission_lock_answerable(submission.pk)
    _check_metrics(submission, figures)
    changed = [f for f in figures if _write(submission, f, by)]
    if changed:
        listing = ", ".join(
            f"{f.metric.code} {f.year} = {'not collected' if f.not_collected else f.value}" for f in changed
        )
        audit(
            user=by,
            action=AuditEvent.Action.FIGURE_REPORTED,
            country=submission.cycle.country,
            cycle=submission.cycle,
            submission=submission,
            request=request,
            detail=f"{source}: {listing}",
        )
    return len(changed)


@transaction.atomic
def figure_delete(*, submission, figure_pk, by, request=None) -> None:
    submission = submission_lock_answerable(submission.pk)
    figure = MetricValue.objects.filter(submission=submission, pk=figure_pk).select_related("metric").first()
    if figure is None:
        raise ValidationError(_("This figure was already removed."))
    figure.delete()
    audit(
        user=by,
        action=AuditEvent.Action.FIGURE_REMOVED,
        country=submission.cycle.country,
        cycle=submission.cycle,
        submission=submission,
        request=request,
        detail=f"{figure.metric.code} {figure.year}",
    )
