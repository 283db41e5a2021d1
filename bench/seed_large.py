"""Seed a large cycle for benchmarks: one country, N organisations across all sectors, the full
framework, an open cycle with every questionnaire answered and submitted. Re-runnable.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mnr_bench DEBUG=1 python bench/seed_large.py --orgs 50
"""

import argparse
import os
import random
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from assessments import services  # noqa: E402
from assessments.models import Answer, Country, Cycle, Organisation, Role, RoleAssignment, Submission  # noqa: E402
from capabilities.models import FrameworkVersion, Sector  # noqa: E402

PASSWORD = "bench-password-1"  # noqa: S105


def seed(n_orgs, code="BN", status=Submission.Status.DRAFT):
    call_command("migrate", verbosity=0)
    if not FrameworkVersion.objects.filter(code="MNR-2016").exists():
        # A published version never changes: an existing one (from an older fixture) is used as it is.
        call_command("load_framework", "fixtures/mnr-2016.yaml", verbosity=0)
    version = FrameworkVersion.objects.get(code="MNR-2016")
    User = get_user_model()
    with transaction.atomic():
        country, _ = Country.objects.get_or_create(code=code, defaults={"name": f"Benchland {code}"})
        Cycle.objects.filter(country=country).delete()
        coordinator, _ = User.objects.get_or_create(username=f"bench.coord.{code}")
        coordinator.set_password(PASSWORD)
        coordinator.save()
        RoleAssignment.objects.get_or_create(user=coordinator, role=Role.COORDINATOR, country=country)
        sectors = list(Sector.objects.all())
        today = timezone.localdate()
        cycle = services.cycle_create(
            country=country,
            framework_version=version,
            title="Benchmark cycle",
            period="bench",
            opens_on=today - timedelta(days=1),
            closes_on=today + timedelta(days=30),
            by=coordinator,
        )
        for i in range(n_orgs):
            org, _ = Organisation.objects.get_or_create(
                country=country, name=f"Organisation {i:03d}", defaults={"sector": sectors[i % len(sectors)]}
            )
            services.cycle_add_organisation(cycle=cycle, organisation=org, by=coordinator)
            user, _ = User.objects.get_or_create(username=f"bench.fp.{code}.{i:03d}")
            user.set_password(PASSWORD)
            user.save()
            RoleAssignment.objects.get_or_create(user=user, role=Role.FOCAL_POINT, organisation=org)
        services.cycle_open(cycle=cycle, by=coordinator)
        rng = random.Random(7)  # noqa: S311
        answers = list(Answer.objects.filter(submission__cycle=cycle))
        for a in answers:
            a.choice = rng.choice(["0", "1", "2", "2", "3", "3", "4", "dk", "na"])
            a.evidence = (
                "Bench evidence: a law, a unit and a protocol; https://example.org/source" if a.choice in "234" else ""
            )
            a.version = 1
        Answer.objects.bulk_update(answers, ["choice", "evidence", "version"], batch_size=2000)
        Submission.objects.filter(cycle=cycle).update(status=status)
    return cycle, len(answers)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orgs", type=int, default=50)
    parser.add_argument("--code", default="BN")
    parser.add_argument("--status", default="draft", choices=["draft", "submitted"])
    args = parser.parse_args()
    cycle, n = seed(args.orgs, args.code, args.status)
    print(f"cycle {cycle.pk}: {args.orgs} organisations, {n} answers")
