"""Reads of a merchant's settings, for its admins only: every record is fetched
through the merchants the user administers, and another merchant's is Http404,
like one that does not exist."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from invoices.models import BillingProfile
from orders.models import DiscordGuild, Membership, Merchant, Store
from orders.selectors import user_admin_merchant_ids
from shipments.models import CourierAccount


def admin_merchants(user) -> list[Merchant]:
    """The merchants whose admin the user is, by name."""
    return list(Merchant.objects.filter(pk__in=sorted(user_admin_merchant_ids(user))))


def merchant_for_admin(user, merchant_id=None) -> Merchant:
    """The merchant asked for (`merchant_id`), or the user's first when none is;
    Http404 when the user administers no such merchant, or none at all."""
    merchants = admin_merchants(user)
    if not merchants:
        raise Http404("Settings are for the merchant's admins.")
    if merchant_id in (None, ""):
        return merchants[0]
    for merchant in merchants:
        if str(merchant.pk) == str(merchant_id):
            return merchant
    raise Http404("No such merchant.")


def admin_stores(user, merchant: Merchant | None = None):
    stores = Store.objects.filter(merchant_id__in=sorted(user_admin_merchant_ids(user)))
    if merchant is not None:
        stores = stores.filter(merchant=merchant)
    return stores.select_related("merchant").order_by("name", "pk")


def store_get_for_admin(user, store_id) -> Store:
    return get_object_or_404(admin_stores(user), pk=store_id)


def courier_accounts_for_admin(user, merchant: Merchant | None = None):
    accounts = CourierAccount.objects.filter(
        merchant_id__in=sorted(user_admin_merchant_ids(user))
    )
    if merchant is not None:
        accounts = accounts.filter(merchant=merchant)
    return accounts.select_related("merchant").order_by("name", "pk")


def courier_account_get_for_admin(user, account_id) -> CourierAccount:
    return get_object_or_404(courier_accounts_for_admin(user), pk=account_id)


def guilds_for_admin(user, merchant: Merchant | None = None):
    guilds = DiscordGuild.objects.filter(
        store__merchant_id__in=sorted(user_admin_merchant_ids(user))
    )
    if merchant is not None:
        guilds = guilds.filter(store__merchant=merchant)
    return guilds.select_related("store").order_by("store__name", "name", "pk")


def guild_get_for_admin(user, guild_id) -> DiscordGuild:
    return get_object_or_404(guilds_for_admin(user), pk=guild_id)


def memberships_for_admin(user, merchant: Merchant | None = None):
    memberships = Membership.objects.filter(
        merchant_id__in=sorted(user_admin_merchant_ids(user))
    )
    if merchant is not None:
        memberships = memberships.filter(merchant=merchant)
    return (
        memberships.select_related("user", "merchant")
        .prefetch_related("stores")
        .order_by("role", "user__first_name", "user__username")
    )


def membership_get_for_admin(user, membership_id) -> Membership:
    return get_object_or_404(memberships_for_admin(user), pk=membership_id)


def billing_profile_for_admin(merchant: Merchant) -> BillingProfile:
    """The merchant's profile as it stands (an unsaved one with the defaults when
    it has none yet: reading creates nothing)."""
    profile = BillingProfile.objects.filter(merchant=merchant).first()
    return profile or BillingProfile(merchant=merchant)
