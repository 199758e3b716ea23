"""Interaction answers (docs/providers.md#discord: type 4 is a message; flags 64
is ephemeral)."""

from django.http import JsonResponse

CHANNEL_MESSAGE = 4
EPHEMERAL = 64

# The guide's error messages (seeds/000), word for word.
NOT_FOUND = "❌ Order ID not found"
PERMISSION_DENIED = "❌ Permission denied"
UPDATE_FAILED = "❌ Failed to update order"


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
