"""The plan's timeline (Gantt-style) and funding chart, built on the server as HTML tables and boxes.

HTML rather than SVG, as in reports.charts: WeasyPrint draws SVG text letter by letter, which breaks
Arabic shaping, while HTML labels wrap, are shaped and follow the page's direction. The same markup
goes on the plan page and into the PDF (styles: static/plans/charts.css). Positions along the time or
money axis are percentages set on the physical side the axis starts from: the left, or the right in
Arabic (``rtl``), so that time runs from right to left there.
"""

from datetime import date, timedelta

from django.utils.html import format_html, format_html_join

from reports.templatetags.mnr_reports import isolate

STATUS_FILLS = {
    "planned": "#cfe2ff",
    "in_progress": "#9ec5fe",
    "done": "#8fd19e",
    "blocked": "#f8cf9f",
    "dropped": "#e9ecef",
}
OVERDUE = "#b02a37"


def _join(parts):
    """Concatenate markup that format_html already escaped, staying safe without mark_safe."""
    return format_html_join("", "{}", ((p,) for p in parts))


def _months(first, last):
    month = date(first.year, first.month, 1)
    while month <= last:
        yield month
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def _pct(part, whole):
    return round(100 * max(0.0, min(float(part) / float(whole), 1.0)), 2) if whole else 0.0


def timeline(actions, *, today, title, today_label, overdue_label, rtl=False, month_format=None):
    """One bar per action from its start (or today) to its due date, grouped by capability.

    ``actions`` are dicts with capability number/title, title, starts_on, due_on, status, overdue.
    Actions without a due date are listed with no bar.
    """
    side = "right" if rtl else "left"
    dates = [d for a in actions for d in (a["starts_on"], a["due_on"]) if d] + [today]
    first, last = min(dates) - timedelta(days=7), max(dates) + timedelta(days=7)
    span = max(1, (last - first).days)

    def at(day):
        return _pct((day - first).days, span)

    months = [m for m in _months(first, last) if m >= first]
    step = max(1, -(-len(months) // 6))  # at most six labels, so that they never overlap
    shown = months[::step]
    grid = _join(format_html('<span class="tl-grid" style="{}: {}%"></span>', side, at(m)) for m in shown)
    today_line = format_html('<span class="tl-today" style="{}: {}%"></span>', side, at(today))
    axis = _join(
        format_html(
            '<span class="tl-month" style="{}: {}%">{}</span>',
            side,
            at(m),
            month_format(m) if month_format else m.strftime("%m/%Y"),
        )
        for m in shown
    )
    rows, last_cap = [], None
    for a in actions:
        if a["capability"] != last_cap:
            last_cap = a["capability"]
            rows.append(
                format_html(
                    '<tr class="tl-cap"><th colspan="2" scope="colgroup">{}</th></tr>',
                    isolate(f"{a['capability']}. {a['capability_title']}"),
                )
            )
        bar = ""
        if a["due_on"]:
            start = a["starts_on"] or min(today, a["due_on"])
            begin, end = sorted((at(start), at(a["due_on"])))
            bar = format_html(
                '<span class="tl-bar{}" style="{}: {}%; width: {}%; background-color: {}" title="{}"></span>{}',
                " tl-overdue" if a["overdue"] else "",
                side,
                begin,
                max(0.5, round(end - begin, 2)),
                STATUS_FILLS.get(a["status"], "#cfe2ff"),
                f"{a['title']}: {start.isoformat()} → {a['due_on'].isoformat()}"
                + (f" ({overdue_label})" if a["overdue"] else ""),
                format_html('<span class="tl-flag" style="{}: {}%">!</span>', side, end) if a["overdue"] else "",
            )
        rows.append(
            format_html(
                '<tr><th scope="row" class="tl-label">{}</th>'
                '<td class="tl-track-cell"><div class="tl-track">{}{}{}</div></td></tr>',
                isolate(a["title"]),
                grid,
                today_line,  # under the bar and its "!", which stay readable where they cross today
                bar,
            )
        )
    return format_html(
        '<figure class="chart plan-timeline" role="img" aria-label="{}">'
        '<table><thead><tr><th scope="col" class="tl-label"></th><th scope="col" class="tl-track-cell">'
        '<div class="tl-axis">{}</div></th></tr></thead><tbody>{}</tbody>'
        '<tfoot><tr><td class="tl-label"></td><td class="tl-track-cell"><div class="tl-axis">'
        '<span class="tl-today-label" style="{}: {}%">{}</span></div></td></tr></tfoot></table></figure>',
        title,
        axis,
        _join(rows),
        side,
        at(today),
        today_label,
    )


def funding(domains, *, currency, title, cost_label, funded_label, rtl=False, amount_format=None):
    """Per domain: the estimated cost as a light bar, the funded part as a dark bar over it.

    ``domains`` is a list of (code, name, cost, funded) with Decimal amounts; ``amount_format`` prints
    an amount with its currency code.
    """
    side = "right" if rtl else "left"
    amount_format = amount_format or (lambda value, code: f"{value} {code}")
    top = max([d[2] for d in domains] + [d[3] for d in domains] + [1])
    rows = [
        format_html(
            '<tr><th scope="row" class="fc-label">{}. {}</th><td class="fc-track-cell"><div class="fc-track">'
            '<span class="fc-cost" style="{}: 0; width: {}%" title="{}: {}"></span>'
            '<span class="fc-funded" style="{}: 0; width: {}%" title="{}: {}"></span></div></td>'
            '<td class="fc-value">{} / {}</td></tr>',
            code,
            name,
            side,
            max(0.5, _pct(cost, top)),
            cost_label,
            amount_format(cost, currency),
            side,
            _pct(funded, top),
            funded_label,
            amount_format(funded, currency),
            amount_format(funded, currency),
            amount_format(cost, currency),
        )
        for code, name, cost, funded in domains
    ]
    return format_html(
        '<figure class="chart plan-funding" role="img" aria-label="{}"><table><tbody>{}</tbody></table>'
        '<ul class="chart-legend"><li><span class="swatch fc-cost-swatch"></span>{}</li>'
        '<li><span class="swatch fc-funded-swatch"></span>{}</li></ul></figure>',
        title,
        _join(rows),
        cost_label,
        funded_label,
    )
