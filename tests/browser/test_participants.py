"""Journey: a coordinator adds many organisations at once, follows their focal points, reminds them once;
an existing account accepts its invitation from the home page. Screenshots in English and Arabic."""

from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from assessments.models import Invitation, Reminder, RoleAssignment

from .actions import log_in, switch_language

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "participants"


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_coordinator_imports_organisations_follows_invitations_and_reminds_once(
    new_page, coordinator, cycle, organisation, focal_point, outsider
):
    page = new_page()
    log_in(page, coordinator.username)
    page.goto(cycle.get_absolute_url())
    page.get_by_role("link", name="Add several organisations at once (a list or a CSV file)").click()

    # A list with a mistake: nothing is added, the problem is named, the text stays.
    typed = (
        "Childhood First, ngo, info@childhood.example\n"
        "National Police; police\n"
        f"Border Guard, law_enforcement, {outsider.email}\n"
    )
    page.get_by_label("Organisations, one per line").fill(typed)
    page.get_by_role("button", name="Check and add the organisations").click()
    expect(page.get_by_text("Row 2: unknown sector “police”; use one of the sectors listed below.")).to_be_visible()
    expect(page.get_by_label("Organisations, one per line")).to_have_value(typed.rstrip("\n") + "\n")
    shot(page, "import-refused-en")

    page.get_by_label("Organisations, one per line").fill(typed.replace("; police", "; law_enforcement"))
    page.get_by_role("button", name="Check and add the organisations").click()
    expect(page.get_by_text("3 organisations added to the cycle; 2 focal points invited.")).to_be_visible()
    participants = page.locator("#participants")
    expect(participants.get_by_role("row").filter(has_text="Childhood First")).to_contain_text("Invited")
    expect(participants.get_by_role("row").filter(has_text="Border Guard")).to_contain_text("Awaiting acceptance")
    expect(participants.get_by_role("row").filter(has_text="Ministry of Interior")).to_contain_text("farid@example.org")
    shot(page, "cycle-contacts-en")

    # Reminders: a confirmation that lists who will be written to; a second send writes to nobody.
    page.get_by_role("link", name="Send reminders…").click()
    expect(page.get_by_text("These people will be written to")).to_be_visible()
    expect(page.get_by_text("info@childhood.example")).to_be_visible()
    shot(page, "remind-confirm-en")
    page.get_by_role("button", name="Send the reminders").click()
    expect(page.get_by_text("Reminders sent to")).to_be_visible()
    sent = Reminder.objects.count()
    page.goto(f"/cycles/{cycle.pk}/remind/")
    expect(page.get_by_text("Nobody is due a reminder now.")).to_be_visible()
    expect(page.get_by_text("Reminded recently, not written to again yet")).to_be_visible()
    assert Reminder.objects.count() == sent

    switch_language(page, "ar")
    page.goto(cycle.get_absolute_url())
    shot(page, "cycle-contacts-ar")
    page.goto(f"/cycles/{cycle.pk}/organisations/import/")
    shot(page, "import-ar")

    # The existing account accepts on its home page.
    other = new_page()
    log_in(other, outsider.username)
    expect(other.get_by_role("heading", name="Invitations waiting for your answer")).to_be_visible()
    shot(other, "home-invitation-en")
    switch_language(other, "ar")
    shot(other, "home-invitation-ar")
    switch_language(other, "en")
    other.get_by_role("button", name="Accept the invitation of Border Guard").click()
    expect(other.get_by_text("You are now a focal point of \u2068Border Guard\u2069 (\u2068Arcadia\u2069).")).to_be_visible()
    assert RoleAssignment.objects.filter(user=outsider, organisation__name="Border Guard").exists()
    assert Invitation.objects.get(user=outsider).status == Invitation.Status.ACCEPTED
    assert any(m.to == [outsider.email] for m in mail.outbox)
