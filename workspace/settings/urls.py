"""/settings/: the merchant admins' settings (docs/workspace.md)."""

from django.urls import path

from workspace.settings.views import (
    billing,
    branding,
    channels,
    couriers,
    discord,
    stores,
    team,
)

app_name = "settings"
urlpatterns = [
    path("", stores.settings_home_view, name="home"),
    path("business/", stores.business_view, name="business"),
    path("stores/", stores.store_list_view, name="stores"),
    path("stores/new/", stores.store_create_view, name="store-create"),
    path("stores/<int:pk>/", stores.store_edit_view, name="store"),
    path(
        "stores/<int:pk>/secret/reveal",
        stores.store_secret_reveal_view,
        name="store-secret-reveal",
    ),
    path(
        "stores/<int:pk>/secret/rotate",
        stores.store_secret_rotate_view,
        name="store-secret-rotate",
    ),
    path(
        "stores/<int:pk>/webhook-test",
        stores.store_webhook_test_view,
        name="store-webhook-test",
    ),
    path("couriers/", couriers.courier_list_view, name="couriers"),
    path("couriers/new/", couriers.courier_create_view, name="courier-create"),
    path("couriers/<int:pk>/", couriers.courier_edit_view, name="courier"),
    path("couriers/<int:pk>/test", couriers.courier_test_view, name="courier-test"),
    path("channels/", channels.channel_list_view, name="channels"),
    path("channels/<int:pk>/", channels.channel_edit_view, name="channel"),
    path(
        "channels/<int:pk>/branding/",
        branding.branding_edit_view,
        name="branding",
    ),
    path("billing/", billing.billing_view, name="billing"),
    path(
        "billing/secret/reveal",
        billing.billing_secret_reveal_view,
        name="billing-secret-reveal",
    ),
    path("discord/", discord.discord_list_view, name="discord"),
    path("discord/new/", discord.discord_link_view, name="discord-link"),
    path("discord/<int:pk>/unlink", discord.discord_unlink_view, name="discord-unlink"),
    path("team/", team.team_view, name="team"),
    path("team/invite/", team.team_invite_view, name="team-invite"),
    path("team/<int:pk>/", team.team_member_view, name="member"),
    path("team/<int:pk>/remove", team.team_remove_view, name="member-remove"),
]
