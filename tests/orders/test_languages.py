import pytest
from django.utils.translation import get_language

from orders.languages import language_of, order_language, writing_to
from tests.factories import CustomerFactory, OrderFactory, StoreFactory

pytestmark = pytest.mark.django_db


def test_the_customers_choice_comes_first():
    store = StoreFactory(language="sv")
    customer = CustomerFactory(merchant=store.merchant, language="da")
    assert language_of(customer=customer, store=store) == "da"


def test_without_a_choice_the_store_decides():
    store = StoreFactory(language="nb")
    order = OrderFactory(store=store, customer=CustomerFactory(merchant=store.merchant))
    assert order_language(order) == "nb"


def test_english_when_nobody_chose_and_for_an_order_without_a_customer():
    store = StoreFactory()
    assert language_of(customer=None, store=store) == "en"
    assert order_language(OrderFactory(store=store, customer=None)) == "en"


def test_writing_to_switches_the_language_and_refuses_unknown_ones():
    with writing_to("sv"):
        assert get_language() == "sv"
    with writing_to("xx"):
        assert get_language() == "en"
