"""Customer notifications of the order's life: each status change, shipment booking
and tracking milestone adds a system message to the order's thread and queues a
notification in the outbox (performile.outbox) on the channels the customer chose
(NotificationPreference). docs/messaging-notifications.md says what is told when.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import formats, timezone

from messaging import email_threads
from messaging.emails import customer_email, reply_letter
from messaging.models import Message, NotificationPreference
from messaging.services import message_add_system, thread_get_or_create
from orders import state_machine
from orders.models import Customer, Order, OrderEvent
from orders.notifications import (
    ON_ITS_WAY,
    WORDING,
    CustomerChoice,
    Letter,
    order_tracking_notification,
)
from orders.phones import normalize_phone
from orders.state_machine import OrderStatus as S
from orders.tracking import TrackingStatus as T
from performile import outbox
from performile.errors import ApplicationError
from performile.models import OutboxMessage

Channel = OutboxMessage.Channel
ORDER_UPDATES = "order_updates"
SHIPPING_UPDATES = "shipping_updates"
# The customer can only be sent free text within 24 h of their last WhatsApp message.
WHATSAPP_WINDOW = timedelta(hours=24)
# Notices to one customer about one order within this time become one message.
DIGEST_WINDOW = timedelta(minutes=5)
# Texts and WhatsApp messages wait for the morning (the shop's time, hours 21-08).
QUIET_HOURS = (21, 8)

# Order statuses the customer hears about: (subject, opening sentence).
STATUS_WORDING = {
    S.PAYMENT_VERIFIED: (
        "We have received your payment for order {number}",
        "Your payment for order {number} from {store} has been verified.",
    ),
    S.IN_PROGRESS: (
        "Work on your order {number} has started",
        "We have started working on your order {number} from {store}.",
    ),
    S.IN_REVIEW: (
        "Your order {number} is being reviewed",
        "Your order {number} from {store} is done and in review.",
    ),
    S.CONFIRMED: (
        "Your order {number} is confirmed",
        "Your order {number} from {store} is confirmed.",
    ),
    S.SHIPPED: ON_ITS_WAY,
    S.DELIVERED: WORDING[T.DELIVERED],
    S.COMPLETE: (
        "Your order {number} is complete",
        "Your order {number} from {store} is complete.",
    ),
    S.CANCELLED: (
        "Your order {number} has been cancelled",
        "Your order {number} from {store} has been cancelled.",
    ),
}
# Once the order has a shipment, its booking and tracking tell the customer about
# these steps: the status change gets a system message but no notification.
TOLD_BY_SHIPMENT = frozenset({S.CONFIRMED, S.SHIPPED, S.DELIVERED})
# Tracking statuses worth a system message and a notification (in_transit only the
# first time); the rest is noise.
MILESTONES = frozenset(
    {
        T.IN_TRANSIT,
        T.OUT_FOR_DELIVERY,
        T.AVAILABLE_FOR_PICKUP,
        T.ATTEMPT_FAILED,
        T.DELIVERED,
        T.EXCEPTION,
        T.RETURNED,
    }
)
MILESTONE_TEXT = {
    T.IN_TRANSIT: "In transit",
    T.OUT_FOR_DELIVERY: "Out for delivery",
    T.AVAILABLE_FOR_PICKUP: "Ready for pickup",
    T.ATTEMPT_FAILED: "Delivery attempt failed",
    T.DELIVERED: "Delivered",
    T.EXCEPTION: "Delivery problem",
    T.RETURNED: "Returned to the sender",
}


@dataclass(frozen=True)
class Notice:
    """One notification: the email's subject and body (and its letter, for the
    branded email), the text for SMS/WhatsApp, and the preference group that lets
    the customer turn it off."""

    subject: str
    body: str
    text: str
    group: str
    letter: Letter | None = None


# --- Order lifecycle -----------------------------------------------------------


def order_announce_status_change(
    *, order: Order, from_status: str, to_status: str
) -> list[OutboxMessage]:
    """A system message for the status change, and the customer's notification
    unless it says nothing new (see `_status_notice`)."""
    body = status_change_text(from_status, to_status)
    return _announce(order, body, _status_notice(order, to_status))


def status_change_text(from_status: str, to_status: str) -> str:
    """The system message of a status change."""
    return (
        f"Status changed from {state_machine.label(from_status)} to"
        f" {state_machine.label(to_status)}."
    )


def shipment_announce_booking(*, shipment) -> list[OutboxMessage]:
    order = shipment.order
    courier = shipment.account.name
    body = f"Shipment booked with {courier}, tracking {shipment.tracking_number}."
    return _announce(order, body, _booking_notice(order, shipment))


def shipment_announce_status(*, shipment, status: str) -> list[OutboxMessage]:
    """A tracking milestone: a system message and a notification; other tracking
    statuses, and in transit again after the first time, are left out."""
    if status not in MILESTONES:
        return []
    if status == T.IN_TRANSIT and not _first_time_in_transit(shipment):
        return []
    order = shipment.order
    scan = order.tracking_event if order.tracking_status == status else ""
    body = MILESTONE_TEXT[status] + (f": {scan}" if scan else ".")
    return _announce(order, body, _tracking_notice(order))


def _announce(order: Order, body: str, notice: Notice | None) -> list[OutboxMessage]:
    with transaction.atomic():
        # The order's own change was pushed live a moment ago (orders.live): one
        # push per change, and the thread is read fresh after it.
        message_add_system(order=order, body=body, broadcast=False)
        return customer_notify(order=order, notice=notice) if notice else []


def _status_notice(order: Order, to_status: str) -> Notice | None:
    if to_status not in STATUS_WORDING or _been_in_status_before(order, to_status):
        return None
    if to_status in TOLD_BY_SHIPMENT and order.shipments.exists():
        return None
    return status_notice(order, to_status)


def status_notice(order: Order, to_status: str) -> Notice:
    """What the customer is told of the order's move to `to_status` (a status of
    STATUS_WORDING), when there is something new to tell."""
    facts, link = [], ""
    if order.tracking_number and to_status == S.SHIPPED:
        facts.append(f"Tracking number: {order.tracking_number}")
        link = order.tracking_url
    wording = STATUS_WORDING[to_status]
    return _notice(order, wording, facts, ORDER_UPDATES, tracking_url=link)


def _been_in_status_before(order: Order, status: str) -> bool:
    """Back from on hold, or in review a second time: nothing new to tell."""
    events = OrderEvent.objects.filter(
        order=order, kind=OrderEvent.Kind.STATUS_CHANGED, to_status=status
    )
    return events.count() > 1


def _booking_notice(order: Order, shipment) -> Notice:
    courier = shipment.account.name
    wording = (
        "Your order {number} is booked with {courier}",
        "Your order {number} from {store} is booked for delivery with {courier}.",
    )
    facts = [f"Tracking number: {shipment.tracking_number}"]
    if shipment.estimated_delivery:
        eta = formats.date_format(shipment.estimated_delivery, "l j F Y")
        facts.append(f"Estimated delivery: {eta}")
    return _notice(
        order,
        wording,
        facts,
        SHIPPING_UPDATES,
        tracking_url=order.tracking_url,
        courier=courier,
    )


def _tracking_notice(order: Order) -> Notice | None:
    """orders.notifications' tracking wording, for the order's tracking now."""
    try:
        tracking = order_tracking_notification(order=order, actor=None)
    except ApplicationError:
        return None  # no tracking number or no contact: nothing to send
    return Notice(
        subject=tracking.subject,
        body=tracking.body,
        text=tracking.sms_body,
        group=SHIPPING_UPDATES,
        letter=tracking.letter,
    )


def _notice(
    order: Order,
    wording,
    facts: list[str],
    group: str,
    *,
    tracking_url: str = "",
    **extra,
) -> Notice:
    store = order.store.name
    subject, opening = (
        part.format(number=order.order_number, store=store, **extra) for part in wording
    )
    name = order.customer.name if order.customer_id else ""
    greeting = f"Hello {name}," if name else "Hello,"
    link = [f"Track your parcel: {tracking_url}"] if tracking_url else []
    # The tracking number first, its link next: the text message has room for two.
    lines = [*facts[:1], *link, *facts[1:]]
    paragraphs = [greeting, opening]
    if lines:
        paragraphs.append("\n".join(lines))
    paragraphs.append(f"Kind regards,\n{store}")
    text = " ".join([f"{store}: {subject}.", *lines[:2]])
    letter = Letter(
        paragraphs=(greeting, opening), facts=tuple(facts), tracking_url=tracking_url
    )
    return Notice(
        subject=subject,
        body="\n\n".join(paragraphs),
        text=text,
        group=group,
        letter=letter,
    )


def _first_time_in_transit(shipment) -> bool:
    """In transit for the first time: not after a delivery attempt, a problem, or
    an earlier stretch in transit."""
    statuses = list(
        shipment.events.order_by("occurred_at", "id").values_list("status", flat=True)
    )
    while statuses and statuses[-1] == T.IN_TRANSIT:
        statuses.pop()
    return not set(statuses) & MILESTONES


# --- Reaching the customer ---------------------------------------------------------


def customer_notify(*, order: Order, notice: Notice) -> list[OutboxMessage]:
    """Queue the notice for the order's customer on the channels they chose."""
    customer = order.customer
    if customer is None:
        return []
    preference = notification_preference(customer=customer)
    if not getattr(preference, notice.group):
        return []
    routes = notification_routes(customer=customer, preference=preference)
    return [_enqueue(order, channel, to, notice) for channel, to in routes]


def notification_preference(*, customer: Customer) -> NotificationPreference:
    """The customer's saved preference, or the defaults (unsaved) when none."""
    found = NotificationPreference.objects.filter(customer=customer).first()
    return found or NotificationPreference(customer=customer)


def notification_routes(
    *, customer: Customer, preference: NotificationPreference
) -> list[tuple[str, str]]:
    """(outbox channel, recipient) pairs. A customer who chose channels that cannot
    reach them (no email address, WhatsApp outside its 24 h window) gets email, or
    else SMS; one who turned every channel off gets nothing."""
    phone = _phone(customer.phone)
    routes = []
    if preference.email and customer.email:
        routes.append((Channel.EMAIL, customer.email))
    if preference.sms and phone and outbox.channel_ready(Channel.SMS):
        routes.append((Channel.SMS, phone))
    if preference.whatsapp and phone and _whatsapp_open(customer):
        routes.append((Channel.WHATSAPP, phone))
    chose_any = preference.email or preference.sms or preference.whatsapp
    if routes or not chose_any:
        return routes
    if customer.email:
        return [(Channel.EMAIL, customer.email)]
    if phone and outbox.channel_ready(Channel.SMS):
        return [(Channel.SMS, phone)]
    return []


def _whatsapp_open(customer: Customer) -> bool:
    if not outbox.channel_ready(Channel.WHATSAPP):
        return False
    return Message.objects.filter(
        author_customer=customer,
        channel=Message.Channel.WHATSAPP,
        direction=Message.Direction.INBOUND,
        created_at__gte=timezone.now() - WHATSAPP_WINDOW,
    ).exists()


def _phone(raw: str) -> str:
    try:
        return normalize_phone(raw)
    except ValueError:
        return ""


def _enqueue(order: Order, channel: str, recipient: str, notice: Notice):
    """The notice on one channel, within the policy: notices to them about the
    order on that channel within DIGEST_WINDOW become one message, saying where
    the order is now (outbox.enqueue's digest); a text or WhatsApp message waits
    for the morning during the shop's QUIET_HOURS."""
    thread = thread_get_or_create(order=order) if channel == Channel.EMAIL else None
    zone = order.merchant.zone
    return outbox.enqueue(
        **notification_message(order, thread, channel, recipient, notice),
        digest_key=f"notice:{order.pk}:{channel}:{recipient}",
        digest_window=DIGEST_WINDOW,
        hold=None
        if channel == Channel.EMAIL
        else (lambda at: _after_quiet_hours(at, zone)),
    )


def _after_quiet_hours(at, zone):
    """`at`, or the end of the shop's quiet hours when it falls in them."""
    local = timezone.localtime(at, zone)
    start, end = QUIET_HOURS
    if start <= local.hour or local.hour < end:
        morning = local if local.hour < end else local + timedelta(days=1)
        return morning.replace(hour=end, minute=0, second=0, microsecond=0)
    return at


def notification_message(order, thread, channel: str, recipient: str, notice) -> dict:
    """`outbox.enqueue`'s arguments for the notice on one channel; an email names
    the order's `thread` in its Message-ID, so a reply lands in the thread."""
    message = {
        "channel": channel,
        "recipient": recipient,
        "body": notice.text,
        "order_id": order.pk,
    }
    if channel == Channel.EMAIL:
        message.update(
            subject=notice.subject,
            **customer_email(
                order,
                notice.letter or reply_letter(notice.body),
                headers=email_threads.reply_headers(thread, None),
            ),
        )
    return message


def manual_choice(customer: Customer) -> CustomerChoice:
    """What a customer's own choices allow for the Orders view's "Send
    notification" (registered with orders.notifications): nothing when they turned
    shipping updates off; with a saved preference, only its channels. A customer
    who never chose anything may be reached on every channel."""
    preference = NotificationPreference.objects.filter(customer=customer).first()
    if preference is None:
        return CustomerChoice()
    if not preference.shipping_updates:
        return CustomerChoice(refused="turned off shipping updates in the portal")
    return CustomerChoice(email=preference.email, sms=preference.sms)
