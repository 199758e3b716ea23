"""Inbound webhooks: one way to verify and record (ARCHITECTURE.md, mechanism 3).

A provider endpoint verifies the signature over the raw body and reads the payload
(a malformed one is refused here, with a 400 that says why), then `acknowledge()`
records it in the inbound log under the provider's delivery id and answers. The
delivery's own applier (`<app>/appliers.py`, run by `performile.inbound`) makes
the change later. The same delivery twice answers 200 "duplicate" and is recorded
once.
"""

import base64
import functools
import hashlib
import hmac
import io
import json
import logging

from django.conf import settings
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

from performile import inbound
from performile.errors import ApplicationError, error_body

logger = logging.getLogger(__name__)


class WebhookRejected(Exception):
    http_status = 400
    code = "malformed"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class BadSignature(WebhookRejected):
    http_status = 401
    code = "bad_signature"


class MalformedPayload(WebhookRejected):
    pass


def unstorable(text: str) -> str:
    """Why PostgreSQL's text cannot hold `text` ("contains a NUL character", "is
    not valid Unicode": a lone surrogate), or "" when it can."""
    if "\x00" in text:
        return "contains a NUL character"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid Unicode"
    return ""


def hmac_digest(secret: str, body: bytes, algorithm=hashlib.sha256) -> bytes:
    return hmac.new(secret.encode(), body, algorithm).digest()


def signature_matches(expected: bytes | str, given: str | None) -> bool:
    if not given:
        return False
    if isinstance(expected, bytes):
        expected = expected.decode()
    return hmac.compare_digest(expected.encode(), given.strip().encode())


def base64_hmac(secret: str, body: bytes, algorithm=hashlib.sha256) -> str:
    return base64.b64encode(hmac_digest(secret, body, algorithm)).decode()


def hex_hmac(secret: str, body: bytes, algorithm=hashlib.sha256) -> str:
    return hmac_digest(secret, body, algorithm).hex()


def ed25519_signature_matches(public_key: str, message: bytes, signature: str) -> bool:
    """Whether `signature` (hex) is the Ed25519 signature of `message` by the
    `public_key` (hex). A key or signature that is not hex, or not of an Ed25519
    key's or signature's length, does not match."""
    try:
        VerifyKey(bytes.fromhex(public_key)).verify(message, bytes.fromhex(signature))
    except (BadSignatureError, ValueError, TypeError):
        return False
    return True


def parse_json_object(body: bytes) -> dict:
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedPayload(f"Body is not valid JSON: {exc}") from exc
    except RecursionError as exc:  # thousands of nested arrays or objects
        raise MalformedPayload("Body is nested too deeply.") from exc
    if not isinstance(payload, dict):
        raise MalformedPayload("Body must be a JSON object.")
    return payload


class TooLarge(WebhookRejected):
    http_status = 413
    code = "too_large"


def _read_body(request, max_bytes: int | None) -> None:
    """Keep the raw body (the inbound log stores it as sent) before anything reads
    the form or files from it, which are then parsed from the kept copy."""
    if hasattr(request, "_body"):
        return
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if max_bytes is not None and length > max_bytes:
        raise TooLarge(f"The body is larger than {max_bytes} bytes.")
    request._body = request.read()
    request._stream = io.BytesIO(request._body)


def webhook_endpoint(view=None, *, max_body: str = "DATA_UPLOAD_MAX_MEMORY_SIZE"):
    """CSRF-exempt, POST-only, the raw body kept (up to the setting `max_body`
    names), and every refusal as a JSON error with its status."""
    if view is None:
        return functools.partial(webhook_endpoint, max_body=max_body)

    @csrf_exempt
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "POST":
            return JsonResponse(
                error_body("method_not_allowed", "Use POST."), status=405
            )
        try:
            _read_body(request, getattr(settings, max_body))
            return view(request, *args, **kwargs)
        except WebhookRejected as exc:
            logger.warning("webhook refused: %s (%s)", exc.message, request.path)
            return JsonResponse(
                error_body(exc.code, exc.message), status=exc.http_status
            )
        except ApplicationError as exc:
            return JsonResponse(
                error_body(exc.code, exc.message, exc.fields), status=400
            )
        except Http404:
            return JsonResponse(
                error_body("not_found", "No such webhook endpoint."), status=404
            )

    return wrapper


def accepted(duplicate: bool = False, **extra) -> JsonResponse:
    return JsonResponse({"status": "duplicate" if duplicate else "accepted", **extra})


def acknowledge(request, **delivery) -> JsonResponse:
    """Record the delivery (`performile.inbound.record`'s arguments) and answer."""
    delivery_id = inbound.record(request, **delivery)
    if delivery_id is None:
        return accepted(duplicate=True)
    return accepted(delivery=delivery_id)
