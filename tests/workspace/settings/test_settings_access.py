"""The settings are for the merchant's admins: each page answers them, and anyone
else (the merchant's staff, a reseller, a supplier, a customer) gets 404; the
account menu offers "Settings" to admins only."""

import pytest
from django.urls import reverse

from tests.workspace.settings.conftest import make_guild

pytestmark = pytest.mark.django_db

PAGES = [
    "workspace:settings:business",
    "workspace:settings:stores",
    "workspace:settings:store-create",
    "workspace:settings:couriers",
    "workspace:settings:courier-create",
    "workspace:settings:channels",
    "workspace:settings:billing",
    "workspace:settings:discord",
    "workspace:settings:discord-link",
    "workspace:settings:team",
    "workspace:settings:team-invite",
]


@pytest.fixture
def records(store, courier_account, admin_member):
    guild = make_guild(store)
    membership = admin_member.memberships.get()
    return {
        "workspace:settings:store": store.pk,
        "workspace:settings:channel": store.pk,
        "workspace:settings:branding": store.pk,
        "workspace:settings:courier": courier_account.pk,
        "workspace:settings:member": membership.pk,
        "guild": guild.pk,
    }


@pytest.mark.parametrize("name", PAGES)
def test_every_page_answers_the_merchants_admin(admin_client, records, name):
    response = admin_client.get(reverse(name))
    assert response.status_code == 200
    assert b"settings-nav" in response.content


def test_the_pages_of_a_record_answer_the_admin(admin_client, records):
    for name, pk in records.items():
        if name == "guild":
            continue
        assert admin_client.get(reverse(name, args=[pk])).status_code == 200, name


def test_home_leads_to_the_stores(admin_client):
    response = admin_client.get(reverse("workspace:settings:home"))
    assert response.status_code == 302
    assert response.url == reverse("workspace:settings:stores")


@pytest.mark.parametrize("who", ["staff_user", "reseller", "supplier", "customer"])
def test_everyone_but_an_admin_gets_404(client, request, records, who):
    person = request.getfixturevalue(who)
    client.force_login(getattr(person, "user", person))  # a customer's account
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 404, name
    for name, pk in records.items():
        if name == "guild":
            continue
        assert client.get(reverse(name, args=[pk])).status_code == 404, name
    reveal = reverse(
        "workspace:settings:store-secret-reveal",
        args=[records["workspace:settings:store"]],
    )
    assert client.post(reveal).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("workspace:settings:stores"))
    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_the_account_menu_offers_settings_to_admins_only(
    client, admin_member, staff_user
):
    settings_url = reverse("workspace:settings:home")
    client.force_login(admin_member)
    assert settings_url in client.get(reverse("orders:list")).content.decode()
    client.force_login(staff_user)
    assert settings_url not in client.get(reverse("orders:list")).content.decode()
