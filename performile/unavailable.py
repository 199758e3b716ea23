"""A database that is away answers 503 at once, not a 500 page or a long wait.

The connection pool gives up after DATABASE_POOL_TIMEOUT (2 s) and checks each
connection before handing it out, so a restarted PostgreSQL costs no failed
requests and an outage costs each request at most those seconds (docs/faults.md).
Whatever then raises `OperationalError` or `InterfaceError` is answered 503 with
Retry-After: the API's JSON error shape for API, webhook and health URLs (a provider
retries a webhook it was answered 503), a page for people. Out of a view, the
middleware answers; out of another middleware (the session, the user), Django's
500 handler does (performile.error_pages.server_error).
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

from performile.errors import error_body, wants_json

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = "5"


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        return unavailable(request, exception)


def unavailable(request, exception):
    logger.warning(
        "database unavailable for %s: %s",
        request.path,
        exception.__class__.__name__,
    )
    if wants_json(request):
        response = JsonResponse(
            error_body(
                "database_unavailable",
                "The database is not answering. Try again in a few seconds.",
            ),
            status=503,
        )
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = RETRY_AFTER_SECONDS
    return response
