from invoices.services import invoice_issue_for_order
from tests.factories import CustomerFactory
from tests.invoices.conftest import make_order


def customer_with_balances(store):
    """Bo Lind: two orders, invoiced in two currencies (50.00 SEK, €20.00 owed),
    no portal account."""
    bo = CustomerFactory(
        merchant=store.merchant,
        name="Bo Lind",
        email="bo@example.com",
        phone="+46702222222",
        customer_number="C20000001",
    )
    for currency, lines in (("SEK", ((2, "25.00"),)), ("EUR", ((1, "20.00"),))):
        order = make_order(
            store, bo, status="confirmed", currency=currency, lines=lines
        )
        invoice_issue_for_order(order=order)
    return bo
