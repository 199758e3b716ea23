"""Playing a plan: create, assign, track, move on, as the order services would.

Each step is stamped with when it "happened", so timelines read like two months of
work rather than one second. The steps are written to an `OrderDraft` (in memory,
saved in bulk); `clock` moves time for the other demos, which go through services.
"""

import contextlib
import random
from datetime import datetime, timedelta
from decimal import Decimal

from demo.orders import catalog
from demo.orders.cast import Cast
from demo.orders.draft import OrderDraft
from demo.orders.plans import Plan
from orders.ingestion.incoming import IncomingLine
from orders.models import Customer, Source
from orders.state_machine import OrderStatus
from orders.tracking import TrackingStatus
from performile.actors import Actor

try:  # A dev dependency; without it every event is stamped "now".
    import time_machine
except ImportError:  # pragma: no cover
    time_machine = None

S = OrderStatus


def clock(moment: datetime):
    """Within this block, timezone.now() is `moment`."""
    if time_machine is None:
        return contextlib.nullcontext()
    return time_machine.travel(moment, tick=False)


def order_play(cast: Cast, plan: Plan, rng: random.Random) -> OrderDraft:
    draft = _order_create(cast, plan, rng)
    staff, previous = None, plan.placed_at
    for before, after, moment in zip(
        plan.path[:-1], plan.path[1:], plan.step_times, strict=True
    ):
        prepared = moment - timedelta(minutes=rng.randint(2, 30))
        at = max(prepared, previous + timedelta(seconds=1))
        staff = _before_step(cast, draft, at, after, staff, rng)
        actor, label = _actor(cast, draft.order, before, after, staff, rng)
        draft.change_status(
            at=moment,
            to=after,
            actor=actor,
            actor_label=label,
            note=_note(before, after, rng),
        )
        previous = moment
    return draft


def _order_create(cast: Cast, plan: Plan, rng: random.Random) -> OrderDraft:
    if plan.kind in ("discord", "quote"):
        return _service_order_create(cast, plan, rng)
    store_key = "woo" if plan.kind == "woo" else "shopify"
    if plan.kind == "manual" and rng.random() < 0.3:
        store_key = "woo"  # the reseller keys in a phone order
    customer = _pick_customer(cast, rng, store_key)
    lines = _lines(rng)
    weight = sum(line.quantity * w for line, w in lines) + 0.2
    creator, label, source = _creator(cast, plan.kind, store_key)
    return OrderDraft.create(
        at=plan.placed_at,
        store=cast.stores[store_key],
        order_number=_number(cast, plan.kind, store_key),
        actor=creator,
        actor_label=label,
        source=source,
        status=plan.path[0],
        customer=customer,
        lines=[line for line, _w in lines],
        external_id=_external_id(rng, plan.kind),
        placed_at=plan.placed_at,
        amount=sum((line.unit_price * line.quantity for line, _w in lines), Decimal()),
        payment_method=rng.choice(catalog.PAYMENT_METHODS[_method_kind(plan.kind)]),
        notes=rng.choice(catalog.CUSTOMER_NOTES) if rng.random() < 0.2 else "",
        delivery_address=cast.addresses[customer.pk],
        package=_package(weight),
    )


def _service_order_create(cast: Cast, plan: Plan, rng: random.Random) -> OrderDraft:
    customer = _pick_customer(cast, rng, "discord")
    service, (low, high), scopes = rng.choice(catalog.SERVICES)
    amount = Decimal(rng.randrange(low, high + 1, 5))
    quote = plan.kind == "quote"
    return OrderDraft.create(
        at=plan.placed_at,
        store=cast.stores["discord"],
        order_number=_number(cast, plan.kind, "discord"),
        actor=cast.user("maya@pixelforge.example") if quote else None,
        actor_label="" if quote else f"Discord user {customer.discord_user_id}",
        source=Source.MANUAL if quote else Source.DISCORD,
        status=plan.path[0],
        customer=customer,
        lines=[IncomingLine(title=rng.choice(scopes), unit_price=amount)],
        placed_at=plan.placed_at,
        service=service,
        amount=amount,
        payment_method=rng.choice(catalog.PAYMENT_METHODS["discord"]),
        notes=rng.choice(catalog.SERVICE_BRIEFS) if rng.random() < 0.4 else "",
    )


def _creator(cast: Cast, kind: str, store_key: str):
    if kind == "shopify":
        return None, "Shopify", Source.SHOPIFY
    if kind == "woo":
        return None, "WooCommerce", Source.WOOCOMMERCE
    email = "lars@fjordtrade.example" if store_key == "woo" else "erik@nordic.example"
    return cast.user(email), "", Source.MANUAL


def _method_kind(kind: str) -> str:
    return kind if kind in catalog.PAYMENT_METHODS else "manual"


def _pick_customer(cast: Cast, rng: random.Random, store_key: str) -> Customer:
    pools = {
        "shopify": (["SE", "SE", "DK"], ["portal-SE", "portal-DK"]),
        "woo": (["NO"], ["portal-NO"]),
        "discord": (["discord"], ["portal-discord"]),
    }[store_key]
    regulars, portal = pools
    # Customers who sign in to the portal come back often, so they have history.
    waiting = [c for p in portal for c in cast.customers[p] if c.pk not in cast.served]
    if waiting:
        customer = waiting[0]
    else:
        pool = rng.choice(portal) if rng.random() < 0.2 else rng.choice(regulars)
        customer = rng.choice(cast.customers[pool])
    cast.served.add(customer.pk)
    return customer


def _lines(rng: random.Random):
    products = rng.sample(catalog.PRODUCTS, rng.choices([1, 2, 3, 4], [5, 4, 2, 1])[0])
    return [
        (
            IncomingLine(
                sku=sku,
                title=title,
                quantity=rng.choices([1, 2, 3], [8, 3, 1])[0],
                unit_price=price,
            ),
            weight,
        )
        for sku, title, price, weight in products
    ]


def _package(weight: float) -> dict:
    length, width, height = catalog.BOXES[0 if weight < 1 else 1 if weight < 3 else 2]
    return {
        "weight_kg": round(weight, 2),
        "length_cm": length,
        "width_cm": width,
        "height_cm": height,
        "parcels": 1,
    }


# Order numbers per series: (prefix, first number).
SERIES = {
    "shopify": ("#", 1001),
    "shopify-manual": ("M-", 1001),
    "woo": ("", 4101),
    "discord": ("PF-", 1001),
}


def _number(cast: Cast, kind: str, store_key: str) -> str:
    series = (
        f"{store_key}-manual"
        if (kind, store_key) == ("manual", "shopify")
        else store_key
    )
    prefix, first = SERIES[series]
    cast.numbers[series] += 1
    return f"{prefix}{first + cast.numbers[series] - 1}"


def _external_id(rng: random.Random, kind: str) -> str:
    if kind == "shopify":
        return str(rng.randrange(5_800_000_000_000, 5_900_000_000_000))
    if kind == "woo":
        return str(rng.randrange(10_000, 99_999))
    return ""


def _before_step(cast: Cast, draft: OrderDraft, at, to: str, staff, rng):
    """Assignments and tracking that happen just before a status change."""
    order = draft.order
    merchant_key = "pixel" if order.service else "nordic"
    admin, *team = cast.team(merchant_key)
    if to in (S.CONFIRMED, S.IN_PROGRESS) and staff is None and rng.random() < 0.7:
        staff = rng.choice(team + [admin])
        assignees = {"assigned_staff": staff}
        if to == S.CONFIRMED and rng.random() < 0.3:
            assignees["supplier"] = cast.user("packing@nordicsupply.example")
        draft.assign(at=at, actor=admin, **assignees)
    if to == S.SHIPPED and rng.random() < 0.8:
        _tracking_add(draft, at, _shipper(cast, order, staff), rng)
        _scan(draft, at, TrackingStatus.IN_TRANSIT, "Departed sorting terminal", rng)
    if to == S.DELIVERED and order.tracking_number:
        _scan(draft, at, TrackingStatus.DELIVERED, "Delivered", rng)
    return staff


def _scan(draft: OrderDraft, now, status: str, description: str, rng) -> None:
    """What the courier reports (the shipments app does this for real parcels)."""
    order = draft.order
    city = order.delivery_address.get("city", "")
    hub = rng.choice(["Stockholm", "Göteborg", "Malmö", "Jönköping"])
    draft.record_tracking(
        at=now,
        actor_label=order.courier,
        note=description,
        tracking_status=status,
        tracking_event=f"{description} · {city if status == 'delivered' else hub}",
        tracking_event_at=now,
        estimated_delivery=order.estimated_delivery
        or (now + timedelta(days=rng.randint(1, 3))).date(),
    )


def _tracking_add(draft: OrderDraft, at, actor: Actor, rng: random.Random) -> None:
    country = draft.order.delivery_address.get("country", "SE")
    courier = rng.choices(catalog.COURIERS[country], [4, 1])[0]
    if courier == "PostNord":
        number = f"UA{rng.randrange(10**8, 10**9)}{country}"
    elif courier == "Bring":
        number = f"370722{rng.randrange(10**11, 10**12)}"
    else:
        number = str(rng.randrange(10**9, 10**10))
    draft.update(
        at=at,
        actor=actor,
        note=f"Label booked with {courier}.",
        tracking_number=number,
        courier=courier,
        tracking_url=catalog.TRACKING_URLS[courier].format(number),
    )


def _shipper(cast: Cast, order, staff):
    if order.supplier_id:
        return cast.user("packing@nordicsupply.example")
    return staff or cast.user("erik@nordic.example")


def _actor(cast: Cast, order, before: str, to: str, staff, rng: random.Random):
    """(user, label) of whoever made this change."""
    if to == S.PAYMENT_VERIFIED and before == S.PENDING:
        if order.source == Source.SHOPIFY:
            return None, "Shopify"
        if order.source == Source.WOOCOMMERCE:
            return None, "WooCommerce"
        if order.service:
            return None, {"paypal": "PayPal"}.get(order.payment_method, "Stripe")
    if to == S.SHIPPED:
        return _shipper(cast, order, staff), ""
    if to == S.DELIVERED and order.courier:
        return None, order.courier
    if to == S.COMPLETE and not order.service:
        return None, ""  # the return window closing: a system step
    merchant_key = "pixel" if order.service else "nordic"
    return staff or rng.choice(cast.team(merchant_key)), ""


def _note(before: str, to: str, rng: random.Random) -> str:
    notes = catalog.TRANSITION_NOTES.get((before, to)) or catalog.TRANSITION_NOTES.get(
        ("*", to)
    )
    return rng.choice(notes) if notes else ""
