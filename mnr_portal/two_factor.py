"""Two-step verification (TOTP with single-use backup codes) on top of django-otp.

Who must use it: framework admins (staff, superusers) and national coordinators, before they reach
anything. Anyone else may opt in; once they have a confirmed authenticator, they are asked for it
too, or opting in would protect nothing.

The verified state is django-otp's: ``django_otp.login`` stores the device in the session and
``OTPMiddleware`` sets ``request.user.is_verified()``. Logging out flushes the session, and with it
the verification.
"""

import functools
import math
import secrets
from base64 import b32encode
from urllib.parse import urlencode

import django_otp
import segno
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from assessments.access import roles_of
from assessments.models import AuditEvent, Role
from assessments.services import audit

BACKUP_CODE_COUNT = 10
BACKUP_CODE_DIGITS = 10
TOTP_DIGITS = 6
DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"


class TooManyAttempts(Exception):
    """django-otp's throttle refuses codes for this device until ``seconds`` have passed."""

    def __init__(self, seconds):
        self.seconds = seconds
        super().__init__(f"Verification throttled for {seconds} s.")


def requires_two_factor(user) -> bool:
    """Admins and national coordinators hold every country's or a whole country's answers."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or user.is_staff or any(r.role == Role.COORDINATOR for r in roles_of(user))


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


HAS_AUTHENTICATOR = "mnr_has_authenticator"


def has_authenticator(request) -> bool:
    """Whether the signed-in user holds a confirmed authenticator, asked once per session.

    The answer is kept in the session, so the unverified pages of a user without one cost no query.
    Setting up and removing an authenticator rewrite it (``remember_authenticator``); the verify
    page corrects it when the device was removed from elsewhere.
    """
    known = request.session.get(HAS_AUTHENTICATOR)
    if known is None:
        known = TOTPDevice.objects.filter(user=request.user, confirmed=True).exists()
        request.session[HAS_AUTHENTICATOR] = known
    return known


def remember_authenticator(request, present):
    if request is not None and hasattr(request, "session"):
        request.session[HAS_AUTHENTICATOR] = present


def backup_device(user) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user).first()


def totp_secret(device) -> str:
    """The key in base32, in groups of four, for typing into an app that cannot scan."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_svg(device) -> str:
    """The ``otpauth://`` URI as an inline SVG QR code, drawn here: the secret never leaves the server."""
    qr = segno.make(device.config_url, error="m")
    svg = qr.svg_inline(scale=5, border=4, dark="#000", light="#fff", title=_("QR code for your authenticator app"))
    # Safe: segno draws the data as path geometry and escapes the title; nothing else goes in.
    return mark_safe(svg)  # noqa: S308  # nosec B308 B703


def normalise_code(raw) -> str:
    """Codes are digits; people paste them with spaces or hyphens."""
    return "".join(ch for ch in raw if ch not in " -\u00a0\t")


def totp_device_pending(*, user) -> TOTPDevice:
    """The unconfirmed device being set up; kept across page loads so the QR code stays the same."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False, digits=TOTP_DIGITS)
    return device


def code_verify(*, user, device, code, request=None):
    """Check ``code`` against one of the user's devices; returns the device that accepted it, or None.

    1. Refuse while django-otp's exponential throttle holds the device (``TooManyAttempts``).
    2. Verify through ``django_otp.verify_token``, which locks the row so two requests cannot both
       use one code; a wrong code raises the throttle, a used backup code is deleted.
    3. Record a failure in the audit log.

    Not atomic on purpose: rolling back would also undo the throttle's failure count.
    """
    allowed, info = device.verify_is_allowed()
    if not allowed:
        wait = (info["locked_until"] - timezone.now()).total_seconds()
        raise TooManyAttempts(max(1, math.ceil(wait)))
    matched = django_otp.verify_token(user, device.persistent_id, code)
    if matched is None:
        kind = "backup code" if isinstance(device, StaticDevice) else "authenticator code"
        audit(user=user, action=AuditEvent.Action.TWO_FACTOR_FAILED, detail=kind, request=request)
    elif isinstance(matched, StaticDevice):
        left = matched.token_set.count()
        audit(user=user, action=AuditEvent.Action.BACKUP_CODE_USED, detail=f"{left} backup codes left", request=request)
    return matched


def _new_backup_codes():
    codes = set()
    while len(codes) < BACKUP_CODE_COUNT:
        codes.add(f"{secrets.randbelow(10**BACKUP_CODE_DIGITS):0{BACKUP_CODE_DIGITS}d}")
    return sorted(codes)


def _backup_codes_replace(user):
    device, _created = StaticDevice.objects.get_or_create(user=user, defaults={"name": BACKUP_DEVICE_NAME})
    device.token_set.all().delete()
    codes = _new_backup_codes()
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def totp_device_confirm(*, device, request=None) -> list[str]:
    """Make ``device`` the user's authenticator (replacing any other) and issue fresh backup codes.

    The first code has already been verified against the device; returns the backup codes.
    """
    replaced = TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()[0]
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _backup_codes_replace(device.user)
    audit(
        user=device.user,
        action=AuditEvent.Action.TWO_FACTOR_CONFIRMED,
        detail="replaced the previous authenticator" if replaced else "",
        request=request,
    )
    remember_authenticator(request, True)
    return codes


@transaction.atomic
def backup_codes_regenerate(*, user, request=None) -> list[str]:
    """Replace every backup code of ``user``; the old ones stop working."""
    codes = _backup_codes_replace(user)
    audit(user=user, action=AuditEvent.Action.BACKUP_CODES_REGENERATED, request=request)
    return codes


@transaction.atomic
def two_factor_remove(*, user, request=None):
    """Switch two-step verification off for a user who is not required to use it."""
    if requires_two_factor(user):
        raise PermissionDenied("Two-step verification is required for this account.")
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit(user=user, action=AuditEvent.Action.TWO_FACTOR_REMOVED, request=request)
    remember_authenticator(request, False)


@functools.cache
def _exempt_paths():
    """Pages an unverified user may still reach: the two-step pages, logging out, static files, health.

    Reversed once: the middleware asks on every request."""
    return (
        reverse("two_factor:setup"),
        reverse("two_factor:verify"),
        reverse("logout"),
        reverse("admin:logout"),
        reverse("healthz"),
        reverse("language_set"),
    )


class TwoFactorMiddleware:
    """Send an unverified user who must (or chose to) use two-step verification to verify or set it up.

    Goes after ``django_otp.middleware.OTPMiddleware``. The next page is kept in ``?next=``.
    Costs no query beyond the roles (fetched once per request and reused by the views): whether the
    user holds an authenticator is asked once per session (``has_authenticator``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_verified() and not self._exempt(request):
            required = requires_two_factor(user)
            if has_authenticator(request):
                return self._send_to(request, "two_factor:verify")
            if required:
                return self._send_to(request, "two_factor:setup")
        return self.get_response(request)

    @staticmethod
    def _exempt(request):
        return request.path.startswith(settings.STATIC_URL) or request.path_info in _exempt_paths()

    @staticmethod
    def _send_to(request, name):
        url = reverse(name)
        if request.headers.get("HX-Request"):
            # htmx would swap the verification page into a fragment: have it load the page instead.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        return redirect(url)
