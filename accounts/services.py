"""Creating, revoking and checking personal API tokens."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ApiToken

# The public marker every token starts with, not a secret.
TOKEN_PREFIX = "mnr_"  # noqa: S105  # nosec B105
# How long a token may live, in days: the choices offered on the account page.
LIFETIMES = (7, 30, 90, 365)
# last_used_at is written at most this often per token, so a busy client does not write on every call.
USE_RESOLUTION = timedelta(minutes=1)


def _hash(raw) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_create(*, user, name, scope, days, second_factor_required, second_factor_verified) -> tuple[ApiToken, str]:
    """A new token for ``user`` and its plain text, which is never stored and cannot be shown again.

    1. Refuse a token of an account that must use two-step verification from a session not verified
       with the second factor (the caller says both: the rule of who must lives in ``mnr_portal``).
    2. Validate the name, scope and lifetime.
    3. Store the prefix and the hash only.
    """
    if second_factor_required and not second_factor_verified:
        raise PermissionDenied(_("Verify your second factor before creating an API token."))
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = _("Name the token after what will use it.")
    if scope not in ApiToken.Scope.values:
        errors["scope"] = _("Choose read only or read and write.")
    if days not in LIFETIMES:
        errors["days"] = _("Choose how long the token stays valid.")
    if errors:
        raise ValidationError(errors)
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user, name=name, prefix=prefix, key_hash=_hash(raw), scope=scope, expires_at=now + timedelta(days=days)
    )
    return token, raw


@transaction.atomic
def token_revoke(*, token, by) -> ApiToken:
    """Revoke one of ``by``'s own tokens; revoking twice keeps the first time."""
    if token.user_id != by.pk:
        raise PermissionDenied(_("Only the owner of a token can revoke it."))
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    return token


def token_authenticate(raw) -> ApiToken | None:
    """The active token whose text is ``raw`` (with its user), or None: unknown, revoked, expired, or inactive user.

    1 query (the token by its prefix, with the user); 1 more at most once a minute to note the use.
    """
    if not raw.startswith(TOKEN_PREFIX) or raw.count("_") < 2:
        return None
    prefix = raw[len(TOKEN_PREFIX) :].split("_", 1)[0]
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.key_hash, _hash(raw)):
        return None
    if not token.is_active or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= USE_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
