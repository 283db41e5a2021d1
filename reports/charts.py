"""Charts drawn on the server as SVG, the same markup on the analysis pages and in the PDF.

Colours follow the level scale and keep at least 4.5:1 contrast for the text drawn on them.
"""

from django.utils.html import format_html
from django.utils.safestring import SafeString

# Level 0 … 4: red to green, light enough for black text.
LEVEL_FILLS = ["#f4b6b6", "#f8cf9f", "#f7e59b", "#c9e4a6", "#8fd19e"]
NO_DATA_FILL = "#e9ecef"


def _join(parts):
    """Concatenate markup that format_html already escaped, staying safe without mark_safe."""
    return format_html("{}" * len(parts), *parts)


def level_fill(level):
    if level is None:
        return NO_DATA_FILL
    return LEVEL_FILLS[max(0, min(4, int(round(level))))]


def _fmt(value):
    return "–" if value is None else f"{value:.1f}"


def heat_map(data, *, title, no_data_label):
    """Capabilities (rows) × sectors (columns): the median organisation score of each sector."""
    sectors = data["sectors"]
    caps = data["capabilities"]
    label_w, cell_w, cell_h, head_h = 210, 46, 18, 110
    width = label_w + cell_w * max(1, len(sectors)) + 90  # room for the last slanted sector names
    height = head_h + cell_h * len(caps) + 30
    parts = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="hm-title" viewBox="0 0 {} {}" '
            'width="100%" class="chart heat-map" font-family="MNR Sans, DejaVu Sans, sans-serif" font-size="9">'
            '<title id="hm-title">{}</title>',
            width,
            height,
            title,
        )
    ]
    for i, sector in enumerate(sectors):
        x = label_w + i * cell_w + cell_w / 2
        parts.append(
            format_html(
                '<text transform="translate({},{}) rotate(-55)" text-anchor="start">{}</text>',
                x,
                head_h - 6,
                sector["name"][:28],
            )
        )
    for row, cap in enumerate(caps):
        y = head_h + row * cell_h
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end">{}. {}</text>',
                label_w - 6,
                y + 12,
                cap["number"],
                cap["title"][:34],
            )
        )
        for i, sector in enumerate(sectors):
            value = cap["by_sector"].get(sector["code"])
            x = label_w + i * cell_w
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="#fff"><title>{}</title></rect>'
                    '<text x="{}" y="{}" text-anchor="middle">{}</text>',
                    x,
                    y,
                    cell_w,
                    cell_h,
                    level_fill(value),
                    f"{cap['number']} × {sector['name']}: {_fmt(value)}",
                    x + cell_w / 2,
                    y + 12,
                    _fmt(value),
                )
            )
    parts.append(
        format_html(
            '<rect x="{}" y="{}" width="12" height="10" fill="{}"/><text x="{}" y="{}">{}</text>',
            label_w,
            height - 16,
            NO_DATA_FILL,
            label_w + 16,
            height - 7,
            no_data_label,
        )
    )
    parts.append(SafeString("</svg>"))
    return _join(parts)


def domain_profile(data, *, title, target_label, level_label):
    """One band per domain: each capability's national level as a bar, its target as a tick."""
    caps = {c["number"]: c for c in data["capabilities"]}
    label_w, bar_h, gap, scale_w = 230, 14, 4, 300
    rows = sum(len(d["capabilities"]) for d in data["domains"]) + len(data["domains"])
    height = 40 + rows * (bar_h + gap) + 20
    width = label_w + scale_w + 60
    parts = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="dp-title" viewBox="0 0 {} {}" '
            'width="100%" class="chart domain-profile" font-family="MNR Sans, DejaVu Sans, sans-serif" font-size="9">'
            '<title id="dp-title">{}</title>',
            width,
            height,
            title,
        )
    ]
    for level in range(5):
        x = label_w + level * scale_w / 4
        parts.append(
            format_html(
                '<line x1="{}" y1="24" x2="{}" y2="{}" stroke="#ced4da" stroke-dasharray="2,2"/>'
                '<text x="{}" y="18" text-anchor="middle">{}</text>',
                x,
                x,
                height - 14,
                x,
                level,
            )
        )
    y = 30
    for domain in data["domains"]:
        parts.append(
            format_html('<text x="4" y="{}" font-weight="bold">{}. {}</text>', y + 11, domain["code"], domain["name"])
        )
        y += bar_h + gap
        for number in domain["capabilities"]:
            cap = caps[number]
            level = cap["level"]
            bar = 0 if level is None else level * scale_w / 4
            parts.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="end">{}. {}</text>'
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>'
                    '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#212529" stroke-width="2"/>'
                    '<text x="{}" y="{}">{}</text>',
                    label_w - 6,
                    y + 11,
                    number,
                    cap["title"][:36],
                    label_w,
                    y,
                    max(bar, 1),
                    bar_h,
                    level_fill(level) if level is not None else "#fff",
                    f"{level_label} {_fmt(level)}, {target_label} {cap['target']}",
                    label_w + cap["target"] * scale_w / 4,
                    y - 2,
                    label_w + cap["target"] * scale_w / 4,
                    y + bar_h + 2,
                    label_w + scale_w + 8,
                    y + 11,
                    _fmt(level),
                )
            )
            y += bar_h + gap
    parts.append(
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#212529" stroke-width="2"/><text x="{}" y="{}">{}</text>',
            label_w,
            height - 8,
            label_w + 12,
            height - 8,
            label_w + 16,
            height - 5,
            target_label,
        )
    )
    parts.append(SafeString("</svg>"))
    return _join(parts)
