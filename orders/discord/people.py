"""Who a Discord user is to us: a staff member (by their Membership's Discord id)
or a customer (by the Customer's Discord id)."""

from orders.discord.invocation import DiscordUser, Invocation
from orders.languages import from_locale, language_of
from orders.models import TEAM_ROLES, Customer, Membership, Merchant, Store
from orders.services import customer_get_or_create


def staff_for(merchant: Merchant, discord_user_id: str):
    """The merchant's active staff member or admin linked to this Discord id."""
    if not discord_user_id:
        return None
    membership = (
        Membership.objects.select_related("user")
        .filter(
            merchant=merchant,
            discord_user_id=str(discord_user_id),
            role__in=TEAM_ROLES,
            user__is_active=True,
        )
        .order_by("pk")
        .first()
    )
    return membership.user if membership else None


def customer_for_discord(store: Store, user: DiscordUser) -> Customer:
    """The store's merchant's customer linked to this Discord user; new if none."""
    return customer_get_or_create(
        merchant_id=store.merchant_id,
        name=user.global_name or user.username,
        discord_user_id=user.id,
    )


def display_name(user) -> str:
    return user.get_full_name() or user.get_username()


def caller_language(asked: Invocation) -> str:
    """The caller's Discord client language when we write in it; else the
    language of the store's customer they are, else the store's."""
    if from_locale(asked.locale):
        return from_locale(asked.locale)
    customer = Customer.objects.filter(
        merchant_id=asked.store.merchant_id, discord_user_id=asked.caller.id
    ).first()
    return language_of(customer=customer, store=asked.store)
