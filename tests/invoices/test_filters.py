"""One invoice filter (invoices.filters.InvoiceFilter): the Invoices page's, which
the API extends with its own parameters; `q` searches the same fields on both."""

import pytest
from django.urls import reverse

from invoices.services import invoice_issue_for_order
from tests.factories import CustomerFactory
from tests.invoices.conftest import make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(store, profile, staff_user):
    lyktan = CustomerFactory(
        merchant=store.merchant,
        name="Café Lyktan",
        email="cafe@example.com",
        customer_number="C-100",
    )
    ost = CustomerFactory(
        merchant=store.merchant,
        name="Bakery Ost",
        email="orders@ost.example",
        customer_number="C-200",
    )
    return {
        name: invoice_issue_for_order(
            order=make_order(store, customer, order_number=number), actor=staff_user
        )
        for name, customer, number in (
            ("lyktan", lyktan, "ORD-4411"),
            ("ost", ost, "ORD-5522"),
        )
    }


def page_search(client, ledger, query: str) -> set[str]:
    response = client.get(reverse("invoices:list"), {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    return {name for name, invoice in ledger.items() if invoice.number in html}


def api_search(client, ledger, query: str) -> set[str]:
    response = client.get("/api/invoices/", {"q": query})
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    return {name for name, invoice in ledger.items() if invoice.pk in ids}


@pytest.fixture(params=["page", "api"])
def search(request, client, staff_api, staff_user, ledger):
    if request.param == "page":
        client.force_login(staff_user)
        return lambda query: page_search(client, ledger, query)
    return lambda query: api_search(staff_api, ledger, query)


@pytest.mark.parametrize(
    ("query", "found"),
    [
        pytest.param("ord-44", {"lyktan"}, id="order-reference-in-part"),
        pytest.param("bakery", {"ost"}, id="customer-name-in-part"),
        pytest.param("cafe@exa", {"lyktan"}, id="customer-email-in-part"),
        pytest.param("c-200", {"ost"}, id="customer-number-whole"),
        pytest.param("C-2", set(), id="customer-number-not-in-part"),
        pytest.param("  ", {"lyktan", "ost"}, id="blank-searches-nothing"),
    ],
)
def test_the_page_and_the_api_search_the_same_fields(search, query, found):
    assert search(query) == found


def test_both_search_the_invoice_number(search, ledger):
    assert search(ledger["ost"].number.lower()) == {"ost"}
