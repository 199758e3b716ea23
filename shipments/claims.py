"""Claims against couriers: filed for a shipment in trouble, then reviewed and paid.

Every write goes through these services, each with a note on the order's timeline.
"""

from decimal import Decimal

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from orders.selectors import order_is_workable_by
from orders.services import order_log
from performile.actors import Actor
from performile.errors import ApplicationError, NotAllowed
from shipments.models import Claim, ClaimPhoto, Shipment

MAX_PHOTOS = 10
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp", "image/heic")


def claim_file(
    *,
    shipment: Shipment,
    actor: Actor,
    reason: str,
    description: str,
    amount: Decimal,
    currency: str = "",
    photos: list[UploadedFile] = (),
) -> Claim:
    order = shipment.order
    if actor is not None and not order_is_workable_by(actor, order):
        raise NotAllowed("You cannot file claims for this order.")
    if not order.can_file_claim:
        raise ApplicationError(
            "A claim can be filed once the parcel has an exception, is lost or returned, "
            "or was delivered damaged."
        )
    if len(photos) > MAX_PHOTOS:
        raise ApplicationError(
            f"At most {MAX_PHOTOS} photos.", fields={"photos": ["Too many."]}
        )
    for photo in photos:
        if photo.content_type not in PHOTO_TYPES:
            raise ApplicationError(
                f"{photo.name} is not a photo (JPEG, PNG, WebP or HEIC).",
                fields={"photos": ["Not a photo."]},
            )
    with transaction.atomic():
        claim = Claim.objects.create(
            shipment=shipment,
            reason=reason,
            description=description.strip(),
            amount=amount,
            currency=(currency or shipment.currency or order.currency).upper(),
            filed_by=actor,
        )
        for photo in photos:
            ClaimPhoto.objects.create(claim=claim, image=photo)
        order_log(
            order=order,
            actor=actor,
            note=f"Claim filed: {claim.get_reason_display()}, {amount} {claim.currency}.",
            data={"claim_id": claim.pk},
        )
    return claim


def claim_change_status(
    *,
    claim: Claim,
    to: str,
    actor: Actor,
    note: str = "",
    approved_amount: Decimal | None = None,
) -> Claim:
    with transaction.atomic():
        locked = (
            Claim.objects.select_for_update()
            .select_related("shipment__order")
            .get(pk=claim.pk)
        )
        order = locked.shipment.order
        if actor is not None and not order_is_workable_by(actor, order):
            raise NotAllowed("You cannot change this claim.")
        if not locked.can_transition_to(to):
            raise ApplicationError(
                f"A claim cannot go from {locked.get_status_display()} to "
                f"{Claim.Status(to).label}.",
                fields={"status": ["Not allowed from the claim's status."]},
            )
        if to == Claim.Status.PARTLY_APPROVED:
            if approved_amount is None or not 0 < approved_amount < locked.amount:
                raise ApplicationError(
                    "A partly approved claim needs an approved amount below the claimed one.",
                    fields={"approved_amount": ["Between 0 and the claimed amount."]},
                )
            locked.approved_amount = approved_amount
        elif to == Claim.Status.APPROVED:
            locked.approved_amount = locked.amount
        locked.status = to
        locked.updated_at = timezone.now()
        locked.save(update_fields=["status", "approved_amount", "updated_at"])
        order_log(
            order=order,
            actor=actor,
            note=" ".join(
                part
                for part in (f"Claim {locked.get_status_display().lower()}.", note)
                if part
            ),
            data={"claim_id": locked.pk, "status": to},
        )
    claim.status, claim.approved_amount = locked.status, locked.approved_amount
    return claim
