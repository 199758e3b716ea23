"""What an htmx answer may ask of the page (static/js/app.js): a toast, and closing
the action dialog."""

from django_htmx.http import trigger_client_event


def toast(response, text: str, *, level: str = "success"):
    return trigger_client_event(
        response, "performile:toast", {"text": text, "level": level}
    )


def dialog_done(response, text: str, *, level: str = "success"):
    """A toast, and the action dialog closed (orders.js)."""
    toast(response, text, level=level)
    return trigger_client_event(response, "performile:dialog-done")
