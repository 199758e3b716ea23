import pytest

from orders.models import DiscordGuild
from shipments.models import CourierAccount
from tests.shipments.factories import CourierAccountFactory


@pytest.fixture
def admin_client(client, admin_member):
    client.force_login(admin_member)
    return client


@pytest.fixture
def courier_account(merchant) -> CourierAccount:
    return CourierAccountFactory(
        merchant=merchant,
        courier="postnord",
        name="PostNord",
        api_key="pn-live-key-123",
        api_secret="pn-live-secret-456",
    )


def make_guild(store, **fields) -> DiscordGuild:
    return DiscordGuild.objects.create(
        store=store,
        guild_id=fields.pop("guild_id", "111222333"),
        name=fields.pop("name", "Nordic Discord"),
        application_id="999",
        public_key="ab" * 32,
        bot_token=fields.pop("bot_token", "bot-token-secret"),
        **fields,
    )
