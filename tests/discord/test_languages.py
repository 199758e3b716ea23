"""/trackorder answers in the caller's Discord language (the interaction's
`locale`) when we write in it, else in the customer's, else the store's; the
customer's DMs are in the customer's language."""

import json
from decimal import Decimal

import pytest

from orders.state_machine import OrderStatus as S
from tests.discord.conftest import URL, command_payload, signed
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(store, discord_customer, guild):
    return OrderFactory(
        store=store,
        customer=discord_customer,
        order_number="STRIPE_42",
        service="Logo design",
        payment_method="stripe",
        amount=Decimal("150.00"),
        currency="USD",
        status=S.IN_PROGRESS,
    )


def track(client, number, *, locale=None):
    payload = command_payload("trackorder", {"order_id": number})
    if locale is not None:
        payload["locale"] = locale
    body = json.dumps(payload).encode()
    response = client.post(URL, body, content_type="application/json", **signed(body))
    assert response.status_code == 200, response.content
    return response.json()["data"]


def fields_of(data) -> dict:
    (embed,) = data["embeds"]
    return {field["name"]: field["value"] for field in embed["fields"]}


def test_trackorder_answers_in_the_interactions_locale(client, order):
    data = track(client, "STRIPE_42", locale="sv-SE")

    (embed,) = data["embeds"]
    assert embed["title"] == "Order STRIPE_42"
    fields = fields_of(data)
    assert fields["Status"] == "🔄 Pågår"
    assert fields["Tjänst"] == "Logo design"
    assert "Senast uppdaterad" in fields


def test_discords_norwegian_is_bokmal(client, order):
    fields = fields_of(track(client, "STRIPE_42", locale="no"))
    assert fields["Betaling"] == "Stripe · $150.00"


def test_a_refusal_is_in_the_callers_language_too(client, order):
    data = track(client, "NOPE-1", locale="da")
    assert data["content"] == "❌ Ordrenummeret blev ikke fundet"


def test_a_locale_we_do_not_write_falls_back_to_the_customers_choice(
    client, order, discord_customer
):
    discord_customer.language = "da"
    discord_customer.save(update_fields=["language"])

    fields = fields_of(track(client, "STRIPE_42", locale="de"))

    assert fields["Status"] == "🔄 I gang"


def test_without_a_locale_the_stores_language_answers(client, order, store):
    store.language = "nb"
    store.save(update_fields=["language"])

    assert "Tjeneste" in fields_of(track(client, "STRIPE_42"))


def test_english_stays_english(client, order):
    fields = fields_of(track(client, "STRIPE_42", locale="en-US"))
    assert fields["Status"] == "🔄 In Progress"
