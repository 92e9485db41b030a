"""Embedded default: SQLite, a broker on the filesystem, e-mails to var/mail and the console."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "dev-only-not-secret")
# Not in debug mode by default: the demo shows the product's French error pages, as production
# does (DJANGO_DEBUG=true shows Django's technical pages while developing).
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")

from pasip.validators import DEMO_PASSWORD  # noqa: E402 (after the environment defaults above)

from .base import *  # noqa: E402,F403
from .base import VAR_DIR, env  # noqa: E402

BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR),
        "data_folder_out": str(BROKER_DIR),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
        # Polled when nothing can be taken, which with a prefetch of one is after every task:
        # kombu's default of one second would cap the worker at one task a second.
        "polling_interval": 0.1,
    }
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

EMAIL_BACKEND = env("EMAIL_BACKEND", default="pasip.mail.FileAndConsoleEmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "mail"

# The demo's coordinator and administrator log in with their password alone unless asked.
PASIP_REQUIRE_SECOND_FACTOR = env.bool("PASIP_REQUIRE_SECOND_FACTOR", default=False)

# Demo logins exist only here.
PASIP_DEMO_PASSWORD = DEMO_PASSWORD
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
