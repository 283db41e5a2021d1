from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class TokenRateThrottle(SimpleRateThrottle):
    """Requests per token (``API_RATE_LIMIT``, e.g. 600/hour); past it, 429 with Retry-After.

    Counted in the default cache: per process with the local-memory cache, shared once a shared cache is set.
    """

    scope = "token"

    def get_rate(self):
        # Read when asked, not at import, so that a changed setting applies.
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def get_cache_key(self, request, view):
        if request.auth is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
