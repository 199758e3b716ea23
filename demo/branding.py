"""The demo stores' email branding: a name, a colour, a sign-off, a footer and a
drawn logo (its name in white, to sit on the colour), so the emails of
`make run` look like a shop's (docs/emails.md)."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont

from messaging.services import store_branding_update
from orders.models import Store

# By the store's name in demo.orders.catalog.
BRANDINGS = {
    "Nordic Goods Shopify": {
        "display_name": "Nordic Goods",
        "colour": "#1f6f4a",
        "sign_off": "Kind regards,\nThe Nordic Goods team",
        "footer": "Nordic Goods AB · Lagervägen 12 · 171 54 Solna · Sweden",
    },
    "Nordic Goods Woo": {
        "display_name": "Fjordtrade",
        "colour": "#1d4e89",
        "sign_off": "Kind regards,\nFjordtrade customer service",
        "footer": "Fjordtrade · Lagerveien 4 · 0668 Oslo · Norway",
    },
    "Pixel Forge Discord": {
        "display_name": "Pixel Forge",
        "colour": "#6d28d9",
        "sign_off": "Cheers,\nThe Pixel Forge crew",
        "footer": "Pixel Forge Studio · Vesterbrogade 10 · 1620 København V",
    },
}


def demo_brandings_create() -> int:
    """Brand the demo stores; returns how many."""
    stores = Store.objects.filter(name__in=BRANDINGS)
    for store in stores:
        values = BRANDINGS[store.name]
        store_branding_update(
            store=store, actor=None, logo=_logo(values["display_name"]), **values
        )
    return len(stores)


def _logo(name: str) -> SimpleUploadedFile:
    font = ImageFont.load_default(size=40)
    width = int(font.getlength(name)) + 8
    image = Image.new("RGBA", (width, 96), (0, 0, 0, 0))
    ImageDraw.Draw(image).text((4, 48), name, font=font, fill="white", anchor="lm")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")
