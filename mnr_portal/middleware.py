import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
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
    is ended. The last-seen stamp is written at most once a minute, so pages do not each cost a
    session write. An htmx request on an ended session gets 401 (the page keeps what was typed and
    says so); a page request goes to the login page.
    """

    STARTED, SEEN = "mnr_session_started", "mnr_session_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
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
            if now - seen >= 60:
                request.session[self.SEEN] = now
        return self.get_response(request)
