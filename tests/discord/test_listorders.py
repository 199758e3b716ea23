from decimal import Decimal

import pytest

from orders.discord.embeds import STATUS_STYLE
from orders.discord.invocation import ADMINISTRATOR
from orders.models import Membership
from orders.state_machine import OrderStatus
from performile.models import AuditEvent
from tests.discord.conftest import ADMIN_ID
from tests.factories import CustomerFactory, OrderFactory

pytestmark = pytest.mark.django_db

S = OrderStatus


def lines_of(answer) -> list[str]:
    (embed,) = answer["data"]["embeds"]
    return embed["description"].splitlines()


def footer_of(answer) -> str:
    return answer["data"]["embeds"][0]["footer"]["text"]


@pytest.fixture
def orders(store, merchant):
    kai = CustomerFactory(merchant=merchant, name="Kai")
    specs = [
        ("ORD-1", "Bot Development", S.PAYMENT_VERIFIED),
        ("ORD-2", "Web Design", S.IN_PROGRESS),
        ("ORD-3", "Discord bot hosting", S.IN_PROGRESS),
        ("ORD-4", "Logo", S.COMPLETE),
    ]
    return [
        OrderFactory(
            store=store,
            customer=kai,
            order_number=number,
            service=service,
            status=status,
            amount=Decimal("150.00"),
            currency="USD",
        )
        for number, service, status in specs
    ]


def test_without_manage_server_permission_is_denied(interact, orders):
    answer = interact("listorders")

    assert answer["data"] == {
        "content": "❌ Permission denied",
        "allowed_mentions": {"parse": []},
        "flags": 64,
    }


def test_an_administrator_may_list(interact, orders):
    answer = interact("listorders", permissions=ADMINISTRATOR, user_id=ADMIN_ID)

    assert len(lines_of(answer)) == 4


def test_newest_first_with_emoji_service_amount_customer_and_status(interact, orders):
    answer = interact("listorders", as_admin=True)

    assert answer["data"]["flags"] == 64
    assert lines_of(answer) == [
        "✅ `ORD-4` · Logo · $150.00 · Kai · Complete",
        "🔄 `ORD-3` · Discord bot hosting · $150.00 · Kai · In Progress",
        "🔄 `ORD-2` · Web Design · $150.00 · Kai · In Progress",
        "💳 `ORD-1` · Bot Development · $150.00 · Kai · Payment Verified",
    ]
    assert footer_of(answer) == "4 of 4 matching"


@pytest.mark.parametrize("status", ["in_progress", "In Progress", "IN PROGRESS"])
def test_filter_by_status_code_or_label(interact, orders, status):
    answer = interact("listorders", {"status": status}, as_admin=True)

    assert [line.split("`")[1] for line in lines_of(answer)] == ["ORD-3", "ORD-2"]
    assert answer["data"]["embeds"][0]["color"] == STATUS_STYLE[S.IN_PROGRESS].colour


def test_filter_by_service_substring_in_any_case(interact, orders):
    answer = interact("listorders", {"service": "BOT"}, as_admin=True)

    assert [line.split("`")[1] for line in lines_of(answer)] == ["ORD-3", "ORD-1"]


def test_filters_combine(interact, orders):
    answer = interact(
        "listorders", {"service": "bot", "status": "in_progress"}, as_admin=True
    )

    assert [line.split("`")[1] for line in lines_of(answer)] == ["ORD-3"]
    assert footer_of(answer) == "1 of 1 matching"


def test_an_unknown_status_is_refused_clearly(interact, orders):
    answer = interact("listorders", {"status": "shipped-ish"}, as_admin=True)

    assert answer["data"]["content"].startswith("❌ Unknown status “shipped-ish”")
    assert answer["data"]["flags"] == 64


def test_no_match_says_so(interact, orders):
    answer = interact("listorders", {"service": "nothing like it"}, as_admin=True)

    assert lines_of(answer) == ["No orders match."]
    assert footer_of(answer) == "0 of 0 matching"


def test_only_the_linked_stores_live_orders(
    interact, orders, second_store, other_store
):
    OrderFactory(store=second_store, order_number="SISTER-1")
    OrderFactory(store=other_store, order_number="FOREIGN-1")
    orders[0].deleted_at = orders[0].updated_at
    orders[0].save(update_fields=["deleted_at"])

    answer = interact("listorders", as_admin=True)

    assert [line.split("`")[1] for line in lines_of(answer)] == [
        "ORD-4",
        "ORD-3",
        "ORD-2",
    ]


def test_limit_defaults_to_ten_and_caps_at_twenty_five(interact, store):
    OrderFactory.create_batch(30, store=store)

    default = interact("listorders", as_admin=True)
    five = interact("listorders", {"limit": 5}, as_admin=True)
    many = interact("listorders", {"limit": 100}, as_admin=True)

    assert len(lines_of(default)) == 10
    assert footer_of(default) == "10 of 30 matching"
    assert len(lines_of(five)) == 5
    assert len(lines_of(many)) == 25
    assert footer_of(many) == "25 of 30 matching · at most 25 are listed"


@pytest.mark.parametrize("limit", [0, -3, "many"])
def test_a_limit_below_one_is_refused(interact, orders, limit):
    answer = interact("listorders", {"limit": limit}, as_admin=True)

    assert answer["data"]["content"] == (
        "❌ limit must be a whole number from 1 to 25."
    )


def test_queries_do_not_grow_with_the_limit(
    interact, store, merchant, django_assert_max_num_queries
):
    for n in range(30):
        OrderFactory(store=store, customer=CustomerFactory(merchant=merchant, name=n))

    with django_assert_max_num_queries(6) as five:
        interact("listorders", {"limit": 5}, as_admin=True)
    with django_assert_max_num_queries(len(five)) as twenty_five:
        answer = interact("listorders", {"limit": 25}, as_admin=True)

    assert len(lines_of(answer)) == 25
    assert len(twenty_five) == len(five)


def test_listing_is_audited(interact, orders, staff_user, merchant):
    Membership.objects.filter(user=staff_user).update(discord_user_id=ADMIN_ID)

    interact("listorders", {"status": "In Progress", "limit": 5}, as_admin=True)
    interact("listorders")

    listed, denied = AuditEvent.objects.filter(action="discord.listorders").order_by(
        "id"
    )
    assert listed.actor == staff_user
    assert listed.actor_label == f"Discord user admin ({ADMIN_ID})"
    assert listed.merchant_id == merchant.pk
    assert listed.data["status"] == "in_progress"
    assert listed.data["limit"] == 5
    assert listed.data["shown"] == 2
    assert denied.actor is None
    assert denied.data["allowed"] is False


def test_the_count_stops_at_the_cap(interact, store, monkeypatch):
    from orders.discord import selectors

    monkeypatch.setattr(selectors, "COUNT_CAP", 20)
    OrderFactory.create_batch(30, store=store)
    answer = interact("listorders", as_admin=True)
    assert footer_of(answer) == "10 of 20+ matching"
