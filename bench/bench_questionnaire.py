"""Capability page and autosave under concurrent load, against a bare view serving the same bytes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mnr_bench .venv/bin/python bench/bench_questionnaire.py

Seeds (if needed) a 50-organisation cycle on the full framework, starts gunicorn (2 workers × 4
threads) with the app's settings, logs in one focal point per simulated user, then runs in turn:
the real capability page, the bare view returning the same bytes, autosave (htmx POST) and the bare
view returning the autosave response bytes. Prints medians, p95 and their ratios; writes
bench/results/questionnaire.json.
"""

import json
import re
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import RESULTS, Client, Server, database_url, summary  # noqa: E402

USERS = 16
RUN_ID = int(time.time())  # every autosave of a run writes something new
REQUESTS_PER_USER = 40


def setup():
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from assessments.models import Answer, Submission
    from bench.seed_large import PASSWORD, seed

    if not Submission.objects.filter(cycle__country__code="BN", cycle__title="Benchmark cycle").count() == 50:
        seed(50, "BN")
    Submission.objects.filter(cycle__country__code="BN").update(status="draft")
    users = []
    for i in range(USERS):
        sub = Submission.objects.get(cycle__country__code="BN", organisation__name=f"Organisation {i:03d}")
        answers = list(
            Answer.objects.filter(submission=sub)
            .select_related("indicator__capability")
            .order_by("indicator__capability__number", "indicator__order")[:3]
        )
        number = answers[0].indicator.capability.number
        users.append(
            {
                "username": f"bench.fp.BN.{i:03d}",
                "submission": sub.pk,
                "number": number,
                "answers": [(a.pk, a.version) for a in answers],
                "password": PASSWORD,
            }
        )
    return users


def run(port, users, work):
    """Each simulated user in its own thread and connection; returns all latencies and errors."""
    latencies, errors = [], []
    lock = threading.Lock()

    def user_loop(user):
        client = Client(port)
        client.login(user["username"], user["password"])
        local = []
        for i in range(REQUESTS_PER_USER):
            started = time.perf_counter()
            ok = work(client, user, i)
            local.append(time.perf_counter() - started)
            if not ok:
                with lock:
                    errors.append(user["username"])
        with lock:
            latencies.extend(local)

    threads = [threading.Thread(target=user_loop, args=(u,)) for u in users]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return {**summary(latencies), "errors": len(errors), "throughput_rps": round(len(latencies) / elapsed, 1)}


def page(client, user, i):
    status, body = client.request("GET", f"/questionnaires/{user['submission']}/capabilities/{user['number']}/")
    return status == 200 and b"indicator-card" in body


def bare_page(client, user, i):
    status, body = client.request("GET", "/bench/bare/capability")
    return status == 200


def autosave(client, user, i):
    pk, version = user["answers"][i % len(user["answers"])]
    prefix = f"a{pk}"
    body = {
        f"{prefix}-choice": str(i % 3),
        f"{prefix}-evidence": f"Evidence {RUN_ID}-{i}",
        f"{prefix}-comment": "",
        f"{prefix}-version": str(version),
        "csrfmiddlewaretoken": client.csrf(),
    }
    status, data = client.request(
        "POST",
        f"/questionnaires/{user['submission']}/answers/{pk}/",
        body,
        {"HX-Request": "true", "X-CSRFToken": client.csrf()},
    )
    match = re.search(rb'name="a\d+-version" value="(\d+)"', data)
    if match:
        user["answers"][i % len(user["answers"])] = (pk, int(match.group(1)))
    return status == 200 and b"Saved" in data


def bare_autosave(client, user, i):
    status, _ = client.request("POST", "/bench/bare/autosave", {"x": "1"})
    return status == 200


def capture_bodies(port, user):
    bodies = RESULTS / "bodies"
    bodies.mkdir(parents=True, exist_ok=True)
    client = Client(port)
    client.login(user["username"], user["password"])
    _, page_body = client.request("GET", f"/questionnaires/{user['submission']}/capabilities/{user['number']}/")
    (bodies / "capability.html").write_bytes(page_body)
    pk, version = user["answers"][0]
    prefix = f"a{pk}"
    _, save_body = client.request(
        "POST",
        f"/questionnaires/{user['submission']}/answers/{pk}/",
        {
            f"{prefix}-choice": "1",
            f"{prefix}-evidence": "x",
            f"{prefix}-comment": "",
            f"{prefix}-version": str(version),
            "csrfmiddlewaretoken": client.csrf(),
        },
        {"HX-Request": "true", "X-CSRFToken": client.csrf()},
    )
    user["answers"][0] = (pk, version + 1)
    (bodies / "autosave.html").write_bytes(save_body)
    return len(page_body), len(save_body)


def main():
    database_url()
    users = setup()
    with Server(port=8099) as server:
        page_bytes, save_bytes = capture_bodies(server.port, users[0])
        results = {
            "users": USERS,
            "requests_per_user": REQUESTS_PER_USER,
            "page_bytes": page_bytes,
            "autosave_bytes": save_bytes,
        }
        for name, work in [
            ("bare_page", bare_page),
            ("page", page),
            ("bare_autosave", bare_autosave),
            ("autosave", autosave),
        ]:
            results[name] = run(server.port, users, work)
            print(name, results[name], flush=True)
    for real, bare in [("page", "bare_page"), ("autosave", "bare_autosave")]:
        results[f"{real}_median_ratio"] = round(results[real]["median_ms"] / results[bare]["median_ms"], 2)
        results[f"{real}_p95_ratio"] = round(results[real]["p95_ms"] / results[bare]["p95_ms"], 2)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "questionnaire.json").write_text(json.dumps(results, indent=2))
    print(json.dumps({k: v for k, v in results.items() if "ratio" in k}, indent=2))


if __name__ == "__main__":
    main()
