"""WCAG 2.2 AA: axe-core finds no serious or critical violation on the main pages, in English and Arabic."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessments import services
from reports.models import ReportJob
from tests.factories import PASSWORD

from .a11y import Audit, assert_reflows
from .actions import SAVED, log_in, switch_language

pytestmark = pytest.mark.browser


def answer_and_submit(submission, by):
    for answer in submission.answers.select_related("indicator"):
        level, evidence = ("3", "Penal code, article 12") if answer.indicator.code == "C03.1" else ("1", "")
        services.answer_save(
            answer=answer, choice=level, evidence=evidence, comment="", base_version=answer.version, by=by
        )
    services.submission_submit(submission=submission, by=by)


def test_public_pages(new_page, db):
    page, audit = new_page(bypass_csp=True), Audit()
    page.goto("/accounts/login/")
    audit.check(page, "login")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".invalid-feedback, .alert-danger").first).to_be_visible()
    audit.check(page, "login with errors")
    switch_language(page, "ar")
    audit.check(page, "login (ar)")
    switch_language(page, "en")
    page.goto("/admin/login/")
    audit.check(page, "admin login")
    audit.assert_clean()


def test_focal_point_pages(new_page, submission, answer, focal_point):
    page, audit = new_page(bypass_csp=True), Audit()
    log_in(page, focal_point.username)
    audit.check(page, "home (focal point)")
    capability_url = f"/questionnaires/{submission.pk}/capabilities/1/"
    page.goto(capability_url)
    audit.check(page, "capability")

    # An answer saved, then one refused: the states and the error messages tied to their fields.
    card = page.locator("#ind-C01\\.1")
    card.get_by_role("radio").first.check()
    expect(page.locator(f"#state-{answer.pk}")).to_have_text(SAVED)
    card.get_by_role("radio").nth(3).check()
    error = page.locator(f"#err-{answer.pk}-evidence")
    expect(error).not_to_be_empty()
    evidence = card.get_by_label("Evidence", exact=True)
    expect(evidence).to_have_attribute("aria-describedby", re.compile(rf"\berr-{answer.pk}-evidence\b"))
    expect(evidence).to_have_attribute("aria-invalid", "true")
    # The live region that announces "Saving…", "Saved" and errors is not itself replaced by htmx.
    expect(page.locator(f"[role=status]:has(> #state-{answer.pk})")).to_have_attribute("aria-live", "polite")
    expect(card.locator("fieldset > legend")).to_contain_text("Maturity level")
    audit.check(page, "capability with an error")

    page.goto(f"/questionnaires/{submission.pk}/")
    audit.check(page, "questionnaire summary")
    for path, name in (("history/", "answer history"), ("workbook/upload/", "workbook upload")):
        page.goto(f"/questionnaires/{submission.pk}/{path}")
        audit.check(page, name)

    assert_reflows(page, ["/", capability_url, f"/questionnaires/{submission.pk}/"])

    switch_language(page, "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    audit.check(page, "questionnaire summary (ar)")
    page.goto(capability_url)
    audit.check(page, "capability (ar)")
    page.goto("/")
    audit.check(page, "home (focal point, ar)")
    audit.assert_clean()


def test_coordinator_pages(new_page, cycle, submission, focal_point, coordinator):
    answer_and_submit(submission, focal_point)
    finished = timezone.now()
    ReportJob.objects.create(
        cycle=cycle,
        requested_by=coordinator,
        status=ReportJob.Status.DONE,
        progress=100,
        data={},
        file="reports/gap-report.pdf",
        file_size=120_000,
        pages=14,
        started_at=finished - timedelta(seconds=6),
        finished_at=finished,
    )
    page, audit = new_page(bypass_csp=True), Audit()
    log_in(page, coordinator.username)
    audit.check(page, "home (coordinator)")
    page.goto(f"/cycles/{cycle.pk}/")
    audit.check(page, "cycle overview")
    page.goto(f"/cycles/{cycle.pk}/analysis/")
    # The charts are named images; their figures are also a table, one row per capability.
    expect(page.locator(".chart[role=img][aria-label]")).to_have_count(2)
    page.locator("#chart-data > summary").click()
    expect(page.locator("#chart-data tbody tr")).to_have_count(3)
    expect(page.locator("#chart-data tbody tr").nth(1)).to_contain_text("3. Legislation")
    audit.check(page, "analysis")
    page.goto(f"/cycles/{cycle.pk}/report/")
    expect(page.get_by_role("link", name="Download PDF")).to_be_visible()
    audit.check(page, "report status")
    for path, name in (
        (f"/cycles/{cycle.pk}/targets/", "target levels"),
        ("/cycles/new/", "cycle creation"),
        ("/audit/", "audit trail"),
        ("/accounts/2fa/", "two-step verification settings"),
        ("/accounts/2fa/setup/", "two-step verification setup"),
    ):
        page.goto(path)
        audit.check(page, name)
    assert_reflows(page, [f"/cycles/{cycle.pk}/", f"/cycles/{cycle.pk}/analysis/", f"/cycles/{cycle.pk}/report/"])
    page.goto(f"/cycles/{cycle.pk}/report/")
    switch_language(page, "ar")
    audit.check(page, "report status (ar)")
    page.goto("/")
    audit.check(page, "home (coordinator, ar)")

    # The second step of a later login, with a wrong code, in the language the coordinator chose (Arabic).
    other = new_page(bypass_csp=True)
    other.goto("/accounts/login/")
    other.locator("#id_username").fill(coordinator.username)
    other.locator("#id_password").fill(PASSWORD)
    other.locator("#id_password").press("Enter")
    code = other.locator("input[name=code]")
    code.fill("000000")
    code.press("Enter")
    expect(code).to_have_attribute("aria-invalid", "true")
    expect(other.locator("html")).to_have_attribute("dir", "rtl")
    audit.check(other, "two-step verification code, with an error (ar)")
    audit.assert_clean()
