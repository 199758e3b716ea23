"""The portal speaks the customer's language: a signed-in customer's own choice
(else their store's, `orders.languages.customer_language`); before sign-in, the
browser's (Accept-Language), else English. The rest of the site (the staff's) stays
English: only the portal's paths and the password-reset pages are switched
(docs/decisions.md, "Languages")."""

from django.utils import translation
from django.utils.cache import patch_vary_headers

from orders.languages import DEFAULT, customer_language, writing_to
from portal.selectors import portal_customer

# The password-reset pages are where the portal's "Forgot password?" and a portal
# invitation lead; anonymous there, they follow the browser like the sign-in page.
CUSTOMER_PATHS = ("/portal/", "/accounts/password/reset/")


def portal_language(request) -> str:
    customer = portal_customer(getattr(request, "user", None))
    if customer is not None:
        return customer_language(customer)
    return translation.get_language_from_request(request) or DEFAULT


class PortalLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(CUSTOMER_PATHS):
            return self.get_response(request)
        language = portal_language(request)
        with writing_to(language):
            request.LANGUAGE_CODE = translation.get_language()
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response
