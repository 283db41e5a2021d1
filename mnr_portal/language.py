"""The interface language: chosen in the navigation bar, kept per user (Profile) and per browser."""

from django.conf import settings
from django.shortcuts import redirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

SESSION_KEY = "mnr_language"


def isolate(value):
    """``value`` between Unicode's first strong isolate and pop directional isolate, for plain text where
    ``<bdi>`` cannot go (flash messages): a title or a name typed in one script keeps its own direction, and
    the sentence's quotes and full stop stay where they belong, inside a sentence of the other (an English
    action title in an Arabic message, an Arabic organisation name in an English one)."""
    return f"\u2068{value}\u2069"


@require_POST
def language_set(request):
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = redirect(next_url)
    if language not in dict(settings.LANGUAGES):
        return response
    if request.user.is_authenticated:
        from assessments.models import Profile

        Profile.objects.update_or_create(user=request.user, defaults={"language": language})
        request.session[SESSION_KEY] = language
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )
    return response


def remember_language_at_login(sender, request, user, **kwargs):
    """Receiver of ``user_logged_in``: the user's saved language follows them to any browser."""
    from assessments.models import Profile

    language = Profile.objects.filter(user=user).values_list("language", flat=True).first()
    if language and request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = language


class UserLanguageMiddleware:
    """After LocaleMiddleware: a signed-in user's own language wins over the browser's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        if language in dict(settings.LANGUAGES):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
