"""ASGI entry point: HTTP through Django's WSGI handler, websockets through Channels.

Django's own ASGI handler runs every sync-only middleware step through
`sync_to_async`, a dozen thread hops per request (about 5 ms of CPU here; see
docs/bench.md). a2wsgi runs the whole synchronous request in one thread from a
bounded pool instead, so the server stays one ASGI process for HTTP and websockets.
The body is read before that, in the event loop, so a slow client holds no thread.
"""

import os

from a2wsgi import WSGIMiddleware
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "performile.settings.base")
django_wsgi = get_wsgi_application()

from django.conf import settings  # noqa: E402

from performile.asgi_body import BufferedBody  # noqa: E402

# Slow clients wait in the event loop, not in a thread (performile.asgi_body).
django_http_app = BufferedBody(
    WSGIMiddleware(django_wsgi, workers=int(os.environ.get("WEB_THREADS", "16"))),
    max_bytes=settings.REQUEST_BODY_MAX_BYTES,
    idle_seconds=settings.REQUEST_BODY_IDLE_SECONDS,
    total_seconds=settings.REQUEST_BODY_TOTAL_SECONDS,
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
