"""Discord servers linked to the merchant's stores (docs/discord.md): list, link,
unlink. The bot token is write-only."""

from django.urls import reverse
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from orders import services
from workspace.settings import selectors
from workspace.settings.forms import DiscordGuildForm
from workspace.settings.views.common import (
    admin_only,
    current_merchant,
    merchant_query,
    page,
    saved,
)


@admin_only
@require_safe
def discord_list_view(request):
    merchant = current_merchant(request)
    return page(
        request,
        "workspace/settings/discord.html",
        merchant=merchant,
        section="discord",
        guilds=selectors.guilds_for_admin(request.user, merchant),
    )


@admin_only
@require_http_methods(["GET", "POST"])
def discord_link_view(request):
    merchant = current_merchant(request)
    stores = selectors.admin_stores(request.user, merchant)
    form = DiscordGuildForm(request.POST or None, stores=stores)
    if request.method == "POST" and form.is_valid():
        guild = services.discord_guild_link(actor=request.user, values=form.values())
        url = reverse("workspace:settings:discord") + merchant_query(request, merchant)
        return saved(request, f"Discord server {guild} linked.", url)
    return page(
        request,
        "workspace/settings/discord_form.html",
        merchant=merchant,
        section="discord",
        form=form,
    )


@admin_only
@require_POST
def discord_unlink_view(request, pk: int):
    guild = selectors.guild_get_for_admin(request.user, pk)
    merchant = guild.store.merchant
    services.discord_guild_unlink(guild=guild, actor=request.user)
    url = reverse("workspace:settings:discord") + merchant_query(request, merchant)
    return saved(request, "Discord server unlinked.", url)
