"""The demo's Discord order desk: Pixel Forge's Discord server linked to its store.

Adds only what is missing, so it can run again on a demo database:

- the DiscordGuild row for Pixel Forge Discord (made-up ids, a placeholder bot
  token, a "purchased" role). It is written directly: there is no service for
  linking a server (an operator does it in the Django admin);
- Discord user ids on Pixel Forge's admin and staff memberships, so their commands
  act as them and /updateorder can assign to them (no membership service either);
- a Discord user id on every customer with an order in the Discord store who lacks
  one, through `customer_get_or_create` (which fills blanks on the customer it
  matches by email or phone).

DEMO ONLY: the application's key pair is derived from a constant seed in this file
so that tests and local tools can sign interactions the demo guild accepts. Anyone
who reads this repository can sign for it; a real server gets its own application
and key from Discord's developer portal.
"""

import hashlib

from nacl.signing import SigningKey

from orders.models import Customer, DiscordGuild, Membership, Store
from orders.services import customer_get_or_create

MERCHANT_SLUG = "pixel-forge"
APPLICATION_ID = "1187000000000000001"
GUILD_ID = "1187000000000000010"
GUILD_NAME = "Pixel Forge"
BOT_TOKEN = "demo-bot-token"  # a placeholder: DMs and roles fail until replaced
PURCHASED_ROLE_ID = "1187000000000000100"
# Pixel Forge's team on Discord, by sign-in email (catalog.MEMBERS).
STAFF_DISCORD_IDS = {
    "admin@pixelforge.example": "1187000000000001001",
    "maya@pixelforge.example": "1187000000000001002",
}
# DEMO ONLY (see above): the seed of the demo application's Ed25519 key pair.
SIGNING_SEED = hashlib.sha256(b"performile demo: Pixel Forge Discord").digest()


def signing_key() -> SigningKey:
    """The demo application's private key (DEMO ONLY)."""
    return SigningKey(SIGNING_SEED)


def discord_demo_link() -> DiscordGuild | None:
    """Link Pixel Forge's Discord server and give its people Discord ids; None when
    the demo merchant is not there."""
    store = (
        Store.objects.filter(merchant__slug=MERCHANT_SLUG, platform="discord")
        .order_by("pk")
        .first()
    )
    if store is None:
        return None
    guild, _created = DiscordGuild.objects.get_or_create(
        guild_id=GUILD_ID,
        defaults={
            "store": store,
            "name": GUILD_NAME,
            "application_id": APPLICATION_ID,
            "public_key": signing_key().verify_key.encode().hex(),
            "bot_token": BOT_TOKEN,
            "purchased_role_id": PURCHASED_ROLE_ID,
        },
    )
    _staff_link(store.merchant_id)
    _customers_link(store)
    return guild


def _staff_link(merchant_id: int) -> None:
    members = Membership.objects.filter(
        merchant_id=merchant_id,
        user__email__in=STAFF_DISCORD_IDS,
        discord_user_id="",
    ).select_related("user")
    for membership in members:
        membership.discord_user_id = STAFF_DISCORD_IDS[membership.user.email]
        membership.save(update_fields=["discord_user_id"])


def _customers_link(store: Store) -> None:
    missing = Customer.objects.filter(
        orders__store=store, discord_user_id=""
    ).distinct()
    for customer in missing:
        if not (customer.email or customer.phone):
            continue  # nothing customer_get_or_create could match them by
        customer_get_or_create(
            merchant_id=store.merchant_id,
            email=customer.email,
            phone=customer.phone,
            discord_user_id=_made_up_id(customer.email or customer.phone),
        )


def _made_up_id(seed: str) -> str:
    """An 18-digit Discord-like id, the same for the same customer on every run."""
    digest = int(hashlib.sha256(seed.lower().encode()).hexdigest(), 16)
    return str(10**17 + digest % (9 * 10**17))
