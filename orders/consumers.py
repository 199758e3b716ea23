"""The Orders view's and the portal's live channel: authenticate, join the groups
`visible_orders` allows, forward. Nothing here writes."""

import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from orders import live

# How often a connection checks that its user may still see its groups. Checks run
# on the client's keep-alive ping (every 25 s), never on the path of a change, so a
# member removed from a merchant stops receiving within about a minute and a half,
# and a new store is joined as soon.
RECHECK_SECONDS = 60


class OrdersConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.joined: list[str] = []
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)  # before accept: the handshake is refused
            return
        await self._join(await database_sync_to_async(live.groups_for)(user))
        await self.accept()

    async def disconnect(self, code):
        for group in getattr(self, "joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and content.get("type") == "ping":
            due = time.monotonic() - self.checked_at > RECHECK_SECONDS
            if due and not await self._recheck():
                return
            await self.send_json({"type": "pong"})

    async def dispatch(self, message):
        # Channels hops to its one database thread before every handler to close
        # stale connections: with 200 tabs open and 100 changes a second, 20,000
        # hops a second queue up behind each other in that thread (seconds of
        # delay; see docs/bench.md, live_push). Forwarding a change touches no
        # connection, and the recheck's database_sync_to_async closes its own.
        if message.get("type") == live.MESSAGE_TYPE:
            await self.order_changed(message)
        else:
            await super().dispatch(message)

    async def order_changed(self, event):
        # The broadcast serialized the message once for every tab of the group.
        if event.get("group") in self.joined:
            await self.send(text_data=event["text"])

    async def _join(self, groups: list[str]) -> None:
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
        self.joined = groups
        self.checked_at = time.monotonic()

    async def _recheck(self) -> bool:
        """Join the groups the user may see now, leave the others; close the
        socket (and answer False) when nothing is left."""
        user = self.scope["user"]
        await database_sync_to_async(user.refresh_from_db)()
        allowed = await database_sync_to_async(live.groups_for)(user)
        for group in set(self.joined) - set(allowed):
            await self.channel_layer.group_discard(group, self.channel_name)
        await self._join(allowed)
        if not allowed:
            await self.close(code=4403)
        return bool(allowed)
