"""Capability page and autosave: in process against /healthz, and under concurrent load against a bare view.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mnr_bench .venv/bin/python bench/bench_questionnaire.py \
        [--users 4 16] [--rounds 60]

Seeds (if needed) a 50-organisation cycle on the full framework, then:

1. In process (Django's test client, DEBUG off, no HTTP): the capability page, an autosave and
   /healthz, interleaved round by round so that all three see the same machine; medians, spreads
   and the ratios to /healthz of the same run, with the queries each request made (outside a test
   transaction, so no savepoints).
2. Cost per extra indicator, in process: the capability page of two one-capability versions with 5
   and 50 indicators (seeded once), interleaved; (median at 50 − median at 5) / 45.
3. Under load: gunicorn (2 workers × 4 threads) with the app's settings, one logged-in focal point
   per simulated user (for each ``--users``): the real capability page, the bare view returning the
   same bytes, autosave (htmx POST) and the bare view returning the autosave response bytes;
   medians, p95, throughput and their ratios to the bare views.

Writes bench/results/questionnaire.json.
"""

import argparse
import json
import re
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import RESULTS, Client, Server, database_url, spread, summary  # noqa: E402

USERS = 16
INDICATOR_COUNTS = (5, 50)
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


def in_process(user, rounds):
    """Capability page, autosave and /healthz through Django's test client, interleaved per round."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext

    client = DjangoClient()
    client.force_login(get_user_model().objects.get(username=user["username"]))
    page_url = f"/questionnaires/{user['submission']}/capabilities/{user['number']}/"
    pk, version = user["answers"][1]
    prefix = f"a{pk}"
    state = {"version": version}

    def page():
        response = client.get(page_url)
        assert response.status_code == 200, response.status_code

    def save(i):
        response = client.post(
            f"/questionnaires/{user['submission']}/answers/{pk}/",
            {
                f"{prefix}-choice": "2",
                f"{prefix}-evidence": f"In process {RUN_ID}-{i}",
                f"{prefix}-comment": "",
                f"{prefix}-version": str(state["version"]),
            },
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200, response.status_code
        state["version"] += 1

    def healthz():
        assert client.get("/healthz").status_code == 200

    page(), save(-1), healthz()  # warm: the session's first page, the framework tree
    queries = {}
    for name, work in [("page", page), ("autosave", lambda: save(-2)), ("healthz", healthz)]:
        with CaptureQueriesContext(connection) as ctx:
            work()
        queries[name] = [q["sql"][:90] for q in ctx.captured_queries]
    times = {"page": [], "autosave": [], "healthz": []}
    for i in range(rounds):
        for name, work, arg in [("healthz", healthz, None), ("page", page, None), ("autosave", save, i)]:
            started = time.perf_counter()
            work() if arg is None else work(arg)
            times[name].append(time.perf_counter() - started)
    result = {name: spread(values) for name, values in times.items()}
    for name in ("page", "autosave"):
        result[f"{name}_queries"] = len(queries[name])
        result[f"{name}_healthz_ratio"] = round(result[name]["median_ms"] / result["healthz"]["median_ms"], 2)
    result["queries"] = queries
    return result


def indicator_cycles():
    """Two open one-capability cycles, 5 and 50 indicators, one focal point each (seeded once)."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from assessments import services
    from assessments.models import Country, Organisation, Role, RoleAssignment, Submission
    from capabilities.models import (
        LEVELS,
        Capability,
        Domain,
        FrameworkVersion,
        Indicator,
        LevelDescriptor,
        MaturityLevel,
        Sector,
    )
    from capabilities.services import framework_publish

    User = get_user_model()
    country, _ = Country.objects.get_or_create(code="BI", defaults={"name": "Benchland indicators"})
    coordinator, _ = User.objects.get_or_create(username="bench.coord.BI")
    RoleAssignment.objects.get_or_create(user=coordinator, role=Role.COORDINATOR, country=country)
    sector = Sector.objects.order_by("pk").first()
    users = {}
    for n in INDICATOR_COUNTS:
        organisation, _ = Organisation.objects.get_or_create(
            country=country, name=f"Indicators {n}", defaults={"sector": sector}
        )
        user, _ = User.objects.get_or_create(username=f"bench.fp.BI.{n}")
        RoleAssignment.objects.get_or_create(user=user, role=Role.FOCAL_POINT, organisation=organisation)
        submission = Submission.objects.filter(organisation=organisation, cycle__title=f"Indicators {n}").first()
        if submission is None:
            version = FrameworkVersion.objects.create(code=f"BENCH-IND-{n}", title=f"{n} indicators")
            MaturityLevel.objects.bulk_create(
                MaturityLevel(version=version, level=level, name=f"Level {level}") for level in LEVELS
            )
            domain = Domain.objects.create(version=version, code="A", name="Policy", outcome="Leaders commit.")
            capability = Capability.objects.create(
                version=version, domain=domain, number=1, title="Leadership", summary="A body.", outcome="Unity."
            )
            created = Indicator.objects.bulk_create(
                Indicator(
                    version=version,
                    capability=capability,
                    code=f"C01.{i}",
                    order=i,
                    question=f"Question {i}: is there a body that leads the national response?",
                    guidance="A decree, a terms of reference, minutes of meetings.",
                )
                for i in range(1, n + 1)
            )
            LevelDescriptor.objects.bulk_create(
                LevelDescriptor(indicator=indicator, level=level, text=f"{indicator.code} at level {level}.")
                for indicator in created
                for level in LEVELS
            )
            Indicator.sectors.through.objects.bulk_create(
                Indicator.sectors.through(indicator_id=indicator.pk, sector_id=sector.pk) for indicator in created
            )
            framework_publish(version=version)
            today = timezone.localdate()
            cycle = services.cycle_create(
                country=country,
                framework_version=version,
                title=f"Indicators {n}",
                period="bench",
                opens_on=today - timedelta(days=1),
                closes_on=today + timedelta(days=30),
                by=coordinator,
            )
            services.cycle_add_organisation(cycle=cycle, organisation=organisation, by=coordinator)
            services.cycle_open(cycle=cycle, by=coordinator)
            submission = Submission.objects.get(organisation=organisation, cycle=cycle)
        users[n] = (user, submission.pk)
    return users


def indicator_cost(rounds):
    """Median capability-page time at 5 and 50 indicators, interleaved; the cost of each extra one."""
    from django.test import Client as DjangoClient

    clients = {}
    for n, (user, submission_pk) in indicator_cycles().items():
        client = DjangoClient()
        client.force_login(user)
        clients[n] = (client, f"/questionnaires/{submission_pk}/capabilities/1/")
        assert client.get(clients[n][1]).status_code == 200  # warm
    times = {n: [] for n in clients}
    for _ in range(rounds):
        for n, (client, url) in clients.items():
            started = time.perf_counter()
            assert client.get(url).status_code == 200
            times[n].append(time.perf_counter() - started)
    low, high = INDICATOR_COUNTS
    result = {f"page_{n}_indicators": spread(values) for n, values in times.items()}
    per = (result[f"page_{high}_indicators"]["median_ms"] - result[f"page_{low}_indicators"]["median_ms"]) / (
        high - low
    )
    result["ms_per_extra_indicator"] = round(per, 3)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[4, USERS], help="concurrent users of the load runs")
    parser.add_argument("--rounds", type=int, default=60, help="interleaved rounds of the in-process figures")
    parser.add_argument("--port", type=int, default=8099, help="gunicorn's port")
    args = parser.parse_args()
    database_url()
    users = setup()
    results = {"in_process": in_process(users[-1], args.rounds), "indicators": indicator_cost(args.rounds)}
    print("in process", {k: v for k, v in results["in_process"].items() if k != "queries"}, flush=True)
    print("indicators", results["indicators"], flush=True)
    with Server(port=args.port) as server:
        page_bytes, save_bytes = capture_bodies(server.port, users[0])
        results |= {"requests_per_user": REQUESTS_PER_USER, "page_bytes": page_bytes, "autosave_bytes": save_bytes}
        for n_users in args.users:
            load = {}
            for name, work in [
                ("bare_page", bare_page),
                ("page", page),
                ("bare_autosave", bare_autosave),
                ("autosave", autosave),
            ]:
                load[name] = run(server.port, users[:n_users], work)
                print(n_users, name, load[name], flush=True)
            for real, bare in [("page", "bare_page"), ("autosave", "bare_autosave")]:
                load[f"{real}_median_ratio"] = round(load[real]["median_ms"] / load[bare]["median_ms"], 2)
                load[f"{real}_p95_ratio"] = round(load[real]["p95_ms"] / load[bare]["p95_ms"], 2)
                load[f"{real}_throughput_ratio"] = round(load[real]["throughput_rps"] / load[bare]["throughput_rps"], 3)
            results[f"load_{n_users}_users"] = load
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "questionnaire.json").write_text(json.dumps(results, indent=2))
    print(json.dumps({k: v for k, v in results.items() if k != "in_process"}, indent=2))
    print(json.dumps({k: v for k, v in results["in_process"].items() if k != "queries"}, indent=2))


if __name__ == "__main__":
    main()
