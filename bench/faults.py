"""Reproduce the fault table of docs/operations.md: each fault once, against real services.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mnr_faults \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/6 .venv/bin/python bench/faults.py [--markdown table.md]

Each fault is a test in tests/reliability/ that starts what it breaks (its own redis-server, its own
workers, its own gunicorn) and never stops the shared services; each test records one row (fault, what
users saw, acknowledged saves and how many were lost, recovery) through the ``fault_row`` fixture. A
failing test means a defect came back: the script prints the table of what passed and exits non-zero.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FAULTS = [
    "tests/reliability/test_broker_faults.py::test_redis_restarted_during_a_render_the_worker_survives_and_runs_the_next_job",
    "tests/reliability/test_broker_faults.py::test_a_hung_redis_does_not_hang_generate_report_and_the_reconciler_does_the_rest",
    "tests/reliability/test_database_faults.py",
    "tests/reliability/test_report_jobs.py::test_whole_worker_killed_during_render_finishes_exactly_once",
    "tests/reliability/test_render_faults.py::test_duplicate_deliveries_with_a_short_visibility_timeout_and_two_workers_render_once",
    "tests/reliability/test_render_faults.py::test_a_full_disk_fails_the_job_at_once_with_an_operator_message_and_leaves_no_partial_file",
    "tests/reliability/test_render_faults.py::test_the_workers_time_limits_hold_for_jobs_published_elsewhere",
]
HEADER = ["fault", "what users saw", "acknowledged saves", "lost", "recovery"]


def table(rows):
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for r in rows:
        cells = [r["fault"], r["users_saw"], r["saves_acked"], r["saves_lost"], r["recovery"]]
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", help="also write the table to this file")
    args = parser.parse_args()
    for name in ("DATABASE_URL", "CELERY_BROKER_URL"):
        if not os.environ.get(name):
            sys.exit(f"{name} must name the real service (see the docstring).")
    with tempfile.NamedTemporaryFile("r", suffix=".jsonl", delete=False) as out:
        path = out.name
    env = os.environ | {"FAULT_TABLE": path, "DEBUG": "1", "CI": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *FAULTS], cwd=ROOT, env=env, check=False
    )
    rows = [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]
    Path(path).unlink()
    text = table(rows)
    print("\n" + text)
    if args.markdown:
        Path(args.markdown).write_text(text + "\n")
    lost = [r for r in rows if r["saves_lost"] not in ("0", "n/a")]
    if lost:
        print("Acknowledged saves were lost:", lost, file=sys.stderr)
    sys.exit(result.returncode or bool(lost))


if __name__ == "__main__":
    main()
