"""Security headers Django and django-csp do not set as we need them: a
Permissions-Policy on every response (the browser features no page uses are off:
camera, microphone, location, payment, USB), and django-csp's
Content-Security-Policy on every response but a PDF. Django sets the other
security headers itself (SecurityMiddleware)."""

from csp.middleware import CSPMiddleware
from django.conf import settings


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """The policy (settings.CONTENT_SECURITY_POLICY), except on a PDF (an invoice,
    a confirmation, a shipping label): it runs no script of ours, and the
    browser's PDF viewer shows it in a frame that `frame-ancestors 'none'` would
    refuse. One rule for every PDF the platform serves, not a mark on each."""

    def process_response(self, request, response):
        if response.get("Content-Type", "").split(";")[0] == "application/pdf":
            response._csp_exempt = True  # what django-csp's csp_exempt() sets
        return super().process_response(request, response)
