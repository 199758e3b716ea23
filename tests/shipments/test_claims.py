from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from orders.models import OrderEvent
from orders.state_machine import OrderStatus
from orders.tracking import TrackingStatus as T
from shipments.models import Claim
from tests.factories import OrderFactory
from tests.shipments.factories import ShipmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipment(store):
    order = OrderFactory(
        store=store,
        status=OrderStatus.SHIPPED,
        tracking_number="SBX9",
        tracking_status=T.EXCEPTION,
        currency="SEK",
    )
    return ShipmentFactory(order=order, tracking_number="SBX9", currency="SEK")


def file(client, shipment, **extra):
    data = {
        "reason": "damage",
        "description": "Box crushed",
        "amount": "249.00",
        **extra,
    }
    return client.post(reverse("api-shipment-claims", args=[shipment.pk]), data)


def move(client, claim_id, status, **extra):
    url = reverse("api-claim-status", args=[claim_id])
    return client.post(url, {"status": status, **extra}, format="json")


def test_file_a_claim_with_photos(staff_api, shipment, staff_user):
    photo = SimpleUploadedFile(
        "box.jpg", b"\xff\xd8\xff fake jpeg", content_type="image/jpeg"
    )
    response = file(staff_api, shipment, photos=[photo])
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["amount"], body["currency"]) == (
        "filed",
        "249.00",
        "SEK",
    )
    assert len(body["photos"]) == 1
    note = shipment.order.events.get(kind=OrderEvent.Kind.NOTE)
    assert note.note == "Claim filed: Damaged parcel, 249.00 SEK."
    assert note.actor == staff_user
    listed = staff_api.get(reverse("api-shipment-claims", args=[shipment.pk])).json()
    assert [c["id"] for c in listed] == [body["id"]]


def test_only_photos_are_accepted(staff_api, shipment):
    text = SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")
    response = file(staff_api, shipment, photos=[text])
    assert response.status_code == 400
    assert not Claim.objects.exists()


def test_no_claim_for_a_parcel_without_trouble(staff_api, shipment):
    type(shipment.order).objects.filter(pk=shipment.order_id).update(
        tracking_status=T.IN_TRANSIT
    )
    response = file(staff_api, shipment)
    assert response.status_code == 400
    assert not Claim.objects.exists()


def test_claim_flow_to_paid_with_a_partial_approval(staff_api, shipment):
    claim_id = file(staff_api, shipment).json()["id"]
    assert move(staff_api, claim_id, "approved").status_code == 400  # must be reviewed
    assert move(staff_api, claim_id, "in_review").json()["status"] == "in_review"
    refused = move(staff_api, claim_id, "partly_approved", approved_amount="300.00")
    assert refused.status_code == 400
    partly = move(
        staff_api,
        claim_id,
        "partly_approved",
        approved_amount="120.00",
        note="Courier pays half",
    )
    assert partly.json()["approved_amount"] == "120.00"
    assert move(staff_api, claim_id, "paid").json()["status"] == "paid"
    assert move(staff_api, claim_id, "rejected").status_code == 400  # final
    notes = list(
        shipment.order.events.filter(kind="note").values_list("note", flat=True)
    )
    assert notes[-2:] == ["Claim partly approved. Courier pays half", "Claim paid."]


def test_full_approval_approves_the_claimed_amount(staff_api, shipment):
    claim_id = file(staff_api, shipment).json()["id"]
    move(staff_api, claim_id, "in_review")
    assert move(staff_api, claim_id, "approved").json()["approved_amount"] == "249.00"
    assert Claim.objects.get().approved_amount == Decimal("249.00")


def test_claims_of_other_merchants_are_404(
    api_client, staff_api, shipment, other_merchant_staff
):
    claim_id = file(staff_api, shipment).json()["id"]
    api_client.force_authenticate(other_merchant_staff)
    assert file(api_client, shipment).status_code == 404
    assert (
        api_client.get(reverse("api-shipment-claims", args=[shipment.pk])).status_code
        == 404
    )
    assert move(api_client, claim_id, "in_review").status_code == 404
    assert Claim.objects.get().status == "filed"


def test_orders_api_serves_can_file_claim(staff_api, shipment):
    row = staff_api.get(reverse("api-orders")).json()["results"][0]
    assert row["can_file_claim"] is True
