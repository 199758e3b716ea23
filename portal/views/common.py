"""What every portal page shares: only customers get in (anyone else: 404, the
portal does not exist for them), and the layout's context."""

from functools import wraps

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders import feed
from performile.htmx import login_required_htmx
from portal.audit import audited_page
from portal.selectors import portal_customer
from portal.session import idle_limit, touch_every

NAV = (
    ("dashboard", _("Overview")),
    ("orders", _("Orders")),
    ("messages", _("Messages")),
    ("invoices", _("Invoices")),
    ("profile", _("Profile")),
)


def customer_required(view):
    """Signed in (else to the portal's sign-in, the whole page for an htmx request)
    and a customer (else 404); the page runs in the merchant's time zone, and a
    page view is audited (portal.audit)."""
    page = audited_page(view)

    @login_required_htmx(login_url="portal:login")
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        customer = portal_customer(request.user)
        if customer is None:
            raise Http404("No such page.")
        request.customer = customer
        # Times shown, and dates typed, are the merchant's.
        with timezone.override(customer.merchant.zone):
            return page(request, *args, **kwargs)

    return wrapper


def portal_context(request) -> dict:
    """The layout's data (a context processor: available to every template)."""
    match = getattr(request, "resolver_match", None)
    if match is None or match.namespace != "portal":
        return {}
    customer = portal_customer(request.user)
    if customer is None:
        return {}
    section = match.url_name.split("_")[0] if match.url_name else ""
    return {
        "portal": {
            "customer": customer,
            "merchant_name": customer.merchant.name,
            "idle_seconds": idle_limit(),
            "touch_seconds": touch_every(),
            "nav": [
                {
                    "label": label,
                    "url": reverse(f"portal:{name}"),
                    "active": section == name.split("_")[0],
                    # On a phone, Profile lives in the account menu only.
                    "wide_only": name == "profile",
                }
                for name, label in NAV
            ],
        }
    }


def live_context() -> dict:
    """What portal-live.js needs; the cursor is taken before the page's rows are
    read, so nothing changed in between slips by."""
    return {
        "live_cursor": str(feed.current_cursor()),
        "live_feed_url": reverse("api-order-changes"),
        "live_fragment_url": reverse("portal:orders_live", args=[0]),
    }
