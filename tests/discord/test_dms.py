"""DMs go out through the outbox against a local server speaking Discord's REST
format: open the DM channel, post the message. Closed DMs fail the delivery (noted on
the order), a 429 waits as long as Discord asks, a 5xx is retried."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from orders.discord import dms
from orders.models import OrderEvent
from performile import outbox
from performile.models import OutboxMessage
from tests.discord.conftest import CUSTOMER_ID, GUILD_ID
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db
Status = OutboxMessage.Status
DM_CHANNEL_ID = "1100000000000000001"
MESSAGE_ID = "1200000000000000001"
OPEN_DM = "/api/v10/users/@me/channels"
POST_MESSAGE = f"/api/v10/channels/{DM_CHANNEL_ID}/messages"
BOT = {"Authorization": "Bot bot-token"}
EMBED = {"title": "Order ORD-1 confirmed", "color": 3447003}
REFUSED_NOTE = (
    f"Discord DM to <@{CUSTOMER_ID}> could not be delivered: they do not accept DMs"
    " from this server."
)


@pytest.fixture
def discord(settings, httpserver):
    settings.DISCORD_API_BASE = httpserver.url_for("/api/v10")
    return httpserver


@pytest.fixture
def order(store, discord_customer):
    return OrderFactory(store=store, customer=discord_customer, order_number="ORD-1")


@pytest.fixture
def dm(guild, order):
    return dms.send_dm(
        guild=guild,
        user_id=CUSTOMER_ID,
        content="Your order ORD-1 is confirmed.",
        embeds=[EMBED],
        order_id=order.pk,
    )


def dm_channel():
    return {
        "id": DM_CHANNEL_ID,
        "type": 1,
        "last_message_id": None,
        "flags": 0,
        "recipients": [{"id": CUSTOMER_ID, "username": "kai", "discriminator": "0"}],
    }


def posted_message():
    return {
        "id": MESSAGE_ID,
        "type": 0,
        "channel_id": DM_CHANNEL_ID,
        "content": "Your order ORD-1 is confirmed.",
        "embeds": [EMBED],
        "author": {"id": "900000000000000001", "username": "Desk", "bot": True},
        "timestamp": "2026-12-04T12:00:00.000000+00:00",
    }


def expect_delivery(server):
    server.expect_ordered_request(
        OPEN_DM, method="POST", headers=BOT, json={"recipient_id": CUSTOMER_ID}
    ).respond_with_json(dm_channel())
    server.expect_ordered_request(
        POST_MESSAGE,
        method="POST",
        headers=BOT,
        json={
            "content": "Your order ORD-1 is confirmed.",
            "embeds": [EMBED],
            "allowed_mentions": {"parse": []},
        },
    ).respond_with_json(posted_message())


def notes(order):
    return list(
        OrderEvent.objects.filter(order=order, kind=OrderEvent.Kind.NOTE).values_list(
            "note", "actor_label"
        )
    )


def test_a_dm_opens_the_channel_then_posts_the_message(discord, dm):
    """Two requests in order with the bot's token; the message id is kept."""
    expect_delivery(discord)

    delivery = outbox.deliver(dm.pk)

    discord.check_assertions()
    assert (delivery.status, delivery.provider_message_id) == (Status.SENT, MESSAGE_ID)
    assert delivery.attempts == 1


def test_the_channel_is_ready_once_a_server_is_linked(db):
    """Without a linked server there is no bot token to send with."""
    from orders.models import DiscordGuild

    assert not outbox.channel_ready(OutboxMessage.Channel.DISCORD)
    DiscordGuild.objects.create(
        store=OrderFactory().store,
        guild_id="1",
        application_id="2",
        public_key="00" * 32,
        bot_token="t",
    )
    assert outbox.channel_ready(OutboxMessage.Channel.DISCORD)


def test_closed_dms_fail_the_delivery_and_say_so_on_the_order(discord, dm, order):
    """403 (Cannot send messages to this user): failed at once, never retried, and
    the order's timeline tells the staff why."""
    discord.expect_ordered_request(OPEN_DM, method="POST").respond_with_json(
        dm_channel()
    )
    discord.expect_ordered_request(POST_MESSAGE, method="POST").respond_with_json(
        {"message": "Cannot send messages to this user", "code": 50007}, status=403
    )

    delivery = outbox.deliver(dm.pk)

    assert (delivery.status, delivery.attempts) == (Status.FAILED, 1)
    assert "Cannot send messages to this user (code 50007)" in delivery.last_error
    assert delivery.next_attempt_at is None
    assert notes(order) == [(REFUSED_NOTE, "Discord")]
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert outbox.deliver(dm.pk) is None
        assert outbox.deliver_due() == 0
    assert len(discord.log) == 2


@pytest.mark.parametrize(
    ("body", "headers", "wait"),
    [
        (
            {"message": "You are being rate limited.", "retry_after": 3.5},
            {},
            outbox.BACKOFF[0],
        ),
        (
            {"message": "You are being rate limited.", "retry_after": 90.25},
            {},
            timedelta(seconds=90.25),
        ),
        ({"message": "Slow down"}, {"Retry-After": "120"}, timedelta(seconds=120)),
    ],
    ids=["backoff-longer", "retry-after-longer", "header-only"],
)
def test_a_rate_limited_dm_waits_as_long_as_discord_asks(
    discord, dm, order, body, headers, wait
):
    """429: queued again no sooner than max(backoff, retry_after); once that time has
    come, the next attempt sends it."""
    discord.expect_ordered_request(OPEN_DM, method="POST").respond_with_json(
        {**body, "global": False}, status=429, headers=headers
    )
    expect_delivery(discord)
    start = timezone.now()

    with time_machine.travel(start, tick=False):
        delivery = outbox.deliver(dm.pk)
        assert outbox.deliver(dm.pk) is None  # not due yet

    assert (delivery.status, delivery.attempts) == (Status.QUEUED, 1)
    assert delivery.next_attempt_at == start + wait
    assert delivery.next_attempt_at >= start + max(
        outbox.BACKOFF[0], timedelta(seconds=3.5)
    )
    assert "429" in delivery.last_error
    with time_machine.travel(start + wait + timedelta(seconds=1), tick=False):
        delivery = outbox.deliver(dm.pk)
    discord.check_assertions()
    assert (delivery.status, delivery.attempts) == (Status.SENT, 2)
    assert delivery.provider_message_id == MESSAGE_ID
    assert notes(order) == []


def test_a_server_error_is_retried(discord, dm):
    """500: Discord's trouble, not ours; the retry sends the DM."""
    discord.expect_ordered_request(OPEN_DM, method="POST").respond_with_json(
        {"message": "500: Internal Server Error", "code": 0}, status=500
    )
    expect_delivery(discord)

    delivery = outbox.deliver(dm.pk)

    assert (delivery.status, delivery.attempts) == (Status.QUEUED, 1)
    assert "500" in delivery.last_error
    with time_machine.travel(timezone.now() + outbox.BACKOFF[0] + timedelta(seconds=1)):
        delivery = outbox.deliver(dm.pk)
    discord.check_assertions()
    assert delivery.status == Status.SENT


def test_an_unreachable_discord_is_retried(settings, dm):
    """No answer at all (connection refused): queued for a retry."""
    settings.DISCORD_API_BASE = "http://127.0.0.1:9/api/v10"

    delivery = outbox.deliver(dm.pk)

    assert delivery.status == Status.QUEUED
    assert "could not be reached" in delivery.last_error


@pytest.mark.parametrize(
    ("status", "body", "says"),
    [
        (401, {"message": "401: Unauthorized", "code": 0}, "bot token"),
        (404, {"message": "Unknown User", "code": 10013}, "does not exist"),
    ],
)
def test_refusals_that_will_not_change_fail_at_once(
    discord, dm, order, status, body, says
):
    """A bad token or an unknown user: failed with the reason, not retried, and no
    note about closed DMs."""
    discord.expect_ordered_request(OPEN_DM, method="POST").respond_with_json(
        body, status=status
    )

    delivery = outbox.deliver(dm.pk)

    assert delivery.status == Status.FAILED
    assert says in delivery.last_error
    assert body["message"] in delivery.last_error
    assert notes(order) == []


def test_a_message_for_a_server_no_longer_linked_fails(discord, dm, guild):
    """The server was unlinked after the DM was queued: nothing to send it with."""
    guild.delete()

    delivery = outbox.deliver(dm.pk)

    assert delivery.status == Status.FAILED
    assert f"The Discord server {GUILD_ID} is not linked" in delivery.last_error
    assert discord.log == []
