"""Two focal points of one organisation edit the same answer: the second is told, and chooses."""

import re

import pytest
from playwright.sync_api import expect

from .actions import SAVED, log_in

pytestmark = pytest.mark.browser


def test_stale_edit_shows_conflict_in_the_browser(new_page, answer, focal_point, second_focal_point):
    url = f"/questionnaires/{answer.submission_id}/capabilities/{answer.indicator.capability.number}/"
    first, second = new_page(), new_page()
    for page, user in ((first, focal_point), (second, second_focal_point)):
        log_in(page, user.username)
        page.goto(url)

    first.locator("#ind-C01\\.1").get_by_role("radio", name=re.compile(r"^1 · ")).check()
    expect(first.locator(f"#state-{answer.pk}")).to_have_text(SAVED)

    # The second page was loaded before the first person saved.
    second.locator("#ind-C01\\.1").get_by_role("radio", name=re.compile(r"^2 · ")).check()
    state = second.locator(f"#state-{answer.pk}")
    expect(state).to_contain_text("Not saved: someone else changed this answer while you were editing.")
    expect(state).to_contain_text(re.compile(r"Farid Osei saved it at \d{2}:\d{2}\. Their answer:\s+Level 1"))
    answer.refresh_from_db()
    assert (answer.choice, answer.version, answer.updated_by) == ("1", 1, focal_point)

    state.get_by_role("button", name="Save mine instead").click()
    expect(state).to_have_text(SAVED)
    answer.refresh_from_db()
    assert (answer.choice, answer.version, answer.updated_by) == ("2", 2, second_focal_point)
    assert list(answer.revisions.values_list("version", "choice", "changed_by")) == [
        (1, "1", focal_point.pk),
        (2, "2", second_focal_point.pk),
    ]

    # Resolved: the next change saves as usual instead of overwriting or conflicting again.
    second.locator("#ind-C01\\.1").get_by_role("radio", name="Don't know").check()
    expect(state).to_have_text(SAVED)
    answer.refresh_from_db()
    assert (answer.choice, answer.version) == ("dk", 3)
