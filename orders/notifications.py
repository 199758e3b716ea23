"""Tracking notifications to an order's customer: what they say, who gets them on
which channel, and queuing them in the outbox (performile.outbox).

Channels: email when the customer has an address, SMS when they have a phone number
and SMS is set up on the platform; both when both are known, narrowed by what the
customer chose in the portal. Their choices are the messaging app's
(NotificationPreference), above this one: it registers `CustomerChoice` at start
(`register_customer_choice`), and without it every channel that reaches them is
used. The email itself, in the store's branding, is messaging's too
(`register_customer_email`); without it the email is the plain `body`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from orders import selectors, services
from orders.languages import order_language, writing_to
from orders.models import Customer, Order
from orders.phones import normalize_phone
from orders.tracking import TrackingStatus
from performile import outbox
from performile.actors import Actor
from performile.errors import ApplicationError, NotAllowed
from performile.models import OutboxMessage

T = TrackingStatus
Channel = OutboxMessage.Channel

# Per tracking status: the subject, and the sentence that opens the message (in
# the customer's language: rendered inside `writing_to`).
WORDING = {
    T.OUT_FOR_DELIVERY: (
        _("Your order %(number)s is out for delivery"),
        _("Your order %(number)s from %(store)s is out for delivery."),
    ),
    T.AVAILABLE_FOR_PICKUP: (
        _("Your order %(number)s is ready for pickup"),
        _("Your order %(number)s from %(store)s is ready to be picked up."),
    ),
    T.ATTEMPT_FAILED: (
        _("We could not deliver your order %(number)s"),
        _(
            "The courier tried to deliver your order %(number)s from %(store)s,"
            " but could not."
        ),
    ),
    T.DELIVERED: (
        _("Your order %(number)s has been delivered"),
        _("Your order %(number)s from %(store)s has been delivered."),
    ),
    T.EXCEPTION: (
        _("A delivery problem with your order %(number)s"),
        _(
            "There is a problem with the delivery of your order %(number)s from %(store)s."
        ),
    ),
    T.RETURNED: (
        _("Your order %(number)s is being returned"),
        _("Your order %(number)s from %(store)s is on its way back to the store."),
    ),
    T.EXPIRED: (
        _("An update on your order %(number)s"),
        _(
            "The courier has had no news of your order %(number)s from %(store)s"
            " for a while."
        ),
    ),
}
ON_ITS_WAY = (
    _("Your order %(number)s is on its way"),
    _("Your order %(number)s from %(store)s is on its way."),
)
# Statuses after which an estimated delivery date means nothing any more.
FINAL = frozenset({T.DELIVERED, T.RETURNED, T.EXPIRED})


@dataclass(frozen=True)
class CustomerChoice:
    """What the customer allows for tracking news: `refused` says why nothing may
    be sent (they turned shipping updates off); else the channels they allow."""

    email: bool = True
    sms: bool = True
    refused: str = ""


_customer_choice: Callable[[Customer], CustomerChoice] | None = None


def register_customer_choice(choice: Callable[[Customer], CustomerChoice]) -> None:
    global _customer_choice
    _customer_choice = choice


@dataclass(frozen=True)
class Letter:
    """An email's words before the store's branding goes around them: paragraphs
    (the greeting first), facts (one a line), and the tracking link (a button in
    the HTML). The sign-off is the store's."""

    paragraphs: tuple[str, ...]
    facts: tuple[str, ...] = ()
    tracking_url: str = ""


# (order, letter) -> outbox.enqueue's body, html and headers for the email.
_customer_email: Callable[[Order, Letter], dict] | None = None


def register_customer_email(render: Callable[[Order, Letter], dict]) -> None:
    global _customer_email
    _customer_email = render


@dataclass(frozen=True)
class TrackingNotification:
    """What the order's customer gets, on which channels, and why a channel is left
    out (`notes`)."""

    subject: str
    body: str
    sms_body: str
    email: str = ""
    phone: str = ""
    notes: tuple[str, ...] = field(default=())
    letter: Letter | None = None


def order_tracking_notification(*, order: Order, actor: Actor) -> TrackingNotification:
    """The tracking notification the order's customer would get now. ApplicationError
    when there is no tracking or no way to reach the customer; NotAllowed when the
    actor may not work on the order."""
    if getattr(actor, "is_authenticated", False) and not (
        selectors.order_is_workable_by(actor, order)
    ):
        raise NotAllowed("You cannot notify this order's customer.")
    if not order.has_tracking:
        raise ApplicationError(
            f"Order {order} has no tracking yet: book a shipment or add a tracking"
            " number first."
        )
    customer = order.customer
    if customer is None:
        raise ApplicationError("This order has no customer to notify.")
    if not customer.email and not customer.phone:
        raise ApplicationError("This customer has no email address or phone number.")
    phone, notes = sms_number(customer.phone)
    if not customer.email and not phone:
        raise ApplicationError(f"This customer has no email address. {notes[0]}")
    with writing_to(order_language(order)):
        subject, body, sms_body, letter = _compose(order, customer.name)
    return TrackingNotification(
        subject=subject,
        body=body,
        sms_body=sms_body,
        email=customer.email,
        phone=phone,
        notes=notes,
        letter=letter,
    )


def manual_tracking_notification(*, order: Order, actor: Actor) -> TrackingNotification:
    """The tracking notification someone on the team would send now from the
    Orders view: `order_tracking_notification` on the channels the customer's own
    choices leave (ApplicationError when they leave none)."""
    notification = order_tracking_notification(order=order, actor=actor)
    email, phone, notes = _as_chosen(
        order.customer, notification.email, notification.phone, notification.notes
    )
    return replace(notification, email=email, phone=phone, notes=notes)


def _as_chosen(customer: Customer, email: str, phone: str, notes: tuple):
    """The addresses the customer's own choices leave (ApplicationError when they
    leave none)."""
    choice = _customer_choice(customer) if _customer_choice else CustomerChoice()
    name = customer.name or "The customer"
    if choice.refused:
        raise ApplicationError(f"{name} {choice.refused}: nothing was sent.")
    if email and not choice.email:
        email, notes = "", (*notes, f"{name} turned off email notifications.")
    if phone and not choice.sms:
        phone, notes = "", (*notes, f"{name} turned off text messages.")
    if not email and not phone:
        raise ApplicationError(
            f"{name} turned off the channels we could reach them on: nothing was sent."
        )
    return email, phone, notes


def order_send_tracking_notification(
    *, order: Order, actor: Actor
) -> list[OutboxMessage]:
    """Queue the tracking notification on every channel the customer can be reached
    on, and note it on the order's timeline, in one transaction."""
    notification = manual_tracking_notification(order=order, actor=actor)
    with transaction.atomic():
        queued = []
        if notification.email:
            queued.append(
                outbox.enqueue(
                    channel=Channel.EMAIL,
                    recipient=notification.email,
                    subject=notification.subject,
                    order_id=order.pk,
                    **_email(order, notification),
                )
            )
        if notification.phone:
            queued.append(
                outbox.enqueue(
                    channel=Channel.SMS,
                    recipient=notification.phone,
                    body=notification.sms_body,
                    order_id=order.pk,
                )
            )
        services.order_log(
            order=order,
            actor=actor,
            note=f"Tracking notification sent {sent_by(queued)}.",
            data={
                "outbox_message_ids": [message.pk for message in queued],
                "tracking_status": order.tracking_status,
            },
        )
    return queued


def _email(order: Order, notification: TrackingNotification) -> dict:
    if _customer_email is None or notification.letter is None:
        return {"body": notification.body}
    return _customer_email(order, notification.letter)


def sent_by(messages: list[OutboxMessage]) -> str:
    """How the messages go out: "by email to a@b.se and SMS to +46701234567"."""
    labels = {Channel.EMAIL: "email", Channel.SMS: "SMS"}
    return "by " + " and ".join(
        f"{labels.get(m.channel, m.get_channel_display())} to {m.recipient}"
        for m in messages
    )


def sms_number(raw: str) -> tuple[str, tuple[str, ...]]:
    """The number a text can go to, or "" and why not."""
    if not raw:
        return "", ()
    if not outbox.channel_ready(Channel.SMS):
        return "", (
            "Text messages are not set up on this platform (Twilio settings), so no"
            " SMS is sent.",
        )
    try:
        return normalize_phone(raw), ()
    except ValueError:
        return "", (f"{raw} is not a phone number a text message can go to.",)


def _compose(order: Order, name: str) -> tuple[str, str, str, Letter]:
    """Subject, email body, SMS text and the email's letter for the order's
    current tracking, in the active language."""
    _ = gettext
    store = order.store.name
    subject, opening = WORDING.get(order.tracking_status, ON_ITS_WAY)
    subject = subject % {"number": order.order_number}
    opening = opening % {"number": order.order_number, "store": store}
    # Before the courier's first scan, the order's own status (not "Shipped" for
    # an order that is still pending).
    if order.tracking_status:
        status = T(order.tracking_status).label
    else:
        status = order.get_status_display()
    carrier = f" ({order.courier})" if order.courier else ""
    eta = order.estimated_delivery if order.tracking_status not in FINAL else None
    facts = [_("Status: %(status)s") % {"status": status}]
    if order.tracking_event:
        facts.append(
            _("Latest update: %(event)s%(when)s")
            % {"event": order.tracking_event, "when": _when(order)}
        )
    facts.append(
        _("Tracking number: %(number)s") % {"number": order.tracking_number + carrier}
    )
    link = (
        [_("Track your parcel: %(url)s") % {"url": order.tracking_url}]
        if order.tracking_url
        else []
    )
    later = (
        [
            _("Estimated delivery: %(date)s")
            % {"date": formats.date_format(eta, "l j F Y")}
        ]
        if eta
        else []
    )
    greeting = _("Hello %(name)s,") % {"name": name} if name else _("Hello,")
    body = "\n\n".join(
        [
            greeting,
            opening,
            "\n".join([*facts, *link, *later]),
            _("Kind regards,") + f"\n{store}",
        ]
    )
    letter = Letter(
        paragraphs=(greeting, opening),
        facts=(*facts, *later),
        tracking_url=order.tracking_url,
    )
    tracking = {"number": order.tracking_number, "url": order.tracking_url}
    sms = [
        f"{store}: {subject}.",
        _("Tracking %(number)s: %(url)s") % tracking
        if order.tracking_url
        else _("Tracking %(number)s.") % tracking,
    ]
    if eta:
        sms.append(
            _("Expected %(date)s.") % {"date": formats.date_format(eta, "D j M")}
        )
    return subject, body, " ".join(sms), letter


def _when(order: Order) -> str:
    if not order.tracking_event_at:
        return ""
    local = timezone.localtime(order.tracking_event_at, order.merchant.zone)
    return f" ({formats.date_format(local, 'j M, H:i')})"
