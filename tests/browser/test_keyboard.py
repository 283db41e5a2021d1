"""A focal point logs in, answers an indicator and submits with the keyboard alone (WCAG 2.1.1, 2.4.1, 2.4.3, 2.4.7).

No clicks, checks or fills: focus moves with Tab and Shift+Tab, radios with Space and the arrow keys, text is
typed into the field that has the focus, Enter follows links and submits forms.
"""

import re

import pytest
from playwright.sync_api import expect

from assessments.models import Submission
from tests.factories import PASSWORD

from .actions import SAVED

pytestmark = pytest.mark.browser

MAX_TABS = 60


def has_focus(locator):
    return locator.evaluate("el => el === document.activeElement")


def tab_to(page, locator, key="Tab"):
    """Press Tab (or Shift+Tab) until ``locator`` has the focus, and check the focus can be seen."""
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        if has_focus(locator):
            assert_focus_visible(locator)
            return
    raise AssertionError(f"{key} never reached {locator}")


def assert_focus_visible(locator):
    """The portal's focus ring (portal.css): a solid outline of 3px, not Bootstrap's faint glow or nothing."""
    style, width = locator.evaluate("el => [getComputedStyle(el).outlineStyle, getComputedStyle(el).outlineWidth]")
    assert style == "solid" and float(width.removesuffix("px")) >= 3, f"focus not visible: {style} {width}"


def saved(page, answer, version):
    """The page took in save number ``version`` of this answer and says so. Waiting on the page, not polling
    the database, which SQLite would lock against the server's write."""
    expect(page.locator(f"#version-{answer.pk}")).to_have_value(str(version))
    expect(page.locator(f"#state-{answer.pk}")).to_have_text(SAVED)


def test_focal_point_answers_and_submits_with_the_keyboard(page, submission, answer, organisation, focal_point):
    page.goto("/accounts/login/")

    # The skip link is the first Tab stop, shows itself, and moves the focus to the main content.
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    assert has_focus(skip)
    assert_focus_visible(skip)
    assert skip.bounding_box()["width"] > 50, "the skip link stays hidden when focused"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    assert has_focus(page.locator("main"))

    # From there the next stop is the first field of the login form.
    page.keyboard.press("Tab")
    assert has_focus(page.locator("#id_username"))
    page.keyboard.type(focal_point.username)
    page.keyboard.press("Tab")
    assert has_focus(page.locator("#id_password"))
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    tab_to(page, page.get_by_role("link", name=organisation.name))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=organisation.name, level=1)).to_be_visible()
    tab_to(page, page.get_by_role("link", name="1. Leadership"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Capability 1: Leadership")).to_be_visible()

    # Tab enters the radio group at its first level; Space picks it, the arrow keys move the choice.
    radios = page.locator("#ind-C01\\.1").get_by_role("radio")
    tab_to(page, radios.first)
    page.keyboard.press("Space")
    saved(page, answer, 1)
    page.keyboard.press("ArrowDown")
    saved(page, answer, 2)
    page.keyboard.press("ArrowDown")
    saved(page, answer, 3)
    expect(radios.nth(2)).to_be_checked()

    # Tab leaves the group for the evidence; typing saves after a pause.
    evidence = page.locator("#ind-C01\\.1").get_by_label("Evidence", exact=True)
    page.keyboard.press("Tab")
    assert has_focus(evidence)
    assert_focus_visible(evidence)
    page.keyboard.type("Decree 12/2024 founding the national council")
    saved(page, answer, 4)
    answer.refresh_from_db()
    assert (answer.choice, answer.evidence, answer.version) == ("2", "Decree 12/2024 founding the national council", 4)

    # Shift+Tab returns to the group on its checked radio, then back up to the questionnaire's own navigation.
    page.keyboard.press("Shift+Tab")
    assert has_focus(radios.nth(2))
    tab_to(page, page.get_by_role("link", name="Summary and submission", exact=True), key="Shift+Tab")
    page.keyboard.press("Enter")

    # Two indicators stay unanswered: the focal point confirms that, then submits.
    confirm = page.get_by_label("I confirm we submit without answering or confirming the indicators listed above.")
    tab_to(page, confirm)
    page.keyboard.press("Space")
    expect(confirm).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Submit questionnaire"))
    page.keyboard.press("Enter")
    expect(page.locator("#submission-status")).to_have_text("Submitted")
    submission.refresh_from_db()
    assert (submission.status, submission.submitted_by) == (Submission.Status.SUBMITTED, focal_point)
    answer.refresh_from_db()
    assert (answer.choice, answer.version) == ("2", 4)
