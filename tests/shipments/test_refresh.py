"""Asking the courier now: POST /api/shipments/<id>/refresh and the panel's
"Refresh tracking" button."""

import pytest
from django.urls import reverse

from orders.state_machine import OrderStatus
from orders.tracking import TrackingStatus as T
from tests.factories import OrderFactory
from tests.shipments.factories import ShipmentFactory, smooth_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipment(store, courier_account, sandbox_adapter):
    """A parcel the sandbox knows (tracked only), not yet heard of here."""
    order = OrderFactory(
        store=store,
        status=OrderStatus.CONFIRMED,
        tracking_number=smooth_number(),
    )
    shipment = ShipmentFactory(
        order=order,
        account=courier_account,
        kind="tracked",
        status=T.PENDING,
        tracking_number=order.tracking_number,
    )
    sandbox_adapter.register_tracking(shipment.tracking_number)
    return shipment


def refresh_url(shipment):
    return reverse("api-shipment-refresh", args=[shipment.pk])


def test_refresh_answers_the_fresh_status_and_events(
    staff_api, shipment, sandbox_advance
):
    sandbox_advance(shipment.tracking_number, until="IN_TRANSIT")
    response = staff_api.post(refresh_url(shipment))
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["kind"]) == (T.IN_TRANSIT, "tracked")
    assert [e["raw_code"] for e in body["events"]] == [
        "BOOKED",
        "PICKED_UP",
        "IN_TRANSIT",
    ]
    shipment.order.refresh_from_db()
    assert shipment.order.status == OrderStatus.SHIPPED


def test_a_courier_that_is_down_is_a_503_and_changes_nothing(
    staff_api, shipment, sandbox_process, sandbox_api_key, sandbox_advance
):
    sandbox_advance(shipment.tracking_number, until="IN_TRANSIT")
    before = (shipment.next_poll_at, shipment.poll_failures)
    sandbox_process.fail_next(sandbox_api_key, status=503, path="/v1/tracking/")
    response = staff_api.post(refresh_url(shipment))
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "courier_unavailable"
    assert "Sandbox courier" in response.json()["error"]["message"]
    shipment.refresh_from_db()
    assert (shipment.next_poll_at, shipment.poll_failures) == before
    assert (shipment.status, shipment.events.count()) == (T.PENDING, 0)


def test_a_number_the_courier_does_not_know_is_a_502(staff_api, shipment):
    shipment.tracking_number = "SBX0000000000"  # not registered
    shipment.save()
    response = staff_api.post(refresh_url(shipment))
    assert response.status_code == 502
    assert "does not know SBX0000000000" in response.json()["error"]["message"]


def test_another_merchants_shipment_is_404_and_anonymous_is_refused(
    api_client, other_merchant_staff, shipment
):
    assert api_client.post(refresh_url(shipment)).status_code in (401, 403)
    api_client.force_authenticate(other_merchant_staff)
    assert api_client.post(refresh_url(shipment)).status_code == 404
    assert api_client.post(reverse("api-shipment-refresh", args=[0])).status_code == 404


def test_the_panels_refresh_button_shows_the_outcome(
    client, staff_user, other_merchant_staff, shipment, sandbox_advance
):
    client.force_login(staff_user)
    panel = client.get(reverse("shipments:order-panel", args=[shipment.order_id]))
    assert "Refresh tracking" in panel.content.decode()
    url = reverse("shipments:refresh", args=[shipment.pk])
    sandbox_advance(shipment.tracking_number, until="OUT_FOR_DELIVERY")
    answer = client.post(url, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "Status updated." in html
    assert "Out for delivery" in html
    assert "Up to date" in client.post(url, HTTP_HX_REQUEST="true").content.decode()
    client.force_login(other_merchant_staff)
    assert client.post(url, HTTP_HX_REQUEST="true").status_code == 404
