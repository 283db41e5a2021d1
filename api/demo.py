"""The API's part of ``seed_demo``: a token on the police focal point's account page, as a system of theirs holds."""

from django.contrib.auth import get_user_model

from accounts.models import ApiToken
from accounts.services import token_create

DEMO_SYSTEM = "Police case system (demo)"


def seed_demo_tokens():
    """Once: ``fp.police`` holds a read-and-write token (its text is not kept, as for any token: the account
    page lists it, revokes it and creates new ones that are shown once)."""
    user = get_user_model().objects.filter(username="fp.police").first()
    if user is None or ApiToken.objects.filter(user=user, name=DEMO_SYSTEM).exists():
        return
    token_create(
        user=user,
        name=DEMO_SYSTEM,
        scope=ApiToken.Scope.WRITE,
        days=90,
        second_factor_required=False,
        second_factor_verified=False,
    )
