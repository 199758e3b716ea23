"""Demo data for the customer portal, on top of the order, invoice and courier demo
(run demo_data, demo_invoices and demo_couriers first).

Each demo portal customer (demo.orders.catalog.PORTAL_CUSTOMERS) gets what the
portal shows and the rest of the demo does not make: two delivery addresses (one
the default), notification preferences (Ole prefers SMS), a verified email address
(so password reset works), an active order whose parcel is in transit with its
courier scans, and a pending or overdue invoice. Only what is missing is added, so
a second run adds nothing.

Writes go through the services (portal.services, messaging.services.preferences,
shipments.services, orders.services, invoices.services). Two exceptions, as in the
courier demo: the shipment row itself (booking needs the courier running; the
sandbox is started after the demo) and the verified EmailAddress (allauth's own
model; the order demo writes it the same way).
"""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from demo.orders import catalog
from demo.sandbox import sandbox_journey, sandbox_registration
from invoices.models import Invoice
from invoices.selectors import PaymentStatus, with_balance
from invoices.services import invoice_issue_for_order
from messaging.services.preferences import notification_preferences_update
from orders.models import Customer, Order
from orders.services import order_change_status, order_record_tracking
from orders.state_machine import BOOKABLE, OPEN, OrderStatus
from orders.tracking import TrackingStatus as T
from portal.services import address_create
from shipments.models import CourierAccount, Shipment
from shipments.services import shipment_apply_update

# country -> notification preferences; NO (Ole) prefers SMS.
PREFERENCES = {
    "SE": {"email": True, "sms": False, "whatsapp": False},
    "NO": {"email": False, "sms": True, "whatsapp": False},
    "DK": {"email": True, "sms": False, "whatsapp": True, "order_updates": True},
    "": {"email": True, "sms": False, "whatsapp": False, "shipping_updates": False},
}
# Where Kai (Pixel Forge's portal customer, no country in the catalogue) lives.
HOME_COUNTRY = {"": "DK"}
SECOND_ADDRESS = {"SE": "Work", "NO": "Cabin", "DK": "Office"}
COMPANY_FORM = {"SE": "AB", "NO": "AS", "DK": "ApS"}
IN_TRANSIT = (T.INFO_RECEIVED, T.IN_TRANSIT, T.OUT_FOR_DELIVERY)
OWED = (PaymentStatus.PENDING, PaymentStatus.OVERDUE)
COUNTS = ("addresses", "preferences", "email_addresses", "shipments", "invoices")


def portal_customers() -> list[tuple[Customer, str]]:
    """(customer, catalogue country) of each demo portal customer that exists."""
    found = []
    for email, _first, _last, merchant_key, country in catalog.PORTAL_CUSTOMERS:
        slug = next(m["slug"] for m in catalog.MERCHANTS if m["key"] == merchant_key)
        customer = (
            Customer.objects.select_related("user", "merchant")
            .filter(merchant__slug=slug, email__iexact=email)
            .exclude(user=None)
            .first()
        )
        if customer is not None:
            found.append((customer, country))
    return found


def demo_portal_create(*, seed: int = 2026) -> dict:
    """Add what each demo portal customer misses; returns what was added."""
    rng = random.Random(seed)
    counts = dict.fromkeys(COUNTS, 0)
    for customer, country in portal_customers():
        with transaction.atomic():
            counts["addresses"] += _addresses(customer, country, rng)
            counts["preferences"] += _preferences(customer, country)
            counts["email_addresses"] += _email_verified(customer)
            counts["shipments"] += _parcel_in_transit(customer, rng)
            counts["invoices"] += _invoice_owed(customer)
    return counts


# --- Profile ------------------------------------------------------------------------


def _addresses(customer: Customer, country: str, rng: random.Random) -> int:
    if customer.delivery_addresses.exists():
        return 0
    country = HOME_COUNTRY.get(country, country)
    latest = (
        Order.objects.filter(customer=customer)
        .exclude(delivery_address={})
        .order_by("-placed_at")
        .first()
    )
    home = dict(latest.delivery_address) if latest else _place(customer, country, rng)
    home.update(label="Home", name=customer.name, is_default=True)
    home.setdefault("phone", customer.phone)
    other = _place(customer, country, rng, not_in=home.get("city"))
    other["label"] = SECOND_ADDRESS[country]
    if other["label"] != "Cabin":
        other["company"] = f"{customer.name.split()[-1]} {COMPANY_FORM[country]}"
    actor = customer.user
    address_create(customer=customer, actor=actor, data=home)
    address_create(customer=customer, actor=actor, data=other)
    return 2


def _place(customer, country: str, rng: random.Random, not_in: str = "") -> dict:
    places = [p for p in catalog.PLACES[country] if p[0] != not_in]
    city, postal_codes, streets = rng.choice(places or catalog.PLACES[country])
    return {
        "name": customer.name,
        "line1": f"{rng.choice(streets)} {rng.randint(1, 80)}",
        "postal_code": rng.choice(postal_codes),
        "city": city,
        "country": country,
        "phone": customer.phone,
    }


def _preferences(customer: Customer, country: str) -> int:
    from messaging.models import NotificationPreference

    if NotificationPreference.objects.filter(customer=customer).exists():
        return 0
    notification_preferences_update(
        customer=customer, actor=customer.user, **PREFERENCES[country]
    )
    return 1


def _email_verified(customer: Customer) -> int:
    from allauth.account.models import EmailAddress

    user = customer.user
    if EmailAddress.objects.filter(user=user, verified=True).exists():
        return 0
    address, _ = EmailAddress.objects.get_or_create(
        user=user, email__iexact=user.email, defaults={"email": user.email}
    )
    address.verified, address.primary = True, True
    address.save(update_fields=["verified", "primary"])
    return 1


# --- A parcel on its way --------------------------------------------------------------


def _parcel_in_transit(customer: Customer, rng: random.Random) -> int:
    """An active order whose shipment is in transit, with its courier scans: the
    demo's shipped order (tracked, no shipment yet), else one still to be sent,
    sent now. Service orders (Pixel Forge) have no parcels."""
    orders = Order.objects.filter(customer=customer, status__in=OPEN)
    if Shipment.objects.filter(order__in=orders, status__in=IN_TRANSIT).exists():
        return 0
    candidates = orders.filter(
        status__in=(OrderStatus.SHIPPED, *BOOKABLE), shipments=None, service=""
    )
    order = min(
        candidates.select_related("store", "merchant"),
        key=lambda o: (o.status != OrderStatus.SHIPPED, not o.tracking_number),
        default=None,
    )
    if order is None:
        return 0
    account = _courier_account(order)
    if not order.tracking_number:
        number = f"SBX{rng.randrange(10**9, 10**10)}"
        order_record_tracking(
            order=order,
            actor_label=account.name,
            note=f"Shipment booked with {account.name}.",
            tracking_number=number,
            courier=account.name,
        )
    if order.can_transition_to(OrderStatus.CONFIRMED):  # as booking does
        order_change_status(
            order=order,
            to=OrderStatus.CONFIRMED,
            actor_label=account.name,
            note=f"Shipment booked with {account.name}.",
        )
    now = timezone.now()
    sent = _shipped_at(order, now)
    eta = (now + timedelta(days=1)).date()
    shipment = Shipment.objects.create(
        order=order,
        merchant_id=order.merchant_id,
        account=account,
        service_code="SBX_HOME",
        service_type="home_delivery",
        tracking_number=order.tracking_number,
        sender={"name": order.store.name},
        recipient=order.delivery_address,
        parcels=[order.package or {"weight_kg": "1.0"}],
        estimated_delivery=eta,
        promised_delivery=eta,
        created_at=sent,
        updated_at=sent,
    )
    # The sandbox's own first events for the number: booked, picked up, at the
    # sorting terminal. demo.sandbox tells the sandbox of the parcel
    # with these, so polling it finds the same journey and it carries on.
    scans = [sent, sent + timedelta(hours=3), min(now, sent + timedelta(hours=14))]
    shipment_apply_update(
        shipment=shipment,
        update=sandbox_journey(sandbox_registration(shipment), scans),
        source="webhook",
    )
    return 1


def _shipped_at(order: Order, now):
    """When the parcel left: the order's move to shipped, at most a day ago (a
    parcel still in transit)."""
    shipped = (
        order.events.filter(to_status=OrderStatus.SHIPPED)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    recent = now - timedelta(hours=20)
    return max(shipped or recent, recent)


def _courier_account(order: Order) -> CourierAccount:
    """The merchant's courier account; the sandbox one demo_couriers makes when
    that has not run."""
    account = (
        CourierAccount.objects.filter(merchant_id=order.merchant_id, enabled=True)
        .order_by("pk")
        .first()
    )
    if account is None:
        account = CourierAccount.objects.create(
            merchant_id=order.merchant_id,
            courier="sandbox",
            name="Sandbox Post",
            base_url="http://127.0.0.1:8090",
            api_key=f"demo-{order.merchant.slug}",
            extra={"country": "SE"},
        )
    return account


# --- Something to pay ----------------------------------------------------------------


def _invoice_owed(customer: Customer) -> int:
    """A pending or overdue invoice: the demo's own, else one issued now for an
    active order not yet invoiced."""
    invoices = with_balance(Invoice.objects.filter(customer=customer))
    if invoices.filter(payment_status__in=OWED).exists():
        return 0
    order = (
        Order.objects.filter(customer=customer, status__in=OPEN, invoices=None)
        .exclude(status__in=(OrderStatus.DRAFT, OrderStatus.PENDING))
        .exclude(lines=None)
        .order_by("-placed_at")
        .first()
    )
    if order is None:
        return 0
    invoice_issue_for_order(order=order, actor_label="Demo")
    return 1
