"""The settings in a browser, at 1440 px and on a phone: a merchant admin sees the
store's webhook secret masked, reveals it, sends a test webhook and rotates the
secret; screenshots of each page go to test-artifacts/."""

import pytest
from playwright.sync_api import expect

from orders.models import Source
from tests.e2e.test_orders_view import PHONE, sign_in
from tests.shipments.factories import CourierAccountFactory

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1440, "height": 900}}
SECRET = "shpss-e2e-secret-value"


@pytest.fixture
def shop(store):
    store.platform = Source.SHOPIFY
    store.domain = "nordic.myshopify.com"
    store.webhook_secret = SECRET
    store.pickup_address = {
        "name": "Warehouse",
        "line1": "Lagergatan 3",
        "postal_code": "41101",
        "city": "Göteborg",
        "country": "SE",
    }
    store.save()
    CourierAccountFactory(
        merchant=store.merchant, courier="postnord", name="PostNord", api_key="pn-key"
    )
    return store


def test_an_admin_reveals_tests_and_rotates_the_webhook_secret(
    new_page, live_server, admin_member, shop, artifacts
):
    page = new_page(**DESKTOP)
    sign_in(page, live_server.url, admin_member)
    page.locator(".user-button").click()
    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Stores")).to_be_visible()
    page.screenshot(path=artifacts / "settings-stores-desktop.png", full_page=True)

    page.get_by_role("link", name=shop.name).first.click()
    secret_box = page.locator("[data-webhook-secret]")
    expect(secret_box).to_contain_text("••••")
    expect(page.locator("body")).not_to_contain_text(SECRET)
    expect(page.locator("#webhook-url")).to_contain_text(str(shop.webhook_key))
    page.screenshot(
        path=artifacts / "settings-store-masked-desktop.png", full_page=True
    )

    secret_box.get_by_role("button", name="Reveal").click()
    expect(secret_box.locator("[data-secret-value]")).to_have_text(SECRET)
    page.screenshot(path=artifacts / "settings-store-revealed-desktop.png")

    page.get_by_role("button", name="Send a test webhook").click()
    result = page.locator("[data-webhook-test-result]")
    expect(result).to_contain_text("Accepted")
    page.screenshot(path=artifacts / "settings-store-webhook-test-desktop.png")

    page.get_by_role("button", name="Rotate secret").click()
    expect(page.locator("#toasts")).to_contain_text("Webhook secret replaced")
    secret_box = page.locator("[data-webhook-secret]")
    secret_box.get_by_role("button", name="Reveal").click()
    expect(secret_box.locator("[data-secret-value]")).not_to_have_text(SECRET)
    page.screenshot(path=artifacts / "settings-store-rotated-desktop.png")

    for section, name in (
        ("Courier accounts", "couriers"),
        ("Messaging channels", "channels"),
        ("Billing", "billing"),
        ("Discord servers", "discord"),
        ("Team", "team"),
    ):
        page.locator(".settings-nav").get_by_role("link", name=section).click()
        expect(page.locator(".settings-nav [aria-current=page]")).to_have_text(section)
        page.screenshot(path=artifacts / f"settings-{name}-desktop.png", full_page=True)


def test_the_settings_fit_a_phone(new_page, live_server, admin_member, shop, artifacts):
    page = new_page(**PHONE)
    sign_in(page, live_server.url, admin_member)
    page.goto(f"{live_server.url}/settings/stores/{shop.pk}/")
    secret_box = page.locator("[data-webhook-secret]")
    expect(secret_box).to_contain_text("••••")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    page.screenshot(path=artifacts / "settings-store-phone.png", full_page=True)
    secret_box.get_by_role("button", name="Reveal").click()
    expect(secret_box.locator("[data-secret-value]")).to_have_text(SECRET)
    page.get_by_role("button", name="Send a test webhook").click()
    expect(page.locator("[data-webhook-test-result]")).to_contain_text("Accepted")
    page.screenshot(path=artifacts / "settings-store-tested-phone.png", full_page=True)
    for name in ("couriers", "team"):
        page.goto(f"{live_server.url}/settings/{name}/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=artifacts / f"settings-{name}-phone.png", full_page=True)
