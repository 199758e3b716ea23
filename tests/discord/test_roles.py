"""The purchased role: a Discord customer whose order completes gets the store's
configured role in the server, through the outbox."""

import pytest

from orders.discord import dms
from orders.discord.roles import order_grant_purchased_role
from orders.services import order_change_status
from orders.state_machine import OrderStatus
from performile import outbox
from performile.models import OutboxMessage
from tests.discord.conftest import CUSTOMER_ID, GUILD_ID
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db
ROLE_ID = "600000000000000001"


@pytest.fixture
def discord(settings, httpserver):
    settings.DISCORD_API_BASE = httpserver.url_for("/api/v10")
    return httpserver


@pytest.fixture
def complete(django_capture_on_commit_callbacks, staff_user):
    """Complete the order as a request would: the signal fires after commit."""

    def run(order):
        with django_capture_on_commit_callbacks(execute=True):
            order_change_status(order=order, to=OrderStatus.COMPLETE, actor=staff_user)

    return run


def order_of(store, customer):
    return OrderFactory(store=store, customer=customer, status=OrderStatus.IN_REVIEW)


def role_messages():
    return OutboxMessage.objects.filter(
        channel=OutboxMessage.Channel.DISCORD, headers__kind=dms.ROLE
    )


def test_completing_a_discord_customers_order_gives_the_role(
    discord, guild, store, discord_customer, complete
):
    """Queued on Complete, and sending it PUTs the member's role with the bot."""
    order = order_of(store, discord_customer)

    complete(order)

    (message,) = role_messages()
    assert (message.recipient, message.order_id) == (CUSTOMER_ID, order.pk)
    assert message.headers == {"kind": "role", "guild_id": GUILD_ID, "role_id": ROLE_ID}
    discord.expect_oneshot_request(
        f"/api/v10/guilds/{GUILD_ID}/members/{CUSTOMER_ID}/roles/{ROLE_ID}",
        method="PUT",
        headers={"Authorization": "Bot bot-token"},
    ).respond_with_data("", status=204)

    delivery = outbox.deliver(message.pk)

    discord.check_assertions()
    assert delivery.status == OutboxMessage.Status.SENT


def test_the_role_is_queued_once_per_order(guild, store, discord_customer):
    """Asked twice for one order: one grant."""
    order = order_of(store, discord_customer)

    order_grant_purchased_role(order_id=order.pk)
    order_grant_purchased_role(order_id=order.pk)

    assert role_messages().count() == 1


def test_a_missing_role_permission_fails_with_the_reason(
    discord, guild, store, discord_customer
):
    """403 (the bot lacks Manage Roles, or the role is above the bot's): failed, not
    retried."""
    order = order_of(store, discord_customer)
    (message,) = order_grant_purchased_role(order_id=order.pk)
    discord.expect_oneshot_request(
        f"/api/v10/guilds/{GUILD_ID}/members/{CUSTOMER_ID}/roles/{ROLE_ID}",
        method="PUT",
    ).respond_with_json({"message": "Missing Permissions", "code": 50013}, status=403)

    delivery = outbox.deliver(message.pk)

    assert delivery.status == OutboxMessage.Status.FAILED
    assert "Missing Permissions (code 50013)" in delivery.last_error


def test_no_role_configured_gives_nothing(guild, store, discord_customer, complete):
    guild.purchased_role_id = ""
    guild.save()

    complete(order_of(store, discord_customer))

    assert not role_messages().exists()


def test_a_customer_not_on_discord_gets_nothing(guild, store, customer, complete):
    complete(order_of(store, customer))

    assert not role_messages().exists()


def test_other_statuses_give_nothing(
    guild, store, discord_customer, staff_user, django_capture_on_commit_callbacks
):
    order = order_of(store, discord_customer)

    with django_capture_on_commit_callbacks(execute=True):
        order_change_status(order=order, to=OrderStatus.ON_HOLD, actor=staff_user)

    assert not role_messages().exists()
