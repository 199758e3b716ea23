"""The language a customer is written to: their own choice (Customer.language, set
in the portal), else their store's (Store.language), else English. Every text sent
to a customer is rendered inside `customer_language(...)`'s translation.override,
so `gettext` picks the catalogue of locale/ (docs/decisions.md, "Languages")."""

from contextlib import contextmanager

from django.conf import settings
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import translation

from orders.models import Order

CODES = frozenset(code for code, _name in settings.LANGUAGES)
DEFAULT = settings.LANGUAGE_CODE


def language_of(*, customer=None, store=None) -> str:
    """The customer's language, else the store's, else the default."""
    for chosen in (getattr(customer, "language", ""), getattr(store, "language", "")):
        if chosen in CODES:
            return chosen
    return DEFAULT


def order_language(order) -> str:
    """The language of the order's customer (with the order's store's default)."""
    customer = order.customer if order.customer_id else None
    return language_of(customer=customer, store=order.store)


@contextmanager
def writing_to(language: str):
    """Texts rendered inside are in `language` (one of CODES, else the default)."""
    with translation.override(language if language in CODES else DEFAULT):
        yield


def customer_language(customer) -> str:
    """The customer's own choice, else the language of the store they last ordered
    from (a merchant's stores may differ), else the default. A customer read
    `with_store_language` costs no query."""
    if customer.language in CODES:
        return customer.language
    store_language = getattr(customer, "store_language", None)
    if store_language is None:
        latest = customer.orders.order_by("-placed_at").values("store__language")
        store_language = next(iter(latest[:1]), {}).get("store__language", "")
    return store_language if store_language in CODES else DEFAULT


def with_store_language(customers):
    """`customers` (a queryset) with the language of each one's latest order's
    store, for `customer_language` (the portal reads it on every page)."""
    latest = Order.objects.filter(customer=OuterRef("pk")).order_by("-placed_at")
    language = Subquery(latest.values("store__language")[:1])
    return customers.annotate(store_language=Coalesce(language, Value("")))


def from_locale(locale: str) -> str:
    """Our language for a locale tag ("sv-SE", "no", "da"), or "" when none fits.
    Discord says "no" for Norwegian, which is bokmål."""
    base = (locale or "").lower().replace("_", "-").split("-")[0]
    base = {"no": "nb", "nn": "nb"}.get(base, base)
    return base if base in CODES else ""
