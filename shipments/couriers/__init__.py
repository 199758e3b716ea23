"""Courier adapters by code. A merchant's CourierAccount names one of these codes;
`karrio:<carrier>` reaches any carrier of the optional karrio bridge."""

from django.utils.module_loading import import_string

from shipments.couriers.base import AccountSettings, Courier

ADAPTERS = {
    "sandbox": "shipments.couriers.sandbox.SandboxCourier",
    "postnord": "shipments.couriers.postnord.PostNordCourier",
    "bring": "shipments.couriers.bring.BringCourier",
    "dhl": "shipments.couriers.dhl.DhlCourier",
}
CHOICES = [
    ("sandbox", "Sandbox courier"),
    ("postnord", "PostNord"),
    ("bring", "Bring"),
    ("dhl", "DHL"),
]


def courier_class(code: str) -> type[Courier]:
    if code.startswith("karrio:"):
        return import_string("shipments.couriers.karrio_bridge.KarrioCourier")
    try:
        return import_string(ADAPTERS[code])
    except KeyError as exc:
        raise LookupError(f"No courier adapter '{code}'.") from exc


def courier_for(code: str, settings: AccountSettings) -> Courier:
    if code.startswith("karrio:"):
        return courier_class(code)(settings, carrier=code.split(":", 1)[1])
    return courier_class(code)(settings)
