"""The per-token rate limit (``API_RATE_LIMIT``, e.g. 600/hour): past it, 429 with Retry-After.

Counted in the ``api-rate`` cache (settings.CACHES), which every worker shares: Redis in production
(``API_RATE_LIMIT_REDIS_URL``, else the Redis of ``REDIS_URL`` / ``CELERY_BROKER_URL``), the process's
memory only in the embedded default (``make run``, one process). The count is a fixed window per token:
``add`` creates the window's counter with its expiry (Redis ``SET NX EX``) and ``incr`` counts atomically
(Redis ``INCR``), so that requests arriving at once on several workers are each counted once.
"""

import logging
import time

from django.core.cache import caches
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

logger = logging.getLogger(__name__)

CACHE = "api-rate"


class TokenRateThrottle(BaseThrottle):
    scope = "token"

    def __init__(self, cache=None):
        self.cache = cache
        self.wait_seconds = None

    def get_rate(self):
        # Read when asked, not at import, so that a changed setting applies.
        return SimpleRateThrottle.parse_rate(None, api_settings.DEFAULT_THROTTLE_RATES[self.scope])

    def allow_request(self, request, view):
        if request.auth is None:
            return True
        return self.count(request.auth.pk)

    def count(self, token_id, now=None):
        """Count one request of the token; False when it is past the limit of the current window."""
        limit, duration = self.get_rate()
        now = time.time() if now is None else now
        window = int(now // duration)
        key = f"token:{token_id}:{duration}:{window}"
        cache = self.cache or caches[CACHE]
        try:
            cache.add(key, 0, timeout=duration + 1)
            try:
                used = cache.incr(key)
            except ValueError:  # the window's counter expired between add and incr: a new window
                cache.add(key, 0, timeout=duration + 1)
                used = cache.incr(key)
        except Exception:  # the shared cache is down: serve rather than refuse everyone, and say so
            logger.exception("The API rate limit cannot count (cache %r): request let through", CACHE)
            return True
        if used > limit:
            self.wait_seconds = max(1, int((window + 1) * duration - now + 0.999))
            return False
        return True

    def wait(self):
        return self.wait_seconds
