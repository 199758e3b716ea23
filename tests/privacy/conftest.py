"""A customer with something of every kind (Anna), and another one of the same
merchant (Olle) whose data must never show up in Anna's export or be touched by
her erasure."""

import io
import json
import zipfile
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile

from messaging import services as messaging
from messaging.models import Message
from messaging.services import IncomingAttachment
from orders.services import order_update
from performile.inbound import enqueue
from portal.models import DeliveryAddress
from shipments.models import TrackingEvent
from tests.factories import CustomerFactory, OrderFactory, OrderLineFactory, UserFactory
from tests.invoices.records import billing_records
from tests.shipments.factories import ShipmentFactory

PASSWORD = "pw-secret-123"
ANNAS_ADDRESS = {
    "name": "Anna Berg",
    "line1": "Sveavägen 5",
    "postal_code": "113 50",
    "city": "Stockholm",
    "country": "SE",
    "phone": "+46701234567",
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def portal_customer(merchant, *, username, email, name, number, phone=""):
    user = UserFactory(username=username, email=email, first_name=name.split()[0])
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return CustomerFactory(
        merchant=merchant,
        user=user,
        email=email,
        name=name,
        phone=phone,
        customer_number=number,
    )


@pytest.fixture
def anna(merchant):
    return portal_customer(
        merchant,
        username="anna",
        email="anna@example.com",
        name="Anna Berg",
        number="C10000001",
        phone="+46701234567",
    )


@pytest.fixture
def olle(merchant):
    return portal_customer(
        merchant,
        username="olle",
        email="olle@example.com",
        name="Olle Ek",
        number="C10000002",
    )


def customer_world(store, customer, staff_user, *, number, external_id, words):
    """An order of `customer` with every kind of record a customer can have."""
    order = OrderFactory(
        store=store,
        customer=customer,
        order_number=number,
        source="shopify",
        external_id=external_id,
        amount=Decimal("40.00"),
        delivery_address={**ANNAS_ADDRESS, "name": customer.name},
        notes=f"Leave at the door, {words}",
    )
    OrderLineFactory(order=order, title="Lamp", quantity=2, unit_price=Decimal("20"))
    order_update(
        order=order,
        actor=staff_user,
        delivery_address={**ANNAS_ADDRESS, "name": customer.name, "line1": "Nyväg 9"},
    )
    shipment = ShipmentFactory(
        order=order,
        recipient={**ANNAS_ADDRESS, "name": customer.name},
        label=SimpleUploadedFile("label.pdf", b"%PDF-1.4 label"),
    )
    TrackingEvent.objects.create(
        shipment=shipment,
        status="in_transit",
        raw_code="IT",
        occurred_at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        description="On its way",
        location="Stockholm",
        source="poll",
    )
    asked = messaging.message_receive(
        channel=Message.Channel.EMAIL,
        sender=customer.email,
        subject=f"About {number}",
        body=f"My lamp came scratched, {words}.",
        provider_message_id=f"<{external_id}@mail.example>",
        attachments=[IncomingAttachment("photo of door.jpg", b"\xff\xd8 jpeg")],
    )
    messaging.message_reply(
        order=order, actor=staff_user, body=f"Hello {customer.name}, tomorrow."
    )
    messaging.message_add_note(
        order=order, actor=staff_user, body=f"Internal: {customer.name} is a VIP"
    )
    billing = billing_records(order, staff_user)
    DeliveryAddress.objects.create(
        customer=customer, is_default=True, **{**ANNAS_ADDRESS, "name": customer.name}
    )
    messaging.notification_preferences_update(
        customer=customer, actor=customer.user, sms=True
    )
    enqueue(
        provider="shopify",
        delivery_id=f"webhook-{external_id}",
        entity=f"order:{store.pk}:{external_id}",
        body=json.dumps({"email": customer.email, "note": words}).encode(),
        headers={"X-Shopify-Topic": "orders/updated"},
        store_id=store.pk,
        merchant_id=store.merchant_id,
    )
    email_delivery = enqueue(
        provider="email-mime",
        delivery_id=f"message-id:<{external_id}@mail.example>",
        entity=f"from:{customer.email}",
        body=f"From: {customer.email}\n\nMy lamp, {words}".encode(),
    )
    return {
        "email_delivery": email_delivery,
        "order": order,
        "shipment": shipment,
        "asked": asked,
        **billing,
    }


@pytest.fixture
def annas(store, anna, staff_user):
    return customer_world(
        store,
        anna,
        staff_user,
        number="ORD-10042",
        external_id="5001",
        words="zanzibar",
    )


@pytest.fixture
def olles(store, olle, staff_user):
    return customer_world(
        store,
        olle,
        staff_user,
        number="ORD-20077",
        external_id="7007",
        words="kalahari",
    )


def read_zip(content: bytes) -> tuple[dict, dict[str, bytes]]:
    """(customer.json, {path: bytes}) of an export."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    return json.loads(files["customer.json"]), files


def response_bytes(response) -> bytes:
    return b"".join(response.streaming_content)
