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

from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt

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


def parse_json_object(body: bytes) -> dict:
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedPayload(f"Body is not valid JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise MalformedPayload("Body must be a JSON object.")
    return payload


def read_body(request, max_bytes: int) -> bytes:
    """The raw body, up to `max_bytes` (over DATA_UPLOAD_MAX_MEMORY_SIZE: an inbound
    email with its attachments); the form and files are read from it afterwards."""
    if not hasattr(request, "_body"):
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > max_bytes:
            raise MalformedPayload(f"The body is larger than {max_bytes} bytes.")
        request._body = request.read()
        request._stream = io.BytesIO(request._body)
    return request._body


def webhook_endpoint(view):
    """CSRF-exempt, POST-only, and every refusal as a JSON error with its status."""

    @csrf_exempt
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "POST":
            return JsonResponse(
                error_body("method_not_allowed", "Use POST."), status=405
            )
        try:
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
