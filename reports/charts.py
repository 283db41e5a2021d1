"""Charts built on the server as HTML tables and boxes, the same markup on the analysis page and in the PDF.

HTML rather than SVG text: labels then wrap, follow the page's direction (Arabic charts are mirrored
and their text shaped, which WeasyPrint's SVG text cannot do) and use the language's numbers. Each
chart is a named image to screen readers; the analysis page repeats its figures as a plain table.
Styles: static/reports/charts.css. Fill colours keep at least 4.5:1 contrast with the black text. Colours and
whole-level positions are classes, not a ``style`` attribute per element: each one is a stylesheet WeasyPrint
parses and cascades, so the PDF renders faster with the same look.
"""

from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _

from .formatting import number

# Level 0 … 4: red to green, light enough for black text.
LEVEL_FILLS = ["#f4b6b6", "#f8cf9f", "#f7e59b", "#c9e4a6", "#8fd19e"]
NO_DATA_FILL = "#e9ecef"
MAX_LEVEL = 4


def level_fill(level):
    if level is None:
        return NO_DATA_FILL
    return LEVEL_FILLS[max(0, min(MAX_LEVEL, int(round(level))))]


def fill_class(level):
    """The class that paints ``level_fill(level)`` (charts.css): one rule per colour, not a style per cell."""
    if level is None:
        return "fill-none"
    return f"fill-{max(0, min(MAX_LEVEL, int(round(level))))}"


def _side():
    """The physical side levels grow from: the left in English, the right in Arabic."""
    return "right" if get_language_bidi() else "left"


def _pct(level):
    return round(100 * max(0.0, min(float(level), MAX_LEVEL)) / MAX_LEVEL, 2)


def legend(data, *, target=True):
    """What the colours (and the target tick) mean, with the scale's level names."""
    items = [
        format_html(
            '<li><span class="swatch" style="background-color: {}"></span>{} {}</li>',
            LEVEL_FILLS[row["level"]],
            row["level"],
            row["name"],
        )
        for row in data["scale"]
        if 0 <= row["level"] <= MAX_LEVEL
    ]
    items.append(
        format_html('<li><span class="swatch" style="background-color: {}"></span>{}</li>', NO_DATA_FILL, _("no level"))
    )
    if target:
        items.append(format_html('<li><span class="swatch target-swatch"></span>{}</li>', _("target")))
    entries = format_html_join("", "{}", ((i,) for i in items))
    return format_html('<ul class="chart-legend" aria-label="{}">{}</ul>', _("Legend"), entries)


def domain_profile(data):
    """One band per domain: each capability's national level as a bar, its target as a tick."""
    side = _side()
    caps = {c["number"]: c for c in data["capabilities"]}
    title = _("National level of each capability, by domain")
    # The axis labels and grid lines sit at whole levels: a class per level and side (charts.css), not a style each.
    ticks = format_html_join(
        "",
        '<span class="tick-label {}-{}">{}</span>',
        ((side, level, level) for level in range(MAX_LEVEL + 1)),
    )
    grid = format_html_join(
        "", '<span class="grid-line {}-{}"></span>', ((side, level) for level in range(MAX_LEVEL + 1))
    )
    rows = []
    for domain in data["domains"]:
        rows.append(
            format_html(
                '<tr class="domain-row"><th colspan="3" scope="colgroup">{}. {}</th></tr>',
                domain["code"],
                domain["name"],
            )
        )
        for number_ in domain["capabilities"]:
            cap = caps[number_]
            level = cap["level"]
            if cap.get("suppressed"):
                track = format_html('<span class="track-note">{}</span>', _("too few answers to show"))
                shown = "–"
            else:
                bar = (
                    format_html(
                        '<span class="bar" style="{}: 0; width: {}%; background-color: {}"></span>',
                        side,
                        _pct(level),
                        level_fill(level),
                    )
                    if level is not None
                    else format_html('<span class="track-note">{}</span>', _("no level"))
                )
                track = format_html(
                    '{}{}<span class="target-tick" style="{}: {}%" title="{} {}"></span>',
                    grid,
                    bar,
                    side,
                    _pct(cap["target"]),
                    _("target"),
                    cap["target"],
                )
                shown = number(level)
            rows.append(
                format_html(
                    '<tr><th scope="row" class="cap-label">{}. {}</th>'
                    '<td class="track-cell"><div class="track">{}</div></td><td class="value">{}</td></tr>',
                    cap["number"],
                    cap["title"],
                    track,
                    shown,
                )
            )
    return format_html(
        '<figure class="chart domain-profile" role="img" aria-label="{}"><figcaption>{}</figcaption>'
        '<table><thead><tr><th scope="col" class="cap-label">{}</th><th scope="col" class="track-cell">'
        '<div class="axis">{}</div></th><th scope="col" class="value">{}</th></tr></thead><tbody>{}</tbody></table>'
        "{}</figure>",
        title,
        title,
        _("Capability"),
        ticks,
        _("Level"),
        format_html_join("", "{}", ((r,) for r in rows)),
        legend(data),
    )


def heat_map_sectors(data):
    """Sectors with at least one organisation score, and the names of those left out (no included answers)."""
    scored = {code for cap in data["capabilities"] for code in cap["by_sector"]}
    shown = [s for s in data["sectors"] if s["code"] in scored]
    left_out = [s["name"] for s in data["sectors"] if s["code"] not in scored]
    return shown, left_out


def heat_map(data):
    """Capabilities (rows) × sectors (columns): the median organisation score of each sector."""
    title = _("Capability levels by sector (median organisation score)")
    sectors, left_out = heat_map_sectors(data)
    head = format_html_join("", '<th scope="col" class="sector">{}</th>', ((s["name"],) for s in sectors))
    rows = []
    for cap in data["capabilities"]:
        cells = []
        for sector in sectors:
            value = cap["by_sector"].get(sector["code"])
            cells.append(
                format_html(
                    '<td class="{}" title="{}. {} × {}: {}">{}</td>',
                    fill_class(value),
                    cap["number"],
                    str(cap["title"]),  # plain text in an attribute: no lang="en" span for an English fallback
                    sector["name"],
                    number(value),
                    number(value),
                )
            )
        rows.append(
            format_html(
                '<tr><th scope="row" class="cap-label">{}. {}</th>{}</tr>',
                cap["number"],
                cap["title"],
                format_html_join("", "{}", ((c,) for c in cells)),
            )
        )
    if not sectors:
        body = format_html('<p class="chart-note">{}</p>', _("No organisation has a score yet."))
    else:
        body = format_html(
            '<table><thead><tr><th scope="col" class="cap-label">{}</th>{}</tr></thead><tbody>{}</tbody></table>',
            _("Capability"),
            head,
            format_html_join("", "{}", ((r,) for r in rows)),
        )
    note = ""
    if left_out:
        note = format_html(
            '<p class="chart-note">{}</p>',
            _("Sectors without a column (no included answer of theirs gives a level): %(sectors)s.")
            % {"sectors": ", ".join(left_out)},
        )
    return format_html(
        '<figure class="chart heat-map" role="img" aria-label="{}"><figcaption>{}</figcaption>{}{}{}</figure>',
        title,
        title,
        body,
        note,
        legend(data, target=False),
    )
