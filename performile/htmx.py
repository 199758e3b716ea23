"""What an htmx answer may ask of the page (static/js/app.js): a toast, closing
the action dialog, sending the whole page elsewhere; and the sign-in check that
does the last for a fragment request whose session has ended."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event


def toast(response, text: str, *, level: str = "success"):
    return trigger_client_event(
        response, "performile:toast", {"text": text, "level": level}
    )


def dialog_done(response, text: str, *, level: str = "success"):
    """A toast, and the action dialog closed (orders.js)."""
    toast(response, text, level=level)
    return trigger_client_event(response, "performile:dialog-done")


def redirect_page(request, url: str):
    """The whole page to `url`: an htmx request gets HX-Redirect (a plain 302 would
    be followed by htmx itself and the sign-in page, say, swapped into a
    fragment); any other request a 302. Reads the header itself, so that
    middleware running before django-htmx's may use it too."""
    if request.headers.get("HX-Request") == "true":  # as django-htmx reads it
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)


def login_required_htmx(view=None, *, login_url: str | None = None):
    """Django's login_required, except that an htmx request whose session has
    ended sends the whole page to sign-in (and back to that page afterwards)
    instead of swapping the sign-in form into a fragment. `login_url` (a URL or
    its name) defaults to settings.LOGIN_URL."""
    if view is None:
        return lambda view: login_required_htmx(view, login_url=login_url)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        back = request.get_full_path()
        if request.htmx:
            back = request.htmx.current_url_abs_path or back
            return HttpResponseClientRedirect(redirect_to_login(back, login_url).url)
        return redirect_to_login(back, login_url)

    return wrapper
