"""The Orders view's "File claim" dialog: a claim for the order's latest shipment."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from orders.models import OrderEvent
from orders.state_machine import OrderStatus
from orders.tracking import TrackingStatus as T
from shipments.models import Claim
from tests.factories import OrderFactory
from tests.shipments.factories import ShipmentFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def claim_url(order):
    return reverse("shipments:claim", args=[order.pk])


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def order(store):
    return OrderFactory(
        store=store,
        order_number="ORD-1",
        status=OrderStatus.SHIPPED,
        tracking_number="SBX2",
        tracking_status=T.EXCEPTION,
        currency="SEK",
    )


@pytest.fixture
def shipment(order):
    """The latest of the order's two shipments (the first was re-booked)."""
    ShipmentFactory(
        order=order,
        tracking_number="SBX1",
        created_at=timezone.now() - timedelta(days=2),
    )
    return ShipmentFactory(order=order, tracking_number="SBX2")


def photo(name="box.jpg"):
    return SimpleUploadedFile(
        name, b"\xff\xd8\xff fake jpeg", content_type="image/jpeg"
    )


def test_claim_dialog_offers_the_form(staff_client, shipment):
    response = staff_client.get(claim_url(shipment.order), headers=HTMX)

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert '<h2 id="claim-title">File claim · Order ORD-1</h2>' in body
    assert "SBX2" in body
    assert 'hx-encoding="multipart/form-data"' in body
    for value, label in Claim.Reason.choices:
        assert f'<option value="{value}">{label}</option>' in body
    assert 'name="currency" value="SEK"' in body
    assert 'type="file" name="photos"' in body
    assert "multiple" in body


def test_filing_a_claim_with_a_photo(staff_client, staff_user, shipment):
    """The claim is filed for the latest shipment, with its photo and a note on the
    order's timeline; the dialog closes with a toast."""
    response = staff_client.post(
        claim_url(shipment.order),
        {
            "reason": "damage",
            "amount": "249,00",
            "currency": "sek",
            "description": "Box crushed",
            "photos": [photo(), photo("side.jpg")],
        },
        headers=HTMX,
    )

    assert response.status_code == 200
    assert json.loads(response.headers["HX-Trigger"]) == {
        "performile:toast": {"text": "Claim filed for ORD-1.", "level": "success"},
        "performile:dialog-done": {},
    }
    claim = Claim.objects.get()
    assert claim.shipment == shipment
    assert (claim.reason, claim.amount, claim.currency) == (
        "damage",
        Decimal("249.00"),
        "SEK",
    )
    assert claim.filed_by == staff_user
    assert claim.photos.count() == 2
    note = shipment.order.events.get(kind=OrderEvent.Kind.NOTE)
    assert note.note == "Claim filed: Damaged parcel, 249.00 SEK."


def test_filing_without_htmx_returns_to_the_order(staff_client, shipment):
    response = staff_client.post(
        claim_url(shipment.order),
        {"reason": "loss", "amount": "100", "currency": "SEK", "description": "Gone"},
    )

    assert response.status_code == 302
    assert response.url == shipment.order.get_absolute_url()
    assert Claim.objects.get().reason == "loss"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"amount": "a lot"}, "is not an amount"),
        ({"amount": "0"}, "Claim an amount above zero."),
        ({"amount": "€20"}, "This amount is in EUR, but the currency is SEK."),
        ({"description": ""}, "This field is required."),
        ({"reason": "boredom"}, "Select a valid choice."),
    ],
)
def test_invalid_claims_are_explained_with_422(staff_client, shipment, data, message):
    form = {
        "reason": "damage",
        "amount": "249.00",
        "currency": "SEK",
        "description": "Box crushed",
        **data,
    }
    response = staff_client.post(claim_url(shipment.order), form, headers=HTMX)

    assert response.status_code == 422
    assert message in response.content.decode()
    assert "HX-Trigger" not in response.headers
    assert not Claim.objects.exists()


def test_a_file_that_is_not_a_photo_is_refused(staff_client, shipment):
    """The service's answer lands on the photos field."""
    text = SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")
    response = staff_client.post(
        claim_url(shipment.order),
        {
            "reason": "damage",
            "amount": "10",
            "currency": "SEK",
            "description": "x",
            "photos": [text],
        },
        headers=HTMX,
    )

    assert response.status_code == 422
    assert "Not a photo." in response.content.decode()
    assert not Claim.objects.exists()


def test_an_order_without_a_shipment_has_nothing_to_claim(staff_client, order):
    assert staff_client.get(claim_url(order), headers=HTMX).status_code == 404


def test_another_merchants_order_is_not_found(staff_client, other_store):
    theirs = OrderFactory(
        store=other_store, tracking_number="SBX9", tracking_status=T.EXCEPTION
    )
    ShipmentFactory(order=theirs, tracking_number="SBX9")

    assert staff_client.get(claim_url(theirs)).status_code == 404
    response = staff_client.post(
        claim_url(theirs),
        {"reason": "loss", "amount": "1", "currency": "EUR", "description": "x"},
    )
    assert response.status_code == 404
    assert not Claim.objects.exists()


def test_supplier_cannot_claim_for_an_order_not_assigned_to_them(
    client, supplier, shipment
):
    client.force_login(supplier)

    assert client.get(claim_url(shipment.order)).status_code == 404


def test_parcel_without_trouble_explains_instead_of_offering_the_form(
    staff_client, shipment
):
    type(shipment.order).objects.filter(pk=shipment.order_id).update(
        tracking_status=T.IN_TRANSIT
    )

    response = staff_client.get(claim_url(shipment.order), headers=HTMX)

    assert response.status_code == 200
    assert "A claim can be filed once the parcel" in response.content.decode()
    assert 'name="reason"' not in response.content.decode()
