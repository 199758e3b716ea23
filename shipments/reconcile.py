"""Bookings the courier did not answer (a read timeout, a 5xx): they may exist.

The courier may have made the booking after we gave up waiting (it had the request
buffered), so "nothing was booked" cannot be assumed. Each such booking is recorded
as an UnconfirmedBooking, committed whatever the request's fate, and checked by a
sweep (beat, every 30 s) that looks the booking up by our idempotency key:

- found, and the order still has no shipment and can be booked: attached to the
  order as if the courier had answered (label, tracking, confirmation);
- found, and the order was booked since (another courier, another number) or can
  no longer be booked: cancelled at the courier, so nothing is paid for twice;
- found under the number the order has (a retry with the same key got it): done;
- not found after the last check: not booked;
- a courier without a lookup, a lookup failing until the last check, or a booking
  the courier will not cancel (picked up already): left to a person, with a note
  on the order's timeline.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from orders.models import Order
from orders.services import order_log
from performile.actors import Actor
from shipments.couriers import courier_for
from shipments.couriers.base import CourierError
from shipments.models import Shipment, UnconfirmedBooking

logger = logging.getLogger(__name__)
Outcome = UnconfirmedBooking.Outcome
# When to ask the courier, counted from the booking that went unanswered; a
# courier that buffered the request has processed it by the last one.
CHECKS_AT = (
    timedelta(seconds=30),
    timedelta(minutes=1),
    timedelta(minutes=2),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(minutes=30),
)


def unconfirmed_booking_record(
    *, order: Order, account, idempotency_key: str, actor: Actor, **fields
) -> UnconfirmedBooking:
    """Record a booking that went unanswered (once per order and key while it is
    being checked: the key is the same for every attempt, so one check covers
    them all)."""
    now = timezone.now()
    pending = UnconfirmedBooking.objects.filter(
        order=order, account=account, idempotency_key=idempotency_key, outcome=""
    ).first()
    if pending is not None:
        return pending
    parcels = [
        {k: str(v) for k, v in parcel.items()} for parcel in fields.pop("parcels")
    ]
    return UnconfirmedBooking.objects.create(
        order=order,
        account=account,
        idempotency_key=idempotency_key,
        actor=actor if getattr(actor, "pk", None) else None,
        next_check_at=now + CHECKS_AT[0],
        created_at=now,
        parcels=parcels,
        **fields,
    )


def due_checks():
    return UnconfirmedBooking.objects.filter(
        outcome="", next_check_at__lte=timezone.now()
    )


def unconfirmed_bookings_due(limit: int = 100) -> list[int]:
    return list(
        due_checks().order_by("next_check_at").values_list("pk", flat=True)[:limit]
    )


def unconfirmed_booking_check(pk: int) -> str:
    """Ask the courier about one unconfirmed booking; its outcome ("" while it
    is still being checked)."""
    row = UnconfirmedBooking.objects.select_related("account", "order").get(pk=pk)
    if row.outcome:
        return row.outcome
    account = row.account
    courier = courier_for(account.courier, account.settings())
    try:
        booking = courier.find_booking(row.idempotency_key)
    except NotImplementedError:
        return _resolve(
            row,
            Outcome.UNRESOLVED,
            f"{account.name} did not answer a booking of this order, and it cannot "
            f"be looked up automatically: check at {account.name} for a booking "
            f"with reference {row.order.order_number} and cancel any you do not "
            "use.",
        )
    except CourierError as exc:
        logger.warning(
            "unconfirmed booking %s: %s could not be asked: %s",
            row.pk,
            account.name,
            exc.message,
        )
        return _next_check(
            row,
            f"{account.name} could not tell whether a booking of this order went "
            f"through ({exc.message}): check at {account.name} for a booking with "
            f"reference {row.order.order_number}.",
        )
    if booking is None:
        return _next_check(row, "", last=Outcome.NOT_BOOKED)
    return _settle(row, booking, courier)


def _settle(row: UnconfirmedBooking, booking, courier) -> str:
    from shipments.services import shipment_record_booking

    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=row.order_id)
        existing = (
            order.shipments.filter(kind=Shipment.Kind.BOOKED).order_by("-id").first()
        )
        if existing is not None and existing.tracking_number == booking.tracking_number:
            return _resolve(row, Outcome.ATTACHED, "")
        if existing is None and order.can_book_shipment:
            shipment_record_booking(
                order=order,
                account=row.account,
                booking=booking,
                service_code=row.service_code,
                service_type=row.service_type,
                sender=row.sender,
                recipient=row.recipient,
                parcels=row.parcels,
                actor=row.actor,
                note=(
                    f"Shipment booked with {row.account.name} (its answer was late; "
                    "found by looking the booking up)."
                ),
            )
            return _resolve(row, Outcome.ATTACHED, "")
    why = (
        f"the order was booked meanwhile ({existing.tracking_number})"
        if existing is not None
        else f"the order is {order.get_status_display().lower()}"
    )
    try:
        courier.cancel(booking.courier_reference or booking.tracking_number)
    except CourierError as exc:
        note = (
            f"{row.account.name} made booking {booking.tracking_number} after not "
            f"answering, but {why}, and it could not be cancelled ({exc.message}). "
            f"Cancel it at {row.account.name}."
        )
        return _resolve(row, Outcome.UNRESOLVED, note)
    note = (
        f"{row.account.name} made booking {booking.tracking_number} after not "
        f"answering; cancelled, because {why}."
    )
    return _resolve(row, Outcome.CANCELLED, note)


def _next_check(row: UnconfirmedBooking, note: str, *, last=Outcome.UNRESOLVED):
    checks = row.checks + 1
    if checks >= len(CHECKS_AT):
        return _resolve(row, last, note)
    UnconfirmedBooking.objects.filter(pk=row.pk).update(
        checks=checks, next_check_at=row.created_at + CHECKS_AT[checks], note=note
    )
    return Outcome.PENDING


def _resolve(row: UnconfirmedBooking, outcome: str, note: str) -> str:
    """Settle the row; what staff must know goes on the order's timeline."""
    UnconfirmedBooking.objects.filter(pk=row.pk).update(
        outcome=outcome,
        note=note,
        checks=row.checks + 1,
        resolved_at=timezone.now(),
    )
    if note:
        order_log(order=row.order, note=note, actor_label="Courier reconciliation")
    if outcome == Outcome.UNRESOLVED:
        logger.warning("unconfirmed booking %s needs a person: %s", row.pk, note)
    return outcome
