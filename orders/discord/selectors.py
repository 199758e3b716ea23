"""The Discord desk's reads: the linked server an interaction comes from, and the
orders a command works on, always from the access rules of `orders.discord.access`
(the Discord form of `orders.selectors.visible_orders`). No writes; the services
audit the reads."""

from orders.discord import access
from orders.models import DiscordGuild, Order

# /listorders counts the matches up to this many; past it the footer says
# "1,000+" (counting every match costs a scan of the store's orders;
# docs/bench.md, discord).
COUNT_CAP = 1000

LISTED_FIELDS = (
    "order_number",
    "service",
    "amount",
    "currency",
    "status",
    "customer__name",
    "customer__discord_user_id",
)


def discord_public_key(*, application_id: str) -> str | None:
    """The public key (hex) of the linked Discord application, None when no linked
    server has that application id."""
    if not application_id:
        return None
    return (
        DiscordGuild.objects.filter(application_id=application_id)
        .values_list("public_key", flat=True)
        .first()
    )


def discord_guild_linked(*, guild_id: str, application_id: str) -> DiscordGuild | None:
    """The linked server the interaction came from (its store and merchant
    loaded), None when that server of that application is not linked."""
    return (
        DiscordGuild.objects.select_related("store__merchant")
        .filter(guild_id=guild_id)
        .filter(application_id=application_id)
        .first()
    )


def discord_order_to_track(*, asked, order_number: str) -> Order | None:
    """/trackorder's order: the one with that number if the caller may track it
    (`access.trackable_orders`); without a number, the caller's own latest."""
    if order_number:
        orders = access.by_number(access.trackable_orders(asked), order_number)
    else:
        orders = access.customer_orders(asked).order_by("-id")
    return orders.select_related("assigned_staff").first()


def discord_order_to_update(*, asked, order_number: str) -> Order | None:
    """/updateorder's order: the store's live order with that number."""
    return (
        access.by_number(access.store_orders(asked), order_number)
        .select_related("customer", "store__merchant")
        .first()
    )


def discord_orders_page(
    *, asked, status: str, service: str, limit: int
) -> tuple[list[Order], int]:
    """/listorders' page, newest first, and how many match (up to COUNT_CAP + 1).
    Two queries whatever the limit (the page, one capped COUNT), served by the
    (store, -id) and (merchant, status, -id) indexes, and a trigram index for the
    service substring."""
    orders = access.store_orders(asked)
    if status:
        orders = orders.filter(status=status)
    if service:
        orders = orders.filter(service__icontains=service)
    page = list(
        orders.select_related("customer").only(*LISTED_FIELDS).order_by("-id")[:limit]
    )
    total = (
        orders.order_by()[: COUNT_CAP + 1].count() if len(page) == limit else len(page)
    )
    return page, total
