"""django-csp's Content-Security-Policy on every response but a PDF. The other
security headers come from Django (SecurityMiddleware) and
django-permissions-policy."""

from csp.middleware import CSPMiddleware


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """The policy (settings.CONTENT_SECURITY_POLICY), except on a PDF (an invoice,
    a confirmation, a shipping label): it runs no script of ours, and the
    browser's PDF viewer shows it in a frame that `frame-ancestors 'none'` would
    refuse. One rule for every PDF the platform serves, not a mark on each."""

    def process_response(self, request, response):
        if response.get("Content-Type", "").split(";")[0] == "application/pdf":
            response._csp_exempt = True  # what django-csp's csp_exempt() sets
        return super().process_response(request, response)
