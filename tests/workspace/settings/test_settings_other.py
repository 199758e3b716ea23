"""The other settings: messaging channels per store, the billing profile (its
Stripe secret masked, a reveal audited) and Discord servers (link, unlink)."""

import pytest
from django.urls import reverse

from invoices.models import BillingProfile
from messaging.models import SupportSettings
from orders.models import DiscordGuild
from performile.models import AuditEvent
from tests.workspace.settings.conftest import make_guild

pytestmark = pytest.mark.django_db


def test_channels_show_each_store_and_what_it_lacks(admin_client, store, settings):
    settings.TWILIO_ACCOUNT_SID = "AC1"
    settings.TWILIO_AUTH_TOKEN = "token"
    settings.TWILIO_FROM_NUMBER = "+46700000000"
    settings.WHATSAPP_ACCESS_TOKEN = ""
    settings.WHATSAPP_APP_SECRET = ""
    page = admin_client.get(reverse("workspace:settings:channels")).content.decode()
    assert store.name in page
    assert "Needs the store's address" in page  # SMS: no number yet
    assert "Not set up on the platform" in page  # WhatsApp


def test_a_stores_addresses_are_saved(admin_client, admin_member, store):
    response = admin_client.post(
        reverse("workspace:settings:channel", args=[store.pk]),
        {"support_email": "help@nordic.example", "sms_number": "+46 70 123 45 67"},
    )
    assert response.status_code == 302
    store.refresh_from_db()
    assert (store.support_email, store.sms_number) == (
        "help@nordic.example",
        "+46701234567",
    )


def test_automatic_answers_are_on_until_an_admin_turns_them_off(
    admin_client, admin_member, store
):
    url = reverse("workspace:settings:channel", args=[store.pk])
    form = admin_client.get(url).content.decode()
    assert 'name="auto_answers"' in form
    assert "checked" in form.split('name="auto_answers"')[1].split(">")[0]

    response = admin_client.post(url, {"support_email": "help@nordic.example"})

    assert response.status_code == 302
    assert not SupportSettings.objects.get(store=store).auto_answers
    event = AuditEvent.objects.get(action="store.support_settings_updated")
    assert (event.actor_id, event.data["auto_answers"]) == (admin_member.pk, False)
    listing = admin_client.get(reverse("workspace:settings:channels")).content.decode()
    assert 'data-auto-answers="off"' in listing

    admin_client.post(
        url, {"support_email": "help@nordic.example", "auto_answers": "on"}
    )

    assert SupportSettings.objects.get(store=store).auto_answers
    assert (
        AuditEvent.objects.filter(action="store.support_settings_updated").count() == 2
    )


def test_the_targets_are_set_on_the_stores_channels_settings(
    admin_client, admin_member, store
):
    url = reverse("workspace:settings:channel", args=[store.pk])
    form = admin_client.get(url).content.decode()
    assert 'name="first_response_minutes" value="240"' in form

    response = admin_client.post(
        url,
        {
            "auto_answers": "on",
            "satisfaction_surveys": "on",
            "first_response_minutes": "30",
            "resolution_hours": "",
        },
    )

    assert response.status_code == 302
    found = SupportSettings.objects.get(store=store)
    assert (found.first_response_minutes, found.resolution_hours) == (30, None)
    event = AuditEvent.objects.get(action="store.support_settings_updated")
    assert event.data == {"first_response_minutes": 30, "resolution_hours": None}
    assert admin_client.post(url, {"first_response_minutes": "0"}).status_code == 400


def test_a_number_that_is_not_e164_is_400(admin_client, store):
    response = admin_client.post(
        reverse("workspace:settings:channel", args=[store.pk]),
        {"sms_number": "0701234567"},
    )
    assert response.status_code == 400
    assert "E.164" in response.content.decode()


def test_billing_profile_is_saved_and_the_stripe_secret_stays_hidden(
    admin_client, admin_member, merchant
):
    url = reverse("workspace:settings:billing")
    data = {
        "legal_name": "Nordic Goods AB",
        "invoice_prefix": "NG-{year}-",
        "credit_note_prefix": "CN-{year}-",
        "number_digits": "5",
        "payment_terms_days": "14",
        "default_tax_rate": "25.00",
        "prices_include_tax": "on",
        "stripe_webhook_secret": "whsec_hidden_123",
    }
    assert admin_client.post(url, data).status_code == 302
    profile = BillingProfile.objects.get(merchant=merchant)
    assert (profile.legal_name, profile.payment_terms_days) == ("Nordic Goods AB", 14)
    assert profile.stripe_webhook_secret == "whsec_hidden_123"

    page = admin_client.get(url).content.decode()
    assert "whsec_hidden_123" not in page
    assert f"/webhooks/stripe/{profile.stripe_webhook_key}" in page

    data["stripe_webhook_secret"] = ""
    admin_client.post(url, data)
    profile.refresh_from_db()
    assert profile.stripe_webhook_secret == "whsec_hidden_123"

    revealed = admin_client.post(reverse("workspace:settings:billing-secret-reveal"))
    assert "whsec_hidden_123" in revealed.content.decode()
    event = AuditEvent.objects.get(action="billing_profile.stripe_secret_revealed")
    assert event.actor == admin_member


def test_a_discord_server_is_linked_and_unlinked(admin_client, store):
    url = reverse("workspace:settings:discord-link")
    response = admin_client.post(
        url,
        {
            "store": store.pk,
            "name": "Nordic Discord",
            "guild_id": "123456789",
            "application_id": "987",
            "public_key": "cd" * 32,
            "bot_token": "bot-secret-token",
        },
    )
    assert response.status_code == 302
    guild = DiscordGuild.objects.get(guild_id="123456789")
    page = admin_client.get(reverse("workspace:settings:discord")).content.decode()
    assert "Nordic Discord" in page
    assert "bot-secret-token" not in page

    unlink = reverse("workspace:settings:discord-unlink", args=[guild.pk])
    assert admin_client.post(unlink).status_code == 302
    assert not DiscordGuild.objects.exists()
    assert AuditEvent.objects.filter(action="discord_guild.unlinked").exists()


def test_a_server_cannot_be_linked_to_another_merchants_store(
    admin_client, other_store
):
    response = admin_client.post(
        reverse("workspace:settings:discord-link"),
        {
            "store": other_store.pk,
            "guild_id": "1",
            "application_id": "2",
            "public_key": "ef" * 32,
            "bot_token": "t",
        },
    )
    assert response.status_code == 400
    assert not DiscordGuild.objects.exists()


def test_the_bot_token_is_never_in_the_list(admin_client, store):
    make_guild(store, bot_token="very-secret-bot")
    page = admin_client.get(reverse("workspace:settings:discord")).content.decode()
    assert "very-secret-bot" not in page
