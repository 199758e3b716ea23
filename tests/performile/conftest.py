"""Fixtures for the platform's own tests."""

import pytest

from performile import broker, redis_guard
from performile.celery import app as celery_app
from tests.faults import StallingProxy


@pytest.fixture
def redis(settings):
    """Every use of Redis (cache, broker, channel layer) through a proxy the test
    can stall."""
    proxy = StallingProxy(settings.CACHES["default"]["LOCATION"])
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": proxy.url}}
    layer = settings.CHANNEL_LAYERS["default"]
    settings.CHANNEL_LAYERS = {
        "default": {**layer, "CONFIG": {**layer["CONFIG"], "hosts": [proxy.url]}}
    }
    broker_url = celery_app.conf.broker_url
    celery_app.conf.broker_url = proxy.url
    broker.reset()
    yield proxy
    proxy.resume()
    celery_app.conf.broker_url = broker_url
    broker.reset()
    for breaker in redis_guard.BREAKERS.values():
        breaker.reset()
    proxy.close()
