"""No event Stripe's endpoint is sent, correctly signed, reaches a 500 or leaves a
delivery failing: the payment, checkout and refund events from Stripe's documented
shapes changed at random, and any JSON (tests/properties.py)."""

import json

import pytest

from tests.invoices.test_stripe import (
    charge,
    checkout_session,
    paid_event,
    post,
    stripe_event,
)
from tests.properties import any_json, assert_always_answered_well, mutated

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(stripe_profile, invoice):
    metadata = {"invoice_number": invoice.number}
    return {
        "payment_intent.succeeded": paid_event(invoice),
        "checkout.session.completed": stripe_event(
            "checkout.session.completed", checkout_session(5000, metadata=metadata)
        ),
        "charge.refunded": stripe_event(
            "charge.refunded",
            charge(5000, 1000, refunds=[("re_1", 1000)], metadata=metadata),
        ),
    }


@pytest.mark.parametrize(
    "kind",
    [
        "payment_intent.succeeded",
        "checkout.session.completed",
        "charge.refunded",
        "any",
    ],
)
def test_a_stripe_event_is_answered_without_a_server_error(
    client, stripe_profile, events, kind
):
    def send(payload):
        return post(client, stripe_profile, body=json.dumps(payload).encode())

    examples = any_json if kind == "any" else mutated(events[kind])
    assert_always_answered_well(examples, send)
