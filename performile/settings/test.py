from performile.settings.base import *  # noqa: F403
from performile.settings.base import env

SECRET_KEY = "test-secret-key"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LOG_FORMAT = "console"
# Each webhook's delivery is applied in its request, through the applier's code;
# tests of the log itself switch this off and run the applier.
INBOUND_APPLY_EAGER = True
LOGGING["handlers"]["default"]["formatter"] = "console"  # noqa: F405
LOGGING["root"]["level"] = env("LOG_LEVEL", default="WARNING")  # noqa: F405

# Each pytest-xdist worker has the cache in a Redis database of its own, so a test
# that empties the cache (sign-in rate limits) never empties another worker's.
_worker = env("PYTEST_XDIST_WORKER", default="gw0").removeprefix("gw")
_location = CACHES["default"]["LOCATION"]  # noqa: F405
_base, _, _db = _location.rpartition("/")
if _worker.isdigit() and _db.isdigit() and "://" in _base:
    CACHES["default"]["LOCATION"] = f"{_base}/{1 + int(_worker) % 15}"  # noqa: F405
