"""The plan's timeline (Gantt-style) and funding chart, drawn on the server as SVG like reports.charts.

The same markup goes on the plan page and into the PDF. ``rtl`` mirrors the x axis, so that in Arabic
time runs from right to left and the labels sit on the right.
"""

from datetime import date, timedelta

from django.utils.html import format_html
from django.utils.safestring import SafeString


def _join(parts):
    """Concatenate markup that format_html already escaped, staying safe without mark_safe."""
    return format_html("{}" * len(parts), *parts)


STATUS_FILLS = {
    "planned": "#cfe2ff",
    "in_progress": "#9ec5fe",
    "done": "#8fd19e",
    "blocked": "#f8cf9f",
    "dropped": "#e9ecef",
}
OVERDUE_STROKE = "#b02a37"
# ``direction="ltr"`` keeps text anchors physical in browsers too (WeasyPrint treats them so), because the
# x axis is mirrored here for right-to-left languages instead of by the text direction.
FONT = 'font-family="MNR Sans, DejaVu Sans, sans-serif" font-size="9" direction="ltr"'
# Arabic short vowels and shadda: optional in writing, and drawn as loose marks by WeasyPrint's SVG text.
HARAKAT = dict.fromkeys(range(0x064B, 0x0653)) | {0x0670: None}


def _label(text, limit):
    text = str(text).translate(HARAKAT)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Axis:
    def __init__(self, width, rtl):
        self.width, self.rtl = width, rtl

    def x(self, value):
        return round(self.width - value, 1) if self.rtl else round(value, 1)

    def anchor(self, logical):
        """``start``/``end`` as seen from the reading direction (SVG anchors are physical)."""
        if not self.rtl:
            return logical
        return {"start": "end", "end": "start"}.get(logical, logical)


def _months(first, last):
    month = date(first.year, first.month, 1)
    while month <= last:
        yield month
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def timeline(actions, *, today, title, today_label, overdue_label, rtl=False, month_format=None):
    """One bar per action from its start (or today) to its due date, grouped by capability.

    ``actions`` are dicts or objects with capability number/title, title, starts_on, due_on, status, overdue.
    Actions without a due date are listed with no bar.
    """
    label_w, bar_h, gap, plot_w, head_h = 250, 12, 5, 420, 30
    rows, last_cap = [], None
    for a in actions:
        if a["capability"] != last_cap:
            rows.append(("cap", a))
            last_cap = a["capability"]
        rows.append(("action", a))
    dates = [d for a in actions for d in (a["starts_on"], a["due_on"]) if d] + [today]
    first, last = min(dates) - timedelta(days=7), max(dates) + timedelta(days=7)
    span = max(1, (last - first).days)
    width = label_w + plot_w + 20
    height = head_h + len(rows) * (bar_h + gap) + 30
    axis = _Axis(width, rtl)

    def at(day):
        return label_w + (day - first).days * plot_w / span

    parts = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="tl-title" viewBox="0 0 {} {}" '
            'width="100%" class="chart plan-timeline" ' + FONT + '><title id="tl-title">{}</title>',
            width,
            height,
            title,
        )
    ]
    months = list(_months(first, last))
    step = max(1, -(-len(months) // 6))  # at most six labels, so that they never overlap
    for month in months[::step]:
        if month < first:
            continue
        x = at(month)
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#dee2e6"/>'
                '<text x="{}" y="{}" text-anchor="middle">{}</text>',
                axis.x(x),
                head_h - 8,
                axis.x(x),
                height - 24,
                axis.x(x),
                head_h - 12,
                month_format(month) if month_format else month.strftime("%m/%Y"),
            )
        )
    y = head_h
    for kind, a in rows:
        if kind == "cap":
            parts.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="{}" font-weight="bold">{}. {}</text>',
                    axis.x(4),
                    y + 10,
                    axis.anchor("start"),
                    a["capability"],
                    _label(a["capability_title"], 48),
                )
            )
        else:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="{}">{}</text>',
                    axis.x(label_w - 6),
                    y + 10,
                    axis.anchor("end"),
                    _label(a["title"], 44),
                )
            )
            if a["due_on"]:
                start = a["starts_on"] or min(today, a["due_on"])
                x1, x2 = axis.x(at(start)), axis.x(at(a["due_on"]))
                left, bar_w = min(x1, x2), max(2, abs(x2 - x1))
                parts.append(
                    format_html(
                        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="{}" stroke-width="{}">'
                        "<title>{}</title></rect>",
                        left,
                        y,
                        bar_w,
                        bar_h,
                        STATUS_FILLS.get(a["status"], "#cfe2ff"),
                        OVERDUE_STROKE if a["overdue"] else "#6c757d",
                        2 if a["overdue"] else 0.5,
                        f"{a['title']}: {start.isoformat()} → {a['due_on'].isoformat()}"
                        + (f" ({overdue_label})" if a["overdue"] else ""),
                    )
                )
                if a["overdue"]:
                    parts.append(
                        format_html(
                            '<text x="{}" y="{}" text-anchor="{}" fill="{}" font-weight="bold">!</text>',
                            axis.x(at(a["due_on"]) + 4),
                            y + 10,
                            axis.anchor("start"),
                            OVERDUE_STROKE,
                        )
                    )
        y += bar_h + gap
    x_today = axis.x(at(today))
    parts.append(
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#b02a37" stroke-width="1.5" stroke-dasharray="4,2"/>'
            '<text x="{}" y="{}" text-anchor="middle" fill="#b02a37">{}</text>',
            x_today,
            head_h - 4,
            x_today,
            height - 20,
            x_today,
            height - 8,
            _label(today_label, 20),
        )
    )
    parts.append(SafeString("</svg>"))
    return _join(parts)


def funding(domains, *, currency, title, cost_label, funded_label, rtl=False, amount_format=str):
    """Per domain: the estimated cost as a light bar, the funded part as a dark bar over it.

    ``domains`` is a list of (code, name, cost, funded) with Decimal amounts.
    """
    label_w, bar_h, gap, plot_w = 170, 16, 10, 260
    width = label_w + plot_w + 130
    height = 30 + len(domains) * (bar_h + gap) + 30
    axis = _Axis(width, rtl)
    top = max([d[2] for d in domains] + [1])
    parts = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="fc-title" viewBox="0 0 {} {}" '
            'width="100%" class="chart plan-funding" ' + FONT + '><title id="fc-title">{}</title>',
            width,
            height,
            title,
        )
    ]
    y = 20
    for code, name, cost, funded in domains:
        cost_w = float(cost) * plot_w / float(top)
        funded_w = float(funded) * plot_w / float(top)
        x0 = axis.x(label_w)
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="{}">{}. {}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="#cfe2ff" stroke="#6c757d" stroke-width="0.5">'
                "<title>{}</title></rect>"
                '<rect x="{}" y="{}" width="{}" height="{}" fill="#0a58ca"><title>{}</title></rect>'
                '<text x="{}" y="{}" text-anchor="{}">{} / {} {}</text>',
                axis.x(label_w - 6),
                y + 12,
                axis.anchor("end"),
                code,
                _label(name, 28),
                min(x0, axis.x(label_w + cost_w)),
                y,
                max(cost_w, 0.5),
                bar_h,
                f"{cost_label}: {amount_format(cost)} {currency}",
                min(x0, axis.x(label_w + funded_w)),
                y + 3,
                max(funded_w, 0),
                bar_h - 6,
                f"{funded_label}: {amount_format(funded)} {currency}",
                axis.x(label_w + max(cost_w, 1) + 6),
                y + 12,
                axis.anchor("start"),
                amount_format(funded),
                amount_format(cost),
                currency,
            )
        )
        y += bar_h + gap
    legend_y = height - 14
    parts.append(
        format_html(
            '<rect x="{}" y="{}" width="12" height="10" fill="#cfe2ff" stroke="#6c757d" stroke-width="0.5"/>'
            '<text x="{}" y="{}" text-anchor="{}">{}</text>'
            '<rect x="{}" y="{}" width="12" height="10" fill="#0a58ca"/>'
            '<text x="{}" y="{}" text-anchor="{}">{}</text>',
            min(axis.x(label_w), axis.x(label_w + 12)),
            legend_y - 9,
            axis.x(label_w + 16),
            legend_y,
            axis.anchor("start"),
            _label(cost_label, 30),
            min(axis.x(label_w + 120), axis.x(label_w + 132)),
            legend_y - 9,
            axis.x(label_w + 136),
            legend_y,
            axis.anchor("start"),
            _label(funded_label, 30),
        )
    )
    parts.append(SafeString("</svg>"))
    return _join(parts)
