"""The customer directory (/customers/): the merchant's staff find customers, see
their orders, balance and portal access, invite them (one or a selection),
resend, revoke and merge. Another merchant's customer is 404 on every URL: the
sweep below covers each one, and a new URL that it does not fails
`test_the_sweep_covers_every_directory_url`."""

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.models import Customer
from orders.templatetags.orders_ui import money
from performile.models import AuditEvent, OutboxMessage
from portal.invitations import invitation_revoke, invitation_send
from portal.models import PortalInvitation
from tests.factories import CustomerFactory, UserFactory
from tests.invoices.conftest import make_order
from tests.urls_sweep import app_routes, assert_not_found, assert_swept
from tests.workspace.conftest import customer_with_balances

pytestmark = pytest.mark.django_db

LIST = "/customers/"
BY_ID = ["detail", "access", "invite", "resend", "revoke", "merge", "language"]
OTHER = {
    # A list of the caller's own customers; a selection with a foreign id is 404
    # (test_a_selection_with_another_merchants_customer_is_404).
    "workspace:customers:list": "listing",
    "workspace:customers:invite-many": "selection in the body",
}


@pytest.fixture
def bo(store):
    return customer_with_balances(store)


@pytest.fixture
def cecilia(merchant):
    return CustomerFactory(
        merchant=merchant, name="Cecilia Ek", email="cecilia@example.com"
    )


@pytest.fixture
def foreign(other_store, other_merchant_staff):
    """Another merchant's customer, invited by their own staff."""
    customer = CustomerFactory(
        merchant=other_store.merchant, name="Olga Other", email="olga@example.com"
    )
    invitation_send(customer=customer, actor=other_merchant_staff)
    return customer


def url(name: str, pk: int) -> str:
    return reverse(f"workspace:customers:{name}", args=[pk])


def test_the_sweep_covers_every_directory_url():
    assert_swept(
        app_routes("workspace.customers.urls"),
        by_id={f"workspace:customers:{name}" for name in BY_ID},
        other=OTHER,
    )


def test_the_list_shows_orders_balances_and_portal_access(
    client, staff_user, bo, cecilia, customer
):
    invitation_send(customer=cecilia, actor=staff_user)
    client.force_login(staff_user)
    page = client.get(LIST).content.decode()
    assert "Bo Lind" in page
    assert "C20000001" in page
    assert money(50, "SEK") in page
    assert money(20, "EUR") in page
    assert 'data-access="none"' in page
    assert 'data-access="invited"' in page  # Cecilia
    assert 'data-access="account"' in page  # the customer fixture signs in already
    assert "1–3 of 3" in page


@pytest.mark.parametrize("q", ["lind", "BO@EXAMPLE", "C20000001", "2222222"])
def test_the_search_finds_by_name_email_number_or_phone(
    client, staff_user, bo, cecilia, q
):
    client.force_login(staff_user)
    page = client.get(LIST, {"q": q}).content.decode()
    assert "Bo Lind" in page
    assert "Cecilia Ek" not in page


def test_the_list_filters_by_portal_access_as_each_row_shows_it(
    client, staff_user, merchant, bo, cecilia, customer
):
    """Every state of the filter picks exactly the customers whose row shows it
    (the SQL rule and the row's agree), expired invitations included."""
    invitation_send(customer=cecilia, actor=staff_user)
    late = CustomerFactory(merchant=merchant, name="Leo Late", email="leo@example.com")
    invitation_send(customer=late, actor=staff_user)
    PortalInvitation.objects.filter(customer=late).update(
        sent_at=timezone.now() - timedelta(days=30)
    )
    gone = CustomerFactory(merchant=merchant, name="Gun Gone", email="gun@example.com")
    invitation_send(customer=gone, actor=staff_user)
    invitation_revoke(customer=gone, actor=staff_user)

    client.force_login(staff_user)

    def shown(access):
        page = client.get(LIST, {"access": access}).content.decode()
        return set(re.findall(r'data-access="(\w+)"', page)), page

    expected = {
        "none": {"Bo Lind"},
        "invited": {"Cecilia Ek"},
        "expired": {"Leo Late"},
        "revoked": {"Gun Gone"},
        "account": {customer.name},
        "accepted": set(),
        "closed": set(),
    }
    for access, names in expected.items():
        states, page = shown(access)
        assert states == ({access} if names else set()), access
        for name in names:
            assert name in page
    everyone, _page = shown("")
    assert everyone == {"none", "invited", "expired", "revoked", "account"}
    assert shown("nonsense")[0] == everyone
    empty = client.get(LIST, {"access": "closed"}).content.decode()
    assert "No customer matches with portal access “Sign-in closed”" in empty


def test_the_order_page_shows_the_portal_access_and_invites_from_there(
    client, staff_user, store, bo
):
    order = make_order(store, bo)
    client.force_login(staff_user)
    page = client.get(order.get_absolute_url()).content.decode()
    slot = url("access", bo.pk) + "?next=" + quote(order.get_absolute_url())
    assert f'hx-get="{slot}"' in page

    part = client.get(url("access", bo.pk), {"next": order.get_absolute_url()})
    html = part.content.decode()
    assert 'data-access="none"' in html
    assert "Invite to portal" in html
    assert f'name="next" value="{order.get_absolute_url()}"' in html

    sent = client.post(url("invite", bo.pk), {"next": order.get_absolute_url()})
    assert sent.status_code == 302
    assert sent.url == order.get_absolute_url()
    again = client.get(url("access", bo.pk)).content.decode()
    assert 'data-access="invited"' in again
    assert "Resend invitation" in again
    assert 'name="next" value=""' in again  # no next given: back to the customer


def test_a_next_that_is_not_ours_is_ignored(client, staff_user, bo):
    client.force_login(staff_user)
    html = client.get(url("access", bo.pk), {"next": "https://evil.example/"})
    assert 'name="next" value=""' in html.content.decode()
    sent = client.post(url("invite", bo.pk), {"next": "//evil.example/orders/"})
    assert sent.url == url("detail", bo.pk)


def test_the_order_page_of_a_supplier_has_no_portal_access(client, supplier, store, bo):
    order = make_order(store, bo, supplier=supplier)
    client.force_login(supplier)
    page = client.get(order.get_absolute_url()).content.decode()
    assert "data-portal-access-slot" not in page
    assert client.get(url("access", bo.pk)).status_code == 404


def test_invite_from_the_list_and_come_back_to_it(client, staff_user, bo):
    client.force_login(staff_user)
    response = client.post(url("invite", bo.pk), {"next": "/customers/?q=bo"})
    assert response.status_code == 302
    assert response.url == "/customers/?q=bo"
    bo.refresh_from_db()
    assert bo.user is not None
    assert OutboxMessage.objects.filter(recipient="bo@example.com").count() == 1
    page = client.get(response.url).content.decode()
    assert 'data-access="invited"' in page
    assert "Invitation sent: Bo Lind." in page


def test_an_email_of_another_account_is_a_400_that_says_so(client, staff_user, bo):
    UserFactory(username="bo-elsewhere", email="bo@example.com")
    client.force_login(staff_user)
    response = client.post(url("invite", bo.pk))
    assert response.status_code == 400
    assert "bo@example.com is the email address of another account" in (
        response.content.decode()
    )
    bo.refresh_from_db()
    assert bo.user is None
    assert not OutboxMessage.objects.exists()
    assert not PortalInvitation.objects.exists()


def test_a_customer_with_an_account_is_a_400(client, staff_user, customer):
    client.force_login(staff_user)
    response = client.post(url("invite", customer.pk))
    assert response.status_code == 400
    assert "has a portal account already" in response.content.decode()


def test_invite_a_selection(client, staff_user, bo, cecilia, customer):
    client.force_login(staff_user)
    response = client.post(
        reverse("workspace:customers:invite-many"),
        {"customer": [bo.pk, cecilia.pk, customer.pk], "next": LIST},
        follow=True,
    )
    page = response.content.decode()
    assert "Invitations sent to 2 customers." in page
    assert f"Not invited: Customer {customer.customer_number} has a portal" in page
    assert set(OutboxMessage.objects.values_list("recipient", flat=True)) == {
        "bo@example.com",
        "cecilia@example.com",
    }


def test_a_selection_nobody_of_which_can_be_invited_is_a_400(
    client, staff_user, customer
):
    client.force_login(staff_user)
    response = client.post(
        reverse("workspace:customers:invite-many"), {"customer": [customer.pk]}
    )
    assert response.status_code == 400
    assert "Not invited" in response.content.decode()


def test_a_selection_with_another_merchants_customer_is_404(
    client, staff_user, bo, foreign
):
    client.force_login(staff_user)
    response = client.post(
        reverse("workspace:customers:invite-many"), {"customer": [bo.pk, foreign.pk]}
    )
    assert response.status_code == 404
    bo.refresh_from_db()
    assert bo.user is None


def test_resend_and_revoke_from_the_customer_page(client, staff_user, bo):
    invitation = invitation_send(customer=bo, actor=staff_user)
    client.force_login(staff_user)
    page = client.get(url("detail", bo.pk)).content.decode()
    assert "Resend" in page
    assert "Revoke" in page
    assert client.post(url("resend", bo.pk)).status_code == 302
    invitation.refresh_from_db()
    assert invitation.sends == 2
    assert client.post(url("revoke", bo.pk)).status_code == 302
    invitation.refresh_from_db()
    assert invitation.state == "revoked"
    page = client.get(url("detail", bo.pk)).content.decode()
    assert 'data-access="revoked"' in page
    assert "Invite again" in page
    # Nothing left to revoke: a 400 saying so.
    response = client.post(url("revoke", bo.pk))
    assert response.status_code == 400
    assert "no invitation to revoke" in response.content.decode()


def test_merge_from_the_customer_page(client, staff_user, bo, cecilia):
    client.force_login(staff_user)
    response = client.post(url("merge", cecilia.pk), {"into": "c20000001"})
    assert response.status_code == 302
    assert response.url == url("detail", bo.pk)
    assert not Customer.objects.filter(pk=cecilia.pk).exists()
    assert AuditEvent.objects.filter(action="customer.merged").exists()


def test_merge_into_a_number_of_nobody_is_a_400(client, staff_user, bo, foreign):
    client.force_login(staff_user)
    response = client.post(url("merge", bo.pk), {"into": foreign.customer_number})
    assert response.status_code == 400
    assert f"No customer {foreign.customer_number}" in response.content.decode()
    assert Customer.objects.filter(pk=bo.pk).exists()


@pytest.mark.parametrize("who", ["staff_user", "admin_member"])
def test_another_merchants_customer_is_404_on_every_url(
    client, request, who, bo, foreign
):
    client.force_login(request.getfixturevalue(who))
    for name in BY_ID:
        assert_not_found(client, url(name, foreign.pk), {"into": bo.customer_number})
    assert "Olga Other" not in client.get(LIST).content.decode()
    invitation = PortalInvitation.objects.get(customer=foreign)
    assert (invitation.state, invitation.sends) == ("invited", 1)
    assert Customer.objects.filter(pk=foreign.pk).exists()


@pytest.mark.parametrize("who", ["supplier", "reseller"])
def test_suppliers_and_resellers_have_no_directory(client, request, who, bo):
    client.force_login(request.getfixturevalue(who))
    assert client.get(LIST).status_code == 404
    for name in BY_ID:
        assert_not_found(client, url(name, bo.pk), {"into": "C1"})


def test_the_nav_links_to_the_directory_for_staff_only(client, staff_user, supplier):
    client.force_login(staff_user)
    assert 'href="/customers/"' in client.get("/orders/").content.decode()
    client.force_login(supplier)
    assert 'href="/customers/"' not in client.get("/orders/").content.decode()


def test_the_privacy_page_links_to_the_portal_access(client, staff_user, bo):
    client.force_login(staff_user)
    page = client.get(reverse("privacy:customer", args=[bo.pk])).content.decode()
    assert f'href="{url("detail", bo.pk)}"' in page


def test_the_team_sets_the_language_a_customer_is_written_to(
    client, staff_user, cecilia
):
    client.force_login(staff_user)
    page = client.get(url("detail", cecilia.pk)).content.decode()
    assert "The store&#x27;s language" in page  # the team's page stays English

    response = client.post(url("language", cecilia.pk), {"language": "nb"})

    assert response.status_code == 302
    cecilia.refresh_from_db()
    assert cecilia.language == "nb"


def test_an_unknown_language_is_400_and_changes_nothing(client, staff_user, cecilia):
    client.force_login(staff_user)

    response = client.post(url("language", cecilia.pk), {"language": "klingon"})

    assert response.status_code == 400
    assert "Choose one of the languages listed" in response.content.decode()
    cecilia.refresh_from_db()
    assert cecilia.language == ""
