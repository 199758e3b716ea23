from decimal import Decimal

import pytest

from orders.discord.embeds import STATUS_STYLE, order_embed, progress_bar
from orders.models import Membership, OrderEvent
from orders.services import order_change_status, order_update
from orders.state_machine import OrderStatus
from performile.models import AuditEvent
from tests.discord.conftest import ADMIN_ID, CUSTOMER_ID
from tests.factories import CustomerFactory, OrderFactory

pytestmark = pytest.mark.django_db

S = OrderStatus
NOT_FOUND = "❌ Order ID not found"
DEVELOPER_ID = "700000000000000009"


@pytest.fixture
def service_order(store, discord_customer, staff_user):
    return OrderFactory(
        store=store,
        customer=discord_customer,
        order_number="STRIPE_123456",
        service="Website Development",
        payment_method="stripe",
        amount=Decimal("200.00"),
        currency="USD",
        status=S.PAYMENT_VERIFIED,
        notes="Landing page with contact form",
        assigned_staff=staff_user,
    )


def fields_of(answer) -> dict:
    (embed,) = answer["data"]["embeds"]
    return {field["name"]: field["value"] for field in embed["fields"]}


def test_a_customer_tracks_their_order_by_id(interact, service_order, staff_user):
    """The embed shows status, progress, service, payment, staff and notes."""
    order_change_status(order=service_order, to=S.IN_PROGRESS, actor=staff_user)
    order_update(
        order=service_order,
        actor=staff_user,
        notes="Design phase complete, starting development",
    )
    answer = interact("trackorder", {"order_id": "STRIPE_123456"})

    assert answer["type"] == 4
    assert answer["data"]["flags"] == 64
    (embed,) = answer["data"]["embeds"]
    assert embed["title"] == "Order STRIPE_123456"
    assert embed["color"] == STATUS_STYLE[S.IN_PROGRESS].colour
    fields = fields_of(answer)
    assert fields["Status"] == "🔄 In Progress"
    assert fields["Progress"] == "🟩🟩⬜⬜ In Progress (2/4)"
    assert fields["Service"] == "Website Development"
    assert fields["Payment"] == "Stripe · $200.00"
    assert fields["Assigned staff"] == staff_user.get_full_name()
    assert fields["Latest notes"] == "Design phase complete, starting development"
    assert "Tracking" not in fields
    placed = int(service_order.placed_at.timestamp())
    assert fields["Placed"] == f"<t:{placed}:f> (<t:{placed}:R>)"
    assert fields["Last update"].startswith("<t:")


def test_assigned_staff_with_a_linked_discord_id_is_a_mention(
    interact, service_order, staff_user
):
    Membership.objects.filter(user=staff_user).update(discord_user_id=DEVELOPER_ID)

    fields = fields_of(interact("trackorder", {"order_id": "STRIPE_123456"}))

    assert fields["Assigned staff"] == f"<@{DEVELOPER_ID}>"


def test_an_unassigned_order_says_so(interact, service_order):
    service_order.assigned_staff = None
    service_order.save(update_fields=["assigned_staff"])

    fields = fields_of(interact("trackorder", {"order_id": "STRIPE_123456"}))

    assert fields["Assigned staff"] == "Unassigned"


def test_only_the_orders_notes_show_never_a_note_typed_with_a_change(
    service_order, staff_user
):
    """Latest notes: the order's notes. A note given with a status change in the
    Orders view, or the platform's own log, may be internal: never shown."""
    assert _note(service_order) == "Landing page with contact form"
    order_change_status(
        order=service_order, to=S.IN_PROGRESS, actor=staff_user, note="Margin is thin"
    )
    OrderEvent.objects.create(
        order=service_order, kind=OrderEvent.Kind.NOTE, note="Invoice voided: typo"
    )
    assert _note(service_order) == "Landing page with contact form"
    order_update(order=service_order, actor=staff_user, notes="Now with a dashboard")
    assert _note(service_order) == "Now with a dashboard"


def _note(order):
    fields = {f["name"]: f["value"] for f in order_embed(order)["fields"]}
    return fields.get("Latest notes")


def test_long_notes_are_cut_to_discords_field_limit(interact, service_order):
    service_order.notes = "x" * 3000
    service_order.save(update_fields=["notes"])

    fields = fields_of(interact("trackorder", {"order_id": "STRIPE_123456"}))

    assert len(fields["Latest notes"]) == 1024


def test_a_shipped_order_shows_its_tracking(interact, store, discord_customer):
    OrderFactory(
        store=store,
        customer=discord_customer,
        order_number="ORD-7",
        status=S.SHIPPED,
        courier="PostNord",
        tracking_number="00370000000000001",
        tracking_status="in_transit",
        tracking_url="https://tracking.example/00370000000000001",
    )

    answer = interact("trackorder", {"order_id": "ORD-7"})

    fields = fields_of(answer)
    assert fields["Status"] == "🚚 Shipped"
    assert "PostNord `00370000000000001`" in fields["Tracking"]
    assert "In transit" in fields["Tracking"]
    assert "(https://tracking.example/00370000000000001)" in fields["Tracking"]
    assert "Progress" not in fields  # a physical order: no service flow
    assert answer["data"]["embeds"][0]["color"] == STATUS_STYLE[S.SHIPPED].colour


def test_without_an_id_the_callers_most_recent_order(
    interact, store, discord_customer, service_order
):
    newer = OrderFactory(
        store=store, customer=discord_customer, order_number="PAYPAL_2", service="Bot"
    )
    OrderFactory(store=store, order_number="SOMEONE_ELSES")  # newer still, not theirs

    (embed,) = interact("trackorder")["data"]["embeds"]

    assert embed["title"] == f"Order {newer.order_number}"


def test_a_manager_without_an_id_gets_their_own_latest_not_the_stores(
    interact, store, service_order
):
    OrderFactory(store=store, order_number="NEWEST")

    answer = interact("trackorder", as_admin=True)

    assert answer["data"]["content"] == NOT_FOUND


def test_another_customers_order_is_not_found(interact, store, merchant):
    """Isolation: it reads exactly like an order that does not exist."""
    someone = CustomerFactory(merchant=merchant, discord_user_id="700000000000000077")
    OrderFactory(store=store, customer=someone, order_number="THEIRS")
    CustomerFactory(merchant=merchant, discord_user_id=CUSTOMER_ID)

    theirs = interact("trackorder", {"order_id": "THEIRS"})
    missing = interact("trackorder", {"order_id": "NO_SUCH_ORDER"})

    assert theirs == missing
    assert theirs["data"]["content"] == NOT_FOUND
    assert theirs["data"]["flags"] == 64
    assert "embeds" not in theirs["data"]


def test_an_order_of_another_store_is_not_found(
    interact, discord_customer, second_store
):
    OrderFactory(store=second_store, customer=discord_customer, order_number="ELSE")

    assert interact("trackorder", {"order_id": "ELSE"})["data"]["content"] == NOT_FOUND
    assert interact("trackorder")["data"]["content"] == NOT_FOUND


def test_an_order_of_another_merchant_is_not_found(interact, other_store, guild):
    stranger = CustomerFactory(
        merchant=other_store.merchant, discord_user_id=CUSTOMER_ID
    )
    OrderFactory(store=other_store, customer=stranger, order_number="ABC123")

    answer = interact("trackorder", {"order_id": "ABC123"}, as_admin=True)

    assert answer["data"]["content"] == NOT_FOUND
    assert interact("trackorder")["data"]["content"] == NOT_FOUND


def test_a_caller_with_no_linked_customer_is_not_found(interact, store):
    OrderFactory(store=store, order_number="ABC123")

    assert interact("trackorder")["data"]["content"] == NOT_FOUND
    assert interact("trackorder", {"order_id": "ABC123"})["data"]["content"] == (
        NOT_FOUND
    )


def test_a_deleted_order_is_not_found(interact, service_order):
    service_order.deleted_at = service_order.updated_at
    service_order.save(update_fields=["deleted_at"])

    answer = interact("trackorder", {"order_id": "STRIPE_123456"}, as_admin=True)

    assert answer["data"]["content"] == NOT_FOUND


def test_manage_server_may_track_any_order_of_the_store(interact, service_order):
    answer = interact("trackorder", {"order_id": "#STRIPE_123456"}, as_admin=True)

    assert answer["data"]["embeds"][0]["title"] == "Order STRIPE_123456"
    assert answer["data"]["flags"] == 64


def test_reads_are_audited_not_order_events(
    interact, service_order, staff_user, merchant
):
    Membership.objects.filter(user=staff_user).update(discord_user_id=ADMIN_ID)
    events_before = service_order.events.count()

    interact("trackorder", {"order_id": "STRIPE_123456"}, as_admin=True)
    interact("trackorder", {"order_id": "NOPE"})

    found, missing = AuditEvent.objects.filter(action="discord.trackorder").order_by(
        "id"
    )
    assert found.actor == staff_user
    assert found.actor_label == f"Discord user admin ({ADMIN_ID})"
    assert found.order_id == service_order.pk
    assert found.merchant_id == merchant.pk
    assert found.data["found"] is True
    assert missing.actor is None
    assert missing.order_id is None
    assert missing.data == {
        "order_number": "NOPE",
        "found": False,
        "discord_user_id": CUSTOMER_ID,
        "guild_id": found.data["guild_id"],
    }
    assert service_order.events.count() == events_before


@pytest.mark.parametrize(
    ("status", "bar"),
    [
        (S.PAYMENT_VERIFIED, "🟩⬜⬜⬜ Payment Verified (1/4)"),
        (S.IN_REVIEW, "🟩🟩🟩⬜ In Review (3/4)"),
        (S.COMPLETE, "🟩🟩🟩🟩 Complete (4/4)"),
        (S.ON_HOLD, "⏸️ On Hold"),
        (S.CANCELLED, "❌ Cancelled"),
        (S.PENDING, "⬜⬜⬜⬜ Pending (0/4)"),
    ],
)
def test_progress_bar_of_a_service_order(status, bar):
    assert progress_bar(OrderFactory.build(service="Bot", status=status)) == bar


def test_every_status_has_a_style():
    assert set(STATUS_STYLE) == set(OrderStatus.values)
    assert all(isinstance(style.colour, int) for style in STATUS_STYLE.values())


def test_a_number_typed_with_hash_prefers_the_exact_order(
    interact, store, discord_customer
):
    OrderFactory(store=store, customer=discord_customer, order_number="1001")
    OrderFactory(store=store, customer=discord_customer, order_number="#1001")

    with_hash = interact("trackorder", {"order_id": "#1001"})
    without = interact("trackorder", {"order_id": "1001"})

    assert with_hash["data"]["embeds"][0]["title"] == "Order #1001"
    assert without["data"]["embeds"][0]["title"] == "Order 1001"
