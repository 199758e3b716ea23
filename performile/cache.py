"""Django's Redis cache, answering like an empty cache while Redis is away.

Every use of the cache here can go without it (docs/faults.md): a rate limit or a
lock that cannot be read lets the request through (fails open) and a warning is
logged once per outage, so signing in, polling and reconciling keep working on a
stalled or stopped Redis, each call answering within SOCKET_TIMEOUT and then at
once while the breaker is open.
"""

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

from performile import redis_guard


class GuardedRedisCache(RedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        options.setdefault("socket_timeout", redis_guard.SOCKET_TIMEOUT)
        options.setdefault("socket_connect_timeout", redis_guard.SOCKET_TIMEOUT)
        super().__init__(server, {**params, "OPTIONS": options})

    def _guarded(self, degraded, call, *args):
        return redis_guard.cache.attempt(call, *args, degraded=degraded)

    # What an empty cache that keeps nothing answers.
    def get(self, key, default=None, version=None):
        return self._guarded(default, super().get, key, default, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # "Added": a lock or a rate limit lets the caller through.
        return self._guarded(True, super().add, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._guarded(False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._guarded({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._guarded(False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        # The first hit of a rate-limit window.
        return self._guarded(delta, super().incr, key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded([], super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._guarded(None, super().delete_many, keys, version)

    def clear(self):
        return self._guarded(False, super().clear)
