"""The edge: a webhook endpoint that has checked the signature records the
delivery with one INSERT ... ON CONFLICT DO NOTHING and answers."""

import hashlib
import io
import json

from django.conf import settings
from django.core.handlers.wsgi import WSGIRequest
from django.db import connection

from performile.models import InboundDelivery

Status = InboundDelivery.Status
KEY_MAX_LENGTH = 200
# Headers an applier may need again (Content-Type and the providers' X- headers);
# none that carries a secret or a signature, which the door has checked.
KEPT_HEADERS = ("content-type",)
SECRET_HEADER_WORDS = ("secret", "token", "signature", "hmac", "auth", "key")


def key(value: str) -> str:
    """A delivery id or entity as stored: itself, or its digest when it is too long
    for the unique index (two long ids sharing a prefix stay two ids)."""
    if len(value) <= KEY_MAX_LENGTH:
        return value
    return (
        "sha256:" + hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
    )


def record(
    request,
    *,
    provider: str,
    delivery_id: str,
    entity: str,
    route: dict | None = None,
    store_id: int | None = None,
    merchant_id: int | None = None,
) -> int | None:
    """Write the delivery; its id, or None when it was recorded before."""
    recorded = enqueue(
        provider=provider,
        delivery_id=delivery_id,
        entity=entity,
        route=route,
        store_id=store_id,
        merchant_id=merchant_id,
        headers=_kept_headers(request),
        body=request.body,
    )
    if recorded is not None and settings.INBOUND_APPLY_EAGER:
        # Tests: apply it now, through the same path.
        from performile.inbound.applying import apply_batch

        apply_batch(ids=[recorded])
    return recorded


def enqueue(
    *,
    provider: str,
    delivery_id: str,
    entity: str,
    body: bytes,
    route: dict | None = None,
    headers: dict | None = None,
    store_id: int | None = None,
    merchant_id: int | None = None,
) -> int | None:
    """One row for the appliers, in the caller's transaction; None if it exists."""
    ids = enqueue_many(
        [
            {
                "provider": provider,
                "delivery_id": delivery_id,
                "entity": entity,
                "body": body,
                "route": route,
                "headers": headers,
                "store_id": store_id,
                "merchant_id": merchant_id,
            }
        ]
    )
    return ids[0] if ids else None


def enqueue_many(rows: list[dict]) -> list[int]:
    """`enqueue` for several rows in one INSERT; the ids of those that were new."""
    if not rows:
        return []
    values = ", ".join(
        ["(%s, %s, %s, %s, %s, %s::jsonb, %s::jsonb, %s, 'pending', 0, '', '{}')"]
        * len(rows)
    )
    params = []
    for row in rows:
        params += [
            row["provider"],
            key(row["delivery_id"]),
            key(row["entity"]),
            row.get("store_id"),
            row.get("merchant_id"),
            json.dumps(row.get("route") or {}),
            json.dumps(row.get("headers") or {}),
            row["body"],
        ]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO performile_inbounddelivery (provider, delivery_id, entity,"
            " store_id, merchant_id, route, headers, body, status, attempts, error,"
            f" result) VALUES {values} ON CONFLICT DO NOTHING RETURNING id",
            params,
        )
        return [row_id for (row_id,) in cursor.fetchall()]


def _kept_headers(request) -> dict:
    kept = {}
    for name, value in request.headers.items():
        lower = name.lower()
        if any(word in lower for word in SECRET_HEADER_WORDS):
            continue
        if lower.startswith("x-") or lower in KEPT_HEADERS:
            kept[name] = value
    return kept


def stored_request(delivery: InboundDelivery) -> WSGIRequest:
    """The request again, as the endpoint saw it: body, headers, form and files."""
    body = bytes(delivery.body)
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/",
        "SERVER_NAME": "inbound",
        "SERVER_PORT": "443",
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(body),
        "CONTENT_LENGTH": str(len(body)),
    }
    for name, value in delivery.headers.items():
        if name.lower() == "content-type":
            environ["CONTENT_TYPE"] = value
        else:
            environ["HTTP_" + name.upper().replace("-", "_")] = value
    request = WSGIRequest(environ)
    request._body = body  # read as it was at the door, whatever its size
    return request
