"""Domain errors, and their one translation into HTTP at the edge.

Services raise these; the DRF exception handler (and the HTML views) turn them into
one JSON shape: {"error": {"code": ..., "message": ..., "fields": {...}}}.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class ApplicationError(Exception):
    """A request the domain refuses, with a message meant for the user."""

    code = "invalid"
    http_status = status.HTTP_400_BAD_REQUEST

    def __init__(self, message: str, *, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class NotAllowed(ApplicationError, DjangoPermissionDenied):
    """Also Django's PermissionDenied: an HTML view that lets it through answers
    with the 403 page, as the API answers 403."""

    code = "permission_denied"
    http_status = status.HTTP_403_FORBIDDEN


class Conflict(ApplicationError):
    code = "conflict"
    http_status = status.HTTP_409_CONFLICT


class RetryLater(ApplicationError):
    """Well-formed, but not applicable yet (an event about an order that has not
    arrived): the inbound applier tries the delivery again after a backoff."""

    code = "retry_later"
    http_status = status.HTTP_503_SERVICE_UNAVAILABLE


# Under these, every answer is JSON in the shape below, errors included.
JSON_PREFIXES = ("/api/", "/webhooks/", "/healthz", "/portal/api/")


def wants_json(request) -> bool:
    """An API, webhook or health URL, or a client that asks for JSON."""
    return request.path.startswith(JSON_PREFIXES) or "application/json" in (
        request.headers.get("Accept", "")
    )


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    body = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return {"error": body}


def api_exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        return Response(
            error_body(exc.code, exc.message, exc.fields), status=exc.http_status
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = (
            exc.detail
            if isinstance(exc.detail, dict)
            else {"non_field_errors": exc.detail}
        )
        response.data = error_body("invalid", _first_message(detail), detail)
    else:
        code = getattr(exc, "default_code", "error")
        response.data = error_body(code, str(getattr(exc, "detail", exc)))
    return response


def _first_message(detail: dict) -> str:
    for field, messages in detail.items():
        message = messages[0] if isinstance(messages, list) and messages else messages
        if isinstance(message, dict):
            return f"{field}: {_first_message(message)}"
        return str(message) if field == "non_field_errors" else f"{field}: {message}"
    return "Invalid input."
