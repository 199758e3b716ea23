"""Django's error handlers: under /api/, /webhooks/ and /healthz every error has
the API's one shape, {"error": {"code", "message"}}; people get the pages.

Views answer their own errors; these cover what no view answered: a URL that
matches nothing (a non-integer id, a malformed webhook key), a refused CSRF or
permission outside DRF, an unhandled error, and a database error raised in a
middleware (503, performile.unavailable).
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from django.views import defaults

from performile.errors import error_body, wants_json
from performile.unavailable import unavailable


def bad_request(request, exception=None):
    if wants_json(request):
        return JsonResponse(error_body("invalid", "Bad request."), status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    if wants_json(request):
        return JsonResponse(
            error_body("permission_denied", "You may not do this."), status=403
        )
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception=None):
    if wants_json(request):
        return JsonResponse(
            error_body("not_found", f"Nothing at {request.path}."), status=404
        )
    return defaults.page_not_found(request, exception)


def server_error(request):
    exception = sys.exc_info()[1]
    if isinstance(exception, OperationalError | InterfaceError):
        return unavailable(request, exception)
    if wants_json(request):
        return JsonResponse(
            error_body("server_error", "Something went wrong on our side."),
            status=500,
        )
    return defaults.server_error(request)
