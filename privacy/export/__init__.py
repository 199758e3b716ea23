"""Everything we hold about one customer, as they may read it (docs/privacy.md):
the sections of `customer.json`, and the documents and attachments that go in the
zip beside it (`privacy.archive`).

What the customer never sees in the portal stays out here too: internal notes,
order events' notes and actors, who on the staff did what (the staff is "staff").
Redacted messages read as they do everywhere (`Message.shown_*`).
"""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db.models import Q
from django.utils import timezone

from messaging.models import SatisfactionSurvey
from messaging.notifications import notification_preference
from messaging.services.preferences import PREFERENCE_FIELDS
from orders.models import Customer, Order
from orders.selectors import visible_orders
from performile.models import AuditEvent
from privacy.export.billing import billing_sections
from privacy.export.files import ExportFile
from privacy.export.messages import messages_section
from privacy.export.orders import orders_section
from privacy.models import PrivacyRequest
from privacy.signals import customer_exporting

__all__ = ["ExportContent", "ExportFile", "customer_export_content"]

FORMAT = "performile-customer-export/1"


@dataclass
class ExportContent:
    data: dict
    files: list[ExportFile]


def customer_export_content(customer: Customer, *, viewer) -> ExportContent:
    """The customer's data and files. Reads only; the caller checks who may. The
    orders, messages and billing records start from what `viewer` (the customer,
    or the merchant's staff) may see: for them that is all of the customer's,
    soft-deleted orders included."""
    files: list[ExportFile] = []
    orders = list(
        visible_orders(viewer, include_deleted=True)
        .filter(customer=customer)
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
        "orders": orders_section(orders),
        "messages": messages_section(customer, viewer, orders, files),
        "satisfaction_ratings": _ratings(orders),
        **billing_sections(customer, viewer, files),
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


def _ratings(orders: list[Order]) -> list[dict]:
    """Their answers to "How did we do?" about these orders (docs/csat.md)."""
    surveys = SatisfactionSurvey.objects.filter(
        order__in=orders, rating__isnull=False
    ).select_related("order")
    return [
        {
            "order": survey.order.order_number,
            "asked_at": survey.sent_at,
            "rating": survey.rating,
            "comment": survey.comment,
            "answered_at": survey.answered_at,
        }
        for survey in surveys.order_by("sent_at", "pk")
    ]


def _preferences(customer: Customer) -> dict:
    preference = notification_preference(customer=customer)
    shown = {name: getattr(preference, name) for name in PREFERENCE_FIELDS}
    shown["chosen"] = preference.pk is not None  # else the defaults apply
    return shown


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
    account, and on their orders. Who on the staff is not theirs to know: a
    staff member's event is listed without its data, which can name them (the
    Discord account a command came from, a reason they typed)."""
    about = Q(object_type="orders.customer", object_id=str(customer.pk))
    if customer.user_id:
        about |= Q(actor_id=customer.user_id)
    if order_ids:
        about |= Q(order_id__in=order_ids)
    events = AuditEvent.objects.filter(about).order_by("created_at", "id")
    shown = []
    for event in events.iterator(chunk_size=2000):
        by = _who(event, customer)
        shown.append(
            {
                "action": event.action,
                "at": event.created_at,
                "by": by,
                "data": {} if by == "staff" else event.data,
            }
        )
    return shown


def _who(event: AuditEvent, customer: Customer) -> str:
    if event.actor_id and event.actor_id == customer.user_id:
        return "you"
    if event.actor_id:
        return "staff"
    return event.actor_label or "system"
