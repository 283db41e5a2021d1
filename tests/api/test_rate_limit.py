"""The per-token rate limit counts in a cache every worker shares, atomically, with Retry-After past it.

The first tests use the process's memory (the embedded default); those marked ``services`` use real Redis,
as production does, through two independent cache clients standing for two workers.
"""

import os
import threading
import uuid

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.urls import reverse

from api.throttling import TokenRateThrottle
from tests.conftest import redis_url, require_redis
from tests.factories import api_token, bearer


def allowed(throttle, token_id, n, now=1_000_000.0):
    return sum(throttle.count(token_id, now=now) for _ in range(n))


def test_requests_past_the_limit_of_the_window_are_refused_until_the_next(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": "3/minute"}}
    throttle = TokenRateThrottle(cache=LocMemCache("rate-a", {}))
    start = 60 * 1000 + 15.0  # 15 seconds into a minute

    assert allowed(throttle, 7, 4, now=start) == 3
    assert throttle.wait() == 45
    assert allowed(throttle, 8, 1, now=start) == 1  # another token counts alone
    assert allowed(throttle, 7, 1, now=start + 45) == 1  # the next minute


def test_two_processes_memories_do_not_share_a_count(settings):
    """Why production needs Redis: each worker's own memory lets the token through once per worker."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": "2/hour"}}
    workers = [TokenRateThrottle(cache=LocMemCache(f"worker-{i}", {})) for i in range(2)]

    assert sum(allowed(w, 1, 2) for w in workers) == 4


@pytest.mark.django_db
def test_the_api_answers_429_with_retry_after_once_the_token_is_past_it(client, settings, focal_point):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": "2/hour"}}
    raw = api_token(focal_point)[1]
    url = reverse("api:cycle-list")

    codes = [client.get(url, **bearer(raw)).status_code for _ in range(3)]

    assert codes == [200, 200, 429]
    refused = client.get(url, **bearer(raw))
    assert 0 < int(refused["Retry-After"]) <= 3600


@pytest.fixture
def redis_workers():
    """Two independent Redis cache clients (each its own connection pool), as two gunicorn workers hold."""
    require_redis()
    prefix = f"mnr-test-rate-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    caches = [RedisCache(redis_url(), {"KEY_PREFIX": prefix}) for _ in range(2)]
    assert caches[0]._cache.get_client() is not caches[1]._cache.get_client()
    yield caches
    client = caches[0]._cache.get_client(write=True)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


@pytest.mark.services
def test_two_workers_share_the_count_in_redis(settings, redis_workers):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": "5/hour"}}
    first, second = (TokenRateThrottle(cache=cache) for cache in redis_workers)

    assert allowed(first, 42, 3) == 3
    assert allowed(second, 42, 3) == 2  # the first worker's three are counted here too
    assert allowed(first, 42, 1) == 0
    assert first.wait() > 0
    key = next(redis_workers[0]._cache.get_client().scan_iter("*token:42:*"))
    assert 0 < redis_workers[0]._cache.get_client().ttl(key) <= 3601  # the window's counter expires


@pytest.mark.services
def test_requests_at_once_on_two_workers_are_each_counted_once(settings, redis_workers):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": "60/hour"}}
    results = []
    lock = threading.Lock()

    def worker(cache):
        throttle = TokenRateThrottle(cache=cache)
        mine = [throttle.count(7, now=1_000_000.0) for _ in range(50)]
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=worker, args=(cache,)) for cache in redis_workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert (len(results), sum(results)) == (100, 60)


@pytest.mark.services
@pytest.mark.django_db
def test_the_api_counts_in_the_shared_cache_when_redis_is_configured(client, settings, focal_point, redis_workers):
    prefix = redis_workers[0].key_prefix
    settings.CACHES = {
        **settings.CACHES,
        "api-rate": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url(),
            "KEY_PREFIX": prefix,
        },
    }
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": "2/hour"}}
    token, raw = api_token(focal_point)
    other_worker = TokenRateThrottle(cache=redis_workers[1])
    assert other_worker.count(token.pk)  # one request served by another worker

    codes = [client.get(reverse("api:cycle-list"), **bearer(raw)).status_code for _ in range(2)]

    assert codes == [200, 429]
