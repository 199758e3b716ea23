"""A customer's export: customer.json with every section, their documents (the
customer's copy) and attachments, nothing of anyone else's; audited."""

import io

import pytest
from pypdf import PdfReader

from messaging.models import REDACTED, Message
from messaging.services import messages_redact
from orders.services import order_delete
from performile.audit import audit
from performile.models import AuditEvent
from privacy.export import customer_export_content
from privacy.services import customer_export
from tests.privacy.conftest import read_zip

pytestmark = pytest.mark.django_db

SECTIONS = {
    "format",
    "exported_at",
    "merchant",
    "customer",
    "portal_account",
    "notification_preferences",
    "delivery_addresses",
    "orders",
    "messages",
    "satisfaction_ratings",
    "invoices",
    "credit_notes",
    "payments",
    "statements",
    "privacy_requests",
    "audit_events",
    "files",
    "missing_files",
}


def export_of(customer, actor):
    export = customer_export(customer=customer, actor=actor)
    return read_zip(export.archive.file.read())


def test_the_export_holds_every_section_and_the_documents(anna, annas, staff_user):
    data, files = export_of(anna, staff_user)
    assert set(data) == SECTIONS
    assert data["customer"]["email"] == "anna@example.com"
    assert data["portal_account"]["username"] == "anna"
    assert data["portal_account"]["email_addresses"][0]["verified"] is True
    assert data["notification_preferences"]["sms"] is True
    assert data["delivery_addresses"][0]["line1"] == "Sveavägen 5"
    (order,) = data["orders"]
    assert order["order_number"] == "ORD-10042"
    assert order["lines"][0]["title"] == "Lamp"
    assert {event["kind"] for event in order["events"]} >= {"updated"}
    (shipment,) = order["shipments"]
    assert shipment["recipient"]["name"] == "Anna Berg"
    assert shipment["tracking"][0]["description"] == "On its way"
    bodies = [message["body"] for message in data["messages"]]
    assert "My lamp came scratched, zanzibar." in bodies
    assert "Hello Anna Berg, tomorrow." in bodies
    assert data["invoices"][0]["number"] == annas["invoice"].number
    assert data["invoices"][0]["buyer"]["name"] == "Anna Berg"
    assert data["credit_notes"][0]["number"] == annas["credit_note"].number
    assert data["payments"][0]["amount"] == "10.00"
    assert data["statements"][0]["currency"] == "EUR"
    assert data["missing_files"] == []
    assert set(files) == {"customer.json", "README.txt", *data["files"]}
    attachment = data["messages"][0]["attachments"][0]
    assert files[attachment["file"]] == b"\xff\xd8 jpeg"
    for document in (
        data["invoices"][0]["document"],
        data["credit_notes"][0]["document"],
        data["statements"][0]["document"],
    ):
        assert files[document].startswith(b"%PDF")


def test_the_documents_are_the_customers_copy(anna, annas, staff_user):
    data, files = export_of(anna, staff_user)
    invoice = PdfReader(io.BytesIO(files[data["invoices"][0]["document"]]))
    text = "".join(page.extract_text() for page in invoice.pages)
    assert "customer C10000001" in text
    assert "customer copy" in text


def test_internal_notes_and_staff_names_stay_out(anna, annas, staff_user):
    audit(
        "discord.trackorder",
        actor=staff_user,
        order_id=annas["order"].pk,
        discord_user_id="880011223344",
    )
    data, _ = export_of(anna, staff_user)
    assert "discord.trackorder" in {event["action"] for event in data["audit_events"]}
    assert "880011223344" not in str(data)
    text = str(data)
    assert "is a VIP" not in text
    assert staff_user.first_name not in text
    assert {event["by"] for event in data["audit_events"]} <= {
        "you",
        "staff",
        "system",
    }


def test_another_customers_data_is_absent(anna, annas, olle, olles, staff_user):
    data, files = export_of(anna, staff_user)
    everything = repr(data) + repr(sorted(files))
    for theirs in (
        "olle@example.com",
        "Olle Ek",
        "ORD-20077",
        "kalahari",
        olles["invoice"].number,
        olles["credit_note"].number,
        "C10000002",
    ):
        assert theirs not in everything, theirs


def test_the_export_is_audited(anna, annas, staff_user):
    export_of(anna, staff_user)
    event = AuditEvent.objects.get(action="customer.exported")
    assert event.actor == staff_user
    assert event.object_id == str(anna.pk)
    assert event.data["by"] == "staff"
    assert event.data["files"] == 4  # invoice, credit note, statement, attachment


def test_redacted_messages_read_as_removed(anna, annas, staff_user):
    messages_redact(
        messages=Message.objects.filter(pk=annas["asked"].pk),
        actor=staff_user,
        reason="test",
    )
    data, files = export_of(anna, staff_user)
    redacted = next(m for m in data["messages"] if m["redacted"])
    assert redacted["body"] == REDACTED
    assert redacted["sender"] == REDACTED
    assert redacted["attachments"] == []
    assert "zanzibar" not in repr(data["messages"])
    assert not any(name.startswith("attachments/") for name in files)


def test_the_records_come_through_the_access_rules(
    anna, annas, staff_user, other_merchant_staff
):
    """The orders, messages and billing records are those the one exporting may
    see: all of the customer's for the merchant's staff (a soft-deleted order
    too), none for anyone else."""
    order_delete(order=annas["order"], actor=staff_user, reason="test")
    data, _ = export_of(anna, staff_user)
    assert [order["order_number"] for order in data["orders"]] == ["ORD-10042"]
    assert data["orders"][0]["deleted_at"] is not None
    outsider = customer_export_content(anna, viewer=other_merchant_staff)
    for section in ("orders", "messages", "invoices", "credit_notes", "payments"):
        assert outsider.data[section] == [], section
    assert outsider.data["statements"] == []
    assert outsider.files == []
