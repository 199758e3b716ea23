"""Every tracking number is tracked: numbers that were not booked here.

A number that reaches an order from a webshop, a person, the API or Discord gets a
tracked-only `Shipment` with the merchant's courier account for that courier (or a
catch-all tracking account), and from then on polling and courier webhooks keep it
up to date exactly like a booked parcel. Courier news of a number we do not track
yet is kept (`PendingTrackingUpdate`) and applied once its shipment appears.
docs/shipments.md ("Every tracking number is tracked").
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.db.models.fields.json import KT
from django.utils import timezone

from orders.carriers import Carrier, carrier_identify
from orders.models import Order, OrderEvent
from orders.services import order_log, order_record_tracking
from orders.state_machine import OrderStatus
from orders.tracking import TrackingStatus
from performile.events import delay_on_commit
from shipments.couriers import courier_for
from shipments.couriers.base import CourierError, TrackingEvent, TrackingUpdate
from shipments.models import CourierAccount, PendingTrackingUpdate, Shipment
from shipments.services import shipment_apply_update

logger = logging.getLogger(__name__)

# Orders whose parcel no longer matters: no shipment is made for them.
FINISHED = (OrderStatus.DELIVERED, OrderStatus.COMPLETE, OrderStatus.CANCELLED)
# Courier news of an unknown number is kept this long for its shipment to appear.
PENDING_KEEP = timedelta(days=30)
ACTOR_LABEL = "Tracking"
# The task that follows a new number normally runs within seconds.
TRACK_GRACE = timedelta(minutes=2)


@dataclass(frozen=True)
class TrackingPlan:
    """Who follows an order's tracking number, and what its order should show."""

    number: str
    carrier: Carrier | None
    account: CourierAccount | None

    @property
    def courier_name(self) -> str:
        if self.carrier is not None:
            return self.carrier.name
        return self.account.name if self.account is not None else ""

    def link(self) -> str:
        """The courier's public page; the account's own when it is that courier's
        (the sandbox's page is wherever the account's sandbox runs)."""
        own = self.account is not None and (
            self.carrier is None or account_tracks(self.account, self.carrier.code)
        )
        if own:
            try:
                courier = courier_for(self.account.courier, self.account.settings())
                return courier.tracking_url(self.number)
            except (CourierError, LookupError, NotImplementedError):
                logger.info("no tracking page from %s", self.account.courier)
        return self.carrier.link(self.number) if self.carrier is not None else ""


def account_tracks(account: CourierAccount, carrier_code: str) -> bool:
    """Whether the account's adapter is that courier's (`postnord`, or karrio's
    `karrio:dhl_express` for `dhl`)."""
    adapter = account.courier.removeprefix("karrio:").replace("_", "")
    if account.courier.startswith("karrio:"):
        return adapter.startswith(carrier_code)
    return adapter == carrier_code


def tracking_plan(order: Order) -> TrackingPlan:
    number = order.tracking_number.strip()
    carrier = carrier_identify(number, carrier_name=order.courier)
    accounts = list(
        CourierAccount.objects.filter(
            merchant_id=order.merchant_id, enabled=True
        ).order_by("pk")
    )
    own = carrier and next(
        (a for a in accounts if account_tracks(a, carrier.code)), None
    )
    catch_all = next((a for a in accounts if a.extra.get("track_any") is True), None)
    return TrackingPlan(number=number, carrier=carrier, account=own or catch_all)


def shipment_track(*, order_id: int) -> Shipment | None:
    """Follow the order's tracking number, unless it is followed already: fill the
    order's missing courier and tracking link, and make a tracked-only shipment when
    an account can track it (else say why on the order's timeline, once)."""
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(pk=order_id).first()
        if order is None:
            return None
        number = order.tracking_number.strip()
        _stop_replaced(order, number)
        if (
            not number
            or order.deleted_at is not None
            or order.status in FINISHED
            or order.shipments.filter(tracking_number=number).exists()
        ):
            return None
        plan = tracking_plan(order)
        _order_fill_tracking(order, plan)
        if plan.account is None:
            _note_untracked(order, plan)
            return None
        shipment = _shipment_create_tracked(order, plan)
        if shipment is not None:
            pending_updates_apply(shipment=shipment)
            _register_later(shipment.pk)
    return shipment


def untracked_order_ids(limit: int = 200) -> list[int]:
    """Orders changed in the last day whose tracking number no shipment follows,
    though the task queued when the number arrived should have made one (lost when
    the broker was away). Those no account can track are asked again too: cheap,
    and noted on the timeline only once."""
    now = timezone.now()
    return list(
        Order.objects.filter(
            ~Exists(
                Shipment.objects.filter(
                    order=OuterRef("pk"), tracking_number=OuterRef("tracking_number")
                )
            ),
            ~Exists(
                OrderEvent.objects.filter(
                    order=OuterRef("pk"), kind=OrderEvent.Kind.NOTE
                )
                .annotate(untracked=KT("data__untracked"))
                .filter(untracked=OuterRef("tracking_number"))
            ),
            updated_at__gte=now - timedelta(days=1),
            updated_at__lt=now - TRACK_GRACE,
            deleted_at=None,
        )
        .exclude(tracking_number="")
        .exclude(status__in=FINISHED)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def _stop_replaced(order: Order, number: str) -> None:
    """A number the order no longer carries is no longer asked about."""
    order.shipments.filter(
        kind=Shipment.Kind.TRACKED, next_poll_at__isnull=False
    ).exclude(tracking_number=number).update(next_poll_at=None)


def _register_later(shipment_id: int) -> None:
    from shipments.tasks import shipment_register_tracking

    delay_on_commit(shipment_register_tracking, shipment_id)


def _order_fill_tracking(order: Order, plan: TrackingPlan) -> None:
    missing = {}
    if not order.courier and plan.courier_name:
        missing["courier"] = plan.courier_name[:64]
    if not order.tracking_url and (link := plan.link()):
        missing["tracking_url"] = link[:500]
    if missing:
        order_record_tracking(
            order=order,
            actor_label=ACTOR_LABEL,
            note=f"Tracking link for {plan.number} added.",
            **missing,
        )


def _note_untracked(order: Order, plan: TrackingPlan) -> None:
    if order.events.filter(
        kind=OrderEvent.Kind.NOTE, data__untracked=plan.number
    ).exists():
        return
    courier = plan.carrier.name if plan.carrier else "this number's courier"
    order_log(
        order=order,
        actor_label=ACTOR_LABEL,
        note=(
            f"Tracking number {plan.number} is not followed live: no courier account "
            f"of this merchant tracks {courier}. Add one, or mark an account as a "
            "catch-all tracker (docs/couriers.md)."
        ),
        data={"untracked": plan.number},
    )


def _shipment_create_tracked(order: Order, plan: TrackingPlan) -> Shipment | None:
    taken = Shipment.objects.filter(account=plan.account, tracking_number=plan.number)
    if taken.exists():
        logger.info("%s is tracked already, on another order", plan.number)
        return None
    now = timezone.now()
    try:
        with transaction.atomic():
            return Shipment.objects.create(
                order=order,
                merchant_id=order.merchant_id,
                account=plan.account,
                kind=Shipment.Kind.TRACKED,
                tracking_number=plan.number,
                status=TrackingStatus.PENDING,
                next_poll_at=now,
                created_at=now,
                updated_at=now,
            )
    except IntegrityError:
        return None  # the same number, tracked a moment ago for another order


# --- courier news of numbers we do not track yet ------------------------------


def pending_update_keep(*, account: CourierAccount, update: TrackingUpdate) -> None:
    PendingTrackingUpdate.objects.create(
        account=account,
        tracking_number=update.tracking_number[:64],
        update=update_to_json(update),
    )


def pending_updates_apply(*, shipment: Shipment) -> int:
    """Apply (oldest first) and delete what the courier said before we tracked the
    shipment's number; how many updates were applied."""
    rows = list(
        PendingTrackingUpdate.objects.select_for_update()
        .filter(
            account_id=shipment.account_id, tracking_number=shipment.tracking_number
        )
        .order_by("received_at", "pk")
    )
    for row in rows:
        shipment_apply_update(
            shipment=shipment, update=update_from_json(row.update), source="webhook"
        )
    PendingTrackingUpdate.objects.filter(pk__in=[row.pk for row in rows]).delete()
    return len(rows)


def pending_updates_purge(*, now=None) -> int:
    cutoff = (now or timezone.now()) - PENDING_KEEP
    deleted, _ = PendingTrackingUpdate.objects.filter(received_at__lt=cutoff).delete()
    return deleted


def update_to_json(update: TrackingUpdate) -> dict:
    eta = update.estimated_delivery
    return {
        "tracking_number": update.tracking_number,
        "estimated_delivery": eta.isoformat() if eta else None,
        "events": [
            {
                "status": str(event.status),
                "raw_code": event.raw_code,
                "occurred_at": event.occurred_at.isoformat(),
                "description": event.description,
                "location": event.location,
            }
            for event in update.events
        ],
    }


def update_from_json(data: dict) -> TrackingUpdate:
    eta = data.get("estimated_delivery")
    return TrackingUpdate(
        tracking_number=data["tracking_number"],
        estimated_delivery=date.fromisoformat(eta) if eta else None,
        events=tuple(
            TrackingEvent(
                status=TrackingStatus(event["status"]),
                raw_code=event["raw_code"],
                occurred_at=datetime.fromisoformat(event["occurred_at"]),
                description=event.get("description", ""),
                location=event.get("location", ""),
            )
            for event in data["events"]
        ),
    )


# --- orders that had a number before all this ------------------------------------


def orders_to_track(*, merchant_id: int | None = None):
    """Orders with a tracking number that no shipment follows: not deleted, and
    not delivered, complete or cancelled."""
    followed = Shipment.objects.filter(
        order=OuterRef("pk"), tracking_number=OuterRef("tracking_number")
    )
    orders = (
        Order.objects.not_deleted()
        .with_tracking()
        .exclude(status__in=FINISHED)
        .exclude(Exists(followed))
    )
    return orders if merchant_id is None else orders.filter(merchant_id=merchant_id)


def tracking_backfill(*, merchant_id: int | None = None, dry_run=False) -> dict:
    """Track every order `orders_to_track` finds; counts of orders seen, shipments
    made (or that would be) and numbers no account can track."""
    counts = {"orders": 0, "tracked": 0, "untracked": 0}
    orders = orders_to_track(merchant_id=merchant_id).order_by("pk")
    for order in orders.iterator(chunk_size=500):
        counts["orders"] += 1
        if dry_run:
            tracked = tracking_plan(order).account is not None
        else:
            tracked = shipment_track(order_id=order.pk) is not None
        counts["tracked" if tracked else "untracked"] += 1
    return counts


def shipment_register_tracking(*, shipment_id: int) -> None:
    """Ask the courier to push its news of a tracked-only number to us (those that
    need asking; the others push or are polled anyway). CourierErrors propagate."""
    shipment = Shipment.objects.select_related("account").get(pk=shipment_id)
    account = shipment.account
    courier_for(account.courier, account.settings()).register_tracking(
        shipment.tracking_number
    )
