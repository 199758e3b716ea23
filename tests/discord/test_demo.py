import json
from io import StringIO

import pytest
from django.core.management import call_command

from demo.orders import discord as demo_discord
from orders.models import Customer, DiscordGuild, Membership, Order, Source
from tests.discord.conftest import URL, command_payload, signed, text_of


@pytest.fixture
def demo(db):
    call_command("demo_data", orders=40, stdout=StringIO())


def _track(client, user_id: str, options: dict | None = None) -> dict:
    payload = command_payload(
        "trackorder", options, user_id=user_id, guild_id=demo_discord.GUILD_ID
    )
    payload["application_id"] = demo_discord.APPLICATION_ID
    body = json.dumps(payload).encode()
    response = client.post(
        URL,
        body,
        content_type="application/json",
        **signed(body, key=demo_discord.signing_key()),
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_demo_links_pixel_forges_discord_server(demo):
    guild = DiscordGuild.objects.get(guild_id=demo_discord.GUILD_ID)
    assert guild.store.merchant.slug == "pixel-forge"
    assert guild.store.platform == "discord"
    assert guild.application_id == demo_discord.APPLICATION_ID
    assert guild.public_key == demo_discord.signing_key().verify_key.encode().hex()
    assert guild.bot_token == "demo-bot-token"
    assert guild.purchased_role_id

    team = Membership.objects.filter(
        merchant__slug="pixel-forge", role__in=["admin", "staff"]
    )
    assert team.exists()
    assert not team.filter(discord_user_id="").exists()

    discord_orders = Order.objects.filter(store=guild.store, source=Source.DISCORD)
    assert discord_orders.exists()
    assert not discord_orders.filter(customer__discord_user_id="").exists()


def test_demo_link_runs_again_without_changing_anything(demo):
    before = (
        list(DiscordGuild.objects.values()),
        list(Membership.objects.values_list("pk", "discord_user_id")),
        list(Customer.objects.values_list("pk", "discord_user_id")),
    )
    demo_discord.discord_demo_link()
    after = (
        list(DiscordGuild.objects.values()),
        list(Membership.objects.values_list("pk", "discord_user_id")),
        list(Customer.objects.values_list("pk", "discord_user_id")),
    )
    assert after == before


def test_demo_link_fills_a_missing_customer_discord_id(demo):
    guild = DiscordGuild.objects.get(guild_id=demo_discord.GUILD_ID)
    customer = Order.objects.filter(store=guild.store).first().customer
    Customer.objects.filter(pk=customer.pk).update(discord_user_id="")
    customers = Customer.objects.count()

    demo_discord.discord_demo_link()
    demo_discord.discord_demo_link()

    customer.refresh_from_db()
    assert len(customer.discord_user_id) == 18
    assert customer.discord_user_id.isdigit()
    assert Customer.objects.count() == customers


def test_demo_customer_tracks_their_latest_order_from_discord(demo, client):
    guild = DiscordGuild.objects.get(guild_id=demo_discord.GUILD_ID)
    kai = Customer.objects.get(email="kai.nakamura@example.com")
    latest = (
        Order.objects.filter(store=guild.store, customer=kai)
        .order_by("-placed_at", "-pk")
        .first()
    )
    assert latest is not None

    answer = _track(client, kai.discord_user_id)

    assert answer["type"] == 4
    assert latest.order_number in text_of(answer)


def test_a_wrong_key_is_refused_for_the_demo_guild(demo, client, signing_key):
    payload = command_payload("trackorder", guild_id=demo_discord.GUILD_ID)
    payload["application_id"] = demo_discord.APPLICATION_ID
    body = json.dumps(payload).encode()
    response = client.post(
        URL, body, content_type="application/json", **signed(body, key=signing_key)
    )
    assert response.status_code == 401
