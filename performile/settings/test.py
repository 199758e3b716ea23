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
LOGGING["handlers"]["default"]["formatter"] = "console"  # noqa: F405
LOGGING["root"]["level"] = env("LOG_LEVEL", default="WARNING")  # noqa: F405
