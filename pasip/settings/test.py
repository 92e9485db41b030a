"""Tests: SQLite by default; DATABASE_URL and CELERY_BROKER_URL switch to PostgreSQL and Redis."""

import os
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-not-secret")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

from pasip.validators import DEMO_PASSWORD  # noqa: E402 (after the environment defaults above)

from .base import *  # noqa: E402,F403
from .base import DATABASES, VAR_DIR, env  # noqa: E402

# A file, not memory, so that a worker process started by the tests sees the same database.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # One per test run, so that two runs side by side never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
# A worker process started by a test is pointed at the test database by name.
if os.environ.get("PASIP_TEST_DATABASE_NAME"):
    DATABASES["default"]["NAME"] = os.environ["PASIP_TEST_DATABASE_NAME"]

# With no broker server, the tests and the worker they start share a broker on the filesystem.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # One per test run (the worker it starts is told which), so two runs never share messages.
    TEST_BROKER_DIR = Path(
        env("PASIP_TEST_BROKER_DIR", default=VAR_DIR / f"test-broker-{os.getpid()}")
    )
    TEST_BROKER_DIR.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(TEST_BROKER_DIR),
        "data_folder_out": str(TEST_BROKER_DIR),
        "control_folder": str(TEST_BROKER_DIR / "control"),
        # Polled when nothing can be taken, which with a prefetch of one is after every task:
        # kombu's default of one second would cap the worker at one task a second.
        "polling_interval": 0.1,
    }

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PASIP_DEMO_PASSWORD = DEMO_PASSWORD
# The suite's clients make many API calls a minute; tests/accounts/test_api_tokens.py proves the
# throttling with low rates of its own.
PASIP_API_THROTTLE_RATES = {"anon": "100000/minute", "user": "100000/minute"}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# Django's test client logs in without a request, which django-axes refuses: throttling is on
# only in the tests that prove it (override_settings(AXES_ENABLED=True)).
AXES_ENABLED = env.bool("AXES_ENABLED", default=False)
# Likewise the second factor: on in the tests that prove it, off for tests of other features.
PASIP_REQUIRE_SECOND_FACTOR = env.bool("PASIP_REQUIRE_SECOND_FACTOR", default=False)
