"""The customer matching rules of docs/customers.md, row by row."""

import pytest
from django.db import transaction

from orders.customers import Identity, customer_for_order
from orders.models import Customer
from tests.factories import CustomerFactory
from tests.racing import race

pytestmark = pytest.mark.django_db

ANNA = {"email": "anna@example.com", "phone": "+46701111111"}
BERIT = {"email": "berit@example.com", "phone": "+46702222222"}


@pytest.fixture
def people(store):
    return {
        "anna": CustomerFactory(merchant=store.merchant, name="Anna", **ANNA),
        "berit": CustomerFactory(merchant=store.merchant, name="Berit", **BERIT),
        "phone_only": CustomerFactory(
            merchant=store.merchant, name="Caller", email="", phone="+46703333333"
        ),
        "discord": CustomerFactory(
            merchant=store.merchant,
            name="",
            email="dora@example.com",
            phone="",
            discord_user_id="555",
        ),
    }


# (what the order says, who it belongs to: a name from `people`, "new" or None)
RULES = [
    # 1. A linked identity first, whatever else the order says.
    ({"discord_user_id": "555", "email": "anna@example.com"}, "discord"),
    # 2. The exact email, in any case.
    ({"email": "ANNA@example.com"}, "anna"),
    ({"email": "anna@example.com", "phone": BERIT["phone"]}, "anna"),
    # 4. An unknown email is a new customer even with a known phone.
    ({"email": "new@example.com", "phone": BERIT["phone"]}, "new"),
    ({"email": "new@example.com"}, "new"),
    # 3. A phone alone: the email-less customer with it, or the one customer.
    ({"phone": "+46703333333"}, "phone_only"),
    ({"phone": "+46 70 222 22 22"}, "berit"),
    ({"phone": "+46709999999"}, "new"),
    # Nothing to identify anyone by.
    ({"name": "Somebody"}, None),
]


@pytest.mark.parametrize(("says", "expected"), RULES)
def test_matching_rules(store, people, says, expected):
    before = Customer.objects.count()
    found = customer_for_order(store.merchant_id, Identity.clean(**says))
    if expected is None:
        assert found is None
    elif expected == "new":
        assert found.pk not in {p.pk for p in people.values()}
        assert Customer.objects.count() == before + 1
    else:
        assert found == people[expected]
        assert Customer.objects.count() == before


def test_a_phone_several_customers_share_matches_nobody(store, people):
    """Two customers with emails share a phone: a phone-only order goes to a new
    email-less customer, never into either one's portal."""
    CustomerFactory(
        merchant=store.merchant,
        email="sibling@example.com",
        **{"phone": BERIT["phone"]},
    )
    found = customer_for_order(store.merchant_id, Identity.clean(phone=BERIT["phone"]))
    assert found.email == ""
    assert found.pk != people["berit"].pk


def test_a_match_learns_blanks_but_never_an_email(store, people):
    found = customer_for_order(
        store.merchant_id,
        Identity.clean(email="dora@example.com", phone="+46704444444", name="Dora"),
    )
    found.refresh_from_db()
    assert (found.name, found.phone) == ("Dora", "+46704444444")
    caller = customer_for_order(
        store.merchant_id, Identity.clean(phone="+46703333333", email="")
    )
    caller.refresh_from_db()
    assert caller.email == ""


def test_customers_of_another_merchant_never_match(store, other_store, people):
    found = customer_for_order(other_store.merchant_id, Identity.clean(**ANNA))
    assert found.merchant_id == other_store.merchant_id
    assert found.pk != people["anna"].pk


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_orders_of_a_new_customer_make_one_customer(store):
    results = []

    def first_order():
        with transaction.atomic():
            results.append(
                customer_for_order(
                    store.merchant_id,
                    Identity.clean(email="Fresh@Example.com", name="Fresh"),
                ).pk
            )

    errors = race([first_order] * 6)
    assert errors == []
    assert len(set(results)) == 1
    assert Customer.objects.filter(email__iexact="fresh@example.com").count() == 1
