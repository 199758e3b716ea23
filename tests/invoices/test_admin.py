from decimal import Decimal

import pytest
from django.urls import reverse

from invoices.models import CreditNote, Invoice, Payment, Statement
from invoices.services import credit_note_issue, invoice_issue_for_order, payment_record
from invoices.services.statements import statement_generate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DOCUMENTS = ["invoice", "creditnote", "payment", "statement"]


@pytest.fixture
def root(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def documents(order, staff_user):
    invoice = invoice_issue_for_order(order=order, actor=staff_user)
    note = credit_note_issue(
        invoice=invoice, actor=staff_user, reason="Late", amount=Decimal("5.00")
    )
    payment = payment_record(
        merchant=invoice.merchant,
        invoice=invoice,
        amount=Decimal("10.00"),
        currency="EUR",
        method="cash",
        reference="TILL-9",
    )
    statement = statement_generate(
        customer=invoice.customer,
        currency="EUR",
        start=invoice.issue_date,
        end=invoice.issue_date,
    )
    return {
        "invoice": invoice,
        "creditnote": note,
        "payment": payment,
        "statement": statement,
    }


def test_the_billing_pages_load_with_search_and_filters(root, documents, profile):
    for name in [*DOCUMENTS, "billingprofile"]:
        url = reverse(f"admin:invoices_{name}_changelist")
        assert root.get(url).status_code == 200, name
        assert root.get(url, {"q": "x"}).status_code == 200, name


def test_documents_are_shown_with_their_lines_and_never_changed(root, documents):
    invoice = documents["invoice"]
    page = root.get(reverse("admin:invoices_invoice_change", args=[invoice.pk]))
    assert page.status_code == 200
    assert b"Item at 10.00" in page.content
    assert b'name="_save"' not in page.content
    note_page = root.get(
        reverse("admin:invoices_creditnote_change", args=[documents["creditnote"].pk])
    )
    assert b"Credit" in note_page.content

    for name, document in documents.items():
        assert root.get(reverse(f"admin:invoices_{name}_add")).status_code == 403
        change = reverse(f"admin:invoices_{name}_change", args=[document.pk])
        assert root.post(change, {}).status_code == 403, name
        delete = reverse(f"admin:invoices_{name}_delete", args=[document.pk])
        assert root.post(delete, {"post": "yes"}).status_code == 403, name
    assert Invoice.objects.count() == CreditNote.objects.count() == 1
    assert Payment.objects.count() == Statement.objects.count() == 1


def test_the_billing_profile_is_editable_and_shows_the_stripe_webhook_url(
    root, profile
):
    url = reverse("admin:invoices_billingprofile_change", args=[profile.pk])
    page = root.get(url)
    assert str(profile.stripe_webhook_key).encode() in page.content

    data = {
        "merchant": profile.merchant_id,
        "legal_name": "Nordic Goods Holding AB",
        "address": profile.address,
        "vat_number": profile.vat_number,
        "email": "billing@example.com",
        "invoice_prefix": "NG-{year}-",
        "credit_note_prefix": "NGC-{year}-",
        "number_digits": 6,
        "payment_terms_days": 14,
        "default_tax_rate": "25.00",
        "prices_include_tax": "on",
        "payment_instructions": "IBAN SE00",
        "stripe_webhook_secret": "whsec_test",
    }
    response = root.post(url, data)

    assert response.status_code == 302
    profile.refresh_from_db()
    assert (profile.legal_name, profile.payment_terms_days) == (
        "Nordic Goods Holding AB",
        14,
    )
