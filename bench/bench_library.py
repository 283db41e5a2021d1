"""The good-practice library's search at 10,000 published entries (issue 14: "fast at 10,000 entries").

Times what the library page runs for a text search — the first page of 25 entries and the count
(``network.queries.practice_search``, PostgreSQL full-text search) — for a few queries, with the GIN index
of migration network 0002 and, in the same run, without it (dropped inside a transaction that is rolled
back), so the ratio compares the two on one machine at one moment. Also a capability filter without text.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mnr_bench .venv/bin/python bench/bench_library.py --rounds 20
"""

import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench import seed_large  # noqa: E402, F401  (sets up Django with bench.settings)
from bench.common import RESULTS, database_url, spread  # noqa: E402
from capabilities.models import Capability, FrameworkVersion  # noqa: E402
from network.models import Practice  # noqa: E402
from network.queries import PAGE_SIZE, practice_search  # noqa: E402

WORDS = (
    "helpline hotline children victims police prosecutors judges training school parents industry reporting "
    "removal legislation grooming survivors counselling shelter data research media guidelines campaign "
    "council budget coordination referral compensation offenders prevention education platform moderation "
    "detection hashing database investigators cooperation ministry strategy evaluation outreach"
).split()
QUERIES = ("helpline", "judges training", "hashing database", "survivors OR shelter", "platform moderation detection")


def seed(count):
    """``count`` published bench entries (re-used when present), each on two capabilities."""
    call_command("migrate", verbosity=0)
    if not FrameworkVersion.objects.filter(code="MNR-2016").exists():
        call_command("load_framework", "fixtures/mnr-2016.yaml", verbosity=0)
    have = Practice.objects.filter(code__startswith="bench-").count()
    if have >= count:
        return
    rng = random.Random(14)
    capabilities = list(Capability.objects.all())

    # Mostly other words, as in real entries: a subject word in about 1 of 100 (each query matches a few
    # hundred entries, not all of them).
    filler = [f"{a}{b}{c}" for a in "bcdfghklmnprstv" for b in "aeiou" for c in ("n", "r", "s", "l", "ta", "mo")]

    def text(n):
        return " ".join(rng.choice(WORDS) if rng.random() < 0.01 else rng.choice(filler) for _ in range(n)) + "."

    now = timezone.now()
    entries = [
        Practice(
            code=f"bench-{i}",
            title=text(6)[:200],
            summary=text(30),
            context=text(25),
            what_was_done=text(60),
            results=text(30),
            tags=", ".join(rng.sample(WORDS, 2)),
            status=Practice.Status.PUBLISHED,
            published_at=now,
        )
        for i in range(have, count)
    ]
    with transaction.atomic():
        Practice.objects.bulk_create(entries, batch_size=1000)
        through = Practice.capabilities.through
        links = [
            through(practice_id=p.pk, capability_id=c.pk)
            for p in Practice.objects.filter(code__startswith="bench-", capabilities=None)
            for c in rng.sample(capabilities, 2)
        ]
        through.objects.bulk_create(links, batch_size=5000, ignore_conflicts=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE network_practice")


def first_page(**search):
    found = practice_search(Practice.objects.published(), **search)
    return len(list(found[:PAGE_SIZE])), found.count()


def timed(rounds, **search):
    """The spread of ``rounds`` timings of the first page and count, after one warm-up; with the matches."""
    _shown, total = first_page(**search)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        first_page(**search)
        times.append(time.perf_counter() - start)
    return spread(times) | {"matches": total}


def measure(rounds):
    figures = {q: timed(rounds, q=q) for q in QUERIES}
    figures["capability 12, no text"] = timed(rounds, capability=12)
    return figures


class Rollback(Exception):
    pass


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    database_url()
    seed(args.entries)
    published = Practice.objects.published().count()
    with_index = measure(args.rounds)
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("DROP INDEX practice_search_gin")
            without_index = measure(args.rounds)
            raise Rollback
    except Rollback:
        pass
    result = {
        "published_entries": published,
        "rounds": args.rounds,
        "with_gin": with_index,
        "without_gin": without_index,
    }
    print(f"{published} published entries, {args.rounds} rounds; median ms of the first page and the count")
    print(f"{'query':32} {'matches':>8} {'GIN':>8} {'no GIN':>8} {'ratio':>6}")
    for name, figure in with_index.items():
        other = without_index[name]
        ratio = other["median_ms"] / figure["median_ms"]
        print(
            f"{name:32} {figure.get('matches', ''):>8} {figure['median_ms']:8.2f} {other['median_ms']:8.2f} {ratio:6.1f}"
        )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "library.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
