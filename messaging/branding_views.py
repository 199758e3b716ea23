"""The stores' logos, as their emails show them: public (a mail client fetches
them without signing in), by the logo's random file name."""

from pathlib import PurePath

from django.http import FileResponse, Http404
from django.views.decorators.http import require_safe

from messaging.selectors import store_branding_by_logo

CONTENT_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
CONTENT_TYPES[".gif"] = "image/gif"


@require_safe
def brand_logo_view(request, name: str):
    branding = store_branding_by_logo(name)
    suffix = PurePath(branding.logo.name).suffix.lower()
    try:
        file = branding.logo.open("rb")
    except OSError as exc:  # the row outlived its file (a restore, a lost volume)
        raise Http404("This logo is gone.") from exc
    response = FileResponse(
        file, content_type=CONTENT_TYPES.get(suffix, "application/octet-stream")
    )
    # A new logo gets a new name, so one name's content never changes.
    response["Cache-Control"] = "public, max-age=604800, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    return response
