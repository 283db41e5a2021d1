"""A focal point confirms answers carried from the last cycle on the questionnaire page (htmx), then goes on
answering: the confirmation moves the answer's version, so the next autosave is not a conflict."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from assessments import services
from assessments.models import Answer, Carry, Submission
from tests.factories import make_cycle

from .actions import SAVED, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def carried_submission(tiny_framework, country_a, organisation, coordinator, focal_point):
    """Last year's accepted answers of the ministry (C01.1 at 3, C01.2 at 1, C03.1 at 2), carried into this year."""
    previous = make_cycle(
        country=country_a,
        framework_version=tiny_framework,
        organisations=[organisation],
        by=coordinator,
        title="Assessment 2024",
        period="2024",
        opens_on=date.today() - timedelta(days=400),
    )
    for code, choice, evidence in (
        ("C01.1", "3", "Decree 12/2019 founds the council."),
        ("C01.2", "1", ""),
        ("C03.1", "2", "Penal code art. 201."),
    ):
        Answer.objects.filter(submission__cycle=previous, indicator__code=code).update(choice=choice, evidence=evidence)
    Submission.objects.filter(cycle=previous).update(status=Submission.Status.ACCEPTED)
    services.cycle_close(cycle=previous, by=coordinator)
    cycle = make_cycle(
        country=country_a, framework_version=tiny_framework, organisations=[organisation], by=coordinator
    )
    return cycle.submissions.get(organisation=organisation)


def test_a_focal_point_confirms_one_carried_answer_then_the_rest_of_the_page(page, carried_submission, focal_point):
    first = carried_submission.answers.get(indicator__code="C01.1")
    second = carried_submission.answers.get(indicator__code="C01.2")
    log_in(page, focal_point.username)
    page.goto(f"/questionnaires/{carried_submission.pk}/capabilities/1/")

    note = page.locator(f"#carry-{first.pk}")
    expect(note).to_contain_text("From 2024: Level 3 — confirm or change")
    expect(note).to_contain_text("Decree 12/2019 founds the council.")
    expect(page.locator("#carried-summary")).to_contain_text("2 answers on this page are carried")
    # Carried answers are not counted yet: the navigation says 0 of 2 for this capability.
    expect(page.locator("#questionnaire-nav")).to_contain_text("(0/2)")

    note.get_by_role("button", name="Confirm the answer to C01.1").click()

    expect(page.locator(f"#carry-{first.pk}")).to_contain_text("confirmed by Farid Osei")
    expect(page.locator(f"#version-{first.pk}")).to_have_value("2")
    expect(page.locator(f"#state-{first.pk}")).to_contain_text("Confirmed")
    expect(page.locator("#questionnaire-nav")).to_contain_text("(1/2)")

    # Going on with the same answer after confirming: the autosave builds on the new version.
    page.locator("#ind-C01\\.1").get_by_label("Comment", exact=True).fill("Still in force.")
    page.keyboard.press("Tab")
    expect(page.locator(f"#version-{first.pk}")).to_have_value("3")
    expect(page.locator(f"#state-{first.pk}")).to_have_text(SAVED)

    page.get_by_role("button", name="Confirm all on this page").click()

    expect(page.locator(".messages .alert-success")).to_contain_text("1 carried answer confirmed.")
    expect(page.locator(f"#carry-{second.pk}")).to_contain_text("confirmed by Farid Osei")
    expect(page.locator("#carried-summary")).to_have_count(0)
    assert {a.carry for a in carried_submission.answers.filter(indicator__capability__number=1)} == {Carry.CONFIRMED}
    assert carried_submission.answers.get(indicator__code="C03.1").carry == Carry.PREFILLED
