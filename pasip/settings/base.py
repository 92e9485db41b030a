"""Settings shared by every environment. Everything that varies comes from the environment."""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

SECRET_KEY = env("DJANGO_SECRET_KEY")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "territory",
    "directory",
    "matching",
    "people",
    "assessments",
    "slips",
    "referrals",
    "notifications",
    "stats",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "pasip.middleware.NulCharacterMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before any view reads the body (the CSRF check reads it in its process_view).
    "pasip.middleware.UploadSizeMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.second_factor.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "pasip.middleware.SessionLifetimeMiddleware",
    # Last, as django-axes requires.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pasip.urls"
WSGI_APPLICATION = "pasip.wsgi.application"
ASGI_APPLICATION = "pasip.asgi.application"

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
                "pasip.legal.demo",
                "territory.context.served_department",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'pasip.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default has two writers (web and worker): a transaction takes the write lock
    # when it starts, and a writer waits up to 30 s for the other rather than failing.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "pasip.validators.NotDemoPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

# E-mail: SMTP by default (EMAIL_URL=smtp://host:port); development writes files and console.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="smtp://localhost:25")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default="PASIP numérique <ne-pas-repondre@pasip.lot.fr>"
)
SITE_URL = env("PASIP_SITE_URL", default="http://127.0.0.1:8000")

# Celery: at-least-once delivery; tasks only load rows and call services.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/0")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Acknowledged after the task ran, and given back to the queue if its process dies (late
# acknowledgement alone would lose a task whose process is killed); one message at a time.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 90
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TIMEZONE = TIME_ZONE
# Queues: the slips' renderings and the statistics' rebuild on their own, so that a burst of
# either never delays an e-mail (worker.celery declares the three; a worker started without
# -Q takes them all, as the embedded default does; docker-compose.yml gives the e-mails a
# worker of their own).
CELERY_TASK_ROUTES = {"slips.tasks.*": {"queue": "slips"}, "stats.tasks.*": {"queue": "stats"}}
# The statistics' rebuild has its own limit: 157 s at 1,000,000 referrals (bench/stats.py).
PASIP_STATS_REFRESH_TIME_LIMIT = env.int("PASIP_STATS_REFRESH_TIME_LIMIT", default=480)
# Notifications: attempts, then exponential backoff in seconds (10, 20, 40… capped at 300).
PASIP_NOTIFICATION_MAX_ATTEMPTS = env.int("PASIP_NOTIFICATION_MAX_ATTEMPTS", default=6)
PASIP_NOTIFICATION_RETRY_BACKOFF = env.float("PASIP_NOTIFICATION_RETRY_BACKOFF", default=10)
PASIP_NOTIFICATION_RETRY_BACKOFF_MAX = 300
# Once those attempts are spent the row is failed, and tried again every hour for 48 hours
# after it was written (a mail server down for a night): notifications.services.
PASIP_NOTIFICATION_LATE_RETRY_EVERY = env.float("PASIP_NOTIFICATION_LATE_RETRY_EVERY", default=3600)
PASIP_NOTIFICATION_LATE_RETRY_FOR = env.float(
    "PASIP_NOTIFICATION_LATE_RETRY_FOR", default=48 * 3600
)
PASIP_NOTIFICATION_SEND_TIMEOUT = 30
# The outbox's relay (worker.celery's beat, notifications.tasks): every PASIP_RELAY_EVERY seconds
# it publishes again the notifications still pending PASIP_RELAY_AFTER seconds after they were
# written (broker down at commit time, task lost); a healthy worker needs less than that.
PASIP_RELAY_EVERY = env.float("PASIP_RELAY_EVERY", default=60.0)
PASIP_RELAY_AFTER = env.float("PASIP_RELAY_AFTER", default=60.0)
# How often failed e-mails and messages are looked at for their hourly retry (seconds).
PASIP_LATE_RETRY_SWEEP_EVERY = env.float("PASIP_LATE_RETRY_SWEEP_EVERY", default=300.0)
# SMS to persons (notifications.sms): "file" (var/sms.jsonl), "console", "http" (a provider's
# API at PASIP_SMS_URL with PASIP_SMS_TOKEN), "none", or a backend's dotted path.
PASIP_SMS_BACKEND = env("PASIP_SMS_BACKEND", default="file")
PASIP_SMS_URL = env("PASIP_SMS_URL", default="")
PASIP_SMS_TOKEN = env("PASIP_SMS_TOKEN", default="")
# Where the "file" backend writes its SMS, one JSON line each.
PASIP_SMS_FILE = Path(env("PASIP_SMS_FILE", default=str(VAR_DIR / "sms.jsonl")))
PASIP_REMINDER_HOUR = 10  # appointment reminders go the day before at this hour
# Redis redelivers a message not acknowledged within the visibility timeout. It must exceed the
# longest a message stays unacknowledged: a retry's countdown (at most 300 s, held by the worker)
# plus the hard time limit (120 s). Longer delays are rows swept by beat, never countdowns.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 900,
    # A broker outage must not hold a web request: give up connecting quickly.
    "socket_connect_timeout": 2,
}
# Publishing from web requests (notifications.services.queue_notification) passes its own
# shorter policy; this one is for the relay and the other publishers.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 3,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.SessionAuthentication",
        "accounts.authentication.ExpiringTokenAuthentication",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "accounts.authentication.AnonymousRate",
        "accounts.authentication.UserRate",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "pasip.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "pasip.errors.api_exception_handler",
}
# API tokens last 12 hours, like a session at most; a password change revokes them.
PASIP_API_TOKEN_LIFETIME = timedelta(hours=12)
# Requests per client (accounts.authentication: AnonymousRate per address, UserRate per user).
PASIP_API_THROTTLE_RATES = {
    "anon": env("PASIP_API_ANON_RATE", default="120/minute"),
    "user": env("PASIP_API_USER_RATE", default="1200/minute"),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "PASIP numérique API",
    "DESCRIPTION": "Orientations entre le réseau social et le réseau de médiation numérique.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its documentation page are for the API's users: behind login, like the API.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "pasip.api.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "DeclineReasonEnum": "referrals.models.DeclineReason",
        "ServiceEnum": "directory.enums.Service",
    },
}

# Sessions end after 30 minutes idle (the cookie is renewed at each request) and 12 hours at most
# (pasip.middleware.SessionLifetimeMiddleware), after OWASP ASVS level 2.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_ABSOLUTE_LIFETIME = 12 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Login throttling (django-axes): lock a username *from one address* after 10 failures, for
# 15 minutes; a success resets the count. Axes' defaults (3 failures, permanent, IP only) would
# lock out a whole office behind one address.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.PasswordBackend",
]
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Password spraying (one address, many usernames): the address is locked after 30 failures
# within an hour, whatever the usernames (accounts.throttling, reading axes' failure log).
AXES_HANDLER = "accounts.throttling.AddressAwareAxesHandler"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
PASIP_ADDRESS_FAILURE_LIMIT = 30
PASIP_ADDRESS_FAILURE_WINDOW = timedelta(hours=1)
# Login logs (axes' successes and failures: usernames and addresses) are kept six months, as
# the CNIL recommends for connection logs (accounts.tasks.prune_login_logs, daily).
PASIP_LOGIN_LOG_RETENTION_DAYS = 180
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env.int("PASIP_PROXY_COUNT", default=0)

# OpenID Connect (ProConnect) login, on when a client id is configured (accounts.oidc).
OIDC_RP_CLIENT_ID = env("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env("OIDC_RP_CLIENT_SECRET", default="")
OIDC_OP_ISSUER = env("OIDC_OP_ISSUER", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env("OIDC_OP_JWKS_ENDPOINT", default="")
# The provider's end_session_endpoint: logging out of PASIP after a ProConnect login also ends
# the ProConnect session there (empty: PASIP's own logout only).
OIDC_OP_LOGOUT_ENDPOINT = env("OIDC_OP_LOGOUT_ENDPOINT", default="")
# The assurance level requested (`acr_values`, space-separated; empty: none requested). An ID
# token whose `acr` is below it is refused.
PASIP_PROCONNECT_ACR = env("PASIP_PROCONNECT_ACR", default="eidas1")
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = env("OIDC_RP_SCOPES", default="openid email given_name usual_name uid siret")
OIDC_CREATE_USER = False
OIDC_STORE_ID_TOKEN = True
OIDC_TIMEOUT = 10
LOGIN_REDIRECT_URL_FAILURE = "/connexion/?proconnect=echec"
AUTHENTICATION_BACKENDS.append("accounts.oidc.ProConnectBackend")

# Coordinators and administrators confirm a TOTP code at every login (accounts.second_factor).
PASIP_REQUIRE_SECOND_FACTOR = env.bool("PASIP_REQUIRE_SECOND_FACTOR", default=True)
OTP_TOTP_ISSUER = "PASIP numérique"

# Content-Security-Policy (django-csp 4): no inline or remote script or style, no framing (the
# slip's print page allows its one inline stylesheet by hash: slips.views).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if OIDC_OP_LOGOUT_ENDPOINT:
    # The logout form's answer redirects there after a ProConnect login (browsers apply
    # form-action to the redirects that follow a form's submission).
    _logout_endpoint = urlsplit(OIDC_OP_LOGOUT_ENDPOINT)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(
        f"{_logout_endpoint.scheme}://{_logout_endpoint.netloc}"
    )
# Permissions-Policy (django-permissions-policy): no page uses the camera, the microphone, the
# location or any other powerful feature, and none may be used by anything a page embeds.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
SECURE_CONTENT_TYPE_NOSNIFF = True
CSRF_FAILURE_VIEW = "pasip.views.csrf_failure"
# The largest file upload (the national directory file: 10 MB holds about 25,000 places).
PASIP_UPLOAD_MAX_BYTES = env.int("PASIP_UPLOAD_MAX_BYTES", default=20_000_000)
# Whether server errors reach someone (Sentry in production when SENTRY_DSN is set): the error
# page says the technical team is told only when it is.
PASIP_ERRORS_REPORTED = False
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "()": "pasip.logs.UTCFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
        "json": {
            "()": "pasip.logs.UTCJSONFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    # PASIP_LOG_FORMAT: "plain" (text), or "json" (one object a line; production's default).
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env("PASIP_LOG_FORMAT", default="plain"),
        }
    },
    "root": {"handlers": ["console"], "level": env("PASIP_LOG_LEVEL", default="INFO")},
    # WeasyPrint logs every rendering step at INFO.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# The territory a fresh installation serves first.
PASIP_DEPARTMENT_CODE = env("PASIP_DEPARTMENT_CODE", default="46")
# The data controller's contacts on the legal pages (pasip.legal): a JSON object whose keys
# (name, address, phone, dpo_email, dpo_address, accessibility_email, support_email,
# support_phone) replace the Lot's.
PASIP_CONTROLLER = env.json("PASIP_CONTROLLER", default={})

# Live sources of the directory (directory/sources/), fetched every night for the département
# above and checked as an uploaded national file; an empty URL turns a source off.
# data·inclusion: the API's root, e.g. https://api.data.inclusion.gouv.fr/api/v1, and its token.
PASIP_DATA_INCLUSION_URL = env("PASIP_DATA_INCLUSION_URL", default="")
PASIP_DATA_INCLUSION_TOKEN = env("PASIP_DATA_INCLUSION_TOKEN", default="")
# La Coop de la médiation numérique: the API's root, e.g.
# https://coop-numerique.anct.gouv.fr/api/v1, and the API client's "id:secret".
PASIP_COOP_URL = env("PASIP_COOP_URL", default="")
PASIP_COOP_TOKEN = env("PASIP_COOP_TOKEN", default="")
# Seconds a source has to answer each request.
PASIP_SOURCES_TIMEOUT = env.float("PASIP_SOURCES_TIMEOUT", default=30.0)

STATICFILES_DIRS = [BASE_DIR / "static"]

# Referral deadlines, in working days (French public holidays excluded): reminder to the
# advisor, escalation to the coordinator, expiry; and accepted with no first meeting.
PASIP_DEADLINES = {
    "reminder": env.int("PASIP_DEADLINE_REMINDER", default=2),
    "escalation": env.int("PASIP_DEADLINE_ESCALATION", default=5),
    "expiry": env.int("PASIP_DEADLINE_EXPIRY", default=10),
    "first_meeting": env.int("PASIP_DEADLINE_FIRST_MEETING", default=15),
}
# Personal data is erased this many months after the person's last referral closed.
PASIP_RETENTION_MONTHS = env.int("PASIP_RETENTION_MONTHS", default=24)
PASIP_ACCESS_LOG_MONTHS = 12
# Disclosure control of the statistics: no count from 1 to this number minus one is published.
PASIP_STATS_MIN_COUNT = env.int("PASIP_STATS_MIN_COUNT", default=11)
# A slip's PDF rendering stops after this many seconds (slips.rendering).
PASIP_SLIP_TIME_LIMIT = env.float("PASIP_SLIP_TIME_LIMIT", default=10.0)
# The matching's weights and limits: any key of directory.matching.DEFAULTS overridden here (and
# any weight under "weights"), e.g. {"weights": {"distance": 30}, "horizon_days": 21}.
PASIP_MATCHING = {}

# Caches. `default`: per process. `slips`: the rendered slips, shared by the web and worker
# processes (a worker renders a referral's slips as soon as it is sent, for the print page the
# social worker opens next): by default the database's table `pasip_slip_cache` (made by the
# slips app's migration), which every process of a deployment reaches, the embedded one included;
# PASIP_SLIP_CACHE_URL may name another shared cache (rediscache://…, filecache:///…). A slip is
# cached under its version, never stale; 4,000 entries are about 100 MB at most.
CACHES = {
    # Login and API throttling counts: per process by default; `PASIP_CACHE_URL` (e.g.
    # rediscache://redis:6379/2) shares them between the web processes.
    "default": env.cache_url("PASIP_CACHE_URL", default="locmemcache://"),
    "slips": env.cache_url(
        "PASIP_SLIP_CACHE_URL", default="dbcache://pasip_slip_cache?max_entries=4000"
    ),
}
