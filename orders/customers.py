"""Who an order belongs to: the customer matching rules of docs/customers.md.

Every way in (webshop webhooks, the API, the Orders view, Discord, messaging's
sender matching) goes through `customer_match` / `customer_for_order`, so an order
lands in the same customer's portal whichever way it came.

1. A linked identity first: the Discord user's customer.
2. Then the exact email (case-insensitive).
3. A phone alone matches only when the order has no email: the customer without an
   email who has that phone, else the one customer who has it; several: nobody.
4. An email that matches nobody makes a new customer, even when the phone is
   another customer's: an order never goes to a customer whose email differs.

New customers are inserted with ON CONFLICT DO NOTHING against the unique
constraints (email, email-less phone, Discord id per merchant), so two first
orders of one new customer arriving at once make one customer.
"""

from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone

from orders import signals
from orders.models import Customer, Order
from orders.phones import normalize_phone
from orders.selectors import merchant_is_managed_by
from performile.actors import Actor
from performile.audit import audit
from performile.errors import ApplicationError, Conflict, NotAllowed


@dataclass(frozen=True)
class Identity:
    """What an order or a message says about its customer."""

    name: str = ""
    email: str = ""
    phone: str = ""
    discord_user_id: str = ""

    @classmethod
    def clean(cls, *, name="", email="", phone="", discord_user_id="") -> "Identity":
        return cls(
            name=" ".join(str(name or "").split())[:200],
            email=str(email or "").strip(),
            phone=best_effort_phone(phone),
            discord_user_id=str(discord_user_id or "").strip(),
        )

    @property
    def is_empty(self) -> bool:
        return not (self.email or self.phone or self.discord_user_id)


def best_effort_phone(raw) -> str:
    """Webshops send phones in every format; keep what cannot be normalized."""
    try:
        return normalize_phone(raw)
    except ValueError:
        return str(raw or "").strip()[:20]


def customer_match(merchant_id: int, identity: Identity) -> Customer | None:
    """The merchant's existing customer the rules give for `identity`, or None.
    An erased customer is nobody: their contacts are gone (docs/privacy.md)."""
    customers = Customer.objects.filter(merchant_id=merchant_id, erased_at=None)
    if identity.discord_user_id:
        found = customers.filter(discord_user_id=identity.discord_user_id).first()
        if found:
            return found
    if identity.email:
        return by_email(customers, identity.email).first()
    if identity.phone:
        return by_phone(customers, identity.phone)
    return None


def by_email(customers, email: str):
    return customers.annotate(email_upper=Upper("email")).filter(
        ~Q(email=""), email_upper=email.strip().upper()
    )


def by_phone(customers, phone: str) -> Customer | None:
    """Rule 3: the email-less customer with this phone, else the only customer with
    it; None when several customers with an email share it."""
    return pick_by_phone(list(customers.filter(phone=phone).order_by("pk")[:20]))


def pick_by_phone(found: list[Customer]) -> Customer | None:
    """Rule 3 over one merchant's customers who have the phone."""
    without_email = sorted((c for c in found if not c.email), key=lambda c: c.pk)
    if without_email:
        return without_email[0]
    return found[0] if len(found) == 1 else None


def customer_for_order(merchant_id: int, identity: Identity) -> Customer | None:
    """The customer an order with `identity` belongs to, created if the rules find
    none; None when the order says nothing to identify anyone by."""
    if identity.is_empty:
        return None
    found = customer_match(merchant_id, identity)
    if found is not None:
        return _fill_blanks(found, identity)
    return _insert(merchant_id, identity)


def customers_for_orders(
    merchant_id: int, identities: list[Identity]
) -> list[Customer | None]:
    """`customer_for_order` for many orders, in order, as if one after the other:
    the customers known by email are found and made in a few statements; the rest
    (a phone alone, a Discord id) one by one."""
    emails = {
        identity.email.upper(): identity
        for identity in reversed(identities)  # the first order's identity wins
        if identity.email and not identity.discord_user_id
    }
    known = _by_emails(merchant_id, emails)
    missing = [identity for upper, identity in emails.items() if upper not in known]
    if missing:
        _insert_many(merchant_id, missing)
        known.update(_by_emails(merchant_id, {i.email.upper() for i in missing}))
    found = []
    for identity in identities:
        customer = known.get(identity.email.upper()) if identity.email else None
        if customer is not None and not identity.discord_user_id:
            found.append(_fill_blanks(customer, identity))
        else:
            found.append(customer_for_order(merchant_id, identity))
    return found


def _by_emails(merchant_id: int, emails) -> dict[str, Customer]:
    if not emails:
        return {}
    customers = Customer.objects.filter(merchant_id=merchant_id, erased_at=None)
    return {
        customer.email_upper: customer
        for customer in customers.annotate(email_upper=Upper("email")).filter(
            ~Q(email=""), email_upper__in=list(emails)
        )
    }


def _insert_many(merchant_id: int, identities: list[Identity]) -> None:
    """New customers, one per identity; one that exists by now (a concurrent
    order's) is left as it is, and found by the caller."""
    now = timezone.now()
    params = []
    for identity in identities:
        params += [
            merchant_id,
            Customer.new_customer_number(),
            identity.name,
            identity.email,
            identity.phone,
            now,
        ]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO orders_customer (merchant_id, customer_number, name, email,"
            " phone, discord_user_id, created_at) VALUES "
            + ", ".join(["(%s, %s, %s, %s, %s, '', %s)"] * len(identities))
            + " ON CONFLICT DO NOTHING",
            params,
        )


def _insert(merchant_id: int, identity: Identity) -> Customer:
    """Insert, or find the row a concurrent first order inserted a moment ago."""
    for _attempt in range(3):
        customer = Customer(
            merchant_id=merchant_id,
            customer_number=Customer.new_customer_number(),
            name=identity.name,
            email=identity.email,
            phone=identity.phone,
            discord_user_id=identity.discord_user_id,
            created_at=timezone.now(),
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO orders_customer (merchant_id, customer_number, name,"
                " email, phone, discord_user_id, created_at)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT DO NOTHING RETURNING id",
                [
                    merchant_id,
                    customer.customer_number,
                    customer.name,
                    customer.email,
                    customer.phone,
                    customer.discord_user_id,
                    customer.created_at,
                ],
            )
            row = cursor.fetchone()
        if row is not None:
            customer.pk = row[0]
            customer._state.adding, customer._state.db = False, "default"
            return customer
        found = customer_match(merchant_id, identity)
        if found is not None:
            return _fill_blanks(found, identity)
    # Only a clash of random customer numbers three times running gets here.
    raise RuntimeError("Could not create the customer.")


def _fill_blanks(customer: Customer, identity: Identity) -> Customer:
    """Learn what the customer did not tell us before. The phone of an email-less
    customer is their identity and stays; an email is never added by a match."""
    values = {"name": identity.name, "discord_user_id": identity.discord_user_id}
    if customer.email:
        values["phone"] = identity.phone
    changed = [
        field
        for field, value in values.items()
        if value and not getattr(customer, field)
    ]
    for field in changed:
        setattr(customer, field, values[field])
    if changed:
        Customer.objects.filter(pk=customer.pk).update(
            **{field: values[field] for field in changed}
        )
    return customer


# --- Merging ---------------------------------------------------------------------

MERGE_FIELDS = ("name", "email", "phone", "discord_user_id", "user_id")


def customer_merge(*, customer: Customer, into: Customer, actor: Actor) -> Customer:
    """Merge `customer` into `into` (one person with two records): their orders,
    and through `customer_merging` the threads' messages, invoices, payments,
    statements and addresses of higher apps, move to `into`; `into` learns what it
    did not know; `customer` is deleted. Staff and admins of the merchant only."""
    from orders.services import order_log  # services match customers with this module

    if customer.pk == into.pk:
        raise ApplicationError("A customer cannot be merged into itself.")
    if customer.merchant_id != into.merchant_id:
        raise ApplicationError("Only customers of the same merchant can be merged.")
    if not merchant_is_managed_by(actor, customer.merchant_id):
        raise NotAllowed("Only the merchant's staff can merge customers.")
    with transaction.atomic():
        first, second = sorted((customer.pk, into.pk))
        locked = Customer.objects.select_for_update().in_bulk([first, second])
        customer, into = locked[customer.pk], locked[into.pk]
        if customer.is_erased or into.is_erased:
            raise ApplicationError(
                "An erased customer cannot be merged: their personal data is gone."
            )
        if customer.user_id and into.user_id:
            raise Conflict(
                "Both customers have a portal sign-in: remove one of them first."
            )
        learned = {
            field: getattr(customer, field)
            for field in MERGE_FIELDS
            if getattr(customer, field) and not getattr(into, field)
        }
        with connection.cursor() as cursor:
            # The immutability triggers let exactly this through (customer ids).
            cursor.execute("SET LOCAL performile.merging_customers = 'on'")
        orders = list(
            Order.objects.filter(customer=customer).values_list("pk", flat=True)
        )
        Order.objects.filter(pk__in=orders).update(
            customer=into, updated_at=timezone.now()
        )
        signals.customer_merging.send(
            sender=Customer, customer_id=customer.pk, into_id=into.pk
        )
        merged_id, merged_number = customer.pk, customer.customer_number
        customer.delete()
        if learned:
            Customer.objects.filter(pk=into.pk).update(**learned)
            for field, value in learned.items():
                setattr(into, field, value)
        note = f"Customer {merged_number} merged into {into.customer_number}."
        for order in Order.objects.filter(pk__in=orders):
            order_log(order=order, note=note, actor=actor, data={"merged": merged_id})
        audit(
            "customer.merged",
            actor=actor,
            target=into,
            merchant_id=into.merchant_id,
            merged=merged_number,
            merged_id=merged_id,
            orders=len(orders),
        )
    return into
