"""A real sandbox courier for the shipments tests (and anyone else who asks).

`sandbox_courier` is the base URL of a sandbox server started once per session
(per xdist worker) and stopped at the end. It runs at speed 0: parcels stand still
until a test moves them with `sandbox_advance`, so nothing depends on the clock.
Each test gets its own API key (`sandbox_account`), which is its own account in the
sandbox: parcels, idempotency keys and injected faults never leak between tests.
"""

import uuid

import pytest

from sandbox_courier import harness
from shipments.couriers.base import AccountSettings
from shipments.couriers.sandbox import SandboxCourier
from tests.shipments.factories import CourierAccountFactory


@pytest.fixture(scope="session")
def sandbox_process():
    """The running sandbox (`harness.Sandbox`): base_url, advance, fail_next, ..."""
    sandbox = harness.start(speed=0, first_webhook_delay=0.2)
    yield sandbox
    sandbox.stop()


@pytest.fixture(scope="session")
def sandbox_courier(sandbox_process) -> str:
    return sandbox_process.base_url


@pytest.fixture
def sandbox_api_key() -> str:
    return f"test-{uuid.uuid4().hex}"


@pytest.fixture
def sandbox_account(sandbox_courier, sandbox_api_key) -> AccountSettings:
    return AccountSettings(base_url=sandbox_courier, api_key=sandbox_api_key)


@pytest.fixture
def sandbox_adapter(sandbox_account) -> SandboxCourier:
    return SandboxCourier(sandbox_account)


@pytest.fixture
def sandbox_advance(sandbox_process, sandbox_api_key):
    """advance(tracking_number, steps=1, until="", all=False, api_key=None): move
    parcels on now; the answer holds the parcel's tracking after the move."""

    def advance(tracking_number="", *, api_key=None, **options):
        return sandbox_process.advance(
            api_key or sandbox_api_key, tracking_number, **options
        )

    return advance


@pytest.fixture
def courier_account(store, sandbox_courier, sandbox_api_key):
    """The store's merchant's account ("Sandbox Post") with this test's sandbox
    account."""
    return CourierAccountFactory(
        merchant=store.merchant,
        courier="sandbox",
        name="Sandbox Post",
        base_url=sandbox_courier,
        api_key=sandbox_api_key,
    )
