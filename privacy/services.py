"""Every write of personal-data work: a customer's export (audited; the customer's
own is recorded as a request done), their erasure (what it does to each record is
`privacy.erasure`), their erasure request and its decline by the staff. A
request's status changes here only (`_requests_close`)."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from orders.models import Customer
from orders.selectors import merchant_is_managed_by
from performile.actors import Actor
from performile.audit import audit
from performile.errors import ApplicationError, NotAllowed
from privacy.archive import Archive, archive_write
from privacy.erasure import Erasure, customer_erase_records
from privacy.export import customer_export_content
from privacy.models import PrivacyRequest
from privacy.selectors import privacy_may_act, privacy_request_open

__all__ = [
    "Erasure",
    "Export",
    "customer_erase",
    "customer_export",
    "privacy_request_decline",
    "privacy_request_erasure",
    "privacy_requests_merge",
]

Kind, Status = PrivacyRequest.Kind, PrivacyRequest.Status


@dataclass
class Export:
    filename: str
    archive: Archive


def customer_export(*, customer: Customer, actor: Actor) -> Export:
    """The customer's zip (docs/privacy.md), for the merchant's staff and admins
    or the customer themselves; audited as `customer.exported`."""
    if not privacy_may_act(actor, customer):
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


def customer_erase(
    *, customer: Customer, actor: Actor, confirmation: str, reason: str = ""
) -> Erasure:
    """Erase the customer (staff and admins of their merchant), confirmed by
    typing their customer number; one transaction, irreversible; their open
    erasure request is done; audited as `customer.erased` with the counts.
    Erasing again sweeps what came since."""
    if not merchant_is_managed_by(actor, customer.merchant_id):
        raise NotAllowed("Only the merchant's staff and admins erase customers.")
    if (confirmation or "").strip().upper() != customer.customer_number.upper():
        text = f"Type the customer number, {customer.customer_number}, to confirm."
        raise ApplicationError(text, fields={"confirmation": [text]})
    with transaction.atomic():
        erasure = customer_erase_records(customer=customer, actor=actor)
        customer = erasure.customer
        erasure.counts["requests_closed"] = _requests_close(
            PrivacyRequest.objects.filter(customer=customer, kind=Kind.ERASURE),
            status=Status.DONE,
            actor=actor,
            outcome="Erased.",
        )
        audit(
            "customer.erased",
            actor=actor,
            target=customer,
            merchant_id=customer.merchant_id,
            customer_number=customer.customer_number,
            reason=(reason or "").strip()[:300],
            counts=erasure.counts,
        )
    return erasure


def privacy_request_erasure(*, customer: Customer, actor: Actor) -> PrivacyRequest:
    """The customer asks for their erasure; the merchant's staff carry it out (or
    decline it). Asking again while one is open is the same request."""
    if not privacy_may_act(actor, customer):
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


def privacy_request_decline(
    *, request: PrivacyRequest, actor: Actor, reason: str
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
        closed = _requests_close(
            PrivacyRequest.objects.filter(pk=request.pk),
            status=Status.DECLINED,
            actor=actor,
            outcome=reason,
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


def privacy_requests_merge(*, customer_id: int, into_id: int) -> None:
    """Inside a customer merge's transaction: the requests move with the
    customer; an open one of a kind the other customer also has open is closed
    as the same request (one open request per customer and kind)."""
    open_there = PrivacyRequest.objects.filter(
        customer_id=into_id, status=Status.OPEN
    ).values_list("kind", flat=True)
    _requests_close(
        PrivacyRequest.objects.filter(customer_id=customer_id, kind__in=open_there),
        status=Status.DECLINED,
        actor=None,
        outcome="The same as the open request of the customer it was merged into.",
    )
    PrivacyRequest.objects.filter(customer_id=customer_id).update(customer_id=into_id)


def _requests_close(
    requests: QuerySet[PrivacyRequest], *, status: str, actor: Actor, outcome: str
) -> int:
    """Close the open ones of `requests` (done or declined): the one place a
    request's status changes after it was made. How many were closed."""
    return requests.filter(status=Status.OPEN).update(
        status=status,
        closed_at=timezone.now(),
        closed_by=actor if getattr(actor, "is_authenticated", False) else None,
        outcome=outcome[:300],
    )
