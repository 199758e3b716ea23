"""Calls to Discord's REST API with a bot token, and its errors in words.

Discord answers errors as {"message": ..., "code": ...}; a 429 adds
{"retry_after": seconds, "global": bool} and a Retry-After header.
"""

import requests
from django.conf import settings

# (connect, read) seconds: well inside outbox_deliver's time limit.
TIMEOUT = (5, 15)
# Discord asks bots to say who they are in this form.
USER_AGENT = "DiscordBot (https://github.com/performile/performile, 1.0)"


def call(method: str, path: str, *, token: str, json=None) -> requests.Response:
    """One request; raises requests.RequestException when Discord is unreachable."""
    return requests.request(
        method,
        settings.DISCORD_API_BASE.rstrip("/") + path,
        json=json,
        headers={"Authorization": f"Bot {token}", "User-Agent": USER_AGENT},
        timeout=TIMEOUT,
    )


def error_text(response: requests.Response) -> str:
    """'403: Cannot send messages to this user (code 50007)'."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and body.get("message"):
        text = str(body["message"])
        if body.get("code"):
            text = f"{text} (code {body['code']})"
    else:
        text = response.text[:300] or response.reason or "no details"
    return f"{response.status_code}: {text}"


def retry_after(response: requests.Response) -> float | None:
    """Seconds to wait after a 429: the body's retry_after, else the header."""
    try:
        value = response.json().get("retry_after")
    except (ValueError, AttributeError):
        value = None
    if value is None:
        value = response.headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None
