"""Every portal URL, asked by a customer for another customer's records, answers
404 and changes nothing; and every portal URL is in this sweep (a new one that is
not fails `test_the_sweep_covers_every_portal_url`, tests/urls_sweep.py)."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from invoices.models import Payment
from messaging import services
from messaging.models import Message
from performile.models import AuditEvent
from portal.models import DeliveryAddress
from tests.factories import OrderFactory, OrderLineFactory
from tests.invoices.records import billing_records
from tests.urls_sweep import app_routes, assert_not_found, assert_swept

pytestmark = pytest.mark.django_db

# The portal's URLs that take an id, by the kind of record the id names.
PARAMETRIZED = {
    "orders_detail": "order",
    "orders_live": "order",
    "orders_confirmation": "order",
    "messages_send": "order",
    "messages_attachment": "attachment",
    "invoices_detail": "invoice",
    "invoices_pdf": "invoice",
    "invoices_credit_note_pdf": "credit_note",
    "invoices_statement": "statement",
    "invoices_statement_pdf": "statement",
    "profile_address_edit": "address",
    "profile_address_delete": "address",
    "profile_address_default": "address",
}
# The URLs without an id, and how another customer's id could reach them.
QUERY_ID = {
    "messages": "order",
    "messages_new": "order",
    "invoices_export": None,
    "dashboard": None,
    "orders": None,
    "invoices": None,
    "invoices_statements": None,
    "invoices_payments": None,
    "profile": None,
    "profile_contact": None,
    "profile_verify": None,
    "profile_notifications": None,
    "profile_language": None,
    "profile_address_new": None,
    "profile_export": None,
    "profile_erasure": None,
    "help": None,
    "login": None,
    "logout": None,
    "session": None,
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def theirs(store, other_portal_user, staff_user):
    """Another customer's order, invoice, credit note, statement and address."""
    customer = other_portal_user.customer
    order = OrderFactory(store=store, customer=customer, amount=Decimal("40.00"))
    OrderLineFactory(order=order, quantity=2, unit_price=Decimal("20.00"))
    return customer_records(order, staff_user)


def customer_records(order, staff_user) -> dict:
    """`order` and its customer's records: the order's invoice (partly paid), a
    credit note on it, a statement of the day, a delivery address, a file the
    team sent in the order's conversation (read by the customer)."""
    customer = order.customer
    address = DeliveryAddress.objects.create(
        customer=customer,
        name=customer.name,
        line1="Gatan 1",
        postal_code="111 11",
        city="Stockholm",
        country="SE",
        is_default=True,
    )
    reply = services.message_reply(
        order=order,
        actor=staff_user,
        body="Your packing list.",
        channel="in_app",
        files=[SimpleUploadedFile("packing-list.txt", b"2 x lamp")],
    )
    # Read already: opening the conversation is then a page view like any other.
    services.messages_mark_read(order=order, message=reply, user=customer.user)
    return {
        "order": order,
        **billing_records(order, staff_user),
        "address": address,
        "attachment": reply.attachments.get(),
    }


def test_the_sweep_covers_every_portal_url():
    assert_swept(
        app_routes("portal.urls"),
        by_id=[f"portal:{name}" for name in PARAMETRIZED],
        other=[f"portal:{name}" for name in QUERY_ID],
    )


def test_another_customers_records_are_404_on_every_portal_url(portal, theirs):
    before = _state()
    last_audit = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True)[0]
    for name, kind in PARAMETRIZED.items():
        url = reverse(f"portal:{name}", args=[theirs[kind].pk])
        assert_not_found(
            portal, url, {"part": "row", "body": "Hello", "label": "x", "name": "x"}
        )
    for name, kind in QUERY_ID.items():
        if kind is None:
            continue
        url = reverse(f"portal:{name}") + f"?order={theirs[kind].pk}"
        response = portal.get(url)
        assert response.status_code in (200, 404), url
        assert theirs[kind].order_number not in response.content.decode(), url
    assert _state() == before
    # Refusals are not actions: nothing was audited (no view, download, message).
    # The contact form ignores an order that is not theirs and shows the form: a
    # page view, which does not name the order as the page's.
    audited = AuditEvent.objects.filter(pk__gt=last_audit)
    assert list(audited.values_list("action", "order_id")) == [
        ("portal.messages_new", None)
    ]


def test_a_general_export_holds_none_of_another_customers_rows(portal, theirs):
    start = theirs["invoice"].issue_date.isoformat()
    response = portal.get(
        reverse("portal:invoices_export"),
        {"kind": "all", "start": start, "end": start},
    )
    body = b"".join(response.streaming_content).decode() if response.streaming else ""
    assert response.status_code == 200
    assert theirs["invoice"].number not in body
    assert theirs["credit_note"].number not in body


def test_the_merchants_people_have_no_portal(client, staff_user, theirs):
    client.force_login(staff_user)
    for name, kind in PARAMETRIZED.items():
        url = reverse(f"portal:{name}", args=[theirs[kind].pk])
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("portal:dashboard")).status_code == 404


def _state():
    return (
        Message.objects.count(),
        Payment.objects.count(),
        list(DeliveryAddress.objects.values_list("pk", "label", "is_default")),
    )
