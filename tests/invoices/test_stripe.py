"""The Stripe payment webhook: signature, events, matching, refunds, idempotency."""

import hashlib
import hmac
import json
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from invoices.models import Invoice, Payment
from invoices.selectors import PaymentStatus, visible_invoices
from invoices.services import invoice_issue_for_order
from invoices.stripe import to_amount
from orders.models import OrderEvent
from orders.state_machine import OrderStatus
from performile.models import InboundDelivery
from tests.inbound import delivery_of, outcome
from tests.invoices.conftest import STRIPE_SECRET, make_order

pytestmark = pytest.mark.django_db

SECRET = STRIPE_SECRET


@pytest.fixture
def frozen():
    with time_machine.travel(timezone.now(), tick=False) as clock:
        yield clock


# --- Stripe's shapes, signed the way Stripe signs -----------------------------------


def signature(body: bytes, secret: str = SECRET, t: int | None = None) -> str:
    t = int(timezone.now().timestamp()) if t is None else t
    digest = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256)
    return f"t={t},v1={digest.hexdigest()}"


def stripe_event(type_: str, obj: dict, event_id: str | None = None) -> dict:
    return {
        "id": event_id or f"evt_{uuid.uuid4().hex[:24]}",
        "object": "event",
        "api_version": "2024-06-20",
        "created": int(timezone.now().timestamp()),
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": type_,
        "data": {"object": obj},
    }


def checkout_session(
    amount, currency="eur", *, metadata=None, intent="pi_1", paid=True, email=None
):
    return {
        "id": "cs_test_a1",
        "object": "checkout.session",
        "amount_subtotal": amount,
        "amount_total": amount,
        "currency": currency,
        "customer_details": {"email": email, "name": "Anna Berg"},
        "metadata": metadata or {},
        "mode": "payment",
        "payment_intent": intent,
        "payment_status": "paid" if paid else "unpaid",
        "status": "complete",
    }


def payment_intent(amount, currency="eur", *, metadata=None, intent="pi_1", email=None):
    return {
        "id": intent,
        "object": "payment_intent",
        "amount": amount,
        "amount_received": amount,
        "currency": currency,
        "latest_charge": "ch_1",
        "metadata": metadata or {},
        "receipt_email": email,
        "status": "succeeded",
    }


def charge(amount, refunded, *, refunds=None, intent="pi_1", metadata=None):
    obj = {
        "id": "ch_1",
        "object": "charge",
        "amount": amount,
        "amount_captured": amount,
        "amount_refunded": refunded,
        "currency": "eur",
        "metadata": metadata or {},
        "paid": True,
        "payment_intent": intent,
        "refunded": refunded == amount,
        "status": "succeeded",
    }
    if refunds is not None:
        obj["refunds"] = {
            "object": "list",
            "data": [
                {
                    "id": refund_id,
                    "object": "refund",
                    "amount": value,
                    "charge": "ch_1",
                    "currency": "eur",
                    "payment_intent": intent,
                    "status": "succeeded",
                }
                for refund_id, value in refunds
            ],
            "has_more": False,
            "total_count": len(refunds),
            "url": "/v1/charges/ch_1/refunds",
        }
    return obj


def post(client, profile, payload=None, *, body=None, header=None, key=None):
    body = json.dumps(payload).encode() if body is None else body
    headers = {}
    if header is not False:
        headers["HTTP_STRIPE_SIGNATURE"] = header or signature(body)
    url = reverse("stripe", args=[key or profile.stripe_webhook_key])
    return client.post(url, body, content_type="application/json", **headers)


def balance(staff_user, invoice):
    return visible_invoices(staff_user).get(pk=invoice.pk)


def paid_event(invoice, amount=5000, **kwargs):
    metadata = {"invoice_number": invoice.number}
    return stripe_event(
        "payment_intent.succeeded", payment_intent(amount, metadata=metadata, **kwargs)
    )


# --- Signature ----------------------------------------------------------------------


def test_a_signed_payment_pays_the_invoice(client, stripe_profile, invoice, staff_user):
    response = post(client, stripe_profile, paid_event(invoice))

    assert response.status_code == 200, response.content
    payment = Payment.objects.get()
    assert response.json()["status"] == "accepted"
    delivery = delivery_of(response)
    assert delivery.status == InboundDelivery.Status.APPLIED
    assert delivery.result == {
        "payments": [payment.pk],
        "unallocated": [],
    }
    assert (payment.amount, payment.currency, payment.method) == (
        Decimal("50.00"),
        "EUR",
        "stripe",
    )
    assert (payment.invoice, payment.order) == (invoice, invoice.order)
    assert payment.provider_id == payment.reference == "pi_1"
    row = balance(staff_user, invoice)
    assert (row.outstanding, row.payment_status) == (
        Decimal("0.00"),
        PaymentStatus.PAID,
    )


def test_a_wrong_secret_is_refused_and_nothing_is_stored(
    client, stripe_profile, invoice
):
    payload = paid_event(invoice)
    body = json.dumps(payload).encode()

    response = post(
        client, stripe_profile, body=body, header=signature(body, "whsec_other")
    )

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "bad_signature"
    assert not Payment.objects.exists()
    assert not InboundDelivery.objects.exists()


@pytest.mark.parametrize("offset", [-301, 301])
def test_a_timestamp_outside_the_tolerance_is_refused(
    client, stripe_profile, invoice, frozen, offset
):
    """Too old (a replay) or too far ahead: 300 seconds each way."""
    body = json.dumps(paid_event(invoice)).encode()
    t = int(timezone.now().timestamp()) + offset

    response = post(client, stripe_profile, body=body, header=signature(body, t=t))

    assert response.status_code == 401
    assert "300 seconds" in response.json()["error"]["message"]
    assert not Payment.objects.exists()


@pytest.mark.parametrize("offset", [-300, 300])
def test_a_timestamp_at_the_edge_of_the_tolerance_passes(
    client, stripe_profile, invoice, frozen, offset
):
    body = json.dumps(paid_event(invoice)).encode()
    t = int(timezone.now().timestamp()) + offset

    response = post(client, stripe_profile, body=body, header=signature(body, t=t))

    assert response.status_code == 200, response.content


def test_a_signature_checked_a_while_later_is_stale(
    client, stripe_profile, invoice, frozen
):
    body = json.dumps(paid_event(invoice)).encode()
    header = signature(body)
    frozen.shift(timedelta(minutes=6))

    response = post(client, stripe_profile, body=body, header=header)

    assert response.status_code == 401


def test_any_matching_v1_signature_passes(client, stripe_profile, invoice):
    """Stripe sends one v1 per active secret while a secret is being rolled."""
    body = json.dumps(paid_event(invoice)).encode()
    t, good = signature(body).split(",")
    header = f"{t},v1={'0' * 64},{good},v0=ignored"

    response = post(client, stripe_profile, body=body, header=header)

    assert response.status_code == 200, response.content
    assert Payment.objects.count() == 1


@pytest.mark.parametrize(
    "header",
    [False, "garbage", "t=now,v1=abc", "t=1700000000", "v1=abc"],
    ids=["missing", "garbage", "no-number", "no-v1", "no-t"],
)
def test_a_missing_or_garbled_header_is_refused(
    client, stripe_profile, invoice, header
):
    response = post(client, stripe_profile, paid_event(invoice), header=header)

    assert response.status_code == 401
    assert not Payment.objects.exists()


def test_an_endpoint_without_a_secret_is_refused_with_the_reason(
    client, profile, invoice
):
    response = post(client, profile, paid_event(invoice))

    assert response.status_code == 401
    assert "not configured" in response.json()["error"]["message"]
    assert not Payment.objects.exists()


def test_an_unknown_endpoint_key_is_404(client, stripe_profile, invoice):
    response = post(client, stripe_profile, paid_event(invoice), key=uuid.uuid4())

    assert response.status_code == 404
    assert not Payment.objects.exists()


def test_a_replayed_event_is_accepted_and_changes_nothing(
    client, stripe_profile, invoice, staff_user
):
    payload = paid_event(invoice)

    first = post(client, stripe_profile, payload)
    second = post(client, stripe_profile, payload)

    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json() == {"status": "duplicate"}
    assert Payment.objects.count() == 1
    assert balance(staff_user, invoice).outstanding == Decimal("0.00")


# --- Malformed and ignored ------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"{not json", "not valid JSON"),
        (b"[]", "JSON object"),
        (json.dumps({"type": "x", "data": {"object": {}}}).encode(), "`id`"),
        (json.dumps({"id": "evt_1", "data": {"object": {}}}).encode(), "`type`"),
        (json.dumps({"id": "evt_1", "type": "x", "data": {}}).encode(), "data.object"),
    ],
)
def test_a_malformed_event_is_400_with_what_is_wrong(
    client, stripe_profile, body, says
):
    response = post(client, stripe_profile, body=body)

    assert response.status_code == 400
    assert says in response.json()["error"]["message"]
    assert not InboundDelivery.objects.exists()


def test_a_payment_without_an_amount_is_400(client, stripe_profile, invoice):
    payload = paid_event(invoice)
    del payload["data"]["object"]["amount_received"]

    response = post(client, stripe_profile, payload)

    assert response.status_code == 400
    assert "amount_received" in response.json()["error"]["message"]


def test_other_event_types_are_ignored_and_remembered(client, stripe_profile):
    payload = stripe_event("customer.created", {"id": "cus_1", "object": "customer"})

    response = post(client, stripe_profile, payload)

    assert response.status_code == 200
    assert response.json()["status"] == "accepted"
    assert delivery_of(response).status == InboundDelivery.Status.IGNORED
    assert outcome(response)["status"] == "ignored"
    assert InboundDelivery.objects.filter(provider="stripe").count() == 1
    assert not Payment.objects.exists()


def test_an_unpaid_checkout_session_records_nothing(client, stripe_profile, invoice):
    session = checkout_session(
        5000, metadata={"invoice_number": invoice.number}, paid=False
    )

    response = post(
        client, stripe_profile, stripe_event("checkout.session.completed", session)
    )

    assert response.json()["status"] == "accepted"
    assert delivery_of(response).status == InboundDelivery.Status.IGNORED
    assert not Payment.objects.exists()


# --- Amounts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minor", "currency", "amount"),
    [
        (1999, "eur", "19.99"),
        (5, "USD", "0.05"),
        (5000, "JPY", "5000"),
        (120000, "krw", "120000"),
        (1230, "KWD", "1.23"),
    ],
)
def test_stripe_amounts_in_major_units(minor, currency, amount):
    assert to_amount(minor, currency) == Decimal(amount)


def test_minor_units_become_decimals(client, stripe_profile, invoice, staff_user):
    post(client, stripe_profile, paid_event(invoice, amount=1999))

    assert Payment.objects.get().amount == Decimal("19.99")
    row = balance(staff_user, invoice)
    assert (row.outstanding, row.payment_status) == (
        Decimal("30.01"),
        PaymentStatus.PENDING,
    )


def test_a_zero_decimal_currency_is_not_divided(
    client, stripe_profile, store, buyer, staff_user
):
    order = make_order(store, buyer, lines=((1, "5000"),), currency="JPY")
    invoice = invoice_issue_for_order(order=order)
    intent = payment_intent(5000, "jpy", metadata={"invoice_number": invoice.number})

    post(client, stripe_profile, stripe_event("payment_intent.succeeded", intent))

    payment = Payment.objects.get()
    assert (payment.amount, payment.currency) == (Decimal("5000"), "JPY")
    assert balance(staff_user, invoice).outstanding == Decimal("0.00")


def test_an_overpayment_leaves_a_negative_outstanding(
    client, stripe_profile, invoice, staff_user
):
    post(client, stripe_profile, paid_event(invoice, amount=6000))

    row = balance(staff_user, invoice)
    assert (row.paid, row.outstanding, row.payment_status) == (
        Decimal("60.00"),
        Decimal("-10.00"),
        PaymentStatus.PAID,
    )


def test_partial_payments_add_up(client, stripe_profile, invoice, staff_user):
    post(client, stripe_profile, paid_event(invoice, amount=2000, intent="pi_a"))
    assert balance(staff_user, invoice).outstanding == Decimal("30.00")

    post(client, stripe_profile, paid_event(invoice, amount=3000, intent="pi_b"))
    row = balance(staff_user, invoice)
    assert (row.outstanding, row.payment_status) == (
        Decimal("0.00"),
        PaymentStatus.PAID,
    )


# --- One payment, two events -------------------------------------------------------------


@pytest.mark.parametrize("session_first", [True, False])
def test_a_checkout_session_and_its_intent_are_one_payment(
    client, stripe_profile, invoice, staff_user, session_first
):
    metadata = {"invoice_number": invoice.number}
    events = [
        stripe_event(
            "checkout.session.completed", checkout_session(5000, metadata=metadata)
        ),
        stripe_event(
            "payment_intent.succeeded", payment_intent(5000, metadata=metadata)
        ),
    ]
    if not session_first:
        events.reverse()

    answers = [delivery_of(post(client, stripe_profile, e)) for e in events]

    payment = Payment.objects.get()
    assert payment.provider_id == "pi_1"
    assert answers[0].result["payments"] == [payment.pk]
    assert answers[1].status == InboundDelivery.Status.APPLIED
    assert answers[1].result == {
        "payments": [],
        "unallocated": [],
    }
    assert balance(staff_user, invoice).outstanding == Decimal("0.00")


def test_a_session_without_an_intent_is_recorded_under_its_own_id(
    client, stripe_profile, invoice
):
    session = checkout_session(
        5000, metadata={"invoice_id": str(invoice.pk)}, intent=None
    )

    post(client, stripe_profile, stripe_event("checkout.session.completed", session))

    payment = Payment.objects.get()
    assert (payment.provider_id, payment.invoice) == ("cs_test_a1", invoice)


# --- Matching ---------------------------------------------------------------------------


def test_a_payment_on_a_pending_order_verifies_it_and_lands_on_its_invoice(
    client, stripe_profile, order, staff_user, django_capture_on_commit_callbacks
):
    intent = payment_intent(5000, metadata={"order_id": str(order.pk)})

    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            client, stripe_profile, stripe_event("payment_intent.succeeded", intent)
        )

    assert response.status_code == 200, response.content
    order.refresh_from_db()
    assert order.status == OrderStatus.PAYMENT_VERIFIED
    event = OrderEvent.objects.filter(order=order, to_status=order.status).get()
    assert event.actor_label == "Stripe"
    invoice = Invoice.objects.get(order=order)
    payment = Payment.objects.get()
    assert payment.invoice == invoice
    row = balance(staff_user, invoice)
    assert (row.outstanding, row.payment_status) == (
        Decimal("0.00"),
        PaymentStatus.PAID,
    )


def test_an_order_number_matches_within_the_store(
    client, stripe_profile, store, second_store, buyer
):
    make_order(store, buyer, order_number="1001")
    wanted = make_order(second_store, buyer, order_number="1001")
    metadata = {"order_number": "1001", "store_id": str(second_store.pk)}

    post(
        client,
        stripe_profile,
        stripe_event(
            "payment_intent.succeeded", payment_intent(5000, metadata=metadata)
        ),
    )

    assert Payment.objects.get().order == wanted


def test_an_unmatched_payment_is_kept_unallocated_on_the_customer(
    client, stripe_profile, buyer, other_store, caplog
):
    """Another merchant's order is no match: the money is still recorded."""
    foreign = make_order(other_store)
    metadata = {"order_id": str(foreign.pk), "invoice_number": "INV-NOPE"}
    session = checkout_session(4200, metadata=metadata, email=buyer.email.upper())

    response = post(
        client, stripe_profile, stripe_event("checkout.session.completed", session)
    )

    payment = Payment.objects.get()
    assert outcome(response)["unallocated"] == [payment.pk]
    assert delivery_of(response).status == InboundDelivery.Status.APPLIED
    assert (payment.merchant, payment.customer) == (stripe_profile.merchant, buyer)
    assert (payment.invoice, payment.order) == (None, None)
    assert payment.amount == Decimal("42.00")
    assert "matched no invoice or order" in payment.note
    assert "recorded unallocated" in caplog.text


def test_a_payment_in_another_currency_is_kept_unallocated(
    client, stripe_profile, invoice, buyer
):
    intent = payment_intent(5000, "usd", metadata={"invoice_number": invoice.number})

    response = post(
        client, stripe_profile, stripe_event("payment_intent.succeeded", intent)
    )

    assert response.status_code == 200
    payment = Payment.objects.get()
    assert (payment.invoice, payment.customer, payment.currency) == (None, buyer, "USD")
    assert "USD" in payment.note


# --- Refunds ------------------------------------------------------------------------------


def test_listed_refunds_are_recorded_once_each_against_the_original_payment(
    client, stripe_profile, invoice, staff_user
):
    post(client, stripe_profile, paid_event(invoice))

    post(
        client,
        stripe_profile,
        stripe_event("charge.refunded", charge(5000, 1000, refunds=[("re_1", 1000)])),
    )
    post(
        client,
        stripe_profile,
        stripe_event(
            "charge.refunded",
            charge(5000, 1500, refunds=[("re_2", 500), ("re_1", 1000)]),
        ),
    )

    refunds = Payment.objects.filter(amount__lt=0).order_by("id")
    assert [(r.provider_id, r.amount) for r in refunds] == [
        ("re_1", Decimal("-10.00")),
        ("re_2", Decimal("-5.00")),
    ]
    assert {r.invoice for r in refunds} == {invoice}
    assert {r.reference for r in refunds} == {"pi_1"}
    assert balance(staff_user, invoice).outstanding == Decimal("15.00")


def test_cumulative_refunds_record_what_is_new(
    client, stripe_profile, invoice, staff_user
):
    """Without a refunds list, amount_refunded is the running total; an older event
    arriving late adds nothing."""
    post(client, stripe_profile, paid_event(invoice))

    for refunded in (1000, 2500, 1000):
        post(
            client,
            stripe_profile,
            stripe_event("charge.refunded", charge(5000, refunded)),
        )

    refunds = Payment.objects.filter(amount__lt=0).order_by("id")
    assert [(r.provider_id, r.amount) for r in refunds] == [
        ("ch_1:1000", Decimal("-10.00")),
        ("ch_1:2500", Decimal("-15.00")),
    ]
    assert balance(staff_user, invoice).outstanding == Decimal("25.00")


def test_a_refund_matches_through_its_metadata_first(
    client, stripe_profile, invoice, staff_user
):
    response = post(
        client,
        stripe_profile,
        stripe_event(
            "charge.refunded",
            charge(
                5000,
                5000,
                refunds=[("re_9", 5000)],
                metadata={"invoice_number": invoice.number},
            ),
        ),
    )

    assert response.status_code == 200
    refund = Payment.objects.get()
    assert (refund.invoice, refund.amount) == (invoice, Decimal("-50.00"))
    assert balance(staff_user, invoice).outstanding == Decimal("100.00")


def test_a_refund_of_an_unknown_charge_is_kept_unallocated(client, stripe_profile):
    post(
        client,
        stripe_profile,
        stripe_event("charge.refunded", charge(5000, 700, refunds=[("re_1", 700)])),
    )

    refund = Payment.objects.get()
    assert (refund.amount, refund.invoice, refund.order) == (
        Decimal("-7.00"),
        None,
        None,
    )


def test_a_refund_does_not_move_the_order(client, stripe_profile, invoice, order):
    post(client, stripe_profile, paid_event(invoice))
    order.refresh_from_db()
    status = order.status

    post(client, stripe_profile, stripe_event("charge.refunded", charge(5000, 5000)))

    order.refresh_from_db()
    assert order.status == status
    assert Payment.objects.filter(amount__lt=0, order=order).count() == 1
