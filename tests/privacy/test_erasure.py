"""Erasure by pseudonymisation: every personal field replaced, messages redacted,
raw payloads emptied, the sign-in closed; invoices untouched; audited; a later
order from the same address makes a new customer."""

import pytest
from allauth.account.models import EmailAddress
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from invoices.models import CreditNote, Invoice, Payment, Statement
from messaging import services
from messaging.models import REDACTED, Attachment, Message, NotificationPreference
from messaging.services import message_add_note
from orders.customers import (
    Identity,
    customer_for_order,
    customer_merge,
    customers_for_orders,
)
from orders.models import Customer, Order, OrderEvent
from performile.errors import ApplicationError, NotAllowed
from performile.inbound import enqueue
from performile.models import AuditEvent, InboundDelivery, OutboxMessage
from portal.models import DeliveryAddress
from privacy.erasure import ERASED_NAME
from privacy.services import customer_erase
from shipments.models import Shipment
from tests.factories import CustomerFactory, MembershipFactory
from tests.orders.payloads import post_shopify, shopify_order
from tests.privacy.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def erase(customer, actor, **kwargs):
    kwargs.setdefault("confirmation", customer.customer_number)
    return customer_erase(customer=customer, actor=actor, **kwargs)


def billing_rows():
    return [
        list(model.objects.order_by("pk").values())
        for model in (Invoice, CreditNote, Payment, Statement)
    ]


def test_the_customer_and_their_orders_lose_names_contacts_addresses(
    anna, annas, staff_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        erase(anna, staff_user)
    anna.refresh_from_db()
    assert (anna.name, anna.email, anna.phone, anna.discord_user_id) == (
        ERASED_NAME,
        "",
        "",
        "",
    )
    assert anna.is_erased
    order = annas["order"]
    order.refresh_from_db()
    assert order.delivery_address == {"name": ERASED_NAME, "country": "SE"}
    assert order.notes == REDACTED
    assert order.label_url == ""
    updated = OrderEvent.objects.get(order=order, kind=OrderEvent.Kind.UPDATED)
    assert updated.data["changed"]["delivery_address"] == REDACTED
    assert order.events.filter(note__contains="personal data was erased").exists()
    shipment = Shipment.objects.get(pk=annas["shipment"].pk)
    assert shipment.recipient == {"name": ERASED_NAME, "country": "SE"}
    assert not shipment.label
    assert not default_storage.exists(annas["shipment"].label.name)
    assert not DeliveryAddress.objects.filter(customer=anna).exists()
    assert not NotificationPreference.objects.filter(customer=anna).exists()


def test_every_message_of_theirs_is_redacted_and_its_files_deleted(
    anna, annas, staff_user, django_capture_on_commit_callbacks
):
    attachment = annas["asked"].attachments.get()
    stored = attachment.file.name
    with django_capture_on_commit_callbacks(execute=True):
        erase(anna, staff_user)
    messages = Message.objects.filter(thread__order=annas["order"])
    assert messages.count() == 3  # the question, the reply, the internal note
    assert all(message.is_redacted for message in messages)
    attachment = Attachment.objects.get(pk=attachment.pk)  # the row is kept
    assert not attachment.file
    assert attachment.size == 0
    assert not default_storage.exists(stored)


def test_the_files_the_team_sent_them_are_deleted_too(
    anna, annas, staff_user, django_capture_on_commit_callbacks
):
    """A reply's file names and shows them as much as their own: it goes with
    the redacted reply."""
    reply = services.message_post(
        order=annas["order"],
        actor=staff_user,
        body="Your receipt.",
        channel="email",
        files=[
            SimpleUploadedFile("receipt.pdf", b"%PDF-1.4 receipt", "application/pdf")
        ],
    )
    attachment = reply.attachments.get()
    stored = attachment.file.name
    assert default_storage.exists(stored)
    with django_capture_on_commit_callbacks(execute=True):
        erase(anna, staff_user)
    assert Message.objects.get(pk=reply.pk).is_redacted
    assert not Attachment.objects.get(pk=attachment.pk).file
    assert not default_storage.exists(stored)


def test_raw_deliveries_and_notifications_lose_their_content(anna, annas, staff_user):
    batch = enqueue(
        provider="whatsapp",
        delivery_id="wa-1",
        entity="whatsapp:+46701234567,+46709999999",
        body=b'{"from": "46701234567"}',
    )
    someone_elses = enqueue(
        provider="whatsapp",
        delivery_id="wa-2",
        entity="whatsapp:+467012345678",
        body=b'{"from": "467012345678"}',
    )
    erase(anna, staff_user)
    for pk in (annas["email_delivery"], batch):
        assert bytes(InboundDelivery.objects.get(pk=pk).body) == b""
    assert bytes(InboundDelivery.objects.get(pk=someone_elses).body) != b""
    delivery = InboundDelivery.objects.get(delivery_id="webhook-5001")
    assert bytes(delivery.body) == b""
    assert delivery.headers == {}
    assert delivery.entity == "erased"
    assert delivery.status == InboundDelivery.Status.IGNORED  # it was still waiting
    reply = OutboxMessage.objects.get(order_id=annas["order"].pk)
    assert (reply.recipient, reply.body) == ("erased", REDACTED)
    assert reply.status == OutboxMessage.Status.FAILED  # never sent: cancelled


def sign_in(client, login) -> bool:
    client.post(reverse("portal:login"), {"login": login, "password": PASSWORD})
    return "_auth_user_id" in client.session


def test_the_portal_account_is_closed(anna, annas, staff_user, client):
    user = anna.user
    for login in ("anna@example.com", "C10000001"):
        assert sign_in(client, login), login  # the doors work before
        client.logout()
    assert sign_in(client, "anna@example.com")
    erase(anna, staff_user)
    user.refresh_from_db()
    assert not user.is_active
    assert user.email == ""
    assert user.first_name == ""
    assert user.username.startswith("erased-c10000001")
    assert not user.has_usable_password()
    assert not EmailAddress.objects.filter(user=user).exists()
    # The open session is over, and no way in is left.
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 302
    client.logout()
    for login in ("anna@example.com", "C10000001", user.username):
        assert not sign_in(client, login), login


def test_issued_documents_are_kept_unchanged(anna, annas, staff_user):
    before = billing_rows()
    erase(anna, staff_user)
    assert billing_rows() == before
    assert Invoice.objects.get().buyer["name"] == "Anna Berg"
    assert Invoice.objects.get().customer_id == anna.pk


def test_the_erasure_is_audited_with_its_counts(anna, annas, staff_user):
    erase(anna, staff_user, reason="Asked by email")
    event = AuditEvent.objects.get(action="customer.erased")
    assert event.actor == staff_user
    assert event.object_id == str(anna.pk)
    assert event.data["reason"] == "Asked by email"
    counts = event.data["counts"]
    assert counts["orders"] == 1
    assert counts["messages_redacted"] == 3
    assert counts["attachment_files_deleted"] == 1
    assert counts["shipments"] == 1
    assert counts["label_files_deleted"] == 1
    assert counts["delivery_addresses"] == 1
    assert counts["inbound_deliveries"] >= 2  # the webshop's, the email's
    assert counts["portal_account"] == "deactivated"
    assert counts["documents_kept"] == 3


def test_another_customer_is_untouched(anna, annas, olle, olles, staff_user):
    erase(anna, staff_user)
    olle.refresh_from_db()
    assert (olle.name, olle.email) == ("Olle Ek", "olle@example.com")
    assert olle.user.is_active
    assert not Message.objects.filter(
        thread__order=olles["order"], redaction__isnull=False
    ).exists()
    delivery = InboundDelivery.objects.get(delivery_id="webhook-7007")
    assert b"kalahari" in bytes(delivery.body)
    assert DeliveryAddress.objects.filter(customer=olle).exists()


def test_a_wrong_confirmation_changes_nothing(anna, annas, staff_user):
    with pytest.raises(ApplicationError) as caught:
        erase(anna, staff_user, confirmation="C1000000")
    assert "C10000001" in caught.value.message
    anna.refresh_from_db()
    assert anna.email == "anna@example.com"
    assert not anna.is_erased
    assert not AuditEvent.objects.filter(action="customer.erased").exists()


def test_only_the_merchants_staff_and_admins_erase(
    anna, supplier, reseller, other_merchant_staff, admin_member
):
    for actor in (supplier, reseller, other_merchant_staff, anna.user):
        with pytest.raises(NotAllowed):
            erase(anna, actor)
    erase(anna, admin_member)
    anna.refresh_from_db()
    assert anna.is_erased


def test_a_later_order_from_the_same_address_makes_a_new_customer(
    anna, merchant, staff_user
):
    erase(anna, staff_user)
    identity = Identity.clean(email="anna@example.com", phone="+46701234567")
    found = customer_for_order(merchant.pk, identity)
    assert found.pk != anna.pk
    assert found.email == "anna@example.com"
    (batch,) = customers_for_orders(merchant.pk, [identity])
    assert batch.pk == found.pk
    anna.refresh_from_db()
    assert anna.name == ERASED_NAME


def test_an_erased_customer_cannot_be_merged(anna, merchant, staff_user):
    other = CustomerFactory(merchant=merchant)
    erase(anna, staff_user)
    anna.refresh_from_db()
    for customer, into in ((anna, other), (other, anna)):
        with pytest.raises(ApplicationError, match="erased"):
            customer_merge(customer=customer, into=into, actor=staff_user)


def test_a_team_members_own_sign_in_is_only_unlinked(anna, merchant, staff_user):
    MembershipFactory(user=anna.user, merchant=merchant)
    user = anna.user
    erase(anna, staff_user)
    user.refresh_from_db()
    assert user.is_active
    assert user.email == "anna@example.com"
    assert Customer.objects.get(pk=anna.pk).user_id is None


def test_erasing_again_sweeps_what_came_since(anna, annas, staff_user):
    erase(anna, staff_user)
    late = message_add_note(
        order=annas["order"], actor=staff_user, body="She wrote again"
    )
    assert not late.is_redacted
    erase(anna, staff_user)
    assert Message.objects.get(pk=late.pk).is_redacted


def test_a_webshop_order_from_the_same_email_after_erasure_is_a_new_customers(
    client, store, anna, annas, staff_user
):
    erase(anna, staff_user)
    payload = shopify_order(
        order_id=990001,
        name="#5555",
        email="anna@example.com",
        customer={"first_name": "Anna", "last_name": "Berg"},
    )
    assert post_shopify(client, store, payload).status_code == 200
    order = Order.objects.get(external_id="990001")
    assert order.customer_id != anna.pk
    assert order.customer.email == "anna@example.com"
    assert not order.customer.is_erased
    assert Customer.objects.get(pk=anna.pk).email == ""
