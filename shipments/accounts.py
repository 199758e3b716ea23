"""Writes to a merchant's courier accounts (workspace.settings, the Django admin),
with the actor and audited; and "test connection": one cheap call to the courier
with the account's settings, on a short timeout."""

import time
from dataclasses import dataclass

import requests
from django.db import transaction

from orders.models import Merchant
from performile.actors import Actor
from performile.audit import audit
from performile.edits import settings_update
from shipments.couriers import courier_for
from shipments.couriers.base import CourierError, ShipmentNotFound
from shipments.models import CourierAccount

ACCOUNT_FIELDS = (
    "courier",
    "name",
    "base_url",
    "api_key",
    "api_secret",
    "customer_number",
    "webhook_secret",
    "enabled",
)
# (connect, read) seconds: a person waits for the answer.
TEST_TIMEOUT = (2, 5)
# A number no courier has: "unknown" proves the courier took our credentials.
TEST_TRACKING_NUMBER = "PERFORMILE0TEST"


def _checked(values: dict) -> dict:
    unknown = set(values) - set(ACCOUNT_FIELDS)
    if unknown:
        raise ValueError(f"Not a courier account setting: {', '.join(sorted(unknown))}")
    return values


def courier_account_create(
    *, merchant: Merchant, actor: Actor, values: dict
) -> CourierAccount:
    with transaction.atomic():
        account = CourierAccount.objects.create(merchant=merchant, **_checked(values))
        audit(
            "courier_account.created",
            actor=actor,
            target=account,
            merchant_id=merchant.pk,
            courier=account.courier,
        )
    return account


def courier_account_update(
    *, account: CourierAccount, actor: Actor, values: dict
) -> list[str]:
    """Write the changed settings; the names of those that changed."""
    return settings_update(
        account,
        values,
        allowed=ACCOUNT_FIELDS,
        action="courier_account.updated",
        actor=actor,
        merchant_id=account.merchant_id,
    )


@dataclass(frozen=True)
class ConnectionCheck:
    ok: bool
    message: str
    took_ms: int


class _BriefSession(requests.Session):
    """Every call on the test's short timeout, whatever the adapter asks."""

    def request(self, method, url, **kwargs):
        kwargs["timeout"] = TEST_TIMEOUT
        return super().request(method, url, **kwargs)


def courier_account_test(*, account: CourierAccount) -> ConnectionCheck:
    """Ask the courier for a tracking number it cannot know: an answer that it
    does not know it means the courier is reachable and took the credentials."""
    started = time.monotonic()
    try:
        courier = courier_for(account.courier, account.settings())
        courier.session = _BriefSession()
        if hasattr(courier, "deadline_s"):  # karrio's carriers: its own HTTP client
            courier.deadline_s = sum(TEST_TIMEOUT)
        courier.track(TEST_TRACKING_NUMBER)
        outcome = (True, f"{courier.name} answered and accepted the credentials.")
    except ShipmentNotFound:
        outcome = (True, f"{courier.name} answered and accepted the credentials.")
    except CourierError as exc:  # refused, unreachable or timed out
        outcome = (False, exc.message)
    except LookupError as exc:
        outcome = (False, str(exc))
    took = int((time.monotonic() - started) * 1000)
    return ConnectionCheck(*outcome, took)
