"""The emails a customer gets about an order, in its store's branding: the store's
name as the sender, its logo and colour at the top, the words (escaped: a
customer's or a staff member's text is never markup), the facts and a "Track
your parcel" button, the store's sign-off and footer. An HTML part for mail
clients and a plain-text part with the same content (docs/emails.md)."""

import re
from dataclasses import dataclass
from email.headerregistry import Address
from email.utils import parseaddr
from pathlib import PurePath

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from messaging.models import StoreBranding
from messaging.models.branding import DEFAULT_COLOUR
from messaging.selectors import store_branding
from orders.languages import order_language, writing_to
from orders.models import Order, Store
from orders.notifications import Letter

TEMPLATE = "messaging/email/customer_email"


@dataclass(frozen=True)
class Brand:
    """A store's branding as an email shows it, the defaults filled in."""

    name: str
    colour: str
    ink: str  # the text colour that reads on `colour`
    logo_url: str
    sign_off: str
    footer: str


def brand_of(store: Store) -> Brand:
    """The store's branding; its default sign-off in the active language."""
    branding = store_branding(store)
    name = " ".join((branding.display_name or store.name).split())
    colour = branding.colour or DEFAULT_COLOUR
    regards = _("Kind regards,")
    return Brand(
        name=name,
        colour=colour,
        ink=ink_on(colour),
        logo_url=logo_url(branding),
        sign_off=branding.sign_off.strip() or f"{regards}\n{name}",
        footer=branding.footer.strip(),
    )


def customer_email(
    order: Order, letter: Letter, *, headers: dict | None = None, language=""
) -> dict:
    """`outbox.enqueue`'s body (text), html and headers (the given ones and the
    store's From) for the letter to the order's customer, in `language` (else
    the customer's)."""
    with writing_to(language or order_language(order)):
        brand = brand_of(order.store)
        paragraphs = list(letter.paragraphs)
        if paragraphs and _same_words(paragraphs[-1], brand.sign_off):
            paragraphs.pop()  # signed already (an automatic answer, a canned reply)
        context = {
            "brand": brand,
            "paragraphs": paragraphs,
            "facts": letter.facts,
            "tracking_url": _web_link(letter.tracking_url),
            "preferences_url": _preferences_url(order),
        }
        html = render_to_string(f"{TEMPLATE}.html", context)
        text = render_to_string(f"{TEMPLATE}.txt", context)
    return {
        "body": _tidy(text),
        "html": html,
        "headers": {**(headers or {}), "From": sender(brand.name)},
    }


def reply_letter(body: str) -> Letter:
    """A reply's text as a letter: its paragraphs as written."""
    return Letter(paragraphs=tuple(re.split(r"\n[ \t]*\n", body.strip())))


def order_email(order: Order, letter: Letter) -> dict:
    """orders.notifications' email (the Orders view's "Send notification")."""
    return customer_email(order, letter)


def preview_html(store: Store) -> str:
    """A sample email of the store, as its settings page shows it (English)."""
    letter = Letter(
        paragraphs=("Hello Eva,", "Your order #1042 is on its way."),
        facts=("Tracking number: 00370712345678901",),
        tracking_url="https://tracking.example/00370712345678901",
    )
    with writing_to("en"):
        brand = brand_of(store)
        return render_to_string(
            f"{TEMPLATE}.html",
            {**vars(letter), "brand": brand, "preferences_url": "#"},
        )


def sender(name: str) -> str:
    """The From header: the store's name at the platform's address (the one SPF
    and DKIM are set up for)."""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return str(Address(display_name=name, addr_spec=address))


def logo_url(branding: StoreBranding) -> str:
    if not branding.logo:
        return ""
    name = PurePath(branding.logo.name).name
    path = reverse("brand-logo", args=[name])
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def ink_on(colour: str) -> str:
    """Dark or white text, whichever reads on the colour (WCAG luminance)."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [
        c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels
    ]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#111827" if luminance > 0.4 else "#ffffff"


def _preferences_url(order: Order) -> str:
    """The portal page where the customer turns notifications off, for a
    customer who can sign in to it."""
    customer = order.customer if order.customer_id else None
    if customer is None or not customer.user_id:
        return ""
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("portal:profile")


def _web_link(url: str) -> str:
    """The tracking link as a button only when it is a web address (it comes
    from a webshop or a courier)."""
    return url if url.startswith(("https://", "http://")) else ""


def _same_words(one: str, other: str) -> bool:
    return one.split() == other.split()


def _tidy(text: str) -> str:
    """The text part without the template's blank lines in a row."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
