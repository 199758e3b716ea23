from datetime import date

from django.utils import timezone

from invoices.models import BillingProfile
from orders.models import Customer, Merchant


def billing_profile(merchant: Merchant) -> BillingProfile:
    """The merchant's billing profile, created with the defaults on first use."""
    profile, _ = BillingProfile.objects.select_related("merchant").get_or_create(
        merchant=merchant
    )
    return profile


def merchant_today(merchant: Merchant) -> date:
    return timezone.localdate(timezone=merchant.zone)


def seller_snapshot(profile: BillingProfile) -> dict:
    return {
        "name": profile.seller_name,
        "address": profile.address,
        "vat_number": profile.vat_number,
        "email": profile.email,
    }


def buyer_snapshot(customer: Customer | None, address: dict | None = None) -> dict:
    address = address or {}
    snapshot = {
        "name": address.get("company")
        or (customer.name if customer else "")
        or address.get("name", ""),
        "contact": address.get("name", "") if address.get("company") else "",
        "customer_number": customer.customer_number if customer else "",
        "email": customer.email if customer else "",
        "address": [
            line
            for line in (
                address.get("line1", ""),
                address.get("line2", ""),
                " ".join(
                    p for p in (address.get("postal_code"), address.get("city")) if p
                ),
                address.get("region", ""),
                address.get("country", ""),
            )
            if line
        ],
    }
    return {key: value for key, value in snapshot.items() if value}
