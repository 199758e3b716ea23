import json

import pytest

from orders.discord.invocation import ADMINISTRATOR
from orders.models import Membership, Order, OrderEvent
from orders.state_machine import OrderStatus
from performile.models import OutboxMessage
from tests.discord.conftest import ADMIN_ID, CUSTOMER_ID, GUILD_ID, text_of
from tests.factories import MembershipFactory, OrderFactory, UserFactory

pytestmark = pytest.mark.django_db

DEVELOPER_ID = "700000000000000050"
STRANGER_ID = "700000000000000051"
LABEL = f"Discord user admin ({ADMIN_ID})"


@pytest.fixture
def order(store, discord_customer):
    return OrderFactory(
        store=store,
        customer=discord_customer,
        order_number="STRIPE_123456",
        status=OrderStatus.PAYMENT_VERIFIED,
        service="Website Development",
        payment_method="stripe",
    )


@pytest.fixture
def developer(merchant):
    user = UserFactory(username="dev", first_name="Dana", last_name="Dev")
    MembershipFactory(user=user, merchant=merchant, discord_user_id=DEVELOPER_ID)
    return user


@pytest.fixture
def update(interact):
    def send(resolved=None, **values):
        values.setdefault("order_id", "STRIPE_123456")
        return interact(
            "updateorder", values, as_admin=True, resolved_users=resolved or {}
        )

    return send


def counts():
    return OrderEvent.objects.count(), OutboxMessage.objects.count()


def dms():
    return OutboxMessage.objects.filter(channel=OutboxMessage.Channel.DISCORD)


def test_an_admin_moves_the_order_on_and_the_customer_hears_of_it(
    update, order, developer
):
    answer = update(
        resolved={DEVELOPER_ID: "dev"},
        status="in_progress",
        notes="Design phase complete, starting development",
        assigned_staff=DEVELOPER_ID,
    )

    assert answer["data"]["flags"] == 64
    shown = text_of(answer)
    assert "Order STRIPE_123456" in shown
    assert "In Progress" in shown
    assert "Latest notes: Design phase complete, starting development" in shown
    assert "The customer was sent a DM" in shown
    order.refresh_from_db()
    assert order.status == OrderStatus.IN_PROGRESS
    assert order.notes == "Design phase complete, starting development"
    assert order.assigned_staff == developer
    changed = order.events.get(kind=OrderEvent.Kind.STATUS_CHANGED)
    assert (changed.from_status, changed.to_status) == (
        OrderStatus.PAYMENT_VERIFIED,
        OrderStatus.IN_PROGRESS,
    )
    assert changed.note == "Design phase complete, starting development"
    assert (changed.actor, changed.actor_label) == (None, LABEL)
    assigned = order.events.get(kind=OrderEvent.Kind.ASSIGNED)
    assert assigned.actor_label == LABEL

    dm = dms().get()
    assert dm.recipient == CUSTOMER_ID
    assert dm.order_id == order.pk
    assert dm.headers == {"kind": "dm", "guild_id": GUILD_ID}
    content = json.loads(dm.body)["content"]
    assert "Status: **🔄 In Progress**" in content
    assert "🟩🟩⬜⬜ In Progress (2/4)" in content
    assert "Notes: Design phase complete, starting development" in content
    assert "Assigned to: Dana Dev" in content
    assert json.loads(dm.body)["embeds"][0]["title"] == "Order STRIPE_123456"


def test_the_status_may_be_given_by_its_name(update, order):
    update(status="In Progress")
    order.refresh_from_db()
    assert order.status == OrderStatus.IN_PROGRESS


def test_a_linked_staff_member_is_the_actor(update, order, merchant):
    admin = UserFactory(username="desk-admin")
    MembershipFactory(
        user=admin,
        merchant=merchant,
        role=Membership.Role.ADMIN,
        discord_user_id=ADMIN_ID,
    )
    update(status="in_progress")
    order.refresh_from_db()
    assert order.updated_by == admin
    changed = order.events.get(kind=OrderEvent.Kind.STATUS_CHANGED)
    assert (changed.actor, changed.actor_label) == (admin, LABEL)


def test_the_same_status_with_notes_rewrites_the_notes(update, order):
    """The guide keeps one notes text per order; /trackorder shows it as the latest."""
    answer = update(status="payment_verified", notes="Waiting for the logo files")
    assert "Latest notes: Waiting for the logo files" in text_of(answer)
    order.refresh_from_db()
    assert order.status == OrderStatus.PAYMENT_VERIFIED
    assert order.notes == "Waiting for the logo files"
    event = order.events.get()
    assert (event.kind, event.note, event.actor_label) == (
        OrderEvent.Kind.UPDATED,
        "Waiting for the logo files",
        LABEL,
    )
    assert "Waiting for the logo files" in dms().get().body


def test_the_same_status_without_anything_else_changes_nothing(update, order):
    before = counts()
    answer = update(status="payment_verified")
    assert "nothing changed" in text_of(answer)
    assert counts() == before


def test_administrator_alone_is_enough(interact, order):
    interact(
        "updateorder",
        {"order_id": "STRIPE_123456", "status": "on_hold"},
        user_id=ADMIN_ID,
        username="admin",
        permissions=ADMINISTRATOR,
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.ON_HOLD


def test_without_manage_server_permission_is_denied(interact, order):
    before = counts()
    answer = interact(
        "updateorder", {"order_id": "STRIPE_123456", "status": "in_progress"}
    )
    assert answer["data"]["content"] == "❌ Permission denied"
    assert counts() == before
    order.refresh_from_db()
    assert order.status == OrderStatus.PAYMENT_VERIFIED


def test_an_unknown_order_is_not_found(update, order, other_store):
    OrderFactory(store=other_store, order_number="ELSEWHERE")
    for order_id in ("NOPE", "ELSEWHERE"):
        answer = update(order_id=order_id, status="in_progress")
        assert answer["data"]["content"] == "❌ Order ID not found"


def test_an_invalid_transition_fails_and_changes_nothing(update, order, developer):
    """Payment verified cannot jump to complete; the assignment is not kept either."""
    before = counts()
    answer = update(
        resolved={DEVELOPER_ID: "dev"},
        status="complete",
        notes="Done!",
        assigned_staff=DEVELOPER_ID,
    )
    assert text_of(answer).startswith(
        "❌ Failed to update order: An order cannot go from Payment verified to Complete"
    )
    assert counts() == before
    order.refresh_from_db()
    assert (order.status, order.assigned_staff) == (OrderStatus.PAYMENT_VERIFIED, None)


def test_an_unlinked_staff_member_fails_and_changes_nothing(update, order):
    before = counts()
    answer = update(
        resolved={STRANGER_ID: "stranger"},
        status="in_progress",
        assigned_staff=STRANGER_ID,
    )
    assert text_of(answer) == (
        f"❌ Failed to update order: <@{STRANGER_ID}> is not linked to a staff member"
    )
    assert counts() == before
    order.refresh_from_db()
    assert order.status == OrderStatus.PAYMENT_VERIFIED


def test_a_supplier_is_not_a_staff_member(update, order, merchant):
    supplier = UserFactory(username="supplier-dev")
    MembershipFactory(
        user=supplier,
        merchant=merchant,
        role=Membership.Role.SUPPLIER,
        discord_user_id=STRANGER_ID,
    )
    answer = update(status="in_progress", assigned_staff=STRANGER_ID)
    assert "is not linked to a staff member" in text_of(answer)


def test_an_unknown_status_fails(update, order):
    before = counts()
    answer = update(status="teleported")
    assert text_of(answer).startswith("❌ Failed to update order")
    assert counts() == before


def test_an_order_of_a_customer_without_discord_updates_without_a_dm(
    update, store, customer
):
    OrderFactory(
        store=store,
        customer=customer,
        order_number="WEB-1",
        status=OrderStatus.PAYMENT_VERIFIED,
    )
    answer = update(order_id="WEB-1", status="in_progress")
    assert "✅" in text_of(answer)
    assert Order.objects.get(order_number="WEB-1").status == OrderStatus.IN_PROGRESS
    assert not dms().exists()
