"""The HTML side of order threads: the order's Messages panel, the Inbox, the
Unmatched inbox, attachments and the metrics page."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from messaging import services
from messaging.models import Message, Thread, ThreadReadState
from messaging.services import IncomingAttachment
from orders.models import Membership
from performile.models import AuditEvent, OutboxMessage
from tests.factories import (
    CustomerFactory,
    MembershipFactory,
    OrderFactory,
    UserFactory,
)

HTMX = {"HX-Request": "true"}
INBOX = reverse("messaging:inbox")
UNMATCHED = reverse("messaging:unmatched")
METRICS = reverse("messaging:metrics")


def panel_url(order, **query):
    url = reverse("messaging:thread", args=[order.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def post_url(order):
    return reverse("messaging:post", args=[order.pk])


@pytest.fixture
def order(store, customer):
    return OrderFactory(store=store, customer=customer, order_number="ORD-10042")


@pytest.fixture
def asked(order, customer):
    """A customer email about the order, with an attachment."""
    return services.message_receive(
        channel=Message.Channel.EMAIL,
        sender=customer.email,
        subject="Where is ORD-10042?",
        body="It has been a week.",
        provider_message_id="<q1@mail.example>",
        attachments=[IncomingAttachment("receipt.pdf", b"%PDF-1.4 receipt")],
    )


@pytest.fixture
def noted(order, staff_user, asked):
    return services.message_add_note(
        order=order, actor=staff_user, body="Check the warehouse first."
    )


def login(client, user):
    client.force_login(user)
    return client


# --- The order's Messages panel ----------------------------------------------------


def test_staff_see_the_thread_with_notes_and_the_note_checkbox(
    client, staff_user, order, noted
):
    """Staff see the customer's message, internal notes labelled, and may write
    one."""
    response = login(client, staff_user).get(panel_url(order), headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "It has been a week." in html
    assert "Check the warehouse first." in html
    assert "Internal note" in html
    assert 'name="internal"' in html
    assert "receipt.pdf" in html


@pytest.mark.parametrize("role", ["supplier", "reseller"])
def test_suppliers_and_resellers_never_see_notes_or_the_checkbox(
    client, request, role, store, second_store, supplier, customer
):
    """A supplier (its assigned order) and a reseller (its store's order) see the
    customer's messages but no internal note and no way to write one."""
    user = request.getfixturevalue(role)
    order = OrderFactory(
        store=second_store if role == "reseller" else store,
        customer=customer,
        supplier=supplier if role == "supplier" else None,
        order_number="ORD-7",
    )
    services.message_send_in_app(order=order, actor=customer.user, body="ORD-7 status?")
    staff = request.getfixturevalue("staff_user")
    services.message_add_note(order=order, actor=staff, body="Secret margin note")
    html = login(client, user).get(panel_url(order), headers=HTMX).content.decode()
    assert "ORD-7 status?" in html
    assert "Secret margin note" not in html
    assert "Internal note" not in html
    assert 'name="internal"' not in html


def test_customers_and_other_merchants_get_404_or_403(
    client, customer, other_merchant_staff, order, asked
):
    """The panel, its posts and attachments answer 404 for an order outside the
    user's view (and 403 to customers, as the whole Orders view does)."""
    attachment = asked.attachments.get()
    urls = [
        panel_url(order),
        reverse("messaging:attachment", args=[attachment.pk]),
    ]
    login(client, other_merchant_staff)
    for url in urls:
        assert client.get(url).status_code == 404
    assert client.post(post_url(order), {"body": "hi"}).status_code == 404
    login(client, customer.user)
    for url in [*urls, INBOX, UNMATCHED, METRICS]:
        assert client.get(url).status_code == 403


def test_opening_the_panel_marks_the_thread_read_but_a_refresh_does_not(
    client, staff_user, order, asked
):
    """An explicit load reads the thread (and tells the page); a live refresh
    leaves the unread unread."""
    login(client, staff_user)
    response = client.get(panel_url(order, refresh=1), headers=HTMX)
    assert 'class="thread-divider"' in response.content.decode()
    assert not ThreadReadState.objects.filter(user=staff_user).exists()
    response = client.get(panel_url(order), headers=HTMX)
    assert "performile:thread-read" in response.headers["HX-Trigger"]
    state = ThreadReadState.objects.get(user=staff_user)
    assert state.last_read_id == asked.pk
    assert AuditEvent.objects.filter(action="message.read").count() == 1
    again = client.get(panel_url(order), headers=HTMX)
    assert "HX-Trigger" not in again.headers
    assert AuditEvent.objects.filter(action="message.read").count() == 1


def test_the_team_sees_who_of_them_read_each_message(
    client, staff_user, merchant, order, asked, supplier
):
    """ "Seen by Anna 09:15" under a message, for the merchant's staff and admins;
    a supplier working on the order sees no receipts."""
    anna = UserFactory(username="anna.staff", first_name="Anna")
    MembershipFactory(user=anna, merchant=merchant, role=Membership.Role.STAFF)
    with time_machine.travel(datetime(2026, 3, 2, 8, 15, tzinfo=UTC), tick=False):
        login(client, anna).get(panel_url(order), headers=HTMX)  # reads it
    order.supplier = supplier
    order.save(update_fields=["supplier"])

    html = login(client, staff_user).get(panel_url(order), headers=HTMX)
    html = html.content.decode()
    seen = html[html.index("data-seen>") : html.index("</p>", html.index("data-seen>"))]
    assert "Seen by Anna" in seen
    assert 'datetime="2026-03-02T' in seen
    assert "anna.staff" not in seen  # the name, not the username
    supplier_view = login(client, supplier).get(panel_url(order), headers=HTMX)
    assert supplier_view.status_code == 200
    assert "Where is ORD-10042?" in supplier_view.content.decode()
    assert "data-seen" not in supplier_view.content.decode()


def test_a_reply_goes_out_on_the_customers_channel_with_a_toast(
    client, staff_user, order, asked
):
    """Auto replies by email (the customer's channel): the message is in the
    re-rendered panel with a Queued chip, and a toast says so."""
    response = login(client, staff_user).post(
        post_url(order), {"body": "On its way today.", "channel": "auto"}, headers=HTMX
    )
    assert response.status_code == 200
    reply = Message.objects.get(direction=Message.Direction.OUTBOUND)
    assert reply.channel == Message.Channel.EMAIL
    assert reply.delivery.status == OutboxMessage.Status.QUEUED
    html = response.content.decode()
    assert "On its way today." in html
    assert 'data-delivery="queued"' in html
    assert "performile:toast" in response.headers["HX-Trigger"]


def test_a_staff_note_is_internal(client, staff_user, order, asked):
    login(client, staff_user).post(
        post_url(order), {"body": "Refund?", "internal": "on"}, headers=HTMX
    )
    note = Message.objects.get(body="Refund?")
    assert note.is_internal
    assert note.delivery is None


def test_a_supplier_cannot_post_a_note_by_forging_the_form(
    client, supplier, store, customer
):
    """The checkbox is not offered to a supplier; sent anyway, it is ignored and
    the text goes out as a public reply, never as a note."""
    order = OrderFactory(store=store, customer=customer, supplier=supplier)
    login(client, supplier).post(
        post_url(order),
        {"body": "Packed", "internal": "on", "channel": "email"},
        headers=HTMX,
    )
    assert not Message.objects.filter(visibility=Message.Visibility.INTERNAL).exists()
    assert Message.objects.get(body="Packed").channel == Message.Channel.EMAIL


def test_a_refused_reply_shows_the_error_in_the_composer(
    client, staff_user, order, asked
):
    """An empty body or an unconfigured channel: 422 with the message inline,
    nothing written."""
    login(client, staff_user)
    response = client.post(post_url(order), {"body": "  "}, headers=HTMX)
    assert response.status_code == 422
    assert "Write a message first." in response.content.decode() or (
        "This field is required." in response.content.decode()
    )
    response = client.post(
        post_url(order), {"body": "Hi", "channel": "whatsapp"}, headers=HTMX
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "WhatsApp is not offered: not set up on this platform." in html
    assert not Message.objects.filter(direction=Message.Direction.OUTBOUND).exists()


def test_the_composer_offers_only_the_channels_a_reply_can_go_by(
    client, staff_user, order, asked
):
    """No provider is set up for SMS or WhatsApp here: the menu leaves them out
    and says why; Auto names where it goes."""
    html = login(client, staff_user).get(panel_url(order), headers=HTMX)
    html = html.content.decode()
    menu = html[
        html.index('name="channel"') : html.index(
            "</select>", html.index('name="channel"')
        )
    ]
    assert 'value="whatsapp"' not in menu
    assert 'value="sms"' not in menu
    assert 'value="in_app"' in menu
    assert "Auto: Email" in menu  # the customer wrote by email
    assert (
        "Not offered: SMS (not set up on this platform); "
        "WhatsApp (not set up on this platform)." in html
    )


def test_without_javascript_a_refused_reply_returns_to_the_order(
    client, staff_user, order
):
    response = login(client, staff_user).post(post_url(order), {"body": " "})
    assert response.status_code == 302
    assert response["Location"].endswith(f"/orders/{order.pk}/#messages")


def test_close_and_reopen(client, staff_user, order, asked):
    login(client, staff_user)
    response = client.post(reverse("messaging:close", args=[order.pk]), headers=HTMX)
    assert response.status_code == 200
    assert Thread.objects.get(order=order).status == Thread.Status.CLOSED
    assert "Reopen" in response.content.decode()
    client.post(reverse("messaging:reopen", args=[order.pk]), headers=HTMX)
    assert Thread.objects.get(order=order).status == Thread.Status.OPEN


def test_the_drawer_loads_the_panel(client, staff_user, order):
    html = (
        login(client, staff_user)
        .get(reverse("orders:detail", args=[order.pk]))
        .content.decode()
    )
    assert panel_url(order) in html
    assert 'id="messages"' in html


# --- Attachments -------------------------------------------------------------------


def test_attachments_download_through_the_access_check(
    client, staff_user, order, asked
):
    attachment = asked.attachments.get()
    response = login(client, staff_user).get(
        reverse("messaging:attachment", args=[attachment.pk])
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 receipt"
    assert "attachment" in response["Content-Disposition"]


def test_an_attachment_of_an_internal_thread_is_hidden_from_a_supplier(
    client, supplier, staff_user, store, customer
):
    """A supplier of another order cannot fetch an attachment by its id."""
    OrderFactory(store=store, customer=customer, supplier=supplier)
    message = services.message_receive(
        channel=Message.Channel.EMAIL,
        sender="stranger@example.com",
        body="hello",
        attachments=[IncomingAttachment("a.txt", b"x")],
    )
    url = reverse("messaging:attachment", args=[message.attachments.get().pk])
    assert login(client, supplier).get(url).status_code == 404


# --- The Inbox -----------------------------------------------------------------------


def test_the_inbox_lists_threads_with_unread_counts(client, staff_user, order, asked):
    response = login(client, staff_user).get(INBOX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "ORD-10042" in html
    assert "It has been a week." in html  # the preview is the text, not the subject
    assert 'data-unread-badge title="1 unread"' in html
    assert 'data-inbox-count="1"' in html  # the nav


def test_the_inbox_shows_mine_unassigned_or_everyones(
    client, staff_user, admin_member, store, customer
):
    mine = OrderFactory(store=store, customer=customer, assigned_staff=staff_user)
    theirs = OrderFactory(store=store, customer=customer, assigned_staff=admin_member)
    nobodys = OrderFactory(store=store, customer=customer)
    for order in (mine, theirs, nobodys):
        services.message_send_in_app(order=order, actor=customer.user, body="Hello")
    login(client, staff_user)

    def numbers(**query):
        html = client.get(INBOX, query).content.decode()
        return {
            o.order_number for o in (mine, theirs, nobodys) if o.order_number in html
        }

    assert numbers() == {mine.order_number, theirs.order_number, nobodys.order_number}
    assert numbers(assignee="mine") == {mine.order_number}
    assert numbers(assignee="unassigned") == {nobodys.order_number}
    html = client.get(INBOX, {"assignee": "mine"}).content.decode()
    assert f"data-assignee>{staff_user.get_full_name() or staff_user.username}<" in html
    assert client.get(INBOX, {"assignee": "someone"}).status_code == 400


def test_a_reply_shows_its_text_in_the_inbox_not_its_subject(
    client, staff_user, order, asked
):
    services.message_reply(order=order, actor=staff_user, body="It ships tomorrow.")
    html = login(client, staff_user).get(INBOX).content.decode()
    assert "You: </span>It ships tomorrow." in html
    assert "Re: Where is ORD-10042?" not in html


def test_the_inbox_search_shows_ranked_hits_for_staff(client, staff_user, order, asked):
    html = login(client, staff_user).get(INBOX, {"q": "week"}).content.decode()
    assert "Best matching messages" in html
    assert "<mark>week</mark>" in html


def test_bad_filters_are_a_400_with_the_errors_not_a_500(client, staff_user, order):
    response = login(client, staff_user).get(
        INBOX, {"channel": "pigeon", "date_from": "yesterday"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "These filters could not be applied." in html
    assert "Channel:" in html
    assert "Use YYYY-MM-DD." in html


def test_bad_filters_by_htmx_replace_only_the_results(client, staff_user):
    response = login(client, staff_user).get(
        INBOX, {"store": "abc"}, headers={**HTMX, "HX-Target": "inbox-results"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert html.lstrip().startswith('<section id="inbox-results"')
    assert "Store: Not an id." in html


def test_filtering_the_inbox_by_htmx_returns_only_the_results(
    client, staff_user, order, asked, store
):
    other = OrderFactory(store=store, order_number="ORD-2")
    services.message_add_system(order=other, body="Shipped")
    response = login(client, staff_user).get(
        INBOX,
        {"channel": "email"},
        headers={**HTMX, "HX-Target": "inbox-results"},
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="inbox-results"')
    assert "ORD-10042" in html
    assert "ORD-2" not in html


def test_a_reseller_sees_only_their_stores_threads_and_no_note_previews(
    client, reseller, staff_user, second_store, store, customer
):
    theirs = OrderFactory(store=second_store, customer=customer, order_number="R-1")
    services.message_send_in_app(order=theirs, actor=customer.user, body="Hello?")
    services.message_add_note(order=theirs, actor=staff_user, body="Internal margin")
    mine_not = OrderFactory(store=store, order_number="S-1")
    services.message_add_system(order=mine_not, body="Created")
    html = login(client, reseller).get(INBOX).content.decode()
    assert "R-1" in html
    assert "S-1" not in html
    assert "Internal margin" not in html
    assert "Hello?" in html


def test_other_merchants_staff_see_none_of_ours(
    client, other_merchant_staff, order, asked
):
    html = login(client, other_merchant_staff).get(INBOX).content.decode()
    assert "ORD-10042" not in html


# --- The Unmatched inbox ----------------------------------------------------------


@pytest.fixture
def stray(merchant):
    """A message no order was found for, in our merchant's unmatched inbox."""
    customer = CustomerFactory(merchant=merchant, email="late@example.com")
    return services.message_receive(
        channel=Message.Channel.EMAIL,
        sender=customer.email,
        subject="My parcel",
        body="Never arrived",
    )


def test_staff_link_an_unmatched_message_to_an_order(client, staff_user, order, stray):
    login(client, staff_user)
    assert stray.thread is None
    html = client.get(UNMATCHED).content.decode()
    assert "late@example.com" in html
    assert "Never arrived" in html
    response = client.post(
        reverse("messaging:link", args=[stray.pk]),
        {"order_number": "ord-10042"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert "Linked to order ORD-10042" in response.content.decode()
    assert "performile:toast" in response.headers["HX-Trigger"]
    stray.refresh_from_db()
    assert stray.thread.order == order


def test_linking_to_an_unknown_or_foreign_order_is_an_inline_error(
    client, staff_user, stray, other_store
):
    OrderFactory(store=other_store, order_number="THEIRS-1")
    login(client, staff_user)
    for number in ("NOPE-1", "THEIRS-1"):
        response = client.post(
            reverse("messaging:link", args=[stray.pk]),
            {"order_number": number},
            headers=HTMX,
        )
        assert response.status_code == 422
        assert f"No order {number}" in response.content.decode()
    stray.refresh_from_db()
    assert stray.thread is None


@pytest.mark.parametrize("role", ["supplier", "reseller", "other_merchant_staff"])
def test_the_unmatched_inbox_is_for_the_merchants_staff(client, request, role, stray):
    """Suppliers and resellers are refused (403); another merchant's staff see an
    empty inbox and cannot link ours (404)."""
    user = request.getfixturevalue(role)
    login(client, user)
    link = reverse("messaging:link", args=[stray.pk])
    if role == "other_merchant_staff":
        assert "Never arrived" not in client.get(UNMATCHED).content.decode()
        assert client.post(link, {"order_number": "X"}).status_code == 404
    else:
        assert client.get(UNMATCHED).status_code == 403
        assert client.post(link, {"order_number": "X"}).status_code == 403


# --- Metrics -------------------------------------------------------------------------


def test_the_metrics_page_shows_stores_and_staff(client, staff_user, order, asked):
    services.message_reply(order=order, actor=staff_user, body="Soon!")
    response = login(client, staff_user).get(METRICS)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Per store" in html
    assert "Nordic Goods" in html
    assert "Per staff member" in html


def test_metrics_with_bad_dates_is_a_400_with_the_default_period(
    client, staff_user, order
):
    response = login(client, staff_user).get(METRICS, {"date_from": "soon"})
    assert response.status_code == 400
    assert "showing the last 30 days" in response.content.decode()


def test_metrics_are_for_staff(client, supplier):
    assert login(client, supplier).get(METRICS).status_code == 403
