"""National data: validated national figures per metric and year, their trends, and the gap report's
"national data" section that puts each capability's figures beside its level.

"Not collected" is a finding (a data gap) and never a zero: it is never plotted, never compared and
never summed. A trend runs over every year a national figure was validated for, in any of the
country's cycles (matched on the metric's stable code, so that a new framework version continues it);
for a year validated in several cycles, the latest cycle's figure counts.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _

from assessments.figures import figure_input, shown_value
from assessments.models import AuditEvent, Cycle, MetricValue
from assessments.services import audit, cycle_lock_for_change
from capabilities.models import Metric
from capabilities.translation import fw_text

from .models import NationalFigure


@transaction.atomic
def national_figure_set(*, cycle, metric, year, value, not_collected, rationale, by, request=None):
    """Set (or with ``value=None`` and not ``not_collected``, clear) the validated national figure.

    Checked like a reported figure (``assessments.figures.figure_input``); refused in a closed cycle
    and before the cycle opens; a rationale is required; set and clear are audited.
    """
    cycle = cycle_lock_for_change(cycle.pk)
    if cycle.status == Cycle.Status.DRAFT:
        raise ValidationError(_("Open the cycle before validating national figures."))
    if metric.version_id != cycle.framework_version_id:
        raise ValidationError(_("This metric is not in the cycle's framework version."))
    if not not_collected and value in (None, ""):
        previous = NationalFigure.objects.filter(cycle=cycle, metric=metric, year=year).first()
        if previous is not None:
            previous.delete()
            audit(
                user=by,
                action=AuditEvent.Action.FIGURE_CLEARED,
                country=cycle.country,
                cycle=cycle,
                request=request,
                detail=f"{metric.code} {year}",
            )
        return None
    figure = figure_input(metric=metric, year=year, value=value, not_collected=not_collected)
    rationale = (rationale or "").strip()
    if not rationale:
        raise ValidationError({"rationale": _("Explain why: the report prints this rationale beside the figure.")})
    national, _created = NationalFigure.objects.update_or_create(
        cycle=cycle,
        metric=metric,
        year=figure.year,
        defaults={"value": figure.value, "not_collected": figure.not_collected, "rationale": rationale, "set_by": by},
    )
    audit(
        user=by,
        action=AuditEvent.Action.FIGURE_VALIDATED,
        country=cycle.country,
        cycle=cycle,
        request=request,
        detail=f"{metric.code} {figure.year} = {'not collected' if figure.not_collected else figure.value}",
    )
    return national


def _trends(cycle, metric_codes):
    """``{code: {year: {"value", "not_collected", "rationale", "cycle"}}}`` over the country's cycles (1 query)."""
    rows = (
        NationalFigure.objects.filter(cycle__country_id=cycle.country_id, metric__code__in=metric_codes)
        .exclude(cycle__status=Cycle.Status.DRAFT)
        .order_by("cycle__opens_on", "cycle__pk")
        .values("metric__code", "year", "value", "not_collected", "rationale", "cycle__title", "cycle_id")
    )
    trends = {}
    for r in rows:  # later cycles overwrite earlier ones for the same year
        trends.setdefault(r["metric__code"], {})[r["year"]] = {
            "value": None if r["value"] is None else str(r["value"]),
            "not_collected": r["not_collected"],
            "rationale": r["rationale"],
            "cycle": r["cycle__title"],
            "this_cycle": r["cycle_id"] == cycle.pk,
        }
    return trends


def direction(points, higher_is_better):
    """+1 when the last two collected figures improved, -1 when they worsened, 0 when flat, None without two."""
    values = [Decimal(p["value"]) for p in points if p["value"] is not None]
    if len(values) < 2 or values[-1] == values[-2]:
        return None if len(values) < 2 else 0
    better = values[-1] > values[-2]
    return 1 if better == bool(higher_is_better) else -1


def national_data(cycle, data):
    """Each capability's metrics, trends and flags beside its level, as JSON-ready data (2 queries).

    ``data`` is the cycle's report data (``cycle_report_data``). A capability has *no data* when none
    of its metrics has a collected national figure; it *diverges* when its level rose while its
    figures worsened (or fell while they improved): the coordinator decides what that means.
    """
    metrics = list(
        Metric.objects.filter(version_id=cycle.framework_version_id)
        .select_related("capability")
        .order_by("capability__number", "order", "code")
    )
    trends = _trends(cycle, [m.code for m in metrics])
    caps = {c["number"]: c for c in data["capabilities"]}
    rows = {}
    for m in metrics:
        by_year = trends.get(m.code, {})
        points = [{"year": year} | by_year[year] for year in sorted(by_year)]
        cap = caps.get(m.capability.number, {})
        rows.setdefault(
            m.capability.number,
            {
                "number": m.capability.number,
                "title": cap.get("title") or str(fw_text(m.capability, "title")),
                "level": cap.get("level"),
                "delta": cap.get("delta"),
                "metrics": [],
            },
        )["metrics"].append(
            {
                "code": m.code,
                "name": str(fw_text(m, "name")),
                "definition": str(fw_text(m, "definition")),
                "unit": m.unit,
                "unit_label": str(m.get_unit_display()),
                "higher_is_better": m.higher_is_better,
                "points": points,
                "shown": [
                    shown_value(p["value"], m.unit) if not p["not_collected"] else _("not collected") for p in points
                ],
                "direction": direction(points, m.higher_is_better),
                "not_collected_years": [p["year"] for p in points if p["not_collected"]],
            }
        )
    result = []
    for row in rows.values():
        collected = [p for metric in row["metrics"] for p in metric["points"] if p["value"] is not None]
        row["no_data"] = not collected
        directions = [metric["direction"] for metric in row["metrics"] if metric["direction"]]
        delta = row["delta"]
        row["diverges"] = bool(
            delta and directions and ((delta > 0 and min(directions) < 0) or (delta < 0 and max(directions) > 0))
        )
        result.append(row)
    return {
        "capabilities": result,
        "no_data": [r["number"] for r in result if r["no_data"]],
        "diverging": [r["number"] for r in result if r["diverges"]],
    }


def reported_figures(cycle):
    """What the organisations reported, by metric code and year: ``{(code, year): [row, ...]}`` (1 query)."""
    result = {}
    for v in (
        MetricValue.objects.filter(submission__cycle=cycle)
        .select_related("metric", "submission__organisation")
        .order_by("submission__organisation__name")
    ):
        result.setdefault((v.metric.code, v.year), []).append(v)
    return result


# The chart: an SVG of the line and its points (no text: WeasyPrint cannot shape Arabic in SVG), with the
# years and figures as HTML below it, in the page's direction. In Arabic the years run from right to left.
WIDTH, HEIGHT, PAD = 240, 80, 8


def trend_chart(metric):
    """A small line chart of a metric's collected national figures over the years (``national_data`` row)."""
    points = metric["points"]
    if not points:
        return format_html('<p class="trend-empty">{}</p>', _("No national figure yet."))
    rtl = get_language_bidi()
    values = [Decimal(p["value"]) for p in points if p["value"] is not None]
    top = max(values) if values else Decimal(1)
    top = top if top > 0 else Decimal(1)
    step = (WIDTH - 2 * PAD) / max(len(points) - 1, 1)

    def x(i):
        position = PAD + (step * i if len(points) > 1 else (WIDTH - 2 * PAD) / 2)
        return round(WIDTH - position if rtl else position, 1)

    def y(value):
        return round(HEIGHT - PAD - float(Decimal(value) / top) * (HEIGHT - 2 * PAD), 1)

    coordinates = [(x(i), y(p["value"])) for i, p in enumerate(points) if p["value"] is not None]
    # A year not collected breaks the line: it is a gap, not a fall to zero.
    segments, current = [], []
    for i, p in enumerate(points):
        if p["value"] is None:
            if current:
                segments.append(current)
            current = []
        else:
            current.append((x(i), y(p["value"])))
    if current:
        segments.append(current)
    lines = format_html_join(
        "",
        '<polyline points="{}" fill="none" stroke="#1f4e79" stroke-width="2"/>',
        ((" ".join(f"{a},{b}" for a, b in seg),) for seg in segments if len(seg) > 1),
    )
    dots = format_html_join("", '<circle cx="{}" cy="{}" r="3" fill="#1f4e79"/>', coordinates)
    gaps = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="3" fill="none" stroke="#6c757d" stroke-dasharray="2 1"/>',
        ((x(i), HEIGHT - PAD) for i, p in enumerate(points) if p["value"] is None),
    )
    label = _("%(metric)s by year") % {"metric": metric["name"]}
    svg = format_html(
        '<svg class="trend-svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" aria-hidden="true">'
        '<line x1="{p}" y1="{b}" x2="{r}" y2="{b}" stroke="#adb5bd"/>{}{}{}</svg>',
        lines,
        dots,
        gaps,
        w=WIDTH,
        h=HEIGHT,
        p=PAD,
        r=WIDTH - PAD,
        b=HEIGHT - PAD,
    )
    cells = format_html_join(
        "",
        '<tr><th scope="row">{}</th><td>{}</td></tr>',
        ((p["year"], shown) for p, shown in zip(points, metric["shown"], strict=True)),
    )
    return format_html(
        '<figure class="trend" role="img" aria-label="{}">{}<table class="trend-values"><tbody>{}</tbody></table>'
        "</figure>",
        label,
        svg,
        cells,
    )
