"""Journey 2: a coordinator runs a cycle from creation to the downloaded gap report."""

import io
import re
from datetime import date, timedelta

import pytest
from django.core import mail
from playwright.sync_api import expect
from pypdf import PdfReader

from assessments import services
from assessments.models import Cycle, Organisation, Submission
from reports.models import ReportJob, ValidatedLevel

from .actions import log_in

pytestmark = pytest.mark.browser


def answer_all(submission, by, levels):
    """What a focal point does in journey 3, done here through the services to keep this test on the coordinator."""
    for answer in submission.answers.select_related("indicator"):
        level = levels.get(answer.indicator.code, "2")
        evidence = "Penal code, article 12 (https://example.org/code)" if int(level) >= 3 else ""
        services.answer_save(
            answer=answer, choice=level, evidence=evidence, comment="", base_version=answer.version, by=by
        )
    services.submission_submit(submission=submission, by=by)


def test_coordinator_runs_a_cycle_and_downloads_the_gap_report(
    page, tiny_framework, coordinator, organisation, focal_point, django_user_model
):
    log_in(page, coordinator.username)

    # Create the cycle.
    page.get_by_role("link", name="Create a cycle").click()
    page.get_by_label("Framework version").select_option(label=str(tiny_framework))
    page.get_by_label("Title").fill("Review 2026")
    page.get_by_label("Period covered").fill("2025–2026")
    page.get_by_label("Opens on").fill(date.today().isoformat())
    page.get_by_label("Closes on").fill((date.today() + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Create cycle").click()
    expect(page.get_by_text("Cycle created.")).to_be_visible()
    cycle = Cycle.objects.get(title="Review 2026")

    # Invite organisations: one that exists, one new, and a focal point for the new one.
    page.get_by_label("Existing organisation").select_option(label=organisation.name)
    page.get_by_role("button", name="Add organisation").click()
    expect(page.get_by_text(f"\u2068{organisation.name}\u2069 takes part in the cycle.")).to_be_visible()
    page.get_by_label("…or a new organisation's name").fill("Border Police")
    page.get_by_label("Its sector").select_option(label="Law enforcement")
    page.get_by_role("button", name="Add organisation").click()
    expect(page.get_by_text("\u2068Border Police\u2069 takes part in the cycle.")).to_be_visible()
    page.locator("#invite_organisation").select_option(label="Border Police")
    page.get_by_label("E-mail").fill("inspector@police.example.org")
    page.get_by_label("First name").fill("Ines")
    page.get_by_label("Last name").fill("Pector")
    page.get_by_role("button", name="Invite focal point").click()
    expect(page.get_by_text("Invitation sent to \u2068inspector@police.example.org\u2069 for \u2068Border Police\u2069.")).to_be_visible()
    assert mail.outbox[-1].to == ["inspector@police.example.org"]
    assert "/accounts/reset/" in mail.outbox[-1].body

    # Open it: every organisation's questionnaire appears, nothing answered yet.
    page.get_by_role("button", name="Open the cycle").click()
    expect(page.get_by_text("The cycle is open")).to_be_visible()
    participants = page.locator("#participants")
    expect(participants.get_by_role("row").filter(has_text=organisation.name)).to_contain_text("0/3")

    # The focal points answer; they disagree on capability 3 (legislation).
    police = Organisation.objects.get(name="Border Police")
    inspector = django_user_model.objects.get(email="inspector@police.example.org")
    ministry_sub = Submission.objects.get(cycle=cycle, organisation=organisation)
    police_sub = Submission.objects.get(cycle=cycle, organisation=police)
    answer_all(ministry_sub, focal_point, {"C03.1": "4"})
    answer_all(police_sub, inspector, {"C03.1": "1"})

    # Follow progress.
    page.reload()
    expect(participants.get_by_role("row").filter(has_text="Border Police")).to_contain_text("Submitted")
    expect(participants.get_by_role("row").filter(has_text="Border Police")).to_contain_text("3/3")

    # Accept the ministry, return the police once, accept the corrected answers.
    participants.get_by_role("row").filter(has_text=organisation.name).get_by_role("link", name="Read").click()
    page.get_by_role("button", name="Accept the answers").click()
    expect(page.get_by_text(f"Accepted the answers of \u2068{organisation.name}\u2069.")).to_be_visible()
    page.goto(f"/questionnaires/{police_sub.pk}/")
    page.get_by_label("What should the organisation change?").fill("Please cite the law for C03.1.")
    page.get_by_role("button", name="Return for changes").click()
    expect(page.locator("#submission-status")).to_have_text("Returned for changes")
    police_sub.refresh_from_db()
    answer = police_sub.answers.get(indicator__code="C03.1")
    services.answer_save(
        answer=answer, choice="1", evidence="Draft bill only.", comment="", base_version=answer.version, by=inspector
    )
    services.submission_submit(submission=police_sub, by=inspector)
    page.reload()
    page.get_by_role("button", name="Accept the answers").click()
    expect(page.locator("#submission-status")).to_have_text("Accepted")

    # Resolve the contested capability with a validated level.
    page.goto(f"/cycles/{cycle.pk}/analysis/")
    expect(page.locator("#contested-3")).to_contain_text("3. Legislation")
    row = page.locator("#validate-3")
    row.get_by_label("Validated level").select_option("2")
    row.get_by_label("Rationale").fill("Agreed at the committee meeting: the law exists but is not applied.")
    row.get_by_role("button", name=re.compile("Save")).click()
    expect(page.get_by_text("Saved the validated level of \u20683. Legislation\u2069.")).to_be_visible()
    assert ValidatedLevel.objects.get(cycle=cycle, capability__number=3).level == 2

    # Generate the gap report and download the PDF.
    page.get_by_role("link", name="Gap report (PDF)").click()
    page.get_by_role("button", name="Generate report").click()
    download_link = page.get_by_role("link", name="Download PDF")
    expect(download_link).to_be_visible(timeout=60_000)
    with page.expect_download() as download_info:
        download_link.click()
    pdf = download_info.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Review 2026" in text and cycle.country.name in text
    assert "Validated national level 2" in text
    assert ReportJob.objects.get(cycle=cycle).status == ReportJob.Status.DONE
