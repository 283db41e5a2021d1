"""Journey: the coordinator reviews a submission on one page, comments on an indicator and returns it; the focal
point reads the reason and the comment beside the answer. Then each page is printed: a clean document.

Screenshots and printed PDFs are written to ``test-results/review/`` so that a person can look at them.
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from assessments import services
from assessments.models import ReviewComment, Submission

from .a11y import Audit
from .actions import log_in, switch_language

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "review"


def answered_and_submitted(submission, by):
    for answer in submission.answers.select_related("indicator"):
        level, evidence = (
            ("3", "Decree 12/2024, https://example.org/d12") if answer.indicator.code == "C01.1" else ("2", "")
        )
        services.answer_save(
            answer=answer, choice=level, evidence=evidence, comment="Meets quarterly.", base_version=0, by=by
        )
    services.submission_submit(submission=submission, by=by)


def shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def assert_prints_clean(page, name):
    """In print media: no navigation bar, no button, no language switcher, no save state; then the PDF."""
    page.emulate_media(media="print")
    expect(page.locator("header")).to_be_hidden()
    for locator in (page.get_by_role("button"), page.locator(".save-state"), page.locator(".questionnaire-nav")):
        for i in range(locator.count()):
            expect(locator.nth(i)).to_be_hidden()
    expect(page.locator("h1")).to_be_visible()
    shoot(page, f"{name}-print")
    page.pdf(path=f"{SHOTS}/{name}.pdf", format="A4")
    page.emulate_media(media="screen")


def test_coordinator_reviews_on_one_page_and_the_focal_point_reads_the_comments(
    new_page, submission, coordinator, focal_point
):
    answered_and_submitted(submission, focal_point)

    # The coordinator opens the review from the questionnaire's summary.
    coord = new_page(bypass_csp=True)
    audit = Audit()
    log_in(coord, coordinator.username)
    coord.goto(submission.get_absolute_url())
    coord.get_by_role("link", name="Review on one page and comment").click()
    expect(coord.get_by_role("heading", name="Review: Ministry of Interior")).to_be_visible()
    expect(coord.get_by_role("heading", name="Capability 1: Leadership")).to_be_visible()
    expect(coord.get_by_role("heading", name="Capability 3: Legislation")).to_be_visible()
    card = coord.locator("#ind-C01\\.1")
    expect(card).to_contain_text("Level 3 · Established — Meets regularly.")
    expect(card.get_by_role("link", name="https://example.org/d12")).to_be_visible()

    # A comment on C01.1: added, then changed.
    card.get_by_text("Add a review comment").click()
    card.get_by_label("Review comment C01.1").fill("Which article of the decree sets up the board?")
    card.get_by_role("button", name="Add comment").click()
    expect(coord.get_by_text("Review comment on C01.1 saved.")).to_be_visible()
    assert coord.url.endswith("#ind-C01.1")
    card = coord.locator("#ind-C01\\.1")
    expect(card).to_contain_text("Draft by Cora Mendes")
    card.get_by_label("Review comment C01.1").fill("Which article of the decree sets up the board? Link it.")
    card.get_by_role("button", name="Save comment").click()
    expect(coord.get_by_text("Review comment on C01.1 saved.")).to_be_visible()
    expect(coord.get_by_text("1 review comment is sent with the return.")).to_be_visible()
    audit.check(coord, "review page")
    shoot(coord, "review-en")
    assert_prints_clean(coord, "review-en")
    # Printed, the draft comment's text shows but not the empty boxes of the other indicators.
    coord.emulate_media(media="print")
    expect(coord.locator("#ind-C01\\.1 textarea")).to_be_visible()
    expect(coord.locator("#ind-C03\\.1 textarea")).to_be_hidden()
    coord.emulate_media(media="screen")
    switch_language(coord, "ar")
    expect(coord.locator("html")).to_have_attribute("dir", "rtl")
    audit.check(coord, "review page (ar)")
    shoot(coord, "review-ar")
    assert_prints_clean(coord, "review-ar")
    switch_language(coord, "en")

    # Returned with the reason and the comment.
    coord.get_by_label("What should the organisation change?").fill("Please link the decree; see the comment.")
    coord.get_by_role("button", name="Return for changes").click()
    expect(
        coord.get_by_text("Returned to \u2068Ministry of Interior\u2069 with your request and 1 review comment.")
    ).to_be_visible()
    submission.refresh_from_db()
    assert submission.status == Submission.Status.RETURNED
    assert ReviewComment.objects.get().sent_at == submission.reviewed_at

    # The focal point reads the reason and the comment on the capability page, beside the answer.
    fp = new_page(bypass_csp=True)
    log_in(fp, focal_point.username)
    fp.goto(submission.get_absolute_url())
    fp.locator("#returned-comments").get_by_role("link", name="C01.1").click()
    expect(fp.get_by_role("heading", name="Capability 1: Leadership")).to_be_visible()
    reason = fp.locator(".return-reason")
    expect(reason).to_contain_text("Please link the decree; see the comment.")
    expect(reason).to_contain_text("1 review comment on this page is shown beside its answer.")
    comment = fp.locator("#ind-C01\\.1 .review-comment")
    expect(comment).to_contain_text("Review comment from Cora Mendes, sent with the return of")
    expect(comment).to_contain_text("Which article of the decree sets up the board? Link it.")
    expect(fp.locator("#ind-C01\\.1 form.answer-form")).to_be_visible()  # still answerable, below the comment
    audit.check(fp, "capability page with a review comment")
    shoot(fp, "capability-en")
    assert_prints_clean(fp, "capability-en")
    # Printed, an answer shows its chosen level only, and what was typed.
    fp.emulate_media(media="print")
    card = fp.locator("#ind-C01\\.1")
    expect(card.locator(".form-check").filter(has_text=re.compile("Established"))).to_be_visible()
    expect(card.locator(".form-check").filter(has_text=re.compile("Not in place"))).to_be_hidden()
    expect(card.get_by_role("radio").first).to_be_hidden()
    fp.emulate_media(media="screen")
    switch_language(fp, "ar")
    shoot(fp, "capability-ar")
    assert_prints_clean(fp, "capability-ar")
    switch_language(fp, "en")
    fp.goto(submission.get_absolute_url())
    shoot(fp, "questionnaire-en")
    assert_prints_clean(fp, "questionnaire-en")
    audit.assert_clean()
