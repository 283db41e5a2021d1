"""Render the gap report as an editable Word document with python-docx, from frozen report data only.

The same data and the same wording as the PDF (reports/pdf.py, templates/reports/pdf/gap_report.html):
headings, tables, the domain profile as a picture, the methodology annex, in the report's language.
In a right-to-left language every paragraph carries ``w:bidi``, every run ``w:rtl``, every table
``w:bidiVisual`` and the section ``w:bidi``; the language is set on the document's defaults and on each
run (``w:lang``, with its ``w:bidi`` attribute for complex scripts), so Word shapes, mirrors and
spell-checks the text as Arabic.

The chart is drawn with Pillow (already installed with WeasyPrint): the HTML charts of the PDF cannot be
rasterised (WeasyPrint writes no PNG since version 53, and cairosvg renders SVG, not HTML). The picture
holds only capability numbers, levels and colours, never words, so it needs no font for Arabic script and
reads the same in every language; the table beside it gives the names and figures as text. The sector
heat map is a table with shaded cells: sector names are text Word shapes and mirrors.
"""

import io

from django.apps import apps
from django.utils import translation
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from PIL import Image, ImageDraw, ImageFont

from . import charts, formatting
from .consolidation import shown_sections
from .templatetags.mnr_reports import percent, ratio, relation_label, status_label

# Word's own language tags for the report languages; the region only chooses the spelling dictionary.
WORD_LANGUAGES = {"en": "en-GB", "fr": "fr-FR", "es": "es-ES", "ar": "ar-SA", "pt": "pt-PT"}
CHART_WIDTH = Cm(16)
PAGE_WIDTH, PAGE_HEIGHT = Cm(21), Cm(29.7)  # A4
TEXT_WIDTH = Cm(17)  # the page less its 2 cm margins
HEAT_MAP_LABEL = Cm(3.8)
HEAT_MAP_CELL = Cm(2.5)  # at the most, with few sectors


def word_language(code):
    return WORD_LANGUAGES.get(code, code)


def methodology_steps(method):
    """The methodology annex's numbered steps, the same sentences as in the PDF."""
    return [
        _(
            "Each organisation answers the indicators that concern its sector with a maturity level from 0 "
            "(not in place) to 4 (maturity), “don't know” or “not applicable”, with the evidence behind it."
        ),
        _(
            "Only submitted and accepted questionnaires are included. Questionnaires still in progress or returned "
            "for changes are listed but not counted."
        ),
        _(
            "An organisation's score for a capability is the weighted mean of its indicator levels, using each "
            "indicator's weight. “Don't know”, “not applicable” and unanswered indicators are left out of the mean "
            "and counted separately."
        ),
        _(
            "The national level is the median of the organisations' scores: one outlying answer cannot move it far. "
            "The spread is the lowest and highest organisation score."
        ),
        _("A capability is contested when organisations' scores differ by %(n)s levels or more.")
        % {"n": method["contested_spread"]},
        _(
            "The national coordinator may set a validated national level with a written rationale; the report then "
            "uses it and shows the computed median beside it."
        ),
        _(
            "National levels are rounded once, to one decimal; the gap is the target minus the rounded level, so "
            "the printed figures add up. A capability at or above its target shows “meets target” and by how much."
        ),
        _(
            "The gap is the target level minus the national level. Priorities rank capabilities below target by "
            "their gap multiplied by a weight factor (the mean weight of their indicators divided by 2)."
        ),
        _(
            "Progress compares national levels with the country's previous cycle. On another framework version it "
            "goes through the crosswalk between the versions: a capability that is equal in both is compared "
            "directly, any other is marked “compared through the crosswalk”; several capabilities merged into one "
            "are compared with their mean."
        ),
        _(
            "Answers carried forward from the previous cycle count only once someone in the organisation confirmed "
            "or changed them; unconfirmed ones are listed per organisation as “carried, not confirmed” and scored "
            "as unanswered."
        ),
        _(
            "Recommended next steps quote the descriptor of the next level for each indicator whose median level is "
            "below the capability's target."
        ),
    ]


def _hex(colour):
    return colour.lstrip("#").upper()


def domain_profile_png(data, *, rtl=False):
    """The domain profile as a PNG: a bar per capability (its level), a black tick at its target, 0–4 grid.

    Bars grow from the right in a right-to-left report, as in the PDF. Labels are capability numbers only.
    """
    caps = {c["number"]: c for c in data["capabilities"]}
    rows = []
    for domain in data["domains"]:
        rows.append(("domain", domain["code"]))
        rows.extend(("cap", caps[n]) for n in domain["capabilities"])
    scale, row_h, label_w, value_w, pad = 2, 26, 60, 60, 14
    width, axis_h = 900, 30
    height = axis_h + row_h * max(1, len(rows)) + pad
    image = Image.new("RGB", (width * scale, height * scale), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=13 * scale)
    bold = ImageFont.load_default(size=14 * scale)
    track_start, track_end = label_w + pad, width - value_w - pad
    span = track_end - track_start

    def x(level):
        """The position of a level along the track, from the side levels grow from."""
        offset = span * max(0.0, min(float(level), charts.MAX_LEVEL)) / charts.MAX_LEVEL
        return track_end - offset if rtl else track_start + offset

    def s(*values):
        return [v * scale for v in values]

    label_x, value_x = (width - label_w, pad) if rtl else (pad, width - value_w)
    for level in range(charts.MAX_LEVEL + 1):
        draw.line(s(x(level), axis_h - 4, x(level), height - pad), fill="#adb5bd", width=scale)
        draw.text(s(x(level), 6), str(level), fill="#212529", font=font, anchor="ma")
    top = axis_h
    for kind, item in rows:
        if kind == "domain":
            draw.rectangle(s(0, top + 2, width, top + row_h - 2), fill="#f1f3f5")
            draw.text(s(label_x, top + row_h / 2), str(item), fill="#212529", font=bold, anchor="lm")
        else:
            draw.text(s(label_x, top + row_h / 2), str(item["number"]), fill="#212529", font=font, anchor="lm")
            level = item["level"]
            if level is not None and not item.get("suppressed"):
                left, right = sorted((x(0), x(level)))
                draw.rectangle(
                    s(left, top + 5, max(right, left + 1), top + row_h - 5),
                    fill=charts.level_fill(level),
                    outline="#6c757d",
                    width=scale,
                )
                draw.text(s(value_x, top + row_h / 2), f"{float(level):.1f}", fill="#212529", font=font, anchor="lm")
            else:
                draw.text(s(value_x, top + row_h / 2), formatting.DASH, fill="#212529", font=font, anchor="lm")
            if item.get("target") is not None and not item.get("suppressed"):
                tick = x(item["target"])
                draw.rectangle(s(tick - 1.5, top + 1, tick + 1.5, top + row_h - 1), fill="#212529")
        top += row_h
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


class ReportDocument:
    """A python-docx document that writes every paragraph, run and table in the report's language and direction."""

    def __init__(self, language):
        self.language = language
        self.word_language = word_language(language)
        self.rtl = get_language_bidi()
        self.doc = Document()
        self._defaults()

    # Low-level: direction and language on the XML -------------------------------------------------------

    def _lang_element(self):
        lang = OxmlElement("w:lang")
        lang.set(qn("w:val"), self.word_language)
        lang.set(qn("w:eastAsia"), self.word_language)
        lang.set(qn("w:bidi"), self.word_language if self.rtl else "ar-SA")
        return lang

    def _defaults(self):
        """The language on the document's default run properties; in RTL, right-to-left paragraphs and section."""
        styles = self.doc.styles.element
        doc_defaults = styles.find(qn("w:docDefaults"))
        rpr = doc_defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        for old in rpr.findall(qn("w:lang")):
            rpr.remove(old)
        rpr.append(self._lang_element())
        if self.rtl:
            ppr_default = doc_defaults.find(qn("w:pPrDefault"))
            if ppr_default is None:
                ppr_default = OxmlElement("w:pPrDefault")
                doc_defaults.append(ppr_default)
            ppr = ppr_default.find(qn("w:pPr"))
            if ppr is None:
                ppr = OxmlElement("w:pPr")
                ppr_default.append(ppr)
            ppr.insert(0, OxmlElement("w:bidi"))
            sect = self.doc.sections[0]._sectPr
            grid = sect.find(qn("w:docGrid"))  # w:bidi comes just before w:docGrid in CT_SectPr
            if grid is not None:
                grid.addprevious(OxmlElement("w:bidi"))
            else:
                sect.append(OxmlElement("w:bidi"))
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        # A4, as the PDF (python-docx's template is on US Letter).
        section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
        section.left_margin = section.right_margin = Cm(2)

    def _direct(self, paragraph):
        """Mark a paragraph and its runs with the report's direction and language."""
        ppr = paragraph._p.get_or_add_pPr()
        if self.rtl and ppr.find(qn("w:bidi")) is None:
            bidi = OxmlElement("w:bidi")
            # w:bidi comes before w:jc and the run properties in CT_PPr's sequence; after pStyle is right.
            style = ppr.find(qn("w:pStyle"))
            if style is not None:
                style.addnext(bidi)
            else:
                ppr.insert(0, bidi)
        for run in paragraph.runs:
            rpr = run._r.get_or_add_rPr()
            if self.rtl and rpr.find(qn("w:rtl")) is None:
                rpr.append(OxmlElement("w:rtl"))
            if rpr.find(qn("w:lang")) is None:
                rpr.append(self._lang_element())
        return paragraph

    @staticmethod
    def _size(run, size):
        """The run's size for Latin text (w:sz) and for complex scripts such as Arabic (w:szCs), which Word
        and LibreOffice size apart."""
        run.font.size = Pt(size)
        rpr = run._r.get_or_add_rPr()
        if rpr.find(qn("w:szCs")) is None:
            complex_size = OxmlElement("w:szCs")
            complex_size.set(qn("w:val"), str(int(size * 2)))  # half-points, as w:sz
            rpr.find(qn("w:sz")).addnext(complex_size)

    # Writing --------------------------------------------------------------------------------------------

    def heading(self, text, level=1):
        return self._direct(self.doc.add_heading(str(text), level=level))

    def paragraph(self, text="", *, style=None, bold=False, italic=False, size=None):
        paragraph = self.doc.add_paragraph(style=style)
        run = paragraph.add_run(str(text))
        run.bold, run.italic = bold or None, italic or None
        if size:
            self._size(run, size)
        return self._direct(paragraph)

    def bullets(self, items, *, numbered=False):
        for item in items:
            self.paragraph(item, style="List Number" if numbered else "List Bullet")

    def table(self, header, rows, *, fills=None, widths=None, size=None):
        """A table with a header row; ``fills[r][c]`` optionally shades a body cell (hex colour); ``widths``
        fixes the columns' widths (else Word shares the width out by content); ``size`` is the text's, in pt."""
        table = self.doc.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        if widths:
            table.autofit = False
            for column, width in zip(table.columns, widths, strict=True):
                column.width = width
        table.alignment = WD_TABLE_ALIGNMENT.RIGHT if self.rtl else WD_TABLE_ALIGNMENT.LEFT
        if self.rtl:  # right to left columns; w:bidiVisual follows w:tblStyle in CT_TblPr
            props = table._tbl.tblPr
            style = props.find(qn("w:tblStyle"))
            if style is not None:
                style.addnext(OxmlElement("w:bidiVisual"))
            else:
                props.insert(0, OxmlElement("w:bidiVisual"))
        for cell, text in zip(table.rows[0].cells, header, strict=True):
            cell.text = ""
            run = cell.paragraphs[0].add_run(str(text))
            run.bold = True
            if size:
                self._size(run, size)
            self._direct(cell.paragraphs[0])
        # The header row repeats on each page.
        header_props = table.rows[0]._tr.get_or_add_trPr()
        header_props.append(OxmlElement("w:tblHeader"))
        for r, values in enumerate(rows):
            cells = table.add_row().cells
            for c, (cell, value) in enumerate(zip(cells, values, strict=True)):
                cell.text = str(value)
                if size:
                    for run in cell.paragraphs[0].runs:
                        self._size(run, size)
                self._direct(cell.paragraphs[0])
                fill = fills[r][c] if fills else None
                if fill:
                    shading = OxmlElement("w:shd")
                    shading.set(qn("w:val"), "clear")
                    shading.set(qn("w:color"), "auto")
                    shading.set(qn("w:fill"), _hex(fill))
                    cell._tc.get_or_add_tcPr().append(shading)
        if widths:
            for row in table.rows:
                for cell, width in zip(row.cells, widths, strict=True):
                    cell.width = width
        self.doc.add_paragraph()
        return table

    def picture(self, png, description):
        self.doc.add_picture(io.BytesIO(png), width=CHART_WIDTH)
        paragraph = self.doc.paragraphs[-1]
        inline = paragraph.runs[0]._r.find(".//" + qn("wp:inline"))
        inline.find(qn("wp:docPr")).set("descr", str(description))
        return self._direct(paragraph)

    def header_marking(self, text):
        header = self.doc.sections[0].header
        paragraph = header.paragraphs[0]
        paragraph.text = ""
        run = paragraph.add_run(str(text))
        run.bold = True
        self._size(run, 9)
        self._direct(paragraph)

    def page_break(self):
        self._direct(self.doc.add_page_break())

    def save(self):
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()


def _cap_label(cap):
    return f"{cap['number']}. {cap['title']}"


def _flags(cap):
    flags = []
    if cap.get("contested"):
        flags.append(_("contested"))
    if cap.get("resolved"):
        flags.append(_("resolved"))
    if cap.get("data_gap"):
        flags.append(_("data gap"))
    return f" ({', '.join(flags)})" if flags else ""


def _write(w, data):
    meta = data["meta"]
    public = meta.get("audience") == "public"
    shown = shown_sections(data)
    caps = {c["number"]: c for c in data["capabilities"]}
    level = formatting.number
    marking = _("PUBLIC SUMMARY") if public else _("CONFIDENTIAL")
    core = w.doc.core_properties
    core.title = _("National gap report — %(country)s — %(cycle)s") % {
        "country": meta["country"],
        "cycle": meta["cycle_title"],
    }
    core.author = "MNR Portal"
    core.language = w.word_language
    core.keywords = f"MNR, WeProtect, {meta['country']}"
    w.header_marking(marking)

    # Cover
    if public:
        w.paragraph(
            _(
                "Public summary — the national figures only, in the sections the national coordinator released for "
                "publication. It names no organisation and quotes no evidence."
            ),
            bold=True,
        )
    else:
        w.paragraph(
            _(
                "CONFIDENTIAL — for the national oversight committee and the organisations that took part. Do not "
                "publish or use to rank countries."
            ),
            bold=True,
        )
    w.paragraph(meta["country"], size=14)
    w._direct(w.doc.add_heading(meta["cycle_title"], level=0))
    w.paragraph(_("National gap report against the WeProtect Model National Response"), size=13)
    if public:
        w.paragraph(_("Public summary"), bold=True, size=13)
    w.table(
        [_("Framework"), _("Period covered")],
        [[f"{meta['framework_code']} — {meta['framework_title']}", meta["period"]]],
    )
    w.table(
        [_("Answers collected"), _("Organisations included"), _("Report data frozen")],
        [
            [
                f"{formatting.day(meta['opens_on'])} – {formatting.day(meta['closes_on'])}",
                _("%(n)s of %(total)s") % {"n": data["totals"]["included"], "total": data["totals"]["organisations"]},
                formatting.moment(meta["generated_at"]),
            ]
        ],
    )
    w.page_break()

    if "profile" in shown or "priorities" in shown:
        w.heading(_("Executive summary"))
        at_target = [caps[n] for n in data.get("at_target", data["strengths"])]
        w.table(
            [_("Organisations included"), _("Capabilities below target"), _("At or above target"), _("Contested")],
            [
                [
                    f"{data['totals']['included']}/{data['totals']['organisations']}",
                    len(data["priorities"]),
                    len(at_target),
                    len(data["contested"]),
                ]
            ],
        )
        if "profile" in shown:
            w.heading(_("Profile by domain"), 2)
            w.table(
                [_("Domain"), _("Mean level"), _("Lowest"), _("Highest"), _("Mean target")],
                [
                    [
                        f"{d['code']}. {d['name']}",
                        level(d["mean"]),
                        level(d["min"]),
                        level(d["max"]),
                        level(d["target_mean"]),
                    ]
                    for d in data["domains"]
                ],
            )
        if "priorities" in shown:
            w.heading(_("Top priorities"), 2)
            if data["priorities"]:
                w.table(
                    ["#", _("Capability"), _("National level"), _("Target"), _("Gap"), _("Priority score")],
                    [
                        [
                            rank,
                            _cap_label(caps[p["capability"]]) + _flags(caps[p["capability"]]),
                            level(caps[p["capability"]]["level"]),
                            caps[p["capability"]]["target"],
                            formatting.gap(p["gap"]),
                            f"{float(p['score']):.2f}",
                        ]
                        for rank, p in enumerate(data["priorities"][:5], start=1)
                    ],
                )
            else:
                w.paragraph(_("No capability is below its target level."))
            w.heading(_("Strengths"), 2)
            strengths = [caps[n] for n in data["strengths"]]
            if strengths:
                w.bullets(f"{_cap_label(c)} ({level(c['level'])}; {formatting.gap(c['gap'])})" for c in strengths)
            elif not at_target:
                w.paragraph(_("No capability reaches its target yet."))
            w.heading(_("Contested areas"), 2)
            contested = [caps[n] for n in data["contested"]]
            if contested:
                w.paragraph(
                    _(
                        "Organisations disagree by two levels or more on these capabilities; the national level "
                        "deserves a discussion before it is relied on:"
                    )
                )
                w.bullets(f"{_cap_label(c)} ({level(c['min'])}–{level(c['max'])})" for c in contested)
            else:
                w.paragraph(_("No capability is contested."))

    if "profile" in shown:
        w.heading(_("National profile"))
        w.heading(_("Domain profile"), 2)
        title = _("National level of each capability, by domain")
        w.picture(domain_profile_png(data, rtl=w.rtl), title)
        w.paragraph(title, italic=True, size=9)
        w.table(
            [_("Capability"), _("National level"), _("Target")],
            [
                [_cap_label(c), "–" if c.get("suppressed") else level(c["level"]), c["target"]]
                for c in data["capabilities"]
            ],
            fills=[
                [None, None if c.get("suppressed") else charts.level_fill(c["level"]), None]
                for c in data["capabilities"]
            ],
        )
        sectors, _left_out = charts.heat_map_sectors(data)
        if sectors and not public:
            w.heading(_("Capability heat map by sector"), 2)
            w.table(
                [_("Capability")] + [s["name"] for s in sectors],
                [
                    [_cap_label(c)] + [level(c["by_sector"].get(s["code"])) for s in sectors]
                    for c in data["capabilities"]
                ],
                fills=[
                    [None] + [charts.level_fill(c["by_sector"].get(s["code"])) for s in sectors]
                    for c in data["capabilities"]
                ],
                # A capability's name on two or three lines, the sectors sharing the rest of the text width;
                # small type, so that "Government ministry" breaks between words, not inside them.
                widths=[HEAT_MAP_LABEL]
                + [min((TEXT_WIDTH - HEAT_MAP_LABEL) // len(sectors), HEAT_MAP_CELL)] * len(sectors),
                size=7,
            )
        w.paragraph(
            " · ".join(
                f"{row['level']} {row['name']}" for row in data["scale"] if 0 <= row["level"] <= charts.MAX_LEVEL
            ),
            size=9,
        )

    if "capabilities" in shown:
        level_names = {row["level"]: row["name"] for row in data["scale"]}
        sector_names = {s["code"]: s["name"] for s in data["sectors"]}
        for domain in data["domains"]:
            w.heading(f"{domain['code']}. {domain['name']}")
            if domain.get("outcome"):
                w.paragraph(domain["outcome"], italic=True)
            for number in domain["capabilities"]:
                cap = caps[number]
                w.heading(_("Capability %(n)s: %(t)s") % {"n": cap["number"], "t": cap["title"]} + _flags(cap), 2)
                if cap.get("summary"):
                    w.paragraph(cap["summary"])
                header = [
                    _("National level"),
                    _("Target"),
                    _("Gap"),
                    _("Spread"),
                    _("Organisations scoring"),
                    _("Coverage"),
                ]
                values = [
                    level(cap["level"]),
                    cap["target"],
                    formatting.gap(cap["gap"]),
                    f"{level(cap['min'])}–{level(cap['max'])}",
                    cap["respondents"],
                    percent(cap["coverage"]),
                ]
                if cap["previous"] is not None:
                    header.append(_("Change since last cycle"))
                    values.append(formatting.signed(cap["delta"]))
                w.table(header, [values])
                if cap["validated"] is not None and not public:
                    w.paragraph(
                        _("Validated national level %(v)s (computed median %(computed)s), set by %(who)s:")
                        % {"v": cap["validated"], "computed": level(cap["computed"]), "who": cap["validated_by"]},
                        bold=True,
                    )
                    w.paragraph(cap["validated_rationale"], style="Quote")
                if cap["by_sector"]:
                    w.table(
                        [_("Sector"), _("Median organisation score")],
                        sorted(
                            (sector_names.get(code, code), level(value)) for code, value in cap["by_sector"].items()
                        ),
                    )
                if cap["evidence"]:
                    w.paragraph(_("Evidence cited"), bold=True)
                    for e in cap["evidence"]:
                        w.paragraph(f"{e['text']} — {e['organisation']}, {e['indicator']}", style="Quote")
                if cap["next_steps"]:
                    w.paragraph(_("Recommended next steps"), bold=True)
                    w.bullets(
                        _("%(code)s — reach level %(level)s (%(name)s):")
                        % {"code": s["indicator"], "level": s["level"], "name": level_names.get(s["level"], "")}
                        + f" {s['text']}"
                        for s in cap["next_steps"]
                    )

    previous = data.get("previous_cycle")
    if previous and "progress" in shown:
        w.heading(_("Progress since the previous cycle"))
        header = [_("Capability"), _("Previous"), _("Now"), _("Change")]
        if previous["other_version"]:
            header.append(_("Compared"))
        rows = []
        for c in data["capabilities"]:
            if c["previous"] is None and c["level"] is None:
                continue
            row = [_cap_label(c), level(c["previous"]), level(c["level"]), formatting.signed(c["delta"])]
            if previous["other_version"]:
                if c["compared"] == "equal":
                    row.append(_("directly"))
                elif c["compared"]:
                    row.append(f"{_('through the crosswalk')} ({relation_label(c['compared'])})")
                else:
                    row.append(_("no previous level"))
            rows.append(row)
        w.table(header, rows)

    national = data.get("national_data") or {}
    if national.get("capabilities"):
        _write_national_data(w, national)

    for extra in data.get("sections", []):  # empty in a public summary (consolidation.public_view)
        _write_section(w, extra)

    if "enablers" in shown:
        w.heading(_("Enablers"))
        w.paragraph(_("Cross-cutting conditions that speed up every capability, scored by the national coordinator."))
        header = [_("Enabler"), _("Level")] + ([] if public else [_("Rationale")])
        rows = []
        for e in data["enablers"]:
            row = [f"{e['code']}. {e['name']}", _("not scored") if e["level"] is None else e["level"]]
            if not public:
                row.append(e["rationale"] + (f" — {e['set_by']}" if e["set_by"] else ""))
            rows.append(row)
        w.table(header, rows)

    if "data_gaps" in shown:
        w.heading(_("Data gaps"))
        gaps = [caps[n] for n in data["data_gaps"]]
        if gaps:
            w.paragraph(
                _(
                    "A capability is a data gap when fewer than %(n)s organisations gave it a level or fewer than "
                    "%(pct)s of the answers asked have a level. A data gap is reported, never scored as 0."
                )
                % {"n": data["method"]["min_respondents"], "pct": percent(data["method"]["min_coverage"])}
            )
            w.table(
                [_("Capability"), _("Organisations scoring"), _("Coverage")],
                [[_cap_label(c), c["respondents"], percent(c["coverage"])] for c in gaps],
            )
        else:
            w.paragraph(_("Every capability was answered by enough organisations."))

    if "participation" in shown:
        w.heading(_("Response rate by sector") if public else _("Participating organisations"))
        if not public:
            w.heading(_("Response rate by sector"), 2)
        w.table(
            [_("Sector"), _("Organisations"), _("Included"), _("Response rate")],
            [
                [s["name"], s["organisations"], s["responded"], ratio(s["responded"], s["organisations"])]
                for s in data["sectors"]
            ],
        )
        if not public:
            w.heading(_("Organisations"), 2)
            w.table(
                [_("Organisation"), _("Sector"), _("Questionnaire"), _("Answered"), _("Carried, not confirmed")],
                [
                    [
                        o["name"],
                        o["sector_name"],
                        status_label(o["status"]) + ("" if o["included"] else f" ({_('not included')})"),
                        f"{o['answered']}/{o['asked']}",
                        o["carried_unconfirmed"] or "—",
                    ]
                    for o in data["organisations"]
                ],
            )
            w.paragraph(
                _(
                    "Answers carried from the last cycle that nobody confirmed are not counted: they are last cycle's "
                    "picture, not this one's."
                ),
                italic=True,
            )

    if "method" in shown:
        w.heading(_("Annex: methodology"))
        w.bullets(methodology_steps(data["method"]), numbered=True)
        w.heading(_("Maturity scale"), 2)
        w.table([_("Level"), _("Name")], [[row["level"], row["name"]] for row in data["scale"]])
        w.paragraph(
            _(
                "Framework %(code)s. Indicators and descriptors are MNR Portal's own wording of the WeProtect Global "
                "Alliance Model National Response."
            )
            % {"code": meta["framework_code"]},
            italic=True,
        )


def _write_national_data(w, national):
    """The chapter of templates/reports/pdf/_national_data.html: each capability's figures beside its level;
    the trend as a table of years (the PDF draws it)."""
    w.heading(_("National data"))
    w.paragraph(
        _(
            "Outcome figures beside each capability's level: the national figure the coordinator validated per "
            "metric and year, over the years collected in the country's cycles. “Not collected” is a data gap, "
            "never a zero. Where a level rose while its figures worsened (or the reverse) it is flagged; what it "
            "means is for the coordinator to decide."
        )
    )
    if national.get("no_data"):
        w.paragraph(_("Capabilities with no national figure:") + " " + ", ".join(map(str, national["no_data"])))
    if national.get("diverging"):
        w.paragraph(_("Level and figures moved apart:") + " " + ", ".join(map(str, national["diverging"])))
    for cap in national["capabilities"]:
        title = f"{cap['number']}. {cap['title']} — {_('level')} {formatting.number(cap['level'])}"
        if cap["no_data"]:
            title += f" · {_('no data')}"
        if cap["diverges"]:
            title += f" · {_('level and figures moved apart')}"
        w.heading(title, 2)
        for metric in cap["metrics"]:
            unit = metric["unit_label"] + ("" if metric["higher_is_better"] else f"; {_('lower is better')}")
            w.paragraph(f"{metric['code']} {metric['name']} ({unit})", bold=True)
            w.table(
                [_("Year"), _("National figure")],
                [[str(p["year"]), shown] for p, shown in zip(metric["points"], metric["shown"], strict=True)],
            )
            for p in metric["points"]:
                if p.get("this_cycle") and p.get("rationale"):
                    w.paragraph(f"{p['year']}: {p['rationale']}")


def _write_section(w, extra):
    """A section an app above reports froze into the data (the action plan), written by that app.

    As for ``consolidation.report_sections``, reports imports no app above it: every AppConfig with a
    ``report_section_docx(*, document, section)`` method is offered the section and writes it with the
    ``ReportDocument`` methods (heading, paragraph, bullets, table), returning True when it was its own.
    """
    for config in apps.get_app_configs():
        writer = getattr(config, "report_section_docx", None)
        if callable(writer) and writer(document=w, section=extra):
            return


def render_report_docx(data, *, on_progress=None):
    """The report as DOCX bytes. ``on_progress(percent)`` is told as it goes."""
    language = data["meta"].get("language", "en")
    with translation.override(language):
        writer = ReportDocument(language)
        if on_progress:
            on_progress(30)
        _write(writer, data)
        if on_progress:
            on_progress(80)
        return writer.save()
