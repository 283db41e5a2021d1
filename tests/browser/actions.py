"""What a person does in the browser, shared by the journeys."""

import re

from playwright.sync_api import expect

from tests.factories import PASSWORD

SAVED = re.compile(r"^\s*Saved \d{2}:\d{2}\s*$")


def log_in(page, username, password=PASSWORD):
    """Through the real login form."""
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def log_out(page):
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
