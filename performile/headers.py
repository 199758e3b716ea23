"""Permissions-Policy on every response: the browser features no page uses are
off (camera, microphone, location, payment, USB). Django sets the other security
headers itself (SecurityMiddleware), django-csp the Content-Security-Policy."""

from django.conf import settings


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
