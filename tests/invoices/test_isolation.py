"""Who reaches which billing page: anything a user may not see answers 404. Every
billing URL (HTML and /api/) is in the sweep below; a new one that is not fails
`test_the_sweep_covers_every_billing_url` (tests/urls_sweep.py)."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from invoices import pdf
from invoices.models import CreditNote, Invoice, Payment
from invoices.services import (
    credit_note_issue,
    invoice_issue_for_order,
    payment_record,
)
from invoices.services.statements import statement_generate
from orders.models import Membership
from performile.models import AuditEvent
from tests.factories import CustomerFactory, MembershipFactory, UserFactory
from tests.invoices.conftest import make_order
from tests.urls_sweep import app_routes, assert_not_found, assert_swept

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def billed(order, staff_user):
    """An invoice with a credit note and a statement."""
    invoice = invoice_issue_for_order(order=order, actor=staff_user)
    note = credit_note_issue(
        invoice=invoice, actor=staff_user, reason="Late", amount=Decimal("5.00")
    )
    statement = statement_generate(
        customer=invoice.customer,
        currency="EUR",
        start=invoice.issue_date,
        end=invoice.issue_date,
    )
    return invoice, note, statement


def object_urls(invoice, note, statement) -> list[tuple[str, str]]:
    order_id = invoice.order_id
    return [
        ("get", reverse("invoices:detail", args=[invoice.pk])),
        ("get", reverse("invoices:pdf", args=[invoice.pk])),
        ("get", reverse("invoices:payment", args=[invoice.pk])),
        ("post", reverse("invoices:payment", args=[invoice.pk])),
        ("get", reverse("invoices:credit", args=[invoice.pk])),
        ("post", reverse("invoices:credit", args=[invoice.pk])),
        ("get", reverse("invoices:void", args=[invoice.pk])),
        ("post", reverse("invoices:void", args=[invoice.pk])),
        ("get", reverse("invoices:credit-note-pdf", args=[note.pk])),
        ("get", reverse("invoices:statement", args=[statement.pk])),
        ("get", reverse("invoices:statement-pdf", args=[statement.pk])),
        ("get", reverse("invoices:order_panel", args=[order_id])),
        ("post", reverse("invoices:issue", args=[order_id])),
        ("get", reverse("invoices:confirmation", args=[order_id])),
    ]


STAFF_PAGES = ["list", "payments", "statements", "export"]

# The URLs that take an id, by the kind of record the id names.
PARAMETRIZED = {
    "invoices:detail": "invoice",
    "invoices:pdf": "invoice",
    "invoices:payment": "invoice",
    "invoices:credit": "invoice",
    "invoices:void": "invoice",
    "invoices:credit-note-pdf": "credit_note",
    "invoices:statement": "statement",
    "invoices:statement-pdf": "statement",
    "invoices:order_panel": "order",
    "invoices:issue": "order",
    "invoices:confirmation": "order",
    "api-invoice-detail": "invoice",
    "api-invoice-payments": "invoice",
    "api-invoice-credit-notes": "invoice",
    "api-invoice-void": "invoice",
    "api-order-invoice": "order",
    "api-payment-allocate": "payment",
    "api-credit-note-detail": "credit_note",
}
# The URLs without an id in the path: lists of what the caller may see (another
# merchant's staff see none of these records there, below; suppliers and customers
# get no staff page).
OTHER_WAYS = {
    **{f"invoices:{name}": "listing" for name in STAFF_PAGES},
    "api-invoices": "listing",
    "api-payments": "listing",
    "api-credit-notes": "listing",
}


@pytest.fixture
def another_customer(merchant, store):
    """A customer with a portal sign-in and an invoice of their own."""
    user = UserFactory(username="another-customer")
    customer = CustomerFactory(merchant=merchant, user=user)
    invoice_issue_for_order(order=make_order(store, customer))
    return user


def test_the_sweep_covers_every_billing_url():
    assert_swept(
        app_routes("invoices.urls", "invoices.api.urls"),
        by_id=PARAMETRIZED,
        other=OTHER_WAYS,
    )


@pytest.mark.parametrize(
    "who", ["other_merchant_staff", "supplier", "another_customer"]
)
def test_outsiders_get_404_on_every_billing_url(client, request, billed, who):
    invoice, note, statement = billed
    unallocated = payment_record(
        merchant=invoice.merchant,
        customer=invoice.customer,
        amount=Decimal("3.00"),
        currency="EUR",
        method="cash",
    )
    theirs = {
        "invoice": invoice,
        "credit_note": note,
        "statement": statement,
        "order": invoice.order,
        "payment": unallocated,
    }
    client.force_login(request.getfixturevalue(who))
    data = {"reason": "x", "amount": "1", "invoice": invoice.pk}

    for name, kind in PARAMETRIZED.items():
        assert_not_found(client, reverse(name, args=[theirs[kind].pk]), data)
    assert Payment.objects.count() == 1
    assert Payment.objects.get().invoice_id is None
    assert CreditNote.objects.count() == 1
    assert not Invoice.objects.filter(state="void").exists()
    assert not AuditEvent.objects.filter(action__endswith=".downloaded").exists()


@pytest.mark.parametrize("who", ["supplier", "another_customer"])
def test_the_staff_pages_do_not_exist_for_suppliers_and_customers(
    client, request, billed, who
):
    client.force_login(request.getfixturevalue(who))

    for name in STAFF_PAGES:
        assert client.get(reverse(f"invoices:{name}")).status_code == 404, name


def test_another_merchants_staff_see_none_of_these_invoices(
    client, billed, other_merchant_staff
):
    client.force_login(other_merchant_staff)
    invoice, note, statement = billed

    for name in STAFF_PAGES:
        response = client.get(reverse(f"invoices:{name}"))
        assert response.status_code == 200, name
        assert invoice.number not in response.content.decode()
        assert invoice.customer.name not in response.content.decode()
    for name in ("api-invoices", "api-payments", "api-credit-notes"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert invoice.number not in response.content.decode(), name
        assert note.number not in response.content.decode(), name


def test_signed_out_visitors_are_sent_to_sign_in(client, billed):
    for method, url in object_urls(*billed):
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_a_reseller_sees_only_their_stores_invoices(
    client, reseller, store, second_store, buyer, profile
):
    mine = invoice_issue_for_order(order=make_order(second_store, buyer))
    not_mine = invoice_issue_for_order(order=make_order(store, buyer))
    client.force_login(reseller)

    html = client.get(reverse("invoices:list")).content.decode()
    assert mine.number in html
    assert not_mine.number not in html
    assert client.get(reverse("invoices:detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("invoices:detail", args=[not_mine.pk])).status_code == 404
    assert client.get(reverse("invoices:pdf", args=[not_mine.pk])).status_code == 404


def test_a_reseller_sees_only_their_stores_payments(
    client, reseller, store, second_store, buyer, profile, staff_user
):
    def paid(store_, reference):
        invoice = invoice_issue_for_order(order=make_order(store_, buyer))
        payment_record(
            merchant=store_.merchant,
            invoice=invoice,
            amount=Decimal("5.00"),
            currency="EUR",
            method="cash",
            reference=reference,
            actor=staff_user,
        )

    paid(second_store, "MINE-REF")
    paid(store, "OTHER-REF")
    client.force_login(reseller)

    html = client.get(reverse("invoices:payments")).content.decode()
    assert "MINE-REF" in html
    assert "OTHER-REF" not in html
    today = invoice_issue_for_order(order=make_order(second_store, buyer)).issue_date
    export = client.get(
        reverse("invoices:export"),
        {"kind": "payments", "start": today.isoformat(), "end": today.isoformat()},
    )
    body = b"".join(export.streaming_content).decode()
    assert "MINE-REF" in body
    assert "OTHER-REF" not in body


def test_a_reseller_reads_but_does_not_change_invoices(
    client, reseller, second_store, buyer, profile
):
    invoice = invoice_issue_for_order(order=make_order(second_store, buyer))
    client.force_login(reseller)

    detail = client.get(reverse("invoices:detail", args=[invoice.pk])).content
    assert b"Record payment" not in detail
    response = client.post(
        reverse("invoices:payment", args=[invoice.pk]),
        {"amount": "1", "method": "cash", "received_on": "2026-01-01"},
    )
    assert response.status_code == 403
    assert not Payment.objects.exists()
    other = make_order(second_store, buyer)
    assert client.post(reverse("invoices:issue", args=[other.pk])).status_code == 403
    assert not Invoice.objects.filter(order=other).exists()


def text_of(content: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)


def test_the_customer_gets_a_watermarked_copy_and_staff_the_stored_file(
    client, billed, merchant, staff_user
):
    invoice, note, statement = billed
    customer = invoice.customer
    customer.user = UserFactory(username="cafe-owner")
    customer.save(update_fields=["user"])
    stored = pdf.stored_pdf("invoice", Invoice.objects.get(pk=invoice.pk))

    client.force_login(customer.user)
    response = client.get(reverse("invoices:pdf", args=[invoice.pk]))

    assert response.status_code == 200
    assert response.content != stored
    text = text_of(response.content)
    assert f"Downloaded by customer {customer.customer_number}" in text
    assert invoice.number in text
    event = AuditEvent.objects.get(action="invoice.downloaded")
    assert (event.actor, event.data.get("copy")) == (customer.user, "customer")
    for name, document in (
        ("invoices:credit-note-pdf", note),
        ("invoices:statement-pdf", statement),
    ):
        copy = client.get(reverse(name, args=[document.pk]))
        assert customer.customer_number in text_of(copy.content)
    confirmation = client.get(reverse("invoices:confirmation", args=[invoice.order_id]))
    assert confirmation.status_code == 200

    client.force_login(staff_user)
    response = client.get(reverse("invoices:pdf", args=[invoice.pk]))
    assert response.content == stored


def test_a_customer_who_also_works_for_the_merchant_gets_the_stored_file(
    client, billed
):
    invoice, _, _ = billed
    user = UserFactory(username="owner-and-customer")
    MembershipFactory(user=user, merchant=invoice.merchant, role=Membership.Role.STAFF)
    invoice.customer.user = user
    invoice.customer.save(update_fields=["user"])
    stored = pdf.stored_pdf("invoice", Invoice.objects.get(pk=invoice.pk))
    client.force_login(user)

    assert client.get(reverse("invoices:pdf", args=[invoice.pk])).content == stored
