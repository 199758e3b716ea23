"""Linking a server in the admin: the bot token never goes back to the browser and
is kept when left empty; members get their Discord id there too."""

import pytest
from django.urls import reverse

from orders.models import DiscordGuild, Membership

pytestmark = pytest.mark.django_db


def form_data(guild, **changes):
    return {
        "store": guild.store_id,
        "name": guild.name,
        "guild_id": guild.guild_id,
        "application_id": guild.application_id,
        "public_key": guild.public_key,
        "bot_token": "",
        "purchased_role_id": guild.purchased_role_id,
        **changes,
    }


def test_the_bot_token_is_a_password_field_that_keeps_its_value(admin_client, guild):
    url = reverse("admin:orders_discordguild_change", args=[guild.pk])

    page = admin_client.get(url)
    assert page.status_code == 200
    assert b'type="password"' in page.content
    assert b"bot-token" not in page.content

    response = admin_client.post(url, form_data(guild, name="Renamed"))
    assert response.status_code == 302
    guild.refresh_from_db()
    assert (guild.name, guild.bot_token) == ("Renamed", "bot-token")

    admin_client.post(url, form_data(guild, bot_token="new-token"))
    guild.refresh_from_db()
    assert guild.bot_token == "new-token"


def test_a_new_server_needs_a_bot_token(admin_client, guild):
    guild.guild_id = "42"
    response = admin_client.post(
        reverse("admin:orders_discordguild_add"), form_data(guild)
    )
    assert response.status_code == 200
    assert not DiscordGuild.objects.filter(guild_id="42").exists()


def test_the_list_and_the_store_page_show_linked_servers(admin_client, guild):
    listing = admin_client.get(reverse("admin:orders_discordguild_changelist"))
    assert guild.guild_id.encode() in listing.content
    store_page = admin_client.get(
        reverse("admin:orders_store_change", args=[guild.store_id])
    )
    assert store_page.status_code == 200
    assert b"Discord servers" in store_page.content


def test_a_members_discord_id_is_editable(admin_client, staff_user):
    membership = Membership.objects.get(user=staff_user)
    page = admin_client.get(
        reverse("admin:orders_membership_change", args=[membership.pk])
    )
    assert b'name="discord_user_id"' in page.content
