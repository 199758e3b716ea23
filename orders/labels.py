"""Human names for the codes an order carries that have no choices of their own:
the payment method is what the webshop or the desk sent (Shopify's gateway names,
WooCommerce's method ids, the Discord desk's choices). Statuses, sources and
tracking statuses have their model choices (get_..._display)."""

import re

from orders.discord.choices import PAYMENT_METHODS

PAYMENT_METHOD_LABELS = {
    **dict(PAYMENT_METHODS),
    "shopify_payments": "Shopify Payments",
    "klarna": "Klarna",
    "swish": "Swish",
    "vipps": "Vipps",
    "mobilepay": "MobilePay",
    "invoice": "Invoice",
    "manual": "Manual payment",
    "cod": "Cash on delivery",
    "cash_on_delivery": "Cash on delivery",
    "bacs": "Bank transfer",
    "cheque": "Cheque",
    "card": "Card",
    "credit_card": "Card",
    "gift_card": "Gift card",
    "bogus": "Test gateway",
}

_CODE = re.compile(r"^[a-z0-9]+(?:[_-][a-z0-9]+)*$")


def payment_method_label(code: str) -> str:
    """ "shopify_payments" -> "Shopify Payments"; an unknown code reads as words
    ("store_credit" -> "Store credit"); text that is not a code stays as sent."""
    code = (code or "").strip()
    if not code:
        return ""
    known = PAYMENT_METHOD_LABELS.get(code.lower())
    if known:
        return known
    if _CODE.match(code):
        return re.sub(r"[_-]+", " ", code).capitalize()
    return code
