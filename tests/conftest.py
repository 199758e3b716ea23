import os

import pytest
import responses
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient

from orders.models import Membership
from performile.celery import app as celery_app
from tests.factories import (
    CustomerFactory,
    MembershipFactory,
    StoreFactory,
    UserFactory,
)


@pytest.fixture(scope="session", autouse=True)
def empty_cache():
    """The cache (this worker's Redis database) starts empty: what an earlier run
    left there (a paused courier account, heartbeats) is keyed by ids this run's
    fresh test database hands out again."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def store(db):
    return StoreFactory(name="Nordic Goods")


@pytest.fixture
def merchant(store):
    return store.merchant


@pytest.fixture
def second_store(merchant):
    return StoreFactory(merchant=merchant, name="Nordic Outlet")


def _member(merchant, role, username, **kwargs):
    user = UserFactory(username=username)
    MembershipFactory(user=user, merchant=merchant, role=role, **kwargs)
    return user


@pytest.fixture
def staff_user(merchant):
    return _member(merchant, Membership.Role.STAFF, "staff")


@pytest.fixture
def admin_member(merchant):
    return _member(merchant, Membership.Role.ADMIN, "merchant-admin")


@pytest.fixture
def reseller(merchant, second_store):
    return _member(
        merchant, Membership.Role.RESELLER, "reseller", stores=[second_store]
    )


@pytest.fixture
def supplier(merchant):
    return _member(merchant, Membership.Role.SUPPLIER, "supplier")


@pytest.fixture
def other_store(db):
    return StoreFactory(name="Other Merchant Store", webhook_secret="other-secret")


@pytest.fixture
def other_merchant_staff(other_store):
    return _member(other_store.merchant, Membership.Role.STAFF, "other-staff")


@pytest.fixture
def customer(merchant):
    user = UserFactory(username="customer")
    return CustomerFactory(merchant=merchant, user=user, email=user.email)


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def staff_api(api_client, staff_user):
    api_client.force_authenticate(staff_user)
    return api_client


@pytest.fixture
def eager_celery():
    """Tasks run at once, in the test's thread (with django_capture_on_commit_callbacks
    (execute=True), what a commit schedules happens before the block ends)."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


TWILIO_MESSAGES_URL = "https://twilio.test/2010-04-01/Accounts/AC-test/Messages.json"


@pytest.fixture
def twilio(settings):
    """SMS configured against a stand-in Twilio (the `responses` library): register
    answers with `twilio.post(TWILIO_MESSAGES_URL, ...)`; `twilio.calls` holds the
    requests made."""
    settings.TWILIO_ACCOUNT_SID = "AC-test"
    settings.TWILIO_AUTH_TOKEN = "twilio-token"
    settings.TWILIO_FROM_NUMBER = "+46700000001"
    settings.TWILIO_API_BASE = "https://twilio.test"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def asgi_server(transactional_db):
    """The production ASGI application (HTTP and websockets) under uvicorn, in a
    thread, on the test database. pytest-django's live_server speaks WSGI only."""
    import socket
    import threading

    import uvicorn

    from performile.asgi import application

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            application, host="127.0.0.1", port=port, lifespan="off", log_level="error"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    ready = threading.Event()
    for _ in range(200):  # up to 10 s for the socket to listen
        if server.started or not thread.is_alive():
            break
        ready.wait(0.05)
    if not server.started:
        pytest.fail("uvicorn did not start")
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


# Property tests (tests/properties.py): repeatable by default, many more fresh
# examples with HYPOTHESIS_PROFILE=explore.
_quiet = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
hypothesis_settings.register_profile(
    "default",
    max_examples=60,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=_quiet,
)
hypothesis_settings.register_profile(
    "explore", max_examples=2000, deadline=None, suppress_health_check=_quiet
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
