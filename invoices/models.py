"""Invoices, credit notes, payments and statements.

An issued invoice or credit note is immutable, in the database itself (migration
0002): its lines, totals and PDF never change, and no line is added to it after the
transaction that issued it (0006: the `issued_xact` column, kept by the database
alone). The only later changes are voiding an unpaid invoice and storing the PDF
once. Corrections are credit notes.

Payment status is never stored: `invoices.selectors` derives Paid / Pending /
Overdue and the outstanding amount from the total, what has been paid and credited,
and today's date. What has been paid and credited (`paid_amount`, `credited_amount`)
is kept on the invoice by the database alone (migration 0007): every payment and
credit note adds to it as it is written, whichever code writes it, and nothing else
may change it. Payments and credit notes are never changed or deleted, so the sums
only grow.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from orders.models import Customer, Merchant, Order, Store

ZERO = Decimal("0.00")


def money_field(**kwargs):
    return models.DecimalField(max_digits=14, decimal_places=2, **kwargs)


class BillingProfile(models.Model):
    """How a merchant invoices: its legal details, numbering, terms and taxes."""

    merchant = models.OneToOneField(
        Merchant, on_delete=models.CASCADE, related_name="billing_profile"
    )
    legal_name = models.CharField(max_length=200, blank=True)
    address = models.TextField(blank=True, help_text="As printed on invoices.")
    vat_number = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True, help_text="Billing questions go here.")
    invoice_prefix = models.CharField(
        max_length=30,
        default="INV-{year}-",
        help_text="{year} becomes the year of issue; numbering restarts at 1 for"
        " every distinct prefix.",
    )
    credit_note_prefix = models.CharField(max_length=30, default="CN-{year}-")
    number_digits = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    payment_terms_days = models.PositiveSmallIntegerField(
        default=30, help_text="Days from issue to due date."
    )
    default_tax_rate = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("25.00"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Percent, applied to order lines.",
    )
    prices_include_tax = models.BooleanField(
        default=True, help_text="Order prices are gross (tax included)."
    )
    payment_instructions = models.TextField(
        blank=True, help_text="Printed under the totals: bank account, reference."
    )
    stripe_webhook_key = models.UUIDField(
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text="Public part of this merchant's Stripe webhook URL.",
    )
    stripe_webhook_secret = models.CharField(
        max_length=255,
        blank=True,
        help_text="The endpoint's signing secret (whsec_...).",
    )

    def __str__(self):
        return f"Billing profile of {self.merchant}"

    @property
    def seller_name(self) -> str:
        return self.legal_name or self.merchant.name


class NumberSequence(models.Model):
    """The last number taken in one series (merchant, kind, prefix).

    `invoices.numbering.next_number` increments it in the issuing transaction, so
    the row stays locked until commit and a rolled-back issue gives its number back.
    """

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16)
    prefix = models.CharField(max_length=40)
    last_number = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "kind", "prefix"], name="number_sequence_unique"
            )
        ]

    def __str__(self):
        return f"{self.prefix}{self.last_number} ({self.kind})"


class BillingDocument(models.Model):
    """What an invoice and a credit note share: number, parties, totals, PDF."""

    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="+")
    store = models.ForeignKey(
        Store, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(max_length=60)
    sequence = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3)
    issue_date = models.DateField()
    subtotal = money_field()
    tax_total = money_field()
    total = money_field()
    seller = models.JSONField(default=dict, help_text="The merchant, as printed.")
    buyer = models.JSONField(default=dict, help_text="The customer, as printed.")
    order_reference = models.CharField(max_length=64, blank=True)
    notes = models.TextField(blank=True)
    pdf = models.FileField(upload_to="invoices/%Y/%m/", blank=True, max_length=200)
    issued_at = models.DateTimeField(default=now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        abstract = True

    def __str__(self):
        return self.number


class DocumentLine(models.Model):
    position = models.PositiveSmallIntegerField()
    sku = models.CharField(max_length=100, blank=True)
    description = models.CharField(max_length=300)
    quantity = models.DecimalField(max_digits=12, decimal_places=3)
    unit_price = money_field(help_text="Net, before tax.")
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2)
    net_amount = money_field()
    tax_amount = money_field()
    total = money_field()

    class Meta:
        abstract = True
        ordering = ["position"]

    def __str__(self):
        return f"{self.quantity} × {self.description}"


# An issued invoice that payments and credit notes do not cover yet: the one rule
# for "still owed" (the Orders view's payment filter and unpaid reason, the
# dashboard's overdue invoices) and the condition of invoice_unsettled_idx, which
# PostgreSQL uses only for a query that states the same condition.
OWED = Q(state="issued") & Q(total__gt=F("paid_amount") + F("credited_amount"))


class Invoice(BillingDocument):
    class State(models.TextChoices):
        ISSUED = "issued", "Issued"
        VOID = "void", "Void"

    OWED = OWED  # for callers that look the model up by name (orders.table)

    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.PROTECT, related_name="invoices"
    )
    state = models.CharField(max_length=8, choices=State.choices, default=State.ISSUED)
    due_date = models.DateField()
    payment_instructions = models.TextField(blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    void_reason = models.CharField(max_length=300, blank=True)
    # Kept by the database (migration 0007); never written from here.
    paid_amount = money_field(default=ZERO, db_default=ZERO, editable=False)
    credited_amount = money_field(default=ZERO, db_default=ZERO, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "number"], name="invoice_number_unique"
            ),
            # An order is never invoiced twice (a void invoice may be reissued).
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(state="issued"),
                name="invoice_one_per_order",
            ),
        ]
        indexes = [
            models.Index(
                fields=["merchant", "-issue_date", "-id"], name="invoice_list_idx"
            ),
            models.Index(
                fields=["customer", "issue_date"], name="invoice_customer_idx"
            ),
            models.Index(fields=["merchant", "due_date"], name="invoice_due_idx"),
            # What is still owed: the overdue counts, the Orders view's unpaid
            # reason (a small share of all invoices).
            models.Index(
                fields=["merchant", "due_date"],
                condition=OWED,
                name="invoice_unsettled_idx",
            ),
            # The render sweep and /healthz: documents whose PDF is still missing.
            models.Index(
                fields=["issued_at"], condition=Q(pdf=""), name="invoice_no_pdf_idx"
            ),
        ]

    @property
    def is_void(self) -> bool:
        return self.state == self.State.VOID


class InvoiceLine(DocumentLine):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")

    class Meta(DocumentLine.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "position"], name="invoice_line_position_unique"
            )
        ]


class CreditNote(BillingDocument):
    """A correction of an issued invoice: its amounts reduce what is owed."""

    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="credit_notes"
    )
    reason = models.CharField(max_length=300)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "number"], name="credit_note_number_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["customer", "issue_date"], name="creditnote_customer_idx"
            ),
            models.Index(
                fields=["issued_at"], condition=Q(pdf=""), name="creditnote_no_pdf_idx"
            ),
        ]


class CreditNoteLine(DocumentLine):
    credit_note = models.ForeignKey(
        CreditNote, on_delete=models.PROTECT, related_name="lines"
    )
    invoice_line = models.ForeignKey(
        InvoiceLine,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credited_by",
        help_text="The invoice line it corrects; empty for an amount credited.",
    )

    class Meta(DocumentLine.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["credit_note", "position"], name="credit_line_position_unique"
            )
        ]


class Payment(models.Model):
    """Money received (positive) or refunded (negative). Recorded by staff or by a
    payment provider's webhook; never changed afterwards (a mistake is reversed by
    an entry of the opposite sign)."""

    class Method(models.TextChoices):
        STRIPE = "stripe", "Stripe"
        BANK_TRANSFER = "bank_transfer", _("Bank transfer")
        CARD = "card", _("Card")
        CASH = "cash", _("Cash")
        PAYPAL = "paypal", "PayPal"
        WEBSHOP = "webshop", "Webshop"
        OTHER = "other", _("Other")

    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    invoice = models.ForeignKey(
        Invoice,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
    )
    amount = money_field(help_text="Negative for a refund.")
    currency = models.CharField(max_length=3)
    method = models.CharField(max_length=20, choices=Method.choices)
    reference = models.CharField(
        max_length=200, blank=True, help_text="Bank reference, Stripe payment id, ..."
    )
    provider_id = models.CharField(
        max_length=200,
        blank=True,
        help_text="The provider's id for this payment or refund (idempotency).",
    )
    received_at = models.DateTimeField(default=now)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["received_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "method", "provider_id"],
                condition=~Q(provider_id=""),
                name="payment_provider_unique",
            )
        ]
        indexes = [
            models.Index(
                fields=["customer", "received_at"], name="payment_customer_idx"
            ),
            models.Index(fields=["merchant", "-received_at"], name="payment_list_idx"),
        ]

    def __str__(self):
        kind = "Refund" if self.amount < 0 else "Payment"
        return f"{kind} {self.amount} {self.currency}"

    @property
    def is_refund(self) -> bool:
        return self.amount < 0


class Statement(models.Model):
    """A customer's account for a period in one currency, as it stood when it was
    generated: the entries are kept as they were printed."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="statements"
    )
    currency = models.CharField(max_length=3)
    period_start = models.DateField()
    period_end = models.DateField()
    opening_balance = money_field()
    closing_balance = money_field()
    entries = models.JSONField(default=list)
    pdf = models.FileField(upload_to="statements/%Y/%m/", blank=True, max_length=200)
    generated_at = models.DateTimeField(default=now)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    monthly = models.BooleanField(
        default=False, help_text="Made by the monthly run (one per customer and month)."
    )

    class Meta:
        ordering = ["-period_end", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "currency", "period_start", "period_end"],
                condition=Q(monthly=True),
                name="statement_monthly_unique",
            )
        ]
        indexes = [
            models.Index(
                fields=["customer", "-period_end"], name="statement_customer_idx"
            )
        ]

    def __str__(self):
        return f"Statement {self.customer} {self.period_start}–{self.period_end}"


class InvoiceReminder(models.Model):
    """A reminder sent about an invoice, at most one of each kind."""

    class Kind(models.TextChoices):
        OVERDUE = "overdue", "Overdue"

    invoice = models.ForeignKey(
        Invoice, on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    sent_at = models.DateTimeField(default=now)
    outbox_message_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["invoice", "kind"], name="reminder_unique")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} reminder for {self.invoice}"
