from decimal import Decimal

import pytest

from invoices.models import CreditNote
from invoices.selectors import visible_invoices
from invoices.services import credit_note_issue, invoice_issue_for_order
from performile.errors import ApplicationError, Conflict
from performile.models import AuditEvent
from tests.invoices.conftest import make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(store, buyer, profile):
    # 3 × 9.99 gross at 25%: 29.97 total = 23.98 net + 5.99 tax; 1 × 30.00 = 24 + 6.
    return invoice_issue_for_order(
        order=make_order(store, buyer, lines=((3, "9.99"), (1, "30.00")))
    )


def amounts(note):
    return note.subtotal, note.tax_total, note.total


def test_crediting_part_of_a_line_takes_its_share_of_net_and_tax(invoice, staff_user):
    first = invoice.lines.get(position=1)
    note = credit_note_issue(
        invoice=invoice,
        actor=staff_user,
        reason="One returned",
        lines=[{"line": first.pk, "quantity": 1}],
    )
    # 23.98 / 3 = 7.99(3) -> 7.99 net; 5.99 / 3 = 1.99(6) -> 2.00 tax.
    assert amounts(note) == (Decimal("7.99"), Decimal("2.00"), Decimal("9.99"))
    assert note.number.startswith("CN-")
    assert note.invoice == invoice
    assert note.lines.get().invoice_line == first


def test_the_last_part_of_a_line_credits_exactly_what_is_left(invoice, staff_user):
    first = invoice.lines.get(position=1)
    for _ in range(3):
        credit_note_issue(
            invoice=invoice,
            actor=staff_user,
            reason="Returned",
            lines=[{"line": first.pk, "quantity": 1}],
        )
    notes = CreditNote.objects.filter(invoice=invoice)
    assert sum(n.subtotal for n in notes) == first.net_amount
    assert sum(n.tax_total for n in notes) == first.tax_amount
    assert sum(n.total for n in notes) == first.total
    with pytest.raises(ApplicationError, match="fully credited"):
        credit_note_issue(
            invoice=invoice,
            actor=staff_user,
            reason="again",
            lines=[{"line": first.pk}],
        )


def test_crediting_everything_gives_back_the_invoices_totals_and_clears_it(
    invoice, staff_user, merchant
):
    first = invoice.lines.get(position=1)
    credit_note_issue(
        invoice=invoice,
        actor=staff_user,
        reason="Partial",
        lines=[{"line": first.pk, "quantity": "2"}],
    )
    rest = credit_note_issue(invoice=invoice, actor=staff_user, reason="Cancelled")
    notes = CreditNote.objects.filter(invoice=invoice)
    assert sum(n.total for n in notes) == invoice.total
    assert sum(n.tax_total for n in notes) == invoice.tax_total
    assert rest.lines.count() == 2
    seen = visible_invoices(staff_user).get(pk=invoice.pk)
    assert seen.credited == invoice.total
    assert seen.outstanding == 0
    assert seen.payment_status == "paid"
    with pytest.raises(Conflict, match="fully credited"):
        credit_note_issue(invoice=invoice, actor=staff_user, reason="more")


def test_an_amount_is_credited_gross_at_the_invoices_rate(invoice, staff_user):
    note = credit_note_issue(
        invoice=invoice,
        actor=staff_user,
        reason="Late delivery",
        amount=Decimal("10.00"),
        description="Goodwill",
    )
    assert amounts(note) == (Decimal("8.00"), Decimal("2.00"), Decimal("10.00"))
    assert note.lines.get().description == "Goodwill"
    assert visible_invoices(staff_user).get(pk=invoice.pk).outstanding == Decimal(
        "49.97"
    )
    assert AuditEvent.objects.filter(
        action="credit_note.issued", object_id=str(note.pk)
    ).exists()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"amount": Decimal("60.00")}, "left to credit"),
        ({"amount": Decimal("-1")}, "more than 0"),
        ({"amount": "ten"}, "number"),
        ({"lines": [{"line": 0, "quantity": 1}]}, "No such line"),
        ({"lines": [{"line": "x"}]}, "number"),
        ({"reason": " "}, "Say why"),
    ],
)
def test_bad_credit_notes_are_refused_and_change_nothing(
    invoice, staff_user, kwargs, message
):
    kwargs = {"reason": "Because", **kwargs}
    with pytest.raises(ApplicationError, match=message):
        credit_note_issue(invoice=invoice, actor=staff_user, **kwargs)
    assert not CreditNote.objects.exists()


def test_more_than_is_left_on_a_line_is_refused(invoice, staff_user):
    first = invoice.lines.get(position=1)
    with pytest.raises(ApplicationError, match="3 left"):
        credit_note_issue(
            invoice=invoice,
            actor=staff_user,
            reason="x",
            lines=[{"line": first.pk, "quantity": 4}],
        )


def test_crediting_everything_after_a_credit_by_amount_credits_the_rest_exactly(
    invoice, staff_user
):
    credit_note_issue(
        invoice=invoice,
        actor=staff_user,
        reason="Late",
        amount=Decimal("1.00"),
        description="Goodwill",
    )

    rest = credit_note_issue(invoice=invoice, actor=staff_user, reason="Cancelled")

    notes = CreditNote.objects.filter(invoice=invoice)
    assert rest.total == invoice.total - Decimal("1.00")
    assert sum(n.total for n in notes) == invoice.total
    assert sum(n.tax_total for n in notes) == invoice.tax_total
    assert sum(n.subtotal for n in notes) == invoice.subtotal
    less = rest.lines.get(invoice_line=None)
    assert less.total == Decimal("-1.00")
    assert less.description.startswith("Less Goodwill (CN-")
    assert visible_invoices(staff_user).get(pk=invoice.pk).outstanding == 0
    with pytest.raises(Conflict, match="fully credited"):
        credit_note_issue(invoice=invoice, actor=staff_user, reason="more")
