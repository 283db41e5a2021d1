"""The plan PDF: a job with frozen data, rendered through the gap report's fetcher, in the report language."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from plans import pdf, services
from plans.models import PlanJob
from tests.reports.conftest import pdf_text

from .conftest import add_action

pytestmark = pytest.mark.django_db


def test_the_coordinator_generates_and_downloads_the_plan_pdf(
    client, plan, action, coordinator, focal_point, django_capture_on_commit_callbacks
):
    services.funding_add(action=action, source="donor", funder="Fund X", amount=Decimal("2500"), by=coordinator)
    add_action(plan, coordinator, number=3, cost="500", title="Draft the grooming offence")
    services.plan_endorse(
        plan=plan, endorsed_on=date.today(), endorsed_by="National Committee", note="", by=coordinator
    )
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("plans:plan_pdf_generate", args=[plan.cycle_id]), {"language": "en"})

    assert response.status_code == 302
    job = PlanJob.objects.get()
    assert job.status == PlanJob.Status.DONE and job.pages >= 3
    client.force_login(focal_point)  # readers of the plan download it too
    download = client.get(reverse("plans:plan_pdf_download", args=[job.pk]))
    body = b"".join(download.streaming_content)
    text = pdf_text(body)
    assert "National action plan" in text and "Fund the national council" in text
    assert "EUR 10,500.00" in text and "8,000.00" in text  # total cost (as English writes money); funding gap
    assert "Legislation" in text and "National Committee" in text
    assert len(PdfReader(io.BytesIO(body)).pages) == job.pages


def test_the_pdf_is_rendered_from_the_frozen_data_only(plan, action, coordinator):
    job, created = pdf.plan_job_request(plan=plan, by=coordinator, language="en")
    assert created
    services.action_update(action=action, base_version=action.version, by=coordinator, title="Renamed later")

    assert pdf.plan_job_run(job_id=job.pk, task_id=job.task_id) == PlanJob.Status.DONE
    html = pdf.render_plan_html(PlanJob.objects.get(pk=job.pk).data)
    assert "Fund the national council" in html and "Renamed later" not in html
    assert pdf.plan_job_run(job_id=job.pk, task_id="someone-else") == "skipped"


def test_the_arabic_plan_pdf_reads_right_to_left(plan, action, coordinator):
    job, _created = pdf.plan_job_request(plan=plan, by=coordinator, language="ar")
    html = pdf.render_plan_html(job.data)
    assert 'lang="ar" dir="rtl"' in html
    data, pages = pdf.render_plan_pdf(job.data)
    assert data.startswith(b"%PDF") and pages >= 3


def test_a_second_request_while_one_is_active_returns_the_same_job(plan, action, coordinator):
    first, created = pdf.plan_job_request(plan=plan, by=coordinator, language="en")
    second, again = pdf.plan_job_request(plan=plan, by=coordinator, language="en")
    assert created and not again and first.pk == second.pk
