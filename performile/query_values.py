"""Query values PostgreSQL cannot hold are refused before any view sees them.

A NUL character (`%00`) in a query value reached filters and searches and came
back as a database error, a 500. Form fields and API serializers already refuse it
in bodies (Django's and DRF's CharField); this covers the query string, for every
URL at once: 400 in the API's error shape, or a plain page.
"""

from django.http import HttpResponseBadRequest, JsonResponse

from performile.errors import error_body, wants_json

MESSAGE = "Query values cannot contain NUL characters (%00)."


class RefuseNulInQueryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "%00" in request.META.get("QUERY_STRING", ""):
            if wants_json(request):
                return JsonResponse(error_body("invalid", MESSAGE), status=400)
            return HttpResponseBadRequest(MESSAGE)
        return self.get_response(request)
