"""Gap report: queries to assemble the data, PDF render time and peak memory, against a plain
WeasyPrint document of the same page count rendered in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mnr_bench .venv/bin/python bench/bench_report.py [--runs 5]

Each render runs in a fresh process (peak RSS is that process's maximum resident set). Prints
medians and ratios; writes bench/results/report.json.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import PYTHON, RESULTS, ROOT, database_url, env  # noqa: E402

BASELINE_PARAGRAPH = (
    "The national body meets regularly, publishes minutes and tracks its actions against the plan. "
    "Evidence cited: the founding decree, the terms of reference and the annual report. "
)


def django_setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def baseline_html(pages):
    """A plain document: a heading, a table and paragraphs per page, no custom fonts or SVG."""
    body = []
    for page in range(pages):
        rows = "".join(
            f"<tr><td>Row {r}</td><td>{r * 0.5:.1f}</td><td>{BASELINE_PARAGRAPH[:60]}</td></tr>" for r in range(8)
        )
        body.append(
            f"<section style='break-after: page'><h2>Section {page + 1}</h2><table>{rows}</table>"
            + "".join(f"<p>{BASELINE_PARAGRAPH}</p>" for _ in range(6))
            + "</section>"
        )
    return "<html><body>" + "".join(body) + "</body></html>"


def render_once(kind, cycle_id, pages):
    """Child process: render once, print time, pages and peak memory as JSON."""
    django_setup()
    from weasyprint import HTML

    from assessments.models import Cycle
    from reports.consolidation import frozen_report_data
    from reports.pdf import render_report_pdf

    if kind == "report":
        cycle = Cycle.objects.select_related("country", "framework_version").get(pk=cycle_id)
        data = frozen_report_data(cycle)  # what a report job freezes and renders, chapters included
        started = time.perf_counter()
        pdf, n = render_report_pdf(data)
    else:
        html = baseline_html(pages)
        started = time.perf_counter()
        document = HTML(string=html).render()
        pdf, n = document.write_pdf(), len(document.pages)
    elapsed = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": elapsed, "pages": n, "bytes": len(pdf), "peak_mib": round(peak_kib / 1024, 1)}))


def child(kind, cycle_id, pages):
    out = subprocess.run(
        [PYTHON, __file__, "--child", kind, str(cycle_id), str(pages)],
        cwd=ROOT,
        env=env(),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def query_counts():
    django_setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from assessments.models import Cycle, Submission
    from bench.seed_large import seed
    from reports.consolidation import cycle_report_data

    counts = {}
    for code, n in [("BS", 5), ("BN", 50)]:
        if Submission.objects.filter(cycle__country__code=code, cycle__title="Benchmark cycle").count() != n:
            seed(n, code)
        Submission.objects.filter(cycle__country__code=code).update(status="submitted")
        cycle = Cycle.objects.select_related("country", "framework_version").get(
            country__code=code, title="Benchmark cycle"
        )
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            cycle_report_data(cycle)
            assemble = time.perf_counter() - started
        counts[n] = {
            "queries": len(queries.captured_queries),
            "assemble_ms": round(assemble * 1000, 1),
            "cycle": cycle.pk,
        }
    return counts


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    database_url()
    counts = query_counts()
    print("queries to assemble report data:", {n: c["queries"] for n, c in counts.items()}, flush=True)
    cycle_id = counts[50]["cycle"]
    report_runs, baseline_runs = [], []
    pages = child("report", cycle_id, 0)["pages"]
    for _ in range(args.runs):  # interleaved so that both see the same machine conditions
        report_runs.append(child("report", cycle_id, pages))
        baseline_runs.append(child("baseline", cycle_id, pages))
    result = {
        "organisations": 50,
        "queries": {str(n): c for n, c in counts.items()},
        "pages": pages,
        "baseline_pages": baseline_runs[0]["pages"],
        "report_median_s": round(median(r["seconds"] for r in report_runs), 2),
        "baseline_median_s": round(median(r["seconds"] for r in baseline_runs), 2),
        "report_peak_mib": median(r["peak_mib"] for r in report_runs),
        "baseline_peak_mib": median(r["peak_mib"] for r in baseline_runs),
        "runs": args.runs,
    }
    result["time_ratio"] = round(result["report_median_s"] / result["baseline_median_s"], 2)
    result["memory_ratio"] = round(result["report_peak_mib"] / result["baseline_peak_mib"], 2)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "report.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        render_once(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        main()
