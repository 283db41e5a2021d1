"""Journey: the coordinator builds the national action plan from the suggestions, assigns a lead
organisation, a focal point of that organisation posts an update, the coordinator downloads the plan PDF.

Screenshots of the plan page (English and Arabic) and the PDF go to ``test-results/plan/``.
"""

import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from plans.models import Action, Plan, ProgressUpdate
from tests.reports.conftest import ngo, pdf_text, police, report_cycle, seeded_cycle  # noqa: F401

from .actions import log_in, log_out, switch_language

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "plan"


def test_coordinator_builds_the_plan_a_focal_point_reports_and_the_pdf_is_downloaded(
    new_page,
    seeded_cycle,  # noqa: F811
    coordinator,
    organisation,
    focal_point,  # noqa: F811
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = new_page(viewport={"width": 1280, "height": 900})
    log_in(page, coordinator.username)

    # From the home page to the plan, started in euros.
    page.get_by_role("link", name=f"Action plan — {seeded_cycle.title}").click()
    expect(page.get_by_role("heading", name="National action plan")).to_be_visible()
    page.get_by_label("Currency (ISO 4217)").fill("eur")
    page.get_by_role("button", name="Start the action plan").click()
    expect(page.get_by_text("The action plan is started.")).to_be_visible()

    # Suggestions drawn from the priorities: accept the one for Legislation (C03.1) as it is.
    expect(page.get_by_role("heading", name="Suggestions from the analysis")).to_be_visible()
    expect(page.locator(".suggestion")).to_have_count(5)
    page.get_by_role("button", name="Accept C03.1").click()
    expect(page.get_by_text("Assign the lead organisation, the dates and the cost.")).to_be_visible()
    expect(page.locator(".suggestion")).to_have_count(4)
    action = Action.objects.get()

    # Edit it in place: the lead organisation, a due date and the cost.
    page.get_by_role("link", name=f"Edit {action.title}").click()
    row = page.locator(f"#action-{action.pk}")
    row.get_by_label("Lead organisation").select_option(label=organisation.name)
    row.get_by_label("Due").fill("2027-06-30")
    row.get_by_label("Estimated cost").fill("12500.50")
    row.get_by_role("button", name="Save").click()
    expect(row.get_by_text(organisation.name)).to_be_visible()
    expect(page.locator(f"#action-{action.pk} form")).to_have_count(0)
    action.refresh_from_db()
    assert (action.lead_organisation, str(action.estimated_cost)) == (organisation, "12500.50")
    page.reload()
    expect(page.locator("#total-gap")).to_have_text("EUR 12,500.50")
    page.screenshot(path=str(SHOTS / "plan-en.png"), full_page=True)
    log_out(page)

    # The ministry's focal point sees it among "our actions" and reports progress.
    fp_page = new_page(viewport={"width": 1280, "height": 900})
    log_in(fp_page, focal_point.username)
    our = fp_page.locator("section", has=fp_page.get_by_role("heading", name="Our actions"))
    fp_page.screenshot(path=str(SHOTS / "home-our-actions-en.png"), full_page=True)
    our.get_by_role("link", name=action.title).click()
    fp_page.get_by_label("Status").select_option(label="In progress")
    fp_page.get_by_label("Progress (%)").fill("40")
    fp_page.get_by_label("What happened").fill("The amendment is with the Council of Ministers.")
    fp_page.get_by_label("Evidence").fill("Cabinet agenda of 12 May")
    fp_page.get_by_role("button", name="Post the update").click()
    expect(fp_page.get_by_text("Your progress update is saved.")).to_be_visible()
    assert ProgressUpdate.objects.get().by == focal_point
    fp_page.screenshot(path=str(SHOTS / "action-en.png"), full_page=True)

    # The coordinator sees the update, generates the plan PDF and downloads it.
    log_in(page, coordinator.username)
    page.goto(f"/cycles/{seeded_cycle.pk}/plan/")
    expect(page.get_by_text("The amendment is with the Council of Ministers.")).to_be_visible()
    page.get_by_role("button", name="Generate the plan PDF").click()
    link = page.get_by_role("link", name="Download the plan PDF")
    expect(link).to_be_visible(timeout=60_000)
    with page.expect_download() as download_info:
        link.click()
    pdf = download_info.value.path().read_bytes()
    (SHOTS / "plan-en.pdf").write_bytes(pdf)
    text = pdf_text(pdf)
    assert "National action plan" in text and action.title in text and "12,500.50" in text
    assert len(PdfReader(io.BytesIO(pdf)).pages) == Plan.objects.get().jobs.get().pages

    # The same page in Arabic, right to left.
    switch_language(page, "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.screenshot(path=str(SHOTS / "plan-ar.png"), full_page=True)
    expect(page.locator("#total-gap")).to_have_text("\u206612.500,50\u2069 \u2066EUR\u2069")  # grouped, amount first
    expect(page.locator(".plan-timeline .tl-bar").first).to_have_attribute("style", re.compile(r"^right: "))
