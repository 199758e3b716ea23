from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from orders.models import Customer, Membership, Merchant, Order, OrderLine, Store


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    first_name = factory.Faker("first_name")
    password = factory.django.Password("pw-secret-123")


class MerchantFactory(DjangoModelFactory):
    class Meta:
        model = Merchant

    name = factory.Sequence(lambda n: f"Merchant {n}")
    slug = factory.Sequence(lambda n: f"merchant-{n}")


class StoreFactory(DjangoModelFactory):
    class Meta:
        model = Store

    merchant = factory.SubFactory(MerchantFactory)
    name = factory.Sequence(lambda n: f"Store {n}")
    webhook_secret = "store-secret"


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    merchant = factory.SubFactory(MerchantFactory)
    role = Membership.Role.STAFF

    @factory.post_generation
    def stores(self, create, extracted, **kwargs):
        if create and extracted:
            self.stores.set(extracted)


class CustomerFactory(DjangoModelFactory):
    class Meta:
        model = Customer

    merchant = factory.SubFactory(MerchantFactory)
    customer_number = factory.Sequence(lambda n: f"C{n:08d}")
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"customer{n}@example.com")


class OrderFactory(DjangoModelFactory):
    """An order row as it would stand after creation (no events, no signals)."""

    class Meta:
        model = Order

    store = factory.SubFactory(StoreFactory)
    merchant = factory.SelfAttribute("store.merchant")
    order_number = factory.Sequence(lambda n: f"ORD-{n:05d}")
    amount = Decimal("150.00")
    currency = "EUR"


class OrderLineFactory(DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    title = "Widget"
    quantity = 2
    unit_price = Decimal("10.00")
