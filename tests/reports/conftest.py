"""A small national cycle on the tiny framework, answered by hand, and a real Celery worker.

Country A (Arcadia) asks three organisations, one per sector of the tiny framework:

=====================  =========  =======================  ============================
indicator (weight)     ministry   police (law_enforcement)  NGO
=====================  =========  =======================  ============================
C01.1 (2)              3          –                         1
C01.2 (1)              0          –                         –
C03.1 (3)              2          1                         0
C04.1 (3)              –          1                         –
C04.2 (1)              –          2                         don't know
=====================  =========  =======================  ============================

So, by hand (median of the organisations' weighted means, target 3 everywhere):

- capability 1: ministry (3·2 + 0·1)/3 = 2.0, NGO 1.0 → level 1.5, gap 1.5, weight 0.75 → priority 1.125;
- capability 3: 2, 1, 0 → level 1.0, spread exactly 2 → contested, gap 2.0, weight 1.5 → priority 3.0;
- capability 4: police (1·3 + 2·1)/4 = 1.25, NGO only "don't know" → one respondent: a data gap,
  coverage 2/3; the national level is rounded once to 1.3 as printed, so gap 1.7, weight 1.0 → priority 1.7.

Ranking: 3 (Legislation), 4, 1.
"""

import io
import os
import re
import signal
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from pypdf import PdfReader

from assessments import services as assessment_services
from assessments.models import Answer, Submission
from tests.conftest import ROOT, celery_worker_command, require_postgres, require_redis

SEED = {
    "Ministry of Interior": {"C01.1": "3", "C01.2": "0", "C03.1": "2"},
    "National Police": {"C03.1": "1", "C04.1": "1", "C04.2": "2"},
    "Child Rights NGO": {"C01.1": "1", "C03.1": "0", "C04.2": "dk"},
}
EVIDENCE = {
    ("Ministry of Interior", "C01.1"): "Decree 12/2019 set up the National Council.",
    ("Ministry of Interior", "C03.1"): "Penal code art. 201 covers grooming since 2021.",
}
CHANGED_AT = datetime(2026, 3, 4, 10, 15, tzinfo=UTC)


def answer_set(cycle, organisation, code, choice, *, evidence="", comment="", by=None, at=CHANGED_AT):
    """Write one answer directly (the questionnaire flow is tested in tests/assessments).

    As in the questionnaire, changing an answer carried from the previous cycle confirms it."""
    from django.db.models import Case, F, Value, When

    from assessments.models import Carry

    updated = Answer.objects.filter(
        submission__cycle=cycle, submission__organisation=organisation, indicator__code=code
    ).update(
        choice=choice,
        evidence=evidence,
        comment=comment,
        updated_by=by,
        updated_at=at,
        carry=Case(When(carry__in=[Carry.PREFILLED, Carry.SUGGESTED], then=Value(Carry.CONFIRMED)), default=F("carry")),
    )
    assert updated == 1, f"{organisation} is not asked {code} in {cycle}"


def submission_status_set(cycle, organisation, status):
    Submission.objects.filter(cycle=cycle, organisation=organisation).update(status=status)


def pdf_text(pdf_bytes):
    """The PDF's text, whitespace collapsed, so line breaks chosen by the layout do not matter."""
    reader = PdfReader(io.BytesIO(pdf_bytes))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


@pytest.fixture
def police(country_a, tiny_framework):
    from tests.factories import OrganisationFactory, SectorFactory

    return OrganisationFactory(country=country_a, name="National Police", sector=SectorFactory(code="law_enforcement"))


@pytest.fixture
def ngo(country_a, tiny_framework):
    from tests.factories import OrganisationFactory, SectorFactory

    return OrganisationFactory(country=country_a, name="Child Rights NGO", sector=SectorFactory(code="ngo"))


@pytest.fixture
def report_cycle(tiny_framework, country_a, organisation, police, ngo, coordinator):
    """Country A's open cycle with the ministry (the shared ``organisation``), the police and an NGO, unanswered."""
    from tests.factories import make_cycle

    return make_cycle(
        country=country_a, framework_version=tiny_framework, organisations=[organisation, police, ngo], by=coordinator
    )


@pytest.fixture
def seeded_cycle(report_cycle, organisation, police, ngo, focal_point):
    """The cycle answered as in the table above; the ministry accepted, the others submitted."""
    organisations = {o.name: o for o in (organisation, police, ngo)}
    for name, answers in SEED.items():
        for code, choice in answers.items():
            answer_set(
                report_cycle,
                organisations[name],
                code,
                choice,
                evidence=EVIDENCE.get((name, code), ""),
                by=focal_point,
            )
    submission_status_set(report_cycle, organisation, Submission.Status.ACCEPTED)
    submission_status_set(report_cycle, police, Submission.Status.SUBMITTED)
    submission_status_set(report_cycle, ngo, Submission.Status.SUBMITTED)
    return report_cycle


@pytest.fixture
def previous_cycle(tiny_framework, country_a, organisation, police, ngo, coordinator):
    """Last year's cycle of country A on the same framework version: capability 1 at 1.0, capability 3 at 0."""
    today = date.today()
    cycle = assessment_services.cycle_create(
        country=country_a,
        framework_version=tiny_framework,
        title="National assessment 2025",
        period="2024–2025",
        opens_on=today - timedelta(days=400),
        closes_on=today - timedelta(days=300),
        by=coordinator,
    )
    for org in (organisation, police, ngo):
        assessment_services.cycle_add_organisation(cycle=cycle, organisation=org, by=coordinator)
    assessment_services.cycle_open(cycle=cycle, by=coordinator)
    for org, code, choice in [
        (organisation, "C01.1", "1"),
        (organisation, "C01.2", "1"),
        (ngo, "C01.1", "1"),
        (organisation, "C03.1", "0"),
        (police, "C03.1", "0"),
        (ngo, "C03.1", "0"),
    ]:
        answer_set(cycle, org, code, choice)
    for org in (organisation, police, ngo):
        submission_status_set(cycle, org, Submission.Status.ACCEPTED)
    return cycle


# A real Celery worker --------------------------------------------------------------------------------


def worker_env(media_root):
    """The worker uses the test process's database, broker and MEDIA_ROOT."""
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return os.environ | {
        "DATABASE_URL": url,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "MEDIA_ROOT": str(media_root),
        "DEBUG": "1",
    }


class WorkerProcess:
    def __init__(self, proc, log_path):
        self.proc = proc
        self.log_path = log_path

    @property
    def pid(self):
        return self.proc.pid

    def log(self):
        return self.log_path.read_text(errors="replace")

    def assert_alive(self):
        assert self.proc.poll() is None, f"the worker exited:\n{self.log()}"

    def children(self):
        """Pids of the prefork pool's processes (the worker's direct children)."""
        pids = []
        for children in Path(f"/proc/{self.pid}/task").glob("*/children"):
            pids += [int(pid) for pid in children.read_text().split()]
        return pids


@pytest.fixture
def celery_worker_process(tmp_path):
    """``celery worker --pool=prefork --concurrency=1`` on Redis, logging to a file (a pipe could fill and block it)."""
    require_postgres()
    require_redis()
    from mnr_portal.celery import app

    app.control.purge()
    log_path = tmp_path / "worker.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            celery_worker_command(f"test-reports-{os.getpid()}@%h", heartbeat=False),
            cwd=ROOT,
            env=worker_env(settings.MEDIA_ROOT),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    worker = WorkerProcess(proc, log_path)
    yield worker
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    app.control.purge()
