from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from orders import services
from orders.models import Customer, Order, OrderEvent
from orders.state_machine import OrderStatus
from tests.factories import OrderFactory, StoreFactory

S = OrderStatus
LIST = reverse("orders:list")
CREATE = reverse("orders:create")
HTMX = {"HX-Request": "true"}
TABLE = {**HTMX, "HX-Target": "orders-table"}


def detail_url(order):
    return reverse("orders:detail", args=[order.pk])


def status_url(order):
    return reverse("orders:change-status", args=[order.pk])


def assign_url(order):
    return reverse("orders:assign", args=[order.pk])


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def new_order_form(store, **overrides):
    data = {
        "store": store.pk,
        "order_number": "M-1001",
        "status": S.PENDING,
        "amount": "$150.00",
        "customer_name": "Astrid Lind",
        "customer_email": "astrid@example.com",
        "customer_phone": "+46 70 123 45 67",
        "address_name": "Astrid Lind",
        "address_line1": "Storgatan 1",
        "address_postal_code": "111 22",
        "address_city": "Stockholm",
        "address_country": "se",
        "weight_kg": "2.5",
        "length_cm": "30",
    }
    return {**data, **overrides}


# --- Signing in ----------------------------------------------------------------


@pytest.mark.django_db
def test_signed_out_visitor_is_sent_to_sign_in(client):
    """The Orders view asks for sign-in and comes back afterwards."""
    response = client.get(LIST)
    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={LIST}"


@pytest.mark.django_db
def test_htmx_request_after_session_ended_reloads_into_sign_in(client):
    """An expired session in a fragment request sends the whole page to sign-in."""
    response = client.get(LIST, headers={**TABLE, "HX-Current-URL": "/orders/"})
    assert response.status_code == 200
    assert response.headers["HX-Redirect"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_sign_in_page_has_the_app_look(client):
    response = client.get(reverse("account_login"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "css/app.css" in body
    assert "Email or username" in body


# --- The list ----------------------------------------------------------------------


def test_list_shows_the_users_orders_and_not_another_merchants(
    staff_client, store, other_store
):
    """Staff see their merchant's orders; another merchant's never appear."""
    OrderFactory(store=store, order_number="ORD-MINE")
    OrderFactory(store=other_store, order_number="ORD-THEIRS")

    response = staff_client.get(LIST)

    assert response.status_code == 200
    assert "ORD-MINE" in response.content.decode()
    assert "ORD-THEIRS" not in response.content.decode()


def test_row_shows_tracking_link_badge_and_flags(staff_client, store):
    """A tracked parcel links to the courier; an untracked order asks for action."""
    OrderFactory(
        store=store,
        order_number="ORD-TRACKED",
        status=S.SHIPPED,
        tracking_number="370123456789",
        courier="PostNord",
        tracking_url="https://tracking.example/370123456789",
        tracking_status="in_transit",
    )
    OrderFactory(store=store, order_number="ORD-UNTRACKED", status=S.PENDING)

    body = staff_client.get(LIST).content.decode()

    assert 'href="https://tracking.example/370123456789"' in body
    assert "badge--blue" in body
    assert "Live" in body
    assert "No tracking" in body
    assert "Book shipment" in body
    assert "badge--orange" in body
    assert 'data-reason="no_tracking"' in body  # why it needs action


def test_filters_narrow_the_table(staff_client, store, second_store):
    """Status, store, search, tracking and needs-action filters each narrow the
    table; an htmx request gets the table alone."""
    OrderFactory(store=store, order_number="A-SHIPPED", status=S.SHIPPED)
    OrderFactory(store=store, order_number="A-PENDING", status=S.PENDING)
    OrderFactory(
        store=second_store,
        order_number="B-TRACKED",
        status=S.CONFIRMED,
        tracking_number="TRK-42",
    )

    def numbers(**params):
        response = staff_client.get(LIST, params, headers=TABLE)
        assert response.status_code == 200
        body = response.content.decode()
        assert "<html" not in body
        return {n for n in ("A-SHIPPED", "A-PENDING", "B-TRACKED") if n in body}

    assert numbers() == {"A-SHIPPED", "A-PENDING", "B-TRACKED"}
    assert numbers(status=S.SHIPPED) == {"A-SHIPPED"}
    assert numbers(store=second_store.pk) == {"B-TRACKED"}
    assert numbers(q="TRK-42") == {"B-TRACKED"}
    assert numbers(q="a-pend") == {"A-PENDING"}
    assert numbers(has_tracking="true") == {"B-TRACKED"}
    assert numbers(needs_action="true") == {"A-PENDING"}


def test_open_orders_by_default_and_all_on_request(staff_client, store):
    """Delivered and cancelled orders hide until 'All orders' is chosen."""
    OrderFactory(store=store, order_number="OPEN-1", status=S.PENDING)
    OrderFactory(store=store, order_number="DONE-1", status=S.DELIVERED)

    default = staff_client.get(LIST).content.decode()
    everything = staff_client.get(LIST, {"state": ""}).content.decode()

    assert "OPEN-1" in default
    assert "DONE-1" not in default
    assert "OPEN-1" in everything
    assert "DONE-1" in everything


def test_date_range_filter(staff_client, store):
    OrderFactory(
        store=store, order_number="OLD", placed_at=datetime(2025, 1, 5, 12, tzinfo=UTC)
    )
    OrderFactory(
        store=store, order_number="NEW", placed_at=datetime(2025, 3, 5, 12, tzinfo=UTC)
    )

    body = staff_client.get(
        LIST, {"created_after": "2025-02-01", "created_before": "2025-12-31"}
    ).content.decode()

    assert "NEW" in body
    assert "OLD" not in body


def test_invalid_filter_shows_a_message_not_an_error_page(staff_client, store):
    response = staff_client.get(LIST, {"created_after": "yesterday-ish"})

    assert response.status_code == 400
    assert "These filters could not be applied" in response.content.decode()
    assert "From: Enter a valid date." in response.content.decode()


def test_dates_show_in_the_merchants_time_zone(staff_client, store):
    """23:30 UTC on 8 Nov is 00:30 on 9 Nov in Stockholm."""
    OrderFactory(store=store, placed_at=datetime(2025, 11, 8, 23, 30, tzinfo=UTC))

    body = staff_client.get(LIST).content.decode()

    assert "9 Nov 2025" in body
    assert "Europe/Stockholm" in body


def test_keyset_pages_walk_older_and_back_newer(staff_client, store):
    """25 rows a page; Older and Newer cut at ids and come back to the same rows."""
    orders = [OrderFactory(store=store, order_number=f"P-{n:03d}") for n in range(30)]
    newest_first = [o.order_number for o in reversed(orders)]

    first = staff_client.get(LIST)
    page = first.context["page"]
    assert [o.order_number for o in page.rows] == newest_first[:25]
    assert page.newer is None
    assert page.older == page.rows[-1].pk

    second = staff_client.get(LIST, {"before": page.older}, headers=TABLE)
    older = second.context["page"]
    assert [o.order_number for o in older.rows] == newest_first[25:]
    assert older.older is None
    assert older.newer == older.rows[0].pk
    assert f"after={older.newer}" in second.content.decode()

    back = staff_client.get(LIST, {"after": older.newer}).context["page"]
    assert [o.order_number for o in back.rows] == newest_first[:25]
    assert back.newer is None


def test_supplier_sees_only_orders_assigned_to_them(client, supplier, store):
    OrderFactory(store=store, order_number="FOR-SUPPLIER", supplier=supplier)
    unassigned = OrderFactory(store=store, order_number="NOT-FOR-SUPPLIER")
    client.force_login(supplier)

    body = client.get(LIST).content.decode()

    assert "FOR-SUPPLIER" in body
    assert "NOT-FOR-SUPPLIER" not in body
    assert "New order" not in body
    assert client.get(detail_url(unassigned), headers=HTMX).status_code == 404


# --- The drawer -------------------------------------------------------------------


def test_drawer_shows_the_order_and_its_timeline(staff_client, staff_user, store):
    order = services.order_create(
        store=store, order_number="TL-1", actor=staff_user, amount=Decimal("99.50")
    )
    services.order_change_status(
        order=order, to=S.CONFIRMED, actor=staff_user, note="Paid by invoice"
    )

    response = staff_client.get(detail_url(order), headers=HTMX)
    body = response.content.decode()

    assert response.status_code == 200
    assert "<html" not in body
    assert "Order TL-1" in body
    assert "Pending → Confirmed" in body
    assert "Paid by invoice" in body
    assert staff_user.get_full_name() in body
    assert "€99.50" in body


def test_detail_opened_directly_is_a_full_page(staff_client, store):
    order = OrderFactory(store=store, order_number="PAGE-1")

    body = staff_client.get(detail_url(order)).content.decode()

    assert "<html" in body
    assert "Order PAGE-1" in body
    assert "All orders" in body


def test_the_order_page_shows_labels_not_codes(staff_client, store):
    order = OrderFactory(
        store=store,
        order_number="LBL-1",
        source="shopify",
        payment_method="shopify_payments",
        status=S.SHIPPED,
        tracking_number="SBX1",
        courier="Sandbox Post",
        tracking_status="in_transit",
    )

    body = staff_client.get(detail_url(order)).content.decode()

    assert "Shopify Payments" in body
    assert "shopify_payments" not in body
    assert "In transit" in body  # the parcel status, by its label
    assert "Shipped" in body


@pytest.mark.parametrize(
    ("code", "shown"),
    [
        ("shopify_payments", "Shopify Payments"),
        ("bank_transfer", "Bank transfer"),
        ("store_credit", "Store credit"),
        ("Swedbank transfer", "Swedbank transfer"),
        ("", ""),
    ],
    ids=["known", "desk-choice", "unknown-code", "free-text", "empty"],
)
def test_payment_methods_read_as_words(code, shown):
    from orders.labels import payment_method_label

    assert payment_method_label(code) == shown


def test_every_time_on_the_order_page_is_in_the_merchants_zone(staff_client, store):
    """13:02 UTC on 8 Nov is 14:02 CET in Stockholm: the page, its timeline and
    the parcel's scans (a panel of its own) all say so, and name the zone."""
    from tests.shipments.factories import ShipmentFactory, scan

    order = OrderFactory(
        store=store,
        placed_at=datetime(2025, 11, 8, 13, 2, tzinfo=UTC),
        tracking_number="SBX2",
    )
    shipment = ShipmentFactory(order=order, tracking_number="SBX2")
    scan(shipment, datetime(2025, 11, 9, 8, 30, tzinfo=UTC))

    page = staff_client.get(detail_url(order)).content.decode()
    drawer = staff_client.get(detail_url(order), headers=HTMX).content.decode()
    panel = staff_client.get(
        reverse("shipments:order-panel", args=[order.pk]), headers=HTMX
    ).content.decode()

    for body in (page, drawer):
        assert "8 Nov 2025, 14:02 CET" in body
        assert "Times in Europe/Stockholm" in body
    assert "9 Nov 09:30" in panel
    assert "9 Nov 2025, 09:30 CET" in panel


def test_the_page_refreshed_by_htmx_stays_a_page(staff_client, store):
    order = OrderFactory(store=store)

    body = staff_client.get(detail_url(order) + "?where=page", headers=HTMX)

    assert 'name="where" value="page"' in body.content.decode()
    assert "Close details" not in body.content.decode()


def test_another_merchants_order_is_not_found(staff_client, other_store):
    """Not yours looks exactly like does not exist, in every door."""
    theirs = OrderFactory(store=other_store, status=S.PENDING)

    assert staff_client.get(detail_url(theirs), headers=HTMX).status_code == 404
    page = staff_client.get(detail_url(theirs))
    assert page.status_code == 404
    assert "We couldn't find that page" in page.content.decode()
    post = staff_client.post(status_url(theirs), {"status": S.CONFIRMED})
    assert post.status_code == 404
    parcel = reverse("shipments:order-panel", args=[theirs.pk])
    assert staff_client.get(parcel, headers=HTMX).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == S.PENDING


# --- Status and assignment -----------------------------------------------------------


def test_status_change_updates_drawer_and_row(staff_client, store):
    order = OrderFactory(store=store, status=S.PENDING)

    response = staff_client.post(
        status_url(order),
        {"status": S.CONFIRMED, "note": "Ready to pack", "where": "drawer"},
        headers=HTMX,
    )
    body = response.content.decode()

    order.refresh_from_db()
    assert response.status_code == 200
    assert order.status == S.CONFIRMED
    assert f'id="order-{order.pk}"' in body
    assert 'hx-swap-oob="true"' in body
    assert "Ready to pack" in body
    assert f"Order {order.order_number} is now Confirmed." in body


def test_disallowed_status_change_shows_an_error_and_changes_nothing(
    staff_client, store
):
    order = OrderFactory(store=store, status=S.PENDING)

    response = staff_client.post(
        status_url(order), {"status": S.DELIVERED, "where": "drawer"}, headers=HTMX
    )

    order.refresh_from_db()
    assert response.status_code == 422
    assert "cannot go from Pending to Delivered" in response.content.decode()
    assert order.status == S.PENDING
    assert not OrderEvent.objects.filter(order=order).exists()


def test_status_change_without_htmx_redirects_to_the_order(staff_client, store):
    order = OrderFactory(store=store, status=S.PENDING)

    response = staff_client.post(status_url(order), {"status": S.CANCELLED})

    assert response.status_code == 302
    assert response.url == detail_url(order)
    order.refresh_from_db()
    assert order.status == S.CANCELLED


def test_staff_assign_a_supplier(staff_client, store, supplier):
    order = OrderFactory(store=store)

    response = staff_client.post(
        assign_url(order), {"supplier": supplier.pk, "where": "drawer"}, headers=HTMX
    )

    order.refresh_from_db()
    assert response.status_code == 200
    assert order.supplier == supplier
    assert "assignment saved" in response.content.decode()


def test_reseller_cannot_assign(client, reseller, second_store, supplier):
    """Only the merchant's staff may assign; a reseller gets the service's answer."""
    order = OrderFactory(store=second_store)
    client.force_login(reseller)

    drawer = client.get(detail_url(order), headers=HTMX).content.decode()
    response = client.post(assign_url(order), {"supplier": supplier.pk}, headers=HTMX)

    assert "Save assignment" not in drawer
    assert response.status_code == 422
    assert "Only the merchant&#x27;s staff can assign orders." in (
        response.content.decode()
    )
    order.refresh_from_db()
    assert order.supplier is None


# --- New order -------------------------------------------------------------------------


def test_new_order_form_lists_only_the_users_stores(staff_client, store, other_store):
    body = staff_client.get(CREATE).content.decode()
    assert store.name in body
    assert other_store.name not in body


def test_create_order_with_tracking(staff_client, staff_user, store):
    response = staff_client.post(
        CREATE,
        new_order_form(
            store,
            tracking_number="370123456789",
            courier="PostNord",
            tracking_url="https://tracking.example/370123456789",
        ),
    )

    order = Order.objects.get(order_number="M-1001")
    assert response.status_code == 302
    assert response.url == detail_url(order)
    assert order.tracking_number == "370123456789"
    assert order.courier == "PostNord"
    assert (order.amount, order.currency) == (Decimal("150.00"), "USD")
    assert order.created_by == staff_user
    assert order.delivery_address == {
        "name": "Astrid Lind",
        "line1": "Storgatan 1",
        "postal_code": "111 22",
        "city": "Stockholm",
        "country": "SE",
    }
    assert order.package == {"weight_kg": "2.5", "length_cm": "30"}
    assert order.customer.phone == "+46701234567"
    assert order.events.get().kind == OrderEvent.Kind.CREATED


def test_create_order_without_tracking_in_the_stores_currency(staff_client, store):
    """Without a currency in the amount, the store's is used; no tracking means
    the order waits for a shipment to be booked."""
    store.currency = "SEK"
    store.save(update_fields=["currency"])

    response = staff_client.post(
        CREATE,
        new_order_form(
            store, amount="150", customer_name="", customer_email="", customer_phone=""
        ),
        follow=True,
    )

    order = Order.objects.get(order_number="M-1001")
    assert (order.amount, order.currency) == (Decimal("150.00"), "SEK")
    assert order.tracking_number == ""
    assert order.can_book_shipment
    assert order.customer is None
    assert "Order M-1001 created." in response.content.decode()


def test_create_reuses_the_merchants_customer(staff_client, store):
    existing = Customer.objects.create(
        merchant=store.merchant, customer_number="C-1", email="astrid@example.com"
    )

    staff_client.post(CREATE, new_order_form(store))

    assert Order.objects.get(order_number="M-1001").customer == existing


def test_duplicate_order_number_is_a_form_error(staff_client, store):
    OrderFactory(store=store, order_number="M-1001")

    response = staff_client.post(CREATE, new_order_form(store))

    assert response.status_code == 422
    assert "Already used in this store." in response.content.decode()
    assert Order.objects.filter(order_number="M-1001").count() == 1
    assert not Customer.objects.filter(email="astrid@example.com").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("amount", "a lot", "is not an amount"),
        ("amount", "-5", "cannot be negative"),
        ("customer_phone", "12", "not a possible phone number"),
        ("address_country", "Sweden", "two-letter country code"),
    ],
)
def test_invalid_new_order_input_is_explained(
    staff_client, store, field, value, message
):
    response = staff_client.post(CREATE, new_order_form(store, **{field: value}))

    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Order.objects.exists()


def test_new_order_in_a_store_of_another_merchant_is_refused(staff_client, other_store):
    response = staff_client.post(CREATE, new_order_form(other_store))

    assert response.status_code == 422
    assert not Order.objects.exists()


def test_supplier_cannot_create_orders(client, supplier, store):
    """A supplier's store choice passes the form; the service refuses it."""
    OrderFactory(store=store, supplier=supplier)
    client.force_login(supplier)

    response = client.post(CREATE, new_order_form(store))

    assert response.status_code == 422
    assert "You cannot create orders in this store." in response.content.decode()
    assert Order.objects.count() == 1


def test_superuser_sees_every_merchant_in_utc(client, django_user_model, store):
    """Merchants in different time zones share no local time: UTC is shown."""
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "x")
    OrderFactory(store=store, order_number="S-1")
    far_away = StoreFactory(merchant__timezone="America/New_York")
    OrderFactory(store=far_away, order_number="S-2")
    client.force_login(admin)

    body = client.get(LIST).content.decode()

    assert "S-1" in body
    assert "S-2" in body
    assert "Times in UTC" in body


def test_customer_name_alone_is_not_silently_dropped(staff_client, store):
    """A customer is found again by email or phone, so a bare name asks for one."""
    response = staff_client.post(
        CREATE, new_order_form(store, customer_email="", customer_phone="")
    )

    assert response.status_code == 422
    assert "Add an email or a phone number" in response.content.decode()


def test_blank_filter_fields_mean_any(staff_client, store):
    """The filter form submits every field; blank ones do not filter."""
    OrderFactory(store=store, order_number="ANY-1", status=S.PENDING)
    blank = dict.fromkeys(
        ("q", "status", "store", "has_tracking", "created_after", "created_before"),
        "",
    )

    response = staff_client.get(LIST, {**blank, "state": "open"}, headers=TABLE)

    assert response.status_code == 200
    assert "ANY-1" in response.content.decode()


def test_tracking_link_is_only_ever_http(staff_client, store):
    """A tracking URL a webshop sent is a link only when it is http(s)."""
    OrderFactory(
        store=store,
        order_number="XSS-1",
        tracking_number="T-1",
        tracking_url="javascript:alert(document.cookie)",
    )

    body = staff_client.get(LIST).content.decode()

    assert "XSS-1" in body
    assert "javascript:" not in body


def test_a_nonsense_cursor_shows_the_newest_page(staff_client, store):
    OrderFactory(store=store, order_number="CUR-1")

    response = staff_client.get(LIST, {"before": "abc", "after": "-3"})

    assert response.status_code == 200
    assert "CUR-1" in response.content.decode()
