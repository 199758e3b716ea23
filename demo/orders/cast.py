"""The demo's people and places: merchants, stores, users, memberships, customers.

No services exist yet for merchants, stores, memberships or portal sign-ins, so
those rows are written here directly; customers go through customer_get_or_create.
"""

import random
import uuid
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from demo.orders import catalog
from orders.models import Customer, Membership, Merchant, Store
from orders.services import customer_get_or_create


@dataclass
class Cast:
    merchants: dict = field(default_factory=dict)
    stores: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    customers: dict = field(default_factory=dict)  # pool name -> [Customer]
    addresses: dict = field(default_factory=dict)  # customer pk -> address
    numbers: Counter = field(default_factory=Counter)  # order number series
    served: set = field(default_factory=set)  # customers with an order

    def user(self, email):
        return self.users[email]

    def team(self, merchant_key):
        return [
            self.users[email]
            for email, _f, _l, key, role, _s in catalog.MEMBERS
            if key == merchant_key and role in ("admin", "staff")
        ]


def sign_ins() -> list[tuple[str, str]]:
    """(who, username) of every demo account; all share catalog.DEMO_PASSWORD."""
    merchants = {m["key"]: m["name"] for m in catalog.MERCHANTS}
    rows = [("Django admin (superuser)", catalog.SUPERUSER[0])]
    rows += [
        (f"{merchants[key]}: {role}", email)
        for email, _f, _l, key, role, _s in catalog.MEMBERS
    ]
    rows += [
        (f"{merchants[key]}: customer (portal)", email)
        for email, _f, _l, key, _c in catalog.PORTAL_CUSTOMERS
    ]
    return rows


def cast_create(rng: random.Random) -> Cast:
    cast = Cast()
    password = make_password(catalog.DEMO_PASSWORD)  # hashing once saves seconds
    for spec in catalog.MERCHANTS:
        merchant = Merchant.objects.create(
            name=spec["name"],
            slug=spec["slug"],
            timezone=spec["timezone"],
            default_currency=spec["default_currency"],
        )
        cast.merchants[spec["key"]] = merchant
        for store in spec["stores"]:
            values = {k: v for k, v in store.items() if k != "key"}
            cast.stores[store["key"]] = Store.objects.create(
                merchant=merchant,
                webhook_key=uuid.UUID(int=rng.getrandbits(128), version=4),
                **values,
            )
    _users_create(cast, password)
    _customers_create(cast, rng, password)
    return cast


def _users_create(cast: Cast, password: str) -> None:
    User = get_user_model()
    username, email = catalog.SUPERUSER
    User.objects.create(
        username=username,
        email=email,
        password=password,
        is_staff=True,
        is_superuser=True,
    )
    for email, first, last, merchant_key, role, store_keys in catalog.MEMBERS:
        user = _user(email, first, last, password)
        membership = Membership.objects.create(
            user=user, merchant=cast.merchants[merchant_key], role=role
        )
        if store_keys:
            membership.stores.set([cast.stores[key] for key in store_keys])
        cast.users[email] = user


def _user(email: str, first: str, last: str, password: str):
    from allauth.account.models import EmailAddress

    user = get_user_model().objects.create(
        username=email, email=email, first_name=first, last_name=last, password=password
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def _customers_create(cast: Cast, rng: random.Random, password: str) -> None:
    nordic = cast.merchants["nordic"].pk
    for country in ("SE", "NO", "DK"):
        pool = cast.customers.setdefault(country, [])
        names = [
            (first, last)
            for first in catalog.FIRST_NAMES[country]
            for last in rng.sample(catalog.LAST_NAMES[country], 2)
        ]
        for first, last in names:
            email = f"{first}.{last}@example.com".lower()
            pool.append(
                _nordic_customer(cast, rng, nordic, first, last, email, country)
            )
    pixel = cast.merchants["pixel"].pk
    cast.customers["discord"] = [
        customer_get_or_create(
            merchant_id=pixel,
            name=name,
            email=email,
            discord_user_id=str(rng.randrange(10**17, 10**18)),
        )
        for name, email in catalog.DISCORD_CUSTOMERS
    ]
    for email, first, last, merchant_key, country in catalog.PORTAL_CUSTOMERS:
        if merchant_key == "nordic":
            customer = _nordic_customer(cast, rng, nordic, first, last, email, country)
        else:
            customer = customer_get_or_create(
                merchant_id=pixel,
                name=f"{first} {last}",
                email=email,
                discord_user_id=str(rng.randrange(10**17, 10**18)),
            )
        # No service links a portal sign-in yet; this is the one direct write.
        customer.user = _user(email, first, last, password)
        customer.language = catalog.PORTAL_LANGUAGES.get(email, "")
        customer.save(update_fields=["user", "language"])
        cast.customers.setdefault(f"portal-{country or 'discord'}", []).append(customer)


def _nordic_customer(cast, rng, merchant_id, first, last, email, country) -> Customer:
    code, leads, digits = catalog.PHONES[country]
    phone = f"{code}{rng.choice(leads)}{rng.randrange(10**digits):0{digits}d}"
    customer = customer_get_or_create(
        merchant_id=merchant_id, name=f"{first} {last}", email=email, phone=phone
    )
    city, postal_codes, streets = rng.choice(catalog.PLACES[country])
    cast.addresses[customer.pk] = {
        "name": customer.name,
        "line1": f"{rng.choice(streets)} {rng.randint(1, 80)}",
        "postal_code": rng.choice(postal_codes),
        "city": city,
        "country": country,
        "phone": phone,
    }
    return customer
