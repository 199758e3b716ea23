"""Every write to shipments: booking, and tracking updates from webhooks and polls.

The order follows its parcel through the orders services: tracking is recorded with
`order_record_tracking`, status moves go through `order_change_status`.
"""

import logging
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from orders.models import Order
from orders.selectors import order_is_workable_by
from orders.services import order_change_status, order_record_tracking
from orders.state_machine import OrderStatus
from orders.tracking import TrackingStatus
from performile.actors import Actor
from performile.errors import ApplicationError, NotAllowed
from performile.events import send_on_commit
from shipments import signals
from shipments.couriers import courier_for
from shipments.couriers.base import (
    Address,
    BookingRequest,
    CourierError,
    CourierUnanswered,
    Parcel,
    TrackingUpdate,
)
from shipments.models import CourierAccount, Shipment, TrackingEvent

logger = logging.getLogger(__name__)
T = TrackingStatus

# How soon to ask the courier again, by the parcel's status (None: never again).
POLL_INTERVALS = {
    T.PENDING: timedelta(hours=2),
    T.INFO_RECEIVED: timedelta(hours=6),
    T.IN_TRANSIT: timedelta(hours=1),
    T.OUT_FOR_DELIVERY: timedelta(minutes=15),
    T.AVAILABLE_FOR_PICKUP: timedelta(hours=6),
    T.ATTEMPT_FAILED: timedelta(hours=1),
    T.EXCEPTION: timedelta(hours=2),
    T.DELIVERED: None,
    T.RETURNED: None,
    T.EXPIRED: None,
}
# Once a parcel has been any of these, its order has shipped.
SHIPPED_AFTER = frozenset(
    {
        T.IN_TRANSIT,
        T.OUT_FOR_DELIVERY,
        T.AVAILABLE_FOR_PICKUP,
        T.ATTEMPT_FAILED,
        T.DELIVERED,
    }
)


ADDRESS_REQUIRED = ("name", "line1", "postal_code", "city", "country")
PARCEL_SIZES = ("length_cm", "width_cm", "height_cm")


class BookingFailed(ApplicationError):
    """The courier refused or could not take the booking; nothing was booked."""

    code = "booking_failed"
    http_status = 502


class BookingUnconfirmed(BookingFailed):
    """The courier did not answer the booking: it may have been made. The
    reconciliation (shipments.reconcile) looks it up and attaches or cancels it."""

    code = "booking_unconfirmed"


def shipment_defaults(order: Order) -> dict:
    """What booking the order sends unless told otherwise: the store's pickup
    address, the order's delivery address, and its package as parcels (1 kg when
    the weight is unknown)."""
    package = order.package or {}
    parcel = {
        "weight_kg": _decimal(package.get("weight_kg")) or Decimal("1"),
        **{name: _decimal(package.get(name)) for name in PARCEL_SIZES},
    }
    count = package.get("parcels")
    return {
        "sender": dict(order.store.pickup_address or {}),
        "recipient": dict(order.delivery_address or {}),
        "parcels": [parcel] * (count if isinstance(count, int) and count > 0 else 1),
    }


def _decimal(value) -> Decimal:
    """A size from a package as webshops send it; anything unreadable is 0."""
    try:
        number = Decimal(str(value or 0))
    except InvalidOperation:
        return Decimal("0")
    return number if number.is_finite() and number > 0 else Decimal("0")


def next_poll_at(status: str, *, now=None):
    interval = POLL_INTERVALS.get(status)
    return None if interval is None else (now or timezone.now()) + interval


def shipment_book(
    *,
    order: Order,
    account: CourierAccount,
    service_code: str,
    service_type: str,
    sender: dict,
    recipient: dict,
    parcels: list[dict],
    actor: Actor,
) -> tuple[Shipment, bool]:
    """Book the order's parcel with the courier. Returns (shipment, booked_now).

    The order row stays locked while the courier answers, so a second click (or a
    second tab) waits and then gets the first booking back instead of a second one.
    """
    if account.merchant_id != order.merchant_id or not account.enabled:
        raise ApplicationError(
            "That courier account is not available for this order.",
            fields={"account": ["Unknown courier account."]},
        )
    for role, address in (("sender", sender), ("recipient", recipient)):
        if missing := [key for key in ADDRESS_REQUIRED if not (address or {}).get(key)]:
            raise ApplicationError(
                f"The {role} address lacks: {', '.join(missing)}.",
                fields={role: [f"Missing {', '.join(missing)}."]},
            )
    key = f"performile-order-{order.pk}"
    fields = {
        "service_code": service_code,
        "service_type": service_type,
        "sender": sender,
        "recipient": recipient,
        "parcels": parcels,
    }
    try:
        with transaction.atomic():
            locked = Order.objects.select_for_update().get(pk=order.pk)
            if actor is not None and not order_is_workable_by(actor, locked):
                raise NotAllowed("You cannot book shipments for this order.")
            existing = (
                locked.shipments.filter(kind=Shipment.Kind.BOOKED)
                .order_by("-id")
                .first()
            )
            if existing is not None:
                return existing, False
            if not locked.can_book_shipment:
                raise ApplicationError(
                    f"Order {locked} cannot be booked: it has tracking already or "
                    f"is {locked.get_status_display().lower()}."
                )
            booking = _courier_book(
                account,
                BookingRequest(
                    reference=locked.order_number,
                    service_code=service_code,
                    sender=Address.from_dict(sender),
                    recipient=Address.from_dict(recipient),
                    parcels=tuple(Parcel(**parcel) for parcel in parcels),
                    idempotency_key=key,
                ),
            )
            shipment = shipment_record_booking(
                order=locked, account=account, booking=booking, actor=actor, **fields
            )
    except BookingUnconfirmed:
        # Committed whatever the booking's fate: the reconciliation finds out.
        from shipments.reconcile import unconfirmed_booking_record

        unconfirmed_booking_record(
            order=order, account=account, idempotency_key=key, actor=actor, **fields
        )
        raise
    return shipment, True


def shipment_record_booking(
    *,
    order: Order,
    account: CourierAccount,
    booking,
    service_code: str,
    service_type: str,
    sender: dict,
    recipient: dict,
    parcels: list[dict],
    actor: Actor,
    note: str = "",
) -> Shipment:
    """Store the courier's booking as the order's shipment (the order is locked by
    the caller): label, tracking on the order, and the order confirmed."""
    shipment = Shipment.objects.create(
        order=order,
        merchant_id=order.merchant_id,
        account=account,
        service_code=service_code,
        service_type=service_type,
        tracking_number=booking.tracking_number,
        courier_reference=booking.courier_reference,
        price=booking.price,
        currency=booking.currency,
        sender=sender,
        recipient=recipient,
        parcels=[{k: str(v) for k, v in parcel.items()} for parcel in parcels],
        estimated_delivery=booking.estimated_delivery,
        promised_delivery=booking.estimated_delivery,
        next_poll_at=next_poll_at(T.INFO_RECEIVED),
        booked_by=actor,
    )
    shipment.label.save(
        f"{booking.tracking_number}.pdf", ContentFile(booking.label_pdf), save=True
    )
    note = note or f"Shipment booked with {account.name}."
    courier = courier_for(account.courier, account.settings())
    order_record_tracking(
        order=order,
        actor=actor,
        note=note,
        tracking_number=booking.tracking_number,
        courier=account.name,
        tracking_url=courier.tracking_url(booking.tracking_number),
        tracking_status=T.INFO_RECEIVED,
        estimated_delivery=booking.estimated_delivery,
        label_url=reverse("api-shipment-label", args=[shipment.pk]),
    )
    if order.can_transition_to(OrderStatus.CONFIRMED):
        order_change_status(
            order=order, to=OrderStatus.CONFIRMED, actor=actor, note=note
        )
    send_on_commit(signals.shipment_booked, Shipment, shipment_id=shipment.pk)
    return shipment


def _courier_book(account: CourierAccount, request: BookingRequest):
    courier = courier_for(account.courier, account.settings())
    try:
        return courier.book(request)
    except CourierUnanswered as exc:
        raise BookingUnconfirmed(
            f"{exc.message} We are asking {account.name} whether the booking went "
            "through and attach it to the order within a few minutes if it did; "
            "booking again with the same courier is safe."
        ) from exc
    except CourierError as exc:
        failed = BookingFailed(exc.message)
        if not exc.retryable:
            failed.http_status = 400
        raise failed from exc


def shipment_apply_update(
    *, shipment: Shipment, update: TrackingUpdate, source: str
) -> bool:
    """Store the update's events (an event already stored is skipped) and bring the
    shipment and its order up to date. Returns whether the parcel's status changed.

    Most polls bring nothing new: that is found out without a transaction or a lock
    (one read of the known events) and costs one UPDATE of the schedule."""
    if not _has_news(shipment, update):
        _schedule_next(shipment)
        return False
    with transaction.atomic():
        locked = (
            Shipment.objects.select_for_update()
            .select_related("order", "account")
            .get(pk=shipment.pk)
        )
        known = set(locked.events.values_list("raw_code", "occurred_at"))
        fresh = [
            event
            for event in update.events
            if (event.raw_code[:100], event.occurred_at) not in known
        ]
        eta = update.estimated_delivery
        if not fresh and (eta is None or eta == locked.estimated_delivery):
            # A concurrent update stored the news first: only the schedule moves.
            _schedule_next(locked)
            return False
        TrackingEvent.objects.bulk_create(
            [
                TrackingEvent(
                    shipment=locked,
                    status=event.status,
                    raw_code=event.raw_code[:100],
                    occurred_at=event.occurred_at,
                    description=event.description[:500],
                    location=event.location[:200],
                    source=source,
                )
                for event in fresh
            ],
            ignore_conflicts=True,
        )
        latest = locked.events.order_by("-occurred_at", "-id").first()
        changed = _shipment_refresh(locked, latest, update)
        if latest is not None:
            _order_follow(locked, latest)
    if changed:
        send_on_commit(
            signals.shipment_status_changed,
            Shipment,
            shipment_id=locked.pk,
            status=locked.status,
        )
    return changed


def _has_news(shipment: Shipment, update: TrackingUpdate) -> bool:
    eta = update.estimated_delivery
    if eta is not None and eta != shipment.estimated_delivery:
        return True
    known = set(
        TrackingEvent.objects.filter(shipment_id=shipment.pk).values_list(
            "raw_code", "occurred_at"
        )
    )
    return any(
        (event.raw_code[:100], event.occurred_at) not in known
        for event in update.events
    )


def _schedule_next(shipment: Shipment) -> None:
    Shipment.objects.filter(pk=shipment.pk).update(
        next_poll_at=next_poll_at(shipment.status),
        poll_failures=0,
        updated_at=timezone.now(),
    )


def _shipment_refresh(shipment: Shipment, latest, update: TrackingUpdate) -> bool:
    now = timezone.now()
    changed = latest is not None and latest.status != shipment.status
    if latest is not None:
        shipment.status = latest.status
        shipment.raw_status = latest.raw_code
        shipment.last_event_at = latest.occurred_at
        if latest.status == T.DELIVERED and shipment.delivered_at is None:
            shipment.delivered_at = latest.occurred_at
    if update.estimated_delivery:
        shipment.estimated_delivery = update.estimated_delivery
        shipment.promised_delivery = (
            shipment.promised_delivery or update.estimated_delivery
        )
    shipment.next_poll_at = next_poll_at(shipment.status, now=now)
    shipment.poll_failures = 0
    shipment.stuck = False
    shipment.updated_at = now
    shipment.save()
    return changed


def _order_follow(shipment: Shipment, latest: TrackingEvent) -> None:
    order = Order.objects.select_for_update().get(pk=shipment.order_id)
    carried = order.tracking_number.strip()
    if carried != shipment.tracking_number and (
        carried or shipment.kind == Shipment.Kind.TRACKED
    ):
        return  # the order no longer carries this number: the parcel is not its own
    scan = " · ".join(part for part in (latest.description, latest.location) if part)
    order_record_tracking(
        order=order,
        actor_label=shipment.account.name,
        note=scan,
        tracking_status=shipment.status,
        estimated_delivery=shipment.estimated_delivery,
        tracking_event=scan[:300],
        tracking_event_at=latest.occurred_at,
    )
    reached = set(shipment.events.values_list("status", flat=True))
    steps = [OrderStatus.SHIPPED] if reached & SHIPPED_AFTER else []
    if T.DELIVERED in reached:
        steps.append(OrderStatus.DELIVERED)
    for step in steps:
        if order.status != step and order.can_transition_to(step):
            order_change_status(
                order=order,
                to=step,
                actor_label=shipment.account.name,
                note=latest.description,
            )
