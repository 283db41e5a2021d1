"""The secretariat's export of the aggregates (docs/methodology.md, "Network aggregates: export format").

One row per scope × figure: ``scope`` (``network`` or a region code), ``kind`` (``capability`` or
``domain``), ``code`` (capability number or domain code), ``title``, ``contributors`` (empty when fewer
than k countries contributed), ``level_0`` … ``level_4`` (empty when hidden or not shown) and
``median`` (empty when hidden). No country appears anywhere.
"""

import csv
import io

from openpyxl import Workbook

from reports.exports import neutralise, neutralise_csv

from .aggregates import LEVELS

HEADER = ["framework", "scope", "kind", "code", "title", "contributors", *[f"level_{n}" for n in LEVELS], "median"]


def _cell(value):
    return "" if value is None else value


def aggregate_rows(version, scopes):
    for scope in scopes:
        name = scope["region"].code if scope["region"] is not None else "network"
        figures = [("capability", r["number"], r["title"], r["figure"]) for r in scope["capabilities"]]
        figures += [("domain", r["code"], r["name"], r["figure"]) for r in scope["domains"]]
        for kind, code, title, figure in figures:
            counts = [_cell(figure.count_at(n)) if figure.shown else "" for n in LEVELS]
            median = _cell(figure.median)
            yield [version.code, name, kind, code, title, _cell(figure.contributors), *counts, str(median)]


def aggregates_csv(version, scopes):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for row in aggregate_rows(version, scopes):
        writer.writerow([neutralise_csv(v) for v in row])
    return buffer.getvalue().encode("utf-8")


def aggregates_xlsx(version, scopes):
    book = Workbook(write_only=True)
    sheet = book.create_sheet("aggregates")
    sheet.append(HEADER)
    for row in aggregate_rows(version, scopes):
        sheet.append([neutralise(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
