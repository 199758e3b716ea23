import base64
import json
from datetime import UTC, date, datetime
from urllib.parse import parse_qs

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from orders.models import OrderEvent
from orders.notifications import (
    order_send_tracking_notification,
    order_tracking_notification,
)
from orders.tracking import TrackingStatus
from performile.errors import ApplicationError, NotAllowed
from performile.models import OutboxMessage
from tests.conftest import TWILIO_MESSAGES_URL
from tests.factories import CustomerFactory, OrderFactory

pytestmark = pytest.mark.django_db
T = TrackingStatus
HTMX = {"HX-Request": "true", "HX-Target": "action-dialog-body"}


def notify_url(order):
    return reverse("orders:notify", args=[order.pk])


@pytest.fixture
def eva(merchant):
    return CustomerFactory(
        merchant=merchant,
        name="Eva Berg",
        email="eva@example.com",
        phone="+46701234567",
    )


def shipped_order(store, customer, **overrides):
    values = {
        "store": store,
        "customer": customer,
        "order_number": "ORD-1",
        "tracking_number": "PN123456",
        "courier": "PostNord",
        "tracking_url": "https://track.example/PN123456",
        "tracking_status": T.IN_TRANSIT,
        "estimated_delivery": date(2026, 11, 27),
    }
    return OrderFactory(**{**values, **overrides})


@pytest.fixture
def order(store, eva):
    return shipped_order(store, eva)


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def send(order, actor, capture):
    with capture(execute=True):
        return order_send_tracking_notification(order=order, actor=actor)


# --- The service ------------------------------------------------------------------


def test_the_email_tells_where_the_parcel_is(
    order, staff_user, twilio, eager_celery, django_capture_on_commit_callbacks
):
    twilio.post(TWILIO_MESSAGES_URL, json={"sid": "SM1"}, status=201)

    send(order, staff_user, django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["eva@example.com"]
    assert email.subject == "Your order ORD-1 is on its way"
    assert email.body.startswith("Hello Eva Berg,\n\n")
    for line in (
        "Your order ORD-1 from Nordic Goods is on its way.",
        "Status: In transit",
        "Tracking number: PN123456 (PostNord)",
        "Track your parcel: https://track.example/PN123456",
        "Estimated delivery: Friday 27 November 2026",
    ):
        assert line in email.body
    assert email.body.endswith("Kind regards,\nNordic Goods")


def test_the_sms_goes_to_twilio_with_its_form_fields_and_basic_auth(
    order, staff_user, twilio, eager_celery, django_capture_on_commit_callbacks
):
    twilio.post(TWILIO_MESSAGES_URL, json={"sid": "SM42"}, status=201)

    messages = send(order, staff_user, django_capture_on_commit_callbacks)

    assert len(twilio.calls) == 1
    request = twilio.calls[0].request
    assert request.url == TWILIO_MESSAGES_URL
    assert parse_qs(request.body) == {
        "To": ["+46701234567"],
        "From": ["+46700000001"],
        "Body": [
            "Nordic Goods: Your order ORD-1 is on its way. Tracking PN123456:"
            " https://track.example/PN123456 Expected Fri 27 Nov."
        ],
    }
    credentials = base64.b64encode(b"AC-test:twilio-token").decode()
    assert request.headers["Authorization"] == f"Basic {credentials}"
    sms = OutboxMessage.objects.get(channel="sms")
    assert (sms.status, sms.provider_message_id, sms.order_id) == (
        "sent",
        "SM42",
        order.pk,
    )
    assert {m.channel for m in messages} == {"email", "sms"}


@pytest.mark.parametrize(
    ("status", "subject", "shows_eta"),
    [
        (T.OUT_FOR_DELIVERY, "Your order ORD-1 is out for delivery", True),
        (T.AVAILABLE_FOR_PICKUP, "Your order ORD-1 is ready for pickup", True),
        (T.DELIVERED, "Your order ORD-1 has been delivered", False),
        (T.EXCEPTION, "A delivery problem with your order ORD-1", True),
        (T.RETURNED, "Your order ORD-1 is being returned", False),
        ("", "Your order ORD-1 is on its way", True),
    ],
)
def test_the_subject_follows_the_tracking_status(
    store, eva, staff_user, status, subject, shows_eta
):
    order = shipped_order(store, eva, tracking_status=status)

    notification = order_tracking_notification(order=order, actor=staff_user)

    assert notification.subject == subject
    assert ("Estimated delivery" in notification.body) is shows_eta


def test_before_the_first_scan_the_status_is_the_orders_own(store, eva, staff_user):
    """A parcel booked for a pending order, not scanned yet: "Status: Pending",
    not "Shipped"."""
    order = shipped_order(store, eva, tracking_status="", status="pending")

    notification = order_tracking_notification(order=order, actor=staff_user)

    assert "Status: Pending" in notification.body
    assert "Shipped" not in notification.body


def test_the_latest_scan_is_shown_in_the_merchants_time_zone(store, eva, staff_user):
    order = shipped_order(
        store,
        eva,
        tracking_event="Arrived at the delivery terminal",
        tracking_event_at=datetime(2026, 11, 25, 13, 5, tzinfo=UTC),
    )

    notification = order_tracking_notification(order=order, actor=staff_user)

    # Europe/Stockholm, the merchant's zone, is UTC+1 in November.
    assert (
        "Latest update: Arrived at the delivery terminal (25 Nov, 14:05)"
        in notification.body
    )


def test_sending_notes_it_on_the_timeline(order, staff_user, twilio):
    messages = order_send_tracking_notification(order=order, actor=staff_user)

    event = order.events.get()
    assert event.kind == OrderEvent.Kind.NOTE
    assert event.actor == staff_user
    assert event.note == (
        "Tracking notification sent by email to eva@example.com and SMS to"
        " +46701234567."
    )
    assert event.data["outbox_message_ids"] == [m.pk for m in messages]
    assert OutboxMessage.objects.filter(order_id=order.pk).count() == 2


def test_a_customer_without_email_or_phone_gets_a_clear_error(store, staff_user):
    nobody = CustomerFactory(merchant=store.merchant, email="", phone="")
    order = shipped_order(store, nobody)

    with pytest.raises(ApplicationError) as error:
        order_send_tracking_notification(order=order, actor=staff_user)

    assert error.value.message == "This customer has no email address or phone number."
    assert not OutboxMessage.objects.exists()
    assert not order.events.exists()


def test_an_order_without_tracking_cannot_be_notified(store, eva, staff_user):
    order = shipped_order(store, eva, tracking_number="", tracking_status="")

    with pytest.raises(ApplicationError, match="has no tracking yet"):
        order_send_tracking_notification(order=order, actor=staff_user)

    assert not OutboxMessage.objects.exists()


def test_without_sms_set_up_only_the_email_goes(order, staff_user):
    """Twilio is not configured in the test settings."""
    notification = order_tracking_notification(order=order, actor=staff_user)
    assert (notification.email, notification.phone) == ("eva@example.com", "")
    assert "Text messages are not set up" in notification.notes[0]

    messages = order_send_tracking_notification(order=order, actor=staff_user)

    assert [m.channel for m in messages] == ["email"]
    assert order.events.get().note == (
        "Tracking notification sent by email to eva@example.com."
    )


def test_a_phone_only_customer_without_sms_set_up_gets_a_clear_error(store, staff_user):
    texter = CustomerFactory(merchant=store.merchant, email="", phone="+46701234567")
    order = shipped_order(store, texter)

    with pytest.raises(ApplicationError, match="Text messages are not set up"):
        order_send_tracking_notification(order=order, actor=staff_user)


def test_a_supplier_not_assigned_to_the_order_may_not_notify(order, supplier):
    with pytest.raises(NotAllowed):
        order_send_tracking_notification(order=order, actor=supplier)

    assert not OutboxMessage.objects.exists()


# --- The dialog ------------------------------------------------------------------


def test_the_dialog_shows_who_gets_what_and_a_send_button(staff_client, order, twilio):
    response = staff_client.get(notify_url(order), headers=HTMX)

    assert response.status_code == 200
    page = response.content.decode()
    assert '<h2 id="notify-title">' in page
    assert "data-dialog-close" in page
    assert '<dd data-channel="email">eva@example.com</dd>' in page
    assert 'data-channel="sms">+46701234567</dd>' in page
    assert "Your order ORD-1 is on its way" in page
    assert f'hx-post="{notify_url(order)}"' in page
    assert "Send now" in page
    assert "<html" not in page  # a fragment for #action-dialog-body
    assert not OutboxMessage.objects.exists()


def test_the_dialog_explains_when_there_is_nobody_to_notify(staff_client, store):
    order = shipped_order(store, CustomerFactory(merchant=store.merchant, email=""))

    response = staff_client.get(notify_url(order), headers=HTMX)

    assert response.status_code == 200
    page = response.content.decode()
    assert "This customer has no email address or phone number." in page
    assert "Send now" not in page


def test_sending_from_the_dialog_queues_and_closes_it_with_a_toast(
    staff_client, order, twilio
):
    response = staff_client.post(notify_url(order), headers=HTMX)

    assert response.status_code == 204
    assert json.loads(response.headers["HX-Trigger"]) == {
        "performile:toast": {
            "text": "Tracking notification sent by email to eva@example.com and SMS"
            " to +46701234567.",
            "level": "success",
        },
        "performile:dialog-done": {},
    }
    assert OutboxMessage.objects.filter(order_id=order.pk).count() == 2


def test_a_refused_send_shows_the_reason_in_the_dialog(staff_client, store):
    order = shipped_order(store, CustomerFactory(merchant=store.merchant, email=""))

    response = staff_client.post(notify_url(order), headers=HTMX)

    assert response.status_code == 422
    assert "This customer has no email address or phone number." in (
        response.content.decode()
    )


def test_without_htmx_sending_redirects_to_the_order_with_a_message(
    staff_client, order
):
    response = staff_client.post(notify_url(order))

    assert response.status_code == 302
    assert response.url == order.get_absolute_url()
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Tracking notification sent by email to eva@example.com."
    ]


def test_without_htmx_the_dialog_is_a_page(staff_client, order):
    response = staff_client.get(notify_url(order))

    assert response.status_code == 200
    assert "<html" in response.content.decode()


def test_another_merchants_order_is_not_found(client, other_merchant_staff, order):
    client.force_login(other_merchant_staff)

    assert client.get(notify_url(order), headers=HTMX).status_code == 404
    assert client.post(notify_url(order), headers=HTMX).status_code == 404
    assert not OutboxMessage.objects.exists()


def test_a_customer_cannot_use_the_orders_view(client, customer, store):
    own = shipped_order(store, customer)
    client.force_login(customer.user)

    assert client.get(notify_url(own)).status_code == 403
    assert client.post(notify_url(own)).status_code == 403
    assert not OutboxMessage.objects.exists()


def test_a_member_elsewhere_who_only_bought_the_order_may_not_notify(
    client, other_merchant_staff, store
):
    """They see the order as its customer, but may not work on it."""
    buyer = CustomerFactory(merchant=store.merchant, user=other_merchant_staff)
    order = shipped_order(store, buyer)
    client.force_login(other_merchant_staff)

    assert client.get(notify_url(order), headers=HTMX).status_code == 403
    assert client.post(notify_url(order), headers=HTMX).status_code == 403
    assert not OutboxMessage.objects.exists()


def test_a_supplier_sees_only_the_orders_assigned_to_them(client, supplier, order, eva):
    client.force_login(supplier)
    assert client.get(notify_url(order), headers=HTMX).status_code == 404

    mine = shipped_order(order.store, eva, order_number="ORD-2", supplier=supplier)
    assert client.get(notify_url(mine), headers=HTMX).status_code == 200
    assert client.post(notify_url(mine), headers=HTMX).status_code == 204


def test_signed_out_visitors_are_sent_to_sign_in(client, order):
    response = client.get(notify_url(order))

    assert response.status_code == 302
    assert "/accounts/login/" in response.url
