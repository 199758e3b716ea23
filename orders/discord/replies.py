"""Interaction answers (docs/providers.md#discord: type 4 is a message; flags 64
is ephemeral)."""

from django.http import JsonResponse

from orders.discord.refusals import Refused

CHANNEL_MESSAGE = 4
EPHEMERAL = 64


def message(content: str = "", *, embeds: list | None = None, ephemeral: bool = True):
    data = {"content": content, "allowed_mentions": {"parse": []}}
    if embeds:
        data["embeds"] = embeds[:10]
    if ephemeral:
        data["flags"] = EPHEMERAL
    return JsonResponse({"type": CHANNEL_MESSAGE, "data": data})


def error(text: str, detail: str = ""):
    """An error only the caller sees; `detail` says what went wrong, when it helps."""
    return message(f"{text}: {detail}" if detail else text)


def refused(exc: Refused):
    """A service's refusal (`orders.discord.refusals`), as `error` answers it."""
    return error(exc.text, exc.detail)
