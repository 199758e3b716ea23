"""The API's rate limit: requests per minute per signed-in client (its user, by
session or token); beyond it, 429 in the API's error shape with Retry-After
(docs/configuration.md). A caller not signed in is refused before it is counted
(every API view needs a user).

A fixed window counted in Redis, two round trips a request (DRF's own throttles
keep every request's timestamp and write the whole list back each time). While
Redis is away the count reads as the window's first request: the API stays open
(performile.cache)."""

import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

WINDOW = 60


class PerMinuteThrottle(BaseThrottle):
    def allow_request(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return True
        now = time.time()
        key = f"api-rate:{user.pk}:{int(now // WINDOW)}"
        cache.add(key, 0, timeout=WINDOW + 5)
        self.retry_after = WINDOW - now % WINDOW
        return cache.incr(key) <= settings.API_RATE_LIMIT_PER_MINUTE

    def wait(self) -> float:
        return self.retry_after
