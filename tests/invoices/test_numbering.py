from datetime import date

import pytest

from invoices import numbering
from invoices.models import CreditNote, Invoice
from invoices.services import credit_note_issue, invoice_issue_for_order
from tests.invoices.conftest import make_order
from tests.racing import race as _race

ISSUERS = 8


@pytest.mark.django_db(transaction=True)
def test_concurrent_issuers_never_share_or_skip_a_number(store, buyer, profile):
    orders = [make_order(store, buyer) for _ in range(ISSUERS)]
    # One issue fails after taking its number: the number must come back.
    doomed = make_order(store, buyer, lines=(), amount=0)
    targets = [
        (lambda o=o: invoice_issue_for_order(order=o, issue_date=date(2026, 5, 4)))
        for o in [*orders, doomed]
    ]

    errors = _race(targets)

    assert len(errors) == 1
    assert "no amount" in str(errors[0])
    sequences = sorted(Invoice.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, ISSUERS + 1))
    numbers = set(Invoice.objects.values_list("number", flat=True))
    assert numbers == {f"INV-2026-{n:05d}" for n in range(1, ISSUERS + 1)}


@pytest.mark.django_db(transaction=True)
def test_the_same_order_issued_twice_at_once_gets_one_invoice_and_no_gap(
    store, buyer, profile
):
    order = make_order(store, buyer)
    errors = _race([lambda: invoice_issue_for_order(order=order)] * 4)

    assert len(errors) == 3
    assert list(Invoice.objects.values_list("sequence", flat=True)) == [1]
    assert invoice_issue_for_order(order=make_order(store, buyer)).sequence == 2


@pytest.mark.django_db(transaction=True)
def test_credit_notes_have_their_own_gap_free_sequence(store, buyer, profile):
    invoices = [
        invoice_issue_for_order(order=make_order(store, buyer)) for _ in range(4)
    ]
    errors = _race(
        [
            (lambda i=i: credit_note_issue(invoice=i, actor=None, reason="Returned"))
            for i in invoices
        ]
    )
    assert errors == []
    assert sorted(CreditNote.objects.values_list("sequence", flat=True)) == [1, 2, 3, 4]
    assert CreditNote.objects.filter(number__startswith="CN-").count() == 4


def test_the_prefix_takes_the_year_of_issue():
    assert numbering.series_prefix("INV-{year}-", date(2027, 1, 1)) == "INV-2027-"
    assert numbering.format_number("INV-2027-", 42, 5) == "INV-2027-00042"
