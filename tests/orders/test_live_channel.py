"""The live channel (/ws/orders/): who hears about which order, and in what shape.

Each test goes through the real ASGI application (origin check, session auth,
routing, OrdersConsumer) and the real Redis channel layer, under a prefix of its
own. Broadcasts happen when a transaction commits, hence the transactional
database.
"""

import json
import uuid
from datetime import date

import pytest
import pytest_asyncio
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.db import transaction
from django.test import Client

from messaging.services import message_send_in_app
from orders import services
from orders.models import Membership
from orders.state_machine import OrderStatus
from performile.asgi import application
from sandbox_courier.notifier import SIGNATURE_HEADER, sign
from tests.factories import CustomerFactory, OrderFactory, UserFactory
from tests.orders.admin_forms import change_form
from tests.shipments.factories import CourierAccountFactory, ShipmentFactory

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

# Long enough for a broadcast to cross Redis on a busy machine; a test waits
# this long only when it fails (or, in receive_nothing, to show silence).
TIMEOUT = 5
QUIET = 0.3


@pytest.fixture(autouse=True)
def channel_layer(settings):
    """A channel layer of the test's own: no message of another test (or of a
    developer's server on the same Redis) can reach its sockets."""
    settings.CHANNEL_LAYERS = {
        "default": {
            **django_settings.CHANNEL_LAYERS["default"],
            "CONFIG": {
                **django_settings.CHANNEL_LAYERS["default"]["CONFIG"],
                "prefix": f"test-{uuid.uuid4().hex}",
            },
        }
    }
    # Pub/sub keeps nothing in Redis; the connections close with the event loops.
    return get_channel_layer()


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


class Socket:
    """A browser tab on the Orders view: connect, then read what the server
    pushes."""

    def __init__(self, cookie: str | None):
        headers = [(b"origin", b"http://localhost")]
        if cookie:
            name = django_settings.SESSION_COOKIE_NAME
            headers.append((b"cookie", f"{name}={cookie}".encode()))
        self.communicator = WebsocketCommunicator(
            application, "/ws/orders/", headers=headers
        )

    async def connect(self) -> bool:
        connected, _subprotocol = await self.communicator.connect(timeout=TIMEOUT)
        return connected

    async def receive(self) -> dict:
        return await self.communicator.receive_json_from(timeout=TIMEOUT)

    async def receive_nothing(self) -> bool:
        return await self.communicator.receive_nothing(timeout=QUIET)

    async def close(self) -> None:
        await self.communicator.disconnect()


@pytest_asyncio.fixture
async def open_socket():
    """open_socket(user): a connected socket as that user (closed at the end)."""
    sockets = []

    async def open_(user) -> Socket:
        cookie = await database_sync_to_async(session_cookie)(user)
        socket = Socket(cookie)
        assert await socket.connect()
        sockets.append(socket)
        return socket

    yield open_
    for socket in sockets:
        await socket.close()


def change_status(order, to, actor=None):
    return database_sync_to_async(services.order_change_status)(
        order=order, to=to, actor=actor
    )


def create_order(**fields):
    return database_sync_to_async(OrderFactory)(**fields)


async def test_staff_hear_of_a_change_to_their_stores_order_once(
    open_socket, store, staff_user
):
    order = await create_order(store=store, status=OrderStatus.PENDING)
    socket = await open_socket(staff_user)

    await change_status(order, OrderStatus.CONFIRMED, actor=staff_user)

    message = await socket.receive()
    assert message["type"] == "order"
    assert message["kinds"] == ["status_changed"]
    assert message["order"]["id"] == order.pk
    assert message["order"]["store_id"] == store.pk
    assert message["order"]["status"] == OrderStatus.CONFIRMED
    assert message["order"]["status_label"] == "Confirmed"
    assert message["order"]["deleted"] is False
    assert message["order"]["label_url"] == ""
    assert set(message["cells"]) == {"tracking", "status", "courier"}
    assert "Confirmed" in message["cells"]["status"]
    assert "No tracking" in message["cells"]["tracking"]
    assert await socket.receive_nothing()


async def test_another_merchants_order_changes_reach_nobody_here(
    open_socket, store, staff_user, other_store, other_merchant_staff
):
    theirs = await create_order(store=other_store, status=OrderStatus.PENDING)
    socket = await open_socket(staff_user)
    their_socket = await open_socket(other_merchant_staff)

    await change_status(theirs, OrderStatus.CONFIRMED)

    assert (await their_socket.receive())["order"]["id"] == theirs.pk
    assert await socket.receive_nothing()


async def test_a_socket_without_a_session_is_refused(store):
    socket = Socket(cookie=None)
    assert await socket.connect() is False


async def test_a_socket_with_an_unknown_session_is_refused(store):
    socket = Socket(cookie="not-a-session")
    assert await socket.connect() is False


async def test_a_reseller_hears_only_of_their_own_stores_orders(
    open_socket, store, second_store, reseller
):
    merchants_own = await create_order(store=store, status=OrderStatus.PENDING)
    resold = await create_order(store=second_store, status=OrderStatus.PENDING)
    socket = await open_socket(reseller)

    await change_status(merchants_own, OrderStatus.CONFIRMED)
    await change_status(resold, OrderStatus.CONFIRMED)

    message = await socket.receive()
    assert message["order"]["id"] == resold.pk
    assert "cells" in message
    assert await socket.receive_nothing()


async def test_a_supplier_hears_only_of_orders_assigned_to_them(
    open_socket, store, supplier
):
    unassigned = await create_order(store=store, status=OrderStatus.PENDING)
    assigned = await create_order(
        store=store, status=OrderStatus.PENDING, supplier=supplier
    )
    socket = await open_socket(supplier)

    await change_status(unassigned, OrderStatus.CONFIRMED)
    await change_status(assigned, OrderStatus.CONFIRMED)

    message = await socket.receive()
    assert message["order"]["id"] == assigned.pk
    assert message["order"]["status"] == OrderStatus.CONFIRMED
    assert await socket.receive_nothing()


async def test_a_customer_hears_only_of_their_own_orders_without_cells(
    open_socket, store, customer
):
    someone_else = await database_sync_to_async(CustomerFactory)(
        merchant=store.merchant
    )
    theirs = await create_order(
        store=store, status=OrderStatus.PENDING, customer=someone_else
    )
    own = await create_order(store=store, status=OrderStatus.PENDING, customer=customer)
    socket = await open_socket(customer.user)

    await change_status(theirs, OrderStatus.CONFIRMED)
    await change_status(own, OrderStatus.CONFIRMED)

    message = await socket.receive()
    assert message["type"] == "order"
    assert message["order"]["id"] == own.pk
    assert message["order"]["status"] == OrderStatus.CONFIRMED
    assert "cells" not in message
    assert "label_url" not in message["order"]  # the label is the team's
    assert await socket.receive_nothing()


async def test_several_changes_in_one_transaction_make_one_message(
    open_socket, store, staff_user
):
    order = await create_order(store=store, status=OrderStatus.PENDING)
    socket = await open_socket(staff_user)

    @database_sync_to_async
    def work_on_the_order():
        with transaction.atomic():
            services.order_change_status(
                order=order, to=OrderStatus.CONFIRMED, actor=staff_user
            )
            services.order_update(order=order, actor=staff_user, notes="Gift wrap")
            services.order_change_status(
                order=order, to=OrderStatus.SHIPPED, actor=staff_user
            )

    await work_on_the_order()

    message = await socket.receive()
    assert message["order"]["id"] == order.pk
    assert message["order"]["status"] == OrderStatus.SHIPPED
    assert message["kinds"] == ["status_changed", "updated"]
    assert await socket.receive_nothing()


async def test_a_member_removed_from_the_merchant_stops_hearing_at_the_recheck(
    open_socket, monkeypatch, store, staff_user
):
    monkeypatch.setattr("orders.consumers.RECHECK_SECONDS", 0)
    order = await create_order(store=store, status=OrderStatus.PENDING)
    socket = await open_socket(staff_user)
    await change_status(order, OrderStatus.CONFIRMED)
    assert (await socket.receive())["order"]["id"] == order.pk

    await database_sync_to_async(Membership.objects.filter(user=staff_user).delete)()
    await socket.communicator.send_json_to({"type": "ping"})  # the keep-alive

    closing = await socket.communicator.receive_output(timeout=TIMEOUT)
    assert closing == {"type": "websocket.close", "code": 4403}


async def test_a_member_moved_to_another_store_hears_only_of_that_one(
    open_socket, monkeypatch, store, second_store, reseller
):
    """The recheck leaves the groups a user lost and keeps the socket open while
    others remain."""
    monkeypatch.setattr("orders.consumers.RECHECK_SECONDS", 0)
    in_first = await create_order(store=store, status=OrderStatus.PENDING)
    in_second = await create_order(store=second_store, status=OrderStatus.PENDING)
    socket = await open_socket(reseller)

    @database_sync_to_async
    def move_reseller_to_first_store():
        Membership.objects.get(user=reseller).stores.set([store])

    await move_reseller_to_first_store()
    await socket.communicator.send_json_to({"type": "ping"})  # the keep-alive
    assert await socket.communicator.receive_json_from(timeout=TIMEOUT) == {
        "type": "pong"
    }
    await change_status(in_second, OrderStatus.CONFIRMED)
    assert await socket.receive_nothing()

    await change_status(in_first, OrderStatus.CONFIRMED)
    assert (await socket.receive())["order"]["id"] == in_first.pk
    await change_status(in_second, OrderStatus.SHIPPED)
    assert await socket.receive_nothing()


async def test_a_new_socket_without_any_group_is_still_accepted(open_socket, store):
    """A user who may see no order yet connects (and hears nothing): the page
    stays usable and the feed answers with nothing."""
    nobody = await database_sync_to_async(UserFactory)(username="nobody")
    socket = await open_socket(nobody)
    await change_status(
        await create_order(store=store, status=OrderStatus.PENDING),
        OrderStatus.CONFIRMED,
    )
    assert await socket.receive_nothing()


async def test_a_courier_webhook_reaches_the_stores_tabs_with_the_new_scan(
    open_socket, store, staff_user
):
    shipment = await database_sync_to_async(_shipment_in)(store)
    socket = await open_socket(staff_user)
    body = json.dumps(
        {
            "id": f"{shipment.tracking_number}-1",
            "tracking_number": shipment.tracking_number,
            "status": "PICKED_UP",
            "event": {
                "code": "PICKED_UP",
                "description": "Picked up",
                "location": "Stockholm, SE",
                "occurred_at": "2026-11-20T09:15:00.000+01:00",
            },
            "estimated_delivery": "2026-11-23",
        }
    ).encode()

    response = await database_sync_to_async(Client().post)(
        f"/webhooks/couriers/sandbox/{shipment.account.webhook_key}",
        data=body,
        content_type="application/json",
        headers={SIGNATURE_HEADER: sign(shipment.account.api_key, body)},
    )

    assert response.status_code == 200, response.content
    message = await socket.receive()
    state = message["order"]
    assert state["id"] == shipment.order_id
    assert message["kinds"] == ["status_changed", "tracking"]
    assert state["status"] == OrderStatus.SHIPPED
    assert state["tracking_status"] == "in_transit"
    assert state["tracking_event"] == "Picked up · Stockholm, SE"
    assert state["estimated_delivery"] == date(2026, 11, 23).isoformat()
    assert "In transit" in message["cells"]["status"]
    assert "Picked up · Stockholm, SE" in message["cells"]["status"]
    assert shipment.tracking_number in message["cells"]["tracking"]
    assert await socket.receive_nothing()


async def test_an_admin_edit_reaches_the_stores_tabs(
    open_socket, store, staff_user, admin_user
):
    order = await create_order(store=store, status=OrderStatus.PENDING)
    socket = await open_socket(staff_user)

    def edit_in_the_admin():
        client = Client()
        client.force_login(admin_user)
        url, data = change_form(client, order)
        return client.post(url, {**data, "tracking_number": "SBX42"})

    response = await database_sync_to_async(edit_in_the_admin)()

    assert response.status_code == 302
    message = await socket.receive()
    assert message["kinds"] == ["tracking"]
    assert message["order"]["id"] == order.pk
    assert "SBX42" in message["cells"]["tracking"]
    assert await socket.receive_nothing()


def _shipment_in(store):
    order = OrderFactory(
        store=store,
        status=OrderStatus.CONFIRMED,
        tracking_number="SBX0000000017",
        courier="Sandbox Post",
    )
    account = CourierAccountFactory(merchant=store.merchant, api_key="sandbox-live")
    return ShipmentFactory(
        order=order, account=account, tracking_number=order.tracking_number
    )


async def test_a_customer_message_reaches_the_store_without_re_rendered_cells(
    open_socket, store, staff_user, customer
):
    """A new message changes nothing a list row shows: the tabs hear of it (for the
    toast and an open thread) without the cost of rendering the row again."""
    order = await create_order(store=store, customer=customer)
    socket = await open_socket(staff_user)

    await database_sync_to_async(message_send_in_app)(
        order=order, actor=customer.user, body="Where is it?"
    )

    message = await socket.receive()
    assert message["kinds"] == ["message"]
    assert message["order"]["id"] == order.pk
    assert message["cells"] == {}
    assert await socket.receive_nothing()
