"""Production: every secret and host from the environment, HTTPS only."""

from django.core.exceptions import ImproperlyConfigured

from pasip.monitoring import sentry_init

from .base import *  # noqa: F403
from .base import DATABASES, LOGGING, env

DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# The orchestrator's health checks ask over plain http, from inside.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# Only a local docker compose on plain http turns this off.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
CSRF_COOKIE_HTTPONLY = True

# Each web process keeps its database connection between requests (checked before reuse):
# no connection set up per request, and the statements a connection prepared (the slip's
# version query) stay prepared. DJANGO_CONN_MAX_AGE=0 closes it after every request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# Logs as one JSON object a line, for the log collector (PASIP_LOG_FORMAT=plain for text).
LOGGING["handlers"]["console"]["formatter"] = env("PASIP_LOG_FORMAT", default="json")

# Errors of the web and worker processes go to Sentry when SENTRY_DSN is set (no personal data:
# see pasip.monitoring).
PASIP_ERRORS_REPORTED = sentry_init(
    env("SENTRY_DSN", default=""), environment=env("SENTRY_ENVIRONMENT", default="production")
)

# SMS: none until a provider is configured; never the development backends, which would report
# messages as sent that no one receives (named as settings name them: by alias or dotted path,
# `notifications.sms.BACKENDS`).
DEVELOPMENT_SMS_BACKENDS = {
    "file",
    "console",
    "notifications.sms.FileSmsBackend",
    "notifications.sms.ConsoleSmsBackend",
}
PASIP_SMS_BACKEND = env("PASIP_SMS_BACKEND", default="none")
if PASIP_SMS_BACKEND in DEVELOPMENT_SMS_BACKENDS:
    raise ImproperlyConfigured(
        f"PASIP_SMS_BACKEND={PASIP_SMS_BACKEND} n'envoie aucun SMS : en production, choisissez"
        " « http » (PASIP_SMS_URL, PASIP_SMS_TOKEN) ou « none »."
    )
if PASIP_SMS_BACKEND == "http" and not (
    env("PASIP_SMS_URL", default="") and env("PASIP_SMS_TOKEN", default="")
):
    raise ImproperlyConfigured("PASIP_SMS_BACKEND=http demande PASIP_SMS_URL et PASIP_SMS_TOKEN.")
