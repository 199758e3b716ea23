"""Every settings URL, asked by merchant A's admin with merchant B's records,
answers 404 and changes nothing; the pages without an id in the path take the
merchant from `?merchant=`, and B's is 404 there too. Every settings URL is in
this sweep (`test_the_sweep_covers_every_settings_url`, tests/urls_sweep.py)."""

import pytest
from django.urls import reverse

from orders.models import DiscordGuild, Membership, Store
from performile.models import AuditEvent, OutboxMessage
from shipments.models import CourierAccount
from tests.factories import MembershipFactory, UserFactory
from tests.shipments.factories import CourierAccountFactory
from tests.urls_sweep import app_routes, assert_not_found, assert_swept
from tests.workspace.settings.conftest import make_guild

pytestmark = pytest.mark.django_db

# The URLs that take an id, by the kind of record the id names.
PARAMETRIZED = {
    "workspace:settings:store": "store",
    "workspace:settings:store-secret-reveal": "store",
    "workspace:settings:store-secret-rotate": "store",
    "workspace:settings:store-webhook-test": "store",
    "workspace:settings:channel": "store",
    "workspace:settings:branding": "store",
    "workspace:settings:courier": "account",
    "workspace:settings:courier-test": "account",
    "workspace:settings:discord-unlink": "guild",
    "workspace:settings:member": "membership",
    "workspace:settings:member-remove": "membership",
}
# The URLs without an id in the path: each reads the merchant from ?merchant=.
OTHER_WAYS = {
    "workspace:settings:home": "query",
    "workspace:settings:business": "query",
    "workspace:settings:stores": "query",
    "workspace:settings:store-create": "query",
    "workspace:settings:couriers": "query",
    "workspace:settings:courier-create": "query",
    "workspace:settings:channels": "query",
    "workspace:settings:billing": "query",
    "workspace:settings:billing-secret-reveal": "query",
    "workspace:settings:discord": "query",
    "workspace:settings:discord-link": "query",
    "workspace:settings:team": "query",
    "workspace:settings:team-invite": "query",
}


@pytest.fixture
def theirs(other_store):
    merchant = other_store.merchant
    admin = UserFactory(username="their-admin")
    membership = MembershipFactory(
        user=admin, merchant=merchant, role=Membership.Role.ADMIN
    )
    return {
        "merchant": merchant,
        "store": other_store,
        "account": CourierAccountFactory(merchant=merchant, api_key="their-key"),
        "guild": make_guild(other_store, guild_id="444555666"),
        "membership": membership,
    }


def _state():
    return [
        [
            (store.name, store.webhook_secret, store.support_email)
            for store in Store.objects.order_by("pk")
        ],
        list(CourierAccount.objects.values_list("name", "api_key").order_by("pk")),
        DiscordGuild.objects.count(),
        list(Membership.objects.values_list("pk", "role").order_by("pk")),
        AuditEvent.objects.count(),
        OutboxMessage.objects.count(),
    ]


def test_the_sweep_covers_every_settings_url():
    assert_swept(
        app_routes("workspace.settings.urls"), by_id=PARAMETRIZED, other=OTHER_WAYS
    )


def test_another_merchants_records_are_404_on_every_url(
    admin_client, admin_member, theirs
):
    before = _state()
    data = {"name": "Taken", "secret": "x", "m1-role": "staff", "role": "staff"}
    for name, kind in PARAMETRIZED.items():
        assert_not_found(admin_client, reverse(name, args=[theirs[kind].pk]), data)
    for name in OTHER_WAYS:
        # In the URL for the POST, in the data for the GET (which replaces the
        # URL's query with it).
        url = reverse(name) + f"?merchant={theirs['merchant'].pk}"
        assert_not_found(admin_client, url, data | {"merchant": theirs["merchant"].pk})
    assert _state() == before


def test_their_records_are_not_on_our_pages(admin_client, theirs):
    for name in ("stores", "couriers", "channels", "discord", "team"):
        page = admin_client.get(reverse(f"workspace:settings:{name}")).content.decode()
        assert theirs["store"].name not in page
        assert "their-admin" not in page
        assert "444555666" not in page
