"""Analysis page at 5, 50 and 200 organisations, in process, against /healthz in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mnr_bench .venv/bin/python bench/bench_analysis.py [--rounds 15]

One country per size (``XF``, ``XY``, ``XS``; seeded once by ``bench/seed_large.py`` with every
questionnaire submitted, reseeded with ``--reseed``), read by its coordinator through Django's test
client with a verified second factor. The sizes and /healthz are interleaved round by round, so they
all see the same machine. Prints the median (and spread) per size, the page's size in bytes, its
queries, and the ratios 50/5 and 200/5 of the same run (linear in organisations: 200/5 well under
40); writes bench/results/analysis.json.
"""

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import seed_large  # noqa: E402  (sets up Django with bench.settings)
from bench.common import RESULTS, spread  # noqa: E402


def cycle_of(size, reseed):
    from assessments.models import Cycle, Submission

    code = "X" + chr(ord("A") + size % 26)  # two letters, as country codes are: 5 → XF, 50 → XY, 200 → XS
    cycle = Cycle.objects.filter(country__code=code, title="Benchmark cycle").first()
    if reseed or cycle is None or cycle.submissions.filter(status=Submission.Status.SUBMITTED).count() != size:
        cycle, _ = seed_large.seed(size, code=code, status=Submission.Status.SUBMITTED)
    return cycle


def coordinator_client(cycle):
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = get_user_model().objects.get(username=f"bench.coord.{cycle.country.code}")
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[5, 50, 200])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()

    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)

    from reports.consolidation import cycle_report_data

    pages = {}
    for size in args.sizes:
        cycle = cycle_of(size, args.reseed)
        client = coordinator_client(cycle)
        url = f"/cycles/{cycle.pk}/analysis/"
        response = client.get(url)  # warm: session, framework tree
        assert response.status_code == 200, (size, response.status_code)
        with CaptureQueriesContext(connection) as queries:
            body = client.get(url).content
        pages[size] = {
            "client": client,
            "url": url,
            "bytes": len(body),
            "queries": len(queries),
            "contested": len(cycle_report_data(cycle)["contested"]),
        }
    health = pages[args.sizes[0]]["client"]

    times = {size: [] for size in args.sizes} | {"healthz": []}
    for _ in range(args.rounds):
        started = time.perf_counter()
        assert health.get("/healthz").status_code == 200
        times["healthz"].append(time.perf_counter() - started)
        for size in args.sizes:
            started = time.perf_counter()
            assert pages[size]["client"].get(pages[size]["url"]).status_code == 200
            times[size].append(time.perf_counter() - started)

    result = {"healthz": spread(times["healthz"])}
    for size in args.sizes:
        page = pages[size]
        result[str(size)] = spread(times[size]) | {k: page[k] for k in ("bytes", "queries", "contested")}
        result[str(size)]["healthz_ratio"] = round(result[str(size)]["median_ms"] / result["healthz"]["median_ms"], 2)
    base = result[str(args.sizes[0])]["median_ms"]
    for size in args.sizes[1:]:
        result[f"ratio_{size}_{args.sizes[0]}"] = round(result[str(size)]["median_ms"] / base, 2)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "analysis.json").write_text(json.dumps(result, indent=2))
    for size in args.sizes:
        r = result[str(size)]
        print(
            f"{size:>4} organisations: median {r['median_ms']:.1f} ms (p25 {r['p25_ms']:.1f}, p75 {r['p75_ms']:.1f}),"
            f" {r['bytes']:,} bytes, {r['queries']} queries, {r['contested']} contested, {r['healthz_ratio']}× /healthz"
        )
    print(f"/healthz: median {result['healthz']['median_ms']:.2f} ms")
    print("ratios:", {k: v for k, v in result.items() if k.startswith("ratio_")})


if __name__ == "__main__":
    main()
