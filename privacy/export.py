"""Everything we hold about one customer, as they may read it (docs/privacy.md):
the sections of `customer.json`, and the documents and attachments that go in the
zip beside it (`privacy.archive`).

What the customer never sees in the portal stays out here too: internal notes,
order events' notes and actors, who on the staff did what (the staff is "staff").
Redacted messages read as they do everywhere (`Message.shown_*`).
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

from allauth.account.models import EmailAddress
from django.core.exceptions import SuspiciousFileOperation
from django.db.models import Q
from django.utils import timezone
from django.utils.text import get_valid_filename

from invoices import pdf
from invoices.models import CreditNote, Invoice, Payment, Statement
from invoices.selectors import with_balance
from messaging.models import Message
from messaging.notifications import notification_preference
from messaging.selectors import customer_may_see
from messaging.services.preferences import PREFERENCE_FIELDS
from orders.models import Customer, Order
from performile.models import AuditEvent
from privacy.models import PrivacyRequest
from privacy.signals import customer_exporting
from shipments.models import Shipment

FORMAT = "performile-customer-export/1"
ORDER_FIELDS = (
    "order_number",
    "source",
    "external_id",
    "status",
    "service",
    "payment_method",
    "shipping_method",
    "amount",
    "tax_amount",
    "currency",
    "notes",
    "delivery_address",
    "package",
    "tracking_number",
    "courier",
    "tracking_url",
    "tracking_status",
    "estimated_delivery",
    "placed_at",
    "created_at",
    "updated_at",
    "deleted_at",
)


@dataclass(frozen=True)
class ExportFile:
    """A file of the zip: its path there, and how to read its bytes (None when the
    stored file is gone)."""

    path: str
    read: Callable[[], bytes | None]


@dataclass
class ExportContent:
    data: dict
    files: list[ExportFile]


def customer_export_content(customer: Customer) -> ExportContent:
    """The customer's data and files. Reads only; the caller checks who may."""
    files: list[ExportFile] = []
    orders = list(
        Order.objects.filter(customer=customer)
        .select_related("store")
        .prefetch_related("lines", "events")
        .order_by("placed_at", "id")
    )
    data = {
        "format": FORMAT,
        "exported_at": timezone.now(),
        "merchant": customer.merchant.name,
        "customer": _customer(customer),
        "portal_account": _account(customer),
        "notification_preferences": _preferences(customer),
        "orders": [_order(order) for order in orders],
        "messages": _messages(customer, files),
        **_billing(customer, files),
        "privacy_requests": _requests(customer),
        "audit_events": _audit(customer, [order.pk for order in orders]),
    }
    for _receiver, sections in customer_exporting.send(
        sender=Customer, customer=customer
    ):
        data.update(sections)
    data["files"] = [file.path for file in files]
    return ExportContent(data=data, files=files)


def _customer(customer: Customer) -> dict:
    return {
        "customer_number": customer.customer_number,
        "name": customer.name,
        "email": customer.email,
        "phone": customer.phone,
        "discord_user_id": customer.discord_user_id,
        "created_at": customer.created_at,
        "erased_at": customer.erased_at,
    }


def _account(customer: Customer) -> dict | None:
    user = customer.user
    if user is None:
        return None
    return {
        "username": user.get_username(),
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "active": user.is_active,
        "joined_at": user.date_joined,
        "last_sign_in_at": user.last_login,
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user).order_by("id")
        ],
    }


def _preferences(customer: Customer) -> dict:
    preference = notification_preference(customer=customer)
    shown = {name: getattr(preference, name) for name in PREFERENCE_FIELDS}
    shown["chosen"] = preference.pk is not None  # else the defaults apply
    return shown


# --- Orders ------------------------------------------------------------------------


def _order(order: Order) -> dict:
    shown = {name: getattr(order, name) for name in ORDER_FIELDS}
    shown["store"] = order.store.name
    shown["lines"] = [
        {
            "kind": line.kind,
            "sku": line.sku,
            "title": line.title,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "tax_rate": line.tax_rate,
        }
        for line in order.lines.all()
    ]
    # The timeline as the portal tells it: what happened and when, never the
    # merchant's notes or who on the staff did it.
    shown["events"] = [
        {
            "kind": event.kind,
            "from_status": event.from_status,
            "to_status": event.to_status,
            "at": event.created_at,
        }
        for event in order.events.all()
    ]
    shown["shipments"] = _shipments(order)
    return shown


def _shipments(order: Order) -> list[dict]:
    shipments = (
        Shipment.objects.filter(order=order)
        .select_related("account")
        .prefetch_related("events")
        .order_by("id")
    )
    return [
        {
            "courier": shipment.account.name,
            "tracking_number": shipment.tracking_number,
            "status": shipment.status,
            "recipient": shipment.recipient,
            "booked_at": shipment.created_at,
            "estimated_delivery": shipment.estimated_delivery,
            "delivered_at": shipment.delivered_at,
            "tracking": [
                {
                    "status": event.status,
                    "description": event.description,
                    "location": event.location,
                    "at": event.occurred_at,
                }
                for event in shipment.events.all()
            ],
        }
        for shipment in shipments
    ]


# --- Messages ---------------------------------------------------------------------


def _messages(customer: Customer, files: list[ExportFile]) -> list[dict]:
    """Their conversations as the portal shows them (never internal notes), and
    what they wrote about no order."""
    messages = (
        Message.objects.filter(
            (Q(thread__order__customer=customer) & customer_may_see(customer))
            | Q(author_customer=customer, visibility=Message.Visibility.PUBLIC)
        )
        .select_related("thread__order", "thread__store", "redaction")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )
    return [_message(message, customer, files) for message in messages]


def _message(message: Message, customer: Customer, files) -> dict:
    order = message.thread.order if message.thread_id else None
    if message.direction == Message.Direction.SYSTEM:
        author = "system"
    elif message.author_customer_id == customer.pk:
        author = "you"
    else:
        author = message.thread.store.name if message.thread_id else "staff"
    return {
        "order_number": order.order_number if order else None,
        "channel": message.channel,
        "direction": message.direction,
        "from": author,
        "sender": message.shown_sender,
        "recipient": message.shown_recipient,
        "subject": message.shown_subject,
        "body": message.shown_body,
        "redacted": message.is_redacted,
        "at": message.created_at,
        "attachments": [
            _attachment(message, attachment, files)
            for attachment in message.shown_attachments
        ],
    }


def _attachment(message: Message, attachment, files: list[ExportFile]) -> dict:
    name = safe_name(attachment.filename) or "attachment"
    path = f"attachments/{message.pk}/{attachment.pk}-{name}"
    files.append(ExportFile(path, _stored(attachment.file)))
    return {
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "file": path,
    }


# --- Billing ------------------------------------------------------------------------


def _billing(customer: Customer, files: list[ExportFile]) -> dict:
    """Invoices, credit notes and statements with their PDFs (the customer's copy,
    as the portal serves it), and payments. Issued documents are kept unchanged
    after an erasure (bookkeeping law); they are listed here either way."""
    invoices = with_balance(
        Invoice.objects.filter(customer=customer).select_related("order")
    ).prefetch_related("lines")
    notes = CreditNote.objects.filter(customer=customer).select_related("invoice")
    payments = Payment.objects.filter(customer=customer).select_related(
        "invoice", "order"
    )
    statements = Statement.objects.filter(customer=customer).select_related("customer")
    return {
        "invoices": [
            _invoice(invoice, customer, files)
            for invoice in invoices.order_by("issue_date", "id")
        ],
        "credit_notes": [
            _credit_note(note, customer, files)
            for note in notes.order_by("issue_date", "id")
        ],
        "payments": [_payment(payment) for payment in payments],
        "statements": [
            _statement(statement, customer, files)
            for statement in statements.order_by("period_start", "id")
        ],
    }


def _invoice(invoice: Invoice, customer: Customer, files) -> dict:
    return {
        "number": invoice.number,
        "order_number": invoice.order_reference,
        "state": invoice.state,
        "payment_status": invoice.payment_status,
        "issue_date": invoice.issue_date,
        "due_date": invoice.due_date,
        "currency": invoice.currency,
        "subtotal": invoice.subtotal,
        "tax_total": invoice.tax_total,
        "total": invoice.total,
        "paid": invoice.paid,
        "credited": invoice.credited,
        "outstanding": invoice.outstanding,
        "buyer": invoice.buyer,
        "lines": [
            {
                "description": line.description,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "tax_rate": line.tax_rate,
                "total": line.total,
            }
            for line in invoice.lines.all()
        ],
        "document": _document("invoice", invoice, customer, files),
    }


def _credit_note(note: CreditNote, customer: Customer, files) -> dict:
    return {
        "number": note.number,
        "invoice_number": note.invoice.number,
        "reason": note.reason,
        "issue_date": note.issue_date,
        "currency": note.currency,
        "total": note.total,
        "buyer": note.buyer,
        "document": _document("credit_note", note, customer, files),
    }


def _payment(payment: Payment) -> dict:
    return {
        "received_at": payment.received_at,
        "amount": payment.amount,
        "currency": payment.currency,
        "method": payment.method,
        "reference": payment.reference,
        "invoice_number": payment.invoice.number if payment.invoice_id else None,
        "order_number": payment.order.order_number if payment.order_id else None,
    }


def _statement(statement: Statement, customer: Customer, files) -> dict:
    return {
        "period_start": statement.period_start,
        "period_end": statement.period_end,
        "currency": statement.currency,
        "opening_balance": statement.opening_balance,
        "closing_balance": statement.closing_balance,
        "generated_at": statement.generated_at,
        "document": _document("statement", statement, customer, files),
    }


DOCUMENT_FOLDERS = {
    "invoice": "invoices",
    "credit_note": "credit-notes",
    "statement": "statements",
}


def _document(kind: str, document, customer: Customer, files) -> str:
    path = (
        f"documents/{DOCUMENT_FOLDERS[kind]}/{safe_name(pdf.filename(kind, document))}"
    )

    def read() -> bytes:
        content = pdf.stored_pdf(kind, document)
        return pdf.watermark(content, pdf.customer_watermark(customer.customer_number))

    files.append(ExportFile(path, read))
    return path


# --- Requests and the audit trail ---------------------------------------------------


def _requests(customer: Customer) -> list[dict]:
    return [
        {
            "kind": request.kind,
            "status": request.status,
            "requested_at": request.requested_at,
            "closed_at": request.closed_at,
            "outcome": request.outcome,
        }
        for request in PrivacyRequest.objects.filter(customer=customer).order_by(
            "requested_at", "id"
        )
    ]


def _audit(customer: Customer, order_ids: list[int]) -> list[dict]:
    """What was recorded about them: on their customer record, by their portal
    account, and on their orders (by whom on the staff is not theirs to know)."""
    about = Q(object_type="orders.customer", object_id=str(customer.pk))
    if customer.user_id:
        about |= Q(actor_id=customer.user_id)
    if order_ids:
        about |= Q(order_id__in=order_ids)
    events = AuditEvent.objects.filter(about).order_by("created_at", "id")
    return [
        {
            "action": event.action,
            "at": event.created_at,
            "by": _who(event, customer),
            "data": event.data,
        }
        for event in events.iterator(chunk_size=2000)
    ]


def _who(event: AuditEvent, customer: Customer) -> str:
    if event.actor_id and event.actor_id == customer.user_id:
        return "you"
    if event.actor_id:
        return "staff"
    return event.actor_label or "system"


# --- Files --------------------------------------------------------------------------


def safe_name(name: str) -> str:
    """A file name that stays a name inside the zip (no folders, no "..")."""
    try:
        return get_valid_filename(PurePosixPath(name.replace("\\", "/")).name)[:150]
    except SuspiciousFileOperation:  # nothing usable left of it
        return "file"


def _stored(field) -> Callable[[], bytes | None]:
    def read() -> bytes | None:
        if not field:
            return None
        try:
            with field.open("rb") as handle:
                return handle.read()
        except FileNotFoundError:
            return None

    return read
