"""The Discord desk's use cases called as the commands call them: one service per
command (orders.discord.services), refusing with the text the caller reads and
writing nothing when it refuses. Who may is checked before the options."""

import pytest

from orders.discord import invocation
from orders.discord.refusals import Refused
from orders.discord.services import (
    AddOrderOptions,
    ListOrdersOptions,
    UpdateOrderOptions,
    discord_order_add,
    discord_order_track,
    discord_order_update,
    discord_orders_list,
)
from orders.models import Order, OrderEvent
from orders.state_machine import OrderStatus
from performile.models import AuditEvent, OutboxMessage
from tests.discord.conftest import ADMIN_ID, CUSTOMER_ID, command_payload
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db

MANAGE_GUILD = invocation.MANAGE_GUILD


def asked_by(guild, name, *, user_id=ADMIN_ID, permissions=MANAGE_GUILD):
    payload = command_payload(name, user_id=user_id, permissions=permissions)
    return invocation.from_payload(payload, guild)


def written():
    return (
        Order.objects.count(),
        OrderEvent.objects.count(),
        OutboxMessage.objects.count(),
    )


def bad_add_options():
    return AddOrderOptions(
        customer=None,
        order_number="X" * 100,
        service="",
        payment_method="gift card",
        amount="-5",
        notes="",
    )


def test_add_without_manage_server_is_denied_before_the_options_are_checked(guild):
    before = written()
    with pytest.raises(Refused) as refused:
        discord_order_add(
            asked=asked_by(guild, "addorder", permissions=0),
            options=bad_add_options(),
        )
    assert (refused.value.text, refused.value.detail) == ("❌ Permission denied", "")
    assert written() == before


def test_add_refuses_the_first_option_that_does_not_check_out(guild):
    with pytest.raises(Refused) as refused:
        discord_order_add(asked=asked_by(guild, "addorder"), options=bad_add_options())
    assert refused.value.text == "❌ Failed to add order"
    assert refused.value.detail == "choose the customer (user)."


def test_update_looks_for_the_order_before_the_status(guild, second_store):
    """An order of the merchant's other store is not the server's to update."""
    other = OrderFactory(store=second_store)
    with pytest.raises(Refused) as refused:
        discord_order_update(
            asked=asked_by(guild, "updateorder"),
            options=UpdateOrderOptions(
                order_number=other.order_number,
                status="no such status",
                notes="",
                assignee=None,
            ),
        )
    assert refused.value.text == "❌ Order ID not found"


def test_update_at_the_same_status_without_notes_changes_nothing(guild, store):
    order = OrderFactory(store=store, status=OrderStatus.IN_PROGRESS)
    before = written()
    updated = discord_order_update(
        asked=asked_by(guild, "updateorder"),
        options=UpdateOrderOptions(
            order_number=order.order_number,
            status="In Progress",
            notes="",
            assignee=None,
        ),
    )
    assert (updated.order.pk, updated.status) == (order.pk, OrderStatus.IN_PROGRESS)
    assert (updated.changed, updated.dm_sent) == ([], False)
    assert written() == before


def test_track_returns_the_callers_latest_order_and_audits_the_read(
    guild, store, discord_customer
):
    OrderFactory(store=store, customer=discord_customer)
    latest = OrderFactory(store=store, customer=discord_customer)
    order = discord_order_track(
        asked=asked_by(guild, "trackorder", user_id=CUSTOMER_ID, permissions=0),
        order_number="",
    )
    assert order == latest
    read = AuditEvent.objects.get(action="discord.trackorder")
    assert (read.order_id, read.data["found"]) == (latest.pk, True)


def test_track_of_an_order_the_caller_may_not_see_is_refused_and_audited(guild, store):
    theirs = OrderFactory(store=store)
    with pytest.raises(Refused) as refused:
        discord_order_track(
            asked=asked_by(guild, "trackorder", user_id=CUSTOMER_ID, permissions=0),
            order_number=theirs.order_number,
        )
    assert refused.value.text == "❌ Order ID not found"
    assert AuditEvent.objects.get(action="discord.trackorder").data["found"] is False


def test_list_without_manage_server_is_denied_and_audited_before_the_limit(guild):
    with pytest.raises(Refused) as refused:
        discord_orders_list(
            asked=asked_by(guild, "listorders", permissions=0),
            options=ListOrdersOptions(status="", service="", limit="zero"),
        )
    assert refused.value.text == "❌ Permission denied"
    denied = AuditEvent.objects.get(action="discord.listorders")
    assert denied.data["allowed"] is False


def test_list_with_a_bad_limit_is_refused_and_not_audited(guild):
    with pytest.raises(Refused) as refused:
        discord_orders_list(
            asked=asked_by(guild, "listorders"),
            options=ListOrdersOptions(status="", service="", limit="0"),
        )
    assert refused.value.text == "❌ limit must be a whole number from 1 to 25."
    assert not AuditEvent.objects.filter(action="discord.listorders").exists()


def test_list_returns_the_page_newest_first_with_its_count(guild, store):
    older, newer = OrderFactory.create_batch(2, store=store, service="Logo Design")
    OrderFactory(store=store, service="Web Scraper")
    listed = discord_orders_list(
        asked=asked_by(guild, "listorders"),
        options=ListOrdersOptions(status="", service="logo", limit=25),
    )
    assert [order.pk for order in listed.orders] == [newer.pk, older.pk]
    assert (listed.total, listed.service, listed.clamped) == (2, "logo", False)
