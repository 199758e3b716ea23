"""Settings, read from the environment (see docs/configuration.md).

Nothing secret has a default that would work in production: with DEBUG off,
SECRET_KEY must be set.
"""

from pathlib import Path
from urllib.parse import unquote

import environ

from performile.settings.schedule import (  # noqa: F401 (settings of their own module)
    CELERY_BEAT_SCHEDULE,
    WORKER_QUEUES,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key" if DEBUG else None)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="http://localhost:8000")

INSTALLED_APPS = [
    "csp",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served by us (no CDN)
    "django_filters",
    "django_htmx",
    "channels",
    "allauth",
    "allauth.account",
    "performile",
    "orders",
    "shipments",
    "messaging",
    "invoices",
    "privacy",
    "portal",
    "workspace",
    # The top of the import order: the demo imports every app, no app imports it.
    "demo",
]

MIDDLEWARE = [
    # First: every other middleware's time counts in the request's duration.
    "performile.metrics.RequestDurationMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "performile.headers.ContentSecurityPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "performile.query_values.RefuseNulInQueryMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.session.PortalSessionTimeoutMiddleware",
    # After the session and the user: the portal's pages in the customer's language.
    "portal.language.PortalLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "performile.unavailable.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "performile.urls"
ASGI_APPLICATION = "performile.asgi.application"
WSGI_APPLICATION = "performile.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "messaging.context_processors.inbox_nav",
                "privacy.context_processors.privacy_nav",
                "portal.views.common.portal_context",
            ],
        },
    },
]

# --- Data stores -----------------------------------------------------------
# PostgreSQL only. Under ASGI each request runs in its own thread, so persistent
# per-thread connections would pile up; psycopg's pool is used instead.
DATABASES = {"default": env.db_url("DATABASE_URL")}
# A Unix-socket directory arrives percent-encoded in the URL's host part.
DATABASES["default"]["HOST"] = unquote(DATABASES["default"].get("HOST") or "")
DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"].setdefault("OPTIONS", {})
if env.bool("DATABASE_POOL", default=True):
    DATABASES["default"]["OPTIONS"]["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN", default=2),
        "max_size": env.int("DATABASE_POOL_MAX", default=20),
        # A web process has fewer threads than connections, so waiting for one
        # means the database is away: answer 503 soon (performile.unavailable).
        "timeout": env.float("DATABASE_POOL_TIMEOUT", default=2.0),
    }
    # The pool tries a connection before it hands it out, when it has not been in
    # use for two seconds (performile.db): after a restart of PostgreSQL no request
    # gets a connection idle since.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"]["ENGINE"] = "performile.db"
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", 2)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL")
CACHES = {
    "default": {
        "BACKEND": "performile.cache.GuardedRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="performile"),
    }
}
CHANNEL_LAYERS = {
    "default": {
        # Pub/sub: a group_send is one PUBLISH, each web process receives it once
        # and hands it to its own sockets. The list-based layer stores a copy per
        # socket in Redis instead (200 tabs, 200 copies; docs/bench.md). Pub/sub
        # keeps nothing for a process that is away; the change feed does.
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {
            "hosts": [REDIS_URL],
            "prefix": env("CHANNELS_PREFIX", default="asgi"),
        },
    }
}

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
# A queue per kind of work, each with workers of its own (Procfile.dev,
# docker-compose.yml), so a hung courier or a long bulk booking never keeps a
# customer's email waiting. The first pattern that matches wins; the rest (store
# catch-ups) go to the default queue, "celery", served with notifications.
CELERY_TASK_ROUTES = {
    "performile.tasks.*": {"queue": "notifications"},
    "messaging.tasks.*": {"queue": "notifications"},
    # The sweep only looks: never behind a long bulk booking in its queue.
    "shipments.tasks.bulk_bookings_sweep": {"queue": "celery"},
    "shipments.tasks.bulk_*": {"queue": "bookings"},
    "shipments.tasks.bookings_*": {"queue": "bookings"},
    "shipments.tasks.*": {"queue": "polling"},
    "invoices.tasks.*": {"queue": "documents"},
}
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# Inbound deliveries are applied by `manage.py inbound_apply` processes. Eager
# (the tests) also applies each one in the request that recorded it; retries after
# a backoff still need an applier.
INBOUND_APPLY_EAGER = env.bool("INBOUND_APPLY_EAGER", default=False)
# A countdown longer than this is redelivered in a loop on Redis
# (docs/providers.md#celery-on-redis).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# Records each tick for /healthz (performile.beat). The schedule and the queues
# are in settings/schedule.py.
CELERY_BEAT_SCHEDULER = "performile.beat:Scheduler"
CELERY_BEAT_SCHEDULE_FILENAME = env(
    "CELERY_BEAT_SCHEDULE_FILENAME",
    default=str(BASE_DIR / ".run" / "celerybeat-schedule"),
)
# A parcel with no tracking news for this long is flagged "stuck".
SHIPMENT_STUCK_AFTER_HOURS = env.int("SHIPMENT_STUCK_AFTER_HOURS", default=72)

# --- Auth ------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "portal.auth.CustomerNumberBackend",
]
LOGIN_URL = "account_login"
# "/" sends customers to the portal and the merchant's people to the Orders view.
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
# Accounts are invited, not signed up; a changed email is verified (portal profile).
ACCOUNT_EMAIL_VERIFICATION = "optional"
# Brute-force protection: after 5 failed sign-ins for one login within 15 minutes
# that login is locked out for the rest of the window (allauth, counted in Redis).
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/900s/key"}
# Portal sessions end after this long without a request (portal.session).
PORTAL_SESSION_IDLE_SECONDS = env.int("PORTAL_SESSION_IDLE_SECONDS", default=30 * 60)
ACCOUNT_LOGOUT_ON_GET = False
# Setting a password from an emailed link (a portal invitation, a reset) signs in.
ACCOUNT_LOGIN_ON_PASSWORD_RESET = True
ACCOUNT_ADAPTER = "performile.accounts.ClosedSignupAdapter"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 3600)
SESSION_SAVE_EVERY_REQUEST = False

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# --- HTTP ------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# HTTPS only, once a browser has seen the site over it (sent on HTTPS requests
# only, so `make run` over plain HTTP is unaffected). 0 switches it off.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_REFERRER_POLICY = "same-origin"
# Scripts come from our own files only: no inline scripts or handlers, no eval
# (django-csp; htmx runs with allowEval off, see static/js/app.js for the list
# filters). Inline styles stay allowed (htmx's indicator styles, style="").
# A PDF gets no policy (performile.headers.ContentSecurityPolicyMiddleware).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Browser features no page of ours uses: off (django-permissions-policy).
PERMISSIONS_POLICY = {
    feature: [] for feature in ("camera", "microphone", "geolocation", "payment", "usb")
}
LANGUAGE_CODE = "en"
# The languages customers are written to in (docs/decisions.md, "Languages").
LANGUAGES = [
    ("en", "English"),
    ("sv", "Svenska"),
    ("nb", "Norsk bokmål"),
    ("da", "Dansk"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "media"))
MEDIA_URL = "/media/"
# Files we keep (labels, claim photos, PDFs): local disk, or any S3-compatible bucket
# when AWS_STORAGE_BUCKET_NAME is set (django-storages reads the other AWS_* and
# AWS_S3_ENDPOINT_URL variables itself).
# Static files get hashed names (a manifest) and, for production, Brotli and gzip
# copies. `make run` sets STATIC_COMPRESS=0: compressing costs ~12 s of CPU on every
# start, and a browser on this machine gains nothing from it.
STATIC_COMPRESS = env.bool("STATIC_COMPRESS", default=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_COMPRESS
        else "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
    },
}
if env("AWS_STORAGE_BUCKET_NAME", default=""):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "default_acl": None,
            "querystring_auth": True,
        },
    }

EMAIL_BACKEND = env(
    "EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default="Performile <no-reply@localhost>"
)

# --- Outbound SMS (performile.senders): Twilio's REST API ----------------------
# Without all three of SID, token and sender number, SMS is off: notifications go by
# email only, and an SMS queued anyway fails with the reason.
TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM_NUMBER = env("TWILIO_FROM_NUMBER", default="")
TWILIO_API_BASE = env("TWILIO_API_BASE", default="https://api.twilio.com")

# --- Customer messages (docs/messaging.md) ---------------------------------------
# Inbound email: Mailgun's webhook signing key, and the secret that signs raw MIME
# posted to /webhooks/email/mime.
MAILGUN_SIGNING_KEY = env("MAILGUN_SIGNING_KEY", default="")
EMAIL_INBOUND_SECRET = env("EMAIL_INBOUND_SECRET", default="")
# WhatsApp Cloud API: the app secret signs webhooks, the verify token answers
# Meta's handshake, the access token and phone number id send.
WHATSAPP_APP_SECRET = env("WHATSAPP_APP_SECRET", default="")
WHATSAPP_VERIFY_TOKEN = env("WHATSAPP_VERIFY_TOKEN", default="")
WHATSAPP_ACCESS_TOKEN = env("WHATSAPP_ACCESS_TOKEN", default="")
WHATSAPP_PHONE_NUMBER_ID = env("WHATSAPP_PHONE_NUMBER_ID", default="")
WHATSAPP_API_BASE = env("WHATSAPP_API_BASE", default="https://graph.facebook.com/v21.0")
# Staff get unseen customer messages by email at most this often.
MESSAGES_DIGEST_MINUTES = env.int("MESSAGES_DIGEST_MINUTES", default=15)
# An inbound email with its attachments (Mailgun's limit is 25 MB).
INBOUND_EMAIL_MAX_BYTES = env.int("INBOUND_EMAIL_MAX_BYTES", default=30 * 1024 * 1024)
# WhatsApp payloads reach 3 MB (docs/providers.md#whatsapp-cloud-api).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int(
    "DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024
)
# Request bodies are read whole before a thread takes the request
# (performile.asgi_body): the largest any endpoint takes, a client that sends
# nothing for this long, and the longest a body may take to arrive.
REQUEST_BODY_MAX_BYTES = env.int(
    "REQUEST_BODY_MAX_BYTES", default=INBOUND_EMAIL_MAX_BYTES + 1024 * 1024
)
REQUEST_BODY_IDLE_SECONDS = env.float("REQUEST_BODY_IDLE_SECONDS", default=10.0)
REQUEST_BODY_TOTAL_SECONDS = env.float("REQUEST_BODY_TOTAL_SECONDS", default=60.0)

# --- Discord (docs/discord.md) ----------------------------------------------
# REST API for DMs, roles and command registration; each linked server brings its own
# bot token (orders.DiscordGuild).
DISCORD_API_BASE = env("DISCORD_API_BASE", default="https://discord.com/api/v10")

# --- API -------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "performile.errors.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["performile.throttling.PerMinuteThrottle"],
}
# Requests a minute the API takes from one signed-in client (performile.throttling).
API_RATE_LIMIT_PER_MINUTE = env.int("API_RATE_LIMIT_PER_MINUTE", default=1200)
SPECTACULAR_SETTINGS = {
    "TITLE": "Performile API",
    "DESCRIPTION": "Orders, shipments, messages and invoices for merchants.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from our own static files (drf-spectacular-sidecar): /api/docs/
    # works offline, and its init script is a file (SpectacularSwaggerSplitView),
    # so the page runs under our Content-Security-Policy like any other.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No badge from swagger.io's online validator: the page asks nothing outside.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
    # Several "status" fields with different choices: name each choice set once.
    "ENUM_NAME_OVERRIDES": {
        "OrderStatusEnum": "orders.state_machine.OrderStatus",
        "TrackingStatusEnum": "orders.tracking.TrackingStatus",
        "DeliveryStatusEnum": "performile.models.OutboxMessage.Status",
        "ThreadStatusEnum": "messaging.models.Thread.Status",
        "ClaimStatusEnum": "shipments.models.Claim.Status",
        "BulkBookingStatusEnum": "shipments.models.BulkBooking.Status",
        "OrderEventKindEnum": "orders.models.OrderEvent.Kind",
        "ShipmentKindEnum": "shipments.models.Shipment.Kind",
    },
}

# --- Logging: JSON lines unless LOG_FORMAT=console ---------------------------
LOG_FORMAT = env("LOG_FORMAT", default="console" if DEBUG else "json")
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {
                "asctime": "time",
                "levelname": "level",
                "name": "logger",
            },
        },
        "console": {"format": "%(asctime)s %(levelname)-7s %(name)s: %(message)s"},
    },
    "handlers": {
        "default": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT},
    },
    "root": {"handlers": ["default"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "uvicorn.access": {"level": env("ACCESS_LOG_LEVEL", default="WARNING")},
        # Its five "Step n" lines per PDF drown everything else at INFO.
        "weasyprint": {"level": "WARNING"},
    },
}

# --- Metrics (docs/faults.md, "Metrics") -------------------------------------
# /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`; unset, it is off
# (404). Request durations of every web process are summed through the directory
# PROMETHEUS_MULTIPROC_DIR, read by prometheus_client itself.
METRICS_TOKEN = env("METRICS_TOKEN", default="")

# --- Errors to Sentry (docs/faults.md) -------------------------------------------
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    from performile.observability import sentry_init

    sentry_init(SENTRY_DSN, environment=env("SENTRY_ENVIRONMENT", default="production"))
