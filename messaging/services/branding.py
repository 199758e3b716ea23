"""A store's email branding (messaging.emails): the name its emails come from,
its logo and colour, its sign-off and footer. Changed by the merchant's admins,
audited."""

import re

from django.db import transaction
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from messaging.models import StoreBranding
from orders.models import Store
from orders.selectors import merchant_is_administered_by
from performile.actors import Actor
from performile.audit import audit
from performile.errors import ApplicationError, NotAllowed

FIELDS = ("display_name", "colour", "sign_off", "footer")
LIMITS = {"display_name": 100, "sign_off": 300, "footer": 500}
LOGO_MAX_BYTES = 500 * 1024
# What every mail client shows (not SVG: most refuse it, and it can carry script).
LOGO_FORMATS = {"PNG": ".png", "JPEG": ".jpg", "GIF": ".gif"}
COLOUR = re.compile(r"#[0-9a-f]{6}")
UNCHANGED = object()


def store_branding_update(
    *, store: Store, actor: Actor, logo=UNCHANGED, **values
) -> StoreBranding:
    """Change the store's branding. `logo`: an uploaded image file, None to
    remove it, or left out to keep it. What is not given keeps its value. Bad
    input changes nothing (ApplicationError naming the fields)."""
    if actor is not None and not merchant_is_administered_by(actor, store.merchant_id):
        raise NotAllowed("Only the merchant's admins change the email branding.")
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise TypeError(f"Unknown branding fields: {', '.join(sorted(unknown))}")
    values = _cleaned(values)
    suffix = _logo_suffix(logo) if logo not in (UNCHANGED, None) else ""
    with transaction.atomic():
        found, _ = StoreBranding.objects.select_for_update().get_or_create(store=store)
        changed = {k: v for k, v in values.items() if getattr(found, k) != v}
        for name, value in changed.items():
            setattr(found, name, value)
        if logo is None and found.logo:
            # The file stays: emails already sent still show it.
            found.logo, changed["logo"] = "", "removed"
        elif logo not in (UNCHANGED, None):
            logo.seek(0)
            found.logo.save(f"logo{suffix}", logo, save=False)
            changed["logo"] = "replaced"
        if changed:
            found.updated_at = timezone.now()
            found.save(update_fields=[*changed, "updated_at"])
            audit(
                "store.branding_updated",
                actor=actor,
                target=found,
                merchant_id=store.merchant_id,
                **changed,
            )
    store._branding = found  # what messaging.selectors.store_branding keeps
    return found


def _cleaned(values: dict) -> dict:
    cleaned, errors = {}, {}
    for name, value in values.items():
        value = (value or "").strip()
        if name == "display_name":
            value = " ".join(value.split())  # one line: it is an email header
        if name == "colour":
            value = value.lower()
            if value and not COLOUR.fullmatch(value):
                errors[name] = ["A colour as #rrggbb, for example #1f6f4a."]
        elif len(value) > LIMITS[name]:
            errors[name] = [f"At most {LIMITS[name]} characters."]
        cleaned[name] = value
    if errors:
        raise ApplicationError("The branding was not saved.", fields=errors)
    return cleaned


def _logo_suffix(logo) -> str:
    """The file suffix of an acceptable logo; ApplicationError otherwise."""
    size = getattr(logo, "size", None) or 0
    if size > LOGO_MAX_BYTES:
        _refuse(f"The logo is {size // 1024} KB; at most {LOGO_MAX_BYTES // 1024} KB.")
    try:
        logo.seek(0)
        with Image.open(logo) as image:
            found = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        _refuse("The logo is not an image we can read: upload a PNG, JPEG or GIF.")
    if found not in LOGO_FORMATS:
        _refuse(
            f"A {found} logo does not show in every mail client: upload a PNG, JPEG or GIF."
        )
    return LOGO_FORMATS[found]


def _refuse(reason: str):
    raise ApplicationError(reason, fields={"logo": [reason]})
