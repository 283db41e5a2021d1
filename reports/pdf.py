"""Render the gap report PDF with WeasyPrint, from frozen report data only.

Evidence is user-entered text and could name any URL; the fetcher loads nothing but the app's
own static files and ``data:`` URLs, so a report can never read local files or the network.
"""

import gc
import mimetypes
import re
from contextlib import contextmanager

from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from . import charts
from .consolidation import shown_sections

# A base URL that can never resolve: relative links in the report point into the static files.
STATIC_BASE = "https://mnr-portal.invalid/static/"


class ReportURLFetcher(URLFetcher):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.refused = []

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith(STATIC_BASE):
            relative = url[len(STATIC_BASE) :].split("?")[0].split("#")[0]
            try:
                path = finders.find(relative) if ".." not in relative.split("/") else None
            except SuspiciousFileOperation:  # an absolute path such as static//etc/passwd
                path = None
            if path:
                with open(path, "rb") as handle:
                    body = handle.read()
                mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
                return URLFetcherResponse(url, body, {"Content-Type": mime})
        self.refused.append(url)
        raise ValueError(f"Refused to fetch {url!r}: reports load only the app's own static files and data: URLs.")


def report_context(data):
    caps = {c["number"]: c for c in data["capabilities"]}
    sectors = {s["code"]: s["name"] for s in data["sectors"]}
    domains = []
    for d in data["domains"]:
        domains.append({**d, "caps": [caps[n] for n in d["capabilities"]]})
    for cap in data["capabilities"]:
        cap["sector_rows"] = sorted(
            ((sectors.get(code, code), value) for code, value in cap["by_sector"].items()), key=lambda x: x[0]
        )
    level_names = {row["level"]: row["name"] for row in data["scale"]}
    public = data["meta"].get("audience") == "public"
    return {
        "public": public,
        "shown": shown_sections(data),
        "data": data,
        "meta": data["meta"],
        "domains": domains,
        "caps": caps,
        "priorities": [{**p, "cap": caps[p["capability"]]} for p in data["priorities"]],
        "strengths": [caps[n] for n in data["strengths"]],
        "at_target": [caps[n] for n in data.get("at_target", data["strengths"])],
        "contested_at_target": [
            caps[n] for n in data.get("at_target", []) if caps[n]["contested"] and n not in data["strengths"]
        ],
        "contested": [caps[n] for n in data["contested"]],
        "resolved": [caps[n] for n in data.get("resolved", [])],
        "data_gaps": [caps[n] for n in data["data_gaps"]],
        "progress_rows": [c for c in data["capabilities"] if c["previous"] is not None or c["level"] is not None],
        "level_names": level_names,
        "heat_map": "" if public else charts.heat_map(data),
        "domain_profile": charts.domain_profile(data),
    }


def render_report_html(data):
    # The charts and every number and date are formatted inside the override: in the report's language.
    with translation.override(data["meta"].get("language", "en")):
        return render_to_string("reports/pdf/gap_report.html", report_context(data))


@contextmanager
def cycle_collector_paused():
    """The cyclic garbage collector paused for one render, and run once after it.

    WeasyPrint's layout creates hundreds of thousands of short-lived boxes and styles; the collector
    kept walking them as they piled up (about an eighth of a render's CPU). Reference counting still
    frees what is not in a cycle while it is paused, and the collection after the render frees the
    rest. The pause is process-wide: in a worker child (one render at a time) that is the render
    alone; in the built-in mode's thread, the web process collects cycles a few seconds later.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
        gc.collect()


def render_report_pdf(data, *, on_progress=None):
    """The report as PDF bytes, and its page count. ``on_progress(percent)`` is told as it goes."""
    fetcher = ReportURLFetcher(timeout=5)
    with cycle_collector_paused():
        html = render_report_html(data)
        if on_progress:
            on_progress(30)
        document = HTML(string=html, base_url=STATIC_BASE, url_fetcher=fetcher).render(pdf_tags=True)
        if on_progress:
            on_progress(80)
        pdf = document.write_pdf(pdf_tags=True)
    return pdf, len(document.pages)


def report_filename(data, extension="pdf"):
    slug = re.sub(r"[^A-Za-z0-9]+", "-", f"{data['meta']['country_code']} {data['meta']['cycle_title']}").strip("-")
    prefix = "MNR-public-summary-" if data["meta"].get("audience") == "public" else "MNR-gap-report-"
    return f"{prefix}{slug}.{extension}"
