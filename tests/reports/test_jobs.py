"""Report jobs: requesting, running twice, failing, retrying, reconciling, and who may see them.

Celery runs eagerly here (see ``_test_settings`` in tests/conftest.py); jobs are enqueued on commit, so
requests that enqueue run inside ``django_capture_on_commit_callbacks(execute=True)``.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from assessments.models import Answer, AuditEvent
from reports import services
from reports.consolidation import cycle_report_data
from reports.models import ReportJob
from tests.reports.conftest import pdf_text

pytestmark = pytest.mark.django_db


def generate(client, cycle, capture):
    with capture(execute=True):
        return client.post(reverse("reports:report_generate", args=[cycle.pk]))


def job_file(job):
    return Path(settings.MEDIA_ROOT) / job.file


@pytest.fixture
def done_job(seeded_cycle, coordinator):
    """A job rendered by calling the service, as the worker would."""
    job, _created = services.report_job_request(cycle=seeded_cycle, by=coordinator)
    assert services.report_job_run(job_id=job.pk, task_id=job.task_id) == ReportJob.Status.DONE
    job.refresh_from_db()
    return job


@pytest.fixture
def enqueued(monkeypatch):
    """Stand in for the broker: record what would be enqueued instead of running it."""
    calls = []
    monkeypatch.setattr(services, "_enqueue", lambda job_id, task_id: calls.append((job_id, task_id)))
    return calls


# Requesting and rendering -------------------------------------------------------------------------------


def test_generate_renders_one_job_to_a_file_and_the_page_offers_the_download(
    client, coordinator, seeded_cycle, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)

    response = generate(client, seeded_cycle, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response.url == reverse("reports:report_page", args=[seeded_cycle.pk])
    job = ReportJob.objects.get()
    assert (job.status, job.progress, job.attempts, job.error) == (ReportJob.Status.DONE, 100, 1, "")
    assert job.requested_by == coordinator
    assert job_file(job).is_file()
    assert job_file(job).resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert job.file_size == job_file(job).stat().st_size
    assert job.pages > 5
    assert AuditEvent.objects.filter(action=AuditEvent.Action.REPORT_REQUESTED, cycle=seeded_cycle).count() == 1
    page = client.get(response.url)
    assert page.status_code == 200
    assert "Download PDF" in page.content.decode()
    assert reverse("reports:report_download", args=[job.pk]) in page.content.decode()


def test_job_status_fragment_shows_the_ready_job_with_its_download(client, coordinator, done_job):
    client.force_login(coordinator)

    response = client.get(reverse("reports:report_job_status", args=[done_job.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<tr id="job-{done_job.pk}"')
    assert "Ready" in body and "Download PDF" in body
    assert "hx-trigger" not in body  # a finished job stops polling


def test_download_returns_the_pdf_as_an_attachment_and_is_audited(client, coordinator, done_job):
    client.force_login(coordinator)

    response = client.get(reverse("reports:report_download", args=[done_job.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    day = timezone.localdate(done_job.finished_at).isoformat()
    assert f"MNR-gap-report-AA-National-assessment-2026-en-{day}.pdf" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF")
    assert body == job_file(done_job).read_bytes()
    event = AuditEvent.objects.get(action=AuditEvent.Action.REPORT_DOWNLOADED)
    assert (event.user, event.cycle_id, event.detail) == (coordinator, done_job.cycle_id, f"job {done_job.pk}")


def test_download_of_a_job_that_is_not_ready_is_not_found(client, coordinator, seeded_cycle):
    job = ReportJob.objects.create(cycle=seeded_cycle, data={})
    client.force_login(coordinator)

    assert client.get(reverse("reports:report_download", args=[job.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.REPORT_DOWNLOADED).exists()


def test_download_of_a_job_whose_file_is_missing_is_not_found(client, coordinator, done_job):
    job_file(done_job).unlink()
    client.force_login(coordinator)

    assert client.get(reverse("reports:report_download", args=[done_job.pk])).status_code == 404


def test_generate_while_a_job_is_active_creates_no_second_job(
    client, coordinator, seeded_cycle, django_capture_on_commit_callbacks
):
    active = ReportJob.objects.create(
        cycle=seeded_cycle, data={}, status=ReportJob.Status.QUEUED, requested_by=coordinator
    )
    client.force_login(coordinator)

    response = generate(client, seeded_cycle, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert list(ReportJob.objects.all()) == [active]
    page = client.get(response.url).content.decode()
    assert "already being prepared" in page
    assert "disabled" in page.split("Generate report")[0].rsplit("<button", 1)[1]


def test_the_report_page_lists_a_job_whose_requester_was_deleted(client, coordinator, seeded_cycle, django_user_model):
    leaver = django_user_model.objects.create_user("leaver", "leaver@example.org", "a-long-password-1")
    ReportJob.objects.create(cycle=seeded_cycle, data={}, status=ReportJob.Status.QUEUED, requested_by=leaver)
    leaver.delete()
    client.force_login(coordinator)

    response = client.get(reverse("reports:report_page", args=[seeded_cycle.pk]))

    assert response.status_code == 200
    assert "Queued" in response.content.decode()


def test_the_database_rejects_a_second_active_job_for_a_cycle(seeded_cycle):
    ReportJob.objects.create(cycle=seeded_cycle, data={}, status=ReportJob.Status.QUEUED)

    with pytest.raises(IntegrityError, match="one_active_report_job_per_cycle|UNIQUE constraint"):
        with transaction.atomic():
            ReportJob.objects.create(cycle=seeded_cycle, data={}, status=ReportJob.Status.RUNNING)

    assert ReportJob.objects.count() == 1


def test_finished_jobs_do_not_block_a_new_one(seeded_cycle, coordinator, done_job, enqueued):
    job, created = services.report_job_request(cycle=seeded_cycle, by=coordinator)

    assert created
    assert job.pk != done_job.pk
    assert ReportJob.objects.active().get() == job


def test_request_freezes_the_report_data_in_the_job(seeded_cycle, coordinator, enqueued):
    job, created = services.report_job_request(cycle=seeded_cycle, by=coordinator)

    assert created
    job.refresh_from_db()
    assert job.status == ReportJob.Status.QUEUED
    assert job.data["priorities"][0] == {"capability": 3, "gap": 2.0, "weight": 1.5, "score": 3.0}
    assert job.data["meta"]["country"] == "Arcadia"


# Running twice, stale messages ----------------------------------------------------------------------------


def test_running_a_job_twice_with_the_same_task_id_renders_it_once(seeded_cycle, coordinator):
    job, _created = services.report_job_request(cycle=seeded_cycle, by=coordinator)

    first = services.report_job_run(job_id=job.pk, task_id=job.task_id)
    job.refresh_from_db()
    written = job_file(job).stat().st_mtime_ns
    second = services.report_job_run(job_id=job.pk, task_id=job.task_id)

    assert (first, second) == (ReportJob.Status.DONE, "skipped")
    job.refresh_from_db()
    assert (job.status, job.attempts) == (ReportJob.Status.DONE, 1)
    assert ReportJob.objects.count() == 1
    assert job_file(job).stat().st_mtime_ns == written
    assert [p.name for p in job_file(job).parent.iterdir()] == [job_file(job).name]


def test_a_message_with_a_stale_task_id_is_skipped(seeded_cycle, coordinator):
    job, _created = services.report_job_request(cycle=seeded_cycle, by=coordinator)

    assert services.report_job_run(job_id=job.pk, task_id="an-old-message") == "skipped"

    job.refresh_from_db()
    assert (job.status, job.attempts, job.file) == (ReportJob.Status.QUEUED, 0, "")


def test_a_job_claimed_more_than_max_attempts_times_gives_up(seeded_cycle, coordinator):
    job, _created = services.report_job_request(cycle=seeded_cycle, by=coordinator)
    ReportJob.objects.filter(pk=job.pk).update(status=ReportJob.Status.RUNNING, attempts=services.MAX_ATTEMPTS)

    assert services.report_job_run(job_id=job.pk, task_id=job.task_id) == ReportJob.Status.FAILED

    job.refresh_from_db()
    assert job.status == ReportJob.Status.FAILED
    assert "interrupted 3 times" in job.error
    assert job.file == ""


# Failure and retry -----------------------------------------------------------------------------------------


def test_a_render_that_raises_fails_the_job_with_a_readable_error_and_try_again_renders_it(
    client, coordinator, seeded_cycle, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(data, *, on_progress=None):
        raise RuntimeError("fontconfig cache is unreadable")

    monkeypatch.setattr(services, "render_report_pdf", broken)
    client.force_login(coordinator)

    generate(client, seeded_cycle, django_capture_on_commit_callbacks)

    job = ReportJob.objects.get()
    assert job.status == ReportJob.Status.FAILED
    assert job.error == "The report could not be rendered: RuntimeError: fontconfig cache is unreadable"
    page = client.get(reverse("reports:report_page", args=[seeded_cycle.pk])).content.decode()
    assert "The report could not be rendered: RuntimeError: fontconfig cache is unreadable" in page
    assert "Try again" in page
    assert reverse("reports:report_job_retry", args=[job.pk]) in page

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:report_job_retry", args=[job.pk]))

    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.error, job.attempts) == (ReportJob.Status.DONE, "", 1)
    assert job_file(job).read_bytes().startswith(b"%PDF")
    assert ReportJob.objects.count() == 1


def test_only_a_failed_job_can_be_retried(client, coordinator, done_job):
    client.force_login(coordinator)

    response = client.post(reverse("reports:report_job_retry", args=[done_job.pk]), follow=True)

    assert "Only a failed report can be retried." in response.content.decode()
    done_job.refresh_from_db()
    assert done_job.status == ReportJob.Status.DONE


# Reconciliation --------------------------------------------------------------------------------------------


@pytest.fixture
def more_cycles(tiny_framework, country_a, organisation, coordinator):
    """Three more cycles of country A: one active job per cycle is all the database allows."""
    from tests.factories import make_cycle

    return [
        make_cycle(
            country=country_a,
            framework_version=tiny_framework,
            organisations=[organisation],
            by=coordinator,
            title=f"Review {n}",
        )
        for n in range(3)
    ]


def test_reconcile_requeues_lost_jobs_and_gives_up_on_jobs_that_keep_dying(seeded_cycle, more_cycles, enqueued):
    now = timezone.now()
    old_heartbeat = now - services.running_lease() - timezone.timedelta(seconds=1)
    lost_message = ReportJob.objects.create(
        cycle=seeded_cycle,
        data={},
        task_id="lost",
        enqueued_at=now - services.QUEUE_GRACE - timezone.timedelta(seconds=1),
    )
    dead_worker = ReportJob.objects.create(
        cycle=more_cycles[0],
        data={},
        task_id="dead",
        status=ReportJob.Status.RUNNING,
        attempts=1,
        heartbeat_at=old_heartbeat,
    )
    kills_workers = ReportJob.objects.create(
        cycle=more_cycles[1],
        data={},
        task_id="killer",
        status=ReportJob.Status.RUNNING,
        attempts=services.MAX_ATTEMPTS,
        heartbeat_at=old_heartbeat,
    )
    healthy = ReportJob.objects.create(
        cycle=more_cycles[2],
        data={},
        task_id="healthy",
        status=ReportJob.Status.RUNNING,
        attempts=1,
        heartbeat_at=now,
    )

    requeued = services.report_jobs_reconcile(now=now)

    assert sorted(requeued) == sorted([lost_message.pk, dead_worker.pk])
    for job in (lost_message, dead_worker, kills_workers, healthy):
        job.refresh_from_db()
    assert lost_message.status == dead_worker.status == ReportJob.Status.QUEUED
    assert lost_message.task_id not in ("", "lost") and dead_worker.task_id not in ("", "dead")
    assert lost_message.enqueued_at == dead_worker.enqueued_at == now
    assert sorted(enqueued) == sorted([(lost_message.pk, lost_message.task_id), (dead_worker.pk, dead_worker.task_id)])
    assert kills_workers.status == ReportJob.Status.FAILED
    assert "stopped 3 times" in kills_workers.error
    assert (healthy.status, healthy.task_id) == (ReportJob.Status.RUNNING, "healthy")


def test_reconcile_leaves_a_recently_queued_job_alone(seeded_cycle, enqueued):
    ReportJob.objects.create(cycle=seeded_cycle, data={}, task_id="fresh", enqueued_at=timezone.now())

    assert services.report_jobs_reconcile() == []
    assert enqueued == []


def test_a_requeued_job_is_rendered_by_its_new_message_and_the_old_one_is_skipped(seeded_cycle, coordinator, enqueued):
    job, _created = services.report_job_request(cycle=seeded_cycle, by=coordinator)
    old_task_id = job.task_id
    later = timezone.now() + services.QUEUE_GRACE + timezone.timedelta(seconds=1)

    assert services.report_jobs_reconcile(now=later) == [job.pk]
    job.refresh_from_db()

    assert services.report_job_run(job_id=job.pk, task_id=old_task_id) == "skipped"
    assert services.report_job_run(job_id=job.pk, task_id=job.task_id) == ReportJob.Status.DONE


def test_reconcile_task_runs_the_service_eagerly(seeded_cycle, coordinator):
    from reports.tasks import reconcile_report_jobs

    job, _created = services.report_job_request(cycle=seeded_cycle, by=coordinator)  # not enqueued: no commit
    ReportJob.objects.filter(pk=job.pk).update(enqueued_at=timezone.now() - services.QUEUE_GRACE * 2)

    reconcile_report_jobs.delay()

    job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE
    assert job_file(job).is_file()


# Frozen data ---------------------------------------------------------------------------------------------


def test_changing_answers_after_the_job_does_not_change_a_re_render_of_the_job(tmp_path, seeded_cycle, done_job):
    original = pdf_text(job_file(done_job).read_bytes())
    Answer.objects.filter(submission__cycle=seeded_cycle, indicator__code="C03.1").update(choice="4")
    assert cycle_report_data(seeded_cycle)["priorities"][0]["capability"] != 3  # the live data did change
    output = tmp_path / "again.pdf"

    call_command("render_report", str(seeded_cycle.pk), "-o", str(output), "--job", str(done_job.pk))

    assert pdf_text(output.read_bytes()) == original


def test_render_report_command_writes_the_current_report_to_a_file(tmp_path, seeded_cycle, capsys):
    output = tmp_path / "report.pdf"

    call_command("render_report", str(seeded_cycle.pk), "-o", str(output))

    assert output.read_bytes().startswith(b"%PDF")
    assert "Legislation" in pdf_text(output.read_bytes())
    assert f"Wrote {output}: " in capsys.readouterr().out


def test_render_report_command_says_which_cycle_does_not_exist(tmp_path, db):
    output = tmp_path / "report.pdf"

    with pytest.raises(CommandError, match="No cycle with id 999999"):
        call_command("render_report", "999999", "-o", str(output))

    assert not output.exists()


def test_render_report_command_refuses_a_job_of_another_cycle(tmp_path, seeded_cycle, cycle_b, done_job):
    with pytest.raises(CommandError, match=f"No report job {done_job.pk} for cycle {cycle_b.pk}"):
        call_command("render_report", str(cycle_b.pk), "-o", str(tmp_path / "x.pdf"), "--job", str(done_job.pk))


# Permissions ---------------------------------------------------------------------------------------------

JOB_PAGES = ["reports:report_job_status", "reports:report_download"]


@pytest.mark.parametrize("name", JOB_PAGES)
def test_an_outsider_gets_404_on_another_countrys_report_job(client, outsider, done_job, name):
    client.force_login(outsider)

    assert client.get(reverse(name, args=[done_job.pk])).status_code == 404


@pytest.mark.parametrize("name", JOB_PAGES)
def test_an_observer_gets_403_on_the_report_jobs_of_their_country(client, observer, done_job, name):
    client.force_login(observer)

    assert client.get(reverse(name, args=[done_job.pk])).status_code == 403


def test_an_outsider_gets_404_on_the_report_page(client, outsider, seeded_cycle):
    client.force_login(outsider)

    assert client.get(reverse("reports:report_page", args=[seeded_cycle.pk])).status_code == 404


def test_an_observer_gets_403_on_the_report_page(client, observer, seeded_cycle):
    client.force_login(observer)

    assert client.get(reverse("reports:report_page", args=[seeded_cycle.pk])).status_code == 403


@pytest.mark.parametrize(("persona", "status"), [("outsider", 404), ("observer", 403), ("focal_point", 403)])
def test_only_the_coordinator_can_generate_a_report(client, seeded_cycle, persona, status, request):
    client.force_login(request.getfixturevalue(persona))

    assert client.post(reverse("reports:report_generate", args=[seeded_cycle.pk])).status_code == status
    assert not ReportJob.objects.exists()


@pytest.mark.parametrize(("persona", "status"), [("outsider", 404), ("observer", 403)])
def test_only_the_coordinator_can_retry_a_failed_job(client, seeded_cycle, persona, status, request):
    job = ReportJob.objects.create(cycle=seeded_cycle, data={}, status=ReportJob.Status.FAILED, error="boom")
    client.force_login(request.getfixturevalue(persona))

    assert client.post(reverse("reports:report_job_retry", args=[job.pk])).status_code == status
    job.refresh_from_db()
    assert job.status == ReportJob.Status.FAILED


def test_a_focal_point_gets_403_on_the_analysis(client, focal_point, seeded_cycle):
    client.force_login(focal_point)

    assert client.get(reverse("reports:cycle_analysis", args=[seeded_cycle.pk])).status_code == 403


def test_an_outsider_gets_404_on_the_analysis(client, outsider, seeded_cycle):
    client.force_login(outsider)

    assert client.get(reverse("reports:cycle_analysis", args=[seeded_cycle.pk])).status_code == 404


def test_an_observer_sees_the_national_analysis_without_organisation_detail(client, observer, seeded_cycle):
    client.force_login(observer)

    response = client.get(reverse("reports:cycle_analysis", args=[seeded_cycle.pk]))

    assert response.status_code == 200
    body = response.content.decode()
    assert "3. Legislation (0.0–2.0)" in body
    assert "Ministry of Interior" not in body
    assert "Penal code art. 201" not in body
    assert "Heat map" not in body


def test_the_coordinator_sees_each_organisations_answers_on_contested_capabilities(client, coordinator, seeded_cycle):
    client.force_login(coordinator)

    body = client.get(reverse("reports:cycle_analysis", args=[seeded_cycle.pk])).content.decode()
    answers_url = reverse("reports:contested_answers", args=[seeded_cycle.pk, 3])
    assert f'href="{answers_url}"' in body and "Show the answers of the 3 organisations" in body
    assert "Heat map" in body

    fragment = client.get(answers_url, headers={"HX-Request": "true"}).content.decode()

    assert "Ministry of Interior" in fragment
    assert "Penal code art. 201" in fragment


def test_anonymous_users_are_sent_to_login(client, done_job):
    response = client.get(reverse("reports:report_download", args=[done_job.pk]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
