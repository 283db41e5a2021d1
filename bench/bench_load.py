"""Load: 100 simulated focal points paging through and autosaving while report jobs run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mnr_bench CELERY_BROKER_URL=redis://127.0.0.1:6379/9 \
        .venv/bin/python bench/bench_load.py [--users 100] [--seconds 60]

gunicorn (2 workers × 8 threads) + PostgreSQL + Redis + one Celery worker on this machine, a seeded
country of 50 organisations (two focal points each). Every simulated user loops: open a capability
page, autosave one answer, sometimes open the summary. A coordinator thread requests a gap report
every 10 s. Afterwards the bare view serving the same bytes is measured with the same concurrency,
and the database is checked: every accepted save is there (final version = accepted saves, one
revision each) and no request failed. Writes bench/results/load.json.
"""

import argparse
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import PYTHON, RESULTS, ROOT, Client, Server, database_url, env, summary  # noqa: E402


def setup(n_users):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    from assessments.models import Answer, Role, RoleAssignment, Submission
    from bench.seed_large import PASSWORD, seed

    if Submission.objects.filter(cycle__country__code="BL", cycle__title="Benchmark cycle").count() != 50:
        seed(50, "BL")
    Submission.objects.filter(cycle__country__code="BL").update(status="draft")
    User = get_user_model()
    users = []
    subs = list(Submission.objects.filter(cycle__country__code="BL").select_related("organisation").order_by("pk"))
    for i in range(n_users):
        sub = subs[i % len(subs)]
        username = f"bench.fp.BL.{i % len(subs):03d}" if i < len(subs) else f"bench.fp2.BL.{i:03d}"
        user, _ = User.objects.get_or_create(username=username)
        user.set_password(PASSWORD)
        user.save()
        RoleAssignment.objects.get_or_create(user=user, role=Role.FOCAL_POINT, organisation=sub.organisation)
        answers = list(Answer.objects.filter(submission=sub).select_related("indicator__capability"))
        users.append(
            {
                "username": username,
                "password": PASSWORD,
                "submission": sub.pk,
                "numbers": sorted({a.indicator.capability.number for a in answers}),
                "answers": [a.pk for a in answers],
            }
        )
    # Coordinators use two-step verification: give the bench coordinator a confirmed authenticator.
    from django_otp.plugins.otp_totp.models import TOTPDevice

    coord_user = User.objects.get(username="bench.coord.BL")
    device, _ = TOTPDevice.objects.get_or_create(user=coord_user, name="bench", defaults={"confirmed": True})
    coordinator = {"username": "bench.coord.BL", "password": PASSWORD, "cycle": subs[0].cycle_id, "key": device.key}
    return users, coordinator


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=60)
    args = parser.parse_args()
    database_url()
    if not os.environ.get("CELERY_BROKER_URL"):
        sys.exit("Set CELERY_BROKER_URL=redis://127.0.0.1:6379/9: report jobs run on a real worker.")
    users, coordinator = setup(args.users)
    from django.db.models import Count

    from assessments.models import Answer, AnswerRevision
    from reports.models import ReportJob

    ReportJob.objects.filter(cycle_id=coordinator["cycle"]).delete()
    start_versions = dict(
        Answer.objects.filter(pk__in=[a for u in users for a in u["answers"]]).values_list("pk", "version")
    )
    start_revisions = AnswerRevision.objects.filter(answer_id__in=start_versions).count()

    worker = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "celery",
            "-A",
            "mnr_portal",
            "worker",
            "--concurrency=1",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env() | {"DJANGO_SETTINGS_MODULE": "bench.settings"},
    )
    latencies = defaultdict(list)
    errors = defaultdict(int)
    accepted = defaultdict(int)  # answer id → saves the server accepted
    conflicts = [0]
    lock = threading.Lock()
    stop = time.monotonic() + args.seconds
    # Every save of this run differs from what earlier runs left, so each accepted save must write.
    run_id = int(time.time())
    try:
        with Server(port=8098, workers=2, threads=8) as server:
            # Same bytes as a real page and a real autosave, for the bare comparison afterwards.
            probe = Client(server.port)
            probe.login(users[0]["username"], users[0]["password"])
            _, page_body = probe.request(
                "GET", f"/questionnaires/{users[0]['submission']}/capabilities/{users[0]['numbers'][0]}/"
            )
            (RESULTS / "bodies").mkdir(parents=True, exist_ok=True)
            (RESULTS / "bodies" / "loadpage.html").write_bytes(page_body)

            def focal(user, seed):
                rng = random.Random(seed)  # noqa: S311
                client = Client(server.port)
                client.login(user["username"], user["password"])
                versions = {}
                while time.monotonic() < stop:
                    number = rng.choice(user["numbers"])
                    t = time.perf_counter()
                    status, body = client.request("GET", f"/questionnaires/{user['submission']}/capabilities/{number}/")
                    with lock:
                        latencies["page"].append(time.perf_counter() - t)
                        errors["page"] += status != 200
                    ids = [int(x) for x in re.findall(rb'name="a(\d+)-version" value="\d+"', body)]
                    for pk, version in re.findall(rb'name="a(\d+)-version" value="(\d+)"', body):
                        versions[int(pk)] = int(version)
                    if not ids:
                        continue
                    pk = rng.choice(ids)
                    prefix = f"a{pk}"
                    data = {
                        f"{prefix}-choice": str(rng.randint(0, 2)),
                        f"{prefix}-evidence": f"run {run_id} e{rng.random():.6f}",
                        f"{prefix}-comment": "",
                        f"{prefix}-version": str(versions[pk]),
                        "csrfmiddlewaretoken": client.csrf(),
                    }
                    t = time.perf_counter()
                    status, body = client.request(
                        "POST",
                        f"/questionnaires/{user['submission']}/answers/{pk}/",
                        data,
                        {"HX-Request": "true", "X-CSRFToken": client.csrf()},
                    )
                    with lock:
                        latencies["autosave"].append(time.perf_counter() - t)
                        if status == 200:
                            accepted[pk] += 1
                        elif status == 409:
                            conflicts[0] += 1  # two users of one organisation on one answer: refused, by design
                        else:
                            errors["autosave"] += 1
                    if rng.random() < 0.1:
                        status, _ = client.request("GET", f"/questionnaires/{user['submission']}/")
                        with lock:
                            errors["summary"] += status != 200

            def coordinator_loop():
                client = Client(server.port)
                client.login(coordinator["username"], coordinator["password"])
                client.verify_second_factor(coordinator["key"])
                while time.monotonic() < stop:
                    client.request("GET", f"/cycles/{coordinator['cycle']}/report/")
                    token = client.csrf()
                    status, _ = client.request(
                        "POST",
                        f"/cycles/{coordinator['cycle']}/report/generate/",
                        {"csrfmiddlewaretoken": token},
                        {"X-CSRFToken": token},
                    )
                    with lock:
                        errors["report_request"] += status != 302
                    time.sleep(10)

            threads = [threading.Thread(target=focal, args=(u, i)) for i, u in enumerate(users)]
            threads.append(threading.Thread(target=coordinator_loop))
            started = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.perf_counter() - started

            # The bare view, same concurrency, same bytes.
            bare = []
            bare_stop = time.monotonic() + min(20, args.seconds)

            def bare_loop(user):
                client = Client(server.port)
                while time.monotonic() < bare_stop:
                    t = time.perf_counter()
                    client.request("GET", "/bench/bare/loadpage")
                    with lock:
                        bare.append(time.perf_counter() - t)

            bare_threads = [threading.Thread(target=bare_loop, args=(u,)) for u in users]
            for t in bare_threads:
                t.start()
            for t in bare_threads:
                t.join()
        deadline = time.monotonic() + 120
        while ReportJob.objects.filter(cycle_id=coordinator["cycle"], status__in=["queued", "running"]).exists():
            if time.monotonic() > deadline:
                break
            time.sleep(1)
    finally:
        worker.terminate()
        worker.wait(timeout=30)

    # Lost answers: every accepted save must be in the database, once.
    lost = []
    for pk, version in Answer.objects.filter(pk__in=start_versions).values_list("pk", "version"):
        if version - start_versions[pk] != accepted.get(pk, 0):
            lost.append(pk)
    revisions = AnswerRevision.objects.filter(answer_id__in=start_versions).count() - start_revisions
    jobs = dict(ReportJob.objects.filter(cycle_id=coordinator["cycle"]).values_list("status").annotate(n=Count("id")))
    result = {
        "users": args.users,
        "seconds": round(elapsed, 1),
        "page": summary(latencies["page"]),
        "autosave": summary(latencies["autosave"]),
        "bare_page": summary(bare),
        "throughput_rps": round((len(latencies["page"]) + len(latencies["autosave"])) / elapsed, 1),
        "errors": dict(errors),
        "conflicts_refused": conflicts[0],
        "accepted_saves": sum(accepted.values()),
        "revisions_written": revisions,
        "answers_lost": len(lost),
        "report_jobs": jobs,
    }
    result["page_median_ratio"] = round(result["page"]["median_ms"] / result["bare_page"]["median_ms"], 1)
    result["page_p95_ratio"] = round(result["page"]["p95_ms"] / result["bare_page"]["p95_ms"], 1)
    result["autosave_median_ratio"] = round(result["autosave"]["median_ms"] / result["bare_page"]["median_ms"], 1)
    result["autosave_p95_ratio"] = round(result["autosave"]["p95_ms"] / result["bare_page"]["p95_ms"], 1)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "load.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
