"""Journey 1: a framework admin changes an indicator through a draft version and publishes it."""

import pytest
from playwright.sync_api import expect

from capabilities.models import FrameworkVersion, Indicator

from .actions import log_in

pytestmark = pytest.mark.browser


def select_row(page, code):
    """Tick the changelist row whose link reads exactly ``code``."""
    row = page.locator("#result_list tbody tr").filter(has=page.get_by_role("link", name=code, exact=True))
    row.get_by_role("checkbox").check()


def run_action(page, label):
    page.locator("select[name=action]").select_option(label=label)
    page.get_by_role("button", name="Go").click()


def open_draft_indicator(page, draft, code):
    page.locator("#nav-sidebar").get_by_role("link", name="Indicators").click()
    page.locator("#changelist-filter").get_by_role("link", name=str(draft), exact=True).click()
    page.locator("#result_list").get_by_role("link", name=code, exact=True).click()
    expect(page.locator("h1")).to_contain_text("indicator")


def test_admin_edits_an_indicator_of_a_draft_and_publishes_it(page, superuser, tiny_framework):
    log_in(page, superuser.username)

    page.goto("/admin/")
    page.get_by_role("link", name="Framework versions", exact=True).click()
    select_row(page, "TINY-1")
    run_action(page, "Clone as new draft")
    expect(page.locator(".messagelist")).to_contain_text(
        "Cloned TINY-1 into the new draft TINY-1-draft-1; edit it, then publish it."
    )
    draft = FrameworkVersion.objects.get(code="TINY-1-draft-1")
    assert draft.status == FrameworkVersion.Status.DRAFT

    open_draft_indicator(page, draft, "C04.1")
    page.locator("#id_question_en").fill("Is there a national specialist unit with a mandate?")
    # The inline lists the descriptors by level, so row 3 is level 3.
    expect(page.locator("#id_descriptors-3-level")).to_have_value("3")
    page.locator("#id_descriptors-3-text_en").fill("A national unit with its own budget.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    page.locator("#nav-sidebar").get_by_role("link", name="Framework versions").click()
    select_row(page, "TINY-1-draft-1")
    run_action(page, "Publish (freezes the version)")
    expect(page.locator(".messagelist")).to_have_text("Published 1 version.")

    draft.refresh_from_db()
    assert draft.status == FrameworkVersion.Status.PUBLISHED
    assert draft.published_at is not None
    edited = Indicator.objects.get(version=draft, code="C04.1")
    assert edited.question == "Is there a national specialist unit with a mandate?"
    assert edited.descriptors.get(level=3).text == "A national unit with its own budget."
    original = Indicator.objects.get(version=tiny_framework, code="C04.1")
    assert original.question == "Is there a specialist unit?"
    assert original.descriptors.get(level=3).text == "National unit."
    tiny_framework.refresh_from_db()
    assert tiny_framework.status == FrameworkVersion.Status.PUBLISHED

    # Published means frozen: the same indicator now opens read-only.
    open_draft_indicator(page, draft, "C04.1")
    expect(page.locator(".field-question_en .readonly")).to_have_text(
        "Is there a national specialist unit with a mandate?"
    )
    expect(page.locator("#id_question_en")).to_have_count(0)
    expect(page.locator("input[name=_save]")).to_have_count(0)
