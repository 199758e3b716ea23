from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from orders.models import Order, OrderEvent
from orders.state_machine import OrderStatus
from tests.factories import CustomerFactory, OrderFactory
from tests.orders.payloads import post_shopify
from tests.orders.samples import shopify_sample_order

pytestmark = pytest.mark.django_db
LIST = reverse("api-orders")


def detail_url(order):
    return reverse("api-order-detail", args=[order.pk])


def numbers(response):
    return [row["order_number"] for row in response.json()["results"]]


def test_list_is_newest_first_with_computed_flags(staff_api, store):
    OrderFactory(store=store, order_number="A1")
    OrderFactory(
        store=store,
        order_number="A2",
        tracking_number="370123456789",
        courier="PostNord",
    )
    response = staff_api.get(LIST)
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["order_number"] for row in rows] == ["A2", "A1"]
    assert rows[0]["has_tracking"] is True
    assert rows[0]["can_track"] is True
    assert rows[0]["can_book_shipment"] is False
    assert rows[1]["has_tracking"] is False
    assert rows[1]["can_book_shipment"] is True
    assert rows[1]["needs_action"] is True
    assert rows[1]["badge"] == {"label": "Pending", "tone": "orange"}
    assert rows[1]["amount"] == "150.00"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "shipped"}, ["SHIP"]),
        ({"status": ["shipped", "cancelled"]}, ["CANC", "SHIP"]),
        ({"has_tracking": "true"}, ["SHIP"]),
        ({"has_tracking": "false"}, ["SVC", "CANC", "OLD", "PEND"]),
        ({"needs_action": "true"}, ["OLD", "PEND"]),
        ({"service": "bot"}, ["SVC"]),
        ({"q": "pend"}, ["PEND"]),
        ({"q": "ada@example"}, ["SVC"]),
        ({"q": "370999"}, ["SHIP"]),
        ({"state": "closed"}, ["CANC"]),
        ({"created_after": "2026-11-01"}, ["SVC", "CANC", "SHIP", "PEND"]),
        ({"created_before": "2026-01-31"}, ["OLD"]),
    ],
)
def test_filters(staff_api, store, query, expected):
    ada = CustomerFactory(merchant=store.merchant, name="Ada", email="ada@example.com")
    nov = datetime.fromisoformat("2026-11-10T12:00:00+00:00")
    OrderFactory(store=store, order_number="PEND", placed_at=nov)
    OrderFactory(
        store=store,
        order_number="OLD",
        placed_at=datetime.fromisoformat("2026-01-05T12:00:00+00:00"),
    )
    OrderFactory(
        store=store,
        order_number="SHIP",
        status=OrderStatus.SHIPPED,
        tracking_number="370999",
        placed_at=nov,
    )
    OrderFactory(
        store=store, order_number="CANC", status=OrderStatus.CANCELLED, placed_at=nov
    )
    OrderFactory(
        store=store,
        order_number="SVC",
        status=OrderStatus.IN_PROGRESS,
        service="Bot Development",
        customer=ada,
        placed_at=nov,
    )
    response = staff_api.get(LIST, query)
    assert response.status_code == 200, response.content
    assert numbers(response) == expected


def test_store_filter(staff_api, store, second_store):
    OrderFactory(store=store, order_number="S1")
    OrderFactory(store=second_store, order_number="S2")
    assert numbers(staff_api.get(LIST, {"store": second_store.pk})) == ["S2"]


def test_invalid_filter_is_400_naming_it(staff_api):
    response = staff_api.get(LIST, {"status": "lost", "created_after": "soon"})
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"status", "created_after"}


def test_cursor_pagination_walks_every_order_once(staff_api, store):
    OrderFactory.create_batch(7, store=store)
    seen, url = [], LIST + "?page_size=3"
    while url:
        page = staff_api.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert seen == sorted(Order.objects.values_list("id", flat=True), reverse=True)


def test_page_size_is_capped(staff_api, store):
    OrderFactory.create_batch(3, store=store)
    assert len(staff_api.get(LIST, {"page_size": 1000}).json()["results"]) == 3


def test_detail_has_lines_and_timeline(staff_api, store, staff_user):
    order = OrderFactory(store=store)
    order.lines.create(title="Mug", quantity=2, unit_price=Decimal("12.50"))
    OrderEvent.objects.create(
        order=order, kind="created", to_status="pending", actor=staff_user
    )
    body = staff_api.get(detail_url(order)).json()
    assert body["lines"] == [
        {
            "id": order.lines.get().pk,
            "kind": "item",
            "sku": "",
            "title": "Mug",
            "quantity": 2,
            "unit_price": "12.50",
            "tax_rate": None,
            "total": "25.00",
        }
    ]
    assert body["events"][0]["actor"] == staff_user.get_full_name()
    assert "confirmed" in body["allowed_statuses"]


def test_create_manual_order_with_tracking(staff_api, store, staff_user):
    payload = {
        "store": store.pk,
        "order_number": "#1001",
        "amount": "$150.00",
        "customer": {
            "name": "Eva",
            "email": "eva@example.com",
            "phone": "+46 70 123 45 67",
        },
        "tracking_number": "370123456789",
        "courier": "PostNord",
        "delivery_address": {
            "name": "Eva",
            "line1": "Storgatan 1",
            "postal_code": "11122",
            "city": "Stockholm",
            "country": "SE",
        },
        "package": {"weight_kg": "1.2", "length_cm": 30},
        "lines": [{"title": "Mug", "quantity": 2, "unit_price": "12.50"}],
    }
    response = staff_api.post(LIST, payload, format="json")
    assert response.status_code == 201, response.content
    order = Order.objects.get(order_number="#1001")
    assert (order.amount, order.currency) == (Decimal("150.00"), "USD")
    assert order.customer.phone == "+46701234567"
    assert order.tracking_number == "370123456789"
    assert order.created_by == staff_user
    assert order.source == "manual"
    assert order.package == {"weight_kg": "1.200", "length_cm": "30.0"}
    assert response.json()["has_tracking"] is True
    assert order.events.get().kind == OrderEvent.Kind.CREATED


def test_create_without_tracking_and_plain_amount(staff_api, store):
    response = staff_api.post(
        LIST,
        {"store": store.pk, "order_number": "ABC123", "amount": 150},
        format="json",
    )
    assert response.status_code == 201, response.content
    order = Order.objects.get()
    assert (order.amount, order.currency, order.tracking_number) == (
        Decimal("150.00"),
        store.currency,
        "",
    )


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"order_number": "X", "amount": "ten"}, "amount"),
        ({"order_number": "X", "amount": "-1"}, "amount"),
        ({"order_number": "X" * 65, "amount": "1"}, "order_number"),
        ({"order_number": "X", "amount": "1", "customer": {"phone": "12"}}, "customer"),
        ({"order_number": "X", "amount": "1", "status": "shipped"}, "status"),
        ({"order_number": "X", "amount": "1", "lines": [{"quantity": 1}]}, "lines"),
    ],
)
def test_create_with_bad_input_is_400_and_creates_nothing(
    staff_api, store, payload, field
):
    response = staff_api.post(LIST, {"store": store.pk, **payload}, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not Order.objects.exists()


def test_duplicate_order_number_in_store_is_409(staff_api, store):
    OrderFactory(store=store, order_number="ABC123")
    response = staff_api.post(
        LIST,
        {"store": store.pk, "order_number": "ABC123", "amount": "1"},
        format="json",
    )
    assert response.status_code == 409
    assert "already exists" in response.json()["error"]["message"]


def test_same_number_in_another_store_is_fine(staff_api, store, second_store):
    OrderFactory(store=store, order_number="ABC123")
    response = staff_api.post(
        LIST,
        {"store": second_store.pk, "order_number": "ABC123", "amount": "1"},
        format="json",
    )
    assert response.status_code == 201


def test_status_change_with_note(staff_api, store, staff_user):
    order = OrderFactory(store=store)
    response = staff_api.post(
        reverse("api-order-status", args=[order.pk]),
        {"status": "confirmed", "note": "Packed"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "confirmed"
    event = order.events.get()
    assert (event.from_status, event.to_status, event.note, event.actor) == (
        "pending",
        "confirmed",
        "Packed",
        staff_user,
    )


def test_disallowed_status_change_is_400(staff_api, store):
    order = OrderFactory(store=store, status=OrderStatus.DELIVERED)
    response = staff_api.post(
        reverse("api-order-status", args=[order.pk]),
        {"status": "pending"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_transition"
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED


def test_assign_staff_and_supplier(staff_api, store, staff_user, supplier):
    order = OrderFactory(store=store)
    url = reverse("api-order-assign", args=[order.pk])
    response = staff_api.post(
        url, {"assigned_staff": staff_user.pk, "supplier": supplier.pk}, format="json"
    )
    assert response.status_code == 200, response.content
    order.refresh_from_db()
    assert (order.assigned_staff, order.supplier) == (staff_user, supplier)
    assert order.events.get().kind == OrderEvent.Kind.ASSIGNED


def test_assign_someone_from_another_merchant_is_refused(
    staff_api, store, other_merchant_staff
):
    order = OrderFactory(store=store)
    url = reverse("api-order-assign", args=[order.pk])
    response = staff_api.post(
        url, {"assigned_staff": other_merchant_staff.pk}, format="json"
    )
    assert response.status_code == 400
    order.refresh_from_db()
    assert order.assigned_staff is None


def test_assign_answers_alike_for_another_merchants_user_and_a_missing_one(
    staff_api, store, other_merchant_staff
):
    """Nobody learns which user ids exist at other merchants."""
    order = OrderFactory(store=store)
    url = reverse("api-order-assign", args=[order.pk])
    answers = [
        staff_api.post(url, {"assigned_staff": user_id}, format="json")
        for user_id in (other_merchant_staff.pk, other_merchant_staff.pk + 10_000)
    ]
    assert [answer.status_code for answer in answers] == [400, 400]
    assert answers[0].json() == answers[1].json()
    assert answers[0].json()["error"]["fields"] == {
        "assigned_staff": ["Not a member with that role."]
    }


def test_supplier_cannot_assign(api_client, store, supplier):
    order = OrderFactory(store=store, supplier=supplier)
    api_client.force_authenticate(supplier)
    response = api_client.post(
        reverse("api-order-assign", args=[order.pk]), {"supplier": None}, format="json"
    )
    assert response.status_code == 403


def test_token_authentication(api_client, store, staff_user):
    OrderFactory(store=store)
    token = Token.objects.create(user=staff_user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api_client.get(LIST).status_code == 200


def test_anonymous_is_401(api_client):
    response = api_client.get(LIST)
    assert response.status_code in (401, 403)
    assert "error" in response.json()


def test_schema_and_docs(staff_api):
    schema = staff_api.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/orders/" in schema.content
    docs = staff_api.get("/api/docs/")
    assert docs.status_code == 200
    # Swagger UI from our static files, its init script a file: our CSP applies.
    assert b"cdn.jsdelivr.net" not in docs.content
    assert b"/static/drf_spectacular_sidecar/swagger-ui-dist/" in docs.content
    assert "script-src 'self'" in docs["Content-Security-Policy"]
    script = staff_api.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content


def test_list_rows_equal_drf_generic_representation(store, staff_user, supplier):
    """The list's hand-built rows say exactly what DRF's generic walk would."""
    from rest_framework import serializers

    from orders.api.serializers import OrderListSerializer

    customer = CustomerFactory(merchant=store.merchant, phone="+46701234567")
    orders = [
        OrderFactory(store=store),
        OrderFactory(
            store=store,
            customer=customer,
            assigned_staff=staff_user,
            supplier=supplier,
            tracking_number="370123456789",
            tracking_status="in_transit",
            estimated_delivery="2026-11-30",
            tracking_event="Departed terminal · Solna",
            tracking_event_at=datetime(2026, 11, 28, 9, 30, tzinfo=UTC),
            label_url="/api/shipments/1/label",
            status=OrderStatus.SHIPPED,
        ),
    ]
    serializer = OrderListSerializer()
    for order in Order.objects.filter(pk__in=[o.pk for o in orders]).select_related(
        "store", "customer", "assigned_staff", "supplier"
    ):
        generic = serializers.ModelSerializer.to_representation(serializer, order)
        assert serializer.to_representation(order) == generic
        assert list(serializer.to_representation(order)) == serializer.Meta.fields


def test_list_and_detail_show_the_latest_scan_label_and_progress(staff_api, store):
    """The row's live details (latest scan, label, progress) in the list and the
    detail alike."""
    order = OrderFactory(
        store=store,
        status=OrderStatus.SHIPPED,
        tracking_number="SBX1",
        tracking_status="out_for_delivery",
        tracking_event="Out for delivery · Solna",
        tracking_event_at=datetime(2026, 11, 28, 9, 30, tzinfo=UTC),
        label_url="/api/shipments/1/label",
    )
    OrderFactory(store=store)  # nothing booked
    expected = {
        "tracking_event": "Out for delivery · Solna",
        "tracking_event_at": "2026-11-28T09:30:00Z",
        "label_url": "/api/shipments/1/label",
        "has_label": True,
        "delivery_progress": 3,
    }
    rows = staff_api.get(LIST).json()["results"]
    detail = staff_api.get(detail_url(order)).json()

    assert {k: rows[1][k] for k in expected} == expected
    assert {k: detail[k] for k in expected} == expected
    assert {k: rows[0][k] for k in expected} == {
        "tracking_event": "",
        "tracking_event_at": None,
        "label_url": "",
        "has_label": False,
        "delivery_progress": 0,
    }


def test_the_openapi_schema_is_valid_and_has_no_warnings(tmp_path, db):
    """Every endpoint is described (no view the generator has to guess or skip)."""
    from django.core.management import call_command

    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--file",
        str(tmp_path / "schema.yml"),
    )
    assert "/api/invoices/" in (tmp_path / "schema.yml").read_text()


def test_detail_shows_the_shops_money_lines_and_flag(staff_api, store, client):
    """A webshop order's lines say what they are and their tax; the order says its
    tax, whether prices include it, the shipping method and why to check it."""
    OrderFactory(store=store, order_number="#1001")
    post_shopify(client, store, shopify_sample_order())
    order = Order.objects.get(source="shopify")
    body = staff_api.get(detail_url(order)).json()
    assert [(line["kind"], line["tax_rate"]) for line in body["lines"]] == [
        ("item", "25.00"),
        ("item", "25.00"),
        ("shipping", "25.00"),
    ]
    assert (body["tax_amount"], body["taxes_included"], body["shipping_method"]) == (
        "229.40",
        True,
        "PostNord MyPack Home",
    )
    assert "#1001 was already taken" in body["review_reason"]


def test_create_without_a_number_gets_the_stores_next(staff_api, store):
    response = staff_api.post(LIST, {"store": store.pk, "amount": "10"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["order_number"] == "1001"
