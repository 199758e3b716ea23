"""Billing permissions are the services' own: whoever calls them (a view, the API,
a job), only the merchant's staff and admins change its billing, and a statement
is for the merchant's staff or the customer's own account. A refused call writes
nothing."""

from decimal import Decimal

import pytest

from invoices.models import CreditNote, Invoice, Payment, Statement
from invoices.services import (
    credit_note_issue,
    invoice_issue_for_order,
    invoice_void,
    payment_allocate,
    payment_record,
)
from invoices.services.statements import statement_generate
from performile.errors import NotAllowed
from performile.models import AuditEvent
from tests.invoices.conftest import make_order

pytestmark = pytest.mark.django_db

REFUSED = ["reseller", "supplier", "other_merchant_staff", "customer"]


@pytest.fixture
def billed(second_store, customer, supplier, profile):
    """An invoice everyone refused can see the order of: in the reseller's store,
    assigned to the supplier, bought by the customer with a portal login."""
    order = make_order(second_store, customer, supplier=supplier)
    return invoice_issue_for_order(order=order)


@pytest.fixture
def unallocated(merchant):
    """Money a provider sent without anything to match it to."""
    return payment_record(
        merchant=merchant, amount="30.00", currency="EUR", method="card"
    )


def person(request, who):
    user = request.getfixturevalue(who)
    return getattr(user, "user", user)  # the customer fixture is a Customer


def written() -> tuple:
    return (
        Invoice.objects.count(),
        Payment.objects.count(),
        CreditNote.objects.count(),
        Statement.objects.count(),
        AuditEvent.objects.count(),
        list(Invoice.objects.values_list("state", flat=True).order_by("pk")),
        list(Payment.objects.values_list("invoice_id", flat=True).order_by("pk")),
    )


def changes(billed, unallocated, second_store, customer, actor):
    """Every service that changes billing, called by `actor`."""
    return {
        "issue": lambda: invoice_issue_for_order(
            order=make_order(second_store, customer), actor=actor
        ),
        "payment": lambda: payment_record(
            merchant=billed.merchant,
            invoice=billed,
            amount=Decimal("10.00"),
            currency="EUR",
            method="bank_transfer",
            actor=actor,
        ),
        "credit note": lambda: credit_note_issue(
            invoice=billed, actor=actor, reason="Late", amount=Decimal("5.00")
        ),
        "void": lambda: invoice_void(invoice=billed, actor=actor, reason="Wrong"),
        "allocate": lambda: payment_allocate(
            payment=unallocated, invoice=billed, actor=actor
        ),
    }


@pytest.mark.parametrize("who", REFUSED)
def test_the_services_refuse_anyone_but_the_merchants_staff(
    request, who, billed, unallocated, second_store, customer
):
    actor = person(request, who)
    calls = changes(billed, unallocated, second_store, customer, actor)
    for name, call in calls.items():
        before = written()
        with pytest.raises(NotAllowed):
            call()
        assert written() == before, name


@pytest.mark.parametrize("who", ["staff_user", "admin_member"])
def test_the_merchants_staff_and_admins_change_billing(
    request, who, billed, unallocated, second_store, customer
):
    actor = person(request, who)
    calls = changes(billed, unallocated, second_store, customer, actor)
    calls["allocate"]()
    calls["credit note"]()
    calls["payment"]()
    assert calls["issue"]().state == Invoice.State.ISSUED
    billed.refresh_from_db()
    assert billed.payments.count() == 2
    assert billed.credit_notes.count() == 1


def test_the_system_changes_billing_without_a_person(
    billed, unallocated, second_store, customer
):
    calls = changes(billed, unallocated, second_store, customer, None)
    calls["void"]()
    billed.refresh_from_db()
    assert billed.is_void


@pytest.mark.parametrize("who", ["reseller", "supplier", "other_merchant_staff"])
def test_statements_are_refused_to_others(request, who, billed):
    before = written()
    with pytest.raises(NotAllowed):
        _statement(billed, person(request, who))
    assert written() == before


def test_staff_and_the_customer_themself_generate_statements(
    billed, staff_user, customer
):
    assert _statement(billed, staff_user).customer == customer
    assert _statement(billed, customer.user).customer == customer


def test_another_customer_cannot_generate_someone_elses_statement(billed, buyer):
    from tests.factories import UserFactory

    buyer.user = UserFactory(username="buyer")
    buyer.save(update_fields=["user"])
    before = written()
    with pytest.raises(NotAllowed):
        _statement(billed, buyer.user)
    assert written() == before


def _statement(invoice, actor):
    return statement_generate(
        customer=invoice.customer,
        currency="EUR",
        start=invoice.issue_date,
        end=invoice.issue_date,
        actor=actor,
    )
