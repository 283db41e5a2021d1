"""Two-step verification: who must use it, setting it up, the second step at login, backup codes, throttling.

Every test here is ``real_2fa``: logins are not marked verified by the conftest, so each one meets the
enforcement as a person would.
"""

import re
import time
from base64 import b32decode
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from assessments.models import AuditEvent
from mnr_portal import two_factor
from tests.factories import PASSWORD, TOTPDeviceFactory, totp_code

pytestmark = [pytest.mark.django_db, pytest.mark.real_2fa]

SETUP, VERIFY, MANAGE = "/accounts/2fa/setup/", "/accounts/2fa/verify/", "/accounts/2fa/"


def log_in(client, user):
    """The password step, through the login form."""
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def code_of(device):
    return f"{totp(device.bin_key):06d}"


def with_next(path, next_url):
    return f"{path}?{urlencode({'next': next_url})}"


@pytest.fixture
def enrolled_coordinator(coordinator):
    """A coordinator whose authenticator app was set up earlier, with two backup codes left."""
    TOTPDeviceFactory(user=coordinator)
    backup = StaticDevice.objects.create(user=coordinator, name="Backup codes")
    StaticToken.objects.bulk_create(StaticToken(device=backup, token=t) for t in ("1234567890", "5555566666"))
    return coordinator


def totp_device(user):
    return TOTPDevice.objects.get(user=user, confirmed=True)


# Who is sent where ------------------------------------------------------------------------------------


def test_a_coordinator_without_a_device_is_sent_to_set_it_up_from_every_page(client, coordinator, cycle):
    client.force_login(coordinator)

    for url in (reverse("home"), cycle.get_absolute_url(), reverse("admin:index")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url == with_next(SETUP, url)


def test_an_admin_without_a_device_cannot_open_the_admin(client, superuser):
    client.force_login(superuser)

    response = client.get("/admin/capabilities/frameworkversion/")

    assert response.url == with_next(SETUP, "/admin/capabilities/frameworkversion/")


def test_a_staff_member_must_use_two_step_verification(django_user_model):
    staff = django_user_model.objects.create_user("sam", "s@example.org", PASSWORD, is_staff=True)

    assert two_factor.requires_two_factor(staff)


def test_a_coordinator_with_a_device_must_verify_after_the_password(client, enrolled_coordinator, cycle):
    response = log_in(client, enrolled_coordinator)
    assert client.get(response.url).url == with_next(VERIFY, reverse("home"))
    assert client.get(cycle.get_absolute_url()).url == with_next(VERIFY, cycle.get_absolute_url())

    page = client.get(with_next(VERIFY, cycle.get_absolute_url()))
    body = page.content.decode()
    assert 'autocomplete="one-time-code"' in body and 'inputmode="numeric"' in body

    code = code_of(totp_device(enrolled_coordinator))
    response = client.post(VERIFY, {"code": code, "next": cycle.get_absolute_url()})

    assert response.url == cycle.get_absolute_url()
    assert client.get(cycle.get_absolute_url()).status_code == 200
    assert client.session[DEVICE_ID_SESSION_KEY] == totp_device(enrolled_coordinator).persistent_id


def test_the_same_code_is_not_accepted_twice(client, enrolled_coordinator):
    code = code_of(totp_device(enrolled_coordinator))
    log_in(client, enrolled_coordinator)
    client.post(VERIFY, {"code": code})
    client.post(reverse("logout"))
    log_in(client, enrolled_coordinator)

    response = client.post(VERIFY, {"code": code})

    assert "That code is not valid" in response.content.decode()


def test_a_wrong_code_is_refused_and_audited(client, enrolled_coordinator):
    log_in(client, enrolled_coordinator)
    device = totp_device(enrolled_coordinator)
    wrong = f"{(int(code_of(device)) + 1) % 10**6:06d}"

    response = client.post(VERIFY, {"code": wrong})

    assert response.status_code == 200
    assert "That code is not valid. Enter the code your app shows now" in response.content.decode()
    assert DEVICE_ID_SESSION_KEY not in client.session
    assert client.get(reverse("home")).url.startswith(VERIFY)
    event = AuditEvent.objects.get(action=AuditEvent.Action.TWO_FACTOR_FAILED)
    assert (event.user, event.detail) == (enrolled_coordinator, "authenticator code")


def test_a_malformed_code_says_what_is_expected(client, enrolled_coordinator):
    log_in(client, enrolled_coordinator)

    response = client.post(VERIFY, {"code": "12ab"})

    assert "Enter the 6 digits your authenticator app shows now, or a 10-digit backup code." in (
        response.content.decode()
    )
    assert not AuditEvent.objects.exists()


def test_repeated_failures_are_throttled_with_the_wait_named(client, enrolled_coordinator, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60  # the first failure then costs a minute: no race with the clock
    log_in(client, enrolled_coordinator)
    device = totp_device(enrolled_coordinator)
    wrong = f"{(int(code_of(device)) + 1) % 10**6:06d}"
    client.post(VERIFY, {"code": wrong})

    response = client.post(VERIFY, {"code": code_of(device)})

    assert re.search(r"Too many attempts\. Wait (59|60) seconds before trying again\.", response.content.decode())
    assert DEVICE_ID_SESSION_KEY not in client.session
    device.refresh_from_db()
    assert device.throttling_failure_count == 1


def test_a_backup_code_works_once(client, enrolled_coordinator):
    log_in(client, enrolled_coordinator)

    response = client.post(VERIFY, {"code": "12345 67890"}, follow=True)

    assert response.redirect_chain[0][0] == reverse("home")
    assert "You used a backup code; 1 is left." in response.content.decode()
    assert list(StaticToken.objects.values_list("token", flat=True)) == ["5555566666"]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.BACKUP_CODE_USED, user=enrolled_coordinator).exists()

    client.post(reverse("logout"))
    log_in(client, enrolled_coordinator)
    response = client.post(VERIFY, {"code": "1234567890"})
    assert "That backup code is not valid, or it has already been used." in response.content.decode()
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_logging_out_ends_the_verification(client, enrolled_coordinator):
    log_in(client, enrolled_coordinator)
    client.post(VERIFY, {"code": code_of(totp_device(enrolled_coordinator))})
    assert client.get(reverse("home")).status_code == 200

    client.post(reverse("logout"))
    assert DEVICE_ID_SESSION_KEY not in client.session
    log_in(client, enrolled_coordinator)

    assert client.get(reverse("home")).url == with_next(VERIFY, reverse("home"))


def test_verification_gets_a_new_session_key(client, enrolled_coordinator):
    log_in(client, enrolled_coordinator)
    before = client.session.session_key

    client.post(VERIFY, {"code": code_of(totp_device(enrolled_coordinator))})

    assert client.session.session_key != before


def test_the_next_page_must_be_on_this_site(client, enrolled_coordinator):
    log_in(client, enrolled_coordinator)

    response = client.post(VERIFY, {"code": code_of(totp_device(enrolled_coordinator)), "next": "https://evil.test/"})

    assert response.url == reverse("home")


def test_logout_health_and_static_files_stay_reachable_before_verifying(client, coordinator):
    client.force_login(coordinator)

    assert client.get("/healthz").status_code == 200
    assert client.get("/static/css/portal.css").status_code == 200
    assert client.post(reverse("logout")).url == reverse("login")


def test_an_htmx_request_is_told_to_load_the_verification_page(client, enrolled_coordinator, cycle):
    log_in(client, enrolled_coordinator)

    response = client.get(cycle.get_absolute_url(), headers={"HX-Request": "true"})

    assert response.status_code == 204
    assert response["HX-Redirect"] == VERIFY


def test_a_focal_point_is_not_forced_and_is_offered_it(client, focal_point, submission):
    log_in(client, focal_point)

    home = client.get(reverse("home"))

    assert home.status_code == 200
    assert "Protect your account with two-step verification" in home.content.decode()
    assert client.get(submission.get_absolute_url()).status_code == 200


def test_an_observer_is_not_forced(client, observer, cycle):
    client.force_login(observer)

    assert client.get(cycle.get_absolute_url()).status_code == 200


# Setting it up ----------------------------------------------------------------------------------------


def test_setup_shows_a_qr_code_and_the_key_for_typing(client, coordinator):
    client.force_login(coordinator)

    response = client.get(with_next(SETUP, "/cycles/"))

    body = response.content.decode()
    device = TOTPDevice.objects.get(user=coordinator, confirmed=False)
    assert "<svg" in body and "QR code for your authenticator app" in body
    assert re.findall(r'(?:src|href)="(https?:)?//', body) == []
    secret = re.search(r'<code id="totp-secret"[^>]*>([A-Z2-7 ]+)</code>', body).group(1)
    assert b32decode(secret.replace(" ", "")) == device.bin_key
    assert 'autocomplete="one-time-code"' in body and 'inputmode="numeric"' in body
    assert response["Cache-Control"].startswith("max-age=0")
    # Loading the page again keeps the same key, so a QR code already scanned stays right.
    client.get(SETUP)
    assert TOTPDevice.objects.filter(user=coordinator).count() == 1


def test_setup_with_a_correct_code_turns_it_on_and_shows_ten_backup_codes_once(client, coordinator, cycle):
    client.force_login(coordinator)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=coordinator)

    response = client.post(SETUP, {"code": code_of(device), "next": cycle.get_absolute_url()})

    assert response.url == with_next("/accounts/2fa/backup-codes/", cycle.get_absolute_url())
    device.refresh_from_db()
    assert device.confirmed
    page = client.get(response.url).content.decode()
    shown = re.findall(r"<li>(\d{5} \d{5})</li>", page)
    assert len(shown) == 10
    assert sorted(c.replace(" ", "") for c in shown) == sorted(StaticToken.objects.values_list("token", flat=True))
    assert "They are not shown again." in page
    assert f'href="{cycle.get_absolute_url()}"' in page
    # Shown once: a second visit finds nothing to show.
    assert client.get("/accounts/2fa/backup-codes/").url == MANAGE
    # The session is verified: the cycle opens.
    assert client.get(cycle.get_absolute_url()).status_code == 200
    assert AuditEvent.objects.filter(action=AuditEvent.Action.TWO_FACTOR_CONFIRMED, user=coordinator).count() == 1


def test_setup_with_a_wrong_code_is_refused(client, coordinator):
    client.force_login(coordinator)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=coordinator)
    wrong = f"{(int(code_of(device)) + 1) % 10**6:06d}"

    response = client.post(SETUP, {"code": wrong})

    assert response.status_code == 200
    assert "That code is not valid" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticToken.objects.exists()
    assert client.get(reverse("home")).url.startswith(SETUP)


def test_a_password_alone_cannot_replace_the_device(client, enrolled_coordinator):
    log_in(client, enrolled_coordinator)

    response = client.get(SETUP)

    assert response.url == with_next(VERIFY, reverse("home"))
    assert TOTPDevice.objects.filter(user=enrolled_coordinator).count() == 1


def test_a_verified_coordinator_replaces_the_device(client, enrolled_coordinator):
    old = totp_device(enrolled_coordinator)
    log_in(client, enrolled_coordinator)
    client.post(VERIFY, {"code": code_of(old)})

    assert "This replaces the authenticator app you use now." in client.get(SETUP).content.decode()
    new = TOTPDevice.objects.get(user=enrolled_coordinator, confirmed=False)
    client.post(SETUP, {"code": code_of(new)})

    assert list(TOTPDevice.objects.filter(user=enrolled_coordinator)) == [new]
    assert client.session[DEVICE_ID_SESSION_KEY] == new.persistent_id
    assert StaticToken.objects.count() == 10
    assert AuditEvent.objects.get(action=AuditEvent.Action.TWO_FACTOR_CONFIRMED).detail == (
        "replaced the previous authenticator"
    )


# Managing it ------------------------------------------------------------------------------------------


@pytest.fixture
def verified_coordinator_client(client, enrolled_coordinator):
    log_in(client, enrolled_coordinator)
    client.post(VERIFY, {"code": code_of(totp_device(enrolled_coordinator))})
    return client


def test_the_manage_page_shows_the_status(verified_coordinator_client):
    body = verified_coordinator_client.get(MANAGE).content.decode()

    assert "On: your authenticator app was added on" in body
    assert "2 backup codes left." in body
    assert "Turn off two-step verification" not in body
    assert 'id="id_regenerate-code"' in body


def test_new_backup_codes_need_a_current_code(verified_coordinator_client, enrolled_coordinator):
    client = verified_coordinator_client

    refused = client.post(reverse("two_factor:regenerate"), {"regenerate-code": "000000"})
    assert refused.status_code == 400
    assert "That code is not valid" in refused.content.decode()
    assert StaticToken.objects.count() == 2

    # The step after the one used to log in: a code is accepted only once.
    device = totp_device(enrolled_coordinator)
    device.throttle_reset()
    code = totp_code(device.bin_key, step=max(int(time.time()) // 30, device.last_t + 1))
    response = client.post(reverse("two_factor:regenerate"), {"regenerate-code": code})

    assert response.url == with_next("/accounts/2fa/backup-codes/", MANAGE)
    assert StaticToken.objects.count() == 10
    assert not StaticToken.objects.filter(token__in=["1234567890", "5555566666"]).exists()
    assert len(re.findall(r"<li>\d{5} \d{5}</li>", client.get(response.url).content.decode())) == 10
    assert AuditEvent.objects.filter(action=AuditEvent.Action.BACKUP_CODES_REGENERATED).count() == 1


def test_a_coordinator_cannot_turn_it_off(verified_coordinator_client, enrolled_coordinator):
    response = verified_coordinator_client.post(reverse("two_factor:remove"), {"remove-code": "000000"})

    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=enrolled_coordinator).exists()


def test_a_focal_point_who_opted_in_must_verify_and_may_turn_it_off(client, focal_point):
    TOTPDeviceFactory(user=focal_point)
    log_in(client, focal_point)
    assert client.get(reverse("home")).url == with_next(VERIFY, reverse("home"))
    assert client.get(MANAGE).url == with_next(VERIFY, MANAGE)
    device = totp_device(focal_point)
    client.post(VERIFY, {"code": code_of(device)})

    device.refresh_from_db()
    code = totp_code(device.bin_key, step=max(int(time.time()) // 30, device.last_t + 1))
    response = client.post(reverse("two_factor:remove"), {"remove-code": code})

    assert response.url == MANAGE
    assert not TOTPDevice.objects.filter(user=focal_point).exists()
    assert DEVICE_ID_SESSION_KEY not in client.session
    assert "Off: your account is protected by your password only." in client.get(MANAGE).content.decode()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.TWO_FACTOR_REMOVED, user=focal_point).exists()


def test_whether_a_user_holds_an_authenticator_is_asked_once_per_session(
    client, focal_point, django_assert_num_queries
):
    log_in(client, focal_point)
    client.get(reverse("home"))
    # 1 session, 2 user, 3 roles, 4 invitations waiting for an answer, 5 the user's cycles and 6 the actions
    # their organisation leads (home): no device query once the session knows.
    with django_assert_num_queries(6):
        client.get(reverse("home"))
    assert client.session[two_factor.HAS_AUTHENTICATOR] is False


def test_an_authenticator_removed_from_elsewhere_does_not_lock_the_session_on_the_verify_page(client, focal_point):
    TOTPDeviceFactory(user=focal_point)
    log_in(client, focal_point)
    assert client.get(reverse("home")).url == with_next(VERIFY, reverse("home"))

    TOTPDevice.objects.filter(user=focal_point).delete()  # the admin removed it, or another session did

    assert client.get(with_next(VERIFY, reverse("home"))).url == reverse("home")
    assert client.get(reverse("home")).status_code == 200
