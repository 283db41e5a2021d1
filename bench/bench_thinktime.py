"""Autosave at a realistic pace: 100 focal points, each pausing ~5 s between saves, against gunicorn + PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mnr_bench .venv/bin/python bench/bench_thinktime.py \\
        [--users 100] [--seconds 60] [--think 5] [--workers 2 --threads 8] [--port 8097]

Beside bench_questionnaire.py's saturation test (users who never pause), this is the load of a
country answering: a seeded cycle of 50 organisations with two focal points each; every simulated
focal point logs in, opens one capability page, then loops: think for ``--think`` seconds (±50 %,
so the saves do not arrive in waves), save one of its own answers (htmx POST, as autosave.js does).
The two focal points of an organisation save different answers, so no save is refused as a conflict.

Afterwards the database is checked: every save the server accepted is there (each answer's version
rose by exactly its accepted saves, one revision each) and holds the text of the last accepted save.
Prints and writes bench/results/thinktime.json: autosave median, p95, p99, errors, lost saves.
"""

import argparse
import json
import os
import random
import re
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import RESULTS, Client, Server, database_url, percentile, summary  # noqa: E402

COUNTRY = "BT"
ORGANISATIONS = 50


def setup(n_users):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from assessments.models import Answer, Role, RoleAssignment, Submission
    from bench.seed_large import PASSWORD, seed

    call_command("migrate", verbosity=0)
    if Submission.objects.filter(cycle__country__code=COUNTRY, cycle__title="Benchmark cycle").count() != ORGANISATIONS:
        seed(ORGANISATIONS, COUNTRY)
    Submission.objects.filter(cycle__country__code=COUNTRY).update(status="draft")
    User = get_user_model()
    subs = list(Submission.objects.filter(cycle__country__code=COUNTRY).select_related("organisation").order_by("pk"))
    users = []
    for i in range(n_users):
        sub = subs[i % len(subs)]
        # The seed's focal point, then a second one per organisation.
        username = f"bench.fp.{COUNTRY}.{i:03d}" if i < len(subs) else f"bench.fp2.{COUNTRY}.{i:03d}"
        user, _ = User.objects.get_or_create(username=username)
        user.set_password(PASSWORD)
        user.save()
        RoleAssignment.objects.get_or_create(user=user, role=Role.FOCAL_POINT, organisation=sub.organisation)
        answers = list(
            Answer.objects.filter(submission=sub)
            .select_related("indicator__capability")
            .order_by("indicator__capability__number", "indicator__order")
        )
        # Colleagues of one organisation take every other answer, so they never save the same one
        # (that would be a refused conflict, by design); each stays on the page of its first answer.
        mine = answers[(i // len(subs)) % 2 :: 2]
        number = mine[0].indicator.capability.number
        mine = [a.pk for a in mine if a.indicator.capability.number == number]
        users.append(
            {"username": username, "password": PASSWORD, "submission": sub.pk, "number": number, "answers": mine}
        )
    return users


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--think", type=float, default=5.0, help="mean pause between two saves, in seconds")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8, help="1: sync workers")
    parser.add_argument("--port", type=int, default=8097)
    args = parser.parse_args()
    database_url()
    users = setup(args.users)
    from assessments.models import Answer, AnswerRevision

    watched = [pk for u in users for pk in u["answers"]]
    start_versions = dict(Answer.objects.filter(pk__in=watched).values_list("pk", "version"))
    start_revisions = AnswerRevision.objects.filter(answer_id__in=watched).count()

    latencies, statuses = [], defaultdict(int)
    accepted = defaultdict(int)  # answer id -> saves the server accepted
    last_text = {}  # answer id -> evidence of its last accepted save
    lock = threading.Lock()
    run_id = int(time.time())
    with Server(port=args.port, workers=args.workers, threads=args.threads) as server:
        ready = threading.Barrier(len(users) + 1)
        stop = [0.0]

        def focal(user, seed):
            rng = random.Random(seed)  # noqa: S311
            client = Client(server.port)
            client.login(user["username"], user["password"])
            _, body = client.request("GET", f"/questionnaires/{user['submission']}/capabilities/{user['number']}/")
            versions = {int(pk): int(v) for pk, v in re.findall(rb'name="a(\d+)-version" value="(\d+)"', body)}
            ready.wait()
            time.sleep(rng.uniform(0, args.think))  # arrive spread over the first pause
            n = 0
            while time.monotonic() < stop[0]:
                pk = rng.choice(user["answers"])
                prefix = f"a{pk}"
                evidence = f"run {run_id} {user['username']} save {n}: the decree of {rng.randint(1, 9999)}"
                data = {
                    f"{prefix}-choice": str(rng.randint(0, 2)),
                    f"{prefix}-evidence": evidence,
                    f"{prefix}-comment": "",
                    f"{prefix}-version": str(versions[pk]),
                }
                started = time.perf_counter()
                status, body = client.request(
                    "POST",
                    f"/questionnaires/{user['submission']}/answers/{pk}/",
                    data,
                    {"HX-Request": "true", "X-CSRFToken": client.csrf()},
                )
                elapsed = time.perf_counter() - started
                match = re.search(rb'name="a\d+-version" value="(\d+)"', body)
                if status == 200 and match:
                    versions[pk] = int(match.group(1))
                with lock:
                    latencies.append(elapsed)
                    statuses[status] += 1
                    if status == 200:
                        accepted[pk] += 1
                        last_text[pk] = evidence
                n += 1
                time.sleep(max(0.0, rng.uniform(0.5, 1.5) * args.think - elapsed))

        threads = [threading.Thread(target=focal, args=(u, i)) for i, u in enumerate(users)]
        for t in threads:
            t.start()
        ready.wait()  # every user logged in and on its page
        stop[0] = time.monotonic() + args.seconds
        started = time.perf_counter()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started

    lost = []
    for pk, version, evidence in Answer.objects.filter(pk__in=watched).values_list("pk", "version", "evidence"):
        if version - start_versions[pk] != accepted.get(pk, 0) or (pk in last_text and evidence != last_text[pk]):
            lost.append(pk)
    revisions = AnswerRevision.objects.filter(answer_id__in=watched).count() - start_revisions
    result = {
        "users": args.users,
        "think_s": args.think,
        "gunicorn": f"{args.workers} workers x {args.threads} threads",
        "seconds": round(elapsed, 1),
        "autosave": summary(latencies) | {"p99_ms": round(percentile(latencies, 99) * 1000, 2)},
        "saves_per_s": round(len(latencies) / elapsed, 1),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "errors": sum(v for k, v in statuses.items() if k != 200),
        "accepted_saves": sum(accepted.values()),
        "revisions_written": revisions,
        "saves_lost": len(lost),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "thinktime.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
