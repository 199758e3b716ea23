"""What the sandbox courier sells and how its parcels travel.

Pure data and functions: services with rough prices per route, and each parcel's
journey, planned once at booking from its tracking number, so the same number
always takes the same path (a failed attempt, an exception, a return) and a
restarted sandbox replans it identically.
"""

from __future__ import annotations

import hashlib
import random
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

BOOKED = "BOOKED"
PICKED_UP = "PICKED_UP"
IN_TRANSIT = "IN_TRANSIT"
OUT_FOR_DELIVERY = "OUT_FOR_DELIVERY"
AVAILABLE_FOR_PICKUP = "AVAILABLE_FOR_PICKUP"
DELIVERY_ATTEMPT_FAILED = "DELIVERY_ATTEMPT_FAILED"
DELIVERED = "DELIVERED"
EXCEPTION = "EXCEPTION"
RETURNED = "RETURNED"

# Every event code the sandbox ever sends; adapters map each of them.
EVENT_CODES = (
    BOOKED,
    PICKED_UP,
    IN_TRANSIT,
    OUT_FOR_DELIVERY,
    AVAILABLE_FOR_PICKUP,
    DELIVERY_ATTEMPT_FAILED,
    DELIVERED,
    EXCEPTION,
    RETURNED,
)
# The shipment status (not an event) after a successful DELETE.
CANCELLED = "CANCELLED"

HUBS = {
    "SE": ("Stockholm", "Göteborg", "Malmö", "Jönköping", "Örebro", "Sundsvall"),
    "NO": ("Oslo", "Bergen", "Trondheim", "Stavanger", "Lillestrøm", "Tromsø"),
    "DK": ("København", "Aarhus", "Odense", "Brøndby", "Aalborg"),
    "FI": ("Helsinki", "Vantaa", "Tampere", "Turku", "Oulu"),
}
TIME_ZONES = {
    "SE": "Europe/Stockholm",
    "NO": "Europe/Oslo",
    "DK": "Europe/Copenhagen",
    "FI": "Europe/Helsinki",
}
SHOPS = {
    "SE": ("ICA Nära", "Pressbyrån", "Coop", "Circle K"),
    "NO": ("Narvesen", "Kiwi", "Rema 1000", "Coop Extra"),
    "DK": ("Netto", "Føtex", "SuperBrugsen", "Circle K"),
    "FI": ("R-kioski", "K-Market", "S-market", "Alepa"),
}
CURRENCIES = {"SE": "SEK", "NO": "NOK", "DK": "DKK"}
# Rough value of one SEK in each currency; prices are set in SEK.
SEK_RATE = {
    "SEK": Decimal("1"),
    "NOK": Decimal("1"),
    "DKK": Decimal("0.65"),
    "EUR": Decimal("0.087"),
}
POSTAL_CODE_DIGITS = {"SE": 5, "NO": 4, "DK": 4, "FI": 5}


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    service_type: str
    base_sek: Decimal
    transit_days: int  # domestic; more across borders
    max_weight_kg: Decimal
    max_side_cm: Decimal


SERVICES = {
    service.code: service
    for service in (
        Service(
            "SBX_HOME",
            "Sandbox Home Delivery",
            "home_delivery",
            Decimal("99"),
            2,
            Decimal("35"),
            Decimal("150"),
        ),
        Service(
            "SBX_SHOP",
            "Sandbox Parcel Shop",
            "parcel_shop",
            Decimal("69"),
            1,
            Decimal("20"),
            Decimal("100"),
        ),
        Service(
            "SBX_LOCKER",
            "Sandbox Parcel Locker",
            "locker",
            Decimal("59"),
            1,
            Decimal("20"),
            Decimal("60"),
        ),
    )
}


def currency_for(country: str) -> str:
    return CURRENCIES.get(country, "EUR")


def transit_days(service: Service, from_country: str, to_country: str) -> int:
    if from_country == to_country:
        return service.transit_days
    return service.transit_days + (2 if to_country in HUBS else 4)


def route_factor(from_country: str, to_country: str) -> Decimal:
    if from_country == to_country:
        return Decimal("1")
    return Decimal("1.8") if to_country in HUBS else Decimal("2.6")


def price(
    service: Service, from_country: str, to_country: str, weights_kg=()
) -> tuple[Decimal, str]:
    """Per parcel: the service's base price, plus 4 SEK a kilo above 2 kg."""
    sek = Decimal("0")
    for weight in weights_kg or [Decimal("1")]:
        sek += service.base_sek + max(Decimal("0"), weight - 2) * 4
    currency = currency_for(from_country)
    amount = sek * route_factor(from_country, to_country) * SEK_RATE[currency]
    step = Decimal("0.10") if currency == "EUR" else Decimal("1")
    return (amount / step).quantize(Decimal("1"), ROUND_HALF_UP) * step, currency


def add_business_days(start: date, days: int) -> date:
    day = start
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


@dataclass(frozen=True, slots=True)
class Step:
    """One planned event: after `gap_s` seconds (at speed 1) from the previous."""

    code: str
    description: str
    location: str
    gap_s: float
    # Working days the estimated delivery has slipped by now (the largest seen so
    # far counts); None: no delivery expected any more.
    eta_shift_days: int | None = 0


def outcome_roll(tracking_number: str) -> int:
    """0-99, fixed per tracking number (not Python's salted hash())."""
    digest = hashlib.sha256(tracking_number.encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100


def plan(
    tracking_number: str,
    service_type: str,
    sender: dict,
    recipient: dict,
) -> list[Step]:
    """The whole journey, BOOKED first. About 10 minutes of gaps at speed 1.

    Outcomes by roll: 0-8 a failed delivery attempt then delivered, 9 a failed
    attempt, not collected and returned, 10-11 damaged (ends in EXCEPTION), 12-13
    an address problem then delivered, 14 an address problem and returned; the rest
    arrive without trouble.
    """
    rng = random.Random(tracking_number)
    roll = outcome_roll(tracking_number)
    origin, dest = sender.get("country", ""), recipient.get("country", "")
    origin_city = sender.get("city") or "Sender"
    dest_city = recipient.get("city") or "Recipient"

    def at(city: str, country: str) -> str:
        # Interned: 100,000 parcels share a few hundred place names.
        return sys.intern(f"{city}, {country}" if country else city)

    def hub(country: str, avoid: str = "") -> str:
        cities = [c for c in HUBS.get(country, ()) if c != avoid] or [
            "International terminal"
        ]
        return rng.choice(cities)

    def gap(seconds: float) -> float:
        return round(seconds * rng.uniform(0.8, 1.2), 1)

    origin_hub = hub(origin)
    dest_hub = dest_city if dest_city in HUBS.get(dest, ()) else hub(dest, origin_hub)
    steps = [
        Step(BOOKED, "Shipment information received", at(origin_city, origin), 0),
        Step(
            PICKED_UP, "Parcel picked up from sender", at(origin_city, origin), gap(90)
        ),
        Step(
            IN_TRANSIT,
            "Arrived at sorting terminal",
            at(origin_hub, origin),
            gap(100),
        ),
    ]
    if origin != dest:
        steps.append(
            Step(
                IN_TRANSIT,
                "Departed for destination country",
                at(origin_hub, origin),
                gap(100),
            )
        )
        steps.append(
            Step(
                IN_TRANSIT,
                "Arrived in destination country",
                at(dest_hub, dest),
                gap(100),
            )
        )
    else:
        steps.append(
            Step(
                IN_TRANSIT, "Departed sorting terminal", at(origin_hub, origin), gap(80)
            )
        )
    steps.append(
        Step(IN_TRANSIT, "Arrived at delivery terminal", at(dest_hub, dest), gap(100))
    )
    final = at(dest_city, dest)
    if roll in (10, 11):
        return [
            *steps,
            Step(
                EXCEPTION,
                "Parcel damaged in transit, claim possible",
                at(dest_hub, dest),
                gap(60),
                None,
            ),
        ]
    if roll in (12, 13, 14):
        steps.append(
            Step(
                EXCEPTION,
                "Address incomplete, contacting sender",
                at(dest_hub, dest),
                gap(60),
                2,
            )
        )
        if roll == 14:
            return [*steps, _returned(at(origin_city, origin), gap(120))]
        steps.append(
            Step(IN_TRANSIT, "Address corrected", at(dest_hub, dest), gap(90), 2)
        )
    shop = f"{rng.choice(SHOPS.get(dest, ('Service point',)))}, {dest_city}"
    if service_type == "home_delivery":
        steps.append(Step(OUT_FOR_DELIVERY, "Out for delivery", final, gap(90)))
        if roll < 10:
            steps.append(
                Step(
                    DELIVERY_ATTEMPT_FAILED,
                    "Recipient not at home, new attempt next working day",
                    final,
                    gap(60),
                    1,
                )
            )
            if roll == 9:
                return [*steps, *_not_collected(shop, dest, origin_city, origin, gap)]
            steps.append(
                Step(
                    OUT_FOR_DELIVERY,
                    "Out for delivery, second attempt",
                    final,
                    gap(120),
                    1,
                )
            )
        return [*steps, Step(DELIVERED, "Delivered to recipient", final, gap(75))]
    kind = "locker" if service_type == "locker" else "parcel shop"
    if roll < 10:
        steps.append(
            Step(
                DELIVERY_ATTEMPT_FAILED,
                f"Could not be left at the {kind}, moved to a nearby service point",
                final,
                gap(60),
                1,
            )
        )
        if roll == 9:
            return [*steps, *_not_collected(shop, dest, origin_city, origin, gap)]
    where = f"Parcel locker, {dest_city}" if service_type == "locker" else shop
    return [
        *steps,
        Step(
            AVAILABLE_FOR_PICKUP,
            f"Ready for pickup at {where}",
            f"{where}, {dest}",
            gap(90),
        ),
        Step(DELIVERED, "Collected by recipient", f"{where}, {dest}", gap(90)),
    ]


def _not_collected(shop, dest, origin_city, origin, gap) -> list[Step]:
    return [
        Step(
            AVAILABLE_FOR_PICKUP,
            f"Ready for pickup at {shop}",
            f"{shop}, {dest}",
            gap(90),
            1,
        ),
        _returned(
            f"{origin_city}, {origin}",
            gap(120),
            "Not collected in time, returned to sender",
        ),
    ]


def _returned(location: str, gap_s: float, description="Returned to sender") -> Step:
    return Step(RETURNED, description, location, gap_s, None)
