"""Demo billing: each demo merchant's billing profile, and an invoice history that
looks lived in.

Every confirmed demo order gets its invoice, dated when the order was placed (the
order demo runs inside `outbox.recording_history()`, where the automatic invoicing
of `invoices.receivers` leaves the dating to this module). Orders paid at checkout
are paid at once; orders on account (paid on invoice, quotes, and the customers who
use the portal) are paid by bank transfer or Stripe some days later, or are still
pending, or overdue; one is paid in part, one paid too much. Two credit notes, one
voided invoice, and last month's statements. All through `invoices.services`, each
step at the time it "happened": the invoices and their payments in bulk
(`invoices_issue_for_orders`, `payments_record_on_invoices`), the rest with the
clock moved (demo.orders.story.clock). No PDF is rendered: each renders on its
first download.
"""

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import ROUND_UP, Decimal

from django.db import transaction
from django.utils import timezone

from demo.orders.story import clock
from invoices.models import Invoice, Payment
from invoices.receivers import CONFIRMED
from invoices.services import (
    billing_profile,
    credit_note_issue,
    invoice_void,
    payment_record,
)
from invoices.services.issuing import InvoiceIssue, invoices_issue_for_orders
from invoices.services.payments import InvoicePayment, payments_record_on_invoices
from orders.models import Membership, Merchant, Order, Source
from orders.state_machine import OrderStatus

Method = Payment.Method

PROFILES = {
    "nordic-goods": {
        "legal_name": "Nordic Goods AB",
        "address": "Lagervägen 12\n171 54 Solna\nSweden",
        "vat_number": "SE556677889901",
        "email": "billing@nordic.example",
        "payment_instructions": (
            "Bankgiro 5839-8257 · IBAN SE45 5000 0000 0583 9825 7466 · BIC ESSESESS"
        ),
    },
    "pixel-forge": {
        "legal_name": "Pixel Forge Studio ApS",
        "address": "Vesterbrogade 10\n1620 København V\nDenmark",
        "vat_number": "DK31415926",
        "email": "accounts@pixelforge.example",
        "payment_instructions": (
            "Bank transfer: IBAN DK50 0040 0440 1162 43 · BIC NDEADKKK"
        ),
    },
}
# How the webshop or desk was paid at checkout -> (method, reference label).
CHECKOUT = {
    "stripe": (Method.STRIPE, "Stripe"),
    "paypal": (Method.PAYPAL, "PayPal"),
    "shopify_payments": (Method.CARD, "Shopify Payments"),
    "klarna": (Method.OTHER, "Klarna"),
    "swish": (Method.OTHER, "Swish"),
    "vipps": (Method.OTHER, "Vipps"),
}


@dataclass
class Issued:
    invoice: Invoice
    order: Order
    at: datetime  # when it was issued


def demo_invoices_create(*, seed: int = 2026) -> dict:
    """Write the demo's billing; returns how many of each thing it wrote."""
    rng = random.Random(seed)
    now = timezone.now()
    counts = {"invoices": 0, "payments": 0, "credit_notes": 0, "voided": 0}
    with transaction.atomic():
        for merchant in Merchant.objects.filter(slug__in=PROFILES):
            _profile(merchant)
        issued = _issue(now, rng)
        counts["invoices"] = len(issued)
        if issued:
            counts.update(_settle(issued, now, rng))
    counts["statements"] = _statements(now) if issued else 0
    return counts


def _profile(merchant: Merchant) -> None:
    profile = billing_profile(merchant)
    if profile.legal_name:
        return  # set up already (by the demo or by a person): leave it
    for field, value in PROFILES[merchant.slug].items():
        setattr(profile, field, value)
    profile.payment_terms_days = 30
    profile.default_tax_rate = Decimal("25.00")
    profile.prices_include_tax = True
    profile.stripe_webhook_secret = ""
    profile.save()


def _issue(now: datetime, rng: random.Random) -> list[Issued]:
    orders = (
        Order.objects.filter(status__in=CONFIRMED, deleted_at=None)
        .exclude(customer=None)
        .exclude(invoices__isnull=False)
        .select_related("merchant", "customer", "store")
        .order_by("placed_at", "pk")
    )
    issues = []
    for order in orders:
        at = min(
            order.placed_at + timedelta(minutes=rng.randint(3, 90)),
            now - timedelta(minutes=5),
        )
        day = timezone.localtime(at, order.merchant.zone).date()
        issues.append(InvoiceIssue(order=order, issue_date=day, issued_at=at))
    invoices = invoices_issue_for_orders(issues=issues, actor_label="Invoicing")
    return [
        Issued(invoice, issue.order, issue.issued_at)
        for invoice, issue in zip(invoices, issues, strict=True)
    ]


def _on_account(order: Order) -> bool:
    """Paid on the invoice's terms rather than at checkout."""
    return (
        order.payment_method not in CHECKOUT
        or order.source == Source.MANUAL
        or order.customer.user_id is not None
    )


def _settle(issued: list[Issued], now: datetime, rng: random.Random) -> dict:
    counts = {"payments": 0, "credit_notes": 0, "voided": 0}
    account = [i for i in issued if _on_account(i.order)]
    checkout = [i for i in issued if not _on_account(i.order)]
    today = timezone.localdate(now)
    past_due = [i for i in account if i.invoice.due_date < today]
    not_due = [i for i in account if i.invoice.due_date >= today]

    payments = []
    for item in checkout:
        method, label = CHECKOUT[item.order.payment_method]
        payments.append(_pay(item, item.invoice.total, item.at, method, label, rng))

    # Past due: most paid within the terms, every third left overdue, one paid in
    # part (the rest overdue).
    partial_done = False
    for index, item in enumerate(past_due):
        if index % 3 == 1:
            continue  # overdue
        days = rng.randint(6, 29)
        if not partial_done and index % 3 == 2:
            partial_done = True
            amount = (item.invoice.total / 2).quantize(Decimal("1"))
            payments.append(_pay_account(item, amount, days, now, rng))
            continue
        payments.append(_pay_account(item, item.invoice.total, days, now, rng))

    # Not due yet: the early payers (one pays a rounded-up amount: overpaid),
    # the rest pending; the newest pending one is voided.
    overpaid_done = False
    pending = []
    for index, item in enumerate(not_due):
        if index % 2 == 0:
            pending.append(item)
            continue
        amount = item.invoice.total
        if not overpaid_done:
            overpaid_done = True
            amount = (amount / 100).quantize(Decimal("1"), rounding=ROUND_UP) * 100
            if amount == item.invoice.total:
                amount += 100
        payments.append(_pay_account(item, amount, rng.randint(2, 9), now, rng))
    payments_record_on_invoices(payments=payments)
    counts["payments"] = len(payments)

    to_void = pending[-1] if len(pending) > 1 else None
    if to_void is not None:
        _void(to_void, now)
        counts["voided"] += 1
    goodwill = next((i for i in reversed(pending) if i is not to_void), None)
    if goodwill is not None:
        counts["credit_notes"] += _goodwill_credit(goodwill, now)
    returned = _returned_candidate(checkout)
    if returned is not None:
        counts["credit_notes"] += _return_credit(returned, now, rng)
        counts["payments"] += 1
    return counts


def _pay_account(item: Issued, amount, days: int, now, rng) -> InvoicePayment:
    at = item.at + timedelta(days=days, hours=rng.randint(1, 8))
    if at >= now:
        at = now - timedelta(minutes=rng.randint(10, 300))
    if item.order.merchant.slug == "pixel-forge" and rng.random() < 0.7:
        return _pay(item, amount, at, Method.STRIPE, "Stripe", rng)
    return _pay(item, amount, at, Method.BANK_TRANSFER, "", rng)


def _pay(item: Issued, amount, at: datetime, method, label: str, rng):
    """The payment, recorded a few minutes after it was received (with the
    others, in bulk)."""
    invoice = item.invoice
    if method == Method.STRIPE:
        reference = f"pi_3Q{rng.getrandbits(64):016x}"
    elif method == Method.BANK_TRANSFER:
        reference = f"{invoice.number} · {invoice.buyer.get('name', '')}"[:200]
    else:
        reference = f"{label} {rng.randrange(10**9, 10**10)}"
    received = max(at, item.at + timedelta(minutes=1))
    return InvoicePayment(
        invoice=invoice,
        amount=amount,
        method=method,
        received_at=received,
        recorded_at=received + timedelta(minutes=rng.randint(1, 20)),
        reference=reference,
        provider_id=reference if method == Method.STRIPE else "",
        actor=None if method != Method.BANK_TRANSFER else _staff(invoice, rng),
        actor_label=label,
    )


def _void(item: Issued, now: datetime) -> None:
    at = min(item.at + timedelta(hours=3), now - timedelta(minutes=3))
    with clock(at):
        invoice_void(
            invoice=item.invoice,
            actor=_admin(item.invoice),
            reason="Customer asked for the invoice to be addressed to their head"
            " office; a corrected invoice follows.",
        )


def _goodwill_credit(item: Issued, now: datetime) -> int:
    at = min(item.at + timedelta(days=1, hours=2), now - timedelta(minutes=2))
    amount = (item.invoice.total / 10).quantize(Decimal("0.01"))
    if amount <= 0:
        return 0
    with clock(at):
        credit_note_issue(
            invoice=item.invoice,
            actor=_admin(item.invoice),
            reason="Delivered three days late",
            amount=amount,
            description="Goodwill discount, 10%",
        )
    return 1


def _returned_candidate(checkout: list[Issued]) -> Issued | None:
    """A delivered, paid order with an item to send back."""
    for item in checkout:
        if item.order.status in (OrderStatus.DELIVERED, OrderStatus.COMPLETE) and (
            item.invoice.lines.filter(quantity__gte=1).exclude(sku="").exists()
        ):
            return item
    return None


def _return_credit(item: Issued, now: datetime, rng) -> int:
    line = item.invoice.lines.exclude(sku="").order_by("-quantity", "position")[0]
    at = min(item.at + timedelta(days=9, hours=3), now - timedelta(minutes=1))
    with clock(at):
        note = credit_note_issue(
            invoice=item.invoice,
            actor=_admin(item.invoice),
            reason="Returned: arrived damaged",
            lines=[{"line": line.pk, "quantity": 1}],
        )
    method, label = CHECKOUT[item.order.payment_method]
    with clock(at + timedelta(minutes=rng.randint(5, 40))):
        payment_record(
            merchant=item.invoice.merchant,
            invoice=item.invoice,
            amount=-note.total,
            currency=note.currency,
            method=method,
            reference=f"Refund for {note.number}",
            actor=_admin(item.invoice),
        )
    return 1


def _statements(now: datetime) -> int:
    """Last month's statements, as the monthly run on the 1st made them."""
    try:
        from invoices.services.statements import statements_generate_monthly
    except ImportError:  # pragma: no cover - the statements service is not there
        return 0
    first = timezone.localdate(now).replace(day=1)
    month = (first - timedelta(days=1)).replace(day=1)
    at = timezone.make_aware(datetime.combine(first, time(5, 0)))
    with clock(min(at, now)):
        return statements_generate_monthly(month=month)


def _admin(invoice: Invoice):
    return _member(invoice, [Membership.Role.ADMIN])


def _staff(invoice: Invoice, rng: random.Random):
    return _member(invoice, [Membership.Role.STAFF, Membership.Role.ADMIN], rng)


def _member(invoice: Invoice, roles, rng: random.Random | None = None):
    members = list(
        Membership.objects.filter(merchant_id=invoice.merchant_id, role__in=roles)
        .select_related("user")
        .order_by("pk")
    )
    if not members:
        return None
    return (rng.choice(members) if rng else members[0]).user
