"""Discord signs every interaction with Ed25519 over timestamp + raw body
(docs/providers.md#discord); the signature itself is checked by the webhooks' shared helper
(`performile.webhooks.ed25519_signature_matches`), the headers and the timestamp
window here. A bad signature is 401: Discord sends invalid ones on purpose when
the endpoint URL is saved, and drops an endpoint that accepts them."""

import time

from performile.webhooks import BadSignature, ed25519_signature_matches

# Older (or newer) signed requests are refused: a captured request cannot be
# replayed later. Discord sends each interaction at once.
MAX_AGE_SECONDS = 300


def verify(*, public_key: str, signature: str, timestamp: str, body: bytes) -> None:
    """Raise BadSignature unless `signature` signs timestamp + body for the key."""
    if not signature or not timestamp:
        raise BadSignature(
            "X-Signature-Ed25519 and X-Signature-Timestamp are required."
        )
    if not ed25519_signature_matches(public_key, timestamp.encode() + body, signature):
        raise BadSignature("The interaction's signature does not verify.")
    try:
        age = abs(time.time() - int(timestamp))
    except ValueError as exc:
        raise BadSignature("X-Signature-Timestamp is not a Unix time.") from exc
    if age > MAX_AGE_SECONDS:
        raise BadSignature("The interaction's timestamp is too old.")
