"""Every rule derived from `orders.access` picks the orders `visible_orders` picks.

One world (two merchants, four stores, every kind of person), one test per derived
rule, run for every role: the live scopes, the write checks, the stores a creator
may use, the billing scope and Discord's reads must agree with `visible_orders`,
and `visible_orders` itself must give what the role rule says.
"""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from invoices.access import is_billing_staff, may_manage
from invoices.models import CreditNote, Invoice, Payment
from invoices.selectors import (
    visible_credit_notes,
    visible_invoices,
    visible_payments,
)
from invoices.services import credit_note_issue, invoice_issue_for_order, payment_record
from messaging.models import Thread
from orders.discord.access import customer_orders, store_orders, trackable_orders
from orders.models import Membership, Order, Store
from orders.selectors import (
    merchant_is_managed_by,
    order_is_managed_by,
    order_is_workable_by,
    user_may_create_orders,
    user_may_create_orders_in,
    user_stores,
    visible_order_rows,
    visible_order_scopes,
    visible_orders,
)
from tests.factories import (
    CustomerFactory,
    MembershipFactory,
    OrderFactory,
    StoreFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROLES = [
    "staff",
    "admin",
    "reseller",
    "supplier",
    "portal_customer",
    "supplier_and_customer",
    "other_staff",
    "superuser",
    "inactive_staff",
    "anonymous",
    "nobody",
]

# The orders (by name in the world) each role sees: the role rule, spelled out.
MERCHANT_A = {"a1_plain", "a1_portal", "a1_discord", "a2_portal", "a2_sup_cust"}
MERCHANT_A |= {"a2_none", "a3_supplier", "a3_plain"}
MERCHANT_B = {"b1_cust", "b1_supplier", "b1_none"}
EXPECTED = {
    "staff": MERCHANT_A,
    "admin": MERCHANT_A,
    "reseller": {"a2_portal", "a2_sup_cust", "a2_none"},
    "supplier": {"a1_portal", "a3_supplier"},  # not b1_supplier: no member of B
    "portal_customer": {"a1_portal", "a2_portal"},
    "supplier_and_customer": {"a2_sup_cust", "b1_cust"},
    "other_staff": MERCHANT_B,
    "superuser": MERCHANT_A | MERCHANT_B,
    "inactive_staff": set(),
    "anonymous": set(),
    "nobody": set(),
}
CREATORS = {"staff", "admin", "reseller", "other_staff", "superuser"}
MANAGERS = {"staff", "admin", "other_staff", "superuser"}
SUPPLIERS = {"supplier", "supplier_and_customer"}


def _member(username, merchant, role, **kwargs):
    user = UserFactory(username=username)
    MembershipFactory(user=user, merchant=merchant, role=role, **kwargs)
    return user


@pytest.fixture
def world():
    a1 = StoreFactory(name="A one")
    merchant_a = a1.merchant
    a2 = StoreFactory(merchant=merchant_a, name="A two")
    a3 = StoreFactory(merchant=merchant_a, name="A three")
    b1 = StoreFactory(name="B one")
    merchant_b = b1.merchant
    team, reseller, supplier = (
        Membership.Role.STAFF,
        Membership.Role.RESELLER,
        Membership.Role.SUPPLIER,
    )
    users = SimpleNamespace(
        staff=_member("staff", merchant_a, team),
        admin=_member("admin", merchant_a, Membership.Role.ADMIN),
        reseller=_member("reseller", merchant_a, reseller, stores=[a2]),
        supplier=_member("supplier", merchant_a, supplier),
        supplier_and_customer=_member("sup-cust", merchant_a, supplier),
        other_staff=_member("other-staff", merchant_b, team),
        superuser=UserFactory(username="root", is_superuser=True, is_staff=True),
        inactive_staff=_member("gone", merchant_a, team),
        anonymous=AnonymousUser(),
        nobody=UserFactory(username="nobody"),
        portal_customer=UserFactory(username="portal"),
    )
    users.inactive_staff.is_active = False
    users.inactive_staff.save(update_fields=["is_active"])
    plain = CustomerFactory(merchant=merchant_a, name="No login")
    portal = CustomerFactory(merchant=merchant_a, user=users.portal_customer)
    on_discord = CustomerFactory(merchant=merchant_a, discord_user_id="4242")
    at_b = CustomerFactory(merchant=merchant_b, user=users.supplier_and_customer)
    orders = {
        "a1_plain": OrderFactory(store=a1, customer=plain),
        "a1_portal": OrderFactory(store=a1, customer=portal, supplier=users.supplier),
        "a1_discord": OrderFactory(store=a1, customer=on_discord),
        "a1_deleted": OrderFactory(store=a1, customer=portal),
        "a2_portal": OrderFactory(store=a2, customer=portal),
        "a2_sup_cust": OrderFactory(
            store=a2, customer=plain, supplier=users.supplier_and_customer
        ),
        "a2_none": OrderFactory(store=a2),
        "a3_supplier": OrderFactory(store=a3, customer=plain, supplier=users.supplier),
        "a3_plain": OrderFactory(store=a3, customer=plain),
        "b1_cust": OrderFactory(store=b1, customer=at_b),
        "b1_supplier": OrderFactory(store=b1, supplier=users.supplier),
        "b1_none": OrderFactory(store=b1),
    }
    Order.objects.filter(pk=orders["a1_deleted"].pk).update(deleted_at=timezone.now())
    invoices = {
        name: invoice_issue_for_order(order=orders[name])
        for name in (
            "a1_plain",
            "a1_portal",
            "a2_portal",
            "a2_sup_cust",
            "a3_supplier",
            "b1_cust",
            "b1_supplier",
        )
    }
    for name in ("a1_portal", "a3_supplier", "b1_cust"):
        _pay(orders[name], invoice=invoices[name])
    _pay(orders["a2_none"])  # waits on the order, no invoice yet
    for name in ("a2_portal", "b1_supplier"):
        credit_note_issue(
            invoice=invoices[name], actor=None, reason="Late", amount=Decimal("5.00")
        )
    return SimpleNamespace(
        users=users,
        orders=orders,
        stores=SimpleNamespace(a1=a1, a2=a2, a3=a3, b1=b1),
        names={order.pk: name for name, order in orders.items()},
    )


def _pay(order, invoice=None):
    payment_record(
        merchant=order.merchant,
        order=order,
        invoice=invoice,
        amount=Decimal("20.00"),
        currency="EUR",
        method="bank_transfer",
    )


def ids(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


def names(world, order_ids) -> set[str]:
    return {world.names[pk] for pk in order_ids}


def live_orders():
    return list(Order.objects.not_deleted().order_by("pk"))


def reader(world, role):
    return getattr(world.users, role)


@pytest.mark.parametrize("role", ROLES)
def test_visible_orders_follow_the_role_rule(world, role):
    user = reader(world, role)
    assert names(world, ids(visible_orders(user))) == EXPECTED[role]
    deleted = world.orders["a1_deleted"].pk
    with_deleted = ids(visible_orders(user, include_deleted=True))
    assert (deleted in with_deleted) == (
        role in {"staff", "admin", "superuser", "portal_customer"}
    )


@pytest.mark.parametrize("role", ROLES)
def test_rows_of_other_apps_are_those_of_the_visible_orders(world, role):
    """Conversations and invoices, narrowed on their own merchant for staff and
    through the order for everyone else, belong to exactly the visible orders
    (the deleted order's conversation included in none)."""
    for order in world.orders.values():
        Thread.objects.create(order=order, merchant=order.merchant, store=order.store)
    user = reader(world, role)
    expected = EXPECTED[role]
    threads = visible_order_rows(Thread.objects.all(), user)
    assert names(world, threads.values_list("order_id", flat=True)) == expected
    invoices = visible_order_rows(Invoice.objects.all(), user)
    invoiced = names(world, Invoice.objects.values_list("order_id", flat=True))
    assert names(world, invoices.values_list("order_id", flat=True)) == (
        expected & invoiced
    )


@pytest.mark.parametrize("role", ROLES)
def test_live_scopes_expand_to_the_visible_orders(world, role):
    user = reader(world, role)
    scopes = visible_order_scopes(user)
    in_scope = {
        order.pk
        for order in live_orders()
        if order.store_id in scopes.store_ids
        or (
            order.supplier_id is not None
            and order.supplier_id == user.pk
            and order.merchant_id in scopes.supplier_merchant_ids
        )
        or order.customer_id in scopes.customer_ids
    }
    assert in_scope == ids(visible_orders(user))


def _as_active(user):
    """The inactive staff member as the write checks see them: their memberships."""
    user.is_active = True
    return user


@pytest.mark.parametrize("role", ROLES)
def test_workable_and_managed_orders_are_the_visible_ones(world, role):
    """Customers work on no order (their own are for reading); everyone else works
    on exactly what they see, and the merchant's staff manage it."""
    user = reader(world, role)
    workable = {o.pk for o in live_orders() if order_is_workable_by(user, o)}
    managed = {o.pk for o in live_orders() if order_is_managed_by(user, o)}
    if role == "inactive_staff":  # the write checks read the memberships as they are
        visible = ids(visible_orders(_as_active(user)))
    else:
        visible = ids(visible_orders(user))
    if role == "portal_customer":
        visible = set()
    if role == "supplier_and_customer":  # their own order at B is theirs to read
        visible = {pk for pk in visible if world.names[pk].startswith("a")}
    assert workable == visible
    assert managed == (visible if role in MANAGERS | {"inactive_staff"} else set())
    for merchant_id in {o.merchant_id for o in live_orders()}:
        assert merchant_is_managed_by(user, merchant_id) == any(
            o.merchant_id == merchant_id for o in live_orders() if o.pk in managed
        )


@pytest.mark.parametrize("role", ROLES)
def test_creators_stores_are_the_stores_of_their_visible_orders(world, role):
    user = reader(world, role)
    stores = ids(user_stores(user))
    all_stores = list(Store.objects.order_by("pk"))
    creatable = {s.pk for s in all_stores if user_may_create_orders_in(user, s)}
    if role == "inactive_staff":
        user = _as_active(user)
    creates = role in CREATORS | {"inactive_staff"}
    assert user_may_create_orders(user) == creates
    if creates:
        visible_stores = {
            o.store_id for o in visible_orders(user).only("store_id").order_by()
        }
        assert stores == visible_stores == creatable
    elif role in SUPPLIERS:  # the stores of their assignments, to filter by
        assert creatable == set()
        assigned = Order.objects.filter(
            supplier=user, merchant__memberships__user=user
        ).values_list("store_id", flat=True)
        assert stores == set(assigned)
    else:
        assert stores == creatable == set()


@pytest.mark.parametrize("role", ROLES)
def test_billing_is_the_billing_of_the_visible_orders_without_the_suppliers(
    world, role
):
    user = reader(world, role)
    billed = ids(visible_orders(user))
    if role == "supplier":
        billed = set()
    if role == "supplier_and_customer":  # only their own order as a customer
        billed = {pk for pk in billed if world.names[pk] == "b1_cust"}
    assert ids(visible_invoices(user)) == ids(Invoice.objects.filter(order__in=billed))
    assert ids(visible_payments(user)) == ids(Payment.objects.filter(order__in=billed))
    assert ids(visible_credit_notes(user)) == ids(
        CreditNote.objects.filter(invoice__order__in=billed)
    )
    assert is_billing_staff(user) == (role in CREATORS)
    managed = {o.pk for o in live_orders() if order_is_managed_by(user, o)}
    for invoice in Invoice.objects.all():
        assert may_manage(user, invoice) == (invoice.order_id in managed)


def _asked(store, *, caller="", manages=False):
    return SimpleNamespace(
        store=store, caller=SimpleNamespace(id=caller), may_manage=manages
    )


@pytest.mark.parametrize("store", ["a1", "a2", "b1"])
def test_a_discord_manager_reads_the_store_as_its_merchant_staff_see_it(world, store):
    store = getattr(world.stores, store)
    at_a = store.merchant_id == world.stores.a1.merchant_id
    team = world.users.staff if at_a else world.users.other_staff
    asked = _asked(store, caller="777", manages=True)
    expected = ids(visible_orders(team).filter(store=store))
    assert ids(store_orders(asked)) == ids(trackable_orders(asked)) == expected
    assert expected


def test_a_discord_customer_reads_their_own_orders_in_the_store(world):
    a1, a2 = world.stores.a1, world.stores.a2
    own = ids(customer_orders(_asked(a1, caller="4242")))
    assert names(world, own) == {"a1_discord"}
    assert ids(trackable_orders(_asked(a1, caller="4242"))) == own
    assert not customer_orders(_asked(a2, caller="4242")).exists()
    assert not customer_orders(_asked(a1, caller="")).exists()
    assert not customer_orders(_asked(a1, caller="9999")).exists()
