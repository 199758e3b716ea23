import uuid

import factory
from factory.django import DjangoModelFactory

from sandbox_courier import journey
from shipments.models import CourierAccount, Shipment, TrackingEvent
from tests.factories import MerchantFactory, OrderFactory

# A complete Swedish delivery address, as booking needs it.
ADDRESS = {
    "name": "Eva Lind",
    "line1": "Storgatan 1",
    "postal_code": "11122",
    "city": "Stockholm",
    "country": "SE",
}


class CourierAccountFactory(DjangoModelFactory):
    class Meta:
        model = CourierAccount

    merchant = factory.SubFactory(MerchantFactory)
    courier = "sandbox"
    name = "Sandbox Post"
    base_url = "http://127.0.0.1:9"
    api_key = "sandbox-key"


class ShipmentFactory(DjangoModelFactory):
    class Meta:
        model = Shipment

    order = factory.SubFactory(OrderFactory)
    merchant = factory.SelfAttribute("order.merchant")
    account = factory.SubFactory(
        CourierAccountFactory, merchant=factory.SelfAttribute("..order.merchant")
    )
    service_code = "home"
    service_type = "home_delivery"
    tracking_number = factory.Sequence(lambda n: f"SBX{n:010d}")


def scan(shipment, occurred_at, *, status="in_transit", code="PICKED_UP", **fields):
    """One tracking event on the shipment, as a courier webhook records it."""
    return TrackingEvent.objects.create(
        shipment=shipment,
        status=status,
        raw_code=code,
        occurred_at=occurred_at,
        source=TrackingEvent.Source.WEBHOOK,
        **fields,
    )


def smooth_number(template: str = "SBX{:010d}", digits: int = 10) -> str:
    """A fresh tracking number whose sandbox journey has no trouble (no exception,
    no return: journey.outcome_roll >= 15), so a test that waits for a step always
    gets there."""
    while True:
        number = template.format(uuid.uuid4().int % 10**digits)
        if journey.outcome_roll(number) >= 15:
            return number
