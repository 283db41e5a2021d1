import time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _


class SecurityHeadersMiddleware:
    """Headers Django does not set itself: Permissions-Policy, and no caching of signed-in pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response.headers:
            # Assessment data must not stay in shared or browser caches.
            response.headers["Cache-Control"] = "no-store"
        return response


def stamp_session_start(sender, request, user, **kwargs):
    """Receiver of ``user_logged_in``: the clocks of both time-outs start at login."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SessionTimeoutMiddleware.STARTED] = now
        request.session[SessionTimeoutMiddleware.SEEN] = now


class SessionTimeoutMiddleware:
    """Idle and absolute session time-outs.

    A session unused for ``SESSION_IDLE_TIMEOUT`` seconds, or older than ``SESSION_ABSOLUTE_TIMEOUT``,
    is ended. The last-seen stamp is written at most once a minute (more often for a time-out
    shorter than two minutes), so pages do not each cost a session write. An htmx request on an
    ended session, or without one, gets 401 instead of the login page (the page keeps what was
    typed and says so); a page request goes to the login page.
    """

    STARTED, SEEN = "mnr_session_started", "mnr_session_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in:
            now = int(time.time())
            started = request.session.get(self.STARTED)
            seen = request.session.get(self.SEEN)
            if started is None:
                request.session[self.STARTED] = started = now
            if seen is None:
                request.session[self.SEEN] = seen = now
            idle = now - seen > settings.SESSION_IDLE_TIMEOUT
            expired = now - started > settings.SESSION_ABSOLUTE_TIMEOUT
            if idle or expired:
                logout(request)
                if request.headers.get("HX-Request"):
                    return HttpResponse(status=401)
                messages.info(
                    request,
                    _("You were signed out after %(minutes)d minutes without activity.")
                    % {"minutes": settings.SESSION_IDLE_TIMEOUT // 60}
                    if idle
                    else _("Your session reached its maximum length; please log in again."),
                )
                return redirect_to_login(request.get_full_path())
            if now - seen >= min(60, settings.SESSION_IDLE_TIMEOUT // 2):
                request.session[self.SEEN] = now
        response = self.get_response(request)
        if not signed_in and request.headers.get("HX-Request") and self._to_login(response):
            # Signed out meanwhile (another tab, an ended session): the script must not take the
            # login page for an answer. (A signed-in request that logs out still gets its redirect.)
            return HttpResponse(status=401)
        return response

    @staticmethod
    def _to_login(response):
        if response.status_code != 302:
            return False
        return urlsplit(response["Location"]).path == resolve_url(settings.LOGIN_URL)
