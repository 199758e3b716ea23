"""Inbound webhooks: one way to verify, record and act (ARCHITECTURE.md, mechanism 3).

A provider endpoint verifies the signature over the raw body, parses the payload,
then calls `receive()` with the delivery's stable id(s) and the service to run. The
delivery is recorded under a unique constraint in the same transaction as the
service, so the same delivery twice answers 200 and changes nothing the second time.
"""

import base64
import functools
import hashlib
import hmac
import json
import logging
from collections.abc import Callable

from django.db import connection, transaction
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from performile.errors import ApplicationError, RetryLater, error_body

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


def record_delivery(provider: str, delivery_ids: list[str]) -> bool:
    """Insert the delivery under each of its ids; False when any was recorded before.

    ON CONFLICT DO NOTHING waits for a concurrent insert of the same id to commit,
    so two simultaneous copies of one delivery never both act.
    """
    rows = ", ".join(["(%s, %s, now())"] * len(delivery_ids))
    values = [value for d in delivery_ids for value in (provider, d[:255])]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO performile_webhookdelivery (provider, delivery_id, received_at)"
            f" VALUES {rows} ON CONFLICT DO NOTHING RETURNING id",
            values,
        )
        return len(cursor.fetchall()) == len(delivery_ids)


def receive(*, provider: str, delivery_ids: list[str], handle: Callable[[], object]):
    """Record the delivery and run `handle` once, atomically. Returns its result,
    or None when the delivery was seen before."""
    with transaction.atomic():
        if not record_delivery(provider, delivery_ids):
            logger.info("duplicate %s delivery %s", provider, delivery_ids)
            return None
        return handle()


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
        except RetryLater as exc:
            logger.info("webhook deferred: %s (%s)", exc.message, request.path)
            return JsonResponse(error_body(exc.code, exc.message), status=503)
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
