"""Erasing a customer's personal data by pseudonymisation (docs/privacy.md):
what is erased, record by record; the service is `privacy.services.customer_erase`.

Irreversible. The records stay (orders, shipments, messages,
invoices keep their numbers, amounts and history) and lose what names, reaches or
locates the person:

- the customer: name, email, phone and Discord id replaced; `erased_at` set, so
  no later order or message matches them (a new one makes a new customer);
- their orders: delivery address (the country kept), notes, former values of
  those in the timeline, label links; a note on each order's timeline;
- shipments: recipient (the country kept), the label files deleted;
- messages (immutable rows): redacted, `messaging.services.messages_redact`, and
  their attachments' files deleted;
- notification choices; the comments of their satisfaction ratings (the ratings
  stay), questions not sent yet dropped; their portal sign-in (deactivated, name and addresses
  gone); what the portal keeps (`privacy.signals.customer_erasing`);
- raw inbound deliveries of their orders, addresses, payments and parcels: body
  and headers emptied (one still waiting is not applied); outbound notifications
  to them or about their orders: recipient and text replaced, unsent ones
  cancelled.

Issued invoices, credit notes, statements and payments are kept exactly as they
are: the bookkeeping law requires them, with the buyer as printed.
"""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db.models import Q
from django.utils import timezone

from invoices.models import CreditNote, Invoice, Payment, Statement
from messaging.models import (
    REDACTED,
    Message,
    NotificationPreference,
    SatisfactionSurvey,
)
from messaging.services import messages_redact
from orders.models import Customer, Membership, Order, OrderEvent
from orders.services import order_log_many
from performile.actors import Actor
from performile.inbound import key as inbound_key
from performile.models import InboundDelivery, OutboxMessage
from performile.transactions import delete_files_after_commit
from privacy.signals import customer_erasing
from shipments.models import Shipment, UnconfirmedBooking

ERASED_NAME = "Erased customer"
ERASED_RECIPIENT = "erased"
REASON = "The customer's personal data was erased."
# Order fields whose former values an UPDATED event keeps (orders.services).
PERSONAL_ORDER_FIELDS = ("delivery_address", "notes")


@dataclass(frozen=True)
class Contacts:
    """How the customer could be reached or recognised, read before anything is
    replaced: what their raw deliveries and notifications are found by."""

    emails: frozenset[str]  # lower case
    phones: frozenset[str]
    discord_ids: frozenset[str]
    senders: frozenset[str]


@dataclass(frozen=True)
class Erasure:
    customer: Customer
    counts: dict


def customer_erase_records(*, customer: Customer, actor: Actor) -> Erasure:
    """Erase the customer's records, in the caller's transaction (the service
    `privacy.services.customer_erase` checks who may, closes the requests and
    audits); the customer, locked and pseudonymised, and the counts."""
    customer = (
        Customer.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=customer.pk)
    )
    contacts = _contacts(customer)
    orders = list(Order.objects.filter(customer=customer).order_by("pk"))
    counts = _erase(customer, orders, contacts, actor)
    _pseudonymise(customer)
    order_log_many(
        notes=[
            {
                "order": order,
                "note": REASON,
                "actor": actor,
                "created_at": timezone.now(),
            }
            for order in orders
        ]
    )
    return Erasure(customer=customer, counts=counts)


def _erase(customer: Customer, orders: list[Order], contacts: Contacts, actor: Actor):
    redacted = messages_redact(
        messages=_messages(customer, contacts), actor=actor, reason=REASON
    )
    counts = {
        "orders": _orders(orders),
        "order_events": _order_events(orders),
        **_shipments(orders),
        "messages_redacted": redacted["messages"],
        "attachment_files_deleted": redacted["attachments"],
        "notification_preferences": NotificationPreference.objects.filter(
            customer=customer
        ).delete()[0],
        "satisfaction_comments": _satisfaction(customer),
        "inbound_deliveries": _inbound(customer, orders, contacts),
        "outbox_messages": _outbox(orders, contacts),
        "portal_account": _account(customer),
        "documents_kept": _documents_kept(customer),
    }
    for _receiver, erased in customer_erasing.send(
        sender=Customer, customer=customer, actor=actor
    ):
        counts.update(erased)
    return counts


def _satisfaction(customer: Customer) -> int:
    """Their comments on "How did we do?" go (their ratings stay: a number names
    nobody); questions not sent yet are dropped."""
    surveys = SatisfactionSurvey.objects.filter(customer=customer)
    surveys.filter(status=SatisfactionSurvey.Status.SCHEDULED).update(
        status=SatisfactionSurvey.Status.DROPPED, dropped_reason="customer erased"
    )
    return surveys.exclude(comment="").update(comment="")


def _contacts(customer: Customer) -> Contacts:
    emails = {customer.email}
    phones = {customer.phone}
    if customer.user_id:
        emails.add(customer.user.email)
        emails.update(
            EmailAddress.objects.filter(user_id=customer.user_id).values_list(
                "email", flat=True
            )
        )
    senders = Message.objects.filter(
        author_customer=customer, direction=Message.Direction.INBOUND
    ).values_list("sender", flat=True)
    return Contacts(
        emails=frozenset(e.strip().lower() for e in emails if e and e.strip()),
        phones=frozenset(p for p in phones if p),
        discord_ids=frozenset({customer.discord_user_id} - {""}),
        senders=frozenset(s for s in senders.distinct() if s),
    )


def _pseudonymise(customer: Customer) -> None:
    customer.name, customer.email, customer.phone = ERASED_NAME, "", ""
    customer.discord_user_id = ""
    customer.erased_at = timezone.now()
    customer.save(
        update_fields=["name", "email", "phone", "discord_user_id", "erased_at"]
    )


def erased_address(address: dict) -> dict:
    """An address reduced to the country (statistics by country still work)."""
    if not address:
        return {}
    country = address.get("country", "") if isinstance(address, dict) else ""
    return {"name": ERASED_NAME, "country": country}


# --- Orders and shipments ------------------------------------------------------------


def _orders(orders: list[Order]) -> int:
    for order in orders:
        order.delivery_address = erased_address(order.delivery_address)
        order.notes = REDACTED if order.notes else ""
        order.label_url = ""
    Order.objects.bulk_update(orders, ["delivery_address", "notes", "label_url"])
    return len(orders)


def _order_events(orders: list[Order]) -> int:
    events = list(
        OrderEvent.objects.filter(
            order__in=orders, data__changed__has_any_keys=list(PERSONAL_ORDER_FIELDS)
        )
    )
    for event in events:
        changed = event.data["changed"]
        for name in PERSONAL_ORDER_FIELDS:
            if name in changed:
                changed[name] = REDACTED
    OrderEvent.objects.bulk_update(events, ["data"])
    return len(events)


def _shipments(orders: list[Order]) -> dict:
    shipments = list(Shipment.objects.filter(order__in=orders))
    labels = [shipment.label.name for shipment in shipments if shipment.label]
    for shipment in shipments:
        shipment.recipient = erased_address(shipment.recipient)
        shipment.label = ""
    Shipment.objects.bulk_update(shipments, ["recipient", "label"])
    bookings = list(UnconfirmedBooking.objects.filter(order__in=orders))
    for booking in bookings:
        booking.recipient = erased_address(booking.recipient)
    UnconfirmedBooking.objects.bulk_update(bookings, ["recipient"])
    if labels:
        storage = Shipment._meta.get_field("label").storage
        delete_files_after_commit(storage, labels)
    return {"shipments": len(shipments), "label_files_deleted": len(labels)}


# --- Messages, choices, sign-in ------------------------------------------------------


def _messages(customer: Customer, contacts: Contacts):
    """Every message of their orders' threads (the team's replies and notes name
    and quote them too), what they wrote anywhere, and what came from their
    addresses that no order was found for."""
    rule = Q(thread__order__customer=customer) | Q(author_customer=customer)
    from_them = Q(pk__in=[])
    for email in contacts.emails:
        from_them |= Q(sender__iexact=email)
    if contacts.phones | contacts.senders:
        from_them |= Q(sender__in=list(contacts.phones | contacts.senders))
    rule |= Q(thread=None, merchant_id=customer.merchant_id) & from_them
    return Message.objects.filter(rule)


def _account(customer: Customer) -> str:
    """The portal sign-in: deactivated and stripped of names and addresses. An
    account that is also someone on the merchant's side is only unlinked."""
    user = customer.user
    if user is None:
        return "none"
    if (
        user.is_staff
        or user.is_superuser
        or Membership.objects.filter(user=user).exists()
    ):
        Customer.objects.filter(pk=customer.pk).update(user=None)
        customer.user = None
        return "unlinked"
    EmailAddress.objects.filter(user=user).delete()
    user.username = f"erased-{customer.customer_number.lower()}-{user.pk}"
    user.email = user.first_name = user.last_name = ""
    user.is_active = False
    user.set_unusable_password()
    user.save(
        update_fields=[
            "username",
            "email",
            "first_name",
            "last_name",
            "is_active",
            "password",
        ]
    )
    return "deactivated"


def _documents_kept(customer: Customer) -> int:
    return sum(
        model.objects.filter(customer=customer).count()
        for model in (Invoice, CreditNote, Statement)
    )


# --- Raw deliveries in and notifications out ---------------------------------------


def _inbound(customer: Customer, orders: list[Order], contacts: Contacts) -> int:
    """Empty the raw bodies (and headers) of what webshops, couriers, payment and
    messaging providers sent about them. A delivery still waiting is not applied
    (it would write the data back): it is ignored, with the reason."""
    found = InboundDelivery.objects.filter(
        Q(entity__in=_entities(customer, orders, contacts))
        | _multi_entities("whatsapp:", contacts.phones | contacts.senders)
        | _parcels(orders)
    )
    found.filter(status=InboundDelivery.Status.PENDING).update(
        status=InboundDelivery.Status.IGNORED,
        finished_at=timezone.now(),
        error="Not applied: the customer's personal data was erased.",
    )
    return found.update(
        body=b"", headers={}, entity=ERASED_RECIPIENT, result={"erased": True}
    )


def _entities(customer: Customer, orders: list[Order], contacts: Contacts) -> list:
    """The `entity` each provider recorded their deliveries under (the webhooks
    of orders, messaging and invoices)."""
    entities = [
        f"order:{order.store_id}:{order.external_id}"
        for order in orders
        if order.external_id
    ]
    for sender in set(contacts.emails) | contacts.phones | contacts.senders:
        entities += [f"from:{sender}", f"from:{sender.lower()}"]
    references = Payment.objects.filter(customer=customer).exclude(reference="")
    entities += [
        f"payment:{customer.merchant_id}:{reference}"
        for reference in references.values_list("reference", flat=True)
    ]
    return [inbound_key(entity) for entity in set(entities)]


def _multi_entities(prefix: str, values) -> Q:
    """Entities that list several ids after `prefix` ("whatsapp:+46...,+47..."):
    a LIKE narrows them, the exact list is checked in Python."""
    rule = Q(pk__in=[])
    for value in values:
        candidates = InboundDelivery.objects.filter(
            entity__startswith=prefix, entity__contains=value
        ).values_list("pk", "entity")
        ids = [
            pk
            for pk, entity in candidates
            if value in entity.removeprefix(prefix).split(",")
        ]
        rule |= Q(pk__in=ids)
    return rule


def _parcels(orders: list[Order]) -> Q:
    """Courier deliveries about their parcels ("parcel:<account>:<numbers>")."""
    rule = Q(pk__in=[])
    for shipment in Shipment.objects.filter(order__in=orders).only(
        "account_id", "tracking_number"
    ):
        rule |= _multi_entities(
            f"parcel:{shipment.account_id}:", {shipment.tracking_number}
        )
    return rule


def _outbox(orders: list[Order], contacts: Contacts) -> int:
    """Notifications to them or about their orders: recipient and text replaced;
    those not sent yet are cancelled (their addressee is gone)."""
    rule = Q(order_id__in=[order.pk for order in orders])
    for email in contacts.emails:
        rule |= Q(recipient__iexact=email)
    others = contacts.phones | contacts.discord_ids | contacts.senders
    if others:
        rule |= Q(recipient__in=list(others))
    found = OutboxMessage.objects.filter(rule)
    found.filter(
        status__in=[OutboxMessage.Status.QUEUED, OutboxMessage.Status.SENDING]
    ).update(
        status=OutboxMessage.Status.FAILED,
        next_attempt_at=None,
        last_error="Cancelled: the customer's personal data was erased.",
    )
    return found.update(
        recipient=ERASED_RECIPIENT, subject="", body=REDACTED, headers={}
    )
