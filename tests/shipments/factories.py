import factory
from factory.django import DjangoModelFactory

from shipments.models import CourierAccount, Shipment
from tests.factories import MerchantFactory, OrderFactory


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
