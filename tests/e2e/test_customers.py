"""The invitation round trip in a browser, on a desktop and on a phone: staff find
a customer in the directory and invite them; the email goes out through the
outbox; the customer opens its link, chooses a password and is in the portal;
the directory shows the invitation accepted."""

import re

import pytest
from playwright.sync_api import expect

from portal.invitations import invitation_send
from tests.e2e.test_orders_view import PHONE, sign_in
from tests.factories import CustomerFactory
from tests.portal.conftest import _fresh_rate_limits  # noqa: F401
from tests.workspace.conftest import customer_with_balances

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1440, "height": 900}}
DEVICES = {"desktop": DESKTOP, "phone": PHONE}
LINK = re.compile(r"https?://\S+/accounts/password/reset/key/\S+/")
NEW_PASSWORD = "Blue-Harbour-42"


@pytest.fixture
def directory(store, staff_user):
    """Bo (two orders, invoiced in two currencies, not invited), Cecilia (invited)
    and Dag (no email address)."""
    bo = customer_with_balances(store)
    cecilia = CustomerFactory(
        merchant=store.merchant, name="Cecilia Ek", email="cecilia@example.com"
    )
    invitation_send(customer=cecilia, actor=staff_user)
    CustomerFactory(
        merchant=store.merchant, name="Dag Holm", email="", phone="+46703333333"
    )
    return bo


@pytest.mark.parametrize("device", list(DEVICES))
def test_invite_a_customer_who_sets_a_password_and_is_in_the_portal(
    new_page,
    live_server,
    settings,
    staff_user,
    directory,
    eager_celery,
    mailoutbox,
    artifacts,
    device,
):
    settings.PUBLIC_BASE_URL = live_server.url
    mailoutbox.clear()  # Cecilia's invitation, made before the test
    staff = new_page(**DEVICES[device])
    sign_in(staff, live_server.url, staff_user)
    staff.goto(f"{live_server.url}/customers/")
    row = staff.locator("tr[data-customer='C20000001']")
    expect(row.locator("[data-access]")).to_have_text("Not invited")
    expect(row.locator("[data-balance]")).to_contain_text("50.00 SEK")
    expect(row.locator("[data-balance]")).to_contain_text("€20.00")
    staff.screenshot(path=artifacts / f"customers-{device}.png", full_page=True)

    row.get_by_role("button", name="Invite to portal").click()
    expect(staff.locator(".toast")).to_contain_text("Invitation sent: Bo Lind.")
    expect(row.locator("[data-access]")).to_have_text("Invited")

    # The email, as the outbox's sender gave it to the mail backend.
    (email,) = mailoutbox
    assert email.to == ["bo@example.com"]
    link = LINK.search(email.body).group(0)
    assert link.startswith(live_server.url)

    customer = new_page(**DEVICES[device])
    customer.goto(link)
    expect(customer.get_by_role("heading", name="Choose your password")).to_be_visible()
    customer.screenshot(
        path=artifacts / f"invitation-set-password-{device}.png", full_page=True
    )
    customer.locator("input[name=password1]").fill(NEW_PASSWORD)
    customer.locator("input[name=password2]").fill(NEW_PASSWORD)
    customer.get_by_role("button", name="Save password and sign in").click()
    expect(customer).to_have_url(re.compile(r"/portal/$"))
    customer.screenshot(path=artifacts / f"invitation-portal-{device}.png")

    staff.reload()
    expect(row.locator("[data-access]")).to_have_text("Accepted")

    # The customer's page: the invitation's history, and revoking closes access.
    row.get_by_role("link", name="Bo Lind").click()
    expect(staff.locator("[data-portal-access] [data-access]")).to_have_text("Accepted")
    staff.screenshot(path=artifacts / f"customer-detail-{device}.png", full_page=True)
    staff.once("dialog", lambda dialog: dialog.accept())
    staff.get_by_role("button", name="Revoke").click()
    expect(staff.locator("[data-portal-access] [data-access]")).to_have_text("Revoked")
    customer.goto(f"{live_server.url}/portal/")
    expect(customer).to_have_url(re.compile(r"/portal/login/"))


@pytest.mark.parametrize("device", list(DEVICES))
def test_the_sign_in_page_explains_the_invitation(
    new_page, live_server, artifacts, device
):
    page = new_page(**DEVICES[device])
    page.goto(f"{live_server.url}/portal/login/")
    expect(page.locator("[data-invite-help]")).to_contain_text(
        "The shop you order from invites you"
    )
    page.screenshot(path=artifacts / f"portal-sign-in-{device}.png", full_page=True)
