"""Every write of personal-data work: a customer's export (audited; the customer's
own is recorded as a request done), their erasure request, its decline by the
staff; the erasure itself is `privacy.erasure.customer_erase`."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from orders.models import Customer
from orders.selectors import merchant_is_managed_by
from performile.audit import audit
from performile.errors import ApplicationError, NotAllowed
from privacy.archive import Archive, archive_write
from privacy.erasure import Erasure, customer_erase
from privacy.export import customer_export_content
from privacy.models import PrivacyRequest
from privacy.selectors import privacy_may_export

__all__ = [
    "Erasure",
    "Export",
    "customer_erase",
    "customer_export",
    "privacy_request_decline",
    "privacy_request_erasure",
]

Kind, Status = PrivacyRequest.Kind, PrivacyRequest.Status


@dataclass
class Export:
    filename: str
    archive: Archive


def customer_export(*, customer: Customer, actor) -> Export:
    """The customer's zip (docs/privacy.md), for the merchant's staff and admins
    or the customer themselves; audited as `customer.exported`."""
    if not privacy_may_export(actor, customer):
        raise NotAllowed("Only the customer and the merchant's staff export it.")
    by_customer = customer.user_id == actor.pk
    # Read and zipped outside a transaction: it needs none (each read sees what
    # is committed), and one held open while the zip is written (seconds, with
    # a missing PDF rendered and stored) would hold the change feed back.
    content = customer_export_content(customer, viewer=actor)
    archive = archive_write(content)
    with transaction.atomic():
        if by_customer:
            now = timezone.now()
            PrivacyRequest.objects.create(
                merchant_id=customer.merchant_id,
                customer=customer,
                kind=Kind.EXPORT,
                status=Status.DONE,
                requested_at=now,
                requested_by=actor,
                closed_at=now,
                closed_by=actor,
                outcome="Downloaded from the portal.",
            )
        audit(
            "customer.exported",
            actor=actor,
            target=customer,
            merchant_id=customer.merchant_id,
            by="customer" if by_customer else "staff",
            orders=len(content.data["orders"]),
            messages=len(content.data["messages"]),
            files=archive.documents,
            missing_files=len(archive.missing),
            bytes=archive.size,
        )
    day = timezone.localdate()
    filename = f"personal-data-{customer.customer_number}-{day:%Y-%m-%d}.zip"
    return Export(filename=filename, archive=archive)


def privacy_request_erasure(*, customer: Customer, actor) -> PrivacyRequest:
    """The customer asks for their erasure; the merchant's staff carry it out (or
    decline it). Asking again while one is open is the same request."""
    if customer.user_id != actor.pk and not merchant_is_managed_by(
        actor, customer.merchant_id
    ):
        raise NotAllowed("Only the customer asks for their erasure.")
    if customer.is_erased:
        raise ApplicationError("This customer's personal data is already erased.")
    found = privacy_request_open(customer, Kind.ERASURE)
    if found is not None:
        return found
    try:
        with transaction.atomic():
            request = PrivacyRequest.objects.create(
                merchant_id=customer.merchant_id,
                customer=customer,
                kind=Kind.ERASURE,
                requested_by=actor,
            )
            audit(
                "privacy.erasure_requested",
                actor=actor,
                target=customer,
                merchant_id=customer.merchant_id,
                request_id=request.pk,
            )
    except IntegrityError:  # asked twice at once: the other one is it
        return privacy_request_open(customer, Kind.ERASURE)
    return request


def privacy_request_open(customer: Customer, kind: str) -> PrivacyRequest | None:
    return PrivacyRequest.objects.filter(
        customer=customer, kind=kind, status=Status.OPEN
    ).first()


def privacy_request_decline(
    *, request: PrivacyRequest, actor, reason: str
) -> PrivacyRequest:
    """The staff decline an open request, saying why (a legal hold, an unpaid
    invoice in dispute...)."""
    if not merchant_is_managed_by(actor, request.merchant_id):
        raise NotAllowed("Only the merchant's staff and admins decide requests.")
    reason = (reason or "").strip()
    if not reason:
        text = "Say why the request is declined."
        raise ApplicationError(text, fields={"reason": [text]})
    with transaction.atomic():
        closed = PrivacyRequest.objects.filter(
            pk=request.pk, status=Status.OPEN
        ).update(
            status=Status.DECLINED,
            closed_at=timezone.now(),
            closed_by=actor,
            outcome=reason[:300],
        )
        if not closed:
            raise ApplicationError("This request is no longer open.")
        audit(
            "privacy.request_declined",
            actor=actor,
            target=request.customer,
            merchant_id=request.merchant_id,
            request_id=request.pk,
            kind=request.kind,
        )
    request.refresh_from_db()
    return request
