from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.models import Order, OrderEvent
from orders.services import store_rotate_webhook_secret
from orders.state_machine import OrderStatus
from performile.models import InboundDelivery
from tests.inbound import apply_due, delivery_of, outcome
from tests.orders.payloads import dumps, post_shopify, shopify_headers, shopify_order
from tests.orders.samples import shopify_sample_fulfillment, shopify_sample_order

pytestmark = pytest.mark.django_db


def post(client, store, payload, *, secret=None, body=None, **header_options):
    body = dumps(payload) if body is None else body
    headers = shopify_headers(secret or store.webhook_secret, body, **header_options)
    url = reverse("webhook-shopify", args=[store.webhook_key])
    return client.post(url, body, content_type="application/json", **headers)


def test_new_order_is_created_with_lines_customer_and_address(client, store):
    response = post(client, store, shopify_order())
    assert response.status_code == 200, response.content
    order = Order.objects.get(store=store)
    assert order.order_number == "#1001"
    assert order.external_id == "450789469"
    assert order.source == "shopify"
    assert order.status == OrderStatus.PENDING
    assert order.amount == Decimal("598.94")
    assert order.currency == "SEK"
    assert order.customer.email == "bob.norman@example.com"
    assert order.customer.phone == "+46701234567"
    assert order.customer.name == "Bob Norman"
    assert order.delivery_address["city"] == "Stockholm"
    assert [(line.sku, line.quantity) for line in order.lines.all()] == [
        ("IPOD2008PINK", 1),
        ("CASE-1", 2),
    ]
    assert not order.has_tracking
    assert order.can_book_shipment
    event = order.events.get()
    assert (event.kind, event.actor_label) == (OrderEvent.Kind.CREATED, "Shopify")


def test_order_with_tracking_shows_it_at_once(client, store):
    fulfillment = {
        "tracking_number": "370123456789",
        "tracking_company": "PostNord",
        "tracking_url": "https://tracking.postnord.com/?id=370123456789",
    }
    post(client, store, shopify_order(fulfillments=[fulfillment]))
    order = Order.objects.get(store=store)
    assert order.tracking_number == "370123456789"
    assert order.courier == "PostNord"
    assert order.has_tracking
    assert order.can_track
    assert not order.can_book_shipment


def test_paid_order_starts_as_payment_verified(client, store):
    post(client, store, shopify_order(financial_status="paid"))
    assert Order.objects.get(store=store).status == OrderStatus.PAYMENT_VERIFIED


def test_same_delivery_twice_creates_nothing_new(client, store):
    payload = shopify_order()
    first = post(client, store, payload, webhook_id="wh-1")
    second = post(client, store, payload, webhook_id="wh-1")
    assert first.status_code == second.status_code == 200
    assert second.json()["status"] == "duplicate"
    assert Order.objects.count() == 1
    assert OrderEvent.objects.count() == 1


def test_same_event_through_another_subscription_is_a_duplicate(client, store):
    """Deduplicated on (shop, topic, event id) as well as on the webhook id."""
    post(client, store, shopify_order(), webhook_id="wh-1", event_id="ev-9")
    response = post(
        client, store, shopify_order(note="changed"), webhook_id="wh-2", event_id="ev-9"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "accepted"
    assert outcome(response) == {"status": "duplicate"}
    assert Order.objects.get().notes == "Leave at the door"


def test_bad_signature_is_401_and_stores_nothing(client, store):
    response = post(client, store, shopify_order(), secret="wrong-secret")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "bad_signature"
    assert not Order.objects.exists()
    assert not InboundDelivery.objects.exists()


def test_missing_signature_is_401(client, store):
    url = reverse("webhook-shopify", args=[store.webhook_key])
    response = client.post(url, dumps(shopify_order()), content_type="application/json")
    assert response.status_code == 401


def test_body_changed_after_signing_is_401(client, store):
    body = dumps(shopify_order())
    headers = shopify_headers(store.webhook_secret, body)
    url = reverse("webhook-shopify", args=[store.webhook_key])
    tampered = body.replace(b"598.94", b"1.00")
    response = client.post(url, tampered, content_type="application/json", **headers)
    assert response.status_code == 401
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (dumps({"name": "#1"}), "'id' is required"),
        (dumps(shopify_order(total_price="lots")), "'total_price'"),
        (
            dumps(
                shopify_order(line_items=[{"title": "x", "quantity": 0, "price": "1"}])
            ),
            "line_items[0].quantity",
        ),
        (dumps(shopify_order(currency="kronor")), "'currency'"),
        (dumps(shopify_order(created_at="yesterday")), "'created_at'"),
        (b'{"id": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested too deeply"),
    ],
)
def test_malformed_body_is_400_naming_the_problem(client, store, body, message):
    response = post(client, store, None, body=body)
    assert response.status_code == 400
    assert message in response.json()["error"]["message"]
    assert not Order.objects.exists()
    assert not InboundDelivery.objects.exists()


def test_unknown_store_is_404(client, store):
    import uuid

    body = dumps(shopify_order())
    url = reverse("webhook-shopify", args=[uuid.uuid4()])
    response = client.post(
        url, body, content_type="application/json", **shopify_headers("x", body)
    )
    assert response.status_code == 404


def test_get_is_refused(client, store):
    response = client.get(reverse("webhook-shopify", args=[store.webhook_key]))
    assert response.status_code == 405


def test_update_changes_the_order_through_the_services(client, store):
    post(client, store, shopify_order())
    fulfillment = {"tracking_number": "00340434161234567890", "tracking_company": "DHL"}
    response = post(
        client,
        store,
        shopify_order(
            updated_at="2026-11-21T08:00:00-05:00",
            financial_status="paid",
            fulfillment_status="fulfilled",
            fulfillments=[fulfillment],
        ),
        topic="orders/updated",
    )
    assert response.status_code == 200
    order = Order.objects.get()
    assert outcome(response) == {
        "status": "applied",
        "created": False,
        "order_id": order.pk,
        "order_number": order.order_number,
    }
    assert order.status == OrderStatus.SHIPPED
    assert order.tracking_number == "00340434161234567890"
    kinds = list(order.events.values_list("kind", "to_status"))
    assert kinds == [
        (OrderEvent.Kind.CREATED, OrderStatus.PENDING),
        (OrderEvent.Kind.TRACKING, ""),
        (OrderEvent.Kind.STATUS_CHANGED, OrderStatus.SHIPPED),
    ]


def test_cancellation_cancels(client, store):
    post(client, store, shopify_order())
    post(
        client,
        store,
        shopify_order(
            updated_at="2026-11-21T08:00:00Z", cancelled_at="2026-11-21T08:00:00Z"
        ),
        topic="orders/updated",
    )
    assert Order.objects.get().status == OrderStatus.CANCELLED


def test_stale_update_changes_nothing(client, store):
    """Shopify reorders deliveries: an older version never overwrites a newer one."""
    post(client, store, shopify_order(updated_at="2026-11-21T10:00:00Z", note="newest"))
    post(
        client,
        store,
        shopify_order(updated_at="2026-11-21T09:00:00Z", note="older"),
        topic="orders/updated",
    )
    assert Order.objects.get().notes == "newest"


def test_update_before_create_creates_the_order(client, store):
    response = post(
        client,
        store,
        shopify_order(fulfillment_status="fulfilled"),
        topic="orders/updated",
    )
    order = Order.objects.get()
    assert outcome(response) == {
        "status": "applied",
        "created": True,
        "order_id": order.pk,
        "order_number": order.order_number,
    }
    assert order.status == OrderStatus.SHIPPED
    assert list(order.events.values_list("to_status", flat=True)) == [
        OrderStatus.PENDING,
        OrderStatus.SHIPPED,
    ]


def test_unsupported_topic_is_acknowledged_and_ignored(client, store):
    response = post(client, store, {"id": 1}, topic="products/create")
    assert response.status_code == 200
    assert not Order.objects.exists()


def test_previous_secret_works_for_an_hour_after_rotation(client, store):
    store_rotate_webhook_secret(store=store, new_secret="new-secret")
    assert (
        post(client, store, shopify_order(), secret="store-secret").status_code == 200
    )
    store.webhook_secret_rotated_at = timezone.now() - timedelta(hours=2)
    store.save()
    response = post(
        client, store, shopify_order(order_id=2, name="#1002"), secret="store-secret"
    )
    assert response.status_code == 401
    assert (
        post(
            client, store, shopify_order(order_id=3, name="#1003"), secret="new-secret"
        ).status_code
        == 200
    )


def test_existing_customer_is_reused(client, store):
    post(client, store, shopify_order())
    post(
        client,
        store,
        shopify_order(order_id=2, name="#1002", email="BOB.NORMAN@example.com"),
    )
    orders = Order.objects.order_by("id")
    assert orders[0].customer_id == orders[1].customer_id


def test_a_non_web_tracking_link_is_dropped(client, store):
    """A javascript: link from a webshop never becomes a link in the Orders view."""
    fulfillment = {
        "tracking_number": "370123456789",
        "tracking_url": "javascript:alert(1)",
    }
    post(client, store, shopify_order(fulfillments=[fulfillment]))
    order = Order.objects.get()
    assert order.tracking_number == "370123456789"
    assert order.tracking_url == ""


def test_each_ingested_order_is_logged_with_its_ids(client, store, caplog):
    caplog.set_level("INFO", logger="orders.appliers")
    post(client, store, shopify_order())
    record = next(r for r in caplog.records if r.name == "orders.appliers")
    assert record.getMessage() == "order created from shopify"
    assert (record.store_id, record.order_id) == (store.pk, Order.objects.get().pk)


def test_a_fulfillment_gives_the_order_its_tracking(client, store):
    post_shopify(client, store, shopify_sample_order())
    response = post_shopify(
        client, store, shopify_sample_fulfillment(), topic="fulfillments/create"
    )
    assert response.status_code == 200, response.content
    order = Order.objects.get()
    assert (order.tracking_number, order.courier) == (
        "00370712345678901234",
        "PostNord",
    )
    assert order.events.filter(kind=OrderEvent.Kind.TRACKING).exists()


def test_a_fulfillment_before_its_order_is_retried_and_stores_nothing(client, store):
    response = post_shopify(
        client, store, shopify_sample_fulfillment(), topic="fulfillments/update"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "accepted"
    delivery = delivery_of(response)
    assert delivery.status == InboundDelivery.Status.PENDING
    assert delivery.attempts == 1
    assert "has not arrived yet" in delivery.error
    assert delivery.available_at > timezone.now()
    assert not Order.objects.exists()

    post_shopify(client, store, shopify_sample_order())
    assert not Order.objects.get().has_tracking
    # Later, the kept delivery is applied again: now its order is there.
    apply_due()
    delivery.refresh_from_db()
    assert delivery.status == InboundDelivery.Status.APPLIED
    order = Order.objects.get()
    assert delivery.result == {
        "order_id": order.pk,
        "order_number": order.order_number,
    }
    assert (order.tracking_number, order.courier) == (
        "00370712345678901234",
        "PostNord",
    )
    assert order.events.filter(kind=OrderEvent.Kind.TRACKING).exists()
