"""What the report page and /healthz tell people about report jobs (issue 10.7, issue 9.21).

Built-in mode here (Celery eager, inline render); the worker's side is in the fault tests beside this file.
"""

import re
import threading
import time
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from reports import services
from reports.models import ReportJob, WorkerHeartbeat
from reports.views import download_filename

pytestmark = pytest.mark.django_db


def generate(client, cycle, capture, language="fr"):
    with capture(execute=True):
        return client.post(reverse("reports:report_generate", args=[cycle.pk]), {"language": language})


def flash(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.django_db(transaction=True)
def test_built_in_mode_inline_answers_with_the_jobs_real_state(client, coordinator, seeded_cycle):
    """Rendered inline (on commit, as in production without a test transaction): the message says ready."""
    client.force_login(coordinator)
    response = client.post(reverse("reports:report_generate", args=[seeded_cycle.pk]), {"language": "fr"})

    assert flash(response) == ["The report is ready to download."]
    job = ReportJob.objects.get()
    assert (job.status, job.language) == (ReportJob.Status.DONE, "fr")


@pytest.mark.django_db(transaction=True)
def test_built_in_mode_with_a_thread_answers_at_once_and_the_job_finishes(
    client, coordinator, seeded_cycle, settings, monkeypatch
):
    """In the built-in mode the render runs in a thread: the button answers before the render ends."""
    settings.REPORT_JOBS_IN_THREAD = True
    started, release = threading.Event(), threading.Event()
    real = services.render_report_pdf

    def slow(data, **kwargs):
        started.set()
        release.wait(30)
        return real(data, **kwargs)

    monkeypatch.setattr(services, "render_report_pdf", slow)
    client.force_login(coordinator)

    began = time.monotonic()
    response = client.post(reverse("reports:report_generate", args=[seeded_cycle.pk]), {"language": "en"})
    answered = time.monotonic() - began

    assert response.status_code == 302 and answered < 3
    assert started.wait(10)
    assert flash(response) == ["The report is queued; the worker will pick it up. This page shows its progress."]
    job = ReportJob.objects.get()
    assert job.status == ReportJob.Status.RUNNING
    release.set()
    deadline = time.monotonic() + 60
    while ReportJob.objects.get().status != ReportJob.Status.DONE:
        assert time.monotonic() < deadline, ReportJob.objects.get().error
        time.sleep(0.2)


@pytest.mark.django_db(transaction=True)
def test_a_publish_that_fails_says_queued_and_the_worker_will_pick_it_up(
    client, coordinator, seeded_cycle, monkeypatch
):
    monkeypatch.setattr(services, "_enqueue", lambda job_id, task_id: False)
    client.force_login(coordinator)

    response = client.post(reverse("reports:report_generate", args=[seeded_cycle.pk]), {"language": "fr"})

    assert flash(response) == [
        "The report is queued; the worker will pick it up as soon as the message service answers again. "
        "This page shows its progress."
    ]
    assert ReportJob.objects.get().status == ReportJob.Status.QUEUED


def test_the_job_list_shows_each_reports_language_and_the_file_name_carries_country_cycle_language_date(
    client, coordinator, seeded_cycle, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    generate(client, seeded_cycle, django_capture_on_commit_callbacks, language="ar")
    job = ReportJob.objects.get()

    page = client.get(reverse("reports:report_page", args=[seeded_cycle.pk])).content.decode()
    assert '<td lang="ar">العربيّة</td>' in page
    download = client.get(reverse("reports:report_download", args=[job.pk]))
    day = timezone.localdate(job.finished_at).isoformat()
    expected = f"MNR-gap-report-AA-National-assessment-2026-ar-{day}.pdf"
    assert download_filename(job) == expected
    assert f'filename="{expected}"' in download["Content-Disposition"]


def test_a_download_whose_file_is_shorter_than_recorded_is_refused(
    client, coordinator, seeded_cycle, django_capture_on_commit_callbacks, settings
):
    from pathlib import Path

    client.force_login(coordinator)
    generate(client, seeded_cycle, django_capture_on_commit_callbacks)
    job = ReportJob.objects.get()
    path = Path(settings.MEDIA_ROOT) / job.file
    path.write_bytes(path.read_bytes()[:100])

    assert client.get(reverse("reports:report_download", args=[job.pk])).status_code == 404


def test_the_status_fragment_of_a_finished_job_gives_the_generate_button_back(client, coordinator, seeded_cycle):
    job, _created = services.report_job_request(cycle=seeded_cycle, by=coordinator)
    client.force_login(coordinator)
    url = reverse("reports:report_job_status", args=[job.pk])

    polling = client.get(url).content.decode()
    assert "hx-trigger" in polling and "generate-button" not in polling  # still active: keeps polling

    services.report_job_run(job_id=job.pk, task_id=job.task_id)
    done = client.get(url).content.decode()
    assert "hx-trigger" not in done
    button = re.search(r'<button[^>]*id="generate-button"[^>]*>', done).group(0)
    assert 'hx-swap-oob="true"' in button and "disabled" not in button


def test_a_running_job_without_heartbeat_says_how_long_and_what_happens_next(client, coordinator, seeded_cycle):
    job, _created = services.report_job_request(cycle=seeded_cycle, by=coordinator)
    ReportJob.objects.filter(pk=job.pk).update(
        status=ReportJob.Status.RUNNING, attempts=1, progress=30, heartbeat_at=timezone.now() - timedelta(seconds=95)
    )
    client.force_login(coordinator)

    row = client.get(reverse("reports:report_job_status", args=[job.pk])).content.decode()

    assert "No sign of the worker rendering this report for 95 s." in row
    assert "It will be started again automatically within about a minute." in row
    assert "2 more attempts are allowed." in row


def test_a_fresh_running_job_shows_only_its_progress(client, coordinator, seeded_cycle):
    job, _created = services.report_job_request(cycle=seeded_cycle, by=coordinator)
    ReportJob.objects.filter(pk=job.pk).update(
        status=ReportJob.Status.RUNNING, progress=30, heartbeat_at=timezone.now()
    )
    client.force_login(coordinator)

    row = client.get(reverse("reports:report_job_status", args=[job.pk])).content.decode()

    assert "30%" in row and "No sign of the worker" not in row


@pytest.mark.parametrize(("minutes", "fresh"), [(2, True), (4, False)])
def test_healthz_and_the_report_page_use_one_figure_for_a_worker_seen_recently(
    client, coordinator, seeded_cycle, minutes, fresh
):
    WorkerHeartbeat.objects.create(hostname="w1", seen_at=timezone.now() - timedelta(minutes=minutes))
    job, _created = services.report_job_request(cycle=seeded_cycle, by=coordinator)
    ReportJob.objects.filter(pk=job.pk).update(enqueued_at=timezone.now() - services.QUEUE_GRACE - timedelta(minutes=1))
    client.force_login(coordinator)

    health = client.get("/healthz").json()
    page = client.get(reverse("reports:report_page", args=[seeded_cycle.pk])).content.decode()

    assert health["worker_seen_recently"] is fresh
    assert ("none has been seen in the last minutes" in page) is (not fresh)
    assert "Waiting for the report worker for 3 minutes" in page


@pytest.mark.parametrize("jobs", [1, 10])
def test_the_report_page_costs_the_same_queries_for_one_job_or_ten(
    client, coordinator, seeded_cycle, django_assert_num_queries, jobs
):
    for _n in range(jobs):
        job, _created = services.report_job_request(cycle=seeded_cycle, by=coordinator)
        ReportJob.objects.filter(pk=job.pk).update(status=ReportJob.Status.FAILED, error="stopped")
    ReportJob.objects.filter(pk=job.pk).update(status=ReportJob.Status.RUNNING, heartbeat_at=timezone.now())
    client.force_login(coordinator)
    url = reverse("reports:report_page", args=[seeded_cycle.pk])

    # session, user, two-step device, cycle, coordinator role, the jobs with their requesters, last worker heartbeat,
    # the sections of the last public summary (offered ticked again)
    with django_assert_num_queries(8):
        response = client.get(url)

    assert response.content.decode().count('id="job-') == jobs
