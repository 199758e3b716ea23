"""The Orders view's row menu: edit and delete an order (and restore it in the
admin), and which quick actions each row offers to whom."""

import json
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from orders import services
from orders.models import Order, OrderEvent
from orders.state_machine import OrderStatus
from performile.errors import NotAllowed
from tests.factories import OrderFactory, UserFactory

pytestmark = pytest.mark.django_db

S = OrderStatus
HTMX = {"HX-Request": "true"}
ALL_ORDERS = reverse("orders:list") + "?state="


def edit_url(order):
    return reverse("orders:edit", args=[order.pk])


def delete_url(order):
    return reverse("orders:delete", args=[order.pk])


def triggers(response) -> dict:
    return json.loads(response.headers.get("HX-Trigger", "{}"))


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def order(store):
    return OrderFactory(
        store=store,
        order_number="ORD-1",
        service="",
        payment_method="card",
        amount=Decimal("150.00"),
        currency="EUR",
        notes="Leave at the door.\nRing twice.",
        delivery_address={
            "name": "Astrid Lind",
            "company": "Lind AB",
            "line1": "Storgatan 1",
            "postal_code": "111 22",
            "city": "Stockholm",
            "country": "SE",
            "phone": "+46701234567",
        },
    )


def edit_form(order, **overrides):
    """What the dialog posts back when nothing is touched, plus `overrides`."""
    address = order.delivery_address
    data = {
        "service": order.service,
        "payment_method": order.payment_method,
        "amount": f"{order.amount:.2f}",
        "currency": order.currency,
        # A browser sends a textarea's line breaks as CRLF.
        "notes": order.notes.replace("\n", "\r\n"),
        **{
            f"address_{name}": address.get(name, "")
            for name in (
                "name",
                "line1",
                "line2",
                "postal_code",
                "city",
                "country",
                "phone",
            )
        },
    }
    return {**data, **overrides}


# --- Edit ----------------------------------------------------------------------------


def test_edit_dialog_shows_the_order_prefilled(staff_client, order):
    """The dialog is a fragment, titled for the dialog, with the order's values."""
    response = staff_client.get(edit_url(order), headers=HTMX)

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert '<h2 id="order-edit-title">Edit order ORD-1</h2>' in body
    assert "data-dialog-close" in body
    assert 'value="150.00"' in body
    assert 'value="Storgatan 1"' in body
    assert 'value="+46701234567"' in body
    assert "Ring twice." in body


def test_edit_saves_the_changed_fields_with_an_event(staff_client, staff_user, order):
    """Only what changed is written, the address keeps what the form does not show,
    and the page gets a toast, a closed dialog and a fresh row."""
    response = staff_client.post(
        edit_url(order),
        edit_form(order, amount="199,50", address_city="Uppsala"),
        headers=HTMX,
    )

    assert response.status_code == 200
    assert triggers(response) == {
        "performile:toast": {"text": "Order ORD-1 updated.", "level": "success"},
        "performile:dialog-done": {},
    }
    assert f'id="order-{order.pk}"' in response.content.decode()
    assert 'hx-swap-oob="true"' in response.content.decode()
    order.refresh_from_db()
    assert order.amount == Decimal("199.50")
    assert order.delivery_address["city"] == "Uppsala"
    assert order.delivery_address["company"] == "Lind AB"
    assert order.notes == "Leave at the door.\nRing twice."
    event = order.events.get()
    assert event.kind == OrderEvent.Kind.UPDATED
    assert event.actor == staff_user
    assert set(event.data["changed"]) == {"amount", "delivery_address"}
    assert event.data["changed"]["amount"] == "150.00"


def test_clearing_an_address_field_removes_it(staff_client, order):
    staff_client.post(edit_url(order), edit_form(order, address_phone=""))

    order.refresh_from_db()
    assert "phone" not in order.delivery_address
    assert order.delivery_address["line1"] == "Storgatan 1"


def test_edit_without_changes_says_so_and_writes_nothing(staff_client, order):
    response = staff_client.post(edit_url(order), edit_form(order), headers=HTMX)

    assert response.status_code == 200
    assert triggers(response)["performile:toast"] == {
        "text": "Nothing to change",
        "level": "info",
    }
    assert not order.events.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("amount", "lots", "is not an amount"),
        ("amount", "$20", "This amount is in USD, but the currency is EUR."),
        ("currency", "EURO", "three-letter currency code"),
        ("address_phone", "12", "Include the country code"),
    ],
)
def test_invalid_input_is_shown_in_the_dialog_with_422(
    staff_client, order, field, value, message
):
    response = staff_client.post(
        edit_url(order), edit_form(order, **{field: value}), headers=HTMX
    )

    assert response.status_code == 422
    assert message in response.content.decode()
    assert "HX-Trigger" not in response.headers
    order.refresh_from_db()
    assert order.amount == Decimal("150.00")
    assert not order.events.exists()


def test_edit_without_htmx_is_a_page_that_returns_to_the_order(staff_client, order):
    page = staff_client.get(edit_url(order))
    assert page.status_code == 200
    assert "<html" in page.content.decode()

    response = staff_client.post(edit_url(order), edit_form(order, service="Repair"))

    assert response.status_code == 302
    assert response.url == order.get_absolute_url()
    order.refresh_from_db()
    assert order.service == "Repair"


def test_another_merchants_order_cannot_be_edited(staff_client, other_store):
    """Not yours looks like not there."""
    theirs = OrderFactory(store=other_store, payment_method="card")

    assert staff_client.get(edit_url(theirs)).status_code == 404
    response = staff_client.post(edit_url(theirs), edit_form(theirs, amount="1"))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.amount == Decimal("150.00")


def test_supplier_edits_only_orders_assigned_to_them(client, supplier, store):
    assigned = OrderFactory(store=store, supplier=supplier)
    unassigned = OrderFactory(store=store)
    client.force_login(supplier)

    assert client.get(edit_url(unassigned)).status_code == 404
    assert client.get(edit_url(assigned)).status_code == 200
    response = client.post(edit_url(assigned), edit_form(assigned, notes="Packed"))
    assert response.status_code == 302
    assert Order.objects.get(pk=assigned.pk).notes == "Packed"


def test_customer_cannot_use_the_orders_view_actions(client, customer, store):
    """Customers have the portal: the merchant team's actions answer 403."""
    own = OrderFactory(store=store, customer=customer)
    client.force_login(customer.user)

    assert client.get(edit_url(own)).status_code == 403
    assert client.post(edit_url(own), edit_form(own, amount="1")).status_code == 403
    assert client.post(delete_url(own)).status_code == 403
    own.refresh_from_db()
    assert (own.amount, own.deleted_at) == (Decimal("150.00"), None)


# --- Delete --------------------------------------------------------------------------


def test_delete_dialog_names_the_order_and_what_happens(staff_client, order):
    response = staff_client.get(delete_url(order), headers=HTMX)

    body = response.content.decode()
    assert response.status_code == 200
    assert '<h2 id="order-delete-title">Delete order ORD-1?</h2>' in body
    assert "leaves the Orders view, the API and the customer portal" in body
    assert "audit trail" in body
    assert "restore it from the administration" in body
    assert 'name="reason"' in body
    assert "btn btn-danger" in body


def test_staff_delete_an_order_and_it_leaves_every_list(
    staff_client, staff_user, staff_api, order
):
    """The row goes, the order answers 404 everywhere, and the timeline keeps who
    deleted it and why."""
    response = staff_client.post(
        delete_url(order), {"reason": "Duplicate of ORD-0"}, headers=HTMX
    )

    assert response.status_code == 200
    assert triggers(response) == {
        "performile:toast": {"text": "Order ORD-1 deleted.", "level": "success"},
        "performile:dialog-done": {},
    }
    assert (
        f'<tr id="order-{order.pk}" hx-swap-oob="delete"></tr>'
        in response.content.decode()
    )
    order.refresh_from_db()
    assert order.deleted_at is not None
    assert order.deleted_by == staff_user
    event = order.events.get(kind=OrderEvent.Kind.DELETED)
    assert (event.actor, event.note) == (staff_user, "Duplicate of ORD-0")
    assert "ORD-1" not in staff_client.get(ALL_ORDERS).content.decode()
    assert staff_client.get(order.get_absolute_url()).status_code == 404
    assert staff_client.get(edit_url(order)).status_code == 404
    api_list = staff_api.get(reverse("api-orders")).json()["results"]
    assert order.pk not in [row["id"] for row in api_list]
    detail = reverse("api-order-detail", args=[order.pk])
    assert staff_api.get(detail).status_code == 404


def test_delete_without_htmx_returns_to_the_list_with_a_message(staff_client, order):
    response = staff_client.post(delete_url(order), follow=True)

    assert response.redirect_chain == [(reverse("orders:list"), 302)]
    assert "Order ORD-1 deleted." in response.content.decode()
    assert Order.objects.get(pk=order.pk).deleted_at is not None


@pytest.mark.parametrize("member", ["reseller", "supplier"])
def test_only_staff_delete_orders(request, client, second_store, member):
    """A reseller (their store) and a supplier (their order) may work on it, not
    delete it: 403, and the order stays."""
    user = request.getfixturevalue(member)
    order = OrderFactory(
        store=second_store, supplier=request.getfixturevalue("supplier")
    )
    client.force_login(user)

    assert client.get(edit_url(order)).status_code == 200  # they may see and edit
    assert client.get(delete_url(order), headers=HTMX).status_code == 403
    response = client.post(delete_url(order), {"reason": "x"}, headers=HTMX)

    assert response.status_code == 403
    order.refresh_from_db()
    assert order.deleted_at is None
    assert not order.events.exists()


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_admin_lists_deleted_orders_and_restores_them(
    superuser_client, staff_user, order
):
    """Deleted orders stay in the admin (with a filter); the restore action brings
    them back to the Orders view, with an event."""
    kept = OrderFactory(store=order.store, order_number="ORD-KEPT")
    services.order_delete(order=order, actor=staff_user)
    changelist = reverse("admin:orders_order_changelist")

    deleted_only = superuser_client.get(changelist, {"deleted": "yes"})
    assert "ORD-1" in deleted_only.content.decode()
    assert "ORD-KEPT" not in deleted_only.content.decode()
    live_only = superuser_client.get(changelist, {"deleted": "no"})
    assert "ORD-KEPT" in live_only.content.decode()
    assert ">ORD-1<" not in live_only.content.decode()

    response = superuser_client.post(
        changelist,
        {"action": "restore_orders", "_selected_action": [order.pk, kept.pk]},
        follow=True,
    )

    assert "Restored 1 order(s)." in response.content.decode()
    order.refresh_from_db()
    assert (order.deleted_at, order.deleted_by) == (None, None)
    restored = order.events.order_by("-id").first()
    assert restored.kind == OrderEvent.Kind.UPDATED
    assert restored.data["restored"] is True
    assert restored.actor.username == "root"
    superuser_client.force_login(staff_user)
    assert "ORD-1" in superuser_client.get(ALL_ORDERS).content.decode()


def test_restore_is_for_the_merchants_staff(staff_user, reseller, second_store):
    order = OrderFactory(store=second_store)
    services.order_delete(order=order, actor=staff_user)

    with pytest.raises(NotAllowed):
        services.order_restore(order=order, actor=reseller)
    order.refresh_from_db()
    assert order.deleted_at is not None


# --- Row menu ------------------------------------------------------------------------


class _MenuItems(HTMLParser):
    """{label: shown} of the menu items in each order row."""

    def __init__(self):
        super().__init__()
        self.rows: dict[str, dict[str, bool]] = {}
        self._row = None
        self._item = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and attrs.get("id", "").startswith("order-"):
            self._row = self.rows.setdefault(attrs["id"], {})
        elif (
            tag == "a"
            and "menu-item" in attrs.get("class", "")
            and self._row is not None
        ):
            self._item = ["", "hidden" not in attrs]

    def handle_data(self, data):
        if self._item is not None:
            self._item[0] += data

    def handle_endtag(self, tag):
        if tag == "a" and self._item is not None:
            self._row[self._item[0].strip()] = self._item[1]
            self._item = None
        elif tag == "tr":
            self._row = None


def shown_items(client, order) -> set[str]:
    parser = _MenuItems()
    parser.feed(client.get(ALL_ORDERS).content.decode())
    return {label for label, shown in parser.rows[f"order-{order.pk}"].items() if shown}


@pytest.fixture
def untracked(second_store, supplier):
    return OrderFactory(store=second_store, supplier=supplier, status=S.CONFIRMED)


@pytest.fixture
def damaged(second_store, supplier):
    return OrderFactory(
        store=second_store,
        supplier=supplier,
        status=S.SHIPPED,
        tracking_number="SBX1",
        tracking_url="https://track.example/SBX1",
        tracking_status="exception",
        label_url="/api/shipments/1/label",
    )


@pytest.fixture
def in_transit(second_store, supplier):
    return OrderFactory(
        store=second_store,
        supplier=supplier,
        status=S.SHIPPED,
        tracking_number="SBX2",
        tracking_status="in_transit",
    )


def test_staff_row_menu_offers_what_each_order_allows(
    staff_client, untracked, damaged, in_transit
):
    assert shown_items(staff_client, untracked) == {
        "View details",
        "Book shipment",
        "Edit order",
        "Delete order",
    }
    assert shown_items(staff_client, damaged) == {
        "View details",
        "Track shipment",
        "Download label",
        "Send notification",
        "File claim",
        "Edit order",
        "Delete order",
    }
    assert shown_items(staff_client, in_transit) == {
        "View details",
        "Send notification",
        "Edit order",
        "Delete order",
    }


@pytest.mark.parametrize("member", ["reseller", "supplier"])
def test_resellers_and_suppliers_get_no_delete(
    request, client, member, untracked, damaged
):
    client.force_login(request.getfixturevalue(member))

    assert shown_items(client, untracked) == {
        "View details",
        "Book shipment",
        "Edit order",
    }
    assert "Delete order" not in shown_items(client, damaged)
    assert "File claim" in shown_items(client, damaged)
