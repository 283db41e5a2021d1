"""The report page as a coordinator sees it, in English and Arabic: job states, languages, the button back."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reports import services
from reports.models import ReportJob
from tests.reports.conftest import ngo, police, report_cycle, seeded_cycle  # noqa: F401

from .actions import log_in, switch_language
from .conftest import RESULTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = RESULTS  # test-results/, ignored by git


def test_report_page_in_english_and_arabic(page, seeded_cycle, coordinator):  # noqa: F811
    done, _created = services.report_job_request(cycle=seeded_cycle, by=coordinator, language="ar")
    services.report_job_run(job_id=done.pk, task_id=done.task_id)
    stale, _created = services.report_job_request(cycle=seeded_cycle, by=coordinator, language="fr")
    ReportJob.objects.filter(pk=stale.pk).update(
        status=ReportJob.Status.RUNNING, attempts=1, progress=30, heartbeat_at=timezone.now() - timedelta(seconds=95)
    )
    log_in(page, coordinator.username)
    page.goto(f"/cycles/{seeded_cycle.pk}/report/")
    expect(page.get_by_text("No sign of the worker rendering this report")).to_be_visible()
    expect(page.get_by_role("button", name="Generate report")).to_be_disabled()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "report-page-en.png"), full_page=True)

    # The job ends while the page is open: the row stops polling and the button is usable again.
    assert services.report_jobs_reconcile() == [stale.pk]  # built-in mode: re-rendered at once
    expect(page.locator(f"#job-{stale.pk}").get_by_role("link", name="Download PDF")).to_be_visible()
    expect(page.get_by_role("button", name="Generate report")).to_be_enabled()

    switch_language(page, "ar")
    page.goto(f"/cycles/{seeded_cycle.pk}/report/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator(f"#job-{done.pk} td[lang=ar]")).to_have_text("العربيّة")
    page.screenshot(path=str(SHOTS / "report-page-ar.png"), full_page=True)
