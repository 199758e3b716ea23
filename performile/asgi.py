"""ASGI entry point: HTTP through Django's WSGI handler, websockets through Channels.

Django's own ASGI handler runs every sync-only middleware step through
`sync_to_async`, a dozen thread hops per request (about 5 ms of CPU here; see
docs/bench.md). a2wsgi runs the whole synchronous request in one thread from a
bounded pool instead, so the server stays one ASGI process for HTTP and websockets.
"""

import os

from a2wsgi import WSGIMiddleware
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "performile.settings.base")
django_http_app = WSGIMiddleware(
    get_wsgi_application(), workers=int(os.environ.get("WEB_THREADS", "16"))
)

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from performile.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_http_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
