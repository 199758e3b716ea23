"""Reads of shipments, from the orders a user may see."""

import re

from django.db.models import Q, QuerySet
from django.http import Http404

from orders.selectors import (
    user_team_merchant_ids,
    visible_order_rows,
)
from shipments.couriers import courier_for
from shipments.couriers.base import CourierError, ServiceType
from shipments.models import BulkBooking, Claim, CourierAccount, Shipment


def visible_shipments(user) -> QuerySet[Shipment]:
    return visible_order_rows(Shipment.objects.all(), user)


def shipment_get_for_user(user, shipment_id) -> Shipment:
    try:
        return (
            visible_shipments(user)
            .select_related("order", "account")
            .get(pk=shipment_id)
        )
    except (Shipment.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such shipment.") from exc


def shipment_latest_for_order(user, order_id) -> Shipment:
    """The newest shipment of an order the user may see; Http404 when the order is
    not visible or has none."""
    shipment = (
        visible_shipments(user)
        .filter(order_id=order_id)
        .select_related("order__store", "account")
        .order_by("-created_at", "-id")
        .first()
    )
    if shipment is None:
        raise Http404("No shipment for this order.")
    return shipment


def courier_accounts_for_order(order) -> QuerySet[CourierAccount]:
    return CourierAccount.objects.filter(merchant_id=order.merchant_id, enabled=True)


def claim_get_for_user(user, claim_id) -> Claim:
    try:
        return Claim.objects.select_related("shipment__order").get(
            pk=claim_id, shipment__in=visible_shipments(user)
        )
    except (Claim.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such claim.") from exc


def courier_accounts_for_user(user) -> QuerySet[CourierAccount]:
    """Accounts of the merchants where the user is staff or admin."""
    return CourierAccount.objects.filter(
        merchant_id__in=user_team_merchant_ids(user), enabled=True
    )


def bulk_booking_get_for_user(user, job_id) -> BulkBooking:
    jobs = BulkBooking.objects.filter(
        Q(merchant_id__in=user_team_merchant_ids(user)) | Q(created_by=user)
    )
    try:
        return jobs.get(pk=job_id)
    except (BulkBooking.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such bulk booking.") from exc


def courier_services(accounts) -> list[dict]:
    """Each account with the services its courier offers, or the courier's error
    when it cannot answer (the booking modal lists both)."""
    listing = []
    for account in accounts:
        entry = {"account": account, "services": [], "error": ""}
        try:
            entry["services"] = courier_for(
                account.courier, account.settings()
            ).services()
        except CourierError as exc:
            entry["error"] = exc.message
        listing.append(entry)
    return listing


# Words in a shop's shipping method that name a kind of delivery.
SERVICE_TYPE_WORDS = {
    ServiceType.PARCEL_SHOP: {
        "pickup",
        "shop",
        "ombud",
        "servicepoint",
        "point",
        "utlämningsställe",
        "hentested",
        "pakkeshop",
    },
    ServiceType.LOCKER: {"locker", "box", "paketbox", "pakkeboks", "instabox"},
    ServiceType.HOME: {"home", "hem", "hjem", "door", "dörr", "hemleverans"},
}


def preferred_service(couriers: list[dict], shipping_method: str) -> str:
    """The `account:code:type` of the listed service that best matches the shipping
    method the customer chose in the shop ("PostNord MyPack Home"): the most words
    in common with the account's and service's names, and the same kind of
    delivery. "" when nothing matches at all (the first service stays chosen)."""
    wanted = _words(shipping_method)
    if not wanted:
        return ""
    best, best_score = "", 0
    for entry in couriers:
        for option in entry["services"]:
            named = _words(
                f"{entry['account'].name} {entry['account'].courier} {option.name}"
            )
            score = 2 * len(wanted & named) + bool(
                wanted & SERVICE_TYPE_WORDS.get(option.service_type, set())
            )
            if score > best_score:
                best = f"{entry['account'].pk}:{option.code}:{option.service_type}"
                best_score = score
    return best


def _words(text: str) -> set[str]:
    return {word for word in re.split(r"[^\w]+", text.lower()) if len(word) > 1}
