"""What a person does in the browser, shared by the journeys."""

import re
import time
from base64 import b32decode
from urllib.parse import urlsplit

from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.factories import PASSWORD, totp_code

SAVED = re.compile(r"^\s*Saved \d{2}:\d{2}\s*$")


def log_in(page, username, password=PASSWORD):
    """Through the real login form, then the real two-step pages when the account meets them."""
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    path = urlsplit(page.url).path
    if path == "/accounts/2fa/setup/":
        set_up_two_factor(page)
    elif path == "/accounts/2fa/verify/":
        verify_two_factor(page, username)
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def set_up_two_factor(page):
    """Type the key shown for manual entry into an "app" (the TOTP function) and confirm with its code."""
    key = b32decode(page.locator("#totp-secret").inner_text().replace(" ", ""))
    page.get_by_label("6-digit code from your authenticator app").fill(totp_code(key))
    page.get_by_role("button", name="Confirm and turn on").click()
    expect(page.get_by_role("heading", name="Your backup codes")).to_be_visible()
    expect(page.locator("#backup-codes li")).to_have_count(10)
    page.get_by_role("link", name="I have stored my backup codes").click()


def verify_two_factor(page, username):
    """The app's code for the device set up earlier. A code is accepted once: a second login within
    the same 30 seconds uses the next time step, which the server still accepts (tolerance 1)."""
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    now = int(time.time()) // device.step
    step = max(now, device.last_t + 1)
    if step > now + device.tolerance:
        time.sleep((step - device.tolerance) * device.step - time.time() + 0.1)
    page.get_by_label("Verification code").fill(totp_code(device.bin_key, step=step))
    page.get_by_role("button", name="Verify").click()


def log_out(page):
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def switch_language(page, code):
    """Through the language switcher in the navigation bar; the page reloads in that language."""
    switcher = page.locator("form.language-switcher")
    switcher.locator("select").select_option(code)
    switcher.get_by_role("button").click()
    expect(page.locator("html")).to_have_attribute("lang", code)
    page.wait_for_load_state("load")  # the new page's stylesheets too, before anyone measures the layout
