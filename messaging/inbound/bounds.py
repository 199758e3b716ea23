"""What an inbound message may hold, checked as it is parsed (the parsed classes
of each channel call `bounded` after they are made).

A customer's words are never refused: a NUL character or a lone surrogate (which
PostgreSQL's text cannot hold) becomes U+FFFD, visibly, and a subject or a file
name too long for its column is shortened. An address or a provider's message id
too long for its column cannot be one, and is the sender's error (400 naming the
field, and nothing is kept).
"""

from dataclasses import fields, is_dataclass, replace

from performile.webhooks import MalformedPayload, unstorable

REPLACEMENT = "\ufffd"


def bounded(parsed, *, refuse: dict[str, int], shorten: dict[str, int] | None = None):
    """Set `parsed`'s (a frozen dataclass) text fields readable; raise
    MalformedPayload when a field of `refuse` is longer than its limit."""
    for field in fields(parsed):
        object.__setattr__(parsed, field.name, readable(getattr(parsed, field.name)))
    for name, limit in refuse.items():
        if len(getattr(parsed, name) or "") > limit:
            raise MalformedPayload(f"'{name}' is longer than {limit} characters.")
    for name, limit in (shorten or {}).items():
        value = getattr(parsed, name) or ""
        if len(value) > limit:
            object.__setattr__(parsed, name, value[: limit - 1] + "…")


def readable(value):
    """`value` with every string in it, at any depth, storable."""
    if isinstance(value, str):
        return _storable(value)
    if isinstance(value, dict):
        return {readable(key): readable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(readable(item) for item in value)
    if is_dataclass(value) and not isinstance(value, type):
        changes = {
            field.name: readable(getattr(value, field.name))
            for field in fields(value)
            if isinstance(getattr(value, field.name), str)
        }
        return replace(value, **changes)
    return value


def _storable(text: str) -> str:
    if not unstorable(text):
        return text
    # NULs and lone surrogates (a str holds no surrogate pairs)
    return "".join(
        REPLACEMENT if char == "\x00" or 0xD800 <= ord(char) <= 0xDFFF else char
        for char in text
    )
