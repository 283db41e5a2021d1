"""Journey 3: a focal point answers over several visits and submits; the coordinator returns it once."""

import re

import pytest
from playwright.sync_api import expect

from assessments.models import AnswerRevision, Submission

from .actions import SAVED, log_in, log_out

pytestmark = pytest.mark.browser


def card(page, code):
    return page.locator(f"#ind-{re.escape(code)}")


def choose(page, code, level):
    """Click a level (``"2"``) or "Don't know" on one indicator's card."""
    name = re.compile(rf"^{level} · ") if level.isdigit() else level
    card(page, code).get_by_role("radio", name=name).check()


def open_questionnaire(page, organisation):
    page.get_by_role("link", name="Home", exact=True).click()
    page.get_by_role("link", name=organisation.name).click()
    expect(page.get_by_role("heading", name=organisation.name, level=1)).to_be_visible()


def home_row(page, organisation):
    return page.get_by_role("row").filter(has_text=organisation.name)


def test_focal_point_answers_over_several_visits_and_submits(page, submission, organisation, focal_point, coordinator):
    """The ministry is asked C01.1 and C01.2 (capability 1) and C03.1 (capability 3)."""
    answers = {a.indicator.code: a for a in submission.answers.select_related("indicator")}
    body, budget, grooming = answers["C01.1"], answers["C01.2"], answers["C03.1"]

    # First visit: nothing answered yet.
    log_in(page, focal_point.username)
    expect(home_row(page, organisation)).to_contain_text("0/3")
    open_questionnaire(page, organisation)
    page.get_by_role("link", name="1. Leadership").click()
    expect(page.get_by_role("heading", name="Capability 1: Leadership")).to_be_visible()

    state = page.locator(f"#state-{body.pk}")
    choose(page, "C01.1", "2")
    expect(state).to_have_text(SAVED)
    body.refresh_from_db()
    assert (body.choice, body.version) == ("2", 1)

    # Level 3 needs evidence: the server refuses it and says why.
    choose(page, "C01.1", "3")
    expect(state).to_have_text("Not saved: correct the answer below.")
    expect(page.locator(f"#err-{body.pk}-evidence")).to_contain_text("Levels 3 and 4 say the arrangement")
    body.refresh_from_db()
    assert (body.choice, body.version) == ("2", 1)

    # Typing the evidence saves once the person pauses (0.8 s debounce), and the side navigation counts it.
    evidence = "Decree 12/2024 founding the national council; https://example.org/decree"
    card(page, "C01.1").get_by_label("Evidence", exact=True).fill(evidence)
    expect(state).to_have_text(SAVED)
    expect(page.locator(f"#err-{body.pk}-evidence")).to_have_text("")
    body.refresh_from_db()
    assert (body.choice, body.evidence, body.version) == ("3", evidence, 2)
    leadership = page.locator("#questionnaire-nav").get_by_role("listitem").filter(has_text="1. Leadership")
    expect(leadership).to_contain_text("(1/2)")

    # Load the page afresh (goto, not reload: a reload may restore form fields from the browser's own memory).
    page.goto(page.url)
    expect(card(page, "C01.1").get_by_role("radio", name=re.compile(r"^3 · "))).to_be_checked()
    expect(card(page, "C01.1").get_by_label("Evidence", exact=True)).to_have_value(evidence)
    expect(state).to_contain_text("by Farid Osei")
    log_out(page)

    # Second visit: the progress remembers; the rest gets answered.
    log_in(page, focal_point.username)
    expect(home_row(page, organisation)).to_contain_text("1/3")
    open_questionnaire(page, organisation)
    page.get_by_role("link", name="1. Leadership").click()
    choose(page, "C01.2", "1")
    expect(page.locator(f"#state-{budget.pk}")).to_have_text(SAVED)
    page.get_by_role("link", name="Next: 3. Legislation").click()
    choose(page, "C03.1", "Don't know")
    expect(page.locator(f"#state-{grooming.pk}")).to_have_text(SAVED)

    page.get_by_role("link", name="Next: Summary and submission").click()
    expect(page.get_by_text("Every indicator has an answer.")).to_be_visible()
    expect(page.locator("#unanswered")).to_have_count(0)
    page.get_by_role("button", name="Submit questionnaire").click()
    expect(page.get_by_text("Submitted. The national coordinator will review your answers.")).to_be_visible()
    expect(page.locator("#submission-status")).to_have_text("Submitted")
    submission.refresh_from_db()
    assert (submission.status, submission.submitted_by) == (Submission.Status.SUBMITTED, focal_point)
    assert dict(submission.answers.values_list("indicator__code", "choice")) == {
        "C01.1": "3",
        "C01.2": "1",
        "C03.1": "dk",
    }

    page.get_by_role("link", name="1. Leadership").click()
    expect(page.get_by_text("This questionnaire has been submitted and is read-only.")).to_be_visible()
    expect(page.get_by_role("radio")).to_have_count(0)
    expect(card(page, "C01.1")).to_contain_text("Level 3")
    expect(card(page, "C01.1")).to_contain_text(evidence)
    log_out(page)

    # The coordinator sends it back with a reason.
    reason = "Please name the budget line for C01.2."
    log_in(page, coordinator.username)
    page.get_by_role("link", name=f"{submission.cycle.country.name} — {submission.cycle.title}").click()
    page.get_by_role("link", name=f"Read the answers of {organisation.name}").click()
    page.get_by_label("What should the organisation change?").fill(reason)
    page.get_by_role("button", name="Return for changes").click()
    expect(page.get_by_text(f"Returned to \u2068{organisation.name}\u2069 with your request.")).to_be_visible()
    expect(page.locator("#submission-status")).to_have_text("Returned for changes")
    submission.refresh_from_db()
    assert (submission.status, submission.return_reason, submission.reviewed_by) == (
        Submission.Status.RETURNED,
        reason,
        coordinator,
    )
    log_out(page)

    # The focal point reads why, changes one answer and submits again.
    log_in(page, focal_point.username)
    expect(home_row(page, organisation)).to_contain_text("Returned for changes")
    open_questionnaire(page, organisation)
    expect(page.get_by_role("alert")).to_contain_text(reason)
    expect(page.get_by_role("alert")).to_contain_text("Cora Mendes")
    page.get_by_role("link", name="1. Leadership").click()
    choose(page, "C01.2", "2")
    expect(page.locator(f"#state-{budget.pk}")).to_have_text(SAVED)
    page.get_by_role("link", name="Summary and submission", exact=True).click()
    page.get_by_role("button", name="Submit questionnaire").click()
    expect(page.locator("#submission-status")).to_have_text("Submitted")

    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED
    budget.refresh_from_db()
    assert (budget.choice, budget.version, budget.updated_by) == ("2", 2, focal_point)
    assert list(AnswerRevision.objects.filter(answer=budget).values_list("choice", flat=True)) == ["1", "2"]
