"""Production settings: PostgreSQL from DATABASE_URL, secure cookies, HTTPS only."""

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F403
from config.settings.base import SAFEPATHWAYS
from config.settings.env import env_bool, env_int, env_list, env_str

DEBUG = False
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
if not env_str("DATABASE_URL", ""):
    raise ImproperlyConfigured("Set DATABASE_URL to the PostgreSQL database, e.g. postgres://user@host/db.")

# Behind a load balancer every request comes from its address: name how many proxies add to X-Forwarded-For, so that
# per-address limits (sign-in lockout, password links) count each client's own address (accounts.http).
SAFEPATHWAYS["TRUSTED_PROXIES"] = env_int("SAFEPATHWAYS_TRUSTED_PROXIES", 0)
if SAFEPATHWAYS["TRUSTED_PROXIES"] < 0:
    raise ImproperlyConfigured("SAFEPATHWAYS_TRUSTED_PROXIES is a number of proxies: 0 or more.")

STATIC_ROOT = BASE_DIR / "staticfiles"
WHITENOISE_USE_FINDERS = False
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
# A load balancer's health probe often comes over plain HTTP to the instance: answer it rather than send it to
# HTTPS. SecurityMiddleware matches these against the path without its leading slash (core/urls.py: "healthz").
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
