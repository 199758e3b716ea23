"""The API's rate limit: beyond the client's requests a minute, 429 in the API's
error shape with Retry-After; counted per client, and again in the next minute."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

START = datetime(2026, 12, 6, 12, 0, 10, tzinfo=UTC)


@pytest.fixture(autouse=True)
def limits(settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    cache.clear()


def test_a_client_over_its_limit_gets_429_with_the_error_shape(staff_api, merchant):
    other = APIClient()
    other.force_authenticate(MembershipFactory(merchant=merchant).user)
    with time_machine.travel(START, tick=False) as clock:
        answers = [staff_api.get("/api/orders/").status_code for _ in range(4)]
        refused = staff_api.get("/api/orders/")

        assert answers == [200, 200, 200, 429]
        assert refused.json()["error"]["code"] == "throttled"
        assert refused.json()["error"]["message"]
        assert refused["Retry-After"] == "50"
        assert other.get("/api/orders/").status_code == 200  # its own count

        clock.shift(timedelta(seconds=50))
        assert staff_api.get("/api/orders/").status_code == 200
