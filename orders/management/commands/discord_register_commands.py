"""Tell Discord about the slash commands (a bulk overwrite: what is not in the list
is removed), for one linked server or globally for an application."""

import requests
from django.core.management.base import BaseCommand, CommandError

from orders.discord import rest
from orders.discord.definitions import command_definitions
from orders.models import DiscordGuild


class Command(BaseCommand):
    help = (
        "Register the Discord slash commands: --guild <guild id> for one linked"
        " server (at once), or --global --application <id> for every server of the"
        " application (Discord may take a while to show them)."
    )

    def add_arguments(self, parser):
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("--guild", metavar="GUILD_ID", help="A linked server's id.")
        where.add_argument(
            "--global",
            action="store_true",
            dest="everywhere",
            help="Register globally (needs --application).",
        )
        parser.add_argument(
            "--application", metavar="APPLICATION_ID", help="With --global."
        )

    def handle(self, *args, guild=None, everywhere=False, application=None, **opts):
        if guild:
            linked = DiscordGuild.objects.filter(guild_id=guild).first()
            if linked is None:
                raise CommandError(
                    f"No Discord server {guild} is linked: add it in the admin first."
                )
            path = f"/applications/{linked.application_id}/guilds/{guild}/commands"
            where = f"server {linked}"
        else:
            if not application:
                raise CommandError("--global needs --application <application id>.")
            linked = DiscordGuild.objects.filter(application_id=application).first()
            if linked is None:
                raise CommandError(
                    f"No linked Discord server uses application {application}: link"
                    " one in the admin (its bot token is used)."
                )
            path = f"/applications/{application}/commands"
            where = f"application {application} (global)"
        registered = self._put(path, linked.bot_token)
        for command in registered:
            self.stdout.write(f"/{command.get('name')}  id {command.get('id')}")
        self.stdout.write(
            self.style.SUCCESS(f"Registered {len(registered)} command(s) for {where}.")
        )

    def _put(self, path: str, token: str) -> list[dict]:
        try:
            response = rest.call("PUT", path, token=token, json=command_definitions())
        except requests.RequestException as exc:
            raise CommandError(f"Discord could not be reached: {exc}") from exc
        if response.status_code >= 400:
            raise CommandError(
                f"Discord refused the commands ({rest.error_text(response)})."
            )
        try:
            registered = response.json()
        except ValueError:
            registered = None
        return registered if isinstance(registered, list) else []
