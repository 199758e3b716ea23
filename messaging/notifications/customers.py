"""Customer notifications of the order's life: each status change, shipment booking
and tracking milestone adds a system message to the order's thread and queues a
notification in the outbox (performile.outbox) on the channels the customer chose
(NotificationPreference). docs/messaging-notifications.md says what is told when.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from messaging import email_threads, whatsapp_templates
from messaging.emails import customer_email, reply_letter
from messaging.models import NotificationPreference, WhatsAppTemplate
from messaging.selectors import store_name_for_customers
from messaging.services import message_add_system, thread_get_or_create
from orders import state_machine
from orders.languages import order_language, writing_to
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
# Notices to one customer about one order within this time become one message.
DIGEST_WINDOW = timedelta(minutes=5)
# Texts and WhatsApp messages wait out the customer's quiet hours (the shop's
# time; by default 21-08, NotificationPreference), emails go at once.

# Order statuses the customer hears about: (subject, opening sentence), in the
# customer's language (rendered inside `writing_to`).
STATUS_WORDING = {
    S.PAYMENT_VERIFIED: (
        _("We have received your payment for order %(number)s"),
        _("Your payment for order %(number)s from %(store)s has been verified."),
    ),
    S.IN_PROGRESS: (
        _("Work on your order %(number)s has started"),
        _("We have started working on your order %(number)s from %(store)s."),
    ),
    S.IN_REVIEW: (
        _("Your order %(number)s is being reviewed"),
        _("Your order %(number)s from %(store)s is done and in review."),
    ),
    S.CONFIRMED: (
        _("Your order %(number)s is confirmed"),
        _("Your order %(number)s from %(store)s is confirmed."),
    ),
    S.SHIPPED: ON_ITS_WAY,
    S.DELIVERED: WORDING[T.DELIVERED],
    S.COMPLETE: (
        _("Your order %(number)s is complete"),
        _("Your order %(number)s from %(store)s is complete."),
    ),
    S.CANCELLED: (
        _("Your order %(number)s has been cancelled"),
        _("Your order %(number)s from %(store)s has been cancelled."),
    ),
}
BOOKED = (
    _("Your order %(number)s is booked with %(courier)s"),
    _("Your order %(number)s from %(store)s is booked for delivery with %(courier)s."),
)
# Once the order has a shipment, its booking and tracking tell the customer about
# these steps: the status change gets a system message but no notification.
TOLD_BY_SHIPMENT = frozenset({S.CONFIRMED, S.SHIPPED, S.DELIVERED})
# Tracking statuses worth a system message and a notification (in_transit only the
# first time); the rest is noise. The system message is the staff's: English.
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
    with writing_to(order_language(order)):
        facts, link = [], ""
        if order.tracking_number and to_status == S.SHIPPED:
            facts.append(_tracking_number(order.tracking_number))
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
    with writing_to(order_language(order)):
        facts = [_tracking_number(shipment.tracking_number)]
        if shipment.estimated_delivery:
            eta = formats.date_format(shipment.estimated_delivery, "l j F Y")
            facts.append(gettext("Estimated delivery: %(date)s") % {"date": eta})
        return _notice(
            order,
            BOOKED,
            facts,
            SHIPPING_UPDATES,
            tracking_url=order.tracking_url,
            courier=shipment.account.name,
        )


def _tracking_number(number: str) -> str:
    return gettext("Tracking number: %(number)s") % {"number": number}


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
    """The notice in the active language (the caller's `writing_to`); the email's
    letter keeps the tracking link apart for its button."""
    store = store_name_for_customers(order.store)
    values = {"number": order.order_number, "store": store, **extra}
    subject, opening = (part % values for part in wording)
    name = order.customer.name if order.customer_id else ""
    greeting = (
        gettext("Hello %(name)s,") % {"name": name} if name else gettext("Hello,")
    )
    link = (
        [gettext("Track your parcel: %(url)s") % {"url": tracking_url}]
        if tracking_url
        else []
    )
    # The tracking number first, its link next: the text message has room for two.
    lines = [*facts[:1], *link, *facts[1:]]
    paragraphs = [greeting, opening]
    if lines:
        paragraphs.append("\n".join(lines))
    paragraphs.append(gettext("Kind regards,") + f"\n{store}")
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
    routes = notification_routes(customer=customer, preference=preference, order=order)
    quiet = quiet_hours_of(preference)
    return [_enqueue(order, channel, to, notice, quiet) for channel, to in routes]


def notification_preference(*, customer: Customer) -> NotificationPreference:
    """The customer's saved preference, or the defaults (unsaved) when none."""
    found = NotificationPreference.objects.filter(customer=customer).first()
    return found or NotificationPreference(customer=customer)


def notification_routes(
    *,
    customer: Customer,
    preference: NotificationPreference,
    order: Order | None = None,
) -> list[tuple[str, str]]:
    """(outbox channel, recipient) pairs. A customer who chose channels that cannot
    reach them (no email address, WhatsApp outside its 24 h window without the
    merchant's order update template for `order`) gets email, or else SMS; one who
    turned every channel off gets nothing."""
    phone = _phone(customer.phone)
    routes = []
    if preference.email and customer.email:
        routes.append((Channel.EMAIL, customer.email))
    if preference.sms and phone and outbox.channel_ready(Channel.SMS):
        routes.append((Channel.SMS, phone))
    if preference.whatsapp and phone and _whatsapp_reaches(customer, order):
        routes.append((Channel.WHATSAPP, phone))
    chose_any = preference.email or preference.sms or preference.whatsapp
    if routes or not chose_any:
        return routes
    if customer.email:
        return [(Channel.EMAIL, customer.email)]
    if phone and outbox.channel_ready(Channel.SMS):
        return [(Channel.SMS, phone)]
    return []


def _whatsapp_reaches(customer: Customer, order: Order | None) -> bool:
    """Within the 24-hour window, or outside it with a template for the order."""
    if not outbox.channel_ready(Channel.WHATSAPP):
        return False
    if whatsapp_templates.window_open(customer=customer):
        return True
    return order is not None and _update_template(order) is not None


def _update_template(order: Order) -> WhatsAppTemplate | None:
    return whatsapp_templates.template_for(order, WhatsAppTemplate.Purpose.ORDER_UPDATE)


def _phone(raw: str) -> str:
    try:
        return normalize_phone(raw)
    except ValueError:
        return ""


def quiet_hours_of(preference: NotificationPreference) -> tuple[int, int] | None:
    """(start, end) hours the customer is not texted in; None: any time."""
    if not preference.quiet_hours:
        return None
    return (preference.quiet_start, preference.quiet_end)


def _enqueue(order: Order, channel: str, recipient: str, notice: Notice, quiet):
    """The notice on one channel, within the policy: notices to them about the
    order on that channel within DIGEST_WINDOW become one message, saying where
    the order is now (outbox.enqueue's digest); a text or WhatsApp message waits
    out the customer's `quiet` hours (`quiet_hours_of`)."""
    thread = thread_get_or_create(order=order) if channel == Channel.EMAIL else None
    zone = order.merchant.zone
    message = notification_message(order, thread, channel, recipient, notice)
    if channel == Channel.WHATSAPP:
        message.update(_whatsapp_template(order, notice, zone, quiet))
    return outbox.enqueue(
        **message,
        digest_key=f"notice:{order.pk}:{channel}:{recipient}",
        digest_window=DIGEST_WINDOW,
        hold=None
        if channel == Channel.EMAIL
        else (lambda at: after_quiet_hours(at, zone, quiet)),
    )


def _whatsapp_template(order: Order, notice: Notice, zone, quiet) -> dict:
    """The order update template (and the text it reads as) when the window will
    be closed by the time the message may go (after the quiet hours); nothing
    while it is open."""
    due = after_quiet_hours(timezone.now(), zone, quiet)
    if whatsapp_templates.window_open(customer=order.customer, at=due):
        return {}
    template = _update_template(order)
    if template is None:
        return {}  # sent as text all the same: Meta's refusal is recorded
    data, text = whatsapp_templates.outgoing(
        template, order, {"update": notice.subject}
    )
    return {"template": data, "body": text}


def after_quiet_hours(at, zone, quiet):
    """`at`, or the end of the `quiet` hours (start, end; in the shop's `zone`,
    wrapping past midnight when start > end) when it falls in them."""
    if quiet is None:
        return at
    start, end = quiet
    local = timezone.localtime(at, zone)
    hour = local.hour
    inside = (start <= hour or hour < end) if start > end else start <= hour < end
    if not inside:
        return at
    day = local if hour < end else local + timedelta(days=1)
    return day.replace(hour=end, minute=0, second=0, microsecond=0)


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
