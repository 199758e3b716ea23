"""The webhooks' shared signature helpers: Ed25519 (Discord) beside the HMACs."""

import pytest
from nacl.signing import SigningKey

from performile.webhooks import ed25519_signature_matches

KEY = SigningKey(bytes(range(32)))
PUBLIC = KEY.verify_key.encode().hex()
SIGNATURE = KEY.sign(b"1700000000{}").signature.hex()


def test_an_ed25519_signature_of_the_message_by_the_key_matches():
    assert ed25519_signature_matches(PUBLIC, b"1700000000{}", SIGNATURE)


@pytest.mark.parametrize(
    ("public_key", "message", "signature"),
    [
        (PUBLIC, b"1700000000{ }", SIGNATURE),
        (SigningKey(bytes(32)).verify_key.encode().hex(), b"1700000000{}", SIGNATURE),
        ("not hex", b"1700000000{}", SIGNATURE),
        (PUBLIC[:32], b"1700000000{}", SIGNATURE),
        (PUBLIC, b"1700000000{}", "zz" + SIGNATURE[2:]),
        (PUBLIC, b"1700000000{}", SIGNATURE[:64]),
        (PUBLIC, b"1700000000{}", ""),
    ],
    ids=[
        "other-message",
        "other-key",
        "key-not-hex",
        "key-too-short",
        "signature-not-hex",
        "signature-too-short",
        "no-signature",
    ],
)
def test_anything_else_does_not_match(public_key, message, signature):
    assert not ed25519_signature_matches(public_key, message, signature)
